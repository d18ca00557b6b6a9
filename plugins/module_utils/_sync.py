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
"""

from __future__ import annotations

import functools
import itertools
import json
import marshal
import math
import time
import zlib

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._group import (
    GroupSpec,
    GroupSpecError,
    MEMBER_BATCH,
    MemberResolver,
    apply_group,
    find_group,
    member_ids,
    plan_group,
)
from ansible_collections.scim.slack.plugins.module_utils._group_connections import (
    ConnectionReader,
    PartialConnectionsError,
)
from ansible_collections.scim.slack.plugins.module_utils._index import GroupIndex, UserIndex, normal_key
from ansible_collections.scim.slack.plugins.module_utils._outcome import Outcome
from ansible_collections.scim.slack.plugins.module_utils._sync_workspaces import (
    connection_conflicts,
    connections_specs,
    plan_groups_connections,
    plan_users_workspaces,
    workspaces_specs,
)
from ansible_collections.scim.slack.plugins.module_utils._user_plan import apply_user, find_user, plan_found_user
from ansible_collections.scim.slack.plugins.module_utils._user_spec import UserSpec, UserSpecError, duplicate_entries
from ansible_collections.scim.slack.plugins.module_utils._user_values import is_bot, normalise_user_name
from ansible_collections.scim.slack.plugins.module_utils._webapi import WebApiClient

# The safety limits and their defaults; None (null) means no limit.
DEFAULT_LIMITS = {"max_deactivations": 10, "max_group_deletions": 0, "max_member_removals": 50,
                  "max_workspace_removals": 50}
# What purges, group members and reports read of a user; a user kept beyond its planning keeps these.
SLIM_KEYS = ("id", "userName", "displayName", "active", "emails", "userType")
# How many resources a limit failure names before it abbreviates.
SHOWN = 50
# How a user this task creates is named (in group members and diffs) until Slack gives it an ID.
PLACEHOLDER = "new:%s"


class SyncError(ValueError):
    """The plan cannot be carried out; nothing was written.  ``plan`` holds what it would do."""

    def __init__(self, message, plan=None):
        super().__init__(message)
        self.plan = plan


def _snippet(item):
    try:
        text = json.dumps(item, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(item)
    return text if len(text) <= 200 else text[:197] + "..."


def _checked_item(item, resource):
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        raise SyncError("the %s listing has an item without id: %s; Slack (or a proxy in between) answered a "
                        "malformed listing, nothing was changed" % (resource, _snippet(item)))
    return item


class ListedUsers(UserIndex):
    """The users of one listing, kept lean for directories of tens of thousands (10,000 users parsed as
    dicts take about 45 MB).  Every user has a slim record (``SLIM_KEYS``: what lookups of other users,
    purges, group members and reports read); lookups answer those.  A user some entry may still need whole
    is also kept serialized (``marshal``: the listing is JSON data, and the bytes never leave this process)
    and compressed with the listing's first user as the preset dictionary (about 90 bytes a user);
    ``whole`` restores it as the listing answered it."""

    def __init__(self, users=()):
        self._packed = {}
        self._preset = None
        super().__init__(users)

    def add(self, user, keep=True):
        _checked_item(user, "user")
        if keep:
            self.keep(user)
        UserIndex.add(self, dict((key, user[key]) for key in SLIM_KEYS if key in user))

    def keep(self, user):
        data = marshal.dumps(user)
        if self._preset is None:
            self._preset = data[-32768:]
        packer = zlib.compressobj(1, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, self._preset)
        self._packed[user["id"]] = packer.compress(data) + packer.flush()

    def slim(self, user_id):
        return self._ids.get(user_id)

    def whole(self, slim):
        """The user of a slim record, whole; an error if it was not kept (a bug: see plan_as_listed)."""
        if slim is None:
            return None
        if slim["id"] not in self._packed:
            raise ValueError("internal error: user %s was not kept whole" % slim["id"])
        unpacker = zlib.decompressobj(-15, self._preset)
        return marshal.loads(unpacker.decompress(self._packed[slim["id"]]) + unpacker.flush())


class _Whole:
    """find_user's finder over a lean listing: the users it finds, whole."""

    def __init__(self, users):
        self.users = users

    def by_id(self, user_id):
        return self.users.whole(self.users.by_id(user_id))

    def by_user_name(self, user_name):
        return self.users.whole(self.users.by_user_name(user_name))

    def by_email(self, email):
        return self.users.whole(self.users.by_email(email))


