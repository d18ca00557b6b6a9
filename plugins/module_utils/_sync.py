# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Converge a whole directory: read everything once, plan in memory, write only the differences.

Internal to scim.slack; the API may change.  The per-resource decisions are the ones of
slack_scim_user and slack_scim_group (plan_found_user, plan_group): only how users and groups are
found differs (an index of one listing instead of one request each).

Groups are planned against the directory as it will be after the user writes (users created,
renamed, reactivated or deactivated by the same task), so a rerun plans what the first run did.

This file builds the plan; the rest of slack_scim_sync is split by job: the plan's entries (``_sync_plan.py``),
the lean user listing (``_sync_listing.py``), the limits (``_sync_limits.py``), the writes (``_sync_apply.py``),
the result (``_sync_report.py``) and Enterprise Grid (``_sync_workspaces.py``).
"""

from __future__ import annotations

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._finders import GroupIndex, UserIndex
from ansible_collections.scim.slack.plugins.module_utils._group import (
    GroupSpec,
    GroupSpecError,
    MemberResolver,
    find_group,
    plan_group,
)
from ansible_collections.scim.slack.plugins.module_utils._group_connections import ConnectionReader
from ansible_collections.scim.slack.plugins.module_utils._outcome import Outcome
from ansible_collections.scim.slack.plugins.module_utils._sync_limits import check_limits
from ansible_collections.scim.slack.plugins.module_utils._sync_listing import WholeUsers, plan_as_listed
from ansible_collections.scim.slack.plugins.module_utils._sync_plan import GroupEntry, Plan, SyncError, UserEntry
from ansible_collections.scim.slack.plugins.module_utils._sync_workspaces import (
    connection_conflicts,
    connections_specs,
    plan_groups_connections,
    plan_users_workspaces,
    workspaces_specs,
)
from ansible_collections.scim.slack.plugins.module_utils._user_plan import find_user, plan_found_user
from ansible_collections.scim.slack.plugins.module_utils._user_spec import UserSpec, UserSpecError, duplicate_entries
from ansible_collections.scim.slack.plugins.module_utils._user_values import folded, is_bot
from ansible_collections.scim.slack.plugins.module_utils._webapi import WebApiClient


class _PurgeSpec:
    """The spec of a user the purge deactivates: by id, state absent (the id comes from the listing)."""

    def __init__(self, user):
        self.id = user["id"]
        self.state = "absent"
        self.user_name = self.email = None
        self.replace = False
        self.desired, self.params, self.extra = {}, {}, {}


def _both(items):
    return "both" if len(items) == 2 else "all"


def _raise_all(problems, what):
    if len(problems) == 1:
        raise SyncError("%s; nothing was changed" % problems[0])
    if problems:
        raise SyncError("%d %s cannot be planned; nothing was changed: %s" % (len(problems), what,
                                                                              "; ".join(problems)))


def _build_specs(params, dialect):
    problems, user_specs, group_specs = [], [], []
    for position, entry in enumerate(params.get("users") or []):
        try:
            user_specs.append((position, UserSpec(entry, dialect)))
        except UserSpecError as exc:
            problems.append("users[%d]: %s" % (position, exc))
    for position, entry in enumerate(params.get("groups") or []):
        try:
            group_specs.append((position, GroupSpec(entry)))
        except GroupSpecError as exc:
            problems.append("groups[%d]: %s" % (position, exc))
    problems.extend(duplicate_entries("users", enumerate(params.get("users") or [])))
    workspaces, workspace_problems = workspaces_specs(params.get("users"))
    connections, connection_problems = connections_specs(params.get("groups"))
    problems.extend(workspace_problems + connection_problems)
    _raise_all(problems, "entries")
    return user_specs, group_specs, (workspaces, connections)


def build_plan(client, params, token_user_id=None, lean=True):
    """Read the directory once and decide every write.  Raises SyncError (nothing written)."""
    plan = Plan()
    plan.continue_on_error = bool(params.get("continue_on_error"))
    user_specs, group_specs, grid_specs = _build_specs(params, client.dialect)

    if lean:
        users, early = plan_as_listed(client, user_specs)
        plan.index = users
        _plan_users(plan, users, user_specs, early, WholeUsers(users))
    else:  # every user kept whole: the reference the unit tests hold the lean listing to
        users = plan.index = UserIndex(client.iter_users())
        _plan_users(plan, users, user_specs, {})
    groups = GroupIndex(client.iter_groups())
    if params.get("purge_users"):
        declared = {entry.current["id"] for entry in plan.users if entry.current}
        _purge_users(plan, users, declared, params.get("purge_exclude") or [], token_user_id)
    after = _directory_after_user_writes(plan, users)
    _plan_groups(plan, groups, after, group_specs)
    if params.get("purge_groups"):
        _purge_groups(plan, groups, params.get("purge_exclude_groups") or [])
    _plan_grid(plan, client, *grid_specs)
    check_limits(plan, params)
    if plan.web is not None:
        plan.web.require_scopes(plan.web_write_methods())
    return plan


def _plan_grid(plan, client, workspaces, connections):
    """Enterprise Grid's side of the entries that ask for it (one listing of the workspaces for all); no Web API
    call when none does."""
    if not workspaces and not connections:
        return
    plan.web = WebApiClient(client)
    reader = ConnectionReader(plan.web)
    plan.user_workspaces, problems = plan_users_workspaces(reader, plan.users, workspaces, client.dialect)
    _raise_all(problems, "user entries")
    plan.group_connections, problems = plan_groups_connections(reader, plan.groups, connections)
    _raise_all(problems, "group entries")
    if workspaces and plan.group_connections:
        _raise_all(connection_conflicts(plan.users, workspaces, reader.index, plan.group_connections), "group entries")


def _plan_users(plan, users, user_specs, early, whole=None):
    """Plan every user entry (those in ``early`` are planned already: position -> (current, outcome));
    ``whole`` finds entries' users whole when ``users`` answers slim records."""
    problems, by_account, shared = [], {}, {}
    for position, spec in user_specs:
        if position in early:
            current, outcome = early[position]
        else:
            current = find_user(whole or users, spec)
            try:
                outcome = plan_found_user(users, spec, current)
            except UserSpecError as exc:
                plan.unplannable(UserEntry(position, spec, current, Outcome(None, current)), "user",
                                 "users[%d]: %s" % (position, exc), problems)
                continue
            if whole is not None and current and outcome.action is None:
                if outcome.user is current:
                    outcome.user = users.slim(current["id"])
                current = users.slim(current["id"])
        entry = UserEntry(position, spec, current, outcome)
        plan.users.append(entry)
        plan.warnings.extend("users[%d]: %s" % (position, w) for w in outcome.warnings)
        if current and current["id"] in by_account:  # one list only for an account two entries find
            shared.setdefault(current["id"], [by_account[current["id"]]]).append(entry)
        elif current:
            by_account[current["id"]] = entry
    for user_id, entries in sorted(shared.items(), key=lambda item: item[1][0].position):
        if len(entries) > 1:
            problems.append("%s %s resolve to user %s (%s); declare each account once"
                            % (" and ".join(e.label for e in entries), _both(entries), user_id,
                               entries[0].current.get("userName")))
    _raise_all(problems, "user entries")


