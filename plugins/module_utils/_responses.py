# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the SDK-shaped clients return: Slack's answer (``status_code``, ``headers``, ``body``,
``raw_body``, ``snake_cased_body``) and, by method, the ``users``/``groups`` of a page or the
``user``/``group`` written or read, as models.

Internal to scim.slack; the API may change (the names are public through ``scim_client.py``).
Only successful answers become responses: a failure raises ``ScimError``.
"""

from __future__ import annotations

import re

from ansible_collections.scim.slack.plugins.module_utils._models import Group, User

_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake_case(key):
    """``totalResults`` -> ``total_results``; ``Resources`` -> ``resources``."""
    return _WORD_START.sub("_", key).lower()


def snake_cased(value):
    """A JSON value with every object key snake_cased, at any depth."""
    if isinstance(value, dict):
        return {snake_case(key) if isinstance(key, str) else key: snake_cased(item) for key, item in value.items()}
    if isinstance(value, list):
        return [snake_cased(item) for item in value]
    return value


class SCIMResponse:
    """One successful answer: ``body`` is the parsed JSON (``None`` when Slack sent none)."""

    def __init__(self, *, url, status_code, headers, raw_body, body):
        self.url = url
        self.status_code = status_code
        self.headers = headers
        self.raw_body = raw_body
        self.body = body
        self._snake_cased_body = None

    @classmethod
    def from_response(cls, response):
        """The same answer as another class of response (``SearchUsersResponse.from_response(r)``)."""
        return cls(url=response.url, status_code=response.status_code, headers=response.headers,
                   raw_body=response.raw_body, body=response.body)

    @property
    def snake_cased_body(self):
        if self._snake_cased_body is None and self.body is not None:
            self._snake_cased_body = snake_cased(self.body)
        return self._snake_cased_body

    def __repr__(self):
        return "%s(status_code=%r, url=%r)" % (type(self).__name__, self.status_code, self.url)


class _Page(SCIMResponse):
    """A page of a listing; ``total_results`` counts the whole listing, not the page."""

    def _field(self, key):
        return self.body.get(key) if isinstance(self.body, dict) else None

    def _resources(self, model):
        return [model.from_dict(item) for item in self._field("Resources") or []]

    @property
    def total_results(self):
        return self._field("totalResults")

    @property
    def start_index(self):
        return self._field("startIndex")

    @property
    def items_per_page(self):
        return self._field("itemsPerPage")


class _OneUser(SCIMResponse):
    @property
    def user(self):
        """The user Slack answered with, or ``None`` when it sent no body."""
        return User.from_dict(self.body) if isinstance(self.body, dict) else None


class _OneGroup(SCIMResponse):
    @property
    def group(self):
        """The group Slack answered with, or ``None`` when it sent no body (v1 answers a group PATCH with 204)."""
        return Group.from_dict(self.body) if isinstance(self.body, dict) else None


class SearchUsersResponse(_Page):
    @property
    def users(self):
        return self._resources(User)


class SearchGroupsResponse(_Page):
    @property
    def groups(self):
        return self._resources(Group)


class ReadUserResponse(_OneUser):
    pass


class UserCreateResponse(_OneUser):
    pass


class UserPatchResponse(_OneUser):
    pass


class UserUpdateResponse(_OneUser):
    pass


class UserDeleteResponse(SCIMResponse):
    pass


class ReadGroupResponse(_OneGroup):
    pass


class GroupCreateResponse(_OneGroup):
    pass


class GroupPatchResponse(_OneGroup):
    pass


class GroupUpdateResponse(_OneGroup):
    pass


class GroupDeleteResponse(SCIMResponse):
    pass
