# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import io
import json
import os
import re
import socket
import threading
import time
import warnings
from unittest import mock

import pytest
import requests
import responses
import urllib3

from ansible_collections.scim.slack.plugins.module_utils import _client
from ansible_collections.scim.slack.plugins.module_utils._client import (
    SCIMClient,
    insecure_url_warning,
)
from ansible_collections.scim.slack.plugins.module_utils._errors import IncompleteListingError, ScimError
from ansible_collections.scim.slack.plugins.module_utils._version import COLLECTION_VERSION

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN, body_of, page, query_of

CORE = {"v1": "urn:scim:schemas:core:1.0", "v2": "urn:ietf:params:scim:schemas:core:2.0:User"}
GROUP_CORE = {"v1": "urn:scim:schemas:core:1.0", "v2": "urn:ietf:params:scim:schemas:core:2.0:Group"}
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def user(uid, name, email=None, active=True):
    return {"id": uid, "userName": name, "active": active,
            "emails": [{"value": email or "%s@example.com" % name, "primary": True}]}


# -- headers and construction ---------------------------------------------------------------

def test_sends_bearer_token_user_agent_and_json(mocked, make_client):
    mocked.get(BASE % "v2" + "Users/U1", json=user("U1", "carly"))
    client = make_client()
    assert client.read_user("U1")["userName"] == "carly"
    headers = mocked.calls[0].request.headers
    assert headers["Authorization"] == "Bearer " + TOKEN
    assert headers["User-Agent"].startswith("scim.slack/%s " % COLLECTION_VERSION)
    assert headers["Accept"] == "application/json"


def test_version_constant_matches_galaxy_yml():
    galaxy = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "galaxy.yml")
    with open(galaxy) as handle:
        version = re.search(r"^version:\s*(\S+)", handle.read(), re.M).group(1)
    assert version == COLLECTION_VERSION


def test_default_base_url_follows_api_version():
    assert SCIMClient(TOKEN).base_url == "https://api.slack.com/scim/v2/"
    assert SCIMClient(TOKEN, api_version="v1").base_url == "https://api.slack.com/scim/v1/"
    assert SCIMClient(TOKEN, base_url="http://127.0.0.1:9/scim/v2").base_url == "http://127.0.0.1:9/scim/v2/"


def test_rejects_unknown_api_version_and_missing_token():
    with pytest.raises(ValueError, match="api_version"):
        SCIMClient(TOKEN, api_version="v3")
    with pytest.raises(ScimError, match="token is required"):
        SCIMClient("")


def test_tls_verification_is_on_by_default():
    assert SCIMClient(TOKEN)._session.verify is True
    assert SCIMClient(TOKEN, validate_certs=False)._session.verify is False


# -- users ------------------------------------------------------------------------------------

def test_search_users_passes_filter_and_paging(mocked, make_client, api_version):
    mocked.get(BASE % api_version + "Users", json=page([user("U1", "carly")], 1))
    result = make_client(api_version).search_users(filter='userName eq "Carly"', start_index=3, count=5000)
    assert result["Resources"][0]["id"] == "U1"
    assert query_of(mocked.calls[0]) == {"filter": 'userName eq "Carly"', "startIndex": "3", "count": "1000"}


def test_create_user_adds_the_dialect_schemas(mocked, make_client, api_version):
    mocked.post(BASE % api_version + "Users", json=user("U1", "carly"), status=201)
    client = make_client(api_version)
    enterprise = client.dialect.enterprise_urn
    client.create_user({"userName": "carly", "emails": [{"value": "c@example.com"}], enterprise: {"department": "X"}})
    sent = body_of(mocked.calls[0])
    assert sent["schemas"] == [CORE[api_version], enterprise]
    assert sent["userName"] == "carly"
    assert mocked.calls[0].request.headers["Content-Type"].startswith("application/json")


def test_patch_user_v1_is_a_partial_resource_with_removals(mocked, make_client):
    mocked.patch(BASE % "v1" + "Users/U1", json=user("U1", "carly"))
    client = make_client("v1")
    client.patch_user("U1", {"title": "CEO", "name": {"givenName": "Carly", "familyName": None},
                             "urn:scim:schemas:extension:enterprise:1.0": {"department": None, "division": "R&D"}})
    assert body_of(mocked.calls[0]) == {
        "schemas": ["urn:scim:schemas:core:1.0", "urn:scim:schemas:extension:enterprise:1.0"],
        "title": "CEO",
        "name": {"givenName": "Carly"},
        "urn:scim:schemas:extension:enterprise:1.0": {"division": "R&D"},
        "meta": {"attributes": ["name.familyName", "urn:scim:schemas:extension:enterprise:1.0.department"]},
    }


def test_patch_user_v2_is_a_patchop_with_replace_and_remove(mocked, make_client):
    mocked.patch(BASE % "v2" + "Users/U1", json=user("U1", "carly"))
    client = make_client("v2")
    ent = client.dialect.enterprise_urn
    client.patch_user("U1", {"title": "CEO", "nickName": None, ent: {"department": None, "division": "R&D"}})
    assert body_of(mocked.calls[0]) == {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "path": "title", "value": "CEO"},
        {"op": "replace", "path": ent, "value": {"division": "R&D"}},
        {"op": "remove", "path": "nickName"},
        {"op": "remove", "path": ent + ":department"},
    ]}


def test_patch_user_v2_sends_a_ready_patchop_unchanged(mocked, make_client):
    mocked.patch(BASE % "v2" + "Users/U1", json=user("U1", "carly"))
    ops = [{"op": "add", "path": "emails", "value": [{"value": "x@example.com"}]}]
    make_client("v2").patch_user("U1", {"Operations": ops})
    assert body_of(mocked.calls[0]) == {"schemas": [PATCH_OP], "Operations": ops}


