# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Finding users and groups, the one protocol the planners use: from one listing, without requests
(``UserIndex``, ``GroupIndex``), with one request each (``ClientFinder``, for the single-resource modules), or
from what is known first and then with a request each (``RememberingFinder``, for group members).

Users are found ``by_id``, ``by_user_name`` (as Slack normalises it), ``by_email`` (ignoring case, as Slack
does) or ``by_reference`` (any of the three, by shape); groups ``group_by_id`` or ``group_by_display_name``
(ignoring case).

Internal to scim.slack; the API may change.  No Ansible imports.  Listed items are trusted to have an
``id``: whoever reads them from Slack checks that first (the client does, for every answer).
"""

from __future__ import annotations

from ansible_collections.scim.slack.plugins.module_utils._user_values import (
    folded,
    normalise_user_name,
    reference_keys,
)

# The finder method for each kind of reading ``reference_keys`` gives.
FIND_BY = {"id": "by_id", "email": "by_email", "user_name": "by_user_name"}


def find_by_reference(finder, entry):
    """The user an ID, email or user name names, through ``finder``'s by_id/by_email/by_user_name, or None.

    An ID-shaped entry is tried as an ID, then as a user name (see reference_keys).
    """
    for kind, value in reference_keys(entry):
        user = getattr(finder, FIND_BY[kind])(value)
        if user is not None:
            return user
    return None


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
        for email in user.get("emails") or []:  # a list of objects: the client checks every user it answers
            if email.get("value"):
                self._emails[normal_key(str(email["value"]), folded)] = user

    def by_id(self, user_id):
        return self._ids.get(user_id)

    def by_user_name(self, user_name):
        return self._names.get(normalise_user_name(user_name))

    def by_email(self, email):
        return self._emails.get(folded(email))

    def by_reference(self, entry):
        """The user a member reference (ID, email or user name, by shape) names, or None."""
        return find_by_reference(self, entry)


class GroupIndex:
    """Groups found by id or display name (ignoring case)."""

    def __init__(self, groups=()):
        self.groups = list(groups)
        self._ids = {group["id"]: group for group in self.groups}
        self._names = {folded(group.get("displayName") or ""): group for group in self.groups}

    def group_by_id(self, group_id):
        return self._ids.get(group_id)

    def group_by_display_name(self, display_name):
        return self._names.get(folded(display_name))

    def group_by_reference(self, entry):
        """The group a purge_exclude_groups entry names: its ID, else its display name (any case)."""
        return self.group_by_id(entry) or self.group_by_display_name(entry)


class ClientFinder:
    """Finds users and groups with one request each (the single-resource modules)."""

    def __init__(self, client):
        self.client = client

    def by_id(self, user_id):
        return self.client.get_user(user_id)

    def by_user_name(self, user_name):
        return self.client.find_user_by_user_name(user_name)

    def by_email(self, email):
        return self.client.find_user_by_email(email)

    def by_reference(self, entry):
        return find_by_reference(self, entry)

    def group_by_id(self, group_id):
        return self.client.get_group(group_id)

    def group_by_display_name(self, display_name):
        return self.client.find_group_by_display_name(display_name)


class RememberingFinder:
    """Users found in ``index`` first; a reading it lacks is asked of Slack (``ClientFinder``) once, and the user
    Slack answers joins the index.  Once ``complete`` (the index holds every user), nothing more is asked."""

    def __init__(self, client, index):
        self.index = index
        self.slack = ClientFinder(client)
        self.complete = False
        self.asked = set()  # readings already asked of Slack, found or not

    def by_id(self, user_id):
        return self._find("id", user_id)

    def by_user_name(self, user_name):
        return self._find("user_name", user_name)

    def by_email(self, email):
        return self._find("email", email)

    def by_reference(self, entry):
        return find_by_reference(self, entry)

    def _find(self, kind, value):
        user = getattr(self.index, FIND_BY[kind])(value)
        if user is None and not self.complete and (kind, value) not in self.asked:
            self.asked.add((kind, value))
            user = getattr(self.slack, FIND_BY[kind])(value)
            if user is not None:
                self.index.add(user)
        return user
