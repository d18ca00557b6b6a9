# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault injection for the "nothing lost" end-to-end tests, and the control API's loopback rule."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests
from slack_scim_emulator.server import Emulator, EmulatorServer, Handler, is_loopback

from conftest import TOKEN

V2_PATCH = ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]


def auth(api):
    return {"Authorization": api.session.headers["Authorization"]}


def ids(page):
    return [user.get("id") for user in page["Resources"]]


def test_a_fault_can_match_query_parameters_and_empty_one_page(v2):
    v2.control("POST", "seed", {"users": 25})
    v2.control("POST", "faults", {"action": "empty_page", "method": "GET", "path": "/scim/v2/Users",
                                  "query": {"startIndex": "11"}})
    first = v2.call("GET", "Users", params={"startIndex": 1, "count": 10}).json()
    assert len(first["Resources"]) == 10
    hit = v2.call("GET", "Users", params={"startindex": 11, "count": 10}).json()
    assert (hit["Resources"], hit["itemsPerPage"], hit["totalResults"], hit["startIndex"]) == ([], 0, 25, 11)
    again = v2.call("GET", "Users", params={"startIndex": 11, "count": 10}).json()
    assert len(again["Resources"]) == 10
    assert v2.control("GET", "log")["requests"][1]["fault"] == "empty_page"


def test_ignore_start_index_repeats_the_first_page(v1):
    v1.control("POST", "seed", {"users": 15})
    first = v1.call("GET", "Users", params={"count": 10}).json()
    v1.control("POST", "faults", {"action": "ignore_start_index", "query": {"startIndex": "11"}})
    repeated = v1.call("GET", "Users", params={"startIndex": 11, "count": 10}).json()
    assert ids(repeated) == ids(first) and repeated["startIndex"] == 1 and repeated["totalResults"] == 15


def test_strip_ids_removes_one_items_id(v2):
    v2.control("POST", "seed", {"users": 3, "groups": 2})
    v2.control("POST", "faults", {"action": "strip_ids", "path": "/scim/v2/Groups", "index": 1})
    groups = v2.call("GET", "Groups").json()["Resources"]
    assert ["id" in group for group in groups] == [True, False]
    assert groups[1]["displayName"]
    assert all("id" in user for user in v2.call("GET", "Users").json()["Resources"])


@pytest.mark.parametrize("status, method", [(302, "PATCH"), (303, "DELETE"), (307, "POST")])
def test_redirect_answers_3xx_and_applies_nothing(v2, status, method):
    user = v2.create_user("carly")
    location = "https://elsewhere.example/scim/v2/Users"
    v2.control("POST", "faults", {"action": "redirect", "status": status, "location": location, "method": method})
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}]}
    path = {"POST": "Users", "PATCH": "Users/" + user["id"], "DELETE": "Users/" + user["id"]}[method]
    if method == "POST":
        body = {"schemas": v2.schema(), "userName": "dan", "emails": [{"value": "dan@example.com"}]}
    response = v2.call(method, path, body if method != "DELETE" else None, allow_redirects=False)
    assert response.status_code == status and response.headers["Location"] == location
    state = v2.control("GET", "state")["users"]
    assert [(u["userName"], u["active"]) for u in state] == [("carly", True)]


def test_drip_sends_a_valid_answer_slowly(v2):
    v2.control("POST", "faults", {"action": "drip", "bytes_per_second": 1000, "path": "/scim/v2/ServiceProviderConfig"})
    started = time.monotonic()
    # A per-read timeout far below the total: every byte comes in time, so the answer arrives whole.
    response = requests.get(v2.url("ServiceProviderConfig"), timeout=0.3)
    elapsed = time.monotonic() - started
    size = len(response.content)
    assert response.status_code == 200 and response.json()["filter"]["supported"] is False
    assert size > 300 and elapsed >= size / 1000.0 * 0.9