def test_update_user_puts_to_the_id_inside_the_resource(mocked, make_client, api_version):
    mocked.put(BASE % api_version + "Users/U9", json=user("U9", "carly"))
    make_client(api_version).update_user({"id": "U9", "userName": "carly", "active": True, "meta": {"x": 1}})
    sent = body_of(mocked.calls[0])
    assert sent["id"] == "U9" and sent["active"] is True and "meta" not in sent
    assert sent["schemas"] == [CORE[api_version]]


def test_update_user_without_id_fails_before_sending(make_client):
    with pytest.raises(ScimError, match="invalid resource id"):
        make_client().update_user({"userName": "carly"})


def test_delete_user_and_activation(mocked, make_client, api_version):
    mocked.delete(BASE % api_version + "Users/U1", status=204)
    mocked.patch(BASE % api_version + "Users/U1", json=user("U1", "carly"))
    client = make_client(api_version)
    assert client.delete_user("U1") is None
    client.patch_user("U1", {"active": True})
    sent = body_of(mocked.calls[1])
    if api_version == "v1":
        assert sent == {"schemas": [CORE["v1"]], "active": True}
    else:
        assert sent == {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": True}]}


def test_get_user_returns_none_when_missing(mocked, make_client, api_version):
    mocked.get(BASE % api_version + "Users/U404", status=404,
               json={"Errors": {"description": "no_such_user", "code": 404}})
    assert make_client(api_version).get_user("U404") is None


def test_read_user_raises_when_missing(mocked, make_client):
    mocked.get(BASE % "v2" + "Users/U404", status=404, json={"detail": "no_such_user", "status": 404})
    with pytest.raises(ScimError) as caught:
        make_client().read_user("U404")
    assert caught.value.status == 404 and caught.value.error == "no_such_user" and caught.value.is_not_found


@pytest.mark.parametrize("bad_id", ["", None, "U1/../Groups", "U1?x=1"])
def test_ids_that_would_change_the_path_are_refused(make_client, bad_id):
    with pytest.raises(ScimError, match="invalid resource id"):
        make_client().read_user(bad_id)


# -- groups -----------------------------------------------------------------------------------

def test_group_crud(mocked, make_client, api_version):
    base = BASE % api_version
    group = {"id": "S1", "displayName": "eng", "members": []}
    mocked.post(base + "Groups", json=group, status=201)
    mocked.get(base + "Groups/S1", json=group)
    mocked.put(base + "Groups/S1", json=group)
    mocked.delete(base + "Groups/S1", status=204)
    client = make_client(api_version)
    assert client.create_group({"displayName": "eng"})["id"] == "S1"
    assert client.read_group("S1")["displayName"] == "eng"
    client.update_group({"id": "S1", "displayName": "eng", "members": [{"value": "U1"}]})
    assert client.delete_group("S1") is None
    assert body_of(mocked.calls[0]) == {"displayName": "eng", "schemas": [GROUP_CORE[api_version]]}
    assert body_of(mocked.calls[2])["members"] == [{"value": "U1"}]


def test_patch_group_v1_answers_204_without_body(mocked, make_client):
    mocked.patch(BASE % "v1" + "Groups/S1", status=204)
    client = make_client("v1")
    partial = {"displayName": "new", "members": [{"value": "U1"}, {"value": "U2", "operation": "delete"}]}
    assert client.patch_group("S1", partial) is None
    assert body_of(mocked.calls[0]) == dict(partial, schemas=[GROUP_CORE["v1"]])


def test_patch_group_v2_turns_a_partial_group_into_operations(mocked, make_client):
    mocked.patch(BASE % "v2" + "Groups/S1", json={"id": "S1", "displayName": "new", "members": []})
    make_client("v2").patch_group(
        "S1", {"displayName": "new", "members": [{"value": "U1"}, {"value": "U2", "operation": "delete"}]})
    assert body_of(mocked.calls[0])["Operations"] == [
        {"op": "replace", "path": "displayName", "value": "new"},
        {"op": "add", "path": "members", "value": [{"value": "U1"}]},
        {"op": "remove", "path": "members", "value": [{"value": "U2"}]},
    ]


def test_member_changes_are_batched(mocked, make_client, api_version):
    url = BASE % api_version + "Groups/S1"
    for dummy in range(3):
        mocked.patch(url, status=204)
    make_client(api_version).update_group_members(
        "S1", add=["U1", "U2", "U3"], remove=["U4", "U5"], display_name="ops", batch_size=2)
    bodies = [body_of(call) for call in mocked.calls]
    assert len(bodies) == 3
    if api_version == "v1":
        assert bodies[0]["displayName"] == "ops" and "displayName" not in bodies[1]
        assert [len(b["members"]) for b in bodies] == [2, 2, 1]
        assert bodies[1]["members"] == [{"value": "U3"}, {"value": "U4", "operation": "delete"}]
    else:
        assert bodies[0]["Operations"][0] == {"op": "replace", "path": "displayName", "value": "ops"}
        assert bodies[1]["Operations"] == [{"op": "add", "path": "members", "value": [{"value": "U3"}]},
                                           {"op": "remove", "path": "members", "value": [{"value": "U4"}]}]
        assert bodies[2]["Operations"] == [{"op": "remove", "path": "members", "value": [{"value": "U5"}]}]


def test_rename_only_sends_one_patch_and_no_change_sends_nothing(mocked, make_client):
    mocked.patch(BASE % "v2" + "Groups/S1", json={"id": "S1", "displayName": "ops"})
    client = make_client()
    assert client.update_group_members("S1", display_name="ops")["displayName"] == "ops"
    assert client.update_group_members("S1") is None
    assert len(mocked.calls) == 1


def test_service_provider_config_path(mocked, make_client, api_version):
    path = {"v1": "ServiceProviderConfigs", "v2": "ServiceProviderConfig"}[api_version]
    mocked.get(BASE % api_version + path, json={"authenticationSchemes": []})
    assert make_client(api_version).service_provider_config() == {"authenticationSchemes": []}


# -- paging -----------------------------------------------------------------------------------

def test_paging_advances_by_items_received_and_stops_at_total(mocked, make_client, api_version):
    url = BASE % api_version + "Users"
    # The server honours only 2 per page although 1000 were asked for.
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 5, 1))
    mocked.get(url, json=page([user("U3", "c"), user("U4", "d")], 5, 3))
    mocked.get(url, json=page([user("U5", "e")], 5, 5))
    ids = [u["id"] for u in make_client(api_version).iter_users()]
    assert ids == ["U1", "U2", "U3", "U4", "U5"]
    assert [query_of(c)["startIndex"] for c in mocked.calls] == ["1", "3", "5"]
    assert {query_of(c)["count"] for c in mocked.calls} == {"1000"}


