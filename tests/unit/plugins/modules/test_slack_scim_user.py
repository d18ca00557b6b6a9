# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses

from ansible_collections.scim.slack.plugins.modules import slack_scim_user
from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN, diff_of

ENT = {"v1": "urn:scim:schemas:extension:enterprise:1.0",
       "v2": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def user(uid="W00001000", user_name="carly", email="carly@example.com", active=True, **extra):
    resource = {"id": uid, "userName": user_name, "nickName": user_name, "active": active,
                "emails": [{"value": email, "primary": True}], "name": {"givenName": "Carly", "familyName": "H"}}
    resource.update(extra)
    return resource


def page(*resources):
    return {"Resources": list(resources), "totalResults": len(resources), "startIndex": 1,
            "itemsPerPage": len(resources)}


def filter_of(call):
    return parse_qs(urlparse(call.request.url).query).get("filter", [None])[0]


def body_of(call):
    return json.loads(call.request.body)


def writes(mocked):
    return [c for c in mocked.calls if c.request.method != "GET"]


def run(run_module, **args):
    return run_module(slack_scim_user.main, **args)


# -- reading ---------------------------------------------------------------------------------------

def test_unchanged_user_by_id_costs_one_get(mocked, run_module, api_version):
    mocked.get(BASE % api_version + "Users/W00001000", json=user(title="CEO"))
    result = run(run_module, api_version=api_version, id="W00001000", title="CEO", user_name="Carly", email="CARLY@example.com")
    assert result["changed"] is False and not result["failed"]
    assert len(mocked.calls) == 1 and result["user"]["id"] == "W00001000"


def test_unchanged_user_by_name_costs_one_filtered_search(mocked, run_module, api_version):
    mocked.get(BASE % api_version + "Users", json=page(user()))
    result = run(run_module, api_version=api_version, user_name="carly", email="carly@example.com")
    assert result["changed"] is False
    assert len(mocked.calls) == 1 and filter_of(mocked.calls[0]) == 'userName eq "carly"'


def test_missing_null_and_empty_are_equal(mocked, run_module):
    mocked.get(BASE % "v1" + "Users/W00001000", json=user(title="", displayName=None))
    result = run(run_module, api_version="v1", id="W00001000", title="", display_name="")
    assert result["changed"] is False


def test_lists_compare_in_any_order(mocked, run_module):
    phones = [{"value": "+1 555", "type": "work"}, {"value": "+1 666", "type": "mobile", "primary": True}]
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(phoneNumbers=list(reversed(phones))))
    result = run(run_module, id="W00001000", phone_numbers=phones)
    assert result["changed"] is False


def test_user_name_compares_after_slack_normalisation(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page(user(user_name="carly.h_ops")))
    result = run(run_module, user_name="Carly.H+Ops", email="carly@example.com")
    assert result["changed"] is False
    assert filter_of(mocked.calls[0]) == 'userName eq "carly.h_ops"'


# -- creating --------------------------------------------------------------------------------------

def test_create_posts_the_declared_user(mocked, run_module, api_version):
    base = BASE % api_version
    mocked.get(base + "Users", json=page())
    mocked.get(base + "Users", json=page())
    mocked.post(base + "Users", json=user(uid="W00009000", title="CEO"), status=201)
    result = run(run_module, api_version=api_version, diff=True, user_name="carly", email="carly@example.com",
                 title="CEO", enterprise={"department": "Exec"}, profile_url="https://example.com/carly")
    assert result["changed"] is True and result["user"]["id"] == "W00009000"
    sent = body_of(mocked.calls[2])
    assert sent["userName"] == "carly" and sent["emails"] == [{"value": "carly@example.com", "primary": True}]
    assert sent[ENT[api_version]] == {"department": "Exec"} and sent["active"] is True
    assert sent["profileUrl"] == "https://example.com/carly" and ENT[api_version] in sent["schemas"]
    assert diff_of(result)["before"] == {}
    assert diff_of(result)["after"]["enterprise"] == {"department": "Exec"}


def test_create_in_check_mode_sends_nothing_and_predicts(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page())
    mocked.get(BASE % "v2" + "Users", json=page())
    result = run(run_module, check_mode=True, user_name="carly", email="carly@example.com", title="CEO")
    assert result["changed"] is True and writes(mocked) == []
    assert result["user"]["id"] is None and result["user"]["title"] == "CEO"


