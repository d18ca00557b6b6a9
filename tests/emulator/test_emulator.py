# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's behaviour, asserted against shared/reference/slack-scim-api.md."""

from __future__ import annotations

import concurrent.futures
import json
import time

import pytest
import requests

V2_PATCH = ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]


def description_of(response):
    body = response.json()
    if "Errors" in body:
        return body["Errors"]["description"]
    return body["detail"]


def error_of(response):
    """Slack's error string, without the ``(key=value)`` detail Slack appends."""
    return description_of(response).split(" (")[0]


# -- users: Slack's normalisation rules -------------------------------------------------------------

def test_user_name_is_lower_cased_and_sanitised(api):
    user = api.create_user("Carly.Henderson+Ops!", "carly@example.com")
    assert user["userName"] == "carly.henderson_ops_"
    assert user["nickName"] == user["userName"]


def test_user_name_longer_than_21_is_refused_with_long_username(api):
    body = {"schemas": api.schema(), "userName": "a" * 22, "emails": [{"value": "a@example.com"}]}
    response = api.call("POST", "Users", body)
    assert response.status_code == 400 and description_of(response) == "long_username (user=%s)" % ("a" * 22)
    user = api.create_user("carly")
    if api.version == "v1":
        body = {"schemas": api.schema(), "userName": "b" * 22}
    else:
        body = {"schemas": V2_PATCH, "Operations": [{"op": "replace", "path": "userName", "value": "b" * 22}]}
    response = api.call("PATCH", "Users/" + user["id"], body)
    assert response.status_code == 400 and description_of(response) == "long_username (user=%s)" % user["id"]
    if api.version == "v1":
        assert response.json() == {"Errors": {"description": "long_username (user=%s)" % user["id"], "code": 400}}
    else:
        assert response.json() == {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                                   "detail": "long_username (user=%s)" % user["id"], "status": 400}


def test_create_needs_user_name_and_email(api):
    response = api.call("POST", "Users", {"schemas": api.schema(), "emails": [{"value": "a@example.com"}]})
    assert (response.status_code, error_of(response)) == (400, "username_empty")
    response = api.call("POST", "Users", {"schemas": api.schema(), "userName": "carly"})
    assert (response.status_code, error_of(response)) == (400, "email_empty")
    response = api.call("POST", "Users", {"schemas": api.schema(), "userName": "carly",
                                          "emails": [{"value": "not-an-email"}]})
    assert (response.status_code, error_of(response)) == (400, "email_invalid")


def test_missing_schemas_is_refused(api):
    response = api.call("POST", "Users", {"userName": "carly", "emails": [{"value": "c@example.com"}]})
    assert (response.status_code, error_of(response)) == (400, "missing_schema_element")


def test_nick_name_follows_user_name(v2):
    user = v2.create_user("carly")
    response = v2.call("PATCH", "Users/" + user["id"], {"schemas": V2_PATCH, "Operations": [
        {"op": "replace", "path": "nickName", "value": "Cal"}]})
    assert response.status_code == 200
    assert (response.json()["userName"], response.json()["nickName"]) == ("cal", "cal")


def test_at_most_two_emails_primary_by_flag_then_work_then_order(api):
    body = {"schemas": api.schema(), "userName": "carly", "emails": [
        {"value": "one@example.com"}, {"value": "two@example.com", "type": "work"},
        {"value": "three@example.com"}]}
    created = api.call("POST", "Users", body).json()
    assert created["emails"] == [{"value": "two@example.com", "primary": True},
                                 {"value": "one@example.com", "primary": False}]
    body = {"schemas": api.schema(), "userName": "dan", "emails": [
        {"value": "d1@example.com", "type": "work"}, {"value": "d2@example.com", "primary": True}]}
    assert api.call("POST", "Users", body).json()["emails"][0] == {"value": "d2@example.com", "primary": True}
    body = {"schemas": api.schema(), "userName": "eve",
            "emails": [{"value": "e1@example.com"}, {"value": "e2@example.com"}]}
    assert api.call("POST", "Users", body).json()["emails"][0]["value"] == "e1@example.com"