# The outcome of an entry the plan leaves alone, without warnings: shared by such entries, never written to.
UNCHANGED = Outcome(None, None)


class _NeedsDirectory(Exception):
    """Planning an entry looks up another user: the entry waits for the whole listing."""


class _WhileListing:
    """The finder of an entry planned as the listing brings its user: any lookup waits for the whole listing."""

    def _wait(self, *args):
        raise _NeedsDirectory()

    by_id = by_user_name = by_email = by_reference = _wait


class Pacer:
    """At most ``per_minute`` writes a minute, evenly spaced, for the whole task."""

    def __init__(self, per_minute, clock=time.monotonic, sleep=time.sleep):
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.clock, self.sleep = clock, sleep
        self.next_slot = None

    def wait(self, writes=1):
        now = self.clock()
        if self.next_slot is not None and now < self.next_slot:
            self.sleep(self.next_slot - now)
            now = self.next_slot
        self.next_slot = now + self.interval * writes


class _PurgeSpec:
    """The spec of a user the purge deactivates: by id, state absent (the id comes from the listing)."""

    def __init__(self, user):
        self.id = user["id"]
        self.state = "absent"
        self.user_name = self.email = None
        self.replace = False
        self.desired, self.params, self.extra = {}, {}, {}


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


def check_duplicates(specs):
    """Fail when two entries declare one user (same user name, ignoring case, or same primary email)."""
    problems = duplicate_entries("users", [(position, spec.params) for position, spec in specs])
    if problems:
        raise SyncError("duplicate user entries: %s" % "; ".join(problems))


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
        users = plan_as_listed(plan, client, user_specs)
    else:  # every user kept whole: the reference the unit tests hold the lean listing to
        users = plan.index = UserIndex(_checked_item(user, "user") for user in client.iter_users())
        _plan_users(plan, users, user_specs, {})
    groups = GroupIndex(_checked_item(group, "group") for group in client.iter_groups())
    if params.get("purge_users"):
        declared = {entry.current["id"] for entry in plan.users if entry.current}
        _purge_users(plan, users, declared, params.get("purge_exclude") or [], token_user_id)
    after = _directory_after_user_writes(plan, users)
    _plan_groups(plan, groups, after, group_specs)
    if params.get("purge_groups"):
        _purge_groups(plan, groups, params.get("purge_exclude_groups") or [])
    _plan_grid(plan, client, *grid_specs)
    _check_limits(plan, params)
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