def test_a_client_giving_up_on_a_drip_does_not_hurt_the_emulator(v2):
    v2.control("POST", "faults", {"action": "drip", "bytes_per_second": 20})
    response = requests.get(v2.url("Users"), headers=auth(v2), timeout=5, stream=True)
    assert response.raw.read(2) == b"{\""
    response.close()
    started = time.monotonic()
    assert v2.call("GET", "Users").status_code == 200
    seconds = time.monotonic() - started
    assert seconds < 15, "a listing after a drip fault took %.1f s" % seconds  # wide margin: a loaded machine


@pytest.mark.parametrize("chunked", [False, True])
def test_huge_streams_a_big_valid_answer(v1, chunked):
    v1.control("POST", "faults", {"action": "huge", "size_mb": 3, "chunked": chunked})
    response = v1.call("GET", "Users", stream=True)
    assert response.status_code == 200
    if chunked:
        assert "Content-Length" not in response.headers and response.headers["Transfer-Encoding"] == "chunked"
    else:
        assert response.headers["Content-Length"] == str(3 * 1024 * 1024)
    data = response.raw.read(decode_content=False) if not chunked else b"".join(response.iter_content(65536))
    assert len(data) == 3 * 1024 * 1024
    assert json.loads(data)["Resources"] == []


def test_echo_auth_quotes_the_authorization_header(api):
    api.control("POST", "faults", {"action": "echo_auth"})
    response = api.call("GET", "Users")
    assert response.status_code == 400
    text = response.json()["Errors"]["description"] if api.version == "v1" else response.json()["detail"]
    assert "Bearer " + TOKEN in text
    api.control("POST", "faults", {"action": "echo_auth", "status": 502})
    assert api.call("GET", "Users").status_code == 502


def test_drop_after_applies_group_create_and_delete(api):
    user = api.create_user("carly")
    api.control("POST", "faults", {"action": "drop_after", "method": "POST", "path": "/scim/%s/Groups" % api.version})
    body = {"schemas": api.group_schema(), "displayName": "Eng", "members": [{"value": user["id"]}]}
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(api.url("Groups"), json=body, headers=auth(api), timeout=5)
    groups = api.call("GET", "Groups").json()["Resources"]
    assert [g["displayName"] for g in groups] == ["Eng"]
    api.control("POST", "faults", {"action": "drop_after", "method": "DELETE"})
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.delete(api.url("Groups/" + groups[0]["id"]), headers=auth(api), timeout=5)
    assert api.call("GET", "Groups/" + groups[0]["id"]).status_code == 404


@pytest.mark.parametrize("spec", [
    {"action": "redirect", "status": 302},
    {"action": "redirect", "status": 200, "location": "https://x.example/"},
    {"action": "drip", "bytes_per_second": 0},
    {"action": "drip", "bytes_per_second": "nan"},
    {"action": "huge", "size_mb": -1},
    {"action": "nonsense"},
    {"action": "empty_page", "query": ["startIndex"]},
    {"action": "hide_user"},
    {"action": "total_results", "total": "20"},
])
def test_bad_fault_specs_are_refused(emulator, spec):
    response = requests.post(emulator.url + "/_control/faults", json=spec, timeout=5)
    assert response.status_code == 400 and response.json()["error"]


def test_faults_are_listed_with_their_parameters(v2):
    listed = v2.control("POST", "faults", [
        {"action": "redirect", "location": "https://x.example/", "query": {"startIndex": "2"}},
        {"action": "huge", "size_mb": 300, "chunked": True}])["faults"]
    assert listed[0]["location"] == "https://x.example/" and listed[0]["status"] == 302
    assert listed[0]["query"] == {"startindex": "2"}
    assert (listed[1]["size_mb"], listed[1]["chunked"]) == (300, True)


# -- issue 23: a listing that lies -------------------------------------------------------------------

def test_hide_user_leaves_a_user_out_of_listings_but_not_out_of_filters(api):
    hidden = api.create_user("hidden")
    api.create_user("shown")
    api.control("POST", "faults", {"action": "hide_user", "user_name": "hidden", "count": 3})
    listing = api.call("GET", "Users").json()
    assert [u["userName"] for u in listing["Resources"]] == ["shown"] and listing["totalResults"] == 1
    found = api.call("GET", "Users", params={"filter": 'userName eq "hidden"'}).json()
    assert ids(found) == [hidden["id"]]
    assert api.call("GET", "Users/" + hidden["id"]).status_code == 200
    assert api.control("GET", "faults")["faults"][0]["count"] == 2  # the filter and the read took none