def test_paging_dedupes_an_item_shifted_onto_the_next_page(mocked, make_client):
    url = BASE % "v2" + "Users"
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 3))
    mocked.get(url, json=page([user("U2", "b"), user("U3", "c")], 3, 3))  # U2 again: the pages overlap
    mocked.get(url, json=page([], 3, 5))  # a full page asks for the next one
    assert [u["id"] for u in make_client().iter_users(count=2)] == ["U1", "U2", "U3"]
    assert [query_of(c)["startIndex"] for c in mocked.calls] == ["1", "3", "5"]


@pytest.mark.parametrize("pages, message", [
    # 30 users in pages of 10 that say there are 20: the full second page asks for the third.
    ([(0, 10, 20), (10, 20, 20), (20, 30, 20), (30, 30, 20)], "30 users received, more than its totalResults 20"),
    # 20 users that say there are 30, in two full pages and an empty one.
    ([(0, 10, 30), (10, 20, 30), (20, 20, 30)], "20 of 30 users received (totalResults 30)"),
])
def test_a_listing_that_disagrees_with_its_total_either_way_fails_as_incomplete(mocked, make_client, pages, message):
    url = BASE % "v2" + "Users"
    for dummy in range(2):
        for first, last, total in pages:
            mocked.get(url, json=page([user("U%d" % n, "u%d" % n) for n in range(first, last)], total, first + 1))
    client = make_client()
    with pytest.raises(IncompleteListingError, match=re.escape(message)):
        list(client.iter_users(count=10))
    assert client.listing_retries == 1 and len(mocked.calls) == 2 * len(pages)


def test_a_total_too_small_by_pages_past_the_bound_fails_as_incomplete(mocked, make_client):
    url = BASE % "v2" + "Users"
    for start in range(0, 40, 10):  # more users than the 20 they say: the bound is ceil(20 / 10) + 2 = 4 pages
        mocked.get(url, json=page([user("U%d" % n, "u%d" % n) for n in range(start, start + 10)], 20, start + 1))
    with pytest.raises(IncompleteListingError, match="40 users received, more than its totalResults 20, and the pages"):
        list(make_client().iter_users(count=10))
    assert len(mocked.calls) == 4


def test_paging_without_total_reads_until_empty(mocked, make_client):
    url = BASE % "v2" + "Groups"
    mocked.get(url, json={"Resources": [{"id": "S1"}]})
    mocked.get(url, json={"Resources": []})
    assert [g["id"] for g in make_client().iter_groups()] == ["S1"]


def test_paging_has_a_hard_bound(make_client):
    served = []

    def endless(request):
        # A broken server: every page is new and claims ten more results than the last.
        served.append(1)
        n = len(served)
        return 200, {}, json.dumps(page([user("U%d" % n, "u%d" % n)], 10 * n, n))

    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, BASE % "v2" + "Users", callback=endless)
        with pytest.raises(ScimError, match="paging did not end after 12 pages"):
            list(make_client().iter_users())
    assert len(served) == 12  # ceil(10 / 1) + 2, from the first page's totalResults


