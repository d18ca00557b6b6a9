# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's Enterprise Grid Web API (webapi.py): answers, errors, cursors, tiers, scopes."""

from __future__ import annotations

import pytest
import requests

from conftest import TOKEN

TEAMS = [{"id": "T0ENG00001", "name": "Engineering", "domain": "acme-eng"},
         {"id": "T0SAL00001", "name": "Sales", "domain": "acme-sales"}]
CHANNELS = [
    {"id": "C0ENG00001", "name": "eng-general", "team_ids": ["T0ENG00001"]},
    {"id": "C0ENG00002", "name": "eng-secret", "team_ids": ["T0ENG00001"], "is_private": True},
    {"id": "C0SAL00001", "name": "sales-deals", "team_ids": ["T0SAL00001"]},
    {"id": "C0ORG00001", "name": "announcements", "team_ids": [], "is_org_default": True},
    {"id": "C0OLD00001", "name": "eng-old", "team_ids": ["T0ENG00001"], "is_archived": True},
]


class Web:
    """Web API calls against one emulator, the way Slack's SDKs send them."""

    def __init__(self, base):
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer " + TOKEN

    def call(self, method, **args):
        return self.session.post("%s/api/%s" % (self.base, method), data=args, timeout=10)

    def answer(self, method, ok, **args):
        """The body of an HTTP 200 answer whose ``ok`` is ``ok``."""
        response = self.call(method, **args)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["ok"] is ok, body
        return body

    def ok(self, method, **args):
        return self.answer(method, True, **args)

    def error(self, method, **args):
        return self.answer(method, False, **args)


@pytest.fixture
def web(emulator, v2):
    v2.control("POST", "grid", {"teams": TEAMS, "channels": CHANNELS})
    return Web(emulator.url)


