# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync on Enterprise Grid: the ``workspaces`` of user entries, the ``workspaces`` and
``channels`` of group entries.

Internal to scim.slack; the API may change.  No Ansible imports.

Planned from as few listings as Slack allows, and only when an entry asks: one ``admin.teams.list`` for
every workspace any entry names, one ``admin.users.list`` of the organization for every user's workspaces,
one ``usergroups.list`` per workspace for every group's connections, one ``admin.usergroups.listChannels``
per group whose channels are managed.  A directory whose entries name no workspace costs no Web API call.
Each user is decided as slack_scim_user decides it (``_user_workspaces``), each group as slack_scim_group
(``_group_connections``).
"""

from __future__ import annotations

import functools
import math

from ansible_collections.scim.slack.plugins.module_utils._group import member_ids
from ansible_collections.scim.slack.plugins.module_utils._group_connections import (
    ConnectionResolver,
    ConnectionsError,
    ConnectionSpec,
    Connections,
    GroupConnections,
    merged as merged_connections,
    apply_connections,
    plan_connections,
)
from ansible_collections.scim.slack.plugins.module_utils._webapi import CHANNELS_PER_CALL
from ansible_collections.scim.slack.plugins.module_utils._outcome import Outcome
from ansible_collections.scim.slack.plugins.module_utils._user_values import is_guest
from ansible_collections.scim.slack.plugins.module_utils._user_workspaces import (
    WorkspacePlan,
    WorkspacesError,
    WorkspacesSpec,
    apply_workspaces,
    check_present,
    check_slack_allows,
    current_workspaces,
    merged,
)

UNCHANGED = "; nothing was changed"


def _problem(label, exc):
    """An entry's problem for the plan's message, which says once that nothing was changed."""
    text = str(exc)
    return "%s: %s" % (label, text[:-len(UNCHANGED)] if text.endswith(UNCHANGED) else text)


def user_label(position, params):
    name = None
    if isinstance(params, dict):
        name = params.get("user_name") or params.get("email") or params.get("id")
    return "users[%d] (%s)" % (position, name) if name else "users[%d]" % position


def _entry_specs(entries, label, parse):
    """``({position: spec}, problems)`` for the entries whose ``parse(params)`` manages something."""
    specs, problems = {}, []
    for position, params in enumerate(entries or []):
        if not isinstance(params, dict):
            continue
        try:
            spec = parse(params)
        except (ConnectionsError, WorkspacesError) as exc:
            problems.append(_problem(label(position, params), exc))
            continue
        if spec.manages:
            specs[position] = spec
    return specs, problems


def _user_workspaces(params):
    """A user entry's ``workspaces``: the dict, or a plain list (the exact set)."""
    parsed = ConnectionSpec.parse(params.get("workspaces"), "workspaces")
    return WorkspacesSpec({"add": parsed.add, "remove": parsed.remove, "set": parsed.set})


def workspaces_specs(entries):
    """``({position: WorkspacesSpec}, problems)`` for the user entries that manage workspaces."""
    return _entry_specs(entries, user_label, _user_workspaces)


class UserWorkspaces:
    """The workspace change of one user entry: ``plan`` (a WorkspacePlan), assigned as a guest or not."""

    def __init__(self, entry, plan, guest):
        self.entry, self.plan, self.guest = entry, plan, guest

    def removals(self):
        """``[description]`` of the removals, for the limit's message."""
        return ["%s (%s) from %s" % (self.entry.name, self.entry.user_id, label)
                for label in self.plan.described(self.plan.remove)]

    def apply(self, web, before_each):
        apply_workspaces(web, self.entry.user_id, self.plan, self.guest, before_each)


def plan_users_workspaces(reader, users, specs, dialect):
    """``(changes, problems)``: the UserWorkspaces of the user entries (UserEntry) that ``specs`` manage, each
    merged into its entry's outcome (changed, diffed), and every entry that cannot be planned.  ``reader`` (a
    ConnectionReader) lists the workspaces once for the users and the groups."""
    entries = [entry for entry in users if entry.position in specs and entry.failure is None]
    if not entries:
        return [], []
    index, web = reader.index, reader.web
    wanted, problems = {}, []
    for entry in entries:
        try:
            check_present(entry.spec)
            wanted[entry.position] = specs[entry.position].resolve(index)
        except WorkspacesError as exc:
            problems.append(_problem(user_label(entry.position, entry.spec.params), exc))
    if problems:
        return [], problems
    org_users = functools.lru_cache(maxsize=None)(web.org_users)  # one listing for every entry that needs it
    changes = []
    for entry in entries:
        user = entry.current or {}
        try:
            current, listed_user = current_workspaces(org_users, entry.outcome, user)
            plan = WorkspacePlan(current, wanted[entry.position], index)
            check_slack_allows(plan, listed_user, user)
        except WorkspacesError as exc:
            problems.append(_problem(user_label(entry.position, entry.spec.params), exc))
            continue
        if plan.changed:
            changes.append(UserWorkspaces(entry, plan, _assigned_as_guest(entry, listed_user, dialect)))
            _merge(entry, plan)
    return changes, problems


