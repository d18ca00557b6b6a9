# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync's user listing, read once and kept lean: the entries planned as it arrives.

Internal to scim.slack; the API may change.  No Ansible imports.
"""

from __future__ import annotations

import itertools
import marshal
import zlib

from ansible_collections.scim.slack.plugins.module_utils._finders import UserIndex, normal_key
from ansible_collections.scim.slack.plugins.module_utils._outcome import Outcome
from ansible_collections.scim.slack.plugins.module_utils._user_plan import plan_found_user
from ansible_collections.scim.slack.plugins.module_utils._user_spec import UserSpecError
from ansible_collections.scim.slack.plugins.module_utils._user_values import folded, normalise_user_name

# What purges, group members and reports read of a user; a user kept beyond its planning keeps these.
SLIM_KEYS = ("id", "userName", "displayName", "active", "emails", "userType")

# The outcome of an entry the plan leaves alone, without warnings: shared by such entries, never written to.
UNCHANGED = Outcome(None, None)


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


class WholeUsers:
    """find_user's finder over a lean listing: the users it finds, whole."""

    def __init__(self, users):
        self.users = users

    def by_id(self, user_id):
        return self.users.whole(self.users.by_id(user_id))

    def by_user_name(self, user_name):
        return self.users.whole(self.users.by_user_name(user_name))

    def by_email(self, email):
        return self.users.whole(self.users.by_email(email))


class _NeedsDirectory(Exception):
    """Planning an entry looks up another user: the entry waits for the whole listing."""


class _WhileListing:
    """The finder of an entry planned as the listing brings its user: any lookup waits for the whole listing."""

    def _wait(self, *args):
        raise _NeedsDirectory()

    by_id = by_user_name = by_email = by_reference = _wait


def plan_as_listed(client, user_specs):
    """List the users, planning the user entries that can be planned as their user comes: ``(users, early)``,
    the listing kept lean (``ListedUsers``) and {position: (current, outcome)} of the entries planned; the
    same plans as over a whole listing.

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
            by_email.setdefault(normal_key(spec.email, folded), []).append(position)
    users = ListedUsers()
    early, later = {}, set()
    while_listing = _WhileListing()
    for user in client.iter_users():
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
            emails = (folded(e["value"]) for e in user.get("emails") or [] if e.get("value"))
            keep = any(position not in early and position not in later
                       for email in emails for position in by_email.get(email, ()))
        if keep:
            users.keep(user)
    return users, early
