# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_finders.py: users and groups found from a listing, with a request each, or from what is known first."""

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._finders import (
    ClientFinder,
    GroupIndex,
    RememberingFinder,
    UserIndex,
)

CARLY = {"id": "W00000001", "userName": "carly", "emails": [{"value": "Carly@Example.com"}]}
SERVICE = {"id": "W00000002", "userName": "wsvcaccount", "emails": [{"value": "straße@example.com"}]}


@pytest.mark.parametrize("reference, found", [
    ("W00000001", CARLY), ("carly", CARLY), ("Carly", CARLY), ("CARLY@EXAMPLE.COM", CARLY),
    ("carly@example.com", CARLY),
    # An ID-shaped entry that is nobody's ID is a user name next (Slack lower-cases user names).
    ("WSVCACCOUNT", SERVICE),
    # Slack compares emails ignoring case: the case-folded form, so "ß" and "SS" are one.
    ("STRASSE@example.com", SERVICE),
    ("W00000009", None), ("nobody@example.com", None),
])
def test_a_reference_is_found_by_its_shape_as_slack_compares(reference, found):
    assert UserIndex([CARLY, SERVICE]).by_reference(reference) == found


def test_groups_are_found_by_id_or_by_display_name_in_any_case():
    groups = GroupIndex([{"id": "S00000001", "displayName": "Eng"}, {"id": "S00000002", "displayName": "Straße"}])
    assert groups.group_by_reference("S00000001")["displayName"] == "Eng"
    assert groups.group_by_reference("ENG")["id"] == "S00000001"
    assert groups.group_by_display_name("STRASSE")["id"] == "S00000002"
    assert groups.group_by_reference("Ops") is None


class CountingClient:
    """Answers user lookups from ``users``; counts what is asked."""

    def __init__(self, users):
        self.users = users
        self.asked = []

    def get_user(self, user_id):
        self.asked.append(("id", user_id))
        return next((user for user in self.users if user["id"] == user_id), None)

    def find_user_by_user_name(self, user_name):
        self.asked.append(("user_name", user_name))
        return next((user for user in self.users if user["userName"] == user_name), None)

    def find_user_by_email(self, email):
        self.asked.append(("email", email))
        return next((user for user in self.users for e in user["emails"] if e["value"].casefold() == email), None)


def test_the_client_finder_asks_slack_every_time():
    client = CountingClient([CARLY])
    finder = ClientFinder(client)
    assert finder.by_reference("carly") == CARLY and finder.by_reference("carly") == CARLY
    assert client.asked == [("user_name", "carly"), ("user_name", "carly")]


def test_a_remembering_finder_asks_each_reading_once_and_keeps_what_slack_answers():
    client = CountingClient([CARLY, SERVICE])
    index = UserIndex()
    finder = RememberingFinder(client, index)
    assert finder.by_reference("carly") == CARLY
    # Carly is known now, by every reading: no request for her email or her ID.
    assert finder.by_reference("carly@example.com") == CARLY and finder.by_reference("W00000001") == CARLY
    assert finder.by_reference("ghost") is None and finder.by_reference("Ghost") is None
    # An ID-shaped reference: its ID first, then its user name, each asked once.
    assert finder.by_reference("WSVCACCOUNT") == SERVICE
    assert client.asked == [("user_name", "carly"), ("user_name", "ghost"), ("id", "WSVCACCOUNT"),
                            ("user_name", "wsvcaccount")]
    assert index.by_id("W00000002") == SERVICE


def test_a_complete_index_asks_slack_nothing():
    client = CountingClient([CARLY])
    finder = RememberingFinder(client, UserIndex())
    finder.complete = True
    assert finder.by_reference("carly") is None and client.asked == []
