# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a successful answer must look like (_answers.py)."""

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, page, user


def test_a_listed_item_without_id_is_named(mocked, make_client):
    ghost = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "meta": {"created": "2026-11-27T09:16:09+00:00", "location": "x" * 100},
             "userName": "ghost"}
    mocked.get(BASE % "v2" + "Users", json=page([user("U1", "a"), ghost], 2))
    with pytest.raises(ScimError, match=r"the page lists an item without an id \(item 2, userName 'ghost'\): "):
        list(make_client().iter_users())


def test_a_listed_group_without_id_is_named_by_display_name(mocked, make_client):
    mocked.get(BASE % "v1" + "Groups", json=page([{"displayName": "Eng", "members": []}], 1))
    with pytest.raises(ScimError, match=r"item 1, displayName 'Eng'\): \{"):
        list(make_client("v1").iter_groups())


# -- a string where a list belongs (issue 23.5) ----------------------------------------------------------------


@pytest.mark.parametrize("value, what", [("carly@example.com", "a str"), (["carly@example.com"], "a list with a str in it"),
                                         ({"value": "carly@example.com"}, "a dict")])
def test_a_listed_user_with_malformed_emails_fails_naming_it(mocked, make_client, value, what):
    malformed = dict(user("U2", "carly"), emails=value)
    mocked.get(BASE % "v2" + "Users", json=page([user("U1", "a"), malformed]))
    with pytest.raises(ScimError) as caught:
        list(make_client().iter_users())
    assert "GET /Users succeeded, but Slack answered a malformed user (item 2, userName 'carly'): emails is %s, " \
           "not a list of objects" % what in str(caught.value)


def test_a_read_user_with_a_string_for_phone_numbers_fails_naming_it(mocked, make_client):
    mocked.get(BASE % "v1" + "Users/U1", json=dict(user("U1", "a"), phoneNumbers="+1 555 0100"))
    with pytest.raises(ScimError, match=r"malformed user \(user U1, userName 'a'\): phoneNumbers is a str"):
        make_client("v1").read_user("U1")


def test_a_malformed_user_in_a_write_answer_says_the_write_was_applied(mocked, make_client):
    mocked.patch(BASE % "v2" + "Users/U1", json=dict(user("U1", "a"), emails="a@example.com"))
    with pytest.raises(ScimError, match="emails is a str, not a list of objects; the write was applied, but its "
                                        "answer cannot be used"):
        make_client().patch_user("U1", {"title": "CTO"})
