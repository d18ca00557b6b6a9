# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync's plan: its user and group entries, what it counts for the limits, what failed.

Internal to scim.slack; the API may change.  No Ansible imports.
"""

from __future__ import annotations

# How a user this task creates is named (in group members and diffs) until Slack gives it an ID.
PLACEHOLDER = "new:%s"


class SyncError(ValueError):
    """The plan cannot be carried out; nothing was written.  ``plan`` holds what it would do."""

    def __init__(self, message, plan=None):
        super().__init__(message)
        self.plan = plan


class UserEntry:
    """One user of the plan: a declared entry (``position``) or a purged user (``position`` None)."""

    # 10,000 entries: the slots and the headers made when asked save a few MB of a sync's peak.
    __slots__ = ("position", "spec", "current", "outcome", "failure", "transition", "name", "_after_name", "_where")

    def __init__(self, position, spec, current, outcome):
        self.position, self.spec, self.current, self.outcome = position, spec, current, outcome
        self.failure = None
        self.transition = self._transition()
        self.name = (current or {}).get("userName") or spec.user_name or spec.email or spec.id
        self._after_name = (outcome.user or {}).get("userName") or self.name
        self._where = current["id"] if current else "new"

    @property
    def headers(self):
        return ("user %s (%s)" % (self.name, self._where), "user %s (%s)" % (self._after_name, self._where))

    def _transition(self):
        """created, deactivated, reactivated, updated or None: what the write does to the account."""
        if self.outcome.action is None:
            return None
        if self.outcome.action == "create":
            return "create"
        before = bool((self.current or {}).get("active"))
        after = bool((self.outcome.user or {}).get("active"))
        if before and not after:
            return "deactivate"
        if after and not before:
            return "reactivate"
        return "update"

    @property
    def label(self):
        return "users[%d]" % self.position if self.position is not None else "purge_users"

    @property
    def cause(self):
        """Why this entry deactivates its user, for messages."""
        if self.position is None:
            return "purge_users (not declared in users)"
        if self.spec.state == "absent":
            return "users[%d] (state: absent)" % self.position
        return "users[%d] (active: false)" % self.position

    @property
    def placeholder(self):
        return PLACEHOLDER % self.spec.user_name

    @property
    def user_id(self):
        return (self.current or {}).get("id") or (self.outcome.user or {}).get("id")


class GroupEntry:
    """One group of the plan: a declared entry (``position``) or a purged group (``position`` None)."""

    def __init__(self, position, spec, current, outcome):
        self.position, self.spec, self.current, self.outcome = position, spec, current, outcome
        self.failure = None
        self.name = spec.display_name or (current or {}).get("displayName") or spec.id
        where = current["id"] if current else "new"
        after_name = (outcome.group or {}).get("displayName") or self.name
        self.headers = ("group %s (%s)" % ((current or {}).get("displayName") or self.name, where),
                        "group %s (%s)" % (after_name, where))

    @property
    def group_id(self):
        return (self.current or {}).get("id") or (self.outcome.group or {}).get("id")


class Plan:
    def __init__(self):
        self.users = []        # UserEntry: declared entries in order, then purged users
        self.groups = []       # GroupEntry: declared entries in order, then purged groups
        self.spared = []       # {resource, id, name, reason} the purge left alone
        self.warnings = []
        self.index = None      # the user listing, to name members in messages
        self.failures = []     # {resource, id, name, msg}: entries that failed (planning or writing)
        self.continue_on_error = False  # an entry that cannot be planned fails alone instead of the plan
        self.user_workspaces = []  # UserWorkspaces: the users' workspace changes (Enterprise Grid)
        self.group_connections = []  # GroupConnectionsChange: the groups' workspaces and default channels
        self.web = None        # the WebApiClient that read the Grid (it knows the token's scopes), if any

    def unplannable(self, entry, resource, message, problems):
        """An entry that cannot be planned: with continue_on_error it fails alone and stays in the plan, so its
        account or group stays declared (never purged for it); otherwise ``message`` joins ``problems``."""
        if not self.continue_on_error:
            problems.append(message)
            return
        self.record_failure(entry, resource, message)
        (self.users if resource == "user" else self.groups).append(entry)

    def record_failure(self, entry, resource, message, outcome=None):
        """``entry`` failed: it is counted under ``failed`` and listed in ``failures``; ``outcome`` ``unknown`` when
        Slack may have applied the write (its answer was lost)."""
        entry.failure = message
        failure = {"resource": resource, "msg": message, "name": entry.name,
                   "id": entry.user_id if resource == "user" else entry.group_id}
        if outcome:
            failure["outcome"] = outcome
        self.failures.append(failure)

    def deactivations(self):
        """Every active -> inactive transition: state absent, purge, active: false (PATCH or PUT)."""
        return [entry for entry in self.users if entry.transition == "deactivate"]

    def group_deletions(self):
        return [entry for entry in self.groups if entry.outcome.action == "delete"]

    def member_removals(self):
        """[(group entry, [user ids])] the plan removes from groups, without the users it deactivates
        (their memberships count under max_deactivations)."""
        deactivated = {entry.user_id for entry in self.deactivations()}
        removals = []
        for entry in self.groups:
            if entry.outcome.action == "update":
                removed = [uid for uid in entry.outcome.members_removed if uid not in deactivated]
                if removed:
                    removals.append((entry, removed))
        return removals

    def web_write_methods(self):
        """Every Web API method the plan's writes call."""
        return sorted({method for change in self.user_workspaces + self.group_connections
                       for method in change.plan.methods})

    def workspace_removals(self):
        """Descriptions of every removal of a user from a workspace and of a default channel from a group."""
        return [removal for change in self.user_workspaces + self.group_connections for removal in change.removals()]