def test_create_needs_an_email_and_sends_no_write(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page())
    result = run(run_module, user_name="carly", title="CEO")
    assert result["failed"] and "email" in result["msg"] and writes(mocked) == []


def test_create_needs_a_user_name(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page())
    result = run(run_module, email="carly@example.com")
    assert result["failed"] and "user_name" in result["msg"] and writes(mocked) == []


def test_create_conflict_converges_the_existing_account(mocked, run_module, api_version):
    base = BASE % api_version
    mocked.get(base + "Users", json=page())
    mocked.get(base + "Users", json=page())
    mocked.post(base + "Users", status=409, json={"Errors": {"description": "email_taken existing_user=W00007000", "code": 409}})
    mocked.get(base + "Users/W00007000", json=user(uid="W00007000", user_name="old", active=False))
    mocked.patch(base + "Users/W00007000", json=user(uid="W00007000"))
    result = run(run_module, api_version=api_version, user_name="carly", email="carly@example.com", active=True)
    assert result["changed"] is True and not result["failed"]
    assert sorted(result["changed_attributes"]) == ["active", "user_name"]
    assert [c.request.method for c in writes(mocked)] == ["POST", "PATCH"]


def test_create_conflict_with_an_invisible_account_explains(mocked, run_module):
    base = BASE % "v2"
    for dummy in range(2):
        mocked.get(base + "Users", json=page())
    mocked.post(base + "Users", status=409, json={"detail": "username_taken", "status": 409})
    for dummy in range(2):
        mocked.get(base + "Users", json=page())
    result = run(run_module, user_name="general", email="g@example.com")
    assert result["failed"]
    assert "username_taken" in result["msg"] and "reactivate" in result["msg"] and "channel" in result["msg"]


def test_create_answer_lost_but_applied_creates_no_duplicate(mocked, run_module):
    base = BASE % "v2"
    mocked.get(base + "Users", json=page())
    mocked.get(base + "Users", json=page())
    mocked.post(base + "Users", body=requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"))
    mocked.get(base + "Users", json=page(user(uid="W00005000")))
    result = run(run_module, user_name="carly", email="carly@example.com")
    assert not result["failed"] and result["changed"] is True  # created by this task, answer lost
    assert result["user"]["id"] == "W00005000"
    assert [c.request.method for c in writes(mocked)] == ["POST"]


def test_create_answer_lost_and_not_applied_posts_once_more(mocked, run_module):
    base = BASE % "v2"
    for dummy in range(2):
        mocked.get(base + "Users", json=page())
    mocked.post(base + "Users", body=requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"))
    for dummy in range(2):
        mocked.get(base + "Users", json=page())
    mocked.post(base + "Users", json=user(uid="W00005000"), status=201)
    result = run(run_module, user_name="carly", email="carly@example.com")
    assert result["changed"] is True and result["user"]["id"] == "W00005000"
    assert [c.request.method for c in writes(mocked)] == ["POST", "POST"]


# -- updating --------------------------------------------------------------------------------------

def test_patch_v1_is_a_partial_resource(mocked, run_module):
    mocked.get(BASE % "v1" + "Users/W00001000", json=user(title="CEO"))
    mocked.patch(BASE % "v1" + "Users/W00001000", json=user(title="Chair"))
    result = run(run_module, api_version="v1", diff=True, id="W00001000", title="Chair", family_name="",
                 enterprise={"department": "Board"})
    assert result["changed"] is True
    assert body_of(mocked.calls[1]) == {
        "schemas": ["urn:scim:schemas:core:1.0", ENT["v1"]], "title": "Chair", ENT["v1"]: {"department": "Board"},
        "meta": {"attributes": ["name.familyName"]}}
    # Empty values are left out of their side: no "department": null before, no "family_name": "" after.
    assert diff_of(result) == {"before": {"title": "CEO", "family_name": "H"},
                               "after": {"title": "Chair", "enterprise": {"department": "Board"}}}


def test_patch_v2_sends_operations_for_changes_only(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(title="CEO", timezone="UTC"))
    mocked.get(BASE % "v2" + "Users/W00002000", json=user(uid="W00002000", user_name="dan", email="dan@example.com"))
    mocked.patch(BASE % "v2" + "Users/W00001000", json=user(title="Chair"))
    run(run_module, id="W00001000", title="Chair", timezone="UTC", enterprise={"manager_id": "W00002000"})
    assert body_of(mocked.calls[2]) == {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "path": "title", "value": "Chair"},
        {"op": "replace", "path": ENT["v2"], "value": {"manager": {"managerId": "W00002000"}}}]}


