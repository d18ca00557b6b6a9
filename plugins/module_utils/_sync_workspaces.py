# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync on Enterprise Grid: the ``workspaces`` of user entries.

Internal to scim.slack; the API may change.  No Ansible imports.

Planned from as few listings as Slack allows, and only when an entry asks: one ``admin.teams.list`` for
every workspace any entry names, one ``admin.users.list`` of the organization for every user's workspaces.
A directory whose entries name no workspace costs no Web API call.  Each user is decided as
slack_scim_user decides it (``_user_workspaces``).
"""

from __future__ import annotations

import functools

from ansible_collections.scim.slack.plugins.module_utils._outcome import Outcome
from ansible_collections.scim.slack.plugins.module_utils._user_values import is_guest
from ansible_collections.scim.slack.plugins.module_utils._user_workspaces import (
    KEYS,
    WorkspacePlan,
    WorkspacesError,
    WorkspacesSpec,
    apply_workspaces,
    check_present,
    check_slack_allows,
    current_workspaces,
    merged,
)
from ansible_collections.scim.slack.plugins.module_utils._webapi import WorkspaceIndex


def changes_value(value, option):
    """A sync entry's ``option`` (``workspaces``, ``channels``) as the ``add``/``remove``/``set`` dict; a plain
    list is the exact set.  Raises WorkspacesError naming the option and the value."""
    if isinstance(value, list):
        value = {"set": value}
    if not isinstance(value, dict):
        raise WorkspacesError("%s must be a list (the exact set) or a dict with the keys add, remove and set, got %r"
                              % (option, value))
    unknown = sorted(str(key) for key in value if key not in KEYS)
    if unknown:
        raise WorkspacesError("%s has the unknown keys %s; it takes add, remove and set" % (option, ", ".join(unknown)))
    for key in KEYS:
        if value.get(key) is not None and not isinstance(value[key], list):
            raise WorkspacesError("%s.%s must be a list, got %r" % (option, key, value[key]))
    return value


def user_label(position, params):
    name = None
    if isinstance(params, dict):
        name = params.get("user_name") or params.get("email") or params.get("id")
    return "users[%d] (%s)" % (position, name) if name else "users[%d]" % position


def workspaces_specs(entries):
    """``({position: WorkspacesSpec}, problems)`` for the user entries that manage workspaces."""
    specs, problems = {}, []
    for position, params in enumerate(entries or []):
        value = params.get("workspaces") if isinstance(params, dict) else None
        if value is None:
            continue
        try:
            spec = WorkspacesSpec(changes_value(value, "workspaces"))
        except WorkspacesError as exc:
            problems.append("%s: %s" % (user_label(position, params), exc))
            continue
        if spec.manages:
            specs[position] = spec
    return specs, problems


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


def plan_users_workspaces(web, users, specs, dialect):
    """``(changes, problems)``: the UserWorkspaces of the user entries (UserEntry) that ``specs`` manage, each
    merged into its entry's outcome (changed, diffed), and every entry that cannot be planned."""
    entries = [entry for entry in users if entry.position in specs and entry.failure is None]
    if not entries:
        return [], []
    index = WorkspaceIndex(web.teams())
    wanted, problems = {}, []
    for entry in entries:
        try:
            check_present(entry.spec)
            wanted[entry.position] = specs[entry.position].resolve(index)
        except WorkspacesError as exc:
            problems.append("%s: %s" % (user_label(entry.position, entry.spec.params), exc))
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
            problems.append("%s: %s" % (user_label(entry.position, entry.spec.params), exc))
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