def plan_as_listed(plan, client, user_specs):
    """List the users and plan the user entries: the same plan as ``_plan_users`` over a whole listing, with
    the listing kept lean (``ListedUsers``).

    An entry found by id or user name is planned as the listing brings its user, whose dict is then let go:
    it is what ``find_user`` would find (the listing has one user per id and per user name; should a second
    one come, the later user is the one found, and the entry is planned again with it).  An entry whose planning
    looks up another user (a manager, the holder of an email), fails, or is found by email only, is planned
    after the listing, as before; the users those need are kept whole (the ones they were found with, and
    those with an email of an entry not found yet).
    """
    by_id, by_name, by_email = {}, {}, {}
    for position, spec in user_specs:
        if spec.id:
            by_id.setdefault(spec.id, []).append((position, spec))
            continue
        if spec.user_name:
            by_name.setdefault(normal_key(spec.user_name, normalise_user_name), []).append((position, spec))
        if spec.email:
            by_email.setdefault(normal_key(spec.email, str.lower), []).append(position)
    users = plan.index = ListedUsers()
    early, later = {}, set()
    while_listing = _WhileListing()
    for user in client.iter_users():
        _checked_item(user, "user")
        name = normalise_user_name(user["userName"]) if user.get("userName") else None
        keep = user["id"] in users._ids or (name is not None and name in users._names)
        users.add(user, keep=False)
        for position, spec in itertools.chain(by_id.get(user["id"], ()), by_name.get(name, ())):
            early.pop(position, None)
            later.discard(position)
            try:
                outcome = plan_found_user(while_listing, spec, user)
            except (_NeedsDirectory, UserSpecError):
                later.add(position)
                keep = True
                continue
            current = user
            if outcome.action is None:
                current = users.slim(user["id"])
                if outcome.user is user:
                    outcome.user = current
                if not outcome.warnings:  # all an entry without change or warning needs to say
                    outcome = UNCHANGED
            early[position] = (current, outcome)
        if not keep:
            emails = (str(e["value"]).lower() for e in user.get("emails") or []
                      if isinstance(e, dict) and e.get("value"))
            keep = any(position not in early and position not in later
                       for email in emails for position in by_email.get(email, ()))
        if keep:
            users.keep(user)
    _plan_users(plan, users, user_specs, early, _Whole(users))
    return users


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
        user = users.by_reference(entry) if isinstance(entry, str) and entry.strip() else None
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
            by_name.setdefault(spec.display_name.casefold(), []).append(label)
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
        group = groups.group_by_reference(reference) if isinstance(reference, str) else None
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
        spec = GroupSpec({"id": group["id"], "state": "absent"})
        plan.groups.append(GroupEntry(None, spec, group, plan_group(groups, None, spec, group)))


def _limit(params, option):
    return params[option] if option in params else DEFAULT_LIMITS[option]


def _shown(items, total):
    return ", ".join(items[:SHOWN]) + (" and %d more" % (total - SHOWN) if total > SHOWN else "")


def _member_name(plan, user_id):
    user = plan.index.by_id(user_id) if plan.index else None
    return "%s (%s)" % (user.get("userName"), user_id) if user else user_id


def _check_limits(plan, params):
    deactivations = plan.deactivations()
    limit = _limit(params, "max_deactivations")
    if limit is not None and len(deactivations) > limit:
        names = ["%s (%s) by %s" % (e.name, e.user_id, e.cause) for e in deactivations]
        raise SyncError("the plan deactivates %d users, more than max_deactivations=%d; nothing was changed. "
                        "Planned: %s" % (len(deactivations), limit, _shown(names, len(names))), plan)
    deletions = plan.group_deletions()
    limit = _limit(params, "max_group_deletions")
    if limit is not None and len(deletions) > limit:
        names = ["%s (%s)" % (e.name, e.group_id) for e in deletions]
        raise SyncError("the plan deletes %d groups, more than max_group_deletions=%d; nothing was changed. "
                        "Planned: %s" % (len(deletions), limit, _shown(names, len(names))), plan)
    removals = plan.member_removals()
    total = sum(len(ids) for _entry, ids in removals)
    limit = _limit(params, "max_member_removals")
    if limit is not None and total > limit:
        shown, budget = [], SHOWN
        for entry, ids in removals:
            if budget <= 0:
                break
            names = [_member_name(plan, uid) for uid in ids[:budget]]
            rest = len(ids) - len(names)
            shown.append("%s (%s) loses %s%s" % (entry.name, entry.group_id, ", ".join(names),
                                                 " and %d more" % rest if rest else ""))
            budget -= len(names)
        more = len(removals) - len(shown)
        raise SyncError("the plan removes %d group memberships, more than max_member_removals=%d; nothing was "
                        "changed. Planned: %s%s" % (total, limit, "; ".join(shown),
                                                    "; and %d more groups" % more if more else ""), plan)
    removals = plan.workspace_removals()
    limit = _limit(params, "max_workspace_removals")
    if limit is not None and len(removals) > limit:
        raise SyncError("the plan makes %d workspace removals (users from workspaces, default channels from groups), "
                        "more than max_workspace_removals=%d; nothing was changed. Planned: %s"
                        % (len(removals), limit, _shown(removals, len(removals))), plan)


