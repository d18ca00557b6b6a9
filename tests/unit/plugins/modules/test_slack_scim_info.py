# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.modules import slack_scim_info
from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, page, query_of


def users(first, last):
    return [{"id": "W%08d" % i, "userName": "u%d" % i, "active": i % 2 == 0,
             "emails": [{"value": "u%d@example.com" % i, "primary": True}]} for i in range(first, last)]


def run(run_module, **args):
    return run_module(slack_scim_info.main, **args)


def test_paging_in_both_dialects(mocked, run_module, api_version):
    url = BASE % api_version + "Users"
    mocked.get(url, json=page(users(0, 3), 7))
    mocked.get(url, json=page(users(3, 6), 7, 4))
    mocked.get(url, json=page(users(6, 7), 7, 7))
    result = run(run_module, api_version=api_version, count=3)
    assert [u["userName"] for u in result["users"]] == ["u%d" % i for i in range(7)]
    assert result["total_results"] == 7 and result["changed"] is False
    assert [query_of(c)["startIndex"] for c in mocked.calls] == ["1", "4", "7"]
    assert {query_of(c)["count"] for c in mocked.calls} == {"3"}


def test_limit(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page(users(0, 3), 7))
    result = run(run_module, count=3, limit=2)
    assert len(result["users"]) == 2 and result["total_results"] == 7


def test_one_filter_goes_to_slack_and_the_rest_is_checked_here(mocked, run_module, api_version):
    """Slack documents no and-combined filters: the raw filter is sent, the identities are checked here."""
    mocked.get(BASE % api_version + "Users", json=page(users(1, 3), 2))
    result = run(run_module, api_version=api_version, user_name="u1", email="U1@example.com",
                 filter='title co "x"')
    assert query_of(mocked.calls[0])["filter"] == 'title co "x"'
    assert [u["id"] for u in result["users"]] == ["W00000001"]


def test_user_name_and_email_send_only_the_user_name_filter(mocked, run_module, api_version):
    mocked.get(BASE % api_version + "Users", json=page(users(1, 2), 1))
    result = run(run_module, api_version=api_version, user_name="u1", email="someone.else@example.com")
    assert query_of(mocked.calls[0])["filter"] == 'userName eq "u1"'
    assert result["users"] == [] and len(mocked.calls) == 1


def test_a_listed_item_without_id_fails_naming_it(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page([{"userName": "ghost"}] + users(1, 2), 2))
    result = run(run_module)
    assert result["failed"] and "without an id" in result["msg"] and "ghost" in result["msg"]


def test_active_is_applied_client_side(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page(users(0, 4), 4))
    result = run(run_module, active=True)
    assert [u["userName"] for u in result["users"]] == ["u0", "u2"] and result["total_results"] == 2
    assert "filter" not in query_of(mocked.calls[0])