def test_teams_list_pages_with_cursors_until_an_empty_cursor(web, v2):
    v2.control("POST", "grid", {"teams": [{"id": "T0X%07d" % n, "name": "team %d" % n} for n in range(5)]})
    seen, cursor, calls = [], None, 0
    while True:
        body = web.ok("admin.teams.list", limit=3, **({"cursor": cursor} if cursor else {}))
        calls += 1
        seen.extend(team["id"] for team in body["teams"])
        cursor = body["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert calls == 3 and len(seen) == 7 == len(set(seen))
    first = web.ok("admin.teams.list")["teams"][0]
    assert first["team_url"] == "https://acme-eng.slack.com/" and first["name"] == "Engineering"
    assert web.error("admin.teams.list", cursor="bm90IGEgY3Vyc29y!")["error"] == "invalid_cursor"
    assert web.error("admin.teams.list", limit=1001)["error"] == "invalid_limit"


def test_assign_list_remove_and_the_repeat_errors(web, v2):
    carly = v2.create_user("carly")
    assert web.ok("admin.users.assign", team_id="T0ENG00001", user_id=carly["id"], channel_ids="C0ENG00001")
    repeat = web.error("admin.users.assign", team_id="T0ENG00001", user_id=carly["id"])
    assert repeat["error"] == "user_already_team_member"
    org = web.ok("admin.users.list")["users"]
    assert [(u["id"], u["workspaces"]) for u in org] == [(carly["id"], ["T0ENG00001"])]
    in_team = web.ok("admin.users.list", team_id="T0ENG00001")["users"]
    assert [u["id"] for u in in_team] == [carly["id"]] and "workspaces" not in in_team[0]
    assert web.ok("admin.users.list", team_id="T0SAL00001")["users"] == []
    web.ok("admin.users.remove", team_id="T0ENG00001", user_id=carly["id"])
    again = web.error("admin.users.remove", team_id="T0ENG00001", user_id=carly["id"])
    assert again["error"] == "failed_to_remove_user_from_workspace"
    assert v2.control("GET", "grid")["workspaces"] == {}


def test_assign_refuses_what_slack_refuses(web, v2):
    carly = v2.create_user("carly")
    bot = v2.create_user("bot", userType="bot")
    guest = v2.create_user("gail", **{"urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User": {"type": "multi"}})
    cases = [
        (dict(team_id="T0NOTHERE1", user_id=carly["id"]), "team_not_found"),
        (dict(team_id="T0ENG00001", user_id="U0NOTHERE1"), "user_not_found"),
        (dict(team_id="T0ENG00001", user_id=bot["id"]), "user_is_bot"),
        (dict(team_id="T0ENG00001", user_id=guest["id"]), "invalid_role_for_user"),
        (dict(team_id="T0ENG00001", user_id=carly["id"], is_restricted="true"), "invalid_role_for_user"),
        (dict(team_id="T0ENG00001", user_id=carly["id"], channel_ids="C0SAL00001"), "channel_not_found"),
    ]
    for args, error in cases:
        assert web.error("admin.users.assign", **args)["error"] == error, args
    missing = web.error("admin.users.assign", user_id=carly["id"])
    assert missing["error"] == "invalid_arguments"
    assert missing["response_metadata"]["messages"] == ["[ERROR] missing required field: team_id"]
    assert v2.control("GET", "grid")["workspaces"] == {}
    web.ok("admin.users.assign", team_id="T0ENG00001", user_id=guest["id"], is_restricted="true")
    assert v2.control("GET", "grid")["guest_workspaces"] == {guest["id"]: ["T0ENG00001"]}


def test_assign_reactivates_an_org_deactivated_user(web, v2):
    dan = v2.create_user("dan")
    assert v2.call("DELETE", "Users/%s" % dan["id"]).status_code == 204
    web.ok("admin.users.assign", team_id="T0ENG00001", user_id=dan["id"])
    assert v2.call("GET", "Users/%s" % dan["id"]).json()["active"] is True


def test_remove_refuses_the_primary_owner(web, v2):
    owner = v2.create_user("olga")
    v2.control("POST", "grid", {"workspaces": {owner["id"]: ["T0ENG00001"]}})
    v2.control("POST", "account_type", {"id": owner["id"], "type": "primary_owner"})
    body = web.error("admin.users.remove", team_id="T0ENG00001", user_id=owner["id"])
    assert body["error"] == "cannot_modify_primary_owner"
    assert v2.control("GET", "grid")["workspaces"] == {owner["id"]: ["T0ENG00001"]}


def test_group_connections_add_members_and_list_in_usergroups_list(web, v2):
    carly = v2.create_user("carly")
    group = v2.create_group("Engineering", [carly["id"]])
    assert web.ok("usergroups.list", team_id="T0ENG00001")["usergroups"] == []
    web.ok("admin.usergroups.addTeams", usergroup_id=group["id"], team_ids="T0ENG00001")
    web.ok("admin.usergroups.addTeams", usergroup_id=group["id"], team_ids="T0ENG00001")  # a repeat is fine
    listed = web.ok("usergroups.list", team_id="T0ENG00001")["usergroups"]
    assert [(g["id"], g["is_idp_group"]) for g in listed] == [(group["id"], True)]
    assert web.ok("usergroups.list", team_id="T0SAL00001")["usergroups"] == []
    assert v2.control("GET", "grid")["workspaces"] == {carly["id"]: ["T0ENG00001"]}
    bad = web.error("admin.usergroups.addTeams", usergroup_id=group["id"], team_ids="T0ENG00001,T0NOTHERE1")
    assert bad["error"] == "invalid_team_ids" and bad["errors"] == ["T0NOTHERE1"]
    assert web.error("admin.usergroups.addTeams", usergroup_id=group["id"], team_ids="")["error"] == \
        "no_team_ids_given"
    assert web.error("admin.usergroups.addTeams", usergroup_id="S0NOTHERE1", team_ids="T0ENG00001")["error"] == \
        "usergroup_not_found"
    assert web.error("usergroups.list")["error"] == "invalid_arguments"


def test_group_channels_partial_success_and_org_wide_defaults(web, v2):
    group = v2.create_group("Engineering")
    web.ok("admin.usergroups.addTeams", usergroup_id=group["id"], team_ids="T0ENG00001")
    body = web.error("admin.usergroups.addChannels", usergroup_id=group["id"], team_id="T0ENG00001",
                     channel_ids="C0ENG00001,C0ORG00001,C0NOTHERE1")
    assert body["error"] == "channel_not_found" and body["invalid_channels"] == ["C0ORG00001", "C0NOTHERE1"]
    listed = web.ok("admin.usergroups.listChannels", usergroup_id=group["id"])["channels"]
    assert [(c["id"], c["team_id"]) for c in listed] == [("C0ENG00001", "T0ENG00001")]
    web.ok("admin.usergroups.addChannels", usergroup_id=group["id"], channel_ids="C0ENG00001")  # no change
    assert web.ok("admin.usergroups.listChannels", usergroup_id=group["id"], team_id="T0SAL00001")["channels"] == []
    unlinked = web.error("admin.usergroups.addChannels", usergroup_id=group["id"], team_id="T0SAL00001",
                         channel_ids="C0SAL00001")
    assert unlinked["error"] == "usergroup_not_linked_to_team"
    too_many = ",".join("C0X%07d" % n for n in range(101))
    assert web.error("admin.usergroups.addChannels", usergroup_id=group["id"], channel_ids=too_many)["error"] == \
        "invalid_channels_limit"
    removed = web.error("admin.usergroups.removeChannels", usergroup_id=group["id"],
                        channel_ids="C0ENG00001,C0ENG00002")
    assert removed["invalid_channels"] == ["C0ENG00002"]
    assert web.ok("admin.usergroups.listChannels", usergroup_id=group["id"])["channels"] == []


def test_an_org_mandatory_channel_is_refused_and_searched_as_org_wide(web, v2):
    v2.control("POST", "grid", {"channels": [{"id": "C0ORG00002", "name": "all-hands", "team_ids": [],
                                              "is_org_mandatory": True}]})
    group = v2.create_group("Engineering")
    web.ok("admin.usergroups.addTeams", usergroup_id=group["id"], team_ids="T0ENG00001")
    body = web.error("admin.usergroups.addChannels", usergroup_id=group["id"], team_id="T0ENG00001",
                     channel_ids="C0ORG00002,C0ENG00001")
    assert body["error"] == "channel_not_found" and body["invalid_channels"] == ["C0ORG00002"]
    found = web.ok("admin.conversations.search", query="all-hands")["conversations"]
    assert [(c["is_org_mandatory"], c["is_org_default"], sorted(c["internal_team_ids"])) for c in found] == [
        (True, False, ["T0ENG00001", "T0SAL00001"])]


def test_reading_a_groups_channels_changes_nothing(web, v2):
    group = v2.create_group("Engineering")
    before = v2.control("GET", "grid")
    assert web.ok("admin.usergroups.listChannels", usergroup_id=group["id"])["channels"] == []
    assert web.ok("usergroups.list", team_id="T0ENG00001")["usergroups"] == []
    assert v2.control("GET", "grid") == before and before["connections"] == {}


def test_conversations_search_names_types_workspaces_and_a_top_level_cursor(web):
    body = web.ok("admin.conversations.search", query="eng")
    assert [c["name"] for c in body["conversations"]] == ["eng-general", "eng-secret", "eng-old"]
    assert body["next_cursor"] == "" and "response_metadata" not in body and body["total_count"] == 3
    public = web.ok("admin.conversations.search", query="eng", search_channel_types="public,exclude_archived")
    assert [c["id"] for c in public["conversations"]] == ["C0ENG00001"]
    sales = web.ok("admin.conversations.search", team_ids="T0SAL00001")["conversations"]
    assert [c["id"] for c in sales] == ["C0SAL00001", "C0ORG00001"]
    assert sales[1]["is_org_default"] is True and set(sales[1]["internal_team_ids"]) == {"T0ENG00001", "T0SAL00001"}
    first = web.ok("admin.conversations.search", limit=2)
    second = web.ok("admin.conversations.search", limit=2, cursor=first["next_cursor"])
    assert first["next_cursor"] and {c["id"] for c in first["conversations"]}.isdisjoint(
        c["id"] for c in second["conversations"])
    assert web.error("admin.conversations.search", limit=21)["error"] == "invalid_limit"


def test_missing_scope_names_needed_and_provided_and_the_header(web, v2):
    v2.control("POST", "grid", {"scopes": ["admin.teams:read"]})
    response = web.call("admin.users.assign", team_id="T0ENG00001", user_id="U0ANY00001")
    body = response.json()
    assert response.status_code == 200 and body["ok"] is False
    assert (body["error"], body["needed"], body["provided"]) == \
        ("missing_scope", "admin.users:write", "admin.teams:read")
    assert response.headers["X-OAuth-Scopes"] == "admin.teams:read"
    assert response.headers["X-Accepted-OAuth-Scopes"] == "admin.users:write"
    assert web.ok("admin.teams.list")["teams"]


def test_tokens_and_unknown_methods(web, emulator):
    assert requests.post(emulator.url + "/api/admin.teams.list", timeout=10).json()["error"] == "not_authed"
    wrong = requests.post(emulator.url + "/api/admin.teams.list", headers={"Authorization": "Bearer xoxp-other"},
                          timeout=10).json()
    assert wrong == {"ok": False, "error": "invalid_auth"}
    form_token = requests.post(emulator.url + "/api/admin.teams.list", data={"token": TOKEN}, timeout=10).json()
    assert form_token["ok"] is True
    assert web.error("admin.nothing.here")["error"] == "unknown_method"


def test_json_and_query_string_arguments(web, v2, emulator):
    carly = v2.create_user("carly")
    as_json = web.session.post(emulator.url + "/api/admin.users.assign",
                               json={"team_id": "T0ENG00001", "user_id": carly["id"]}, timeout=10).json()
    assert as_json == {"ok": True}
    in_query = web.session.post(emulator.url + "/api/admin.users.remove",
                                params={"team_id": "T0ENG00001", "user_id": carly["id"]}, timeout=10).json()
    assert in_query == {"ok": True}
    channels = web.session.post(emulator.url + "/api/admin.conversations.search",
                                json={"team_ids": ["T0SAL00001"]}, timeout=10).json()["conversations"]
    assert [c["id"] for c in channels] == ["C0SAL00001", "C0ORG00001"]


def test_tier_limits_answer_429_with_retry_after_per_method(web, v2):
    v2.control("POST", "config", {"rate_limit_scale": 1})
    carly = v2.create_user("carly")
    statuses = [web.call("admin.users.remove", team_id="T0ENG00001", user_id=carly["id"]).status_code
                for dummy in range(21)]
    assert statuses == [200] * 20 + [429]  # Tier 2: 20 a minute
    limited = web.call("admin.users.remove", team_id="T0ENG00001", user_id=carly["id"])
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.json() == {"ok": False, "error": "ratelimited"}
    assert web.call("admin.users.assign", team_id="T0ENG00001", user_id=carly["id"]).json() == {"ok": True}
