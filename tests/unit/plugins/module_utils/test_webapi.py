# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
import responses

from ansible_collections.scim.slack.plugins.module_utils._errors import IncompleteListingError, ScimError
from ansible_collections.scim.slack.plugins.module_utils._retry import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from ansible_collections.scim.slack.plugins.module_utils._webapi import (
    WebApiClient,
    WebApiError,
    workspace_domain,
)

from ansible_collections.scim.slack.tests.unit.scim_test_utils import TOKEN, NoJitter, query_of

WEB = "https://scim.test/api/"


@pytest.fixture
def web(make_client):
    return WebApiClient(make_client(retry_handlers=[ConnectionErrorRetryHandler(),
                                                    RateLimitErrorRetryHandler(max_retry_count=2, jitter=NoJitter())]))


def test_a_write_is_a_post_beside_the_scim_url_with_the_token_and_comma_lists(mocked, web):
    mocked.post(WEB + "admin.users.assign", json={"ok": True})
    assert web.assign_user("T1", "W1", guest=True, channel_ids=["C1", "C2"]) is True
    request = mocked.calls[0].request
    assert request.method == "POST" and request.url.startswith(WEB + "admin.users.assign?")
    assert request.headers["Authorization"] == "Bearer " + TOKEN
    assert query_of(mocked.calls[0]) == {"team_id": "T1", "user_id": "W1", "is_restricted": "true",
                                         "channel_ids": "C1,C2"}


def test_slacks_own_scim_host_puts_the_web_api_on_slack_com_and_reads_are_gets(mocked, make_client):
    empty = {"ok": True, "teams": [], "response_metadata": {"next_cursor": ""}}
    mocked.get("https://slack.com/api/admin.teams.list", json=empty)
    assert WebApiClient(make_client(base_url="https://api.slack.com/scim/v2/")).teams() == []
    assert mocked.calls[0].request.method == "GET"


def test_a_read_is_sent_again_after_a_server_error_and_a_write_is_not(mocked, make_client):
    web = WebApiClient(make_client(retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)]))
    mocked.get(WEB + "admin.usergroups.listChannels", status=503)
    mocked.get(WEB + "admin.usergroups.listChannels", json={"ok": True, "channels": [{"id": "C1"}]})
    assert web.group_channels("S1") == [{"id": "C1"}]
    mocked.post(WEB + "admin.usergroups.addTeams", status=503)
    with pytest.raises(ScimError, match="HTTP 503"):
        web.connect_group("S1", ["T1"])
    assert [call.request.method for call in mocked.calls] == ["GET", "GET", "POST"]


def test_an_assign_repeat_is_no_change_and_other_errors_raise_keyed_on_slacks_string(mocked, web):
    mocked.post(WEB + "admin.users.assign", json={"ok": False, "error": "user_already_team_member"})
    assert web.assign_user("T1", "W1") is False
    mocked.replace(responses.POST, WEB + "admin.users.assign", json={"ok": False, "error": "user_is_bot"})
    with pytest.raises(WebApiError) as caught:
        web.assign_user("T1", "B1")
    assert caught.value.error == "user_is_bot" and caught.value.status is None
    assert "admin.users.assign failed: user_is_bot" in str(caught.value) and "Bots cannot" in str(caught.value)


def test_a_missing_scope_names_the_scope_needed_and_the_ones_provided(mocked, web):
    mocked.post(WEB + "admin.users.remove", json={"ok": False, "error": "missing_scope", "needed": "admin.users:write",
                                                  "provided": "admin.teams:read,admin.users:read"})
    with pytest.raises(WebApiError) as caught:
        web.remove_user("T1", "W1")
    error = caught.value
    assert error.is_missing_scope and error.needed == "admin.users:write"
    assert "lacks the scope admin.users:write (it has admin.teams:read,admin.users:read)" in str(error)
    assert error.to_dict()["needed"] == "admin.users:write"
    assert len(mocked.calls) == 1  # a refusal is not retried


def test_partial_success_names_the_refused_channels(mocked, web):
    mocked.post(WEB + "admin.usergroups.addChannels",
                json={"ok": False, "error": "channel_not_found", "invalid_channels": ["C9"]})
    with pytest.raises(WebApiError) as caught:
        web.add_group_channels("S1", ["C1", "C9"], team_id="T1")
    assert caught.value.invalid == ["C9"] and "for C9 (the others were applied)" in str(caught.value)


def test_channels_go_100_a_call(mocked, web):
    mocked.post(WEB + "admin.usergroups.removeChannels", json={"ok": True})
    web.remove_group_channels("S1", ["C%03d" % n for n in range(250)])
    sizes = [len(query_of(call)["channel_ids"].split(",")) for call in mocked.calls]
    assert sizes == [100, 100, 50]


def test_a_429_waits_retry_after_and_is_sent_again(mocked, web, sleeps):
    mocked.post(WEB + "admin.users.remove", status=429, headers={"Retry-After": "7"},
                json={"ok": False, "error": "ratelimited"})
    mocked.post(WEB + "admin.users.remove", json={"ok": True})
    web.remove_user("T1", "W1")
    assert len(mocked.calls) == 2 and sleeps == [7.0]


def test_a_429_past_the_budget_says_rate_limited(mocked, web, sleeps):
    for dummy in range(3):
        mocked.post(WEB + "admin.users.remove", status=429, headers={"Retry-After": "1"},
                    json={"ok": False, "error": "ratelimited"})
    with pytest.raises(Exception) as caught:
        web.remove_user("T1", "W1")
    assert len(mocked.calls) == 3 and caught.value.error == "ratelimited"
    assert "Slack rate-limited the request and the retry budget ran out" in str(caught.value)