def test_paging_limit_stops_early(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", json=page([user("U1", "a"), user("U2", "b")], 100))
    assert len(list(make_client().iter_users(limit=1))) == 1
    assert len(mocked.calls) == 1


# -- finders ----------------------------------------------------------------------------------

def test_find_user_by_user_name_uses_one_filtered_search(mocked, make_client, api_version):
    mocked.get(BASE % api_version + "Users", json=page([user("U1", "carly")], 1))
    found = make_client(api_version).find_user_by_user_name("Carly")
    assert found["id"] == "U1"
    assert query_of(mocked.calls[0])["filter"] == 'userName eq "Carly"'
    assert len(mocked.calls) == 1


def test_find_user_by_email_checks_matches_client_side(mocked, make_client, api_version):
    attribute = {"v1": "email", "v2": "emails"}[api_version]
    mocked.get(BASE % api_version + "Users", json=page(
        [user("U1", "carly", "Carly@Example.com"), user("U2", "carl", "carl@example.com")], 2))
    found = make_client(api_version).find_user_by_email("carly@example.COM")
    assert found["id"] == "U1"
    assert query_of(mocked.calls[0])["filter"] == '%s eq "carly@example.COM"' % attribute


def test_finder_fails_on_more_than_one_match(mocked, make_client):
    groups = [{"id": "S1", "displayName": "Eng"}, {"id": "S2", "displayName": "eng"}]
    mocked.get(BASE % "v2" + "Groups", json=page(groups, 2))
    with pytest.raises(ScimError, match="2 groups match displayName 'eng': S1, S2"):
        make_client().find_group_by_display_name("eng")


def test_finder_falls_back_to_a_scan_when_the_filter_is_rejected(mocked, make_client):
    url = BASE % "v2" + "Groups"
    mocked.get(url, status=400, json={"Errors": {"description": "invalid_query", "code": 400}},
               match=[responses.matchers.query_param_matcher(
                   {"filter": 'displayName eq "Ops"', "startIndex": "1", "count": "1000"})])
    mocked.get(url, json=page([{"id": "S1", "displayName": "eng"}, {"id": "S2", "displayName": "ops"}], 2))
    assert make_client().find_group_by_display_name("Ops")["id"] == "S2"
    assert "filter" not in query_of(mocked.calls[1])


def test_finder_returns_none_and_does_not_scan_when_nothing_matches(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", json=page([], 0))
    assert make_client().find_user_by_user_name("nobody") is None
    assert len(mocked.calls) == 1


def test_finder_raises_other_errors(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", status=401,
               json={"Errors": {"description": "invalid_authentication", "code": 401}})
    with pytest.raises(ScimError) as caught:
        make_client().find_user_by_user_name("carly")
    assert caught.value.status == 401
    assert "token" in str(caught.value)


# -- the seed SDK's example, replayed ------------------------------------------------------------

def test_seed_sdk_example_flow(mocked, make_client):
    base = BASE % "v1"
    carly = user("W1", "cal", "carly@example.com")
    mocked.get(base + "Users", json=page([carly], 1))
    mocked.post(base + "Users", json=carly, status=201)
    mocked.patch(base + "Users/W1", json=dict(carly, userName="carly"))
    mocked.put(base + "Users/W1", json=carly)
    mocked.delete(base + "Users/W1", json=dict(carly, active=False))
    client = make_client("v1")
    assert client.search_users(filter='userName Eq "Carly"', start_index=1, count=10)["totalResults"] == 1
    created = client.create_user({"userName": "cal", "name": {"givenName": "C", "familyName": "Henderson"},
                                  "emails": [{"value": "carly@example.com"}]})
    patched = client.patch_user(created["id"], {"userName": "carly"})
    patched["name"] = {"givenName": "Cal", "familyName": "Henderson"}
    client.update_user(patched)
    assert client.delete_user(created["id"])["active"] is False
    assert [c.request.method for c in mocked.calls] == ["GET", "POST", "PATCH", "PUT", "DELETE"]


# -- auth.test (Web API, for slack_scim_sync's purge) ---------------------------------------------------

@pytest.mark.parametrize("base, expected", [
    ("https://api.slack.com/scim/v2/", "https://slack.com/api/auth.test"),
    ("https://api.slack-gov.com/scim/v1/", "https://slack-gov.com/api/auth.test"),
    ("http://127.0.0.1:8765/scim/v2/", "http://127.0.0.1:8765/api/auth.test"),
])
def test_web_api_url_beside_the_scim_base(base, expected):
    assert SCIMClient(TOKEN, base_url=base, api_version=base.rstrip("/")[-2:]).web_api_url("auth.test") == expected


def test_web_api_url_where_the_option_puts_it():
    client = SCIMClient(TOKEN, base_url="https://scim-gateway.example/scim/v2/",
                        web_api_url="https://web-gateway.example/slack/api")
    assert client.web_api_url("admin.teams.list") == "https://web-gateway.example/slack/api/admin.teams.list"
    assert SCIMClient(TOKEN, base_url="https://scim-gateway.example/scim/v2/",
                      web_api_url="http://web-gateway.example/api/").cleartext_warning.startswith(
        "web_api_url http://web-gateway.example/api/ is plain http:// to web-gateway.example")


def test_auth_test_is_a_post_with_the_token_in_the_header(mocked, make_client):
    mocked.post("https://scim.test/api/auth.test", json={"ok": True, "user_id": "W0TOKEN1", "team_id": "E0ORG"})
    assert make_client().auth_test()["user_id"] == "W0TOKEN1"
    call = mocked.calls[0]
    assert call.request.method == "POST"
    assert call.request.headers["Authorization"] == "Bearer " + TOKEN
    assert TOKEN not in call.request.url and not call.request.body
    mocked.post("https://scim.test/api/auth.test", json={"ok": False, "error": "invalid_auth"})
    with pytest.raises(ScimError, match="auth.test failed: invalid_auth"):
        make_client().auth_test()


# -- short listings are never taken as the whole directory (issue 14.1) ------------------------------

def test_a_short_listing_is_listed_again_once(mocked, make_client):
    url = BASE % "v2" + "Users"
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 5))
    mocked.get(url, json=page([], 5, 3))  # an empty page in the middle of the directory
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 5))
    mocked.get(url, json=page([user("U3", "c"), user("U4", "d")], 5, 3))
    mocked.get(url, json=page([user("U5", "e")], 5, 5))
    client = make_client()
    assert [u["id"] for u in client.iter_users(count=2)] == ["U1", "U2", "U3", "U4", "U5"]
    assert [query_of(c)["startIndex"] for c in mocked.calls] == ["1", "3", "1", "3", "5"]
    assert client.listing_retries == 1


