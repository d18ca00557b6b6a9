# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Users and groups found without requests: by id, user name or any email; by id or display name.

Internal to scim.slack; the API may change.  No Ansible imports.  The items are trusted to have an
``id``: whoever reads them from Slack checks that first.
"""

from __future__ import annotations

from ansible_collections.scim.slack.plugins.module_utils._user_plan import find_by_reference
from ansible_collections.scim.slack.plugins.module_utils._user_values import normalise_user_name


def normal_key(text, normal):
    """``normal(text)``, as the very string ``text`` when that is already normal (one string fewer to keep
    for each of 10,000 users)."""
    key = normal(text)
    return text if key == text else key


class UserIndex:
    """Users found by id, user name (as Slack normalises it) or any of their emails; a later user wins."""

    def __init__(self, users=()):
        self.users = []
        self._ids, self._names, self._emails = {}, {}, {}
        for user in users:
            self.add(user)

    def add(self, user):
        self.users.append(user)
        self._ids[user["id"]] = user
        if user.get("userName"):
            self._names[normal_key(user["userName"], normalise_user_name)] = user
        for email in user.get("emails") or []:
            if isinstance(email, dict) and email.get("value"):
                self._emails[normal_key(str(email["value"]), str.lower)] = user

    def by_id(self, user_id):
        return self._ids.get(user_id)

    def by_user_name(self, user_name):
        return self._names.get(normalise_user_name(user_name))

    def by_email(self, email):
        return self._emails.get(email.lower())

    def by_reference(self, entry):
        """The user a member reference (ID, email or user name, by shape) names, or None."""
        return find_by_reference(self, entry)


class GroupIndex:
    """Groups found by id or display name (ignoring case)."""

    def __init__(self, groups=()):
        self.groups = list(groups)
        self._ids = {group["id"]: group for group in self.groups}
        self._names = {(group.get("displayName") or "").casefold(): group for group in self.groups}

    def by_id(self, group_id):
        return self._ids.get(group_id)

    def by_display_name(self, display_name):
        return self._names.get(display_name.casefold())

    def by_reference(self, entry):
        """The group a purge_exclude_groups entry names: its ID, else its display name (any case)."""
        return self.by_id(entry) or self.by_display_name(entry)