def _assigned_as_guest(entry, listed_user, dialect):
    """Whether Slack assigns the user as a guest: as the task leaves it, else as Slack's listing has it."""
    outcome = entry.outcome
    if entry.transition == "create" or "guest" in outcome.changed_attributes:
        return is_guest(outcome.user, dialect)
    return bool(listed_user and (listed_user.get("is_restricted") or listed_user.get("is_ultra_restricted")))


def _merge(entry, plan):
    """The entry's outcome with the workspace change; an unchanged entry's outcome (maybe shared) is replaced."""
    if entry.outcome.action is None:
        entry.outcome = Outcome(None, entry.outcome.user)
    entry.outcome = merged(entry.outcome, plan)
    entry.transition = entry.transition or "update"


# -- groups: workspaces and default channels -----------------------------------------------------------

def group_label(position, name):
    return "groups[%d] (%s)" % (position, name) if name else "groups[%d]" % position


def _group_entry_label(entry):
    return group_label(entry.position, entry.name)


def connections_specs(entries):
    """``({position: GroupConnections}, problems)`` for the group entries that manage workspaces or channels."""
    return _entry_specs(entries, lambda position, params: group_label(position, params.get("display_name") or
                                                                      params.get("id")),
                        lambda params: GroupConnections(params.get("workspaces"), params.get("channels")))


class GroupConnectionsChange:
    """The connection change of one group entry: ``plan`` (a ConnectionPlan)."""

    def __init__(self, entry, plan):
        self.entry, self.plan = entry, plan

    def removals(self):
        return ["%s (%s) loses the default channel %s" % (self.entry.name, self.entry.group_id, label)
                for label in self.plan.described(self.plan.remove_channels)]

    @property
    def attributes(self):
        return (["workspaces"] if self.plan.connect else []) + \
            (["channels"] if self.plan.add_channels or self.plan.remove_channels else [])

    def calls(self):
        """How many Web API calls applying the plan sends (100 channels a call)."""
        batches = [len(ids) for ids in self.plan.add_channels.values()] + [len(self.plan.remove_channels)]
        return bool(self.plan.connect) + sum(math.ceil(count / float(CHANNELS_PER_CALL)) for count in batches)

    def apply(self, web, before_each):
        before_each(self.calls())
        apply_connections(web, self.entry.group_id, self.plan)


def plan_groups_connections(reader, groups, specs):
    """``(changes, problems)``: the GroupConnectionsChange of the group entries (GroupEntry) that ``specs``
    manage, merged into their outcomes.  One ``usergroups.list`` per workspace for all of them, one
    ``admin.usergroups.listChannels`` per existing group whose channels are managed; a new group has none."""
    entries = [entry for entry in groups if entry.position in specs and entry.failure is None]
    problems = ["%s: workspaces and channels cannot be used with state: absent (a deleted group has no connections)"
                % _group_entry_label(entry) for entry in entries
                if entry.spec.state == "absent"]
    if not entries or problems:
        return [], problems
    existing = [entry.current["id"] for entry in entries if entry.current]
    current = reader.read(existing, channels_of=[entry.current["id"] for entry in entries
                                                 if entry.current and specs[entry.position].manages_channels])
    resolver = ConnectionResolver(reader.web, reader.index)
    changes = []
    for entry in entries:
        if entry.current:
            now, name = current[entry.current["id"]], "group %s (%s)" % (entry.current["id"], entry.name)
        else:
            now, name = Connections.none(), "the new group %s" % entry.name
        try:
            plan = plan_connections(resolver, specs[entry.position], now, name)
        except ConnectionsError as exc:
            problems.append(_problem(_group_entry_label(entry), exc))
            continue
        if plan.changed:
            changes.append(GroupConnectionsChange(entry, plan))
            entry.outcome = merged_connections(entry.outcome, plan)
    return changes, problems


# -- users and groups together ---------------------------------------------------------------------------

def connection_conflicts(users, specs, index, group_changes):
    """Messages for the users a new group connection would put into a workspace their entry keeps them out of
    (``remove``, or left out of the exact set): Slack adds a group's members to a workspace it is connected to,
    so the next run would take them out again, and the run never converge."""
    kept_out = {}
    for entry in users:
        if entry.position in specs:
            out = _kept_out(specs[entry.position].resolve(index), index)
            if out:
                kept_out[entry.user_id or entry.placeholder] = (entry, out)
    problems = []
    for change in group_changes:
        for member in _members_after(change.entry):
            entry, out = kept_out.get(member, (None, ()))
            clash = sorted(set(change.plan.connect) & set(out))
            if clash:
                problems.append("%s: connecting group %s to %s adds its member %s there, but %s keeps the user out of "
                                "it" % (
                                    _group_entry_label(change.entry),
                                    change.entry.name, ", ".join(change.plan.described(clash)), entry.name,
                                    user_label(entry.position, entry.spec.params)))
    return problems


def _kept_out(wanted, index):
    out = {team["id"] for team in wanted["remove"]}
    if wanted["set"] is not None:
        out |= {team["id"] for team in index.teams} - {team["id"] for team in wanted["set"]}
    return out


def _members_after(entry):
    """The member IDs of a group entry after its write (a new user by its placeholder, ``new:<user name>``)."""
    members = set(member_ids(entry.current)) | set(entry.outcome.members_added)
    return members - set(entry.outcome.members_removed)