def test_email_and_user_name_taken_also_by_deactivated_users(api):
    user = api.create_user("carly", "carly@example.com")
    assert api.call("DELETE", "Users/" + user["id"]).status_code in (200, 204)
    again = api.call("POST", "Users", {"schemas": api.schema(), "userName": "someone",
                                       "emails": [{"value": "CARLY@example.com"}]})
    # 409 is assumed; the existing_user detail is what hackclub/auth parses out of Slack's answer.
    assert (again.status_code, description_of(again)) == (409, "email_taken (existing_user=%s)" % user["id"])
    again = api.call("POST", "Users", {"schemas": api.schema(), "userName": "Carly",
                                       "emails": [{"value": "other@example.com"}]})
    assert (again.status_code, description_of(again)) == (409, "username_taken (username=carly)")


def test_delete_deactivates_and_is_repeatable(api):
    user = api.create_user("carly")
    expected = 200 if api.version == "v1" else 204
    for dummy in range(2):
        response = api.call("DELETE", "Users/" + user["id"])
        assert response.status_code == expected
        assert response.content == b""  # v1: 200 with an empty body, v2: 204
    read = api.call("GET", "Users/" + user["id"])
    assert read.status_code == 200 and read.json()["active"] is False


def test_put_blanks_omitted_fields_and_deactivates_without_active(api):
    user = api.create_user("carly", title="CEO")
    body = {"schemas": api.schema(), "id": user["id"], "userName": "carly",
            "emails": [{"value": "carly@example.com", "primary": True}]}
    replaced = api.call("PUT", "Users/" + user["id"], body).json()
    assert replaced["active"] is False
    assert replaced["title"] in (None, "")
    body["active"] = True
    assert api.call("PUT", "Users/" + user["id"], body).json()["active"] is True