def test_total_results_lies_about_the_total(v2):
    v2.control("POST", "seed", {"users": 30})
    v2.control("POST", "faults", {"action": "total_results", "total": 20, "path": "/scim/v2/Users"})
    page = v2.call("GET", "Users", params={"startIndex": 11, "count": 10}).json()
    assert (len(page["Resources"]), page["totalResults"]) == (10, 20)


def test_list_as_string_answers_a_string_where_a_list_belongs(api):
    api.create_user("carly", "carly@example.com")
    api.control("POST", "faults", {"action": "list_as_string", "path": "/scim/%s/Users" % api.version})
    assert api.call("GET", "Users").json()["Resources"][0]["emails"] == "carly@example.com"


def test_strict_remove_refuses_slacks_removal_form_and_applies_the_rfc_one(v2):
    users = [v2.create_user("u%d" % i)["id"] for i in range(2)]
    group = v2.create_group("Eng", users)
    v2.control("POST", "faults", {"action": "strict_remove", "count": 5, "path": "/scim/v2/Groups"})
    slack_form = v2.call("PATCH", "Groups/" + group["id"], {"schemas": V2_PATCH, "Operations": [
        {"op": "remove", "path": "members", "value": [{"value": users[0]}]}]})
    assert slack_form.status_code == 400 and "invalidValue" in slack_form.json()["detail"]
    rfc_form = v2.call("PATCH", "Groups/" + group["id"], {"schemas": V2_PATCH, "Operations": [
        {"op": "remove", "path": 'members[value eq "%s"]' % users[0]}]})
    assert rfc_form.status_code == 200 and [m["value"] for m in rfc_form.json()["members"]] == [users[1]]


# -- the control API answers loopback peers only ----------------------------------------------------

@pytest.mark.parametrize("host, expected", [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("10.0.0.5", False), ("192.0.2.10", False), ("0.0.0.0", False), ("::ffff:192.0.2.1", False),
    ("fe80::1%eth0", False), ("not-an-address", False),
])
def test_loopback_predicate(host, expected):
    assert is_loopback(host) is expected


def test_control_api_refuses_other_peers_even_on_all_interfaces(monkeypatch):
    server = EmulatorServer(("0.0.0.0", 0), Emulator(token=TOKEN, rate_limit_scale=0))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    base = "http://127.0.0.1:%d" % server.server_address[1]
    try:
        assert requests.post(base + "/_control/reset", timeout=5).status_code == 200
        monkeypatch.setattr(Handler, "_peer_host", lambda self: "192.0.2.10")
        refused = requests.post(base + "/_control/reset", timeout=5)
        assert refused.status_code == 403 and "loopback" in refused.json()["error"]
        assert requests.get(base + "/_control/state", timeout=5).status_code == 403
        # SCIM itself still answers (with its token).
        answer = requests.get(base + "/scim/v2/Users", headers={"Authorization": "Bearer " + TOKEN}, timeout=5)
        assert answer.status_code == 200
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("body", [
    {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ["replace"]},
    {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": {"op": "add"}},
    {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
     "Operations": [{"op": "add", "path": "members", "value": "UE00000001"}]},
    {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
     "Operations": [{"op": "add", "value": {"members": [None]}}]},
])
def test_malformed_group_patches_are_refused_not_crashed(v2, body):
    group = v2.create_group("Eng")
    response = v2.call("PATCH", "Groups/" + group["id"], body)
    assert response.status_code == 400 and response.json()["detail"] == "invalid_request_payload"


def test_an_emulator_bug_answers_500(v2, emulator, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(emulator.emulator.store, "search", broken)
    response = v2.call("GET", "Users")
    assert (response.status_code, response.json()["detail"]) == (500, "internal_error")
    assert v2.call("GET", "ServiceProviderConfig").status_code == 200
