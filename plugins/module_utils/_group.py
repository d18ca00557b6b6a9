# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Desired state of one Slack IdP group: member resolution, the membership difference, the writes.

Internal to scim.slack; the API may change.  No Ansible imports.
"""

from __future__ import annotations

import copy
import math
import re

from ansible_collections.scim.slack.plugins.module_utils._client import MAX_PAGE_SIZE
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._finders import ClientFinder, RememberingFinder, UserIndex
from ansible_collections.scim.slack.plugins.module_utils._outcome import Outcome, Write
from ansible_collections.scim.slack.plugins.module_utils._user_values import is_user_id, reference_keys

SLACK_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
MEMBER_BATCH = 5000
RECOMMENDED_MAX_MEMBERS = 15000
# What the real run does with a member check mode shows as to be resolved, by lookup_failure_action.
IF_STILL_MISSING = {"fail": "fails", "warn": "skips them with a warning", "ignore": "skips them"}


class GroupSpecError(ValueError):
    """Invalid input or an impossible change; the message names the option and the value."""


class GroupSpec:
    """A group as declared: ``params`` are validated by group_argument_spec (defaults applied)."""

    def __init__(self, params):
        self.state = params["state"]
        self.id = params["id"]
        self.display_name = params["display_name"]
        self.lookup_failure_action = params["lookup_failure_action"]
        members = params["members"] or {}
        self.add = list(members.get("add") or [])
        self.remove = list(members.get("remove") or [])
        self.set = members.get("set")
        self._validate()

    def _validate(self):
        if self.id is not None and not SLACK_GROUP_ID.match(self.id):
            raise GroupSpecError("id %r is not a Slack group ID (S followed by capital letters and digits)" % self.id)
        if self.display_name is not None and not self.display_name.strip():
            raise GroupSpecError("display_name must not be empty")
        if self.set is not None and (self.add or self.remove):
            raise GroupSpecError("members.set cannot be combined with members.add or members.remove")
        for option, entries in (("members.add", self.add), ("members.remove", self.remove),
                                ("members.set", self.set or [])):
            if any(not entry.strip() for entry in entries):
                raise GroupSpecError("%s has an empty entry" % option)
        overlap = sorted({reference_keys(e)[0] for e in self.add} & {reference_keys(e)[0] for e in self.remove})
        if overlap:
            raise GroupSpecError("members.add and members.remove both name %s" % ", ".join(v for _k, v in overlap))

    @classmethod
    def deletion(cls, group_id):
        """The spec of deleting the group ``group_id`` (a group slack_scim_sync's purge removes)."""
        return cls({"state": "absent", "id": group_id, "display_name": None, "members": None,
                    "lookup_failure_action": "fail"})

    def entries(self):
        return list(self.set or []) + self.add + self.remove


class MemberResolver:
    """Turns member references into users, with as few requests as the mix allows.

    ``index`` holds the users known; without a ``client`` it is the whole directory (slack_scim_sync's
    listing, as the user writes leave it) and nothing is fetched.  With a client, IDs cost nothing unless they
    must be validated (to be added); user names and emails cost one filtered search each, unless there are
    more of them than the pages of one full listing, which is then read once.  Everything fetched is kept
    for the task (a ``RememberingFinder``).
    """

    def __init__(self, client=None, index=None):
        self.client = client
        self.index = index if index is not None else UserIndex()
        self.finder = RememberingFinder(client, self.index) if client is not None else None

    def resolve(self, entries, validate_ids=()):
        """{entry: user or None} for ``entries``.  With a client, IDs not in ``validate_ids`` are taken on trust
        (a stub user) when not known; an ID-shaped entry that is no user's ID is tried as a user name next."""
        if self.client is None:
            return {entry: self.index.by_reference(entry) for entry in entries}
        pending = [entry for entry in dict.fromkeys(entries)
                   if self._wants_lookup(entry, validate_ids) and self.index.by_reference(entry) is None]
        if len(pending) > 2 and not self.finder.complete:
            total = (self.client.search_users(start_index=1, count=1) or {}).get("totalResults") or 0
            if len(pending) > math.ceil(total / float(MAX_PAGE_SIZE)):
                self._list_everything()
        for entry in pending:
            self.finder.by_reference(entry)
        result = {}
        for entry in entries:
            if self._wants_lookup(entry, validate_ids):
                result[entry] = self.index.by_reference(entry)
            else:
                result[entry] = self.index.by_id(entry) or {"id": entry, "active": True}
        return result

    def _list_everything(self):
        for user in self.client.iter_users(count=MAX_PAGE_SIZE):
            self.index.add(user)
        self.finder.complete = True

    @staticmethod
    def _wants_lookup(entry, validate_ids):
        return not is_user_id(entry) or entry in validate_ids


def member_ids(group):
    return [m.get("value") for m in (group or {}).get("members") or [] if isinstance(m, dict) and m.get("value")]


def _view(display_name, members, names, pending=()):
    """The user-facing diff of a group: its name, and its members as ``U... (user name)``, sorted."""
    labels = ["%s (%s)" % (uid, names[uid]) if names.get(uid) else uid for uid in members]
    labels.extend("%s (to be resolved)" % entry for entry in pending)
    return {"display_name": display_name, "members": sorted(labels)}


def _member_names(current, resolved, index=None):
    """{user id: user name} for a diff: of resolved users, and of current members the ``index`` knows.

    Always the user name, never Slack's member ``display`` (a display name): a member's label must not
    change between runs as it is resolved in one and not in the other.  A member whose user name is not
    known without another request is shown by ID alone."""
    names = {}
    for uid in member_ids(current):
        user = index.by_id(uid) if index is not None else None
        if user and user.get("userName"):
            names[uid] = user["userName"]
    names.update({user["id"]: user.get("userName") for user in resolved.values()
                  if user and user.get("id") and user.get("userName")})
    return names


def find_group(finder, spec):
    if spec.id:
        return finder.group_by_id(spec.id)
    return finder.group_by_display_name(spec.display_name)


def plan_members(spec, current_ids, resolver, check_mode=False):
    """(ids to add, ids to remove, warnings, resolved, pending); raises GroupSpecError when lookups fail
    under ``fail``.

    In check mode an entry to add that names nobody yet is ``pending``, whatever ``lookup_failure_action``
    says: an earlier task of the same check run would have created that user, and the real run adds it.
    Should it still be missing, the real run fails on it (``fail``) or skips it (``warn``, ``ignore``).
    """
    current = set(current_ids)
    to_add_refs = list(spec.set) if spec.set is not None else spec.add
    # IDs to add are checked to exist.  An ID-shaped entry to remove that is no current member is looked
    # up only when it has no digit, the one case where it may well be a user name (WSVCACCOUNT).
    validate = [e for e in to_add_refs if is_user_id(e) and e not in current]
    validate += [e for e in spec.remove if is_user_id(e) and e not in current and not re.search(r"[0-9]", e)]
    resolved = resolver.resolve(spec.entries(), validate_ids=validate)
    problems, pending = [], []

    def usable(entry, adding):
        user = resolved.get(entry)
        if user is None and check_mode and adding:
            pending.append(entry)
            return None
        if user is None:
            problems.append("%s (no such user)" % entry)
            return None
        if adding and user.get("active") is False:
            problems.append("%s (%s is deactivated)" % (entry, user["id"]))
            return None
        return user["id"]

    wanted_by = _ids_by_entry(to_add_refs, lambda entry: usable(entry, True))
    unwanted_by = _ids_by_entry(spec.remove, lambda entry: usable(entry, False))
    wanted, unwanted = set(wanted_by), set(unwanted_by)
    both = sorted(wanted & unwanted)
    if both:
        raise GroupSpecError("members.add and members.remove name the same user: %s; nothing was changed" % "; ".join(
            "%s and %s are both %s" % (wanted_by[uid][0], unwanted_by[uid][0], uid) for uid in both))
    # Under warn and ignore a pending entry may still be missing in the real run, which then removes nobody.
    unresolved = [e for e in to_add_refs if resolved.get(e) is None and
                  (e not in pending or spec.lookup_failure_action != "fail")]
    warnings = []
    if pending:
        warnings.append("check mode: %s named no user yet; shown as to be resolved (an earlier task of this run "
                        "may create them). The real run %s if they are still missing"
                        % (", ".join(pending), IF_STILL_MISSING[spec.lookup_failure_action]))
    if problems:
        message = "members that cannot be group members: %s" % ", ".join(problems)
        if spec.lookup_failure_action == "fail":
            raise GroupSpecError(message + "; nothing was changed (set lookup_failure_action to warn or ignore "
                                           "to skip them)")
        if spec.lookup_failure_action == "warn":
            warnings.append(message + "; skipped")
    if spec.set is not None:
        add = [uid for uid in wanted if uid not in current]
        remove = [uid for uid in current_ids if uid not in wanted]
        if unresolved and remove:
            # A reference that did not resolve may be one of the current members (a short listing, a
            # typo): under warn or ignore, the plan removes nobody rather than somebody it cannot rule out.
            warnings.append("members.set: %d current member(s) not removed because %s could not be resolved"
                            % (len(remove), ", ".join(unresolved)))
            remove = []
    else:
        add = [uid for uid in wanted if uid not in current]
        remove = [uid for uid in current_ids if uid in unwanted]
    return sorted(add), sorted(remove), warnings, resolved, pending


def _ids_by_entry(entries, user_id):
    """{user id: [entries naming it]} for the entries that resolve to a usable user."""
    ids = {}
    for entry in entries:
        uid = user_id(entry)
        if uid:
            ids.setdefault(uid, []).append(entry)
    return ids


def converge_group(client, spec, check_mode=False):
    """Plan one group from one read (plus member resolution), then send the writes it needs."""
    finder = ClientFinder(client)
    outcome = plan_group(finder, MemberResolver(client), spec, find_group(finder, spec), check_mode=check_mode)
    return outcome if check_mode else apply_group(client, outcome)


def plan_group(finder, resolver, spec, current, check_mode=False):
    """Decide what bringing the group ``current`` (``find_group``'s answer, None if there is none) to ``spec``
    takes, from the current state only.  ``finder`` finds other groups (a rename's name holder)."""
    if spec.state == "absent":
        if current is None:
            return Outcome(None, None)
        return Outcome("delete", None, before=_view(current.get("displayName"), member_ids(current),
                                                    _member_names(current, {})), after={},
                       write=Write("delete", id=current["id"]))
    if current is None and spec.id:
        raise GroupSpecError("no group has id %s; omit id to create a group named by display_name" % spec.id)
    current_ids = member_ids(current)
    add, remove, warnings, resolved, pending = plan_members(spec, current_ids, resolver, check_mode)
    names = _member_names(current, resolved, getattr(resolver, "index", None))
    if current is None:
        if not spec.display_name:
            raise GroupSpecError("display_name is required to create a group")
        body = {"displayName": spec.display_name, "members": [{"value": uid} for uid in add[:MEMBER_BATCH]]}
        predicted = _predict({"id": None, "displayName": spec.display_name, "members": []}, None, add, resolved)
        return Outcome("create", predicted, {}, _view(spec.display_name, add, names, pending), warnings=warnings,
                       write=Write("create", body=body, add=add[MEMBER_BATCH:]), members_added=add)
    rename = spec.display_name if spec.display_name is not None and \
        spec.display_name != current.get("displayName") else None
    if rename is None and not add and not remove and not pending:
        return Outcome(None, current, warnings=warnings)
    if rename is not None:
        holder = finder.group_by_display_name(rename)
        if holder is not None and holder.get("id") != current.get("id"):
            raise GroupSpecError("display_name %r is already the name of group %s; Slack keeps group names unique"
                                 % (rename, holder.get("id")))
    final_ids = [uid for uid in current_ids if uid not in set(remove)] + add
    if len(final_ids) > RECOMMENDED_MAX_MEMBERS:
        warnings.append("group %s would have %d members; Slack recommends at most %d for an IdP group"
                        % (current["id"], len(final_ids), RECOMMENDED_MAX_MEMBERS))
    return Outcome("update", _predict(current, rename, final_ids, resolved),
                   _view(current.get("displayName"), current_ids, names),
                   _view(rename or current.get("displayName"), final_ids, names, pending), warnings=warnings,
                   write=Write("update", id=current["id"], add=add, remove=remove, rename=rename),
                   members_added=add, members_removed=remove)


def apply_group(client, outcome):
    """Send the writes of a plan."""
    write = outcome.write
    if write is None:
        return outcome
    if write.kind == "delete":
        _delete_group(client, write.id)
    elif write.kind == "create":
        created = _create_group(client, write.body)
        if write.add:
            client.update_group_members(created["id"], add=write.add, batch_size=MEMBER_BATCH)
            created = dict(outcome.group, id=created["id"], meta=created.get("meta"))
        outcome.group = created
    else:
        both = sorted(set(write.add) & set(write.remove))
        if both:
            # A server applies a PatchOp in order: the remove would undo the add (RFC 7644 3.5.2).
            raise ScimError("refusing to send PATCH /Groups/%s: it would add and remove the same members, %s"
                            % (write.id, ", ".join(both)), request_sent=False)
        answered = client.update_group_members(write.id, add=write.add, remove=write.remove,
                                               display_name=write.rename, batch_size=MEMBER_BATCH)
        outcome.group = answered or outcome.group  # v1 answers 204: the predicted group saves a read
    return outcome


def verbose_notes(module, client):
    """The client's notes (the member removal form it fell back to) as warnings, when the task runs at -vvvv:
    a server in front of Slack that takes only RFC 7644's form is worth knowing about, not worth a warning always."""
    if getattr(module, "_verbosity", 0) >= 4:
        while client.notes:  # said once: a client the action plugin shares serves later tasks too
            module.warn(client.notes.pop(0))


def _delete_group(client, group_id):
    """DELETE a group; a 404 means it is gone already (a retry after a lost answer meets one)."""
    try:
        client.delete_group(group_id)
    except ScimError as exc:
        if not exc.is_not_found:
            raise


def _create_group(client, body):
    """POST a group.  When the answer is lost, look for it before a second POST: the first may have applied."""
    try:
        return client.create_group(body)
    except ScimError as exc:
        if exc.status is not None or not exc.request_sent:
            raise
        existing = client.find_group_by_display_name(body["displayName"])
        if existing is None:
            return client.create_group(body)
    wanted = {m["value"] for m in body.get("members") or []}
    missing = sorted(wanted - set(member_ids(existing)))
    if missing:
        existing = client.update_group_members(existing["id"], add=missing, batch_size=MEMBER_BATCH) or \
            dict(existing, members=(existing.get("members") or []) + [{"value": uid} for uid in missing])
    return existing


def _predict(current, rename, final_ids, resolved):
    group = copy.deepcopy(current)
    if rename is not None:
        group["displayName"] = rename
    known = {m.get("value"): m for m in current.get("members") or [] if isinstance(m, dict)}
    users = {user["id"]: user for user in resolved.values() if user and user.get("id")}
    members = []
    for uid in final_ids:
        member = dict(known.get(uid) or {"value": uid})
        user = users.get(uid)
        if "display" not in member and user and (user.get("displayName") or user.get("userName")):
            member["display"] = user.get("displayName") or user.get("userName")
        members.append(member)
    group["members"] = members
    return group