def test_absent_values_v2_mixes_empty_strings_and_null_v1_uses_empty_strings(api):
    user = api.create_user("carly")
    assert (user["displayName"], user["title"], user["externalId"]) == ("", "", "")
    assert (user["name"]["givenName"], user["name"]["familyName"]) == ("", "")
    if api.version == "v2":
        assert user["userType"] is None and user["locale"] is None and user["name"]["honorificPrefix"] is None
        assert user["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["costCenter"] is None
    else:
        assert user["userType"] == "" and user["name"]["honorificPrefix"] == ""
        assert user["urn:scim:schemas:extension:enterprise:1.0"]["costCenter"] == ""


def test_users_carry_read_only_groups(api):
    user = api.create_user("carly")
    group = api.create_group("Eng", [user["id"]])
    read = api.call("GET", "Users/" + user["id"]).json()
    assert read["groups"] == [{"value": group["id"], "display": "Eng"}]


def test_unknown_user_is_404(api):
    response = api.call("GET", "Users/UNOPE")
    assert (response.status_code, error_of(response)) == (404, "no_such_user")


# -- PATCH dialects ------------------------------------------------------------------------------

def test_v1_patch_sets_merges_and_removes(v1):
    ent = "urn:scim:schemas:extension:enterprise:1.0"
    user = v1.create_user("carly", title="CEO", name={"givenName": "Carly", "familyName": "Henderson"},
                          **{ent: {"division": "R&D"}})
    response = v1.call("PATCH", "Users/" + user["id"], {
        "schemas": ["urn:scim:schemas:core:1.0", ent],
        "name": {"givenName": "Cal"}, ent: {"department": "Sales"},
        "meta": {"attributes": ["title", "name.familyName", ent + ".division"]}})
    patched = response.json()
    assert response.status_code == 200
    assert patched["name"]["givenName"] == "Cal" and patched["name"]["familyName"] == ""
    assert patched["title"] == "" and patched[ent]["department"] == "Sales" and patched[ent]["division"] == ""


def test_v1_patch_deletes_a_secondary_email(v1):
    user = v1.call("POST", "Users", {
        "schemas": v1.schema(), "userName": "carly",
        "emails": [{"value": "a@example.com", "primary": True}, {"value": "b@example.com"}]}).json()
    patched = v1.call("PATCH", "Users/" + user["id"], {
        "schemas": v1.schema(), "emails": [{"value": "b@example.com", "operation": "delete"}]}).json()
    assert patched["emails"] == [{"value": "a@example.com", "primary": True}]


def test_v2_patch_operations(v2):
    user = v2.call("POST", "Users", {
        "schemas": v2.schema(), "userName": "carly", "title": "CEO",
        "emails": [{"value": "a@example.com", "primary": True}, {"value": "b@example.com"}]}).json()
    ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    response = v2.call("PATCH", "Users/" + user["id"], {"schemas": V2_PATCH, "Operations": [
        {"op": "replace", "path": "name.givenName", "value": "Carly"},
        {"op": "replace", "path": ent, "value": {"department": "R&D", "manager": {"managerId": "U1"}}},
        {"op": "remove", "path": ent + ":manager.managerId"},
        {"op": "remove", "path": "title"},
        {"op": "remove", "path": 'emails[value eq "b@example.com"]'},
    ]})
    patched = response.json()
    assert response.status_code == 200, response.text
    assert patched["name"]["givenName"] == "Carly" and patched["title"] == ""
    assert patched[ent]["department"] == "R&D" and patched[ent]["manager"]["managerId"] is None
    assert patched["emails"] == [{"value": "a@example.com", "primary": True}]


def test_v2_patch_without_patchop_schema_is_refused(v2):
    user = v2.create_user("carly")
    operations = [{"op": "replace", "path": "title", "value": "x"}]
    response = v2.call("PATCH", "Users/" + user["id"], {"Operations": operations})
    assert (response.status_code, error_of(response)) == (400, "missing_schema_element")


def test_primary_email_cannot_be_removed(v2):
    user = v2.create_user("carly")
    response = v2.call("PATCH", "Users/" + user["id"], {"schemas": V2_PATCH, "Operations": [
        {"op": "remove", "path": 'emails[value eq "carly@example.com"]'}]})
    assert (response.status_code, error_of(response)) == (400, "missing_primary_email")
    assert description_of(response) == "missing_primary_email (user=%s)" % user["id"]


def test_patch_to_a_taken_email_is_refused(api):
    api.create_user("carly", "carly@example.com")
    dan = api.create_user("dan", "dan@example.com")
    if api.version == "v1":
        body = {"schemas": api.schema(), "meta": {"attributes": ["emails"]},
                "emails": [{"value": "carly@example.com", "primary": True}]}
    else:
        body = {"schemas": V2_PATCH, "Operations": [
            {"op": "replace", "path": "emails", "value": [{"value": "carly@example.com", "primary": True}]}]}
    response = api.call("PATCH", "Users/" + dan["id"], body)
    assert (response.status_code, error_of(response)) == (409, "email_taken")
    assert api.call("GET", "Users/" + dan["id"]).json()["emails"][0]["value"] == "dan@example.com"


# -- groups -----------------------------------------------------------------------------------------

def test_v1_group_patch_answers_204_and_v2_200(api):
    carly, dan = api.create_user("carly"), api.create_user("dan")
    group = api.create_group("Eng", [carly["id"]])
    if api.version == "v1":
        body = {"schemas": api.group_schema(), "displayName": "Engineering",
                "members": [{"value": dan["id"]}, {"value": carly["id"], "operation": "delete"}]}
    else:
        body = {"schemas": V2_PATCH, "Operations": [
            {"op": "replace", "path": "displayName", "value": "Engineering"},
            {"op": "add", "path": "members", "value": [{"value": dan["id"]}]},
            {"op": "remove", "path": 'members[value eq "%s"]' % carly["id"]}]}
    response = api.call("PATCH", "Groups/" + group["id"], body)
    if api.version == "v1":
        assert response.status_code == 204 and response.content == b""
    else:
        assert response.status_code == 200 and response.json()["displayName"] == "Engineering"
    read = api.call("GET", "Groups/" + group["id"]).json()
    assert read["displayName"] == "Engineering"
    assert [m["value"] for m in read["members"]] == [dan["id"]]


def test_v2_group_remove_with_unquoted_id_and_remove_all(v2):
    users = [v2.create_user("u%d" % i)["id"] for i in range(3)]
    group = v2.create_group("Eng", users)
    v2.call("PATCH", "Groups/" + group["id"], {"schemas": V2_PATCH, "Operations": [
        {"op": "remove", "path": "members[value eq %s]" % users[0]}]})
    assert len(v2.call("GET", "Groups/" + group["id"]).json()["members"]) == 2
    v2.call("PATCH", "Groups/" + group["id"], {"schemas": V2_PATCH, "Operations": [
        {"op": "remove", "path": "members"}]})
    assert v2.call("GET", "Groups/" + group["id"]).json()["members"] == []


def test_v2_group_patch_applies_its_operations_in_order(v2):
    """RFC 7644 3.5.2: the operations of one PatchOp apply in sequence, so the last one about a member wins."""
    kept, other = v2.create_user("kept")["id"], v2.create_user("other")["id"]
    group = v2.create_group("Eng", [kept])

    def patch(*operations):
        response = v2.call("PATCH", "Groups/" + group["id"], {"schemas": V2_PATCH, "Operations": list(operations)})
        assert response.status_code == 200, response.text
        return sorted(m["value"] for m in response.json()["members"])

    add = {"op": "add", "path": "members", "value": [{"value": kept}, {"value": other}]}
    remove = {"op": "remove", "path": "members", "value": [{"value": kept}]}
    assert patch(add, remove) == [other]
    assert patch(remove, add) == sorted([kept, other])
    assert patch({"op": "remove", "path": 'members[value eq "%s"]' % other}, add) == sorted([kept, other])
    assert patch(add, {"op": "remove", "path": 'members[value eq "%s"]' % other}) == [kept]


def test_a_refused_group_patch_changes_nothing(v2):
    member = v2.create_user("member")["id"]
    v2.create_group("Taken")
    group = v2.create_group("Eng", [member])
    response = v2.call("PATCH", "Groups/" + group["id"], {"schemas": V2_PATCH, "Operations": [
        {"op": "remove", "path": "members", "value": [{"value": member}]},
        {"op": "replace", "path": "displayName", "value": "Taken"}]})
    assert response.status_code == 409, response.text
    assert v2.call("GET", "Groups/" + group["id"]).json()["members"] == [{"value": member, "display": "member"}]


def test_group_display_name_is_unique_and_required(api):
    api.create_group("Eng")
    response = api.call("POST", "Groups", {"schemas": api.group_schema(), "displayName": "ENG"})
    assert (response.status_code, error_of(response)) == (409, "name_taken")  # assumed
    response = api.call("POST", "Groups", {"schemas": api.group_schema(), "displayName": " "})
    assert (response.status_code, error_of(response)) == (400, "invalid_request_payload")  # assumed


def test_deactivated_users_cannot_be_members_but_guests_can(api):
    gone = api.create_user("gone")
    api.call("DELETE", "Users/" + gone["id"])
    response = api.call("POST", "Groups", {"schemas": api.group_schema(), "displayName": "Gone",
                                           "members": [{"value": gone["id"]}]})
    assert (response.status_code, error_of(response)) == (400, "unable_to_add_deleted_or_guest_to_group")
    guest_urn = "urn:scim:schemas:extension:slack:guest:1.0" if api.version == "v1" else \
        "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"
    guest = api.call("POST", "Users", {"schemas": api.schema() + [guest_urn], "userName": "guest",
                                       "emails": [{"value": "g@example.com"}], guest_urn: {"type": "multi"}}).json()
    group = api.create_group("Partners", [guest["id"]])
    assert [m["value"] for m in group["members"]] == [guest["id"]]
    response = api.call("POST", "Groups", {"schemas": api.group_schema(), "displayName": "Ghosts",
                                           "members": [{"value": "UNOSUCHUSER"}]})
    assert (response.status_code, error_of(response)) == (400, "no_such_group_members")


def test_deactivation_removes_the_user_from_groups(api):
    user = api.create_user("carly")
    group = api.create_group("Eng", [user["id"]])
    api.call("DELETE", "Users/" + user["id"])
    assert api.call("GET", "Groups/" + group["id"]).json()["members"] == []


def test_put_group_replaces_members(api):
    a, b = api.create_user("a")["id"], api.create_user("b")["id"]
    group = api.create_group("Eng", [a])
    body = {"schemas": api.group_schema(), "id": group["id"], "displayName": "Eng", "members": [{"value": b}]}
    assert [m["value"] for m in api.call("PUT", "Groups/" + group["id"], body).json()["members"]] == [b]


def test_delete_group(api):
    group = api.create_group("Eng")
    assert api.call("DELETE", "Groups/" + group["id"]).status_code == 204
    assert api.call("GET", "Groups/" + group["id"]).status_code == 404


# -- listing and filters ----------------------------------------------------------------------------

def test_paging_defaults_to_10_caps_at_1000_and_is_one_based(api):
    api.control("POST", "seed", {"users": 1005})
    first = api.call("GET", "Users").json()
    assert (first["totalResults"], first["itemsPerPage"], first["startIndex"]) == (1005, 10, 1)
    big = api.call("GET", "Users", params={"count": 5000}).json()
    assert big["itemsPerPage"] == 1000
    last = api.call("GET", "Users", params={"count": 1000, "startIndex": 1001}).json()
    assert last["itemsPerPage"] == 5 and last["startIndex"] == 1001
    assert last["Resources"][0]["userName"] == "user01000"
    expected_schema = "urn:scim:schemas:core:1.0" if api.version == "v1" else \
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    assert first["schemas"] == [expected_schema]


@pytest.mark.parametrize("expression, expected", [
    ('userName eq "CARLY"', ["carly"]),
    ('username Eq "carly"', ["carly"]),
    ('email eq "Dan@Example.com"', ["dan"]),
    ('email co "example"', ["carly", "dan"]),
    ('userName sw "ca"', ["carly"]),
    ('userName pr', ["carly", "dan"]),
    ('userName eq "carly" or userName eq "dan"', ["carly", "dan"]),
    ('(userName eq "carly") and email eq "carly@example.com"', ["carly"]),
    ('userName eq carly', ["carly"]),
    ("restricted eq '0'", ["carly", "dan"]),
    ("ultra_restricted eq '1'", []),
])
def test_user_filters(api, expression, expected):
    api.create_user("carly")
    api.create_user("dan", "dan@example.com")
    result = api.call("GET", "Users", params={"filter": expression})
    assert result.status_code == 200, result.text
    assert sorted(u["userName"] for u in result.json()["Resources"]) == expected


def test_group_filter_by_display_name(api):
    api.create_group("Engineering")
    api.create_group("Sales")
    result = api.call("GET", "Groups", params={"filter": 'displayName eq "engineering"'}).json()
    assert [g["displayName"] for g in result["Resources"]] == ["Engineering"]


@pytest.mark.parametrize("expression, error", [
    ("foo", "no_filters (is_aggregate_call=1)"),
    ("", "no_filters (is_aggregate_call=1)"),
    ('userName eq', "incomplete_filter"),
    ('(userName eq "a"', "invalid_filter_group"),
    ('userName zz "a"', "invalid_query"),
])
def test_malformed_filters_get_400(api, expression, error):
    response = api.call("GET", "Users", params={"filter": expression})
    assert (response.status_code, description_of(response)) == (400, error)


# -- auth, discovery --------------------------------------------------------------------------------

def test_bad_or_missing_token_is_401_in_errors_shape(emulator):
    cases = (({}, "missing_authentication"), ({"Authorization": "Bearer nope"}, "invalid_authentication"))
    for headers, error in cases:
        response = requests.get(emulator.url + "/scim/v2/Users", headers=headers, timeout=5)
        assert response.status_code == 401
        assert response.json() == {"Errors": {"description": error, "code": 401}}


def test_discovery_endpoints(api):
    paths = ["ServiceProviderConfigs"] if api.version == "v1" else ["ServiceProviderConfig", "ServiceProviderConfigs"]
    for spc in paths:
        config = requests.get(api.url(spc), timeout=5).json()  # no token needed (JAVA's "dummy" test)
        assert config["patch"] == {"supported": True}
        assert config["filter"]["supported"] is False  # AK forces it on for Slack
    assert api.call("GET", "Schemas/Users").json()["name"] == "User"
    types = api.call("GET", "ResourceTypes")
    assert types.status_code == (404 if api.version == "v1" else 200)


# -- rate limits and locking ------------------------------------------------------------------------

def test_rate_limit_answers_429_with_retry_after(v2):
    v2.control("POST", "config", {"rate_limit_scale": 0.1})  # POST /Users: burst 2, 18 per minute
    statuses = [v2.call("POST", "Users", {"schemas": v2.schema(), "userName": "u%d" % i,
                                          "emails": [{"value": "u%d@example.com" % i}]}) for i in range(3)]
    assert [s.status_code for s in statuses] == [201, 201, 429]
    assert error_of(statuses[2]) == "too_many_requests"
    assert int(statuses[2].headers["Retry-After"]) >= 1
    # Reads have their own, larger budget.
    assert v2.call("GET", "Users").status_code == 200


def test_overlapping_writes_to_one_resource_get_resource_locked(v2):
    user = v2.create_user("carly")
    v2.control("POST", "config", {"write_hold": 0.5})
    body = {"schemas": V2_PATCH, "Operations": [{"op": "replace", "path": "title", "value": "x"}]}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = pool.submit(v2.call, "PATCH", "Users/" + user["id"], body)
        time.sleep(0.1)
        second = requests.patch(v2.url("Users/" + user["id"]), json=body, timeout=5,
                                headers={"Authorization": v2.session.headers["Authorization"]})
        assert first.result().status_code == 200
    assert second.status_code == 429 and error_of(second) == "resource_locked"
    assert second.headers["Retry-After"] == "1"


# -- control API ------------------------------------------------------------------------------------

def test_faults_status_then_normal(v2):
    v2.control("POST", "faults", {"status": 503, "count": 2, "method": "GET", "path": "/scim/v2/Users"})
    assert [v2.call("GET", "Users").status_code for dummy in range(3)] == [503, 503, 200]
    v2.control("POST", "faults", {"status": 429, "retry_after": 7})
    response = v2.call("GET", "Users")
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"


def test_fault_drop_and_drop_after_apply(v2):
    v2.control("POST", "faults", {"action": "drop_after", "method": "POST"})
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(v2.url("Users"), json={"schemas": v2.schema(), "userName": "carly",
                                             "emails": [{"value": "c@example.com"}]},
                      headers={"Authorization": v2.session.headers["Authorization"]}, timeout=5)
    # The POST was applied although the client never heard back.
    found = v2.call("GET", "Users", params={"filter": 'userName eq "carly"'}).json()
    assert found["totalResults"] == 1
    v2.control("POST", "faults", {"action": "drop"})
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(v2.url("Users"), headers={"Authorization": v2.session.headers["Authorization"]}, timeout=5)
    log = v2.control("GET", "log")["requests"]
    assert [entry.get("dropped") for entry in log[-3:]] == [True, None, True]


def test_fault_latency_and_raw(v2):
    v2.control("POST", "faults", [{"action": "latency", "latency": 0.3, "count": 1},
                                  {"action": "raw", "status": 502, "body": "<html>Bad Gateway</html>"}])
    started = time.monotonic()
    assert v2.call("GET", "Users").status_code == 200
    assert time.monotonic() - started >= 0.3
    response = v2.call("GET", "Users")
    assert response.status_code == 502 and response.headers["Content-Type"] == "text/html"


def test_log_records_method_path_status_and_never_the_token(v2):
    v2.control("DELETE", "log")
    v2.create_user("carly")
    v2.call("GET", "Users/UNOPE")
    log = v2.control("GET", "log")["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("POST", "/scim/v2/Users", 201), ("GET", "/scim/v2/Users/UNOPE", 404)]
    assert "xoxp" not in json.dumps(log)
    assert v2.control("GET", "log?since=1")["requests"][0]["seq"] == 2


def test_reset_and_seed_is_fast(v2):
    started = time.monotonic()
    assert v2.control("POST", "seed", {"users": 10000, "groups": 3, "members_per_group": 5}) == {
        "users": 10000, "groups": 3}
    seconds = time.monotonic() - started
    assert seconds < 60, "seeding 10,000 users took %.1f s" % seconds  # wide margin: a loaded machine
    assert v2.call("GET", "Users", params={"count": 1}).json()["totalResults"] == 10000
    groups = v2.call("GET", "Groups").json()["Resources"]
    assert len(groups) == 3 and len(groups[0]["members"]) == 5
    v2.control("POST", "reset")
    assert v2.call("GET", "Users").json()["totalResults"] == 0


def test_state_dump_and_load(v2, tmp_path):
    user = v2.create_user("carly")
    v2.create_group("Eng", [user["id"]])
    state = v2.control("GET", "state")
    v2.control("POST", "reset")
    v2.control("PUT", "state", state)
    assert v2.call("GET", "Users/" + user["id"]).json()["groups"][0]["display"] == "Eng"
    created = v2.create_user("dan")
    assert created["id"] != user["id"]
    saved = v2.control("POST", "save", {"path": str(tmp_path / "state.json")})["saved"]
    assert json.loads((tmp_path / "state.json").read_text())["users"][0]["userName"] == "carly"
    assert saved.endswith("state.json")


def test_auth_test_names_the_configured_token_user(v2, emulator):
    v2.control("POST", "config", {"token_user": "UE0OWNER01"})
    for method in ("POST", "GET"):  # Slack documents POST; GET works too
        answer = v2.session.request(method, emulator.url + "/api/auth.test", timeout=5).json()
        assert answer["ok"] is True and answer["user_id"] == "UE0OWNER01"
        assert answer["team_id"].startswith("E") and answer["is_enterprise_install"] is True
    refused = requests.post(emulator.url + "/api/auth.test", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert refused.json() == {"ok": False, "error": "invalid_auth"}
    as_form = requests.post(emulator.url + "/api/auth.test", data={"token": "xoxp-emulator-test"}, timeout=5)
    assert as_form.json()["user_id"] == "UE0OWNER01"
    assert requests.post(emulator.url + "/api/auth.test", timeout=5).json() == {"ok": False, "error": "not_authed"}