def test_primary_email_change_keeps_the_secondary(mocked, run_module, api_version):
    base = BASE % api_version
    current = user(emails=[{"value": "old@example.com", "primary": True}, {"value": "alt@example.com",
                                                                           "primary": False}])
    mocked.get(base + "Users", json=page(current))
    mocked.get(base + "Users", json=page())
    mocked.patch(base + "Users/W00001000", json=current)
    run(run_module, api_version=api_version, user_name="carly", email="new@example.com")
    sent = body_of(mocked.calls[2])
    emails = [{"value": "new@example.com", "primary": True}, {"value": "alt@example.com", "primary": False}]
    if api_version == "v1":
        assert sent["emails"] == emails and sent["meta"] == {"attributes": ["emails"]}
    else:
        assert sent["Operations"] == [{"op": "replace", "path": "emails", "value": emails}]


def test_email_held_by_another_user_fails_naming_both(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page(user()))
    mocked.get(BASE % "v2" + "Users", json=page(user(uid="W00002000", user_name="dan", email="dan@example.com")))
    result = run(run_module, user_name="carly", email="dan@example.com")
    assert result["failed"] and "W00001000" in result["msg"] and "W00002000" in result["msg"] and writes(mocked) == []


def test_found_by_email_is_renamed(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page())
    mocked.get(BASE % "v2" + "Users", json=page(user(user_name="old")))
    mocked.patch(BASE % "v2" + "Users/W00001000", json=user())
    result = run(run_module, user_name="carly", email="carly@example.com")
    assert result["changed_attributes"] == ["user_name"]
    assert body_of(mocked.calls[2])["Operations"] == [{"op": "replace", "path": "userName", "value": "carly"}]
    assert any("'old' becomes 'carly'" in w for w in result["warnings"])


def test_update_in_check_mode_predicts_and_sends_nothing(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(title="CEO"))
    result = run(run_module, check_mode=True, diff=True, id="W00001000", title="Chair")
    assert result["changed"] and result["user"]["title"] == "Chair" and writes(mocked) == []
    assert diff_of(result) == {"before": {"title": "CEO"}, "after": {"title": "Chair"}}


def test_the_diff_shows_non_ascii_text_as_written(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(title="CEO"))
    result = run(run_module, check_mode=True, diff=True, id="W00001000", title="Geschäftsführerin, Zürich")
    assert result["diff"]["before"] == '{\n    "title": "CEO"\n}\n'
    assert result["diff"]["after"] == '{\n    "title": "Geschäftsführerin, Zürich"\n}\n'


def test_extra_attributes_compare_only_given_keys(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(userType="Employee", locale="en-US"))
    mocked.patch(BASE % "v2" + "Users/W00001000", json=user())
    assert run(run_module, id="W00001000", extra_attributes={"userType": "Employee"})["changed"] is False
    result = run(run_module, id="W00001000", extra_attributes={"userType": "Contractor"})
    assert result["changed_attributes"] == ["extra_attributes.userType"]


def test_replace_puts_the_declared_user_keeping_active(mocked, run_module, api_version):
    base = BASE % api_version
    mocked.get(base + "Users/W00001000", json=user(title="CEO", active=False))
    mocked.put(base + "Users/W00001000", json=user(active=False))
    result = run(run_module, api_version=api_version, id="W00001000", given_name="Cal", family_name="Henderson",
                 replace=True)
    sent = body_of(mocked.calls[1])
    assert result["changed"] and "title" in result["changed_attributes"]
    assert sent["id"] == "W00001000" and sent["active"] is False and sent["userName"] == sent["nickName"] == "carly"
    assert sent["emails"] == [{"value": "carly@example.com", "primary": True}]
    assert sent["name"] == {"givenName": "Cal", "familyName": "Henderson"} and "title" not in sent


def test_replace_without_differences_sends_nothing(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(name={"givenName": "Cal"}))
    result = run(run_module, id="W00001000", user_name="carly", given_name="Cal", replace=True)
    assert result["changed"] is False and writes(mocked) == []