def _purge_users(plan, users, declared, exclude, token_user_id):
    excluded, unmatched = set(), []
    for entry in exclude:
        user = users.by_reference(entry) if entry.strip() else None
        if user is None:
            unmatched.append(entry)
        else:
            excluded.add(user["id"])
    if unmatched:
        plan.warnings.append("purge_exclude entries that match no user: %s" % ", ".join(repr(e) for e in unmatched))
    for user in users.users:
        if not user.get("active") or user["id"] in declared:
            continue
        reason = "owner" if user["id"] == token_user_id else "bot" if is_bot(user) else \
            "excluded" if user["id"] in excluded else None
        if reason:
            plan.spared.append({"resource": "user", "id": user["id"], "name": user.get("userName"), "reason": reason})
            continue
        spec = _PurgeSpec(user)
        plan.users.append(UserEntry(None, spec, user, plan_found_user(users, spec, user)))


def _directory_after_user_writes(plan, users):
    """The user directory as the user writes of the plan leave it; new users under placeholder IDs."""
    replaced, created = {}, []
    for entry in plan.users:
        user = entry.outcome.user
        if entry.outcome.action is None or not user:
            continue
        if entry.outcome.action == "create":
            created.append(dict(user, id=entry.placeholder))
        else:
            replaced[entry.current["id"]] = dict(user, id=entry.current["id"])
    return UserIndex([replaced.get(user["id"], user) for user in users.users] + created)