def test_a_listing_short_twice_fails_saying_how_much_arrived(mocked, make_client):
    url = BASE % "v2" + "Users"
    for dummy in range(2):
        mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 2500))
        mocked.get(url, json=page([], 2500, 3))
    with pytest.raises(IncompleteListingError) as caught:
        list(make_client().iter_users(count=2))
    error = caught.value
    assert "listing was incomplete: 2 of 2500 users received (totalResults 2500)" in str(error)
    assert (error.resource, error.received, error.total, error.status, error.path) == ("Users", 2, 2500, None, "/Users")
    assert error.to_dict()["received"] == 2 and error.to_dict()["total_results"] == 2500
    assert isinstance(error, ScimError) and len(mocked.calls) == 4


def test_a_server_ignoring_start_index_is_never_progress(mocked, make_client):
    url = BASE % "v2" + "Groups"
    first = page([{"id": "S1", "displayName": "a"}, {"id": "S2", "displayName": "b"}], 5)
    for dummy in range(4):
        mocked.get(url, json=first)  # every page is page 1
    with pytest.raises(IncompleteListingError, match="2 of 5 groups received"):
        list(make_client().iter_groups(count=2))
    assert [query_of(c)["startIndex"] for c in mocked.calls] == ["1", "3", "1", "3"]


def test_pages_yields_each_item_once_across_the_second_listing(mocked, make_client):
    url = BASE % "v2" + "Users"
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 3))
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 3, 3))  # repeated: no new id
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 3))
    mocked.get(url, json=page([user("U3", "c")], 3, 3))
    pages = list(make_client().pages("Users", count=2))
    assert [[item["id"] for item in p["Resources"]] for p in pages] == [["U1", "U2"], ["U3"]]
    assert pages[0]["totalResults"] == 3


def test_a_limited_listing_is_not_short(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", json=page([user("U1", "a"), user("U2", "b")], 100))
    client = make_client()
    assert [u["id"] for u in client.iter_users(limit=2)] == ["U1", "U2"]
    assert len(mocked.calls) == 1 and client.listing_retries == 0


def test_finders_fail_on_a_short_listing_instead_of_finding_nothing(mocked, make_client):
    url = BASE % "v2" + "Users"
    for dummy in range(2):
        mocked.get(url, json=page([], 1))  # the filter matched one user, but none arrived
    with pytest.raises(IncompleteListingError, match="0 of 1 users received"):
        make_client().find_user_by_email("carly@example.com")


def test_a_listed_item_without_id_is_named(mocked, make_client):
    ghost = {"schemas": [CORE["v2"]], "meta": {"created": "2026-11-27T09:16:09+00:00", "location": "x" * 100},
             "userName": "ghost"}
    mocked.get(BASE % "v2" + "Users", json=page([user("U1", "a"), ghost], 2))
    with pytest.raises(ScimError, match=r"the page lists an item without an id \(item 2, userName 'ghost'\): "):
        list(make_client().iter_users())


def test_a_listed_group_without_id_is_named_by_display_name(mocked, make_client):
    mocked.get(BASE % "v1" + "Groups", json=page([{"displayName": "Eng", "members": []}], 1))
    with pytest.raises(ScimError, match=r"item 1, displayName 'Eng'\): \{"):
        list(make_client("v1").iter_groups())


# -- answers per method (issue 12.7) -------------------------------------------------------------------

def test_v1_user_delete_answers_200_with_an_empty_body(mocked, make_client):
    mocked.delete(BASE % "v1" + "Users/U1", status=200, body="", content_type="application/json")
    mocked.delete(BASE % "v1" + "Users/U2", status=200, body="  \n", content_type="application/json")
    client = make_client("v1")
    assert client.delete_user("U1") is None
    assert client.delete_user("U2") is None


@pytest.mark.parametrize("path, call", [("Users/U1", "delete_user"), ("Groups/S1", "delete_group")])
def test_v2_deletes_answer_204(mocked, make_client, path, call):
    mocked.delete(BASE % "v2" + path, status=204)
    assert getattr(make_client("v2"), call)(path.split("/")[1]) is None


def test_v1_group_patch_answers_204_and_v2_200_with_the_group(mocked, make_client):
    mocked.patch(BASE % "v1" + "Groups/S1", status=204)
    mocked.patch(BASE % "v2" + "Groups/S1", json={"id": "S1", "displayName": "eng", "members": [{"value": "U1"}]})
    assert make_client("v1").update_group_members("S1", add=["U1"]) is None
    group = make_client("v2").update_group_members("S1", add=["U1"])
    assert group["members"] == [{"value": "U1"}]


def test_a_patch_answered_200_with_an_empty_body_is_fine(mocked, make_client):
    mocked.patch(BASE % "v1" + "Users/U1", status=200, body="")
    assert make_client("v1").patch_user("U1", {"active": False}) is None


# -- member removal never empties a group (issue 12.10) --------------------------------------------

def test_a_ready_patchop_removing_all_members_is_refused_before_sending(mocked, make_client):
    with pytest.raises(ScimError) as caught:
        make_client().patch_group("S1", {"Operations": [{"op": "remove", "path": "members"}]})
    assert caught.value.request_sent is False and "empties the group" in str(caught.value)
    assert len(mocked.calls) == 0


def test_v2_member_removal_on_the_wire(mocked, make_client):
    mocked.patch(BASE % "v2" + "Groups/S1", json={"id": "S1", "displayName": "eng", "members": []})
    make_client().update_group_members("S1", remove=["U1", "U2"])
    assert body_of(mocked.calls[0])["Operations"] == [
        {"op": "remove", "path": "members", "value": [{"value": "U1"}, {"value": "U2"}]}]


# -- display names are matched on the client (issue 12.11) -----------------------------------------

def test_users_with_display_name_sends_no_display_name_filter(mocked, make_client):
    users = [dict(user("U1", "a"), displayName="Carly H"), dict(user("U2", "b"), displayName="carly h"),
             dict(user("U3", "c"), displayName="Dana")]
    mocked.get(BASE % "v2" + "Users", json=page(users, 3))
    found = make_client().users_with_display_name("CARLY H")
    assert [u["id"] for u in found] == ["U1", "U2"]
    assert "filter" not in query_of(mocked.calls[0])


def test_find_users_takes_a_predicate_and_a_limit(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", json=page([user("U1", "a", active=False), user("U2", "b"),
                                                 user("U3", "c", active=False)], 3))
    assert [u["id"] for u in make_client().find_users(lambda u: not u["active"], limit=1)] == ["U1"]


