# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._client import SCIMClient
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN, body_of, page, user

CORE = {"v1": "urn:scim:schemas:core:1.0", "v2": "urn:ietf:params:scim:schemas:core:2.0:User"}
GROUP_CORE = {"v1": "urn:scim:schemas:core:1.0", "v2": "urn:ietf:params:scim:schemas:core:2.0:Group"}
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def test_default_base_url_follows_api_version():
    assert SCIMClient(TOKEN).base_url == "https://api.slack.com/scim/v2/"
    assert SCIMClient(TOKEN, api_version="v1").base_url == "https://api.slack.com/scim/v1/"
    assert SCIMClient(TOKEN, base_url="http://127.0.0.1:9/scim/v2").base_url == "http://127.0.0.1:9/scim/v2/"


def test_rejects_unknown_api_version_and_missing_token():
    with pytest.raises(ValueError, match="api_version"):
        SCIMClient(TOKEN, api_version="v3")
    with pytest.raises(ScimError, match="token is required"):
        SCIMClient("")


# -- users ------------------------------------------------------------------------------------

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


def test_auth_test_failure_is_redacted(mocked, make_client):
    mocked.post("https://scim.test/api/auth.test", json={"ok": False, "error": "invalid_auth %s" % TOKEN})
    with pytest.raises(ScimError) as caught:
        make_client().auth_test()
    assert TOKEN not in str(caught.value)


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