def _plan_groups(plan, groups, after, group_specs):
    deactivating = {entry.user_id: entry for entry in plan.deactivations()}
    resolver = MemberResolver(index=after)
    problems, by_group, by_name = [], {}, {}
    for position, spec in group_specs:
        label = "groups[%d] (%s)" % (position, spec.display_name or spec.id)
        conflicts = _deactivated_members(spec, after, deactivating)
        if conflicts:
            problems.append("%s: %s" % (label, "; ".join(conflicts)))
            continue
        current = find_group(groups, spec)
        try:
            outcome = plan_group(groups, resolver, spec, current)
        except GroupSpecError as exc:
            plan.unplannable(GroupEntry(position, spec, current, Outcome(None, current)), "group",
                             "%s: %s" % (label, exc), problems)
            continue
        entry = GroupEntry(position, spec, current, outcome)
        plan.groups.append(entry)
        plan.warnings.extend("groups[%d]: %s" % (position, w) for w in outcome.warnings)
        if current:
            by_group.setdefault(current["id"], []).append(label)
        elif spec.display_name:
            by_name.setdefault(folded(spec.display_name), []).append(label)
    for key, labels in list(by_group.items()) + list(by_name.items()):
        if len(labels) > 1:
            problems.append("%s %s declare group %s; declare each group once"
                            % (" and ".join(labels), _both(labels), key))
    _raise_all(problems, "group entries")


def _deactivated_members(spec, after, deactivating):
    """Members to add whom this plan deactivates: a rerun would refuse them, so the first run does too.

    Under lookup_failure_action warn or ignore, plan_members skips them (in every run alike).
    """
    if spec.state != "present" or spec.lookup_failure_action != "fail":
        return []
    conflicts = []
    for option, references in (("members.set", spec.set or []), ("members.add", spec.add)):
        for reference in references:
            user = after.by_reference(reference)
            entry = deactivating.get((user or {}).get("id"))
            if entry is not None:
                conflicts.append("%s names %s, but %s deactivates %s (%s) and a deactivated user cannot be a group "
                                 "member; drop one of the two" % (option, reference, entry.cause, entry.name,
                                                                  entry.user_id))
    return conflicts


def _purge_groups(plan, groups, exclude):
    declared = {entry.current["id"] for entry in plan.groups if entry.current}
    excluded, unmatched = set(), []
    for reference in exclude:
        group = groups.group_by_reference(reference)
        if group is None:
            unmatched.append(reference)
        else:
            excluded.add(group["id"])
    if unmatched:
        plan.warnings.append("purge_exclude_groups entries that match no group: %s"
                             % ", ".join(repr(e) for e in unmatched))
    for group in groups.groups:
        if group["id"] in declared:
            continue
        if group["id"] in excluded:
            plan.spared.append({"resource": "group", "id": group["id"], "name": group.get("displayName"),
                                "reason": "excluded"})
            continue
        spec = GroupSpec.deletion(group["id"])
        plan.groups.append(GroupEntry(None, spec, group, plan_group(groups, None, spec, group)))


def token_user(client):
    """The id of the token's own user, or ``None`` when Slack will not say."""
    try:
        return client.auth_test().get("user_id")
    except ScimError:
        return None