# -- activation ------------------------------------------------------------------------------------

def test_absent_deletes_an_active_user(mocked, run_module, api_version):
    mocked.get(BASE % api_version + "Users/W00001000", json=user())
    mocked.delete(BASE % api_version + "Users/W00001000", status=204)
    result = run(run_module, api_version=api_version, id="W00001000", state="absent", diff=True)
    assert result["changed"] and result["user"]["active"] is False
    assert diff_of(result)["before"]["active"] is True and diff_of(result)["after"]["active"] is False


@pytest.mark.parametrize("found", [user(active=False), None])
def test_absent_for_inactive_or_missing_is_unchanged(mocked, run_module, found):
    if found:
        mocked.get(BASE % "v2" + "Users", json=page(found))
    else:
        mocked.get(BASE % "v2" + "Users", json=page())
    result = run(run_module, user_name="carly", state="absent")
    assert result["changed"] is False and writes(mocked) == []


def test_present_on_a_deactivated_user_warns(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(active=False))
    result = run(run_module, id="W00001000")
    assert result["changed"] is False
    assert "deactivated" in result["warnings"][0] and "active: true" in result["warnings"][0]


def test_reactivate(mocked, run_module, api_version):
    mocked.get(BASE % api_version + "Users/W00001000", json=user(active=False))
    mocked.patch(BASE % api_version + "Users/W00001000", json=user())
    result = run(run_module, api_version=api_version, id="W00001000", active=True)
    assert result["changed"] and result["changed_attributes"] == ["active"] and result["warnings"] == []


