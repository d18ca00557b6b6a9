# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync's writes: the plan sent in order, paced, each entry failing alone under continue_on_error;
the users it creates take the place of their placeholders in the groups' members.

Internal to scim.slack; the API may change.  No Ansible imports.
"""

from __future__ import annotations

import functools
import math
import time

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._group import (
    GroupSpecError,
    MEMBER_BATCH,
    apply_group,
    member_ids,
)
from ansible_collections.scim.slack.plugins.module_utils._group_connections import PartialConnectionsError
from ansible_collections.scim.slack.plugins.module_utils._sync_listing import SLIM_KEYS
from ansible_collections.scim.slack.plugins.module_utils._sync_plan import PLACEHOLDER
from ansible_collections.scim.slack.plugins.module_utils._user_plan import apply_user
from ansible_collections.scim.slack.plugins.module_utils._user_spec import UserSpecError
from ansible_collections.scim.slack.plugins.module_utils._webapi import WebApiClient

# What every placeholder starts with.
NEW = PLACEHOLDER % ""


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
            missing = [uid for uid in outcome.members_added if created.get(uid, uid).startswith(NEW)]
            if missing:
                plan.record_failure(entry, "group", "not written: the users it adds, %s, were not created (see their "
                                    "failures)" % ", ".join(uid[len(NEW):] for uid in missing))
                continue
            _settle_members(entry, created)
            if not outcome.write:
                continue
            _with_created_ids(outcome, created)
            pacer.wait(max(1, math.ceil((len(outcome.members_added) + len(outcome.members_removed))
                                        / float(MEMBER_BATCH))))
            attempt(entry, "group", functools.partial(apply_group, client, outcome))
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


def _with_created_ids(outcome, created):
    """A group's write, members added and diff with the users this task created under their IDs, in place of
    their placeholders (``created``: placeholder -> ID)."""
    if not created:
        return outcome

    def swap(ids):
        return [created.get(uid, uid) for uid in ids]

    write = outcome.write
    if write.kind == "create":
        members = [{"value": uid} for uid in swap(member["value"] for member in write.body["members"])]
        outcome.write = write._replace(body=dict(write.body, members=members), add=swap(write.add))
    else:
        outcome.write = write._replace(add=swap(write.add))
    outcome.members_added = sorted(swap(outcome.members_added))
    outcome.after = dict(outcome.after, members=sorted(_swap_label(label, created)
                                                       for label in outcome.after.get("members") or []))
    return outcome


def _swap_label(label, created):
    uid, _sep, rest = label.partition(" ")
    return " ".join(part for part in (created.get(uid, uid), rest) if part)