# -- api_version against api_url (issue 13.7) --------------------------------------------------------

@pytest.mark.parametrize("version, url", [("v1", "https://api.slack.com/scim/v2/"),
                                          ("v2", "https://api.slack.com/scim/v1")])
def test_a_contradicting_api_version_fails_before_any_request(mocked, version, url):
    with pytest.raises(ScimError) as caught:
        SCIMClient(TOKEN, api_version=version, base_url=url)
    assert caught.value.request_sent is False
    assert "api_version is %s but api_url %s" % (version, url) in str(caught.value)
    assert len(mocked.calls) == 0


def test_a_gateway_url_is_taken_as_given():
    assert SCIMClient(TOKEN, api_version="v1", base_url="https://gw.example.com/slack").base_url == \
        "https://gw.example.com/slack/"


# -- timeout and retries.max_wait are checked (issue 14.8) ------------------------------------------

@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), 1e300, 0, -1, 3601, "soon", None, True])
def test_an_unusable_timeout_is_refused_naming_it(timeout):
    with pytest.raises(ScimError) as caught:
        SCIMClient(TOKEN, timeout=timeout)
    assert caught.value.request_sent is False
    assert str(caught.value).startswith("timeout must be a number of seconds greater than 0 and at most 3600, "
                                        "got %r" % (timeout,))


@pytest.mark.parametrize("max_wait", [float("nan"), float("inf"), -1, "x"])
def test_an_unusable_max_wait_is_refused_naming_it(max_wait):
    with pytest.raises(ScimError, match=r"retries.max_wait must be a finite number of seconds, 0 or more, got"):
        SCIMClient(TOKEN, max_wait=max_wait)


# -- TLS settings reach every request (issue 14.7) -------------------------------------------------

class RecordingAdapter(requests.adapters.HTTPAdapter):
    """Answers every request with an empty list and records the keyword arguments it was sent with."""

    def __init__(self):
        super().__init__()
        self.sent = []

    def send(self, request, **kwargs):
        self.sent.append(kwargs)
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json"
        response.raw = io.BytesIO(json.dumps(page([], 0)).encode())
        response.url = request.url
        response.request = request
        return response


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_validate_certs_false_wins_over_a_ca_bundle_in_the_environment(monkeypatch, variable):
    monkeypatch.setenv(variable, "/nonexistent/ca-bundle.pem")
    adapter = RecordingAdapter()
    session = requests.Session()
    session.mount("https://", adapter)
    client = SCIMClient(TOKEN, base_url=BASE % "v2", validate_certs=False, session=session,
                        proxy="http://proxy.example:3128")
    client.search_users()
    assert adapter.sent[0]["verify"] is False
    assert adapter.sent[0]["proxies"]["https"] == "http://proxy.example:3128"