def execute(client, plan, pacer, continue_on_error=False):
    """Send the writes of a plan: users (then their workspaces), then groups (then their workspaces and
    channels), then group deletions, then deactivations.

    Returns the failures (with ``continue_on_error``; otherwise the first failure is raised).  Each
    entry records its own failure, so the report counts only what was written.
    """
    plan.continue_on_error = continue_on_error
    created = {}

    def attempt(entry, resource, send):
        try:
            entry.outcome = send() or entry.outcome
            if resource == "user" and isinstance(entry.outcome.user, dict):
                # Slack's answer; the report reads its id and name (10,000 answers would be 45 MB).
                entry.outcome.user = dict((key, entry.outcome.user[key]) for key in SLIM_KEYS
                                          if key in entry.outcome.user)
            return True
        except (ScimError, UserSpecError, GroupSpecError, PartialConnectionsError) as exc:
            if not continue_on_error:
                raise
            plan.record_failure(entry, resource, str(exc), "unknown" if maybe_applied(exc) else None)
            return False

    for entry in plan.users:
        if entry.outcome.write and entry.transition != "deactivate":
            pacer.wait()
            if attempt(entry, "user", functools.partial(apply_user, client, entry.spec, entry.outcome)) and \
                    entry.transition == "create":
                created[entry.placeholder] = (entry.outcome.user or {}).get("id") or entry.placeholder
                if entry.outcome.action != "create":
                    _found_instead(plan, entry)
    web = plan.web or WebApiClient(client)
    for change in plan.user_workspaces:
        if change.entry.failure is None:
            attempt(change.entry, "user", functools.partial(change.apply, web, pacer.wait))
    for entry in plan.groups:
        outcome = entry.outcome
        if outcome.write and outcome.action != "delete":
            missing = [uid for uid in outcome.members_added
                       if uid.startswith("new:") and created.get(uid, uid).startswith("new:")]
            if missing:
                plan.record_failure(entry, "group", "not written: the users it adds, %s, were not created (see their "
                                    "failures)" % ", ".join(uid[len("new:"):] for uid in missing))
                continue
            _settle_members(entry, created)
            if not outcome.write:
                continue
            pacer.wait(max(1, math.ceil((len(outcome.members_added) + len(outcome.members_removed))
                                        / float(MEMBER_BATCH))))
            attempt(entry, "group", functools.partial(apply_group, client, outcome, substitute=created))
    for change in plan.group_connections:
        if change.entry.failure is None:
            attempt(change.entry, "group", functools.partial(change.apply, web, pacer.wait))
    for entry in plan.group_deletions():
        pacer.wait()
        attempt(entry, "group", functools.partial(apply_group, client, entry.outcome))
    for entry in plan.deactivations():
        pacer.wait()
        attempt(entry, "user", functools.partial(apply_user, client, entry.spec, entry.outcome))
    return plan.failures


def maybe_applied(exc):
    """Whether a failed write may have changed something: its answer was lost, Slack applied part of it (some
    channels of a group), or an earlier call of the same change was applied."""
    return isinstance(exc, PartialConnectionsError) or bool(getattr(exc, "outcome_unknown", False)) or \
        bool(getattr(exc, "applied", False))


def _found_instead(plan, entry):
    """A user the listing lacked, that Slack had all along (the create met email_taken, or 409): the entry found
    it and converged it; it was not created."""
    entry.transition = {None: None, "reactivate": "reactivate"}.get(entry.outcome.action, "update")
    entry._where = entry.user_id  # pylint: disable=protected-access
    plan.warnings.append("%s: user %s (%s) was missing from the listing, but Slack has it: found, not created. A "
                         "listing that leaves out existing users is incomplete; if this repeats, check api_url and any "
                         "proxy in between" % (entry.label, entry.name, entry.user_id))


