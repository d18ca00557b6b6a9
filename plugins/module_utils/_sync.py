# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Converge a whole directory: read everything once, plan in memory, write only the differences.

Internal to scim.slack; the API may change.  The per-resource decisions are the ones of
slack_scim_user and slack_scim_group (plan_user, plan_group): only how users and groups are
found differs (an index of one listing instead of one request each).
"""

from __future__ import annotations

import math
import time

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._group import (
    GroupSpec,
    GroupSpecError,
    MEMBER_BATCH,
    apply_group,
    find_group,
    member_key,
    member_keys,
    plan_group,
)
from ansible_collections.scim.slack.plugins.module_utils._user import (
    UserSpec,
    UserSpecError,
    apply_user,
    normalise_user_name,
    plan_user,
    primary_email,
)

BOT_EMAIL_DOMAINS = ("slack-bots.com",)


class SyncError(ValueError):
    """The plan cannot be carried out; nothing was written.  ``plan`` holds what it would do."""

    def __init__(self, message, plan=None):
        super().__init__(message)
        self.plan = plan


class UserIndex:
    """Every user of one listing, found by id, user name or any email, without requests."""

    def __init__(self, users):
        self.users = list(users)
        self._ids, self._names, self._emails = {}, {}, {}
        for user in self.users:
            self.add(user)

    def add(self, user):
        self._ids[user["id"]] = user
        if user.get("userName"):
            self._names[normalise_user_name(user["userName"])] = user
        for email in user.get("emails") or []:
            if isinstance(email, dict) and email.get("value"):
                self._emails[email["value"].lower()] = user

    def by_id(self, user_id):
        return self._ids.get(user_id)

    def by_user_name(self, user_name):
        return self._names.get(normalise_user_name(user_name))

    def by_email(self, email):
        return self._emails.get(email.lower())

    def by_reference(self, entry):
        """The user a member reference (ID, email or user name, by shape) names, or None."""
        finders = {"id": self.by_id, "email": self.by_email, "user_name": self.by_user_name}
        for kind, value in member_keys(entry):
            user = finders[kind](value)
            if user is not None:
                return user
        return None


class GroupIndex:
    def __init__(self, groups):
        self.groups = list(groups)
        self._ids = {group["id"]: group for group in self.groups}
        self._names = {(group.get("displayName") or "").casefold(): group for group in self.groups}

    def by_id(self, group_id):
        return self._ids.get(group_id)

    def by_display_name(self, display_name):
        return self._names.get(display_name.casefold())


class IndexResolver:
    """Member references resolved from the listing, and from users this task is about to create."""

    def __init__(self, index, pending):
        self.index = index
        self.pending = pending  # member key -> placeholder user for a user to be created

    def resolve(self, entries, validate_ids=()):
        result = {}
        for entry in entries:
            result[entry] = self.index.by_reference(entry) or self.pending.get(member_key(entry))
        return result


class Pacer:
    """At most ``per_minute`` writes a minute, evenly spaced, for the whole task."""

    def __init__(self, per_minute, clock=time.monotonic, sleep=time.sleep):
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.clock, self.sleep = clock, sleep
        self.next_slot = None
        self.writes = 0

    def wait(self, writes=1):
        now = self.clock()
        if self.next_slot is not None and now < self.next_slot:
            self.sleep(self.next_slot - now)
            now = self.next_slot
        self.next_slot = now + self.interval * writes
        self.writes += writes


class Plan:
    def __init__(self):
        self.users = []        # (position, spec, outcome)
        self.groups = []       # (position, spec, outcome)
        self.purged_users = []
        self.purged_groups = []
        self.warnings = []

    def user_outcomes(self):
        return [outcome for _pos, _spec, outcome in self.users] + [o for _spec, o in self.purged_users]

    def deactivations(self):
        return [o for o in self.user_outcomes() if o.action == "deactivate"]

    def group_deletions(self):
        return [o for _pos, _spec, o in self.groups if o.action == "delete"] + \
            [o for _spec, o in self.purged_groups]


def _user_name_of(outcome, spec=None):
    user = outcome.user or {}
    return user.get("userName") or (spec.user_name if spec else None)


def check_duplicates(specs):
    """Fail when two entries declare one user (same user name, ignoring case, or same primary email)."""
    seen, problems = {}, []
    for position, spec in specs:
        for kind, value in (("user_name", spec.user_name), ("email", (spec.email or "").lower() or None),
                            ("id", spec.id)):
            if value is None:
                continue
            if (kind, value) in seen:
                problems.append("users[%d] and users[%d] both declare %s %r" % (seen[(kind, value)], position,
                                                                                kind, value))
            else:
                seen[(kind, value)] = position
    if problems:
        raise SyncError("duplicate user entries: %s" % "; ".join(problems))


def build_plan(client, params, token_user_id=None):
    """Read the directory once and decide every write.  Raises SyncError/UserSpecError/GroupSpecError."""
    plan = Plan()
    dialect = client.dialect
    user_specs = []
    for position, entry in enumerate(params.get("users") or []):
        try:
            user_specs.append((position, UserSpec(entry, dialect)))
        except UserSpecError as exc:
            raise SyncError("users[%d]: %s" % (position, exc))
    group_specs = []
    for position, entry in enumerate(params.get("groups") or []):
        try:
            group_specs.append((position, GroupSpec(entry)))
        except GroupSpecError as exc:
            raise SyncError("groups[%d]: %s" % (position, exc))
    check_duplicates(user_specs)

    users = UserIndex(client.iter_users())
    groups = GroupIndex(client.iter_groups())

    declared_ids, pending = set(), {}
    for position, spec in user_specs:
        try:
            outcome = plan_user(users, spec)
        except UserSpecError as exc:
            raise SyncError("users[%d]: %s" % (position, exc))
        plan.users.append((position, spec, outcome))
        plan.warnings.extend("users[%d]: %s" % (position, w) for w in outcome.warnings)
        if outcome.user and outcome.user.get("id"):
            declared_ids.add(outcome.user["id"])
        elif outcome.action == "create":
            placeholder = {"id": "new:%s" % spec.user_name, "active": True, "userName": spec.user_name}
            pending[("user_name", spec.user_name)] = placeholder
            pending[("email", spec.email.lower())] = placeholder

    if params.get("purge_users"):
        plan.purged_users = _purge_users(users, declared_ids, params.get("purge_exclude") or [], token_user_id)

    resolver = IndexResolver(users, pending)
    declared_groups = set()
    for position, spec in group_specs:
        try:
            outcome = plan_group(groups, resolver, spec)
        except GroupSpecError as exc:
            raise SyncError("groups[%d]: %s" % (position, exc))
        plan.groups.append((position, spec, outcome))
        plan.warnings.extend("groups[%d]: %s" % (position, w) for w in outcome.warnings)
        found = find_group(groups, spec)
        if found:
            declared_groups.add(found["id"])
    if params.get("purge_groups"):
        excluded = {name.casefold() for name in params.get("purge_exclude_groups") or []}
        for group in groups.groups:
            if group["id"] in declared_groups or group["id"] in excluded or \
                    (group.get("displayName") or "").casefold() in excluded:
                continue
            spec = GroupSpec({"id": group["id"], "state": "absent"})
            plan.purged_groups.append((spec, plan_group(groups, resolver, spec, group, looked_up=True)))
    _check_limits(plan, params)
    return plan


def _purge_users(users, declared_ids, exclude, token_user_id):
    excluded = set()
    for entry in exclude:
        user = users.by_reference(entry)
        if user:
            excluded.add(user["id"])
    purged = []
    for user in users.users:
        if not user.get("active") or user["id"] in declared_ids or user["id"] in excluded:
            continue
        if user["id"] == token_user_id or _is_bot(user):
            continue
        spec = UserSpec({"id": user["id"], "state": "absent"}, None)
        purged.append((spec, plan_user(users, spec, user, looked_up=True)))
    return purged


def _is_bot(user):
    email = (primary_email(user) or "").lower()
    return email.rsplit("@", 1)[-1] in BOT_EMAIL_DOMAINS or str(user.get("userType") or "").lower() == "bot"


def _check_limits(plan, params):
    deactivations = plan.deactivations()
    limit = params.get("max_deactivations")
    if limit is not None and len(deactivations) > limit:
        names = ", ".join("%s (%s)" % (o.user.get("userName"), o.user.get("id")) for o in deactivations[:50])
        raise SyncError("the plan deactivates %d users, more than max_deactivations=%d; nothing was changed. "
                        "Planned: %s%s" % (len(deactivations), limit, names,
                                           " ..." if len(deactivations) > 50 else ""), plan)
    deletions = plan.group_deletions()
    limit = params.get("max_group_deletions") or 0
    if len(deletions) > limit:
        names = ", ".join("%s (%s)" % (o.before.get("display_name"), o.write[1]) for o in deletions[:50])
        raise SyncError("the plan deletes %d groups, more than max_group_deletions=%d; nothing was changed. "
                        "Planned: %s" % (len(deletions), limit, names), plan)


def execute(client, plan, pacer, continue_on_error=False):
    """Send the writes of a plan: users first, then groups, then deactivations and deletions last."""
    failed = []
    created_ids = {}

    def attempt(resource, name, action):
        try:
            action()
            return True
        except (ScimError, UserSpecError, GroupSpecError) as exc:
            if not continue_on_error:
                raise
            failed.append({"resource": resource, "name": name, "msg": str(exc)})
            return False

    for dummy, spec, outcome in plan.users:
        if outcome.write and outcome.action != "deactivate":
            pacer.wait()
            if attempt("user", spec.user_name or spec.id or spec.email, lambda: apply_user(client, spec, outcome)):
                if outcome.action == "create" and outcome.user.get("id"):
                    created_ids["new:%s" % spec.user_name] = outcome.user["id"]
    for dummy, spec, outcome in plan.groups:
        if outcome.write and outcome.action != "delete":
            pacer.wait(max(1, math.ceil((len(outcome.members_added) + len(outcome.members_removed))
                                        / float(MEMBER_BATCH))))
            attempt("group", spec.display_name or spec.id,
                    lambda: apply_group(client, outcome, substitute=created_ids))
    for dummy, spec, outcome in plan.groups:
        if outcome.action == "delete":
            pacer.wait()
            attempt("group", spec.display_name or spec.id, lambda: apply_group(client, outcome))
    for dummy, outcome in plan.purged_groups:
        pacer.wait()
        attempt("group", outcome.before.get("display_name"), lambda: apply_group(client, outcome))
    for outcome in plan.deactivations():
        pacer.wait()
        attempt("user", outcome.user.get("userName"), lambda: apply_user(client, None, outcome))
    return failed


def report(plan, failed_names=()):
    """(summary, changes, diff) in the shape slack_scim_sync returns."""
    summary = {"users": dict.fromkeys(("created", "updated", "deactivated", "reactivated", "unchanged"), 0),
               "groups": dict.fromkeys(("created", "updated", "deleted", "unchanged", "members_added",
                                        "members_removed"), 0)}
    changes, before, after = [], {"users": {}, "groups": {}}, {"users": {}, "groups": {}}
    user_actions = {"create": "created", "update": "updated", "replace": "updated", "reactivate": "reactivated",
                    "deactivate": "deactivated"}
    for outcome in plan.user_outcomes():
        if outcome.action is None:
            summary["users"]["unchanged"] += 1
            continue
        name = (outcome.user or {}).get("userName")
        if name in failed_names:
            continue
        summary["users"][user_actions[outcome.action]] += 1
        action = {"replace": "update"}.get(outcome.action, outcome.action)
        changes.append({"resource": "user", "id": (outcome.user or {}).get("id"), "name": name, "action": action,
                        "attributes": sorted(outcome.changed_attributes)})
        before["users"][name], after["users"][name] = outcome.before, outcome.after
    group_outcomes = [(spec, o) for _pos, spec, o in plan.groups] + list(plan.purged_groups)
    for spec, outcome in group_outcomes:
        if outcome.action is None:
            summary["groups"]["unchanged"] += 1
            continue
        name = spec.display_name or outcome.before.get("display_name") or spec.id
        if name in failed_names:
            continue
        summary["groups"][{"create": "created", "update": "updated", "delete": "deleted"}[outcome.action]] += 1
        summary["groups"]["members_added"] += len(outcome.members_added)
        summary["groups"]["members_removed"] += len(outcome.members_removed)
        attributes = []
        if outcome.before.get("display_name") not in (None, outcome.after.get("display_name")) and outcome.after:
            attributes.append("display_name")
        if outcome.members_added or outcome.members_removed:
            attributes.append("members")
        group_id = (outcome.group or {}).get("id") or (outcome.write[1] if outcome.action == "delete" else None)
        changes.append({"resource": "group", "id": group_id, "name": name, "action": outcome.action,
                        "attributes": attributes})
        before["groups"][name], after["groups"][name] = outcome.before, outcome.after
    return summary, changes, {"before": before, "after": after}


def token_user(client):
    """The id of the token's own user, or ``None`` when Slack will not say."""
    try:
        return client.auth_test().get("user_id")
    except ScimError:
        return None