def test_validate_certs_true_still_honours_the_ca_bundle(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/corp/ca.pem")
    adapter = RecordingAdapter()
    session = requests.Session()
    session.mount("https://", adapter)
    SCIMClient(TOKEN, base_url=BASE % "v2", session=session).search_users()
    assert adapter.sent[0]["verify"] == "/etc/corp/ca.pem"


def test_a_ca_bundle_that_does_not_exist_fails_cleanly_without_sending(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca-bundle.pem")
    client = SCIMClient(TOKEN, base_url="https://scim.invalid/scim/v2/", retry_handlers=[])
    with pytest.raises(ScimError) as caught:
        client.search_users()
    assert "REQUESTS_CA_BUNDLE" in str(caught.value) and "/nonexistent/ca-bundle.pem" in str(caught.value)
    assert caught.value.request_sent is False and TOKEN not in str(caught.value)


# -- redirects (issue 14.5) ----------------------------------------------------------------------------

@pytest.mark.parametrize("method, call", [
    ("PATCH", lambda c: c.patch_user("U1", {"active": False})),
    ("DELETE", lambda c: c.delete_user("U1")),
    ("PUT", lambda c: c.update_user({"id": "U1", "userName": "a"})),
])
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_writes_never_follow_a_redirect(mocked, make_client, method, call, status):
    mocked.add(method, BASE % "v2" + "Users/U1", status=status, headers={"Location": "https://elsewhere.example/x"})
    with pytest.raises(ScimError) as caught:
        call(make_client())
    assert len(mocked.calls) == 1
    message = str(caught.value)
    assert "%s /Users/U1 answered HTTP %d redirecting to elsewhere.example" % (method, status) in message
    assert "api_url is probably wrong" in message and caught.value.status == status


def test_a_post_redirected_to_the_same_host_is_not_followed_either(mocked, make_client):
    mocked.post(BASE % "v2" + "Users", status=307, headers={"Location": BASE % "v2" + "Users2"})
    with pytest.raises(ScimError, match="POST /Users answered HTTP 307 redirecting to scim.test"):
        make_client().create_user({"userName": "a"})
    assert len(mocked.calls) == 1


def test_a_read_follows_a_same_host_redirect_with_the_token(mocked, make_client):
    mocked.get(BASE % "v2" + "Users/U1", status=301, headers={"Location": "/scim/v2/Users/U1/"})
    mocked.get(BASE % "v2" + "Users/U1/", json=user("U1", "carly"))
    assert make_client().read_user("U1")["id"] == "U1"
    assert [c.request.headers["Authorization"] for c in mocked.calls] == ["Bearer " + TOKEN] * 2


def test_a_read_redirected_to_another_host_fails_naming_it(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", status=302, headers={"Location": "https://login.example.net/sso?next=1"})
    with pytest.raises(ScimError) as caught:
        make_client().search_users()
    message = str(caught.value)
    assert "GET /Users answered HTTP 302 redirecting to login.example.net (another host)" in message
    assert "token" in message and "set the token option" not in message
    assert len(mocked.calls) == 1


def test_a_read_redirected_to_plain_http_is_refused(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", status=301, headers={"Location": "http://scim.test/scim/v2/Users"})
    with pytest.raises(ScimError, match=r"redirecting to scim.test \(plain http\)"):
        make_client().search_users()


def test_redirect_loops_end(mocked, make_client):
    url = BASE % "v2" + "Users/U1"
    mocked.get(url, status=302, headers={"Location": url})
    with pytest.raises(ScimError, match="redirected more than 5 times"):
        make_client().read_user("U1")
    assert len(mocked.calls) == 6


@pytest.mark.parametrize("url, warned", [
    ("http://scim.example.com/scim/v2/", True),
    ("HTTP://10.0.0.5:8080/scim/v2/", True),
    ("http://localhost:8765/scim/v2/", False),
    ("http://127.0.0.1:8765/scim/v2/", False),
    ("http://127.8.9.10/scim/v2/", False),
    ("http://[::1]:8765/scim/v2/", False),
    ("https://scim.example.com/scim/v2/", False),
    (None, False),
])
def test_cleartext_warning_for_plain_http_off_this_machine(url, warned):
    warning = insecure_url_warning(url)
    assert bool(warning) is warned
    if warned:
        assert "clear text" in warning and "https://" in warning
        assert SCIMClient(TOKEN, base_url=url).cleartext_warning == warning.replace(url, url.rstrip("/") + "/")


def test_cleartext_warning_never_repeats_credentials_in_the_url():
    warning = insecure_url_warning("http://admin:hunter2@scim.example.com/scim/v2/")
    assert "hunter2" not in warning and "scim.example.com" in warning


# -- the token never leaves in an error text (issue 14.6) -----------------------------------------

def test_a_gateway_echoing_the_authorization_header_is_redacted(mocked, make_client):
    echo = "upstream refused request with headers Authorization: Bearer %s; Accept: */*" % TOKEN
    mocked.get(BASE % "v2" + "Users", status=502, json={"detail": echo, "status": 502})
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[]).search_users()
    texts = [str(caught.value), repr(caught.value), repr(caught.value.to_dict()), caught.value.detail]
    assert all(TOKEN not in text and "xoxp-" not in text for text in texts)
    assert "Authorization: Bearer <redacted>" in str(caught.value)


@pytest.mark.parametrize("prefix", ["", "x" * 90, "y" * 110])
def test_a_non_json_body_echoing_the_token_is_redacted_before_it_is_cut(mocked, make_client, prefix):
    # Cut at 120 characters, the token would otherwise leak in part.
    mocked.get(BASE % "v2" + "Users", body="<html>%s Authorization: Bearer %s</html>" % (prefix, TOKEN),
               content_type="text/html")
    with pytest.raises(ScimError) as caught:
        make_client().search_users()
    assert "not JSON" in str(caught.value)
    assert "xoxp-unit" not in str(caught.value) and TOKEN[-10:] not in str(caught.value)


def test_auth_test_failure_is_redacted(mocked, make_client):
    mocked.post("https://scim.test/api/auth.test", json={"ok": False, "error": "invalid_auth %s" % TOKEN})
    with pytest.raises(ScimError) as caught:
        make_client().auth_test()
    assert TOKEN not in str(caught.value)


# -- total deadline and size cap (issue 14.8) -------------------------------------------------------

def test_the_timeout_is_a_deadline_for_the_whole_answer(mocked, make_client):
    ticks = iter(range(0, 1000, 2))  # every look at the clock is two seconds later

    mocked.get(BASE % "v2" + "Users/U1", json=user("U1", "carly"))
    client = make_client(timeout=3, clock=lambda: float(next(ticks)), retry_handlers=[])
    with pytest.raises(ScimError) as caught:
        client.read_user("U1")
    assert "no complete answer within the timeout of 3 seconds" in str(caught.value)
    assert "Raise timeout" in str(caught.value)


def test_an_answer_over_the_size_cap_is_refused(mocked, make_client, monkeypatch):
    assert _client.MAX_BODY_BYTES == 64 * 1024 * 1024
    monkeypatch.setattr(_client, "MAX_BODY_BYTES", 100 * 1024)
    mocked.get(BASE % "v2" + "Users", body=b"[" + b" " * (200 * 1024) + b"]", content_type="application/json")
    with pytest.raises(ScimError) as caught:
        make_client().search_users()
    assert "answer larger than 100 KiB" in str(caught.value)


def test_the_size_cap_message_speaks_mib():
    assert _client._size(_client.MAX_BODY_BYTES) == "64 MiB"


def test_a_server_dripping_its_answer_is_cut_at_the_deadline():
    """A real socket: one byte every 0.1 s of a 100-byte answer would take 10 s; timeout 0.5 s ends it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve():
        conn, dummy = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
        for dummy in range(100):
            if stop.is_set():
                break
            try:
                conn.sendall(b" ")
            except OSError:
                break
            time.sleep(0.1)
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client = SCIMClient(TOKEN, base_url="http://127.0.0.1:%d/scim/v2/" % port, timeout=0.5, retry_handlers=[])
    started = time.monotonic()
    try:
        with pytest.raises(ScimError, match="no complete answer within the timeout of 0.5 seconds"):
            client.read_user("U1")
        waited = time.monotonic() - started
        # The answer dribbles for 10 s; a wide margin over the 0.5 s deadline, for a loaded machine.
        assert waited < 7, "the client waited %.1f s for an answer that its 0.5 s deadline had cut" % waited
    finally:
        stop.set()
        thread.join(5)
        listener.close()
        client.close()


class RecordingSocket:
    def __init__(self):
        self.calls = []

    def settimeout(self, seconds):
        self.calls.append(("timeout", seconds))

    def setsockopt(self, level, option, value):
        self.calls.append((level, option, value))


def test_every_read_acknowledges_at_once_so_nagles_algorithm_on_the_server_costs_nothing():
    """A server that writes headers and body separately with Nagle on holds the body until the client ACKs
    the headers; a delayed ACK costs 40 ms an answer (make bench measures it against `--nagle`).  Linux has
    TCP_QUICKACK; elsewhere only the timeout is set."""
    assert _client.QUICKACK == getattr(socket, "TCP_QUICKACK", None)
    sock = RecordingSocket()
    raw = mock.Mock(connection=mock.Mock(sock=sock))
    _client._set_socket_timeout(raw, 5)
    _client._set_socket_timeout(raw, 4)
    quick = [(socket.IPPROTO_TCP, _client.QUICKACK, 1)] if _client.QUICKACK is not None else []
    assert sock.calls == [("timeout", 5)] + quick + [("timeout", 4)] + quick


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


# -- a strict RFC 7644 server in front of Slack (issue 23.7) ------------------------------------------------------

STRICT = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400", "scimType": "invalidValue",
          "detail": "a remove operation carries no value"}


def test_removal_falls_back_to_filter_paths_once_per_client_on_a_400(mocked, make_client):
    url = BASE % "v2" + "Groups/S1"
    mocked.patch(url, status=400, json=STRICT)
    mocked.patch(url, json={"id": "S1", "displayName": "eng", "members": []})
    client = make_client()
    client.update_group_members("S1", add=["U3"], remove=["U1"])
    client.update_group_members("S1", remove=["U2"])
    bodies = [body_of(call)["Operations"] for call in mocked.calls]
    assert bodies == [
        [{"op": "add", "path": "members", "value": [{"value": "U3"}]},
         {"op": "remove", "path": "members", "value": [{"value": "U1"}]}],
        [{"op": "add", "path": "members", "value": [{"value": "U3"}]}, {"op": "remove", "path": 'members[value eq "U1"]'}],
        [{"op": "remove", "path": 'members[value eq "U2"]'}],  # the client keeps to the form the server took
    ]
    [note] = client.notes
    assert "refused Slack's member removal" in note and 'members[value eq "..."]' in note and "HTTP 400" in note


def test_a_400_the_filter_form_does_not_cure_is_raised_and_not_probed_again(mocked, make_client):
    url = BASE % "v2" + "Groups/S1"
    mocked.patch(url, status=400, json={"schemas": [], "status": "400", "detail": "no_such_group_members"})
    client = make_client()
    for dummy in range(2):
        with pytest.raises(ScimError, match="no_such_group_members"):
            client.update_group_members("S1", remove=["U1"])
    assert len(mocked.calls) == 3 and client.notes == []  # the probe once, then Slack's form again


@pytest.mark.parametrize("api_version, add, remove", [("v1", [], ["U1"]), ("v2", ["U1"], [])])
def test_no_fallback_without_a_removal_or_on_v1(mocked, make_client, api_version, add, remove):
    mocked.patch(BASE % api_version + "Groups/S1", status=400, json=STRICT)
    with pytest.raises(ScimError):
        make_client(api_version).update_group_members("S1", add=add, remove=remove)
    assert len(mocked.calls) == 1


# -- urllib3's InsecureRequestWarning stays out of stderr (issue 23.6) ----------------------------------------------

@pytest.mark.parametrize("validate_certs, escaped", [(False, []), (True, ["Unverified HTTPS request"])])
def test_insecure_request_warning_is_silenced_only_without_verification(mocked, make_client, validate_certs, escaped):
    mocked.get(BASE % "v2" + "Users", json=page([]))
    client = make_client(validate_certs=validate_certs)
    request = client._session.request  # pylint: disable=protected-access

    def warning_request(*args, **kwargs):
        warnings.warn("Unverified HTTPS request", urllib3.exceptions.InsecureRequestWarning)
        return request(*args, **kwargs)

    client._session.request = warning_request  # pylint: disable=protected-access
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.search_users()
    assert [str(w.message) for w in caught if w.category is urllib3.exceptions.InsecureRequestWarning] == escaped


def test_a_malformed_user_in_a_write_answer_says_the_write_was_applied(mocked, make_client):
    mocked.patch(BASE % "v2" + "Users/U1", json=dict(user("U1", "a"), emails="a@example.com"))
    with pytest.raises(ScimError, match="emails is a str, not a list of objects; the write was applied, but its "
                                        "answer cannot be used"):
        make_client().patch_user("U1", {"title": "CTO"})
