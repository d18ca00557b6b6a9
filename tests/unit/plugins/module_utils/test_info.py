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


# -- Enterprise Grid: workspaces and channels (Web API) ---------------------------------------

WEB = "https://scim.test/api/"
TEAMS = {"ok": True, "response_metadata": {"next_cursor": ""}, "teams": [
    {"id": "T0ENG00001", "name": "Engineering", "team_url": "https://acme-eng.slack.com/"},
    {"id": "T0SAL00001", "name": "Sales", "team_url": "https://acme-sales.slack.com/"}]}


def search_answer(*channels, cursor=""):
    return {"ok": True, "next_cursor": cursor, "conversations": [dict(id=c, name=n) for c, n in channels]}


@pytest.mark.parametrize("options, expected", [
    ({}, ["T0ENG00001", "T0SAL00001"]),
    ({"name": "engineering"}, ["T0ENG00001"]),
    ({"name": "ACME-SALES"}, ["T0SAL00001"]),
    ({"id": "T0SAL00001"}, ["T0SAL00001"]),
    ({"id": "T0NOTHERE1"}, []),
])
def test_workspaces_come_from_one_listing_with_their_domain(mocked, make_client, options, expected):
    mocked.get(WEB + "admin.teams.list", json=TEAMS)
    found, total = query("workspaces", **options).run(make_client())
    assert [team["id"] for team in found] == expected and total == len(expected)
    assert len(mocked.calls) == 1
    if not options:
        assert found[0] == {"id": "T0ENG00001", "name": "Engineering", "domain": "acme-eng"}


def test_workspace_limit_cuts_the_result_but_counts_every_match(mocked, make_client):
    mocked.get(WEB + "admin.teams.list", json=TEAMS)
    found, total = query("workspaces", limit=1).run(make_client())
    assert len(found) == 1 and total == 2


def test_a_channel_name_is_searched_and_kept_only_when_it_is_exact(mocked, make_client):
    mocked.get(WEB + "admin.conversations.search",
               json=search_answer(("C1", "eng"), ("C2", "eng-deploys"), ("C3", "ENG")))
    found, total = query("channels", name="#eng").run(make_client())
    assert [channel["id"] for channel in found] == ["C1", "C3"] and total == 2
    assert query_of(mocked.calls[0])["query"] == "eng"


def test_a_channel_search_in_a_workspace_by_name_sends_its_id(mocked, make_client):
    mocked.get(WEB + "admin.teams.list", json=TEAMS)
    mocked.get(WEB + "admin.conversations.search", json=search_answer(("C1", "deals")))
    found, dummy = query("channels", query="dea", workspace="Sales", private=False).run(make_client())
    assert [channel["id"] for channel in found] == ["C1"]
    sent = query_of(mocked.calls[1])
    assert (sent["query"], sent["team_ids"], sent["search_channel_types"]) == ("dea", "T0SAL00001", "public")


def test_a_channel_search_stops_at_the_limit(mocked, make_client):
    mocked.get(WEB + "admin.conversations.search", json=search_answer(("C1", "a"), ("C2", "b"), cursor="next"))
    found, total = query("channels", limit=2).run(make_client())
    assert [channel["id"] for channel in found] == ["C1", "C2"] and total == 2 and len(mocked.calls) == 1


def test_an_unknown_workspace_fails_naming_the_close_matches(mocked, make_client):
    mocked.get(WEB + "admin.teams.list", json=TEAMS)
    with pytest.raises(QueryError, match=r"workspace 'Enginering' is not a workspace of this organization; "
                                         r"close matches: Engineering \(T0ENG00001\)"):
        query("channels", workspace="Enginering").run(make_client())
    assert len(mocked.calls) == 1


@pytest.mark.parametrize("resource, options, message", [
    ("workspaces", {"query": "x"}, "query cannot be used with resource workspaces"),
    ("channels", {"id": "C0000001"}, "id cannot be used with resource channels"),
    ("users", {"workspace": "Sales"}, "workspace cannot be used with resource users"),
    ("workspaces", {"id": "W0000001"}, "id 'W0000001' is not a Slack workspace ID"),
    ("channels", {"private": "yes"}, "private must be true or false"),
])
def test_grid_queries_take_only_their_options(resource, options, message):
    with pytest.raises(QueryError, match=message):
        query(resource, **options)


def test_grid_gives_users_their_workspaces_from_one_listing(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", json=page([person("W1", "carly"), person("W2", "dan", active=False)]))
    mocked.get(WEB + "admin.users.list", json={"ok": True, "users": [{"id": "W1", "workspaces": ["T0ENG00001"]}],
                                               "response_metadata": {"next_cursor": ""}})
    found, dummy = query(grid=True).run(make_client())
    assert [(user["id"], user["workspaces"]) for user in found] == [("W1", ["T0ENG00001"]), ("W2", None)]
    assert len(mocked.calls) == 2


def test_grid_gives_groups_their_workspaces_and_default_channels(mocked, make_client):
    mocked.get(BASE % "v2" + "Groups", json=page([{"id": "S1", "displayName": "eng"}]))
    mocked.get(WEB + "admin.teams.list", json=TEAMS)
    mocked.get(WEB + "usergroups.list", json={"ok": True, "usergroups": [{"id": "S1"}, {"id": "S9"}]})
    mocked.get(WEB + "usergroups.list", json={"ok": True, "usergroups": []})
    mocked.get(WEB + "admin.usergroups.listChannels",
               json={"ok": True, "channels": [{"id": "C1", "name": "eng", "team_id": "T0ENG00001"}]})
    found, dummy = query("groups", grid=True).run(make_client())
    assert found[0]["workspaces"] == ["T0ENG00001"]
    assert found[0]["channels"] == [{"id": "C1", "name": "eng", "workspace": "T0ENG00001"}]
    assert [query_of(call).get("team_id") for call in mocked.calls[2:4]] == ["T0ENG00001", "T0SAL00001"]


def test_grid_false_is_no_option_and_costs_nothing(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", json=page([person("W1", "carly")]))
    found, dummy = query(grid=False).run(make_client())
    assert "workspaces" not in found[0] and len(mocked.calls) == 1