def test_unknown_id_fails(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00000404", status=404, json={"detail": "no_such_user", "status": 404})
    result = run(run_module, id="W00000404", title="x")
    assert result["failed"] and "no user has id W00000404" in result["msg"]


# -- validation: nothing is sent ---------------------------------------------------------------------

@pytest.mark.parametrize("args, named", [
    (dict(user_name="x" * 22), "user_name"),
    (dict(user_name="carly", email="carly"), "email"),
    (dict(user_name="carly", display_name="@carly"), "display_name"),
    (dict(user_name="carly", display_name="x" * 81), "display_name"),
    (dict(id="u123"), "id"),
    (dict(user_name="carly", nick_name="cal"), "nick_name"),
    (dict(user_name="carly", emails=[{"value": "a@example.com", "primary": True},
                                     {"value": "b@example.com", "primary": True}]), "emails"),
    (dict(user_name="carly", emails=[{"value": "a@example.com"}, {"value": "b@example.com"},
                                     {"value": "c@example.com"}]), "emails"),
    (dict(user_name="carly", roles=[{"value": "a"}, {"value": "b"}]), "roles"),
    (dict(user_name="carly", enterprise={"dept": "x"}), "dept"),
    (dict(user_name="carly", email="c@example.com", emails=[{"value": "c@example.com"}]), "email"),
    (dict(title="x"), "one of"),
    (dict(user_name="carly", timeout=0), "timeout"),
    (dict(user_name="carly", display_name="Carly @ Ops"), "display_name"),
    (dict(user_name="carly", display_name="Carly \U0001F389"), "display_name"),
    (dict(user_name="carly", display_name="Carly \u2764\ufe0f"), "display_name"),
    (dict(user_name="carly", display_name="Carly :tada:"), "display_name"),
    (dict(user_name="carly", display_name="   "), "display_name"),
    (dict(user_name="carly@example.com", email="carly@example.com"), "user_name"),
    (dict(id="U1234567"), "id"),
    (dict(id="W12345678901"), "id"),
    (dict(user_name="carly", phone_numbers=[{"value": "+1 555 0100", "primary": True},
                                            {"value": "+1 555 0101", "type": "mobile"}]), "phone_numbers"),
])
def test_bad_input_fails_before_any_request(mocked, run_module, args, named):
    result = run(run_module, **args)
    assert result["failed"] and named in result["msg"]
    assert len(mocked.calls) == 0


def test_server_error_fails_with_status_and_slack_error(mocked, run_module):
    denied = {"Errors": {"description": "permission_denied", "code": 403}}
    mocked.get(BASE % "v2" + "Users/W00001000", status=403, json=denied)
    result = run(run_module, id="W00001000", title="x")
    assert result["failed"] and "HTTP 403 permission_denied" in result["msg"]
    assert result["scim_error"]["error"] == "permission_denied" and TOKEN not in json.dumps(result)


def test_token_is_masked_in_real_module_output(capsys):
    from ansible_collections.scim.slack.tests.unit.plugins.modules.conftest import module_args

    token = "xoxp-unit-fresh-%s" % os.urandom(6).hex()  # from 2.22 on, a secret is handed over once, when first seen
    with responses.RequestsMock() as mocked:
        mocked.get(BASE % "v2" + "Users/W00001000", json=user(title=token))  # a server that echoes the token
        with module_args({"token": token, "api_url": BASE % "v2", "id": "W00001000"}):
            with pytest.raises(SystemExit):
                slack_scim_user.main()
    out = capsys.readouterr().out
    result = json.loads(out)
    assert result["user"]["id"] == "W00001000"
    if "_ansible_new_secrets" in result:  # from 2.22 on the controller masks what the module hands it
        assert token in result["_ansible_new_secrets"]
    else:
        assert token not in out


def test_display_names_slack_accepts_pass_validation(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(displayName="Carly (Ops) 10:30"))
    result = run(run_module, id="W00001000", display_name="Carly (Ops) 10:30")
    assert result["changed"] is False and len(mocked.calls) == 1


# -- what Slack answers differs from what was sent --------------------------------------------------

CDN_PHOTO = [{"value": "https://avatars.slack-edge.com/2026-11-27/123_abc_192.jpg", "type": "photo"}]
GRAVATAR = [{"value": "https://secure.gravatar.com/avatar/0f1e.jpg?s=192&d="
                      "https%3A%2F%2Fa.slack-edge.com%2Fdf10d%2Fimg%2Favatars%2Fava_0010-192.png", "type": "photo"}]
V2_PLACEHOLDERS = dict(
    phoneNumbers=[{"value": None, "type": "mobile"}, {"value": None, "type": "work"}, {"type": "", "primary": False}],
    roles=[{"value": None, "primary": True}],
    addresses=[{"streetAddress": None, "locality": None, "region": None, "postalCode": None, "country": None}, {}])


def test_a_rehosted_photo_is_the_declared_photo(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(photos=CDN_PHOTO))
    result = run(run_module, id="W00001000", photos=[{"value": "https://example.com/carly.png"}])
    assert result["changed"] is False and writes(mocked) == []


def test_a_declared_photo_is_sent_when_slack_shows_its_default(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(photos=GRAVATAR))
    mocked.patch(BASE % "v2" + "Users/W00001000", json=user(photos=CDN_PHOTO))
    result = run(run_module, id="W00001000", photos=[{"value": "https://example.com/carly.png"}])
    assert result["changed_attributes"] == ["photos"]
    assert body_of(mocked.calls[1])["Operations"] == [
        {"op": "replace", "path": "photos", "value": [{"value": "https://example.com/carly.png"}]}]


def test_v2_placeholders_equal_empty_lists(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(**V2_PLACEHOLDERS))
    result = run(run_module, id="W00001000", phone_numbers=[], roles=[], addresses=[])
    assert result["changed"] is False and writes(mocked) == []


def test_phone_types_and_address_type_and_primary_are_not_compared(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(
        phoneNumbers=[{"value": "+1 555 0100", "type": "mobile", "primary": False}],
        addresses=[{"streetAddress": "1 Main St", "locality": "Springfield", "country": "US"}]))
    result = run(run_module, id="W00001000", phone_numbers=[{"value": "+1 555 0100", "type": "work", "primary": True}],
                 addresses=[{"street_address": "1 Main St", "locality": "Springfield", "country": "US",
                             "primary": True}])
    assert result["changed"] is False and writes(mocked) == []


def test_a_changed_phone_number_is_sent_with_the_declared_type(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(phoneNumbers=[{"value": "+1 555 0100", "type": "mobile"}]))
    mocked.patch(BASE % "v2" + "Users/W00001000", json=user())
    result = run(run_module, id="W00001000", phone_numbers=[{"value": "+1 555 0199", "type": "work"}])
    assert result["changed_attributes"] == ["phone_numbers"]
    assert body_of(mocked.calls[1])["Operations"][0]["value"] == [{"value": "+1 555 0199", "type": "work"}]


def test_replace_keeps_what_the_collection_does_not_model(mocked, run_module, api_version):
    base = BASE % api_version
    guest = {"urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User": {"type": "multi"}}
    mocked.get(base + "Users/W00001000", json=user(title="CEO", externalId="okta-123", photos=CDN_PHOTO,
                                                   meta={"created": "x"}, groups=[{"value": "S1"}],
                                                   **dict(guest, **V2_PLACEHOLDERS)))
    mocked.put(base + "Users/W00001000", json=user())
    result = run(run_module, api_version=api_version, id="W00001000", title="Chair", given_name="Carly",
                 family_name="H", replace=True)
    sent = body_of(mocked.calls[1])
    assert result["changed_attributes"] == ["title"]
    assert sent["urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"] == {"type": "multi"}
    assert sent["externalId"] == "okta-123" and sent["photos"] == CDN_PHOTO and sent["title"] == "Chair"
    assert "meta" not in sent and "groups" not in sent and sent["phoneNumbers"] == sent["roles"] == []


def test_replace_on_a_user_with_the_default_photo_sends_nothing(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(name={"givenName": "Cal"}, photos=GRAVATAR,
                                                          **V2_PLACEHOLDERS))
    result = run(run_module, id="W00001000", user_name="carly", given_name="Cal", replace=True)
    assert result["changed"] is False and writes(mocked) == []


# -- references ------------------------------------------------------------------------------------

def test_manager_given_by_email_is_sent_as_the_managers_id(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user())
    mocked.get(BASE % "v2" + "Users", json=page(user(uid="W00002000", user_name="dan", email="dan@example.com")))
    mocked.patch(BASE % "v2" + "Users/W00001000", json=user())
    result = run(run_module, id="W00001000", enterprise={"manager_id": "Dan@Example.com"})
    assert body_of(mocked.calls[2])["Operations"] == [
        {"op": "replace", "path": ENT["v2"], "value": {"manager": {"managerId": "W00002000"}}}]
    assert result["changed_attributes"] == ["manager_id"]


def test_the_same_manager_spelled_another_way_is_no_change(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(**{ENT["v2"]: {"manager": {"managerId": "W00002000"}}}))
    mocked.get(BASE % "v2" + "Users", json=page(user(uid="W00002000", user_name="dan", email="dan@example.com")))
    result = run(run_module, id="W00001000", enterprise={"manager_id": "dan"})
    assert result["changed"] is False and writes(mocked) == []


def test_the_current_manager_by_id_costs_no_request(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(**{ENT["v2"]: {"manager": {"managerId": "W00002000"}}}))
    result = run(run_module, id="W00001000", enterprise={"manager_id": "W00002000"})
    assert result["changed"] is False and len(mocked.calls) == 1


def test_an_unknown_manager_fails_before_any_write(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user())
    mocked.get(BASE % "v2" + "Users", json=page())
    result = run(run_module, id="W00001000", enterprise={"manager_id": "nobody"})
    assert result["failed"] and "manager_id" in result["msg"] and "nobody" in result["msg"]
    assert writes(mocked) == []


def test_absent_with_name_and_email_of_two_users_fails_before_any_write(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page(user()))
    mocked.get(BASE % "v2" + "Users", json=page(user(uid="W00002000", user_name="dan", email="dan@example.com")))
    result = run(run_module, state="absent", user_name="carly", email="dan@example.com")
    assert result["failed"] and "W00001000" in result["msg"] and "W00002000" in result["msg"]
    assert writes(mocked) == []


# -- multi-channel guests ----------------------------------------------------------------------------

GUEST = {"v1": "urn:scim:schemas:extension:slack:guest:1.0",
         "v2": "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"}


def test_create_a_guest_with_an_expiration(mocked, run_module, api_version):
    base = BASE % api_version
    mocked.get(base + "Users", json=page())
    mocked.get(base + "Users", json=page())
    mocked.post(base + "Users", json=user(**{GUEST[api_version]: {"type": "multi", "expiration": "2099-01-31"}}),
                status=201)
    result = run(run_module, api_version=api_version, user_name="carly", email="carly@example.com", guest=True,
                 guest_expiration="2099-01-31")
    sent = body_of(mocked.calls[2])
    assert sent[GUEST[api_version]] == {"type": "multi", "expiration": "2099-01-31T23:59:59Z"}
    assert GUEST[api_version] in sent["schemas"] and result["changed"]


def test_member_to_guest_is_one_patch(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user())
    mocked.patch(BASE % "v2" + "Users/W00001000", json=user(**{GUEST["v2"]: {"type": "multi"}}))
    result = run(run_module, id="W00001000", guest=True, diff=True)
    assert result["changed_attributes"] == ["guest"]
    assert diff_of(result) == {"before": {"guest": False}, "after": {"guest": True}}
    assert body_of(mocked.calls[1])["Operations"] == [{"op": "replace", "path": GUEST["v2"], "value": {"type": "multi"}}]


def test_guest_to_member_removes_the_extension(mocked, run_module, api_version):
    base = BASE % api_version
    mocked.get(base + "Users/W00001000", json=user(**{GUEST[api_version]: {"type": "multi", "expiration": "2099-01-31"}}))
    mocked.patch(base + "Users/W00001000", json=user())
    result = run(run_module, api_version=api_version, id="W00001000", guest=False, diff=True)
    assert diff_of(result) == {"before": {"guest": True, "guest_expiration": "2099-01-31"}, "after": {"guest": False}}
    sent = body_of(mocked.calls[1])
    if api_version == "v2":
        assert sent["Operations"] == [{"op": "remove", "path": GUEST["v2"]}]
    else:
        assert sent["meta"] == {"attributes": [GUEST["v1"]]}
    assert result["user"].get(GUEST[api_version]) is None


def test_same_expiration_spelled_another_way_is_no_change(mocked, run_module):
    guest = {"type": "multi", "expiration": "2099-01-31T00:00:00Z"}
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(**{GUEST["v2"]: guest}))
    result = run(run_module, id="W00001000", guest=True, guest_expiration="2099-01-31")
    assert result["changed"] is False and writes(mocked) == []


