# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_info.py: the one filter a query sends, the checks made on the client, the export and expanded members."""

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._dialect import get_dialect
from ansible_collections.scim.slack.plugins.module_utils._info import (
    InfoQuery,
    QueryError,
    expand_members,
    export_directory,
)

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, page, query_of

URL = BASE % "v1"


def person(uid, name, active=True, email=None):
    return {"id": uid, "userName": name, "active": active,
            "emails": [{"value": email or "%s@example.com" % name, "primary": True}]}


def query(resource="users", **options):
    return InfoQuery(resource, options)


@pytest.mark.parametrize("options, v1, v2", [
    ({"filter": 'title co "x"', "user_name": "carly"}, 'title co "x"', 'title co "x"'),
    ({"user_name": "carly", "email": "c@example.com"}, 'userName eq "carly"', 'userName eq "carly"'),
    ({"email": "c@example.com"}, 'email eq "c@example.com"', 'emails eq "c@example.com"'),
    ({"active": True}, None, None),
])
def test_at_most_one_filter_goes_to_slack(options, v1, v2):
    assert query(**options).server_filter(get_dialect("v1")) == v1
    assert query(**options).server_filter(get_dialect("v2")) == v2


def test_the_other_conditions_are_checked_on_the_client():
    wanted = query(user_name="Carly", email="CARLY@example.com", active=True)
    wanted.dialect = get_dialect("v2")
    assert wanted.matches(person("W1", "carly"))
    assert not wanted.matches(person("W1", "carly", active=False))
    assert not wanted.matches(person("W1", "carly", email="other@example.com"))


@pytest.mark.parametrize("resource, options, message", [
    ("groups", {"user_name": "carly"}, "user_name cannot be used with resource groups"),
    ("users", {"expand_members": True}, "expand_members cannot be used with resource users"),
    ("service_provider_config", {"id": "W0000001"}, "id cannot be used with resource service_provider_config"),
    ("users", {"id": "S0001"}, "id 'S0001' is not a Slack user ID"),
    ("users", {"count": 0}, "count must be between 1 and 1000, got 0"),
    ("users", {"limit": 0}, "limit must be 1 or more, got 0"),
    ("users", {"email": " "}, "email must be a non-empty string"),
])
def test_impossible_queries_fail_naming_the_option(resource, options, message):
    with pytest.raises(QueryError, match=message):
        query(resource, **options)


def test_a_client_side_condition_counts_what_it_kept(mocked, make_client):
    mocked.get(URL + "Users", json=page([person("W1", "a"), person("W2", "b", active=False)], total=2))
    found, total = query(active=False).run(make_client("v1"))
    assert [user["id"] for user in found] == ["W2"] and total == 1
    assert "filter" not in query_of(mocked.calls[0])


def test_the_export_is_sync_input_without_bots_or_deactivated_users(mocked, make_client):
    users = [person("W2", "dan"), person("W1", "carly"), person("W3", "gone", active=False),
             person("B1", "botty", email="botty@slack-bots.com")]
    mocked.get(URL + "Users", json=page(users))
    mocked.get(URL + "Groups", json=page([{"id": "S1", "displayName": "eng", "members": [
        {"value": "W2"}, {"value": "W1"}, {"value": "W3"}]}, {"id": "S2", "displayName": "Admins", "members": []}]))
    directory = export_directory(make_client("v1"))
    assert [user["user_name"] for user in directory["users"]] == ["carly", "dan"]
    assert directory["users"][0]["email"] == "carly@example.com"
    assert directory["groups"] == [{"display_name": "Admins", "members": {"set": []}},
                                   {"display_name": "eng", "members": {"set": ["carly", "dan", "gone"]}}]


def test_expanded_members_come_from_one_listing(mocked, make_client):
    mocked.get(URL + "Users", json=page([person("W1", "carly")]))
    groups = [{"id": "S1", "members": [{"value": "W1"}, {"value": "W9"}]}, {"id": "S2", "members": []}]
    expand_members(make_client("v1"), groups)
    assert groups[0]["members"][0]["user"]["userName"] == "carly" and groups[0]["members"][1]["user"] is None
    assert len(mocked.calls) == 1