def _settle_members(entry, created):
    """Plan a group update's members against what the user writes found: a new user (a placeholder) that turned
    out to be an account the group already has is neither added nor, under ``members.set``, removed."""
    outcome, write = entry.outcome, entry.outcome.write
    if write.kind != "update" or not created:
        return
    current = set(member_ids(entry.current))
    add = [created.get(uid, uid) for uid in write.add]
    found = set(add) & current
    if not found:
        return
    add = [uid for uid in add if uid not in current]
    remove = [uid for uid in write.remove if uid not in found] if entry.spec.set is not None else list(write.remove)
    outcome.members_added, outcome.members_removed = sorted(add), sorted(remove)
    if add or remove or write.rename is not None:
        outcome.write = write._replace(add=add, remove=remove)
    else:
        outcome.action = outcome.write = None


USER_COUNTS = {"create": "created", "update": "updated", "reactivate": "reactivated", "deactivate": "deactivated"}
GROUP_COUNTS = {"create": "created", "update": "updated", "delete": "deleted"}


def report(plan):
    """(summary, changes, diff) in the shape slack_scim_sync returns; failed writes count as failed only.

    ``diff`` is a list with one {before_header, after_header, before, after} per changed resource.
    """
    summary = {"users": dict.fromkeys(("created", "updated", "deactivated", "reactivated", "unchanged", "failed",
                                       "to_guest", "to_member", "workspaces_added", "workspaces_removed"), 0),
               "groups": dict.fromkeys(("created", "updated", "deleted", "unchanged", "failed", "members_added",
                                        "members_removed", "workspaces_connected", "channels_added",
                                        "channels_removed"), 0)}
    changes, diff = [], []
    for entry in plan.users:
        outcome = entry.outcome
        if not _counted(summary["users"], entry, entry.transition, USER_COUNTS):
            continue
        if "guest" in outcome.changed_attributes and entry.transition != "create":
            summary["users"]["to_guest" if outcome.after.get("guest") else "to_member"] += 1
        changes.append({"resource": "user", "id": entry.user_id, "name": (outcome.user or {}).get("userName") or
                        entry.name, "action": entry.transition, "attributes": sorted(outcome.changed_attributes)})
        diff.append(_diff(entry.headers, outcome))
    for change in plan.user_workspaces:
        if change.entry.failure is None:
            summary["users"]["workspaces_added"] += len(change.plan.add)
            summary["users"]["workspaces_removed"] += len(change.plan.remove)
    connections = {id(change.entry): change for change in plan.group_connections}
    for entry in plan.groups:
        outcome = entry.outcome
        if not _counted(summary["groups"], entry, outcome.action, GROUP_COUNTS):
            continue
        connection = connections.get(id(entry))
        if connection is not None:
            summary["groups"]["workspaces_connected"] += len(connection.plan.connect)
            summary["groups"]["channels_added"] += len(connection.plan.channels_added)
            summary["groups"]["channels_removed"] += len(connection.plan.remove_channels)
        summary["groups"]["members_added"] += len(outcome.members_added)
        summary["groups"]["members_removed"] += len(outcome.members_removed)
        attributes = []
        if outcome.after and outcome.before.get("display_name") not in (None, outcome.after.get("display_name")):
            attributes.append("display_name")
        if outcome.members_added or outcome.members_removed:
            attributes.append("members")
        if connection is not None:
            attributes.extend(connection.attributes)
        changes.append({"resource": "group", "id": entry.group_id, "name": entry.name, "action": outcome.action,
                        "attributes": attributes})
        diff.append(_diff(entry.headers, outcome))
    return summary, changes, diff


def _counted(counts, entry, action, names):
    """Count an entry under ``failed``, ``unchanged`` or the name of its action; whether it changed."""
    key = "failed" if entry.failure is not None else "unchanged" if action is None else names[action]
    counts[key] += 1
    return key == names.get(action)


def _diff(headers, outcome):
    return {"before_header": headers[0], "after_header": headers[1], "before": outcome.before,
            "after": outcome.after}


def token_user(client):
    """The id of the token's own user, or ``None`` when Slack will not say."""
    try:
        return client.auth_test().get("user_id")
    except ScimError:
        return None