def test_expiration_alone_changes_a_guests_expiration(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(**{GUEST["v2"]: {"type": "multi", "expiration": "2099-01-31"}}))
    mocked.patch(BASE % "v2" + "Users/W00001000", json=user())
    result = run(run_module, id="W00001000", guest_expiration="2099-06-30T18:00:00Z")
    assert result["changed_attributes"] == ["guest_expiration"]
    assert body_of(mocked.calls[1])["Operations"][0]["value"] == {"type": "multi", "expiration": "2099-06-30T18:00:00Z"}


def test_expiration_on_a_full_member_needs_guest_true(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user())
    result = run(run_module, id="W00001000", guest_expiration="2099-06-30")
    assert result["failed"] and "guest: true" in result["msg"] and writes(mocked) == []


def test_replace_keeps_guest_status_unless_guest_is_given(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(title="x", **{GUEST["v2"]: {"type": "multi"}}))
    mocked.put(BASE % "v2" + "Users/W00001000", json=user())
    run(run_module, id="W00001000", given_name="Carly", family_name="H", replace=True)
    assert body_of(mocked.calls[1])[GUEST["v2"]] == {"type": "multi"}


@pytest.mark.parametrize("args", [
    dict(guest_expiration="next tuesday"),
    dict(guest_expiration="2099-13-01"),
    dict(guest=False, guest_expiration="2099-01-01"),
])
def test_bad_guest_expiration_fails_before_any_request(mocked, run_module, args):
    result = run(run_module, user_name="carly", **args)
    assert result["failed"] and "guest_expiration" in result["msg"] and len(mocked.calls) == 0