def test_by_id_found_and_not_found(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S0000001", json={"id": "S0000001", "displayName": "Eng", "members": []})
    mocked.get(BASE % "v2" + "Groups/S0000404", status=404, json={"detail": "no_such_group", "status": 404})
    assert run(run_module, resource="groups", id="S0000001")["groups"][0]["displayName"] == "Eng"
    result = run(run_module, resource="groups", id="S0000404")
    assert result["groups"] == [] and result["total_results"] == 0 and not result["failed"]


def test_service_provider_config(mocked, run_module, api_version):
    path = "ServiceProviderConfigs" if api_version == "v1" else "ServiceProviderConfig"
    mocked.get(BASE % api_version + path, json={"patch": {"supported": True}})
    result = run(run_module, api_version=api_version, resource="service_provider_config")
    assert result["service_provider_config"] == {"patch": {"supported": True}}


def test_server_error_names_status_and_error(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", status=500, json={"detail": "internal_error", "status": 500})
    result = run(run_module, user_name="carly", retries={"server_errors": 0})
    assert result["failed"] and "HTTP 500 internal_error" in result["msg"]


@pytest.mark.parametrize("args, named", [
    (dict(resource="groups", user_name="x"), "user_name"),
    (dict(resource="users", display_name="x"), "display_name"),
    (dict(resource="service_provider_config", filter="x"), "filter"),
    (dict(count=0), "count"),
    (dict(count=1001), "count"),
    (dict(limit=0), "limit"),
    (dict(id="S0000001"), "id"),
    (dict(resource="groups", id="W00000001"), "id"),
    (dict(user_name=" "), "user_name"),
])
def test_bad_options_fail_before_any_request(mocked, run_module, args, named):
    result = run(run_module, **args)
    assert result["failed"] and named in result["msg"] and len(mocked.calls) == 0


def test_guest_is_applied_client_side(mocked, run_module):
    everyone = users(0, 3)
    everyone[1]["urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"] = {"type": "multi"}
    mocked.get(BASE % "v2" + "Users", json=page(everyone, 3))
    mocked.get(BASE % "v2" + "Users", json=page(everyone, 3))
    assert [u["id"] for u in run(run_module, guest=True)["users"]] == ["W00000001"]
    assert [u["id"] for u in run(run_module, guest=False)["users"]] == ["W00000000", "W00000002"]
    assert all("filter" not in query_of(call) for call in mocked.calls)


def test_expand_members_reads_the_users_once(mocked, run_module):
    group = {"id": "S00000001", "displayName": "Eng",
             "members": [{"value": "W00000001"}, {"value": "W00000002"}, {"value": "W09999999"}]}
    mocked.get(BASE % "v2" + "Groups", json=page([group], 1))
    mocked.get(BASE % "v2" + "Users", json=page(users(0, 3), 3))
    result = run(run_module, resource="groups", display_name="Eng", expand_members=True)
    members = result["groups"][0]["members"]
    assert [m["user"]["userName"] if m["user"] else None for m in members] == ["u1", "u2", None]
    assert len(mocked.calls) == 2


def test_expand_members_is_for_groups(mocked, run_module):
    result = run(run_module, resource="users", expand_members=True)
    assert result["failed"] and "expand_members" in result["msg"] and len(mocked.calls) == 0


GUEST_URN = "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def test_export_returns_the_directory_in_the_sync_shape(mocked, run_module):
    carly = {"id": "W00000001", "userName": "carly", "active": True, "title": "CEO", "displayName": "",
             "timezone": "Europe/Berlin", "emails": [{"value": "carly@example.com", "primary": True}],
             "phoneNumbers": [{"value": "+1 555 0100", "type": "mobile"}, {"value": None, "type": "work"}],
             "roles": [{"value": None, "primary": True}],
             "photos": [{"value": "https://secure.gravatar.com/avatar/x.jpg", "type": "photo"}],
             ENTERPRISE_URN: {"department": "Exec", "manager": {"managerId": "W00000002"}},
             GUEST_URN: {"type": "multi", "expiration": "2099-01-31"}}
    dana = {"id": "W00000002", "userName": "dana", "active": True,
            "emails": [{"value": "dana@example.com", "primary": True}, {"value": "d@example.org", "primary": False}]}
    gone = {"id": "W00000003", "userName": "gone", "active": False, "emails": [{"value": "g@example.com"}]}
    bot = {"id": "W00000004", "userName": "bot", "active": True, "emails": [{"value": "b@slack-bots.com"}]}
    mocked.get(BASE % "v2" + "Users", json=page([carly, dana, gone, bot], 4))
    mocked.get(BASE % "v2" + "Groups", json=page([{"id": "S00000001", "displayName": "Eng",
                                                   "members": [{"value": "W00000002"}, {"value": "W00000001"}]}], 1))
    result = run(run_module, export=True, resource="groups")
    assert result["directory"] == {
        "users": [
            {"user_name": "carly", "email": "carly@example.com", "title": "CEO", "timezone": "Europe/Berlin",
             "phone_numbers": [{"value": "+1 555 0100"}],
             "enterprise": {"department": "Exec", "manager_id": "W00000002"},
             "guest": True, "guest_expiration": "2099-01-31"},
            {"user_name": "dana", "emails": [{"value": "dana@example.com", "primary": True},
                                             {"value": "d@example.org", "primary": False}]}],
        "groups": [{"display_name": "Eng", "members": {"set": ["carly", "dana"]}}]}
    assert len(mocked.calls) == 2 and result["changed"] is False