def _teams_page(ids, cursor):
    return {"ok": True, "teams": [{"id": team_id, "name": team_id, "team_url": "https://%s.slack.com/" % team_id}
                                  for team_id in ids], "response_metadata": {"next_cursor": cursor}}


def test_paging_follows_next_cursor_until_it_is_empty(mocked, web):
    mocked.get(WEB + "admin.teams.list", json=_teams_page(["T1", "T2"], "c2"))
    mocked.get(WEB + "admin.teams.list", json=_teams_page(["T3"], ""))
    assert [team["id"] for team in web.teams()] == ["T1", "T2", "T3"]
    assert [query_of(call).get("cursor") for call in mocked.calls] == [None, "c2"]
    assert query_of(mocked.calls[0])["limit"] == "1000"


@pytest.mark.parametrize("second, reason", [
    (_teams_page(["T3"], "c2"), "handed out the cursor 'c2' again"),
    (_teams_page(["T1", "T2"], "c3"), "handed out the cursor"),
    ({"ok": True, "teams": [{"id": "T3"}]}, "has no next_cursor"),
    ({"ok": True, "teams": [{"name": "no id"}], "response_metadata": {"next_cursor": ""}}, "no list of teams"),
])
def test_a_listing_that_cannot_be_shown_complete_raises(mocked, web, second, reason):
    mocked.get(WEB + "admin.teams.list", json=_teams_page(["T1", "T2"], "c2"))
    mocked.get(WEB + "admin.teams.list", json=second)
    with pytest.raises(IncompleteListingError) as caught:
        web.teams()
    assert reason in str(caught.value)


def test_org_users_lists_the_org_once_without_team_id(mocked, web):
    users = [{"id": "W1", "workspaces": ["T1", "T2"]}, {"id": "W2"}]
    mocked.get(WEB + "admin.users.list", json={"ok": True, "users": users, "response_metadata": {"next_cursor": ""}})
    assert web.org_users() == {"W1": {"id": "W1", "workspaces": ["T1", "T2"]}, "W2": {"id": "W2"}}
    assert query_of(mocked.calls[0]) == {"limit": "100", "is_active": "true"}


def test_channel_search_reads_the_top_level_cursor(mocked, web):
    mocked.get(WEB + "admin.conversations.search", json={"ok": True, "conversations": [{"id": "C1"}],
                                                         "next_cursor": "n2"})
    mocked.get(WEB + "admin.conversations.search", json={"ok": True, "conversations": [{"id": "C2"}],
                                                         "next_cursor": ""})
    found = web.search_channels(query="eng", team_ids=["T1", "T2"], channel_types=["public"])
    assert [channel["id"] for channel in found] == ["C1", "C2"]
    assert query_of(mocked.calls[0]) == {"limit": "20", "query": "eng", "team_ids": "T1,T2",
                                         "search_channel_types": "public"}


def test_group_workspaces_asks_usergroups_list_per_workspace(mocked, web):
    mocked.get(WEB + "usergroups.list", json={"ok": True, "usergroups": [{"id": "S1"}]})
    mocked.get(WEB + "usergroups.list", json={"ok": True, "usergroups": [{"id": "S2"}]})
    assert web.group_workspaces("S1", ["T1", "T2"]) == ["T1"]
    assert [query_of(call)["team_id"] for call in mocked.calls] == ["T1", "T2"]


def test_an_answer_without_ok_is_no_web_api_answer(mocked, web):
    mocked.get(WEB + "admin.teams.list", json={"teams": []})
    with pytest.raises(WebApiError, match="no Web API answer"):
        web.teams()


def test_a_token_echoed_in_an_error_is_redacted(mocked, web):
    mocked.post(WEB + "admin.users.remove", json={"ok": False, "error": "invalid_auth",
                                                  "response_metadata": {"messages": ["token " + TOKEN]}})
    with pytest.raises(WebApiError) as caught:
        web.remove_user("T1", "W1")
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value.to_dict())


@pytest.mark.parametrize("url, domain", [
    ("https://acme-eng.slack.com/", "acme-eng"),
    ("https://acme-eng.enterprise.slack.com/", "acme-eng"),
    ("https://acme.slack-gov.com/", "acme"),
    ("", None),
])
def test_the_domain_comes_from_team_url(url, domain):
    assert workspace_domain({"team_url": url}) == domain


def test_the_scopes_slack_names_refuse_a_write_before_it_is_sent(mocked, web):
    teams = {"ok": True, "teams": [], "response_metadata": {"next_cursor": ""}}
    mocked.get(WEB + "admin.teams.list", json=teams, headers={"X-OAuth-Scopes": "admin.teams:read, admin.users:read"})
    web.teams()
    web.require_scopes([])
    with pytest.raises(WebApiError) as caught:
        web.require_scopes(["admin.users.assign", "admin.users.remove", "admin.usergroups.addTeams"])
    error = caught.value
    assert error.is_missing_scope and error.needed == "admin.teams:write,admin.users:write"
    assert error.provided == "admin.teams:read,admin.users:read" and error.request_sent is False
    assert str(error).startswith("the token lacks the scopes admin.teams:write, admin.users:write, which "
                                 "admin.usergroups.addTeams, admin.users.assign, admin.users.remove need;")
    assert len(mocked.calls) == 1


def test_scopes_are_checked_only_against_what_slack_named(mocked, web):
    web.require_scopes(["admin.users.assign"])
    teams = {"ok": True, "teams": [], "response_metadata": {"next_cursor": ""}}
    mocked.get(WEB + "admin.teams.list", json=teams, headers={"X-OAuth-Scopes": "admin.teams:read,admin.users:write"})
    web.teams()
    web.require_scopes(["admin.users.assign", "admin.users.remove", "admin.teams.list"])
    assert web.scopes == {"admin.teams:read", "admin.users:write"}