def test_a_past_expiration_the_guest_already_holds_is_no_change(mocked, run_module):
    guest = {"type": "multi", "expiration": "2024-03-31T23:59:59Z"}
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(**{GUEST["v2"]: guest}))
    result = run(run_module, id="W00001000", guest=True, guest_expiration="2024-03-31")
    assert result["changed"] is False and not result["failed"] and writes(mocked) == []


def test_a_new_past_expiration_fails_naming_the_value_held(mocked, run_module):
    guest = {"type": "multi", "expiration": "2024-03-31T23:59:59Z"}
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(**{GUEST["v2"]: guest}))
    result = run(run_module, id="W00001000", guest_expiration="2024-04-30", check_mode=True)
    assert result["failed"] and writes(mocked) == []
    assert result["msg"] == ("guest_expiration '2024-04-30' is not in the future, and user W00001000 (carly) holds "
                             "'2024-03-31T23:59:59Z'; Slack refuses a past expiration. Give a later date, or the "
                             "one the user holds")


def test_a_new_guest_with_a_past_expiration_fails_before_any_write(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page())
    mocked.get(BASE % "v2" + "Users", json=page())
    result = run(run_module, user_name="newbie", email="newbie@example.com", guest=True, guest_expiration="2001-01-01")
    assert result["failed"] and "'2001-01-01' is not in the future" in result["msg"] and writes(mocked) == []


