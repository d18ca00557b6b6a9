# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os
import re
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from ansible_collections.scim.slack.plugins.module_utils._client import SCIMClient, client_from_options, web_api_url
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._version import COLLECTION_VERSION

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN

CORE = {"v1": "urn:scim:schemas:core:1.0", "v2": "urn:ietf:params:scim:schemas:core:2.0:User"}
GROUP_CORE = {"v1": "urn:scim:schemas:core:1.0", "v2": "urn:ietf:params:scim:schemas:core:2.0:Group"}
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def body_of(call):
    return json.loads(call.request.body)


def query_of(call):
    return {key: values[0] for key, values in parse_qs(urlparse(call.request.url).query).items()}


def user(uid, name, email=None, active=True):
    return {"id": uid, "userName": name, "active": active,
            "emails": [{"value": email or "%s@example.com" % name, "primary": True}]}


def page(resources, total, start=1):
    return {"Resources": resources, "totalResults": total, "itemsPerPage": len(resources), "startIndex": start}


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


def test_client_from_options_applies_the_retry_budget():
    client = client_from_options({"token": TOKEN, "api_version": "v1", "api_url": None, "timeout": 5,
                                  "validate_certs": True,
                                  "retries": {"connection_errors": 0, "rate_limited": 3, "server_errors": 1,
                                              "max_wait": 10}})
    assert client.base_url == "https://api.slack.com/scim/v1/"
    assert [(type(h).__name__, h.max_retry_count) for h in client.retry_handlers] == [
        ("RateLimitErrorRetryHandler", 3), ("ServerErrorRetryHandler", 1)]
    assert client.max_wait == 10 and client.timeout == 5


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
    client.set_user_active("U1", True)
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
        {"op": "remove", "path": 'members[value eq "U2"]'},
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
        assert bodies[2]["Operations"] == [{"op": "remove", "path": 'members[value eq "U5"]'}]


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


def test_paging_stops_on_an_empty_page_and_dedupes(mocked, make_client):
    url = BASE % "v2" + "Users"
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 10))
    mocked.get(url, json=page([user("U2", "b"), user("U3", "c")], 10, 3))  # U2 shifted by a deactivation
    mocked.get(url, json=page([], 10, 5))
    assert [u["id"] for u in make_client().iter_users(count=2)] == ["U1", "U2", "U3"]


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
    assert web_api_url(base, "auth.test") == expected


def test_auth_test_names_the_token_user(mocked, make_client):
    mocked.get("https://scim.test/api/auth.test", json={"ok": True, "user_id": "W0TOKEN1"})
    assert make_client().auth_test()["user_id"] == "W0TOKEN1"
    mocked.get("https://scim.test/api/auth.test", json={"ok": False, "error": "invalid_auth"})
    with pytest.raises(ScimError, match="auth.test failed: invalid_auth"):
        make_client().auth_test()