# -- create_only and external_id ---------------------------------------------------------------------

def test_create_only_attributes_are_sent_on_create(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page())
    mocked.get(BASE % "v2" + "Users", json=page())
    mocked.post(BASE % "v2" + "Users", json=user(displayName="Carly H", title="CEO"), status=201)
    run(run_module, user_name="carly", email="carly@example.com", display_name="Carly H", title="CEO",
        external_id="okta-1", create_only=["display_name", "title"])
    sent = body_of(mocked.calls[2])
    assert sent["displayName"] == "Carly H" and sent["title"] == "CEO" and sent["externalId"] == "okta-1"


def test_create_only_attributes_are_never_changed_afterwards(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(displayName="Cee", title="Chair",
                                                          **{ENT["v2"]: {"department": "Ops"}}))
    result = run(run_module, id="W00001000", display_name="Carly H", title="CEO", enterprise={"department": "Exec"},
                 create_only=["display_name", "title", "enterprise"])
    assert result["changed"] is False and writes(mocked) == []


def test_replace_carries_the_current_values_of_create_only_attributes(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(displayName="Cee", locale="fr-FR"))
    mocked.put(BASE % "v2" + "Users/W00001000", json=user())
    result = run(run_module, id="W00001000", display_name="Carly H", given_name="Carly", family_name="H",
                 create_only=["display_name"], replace=True)
    sent = body_of(mocked.calls[1])
    assert sent["displayName"] == "Cee" and "locale" not in sent and result["changed_attributes"] == ["locale"]


def test_a_different_external_id_warns_and_sends_nothing(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(externalId="okta-1"))
    result = run(run_module, id="W00001000", external_id="okta-2")
    assert result["changed"] is False and writes(mocked) == []
    assert any("externalId" in w and "okta-1" in w and "okta-2" in w for w in result["warnings"])


@pytest.mark.parametrize("option", ["user_name", "given_name", "family_name", "honorific_prefix", "nick_name"])
def test_white_space_names_fail_before_any_request(mocked, run_module, option):
    args = {"user_name": "carly", option: "   "}
    result = run(run_module, **args)
    assert result["failed"] and option in result["msg"] and len(mocked.calls) == 0


def test_check_mode_shows_a_manager_not_created_yet_as_to_be_resolved(mocked, run_module):
    mocked.get(BASE % "v2" + "Users/W00001000", json=user())
    mocked.get(BASE % "v2" + "Users", json=page())
    result = run(run_module, check_mode=True, diff=True, id="W00001000", enterprise={"manager_id": "new.boss"})
    assert result["changed"] and not result.get("failed") and writes(mocked) == []
    assert diff_of(result)["after"] == {"enterprise": {"manager_id": "new.boss (to be resolved)"}}
    assert any("new.boss" in w and "real run fails" in w for w in result["warnings"])


@pytest.mark.parametrize("declared, stored, suggestion", [
    ("jürgen", "j_rgen", "jurgen"), ("Zoë", "zo_", "zoe"), ("Ørjan", "_rjan", None)])
def test_a_user_name_slack_changes_warns_naming_both(mocked, run_module, declared, stored, suggestion):
    mocked.get(BASE % "v2" + "Users", json=page())
    mocked.get(BASE % "v2" + "Users", json=page())
    result = run(run_module, check_mode=True, user_name=declared, email="someone@example.com")
    expected = ("user_name %r becomes %r: Slack keeps only a-z, 0-9, '.', '_' and '-' and turns every other "
                "character into '_'" % (declared, stored))
    if suggestion:
        expected += "; to choose the name yourself, give an ASCII one such as %r" % suggestion
    assert result["warnings"] == [expected]


def test_a_user_name_kept_as_slack_stores_it_does_not_warn_again(mocked, run_module):
    mocked.get(BASE % "v2" + "Users", json=page(user(user_name="j_rgen")))
    result = run(run_module, user_name="jürgen")
    assert result["changed"] is False and result["warnings"] == []
