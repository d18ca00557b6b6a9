# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What Slack answers differently from what it was sent (shared/reference/slack-scim-evidence.md)."""

from __future__ import annotations

import hashlib

import pytest

V2_PATCH = ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
GUEST = {"v1": "urn:scim:schemas:extension:slack:guest:1.0",
         "v2": "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"}


def description_of(response):
    body = response.json()
    return body["Errors"]["description"] if "Errors" in body else body["detail"]


def error_of(response):
    return description_of(response).split(" (")[0]


def patch(api, user_id, values=None, remove=()):
    """PATCH ``values`` (attribute -> value) and remove ``remove`` paths, in the API's dialect."""
    values = values or {}
    if api.version == "v1":
        body = dict(values, schemas=api.schema() + [key for key in values if key.startswith("urn:")])
        if remove:
            body["meta"] = {"attributes": list(remove)}
    else:
        operations = [{"op": "replace", "path": key, "value": value} for key, value in values.items()]
        operations += [{"op": "remove", "path": path} for path in remove]
        body = {"schemas": V2_PATCH, "Operations": operations}
    return api.call("PATCH", "Users/" + user_id, body)


def put(api, user_id, **attributes):
    body = dict(schemas=api.schema() + [key for key in attributes if key.startswith("urn:")], id=user_id,
                userName=attributes.pop("userName", "carly"), active=True,
                emails=[{"value": "carly@example.com", "primary": True}], **attributes)
    return api.call("PUT", "Users/" + user_id, body)


# -- photos -------------------------------------------------------------------------------------

def test_a_user_without_photo_is_answered_with_a_gravatar_default(api):
    user = api.create_user("carly", "Carly@Example.com")
    digest = hashlib.md5(b"carly@example.com").hexdigest()
    assert user["photos"] == [{"value": user["photos"][0]["value"], "type": "photo"}]
    assert user["photos"][0]["value"].startswith("https://secure.gravatar.com/avatar/%s.jpg?s=192&d=" % digest)


def test_a_photo_is_rehosted_and_the_write_answer_lags(api, emulator):
    sent = "https://photos.example.com/carly.jpg"
    created = api.create_user("carly", photos=[{"value": sent, "primary": True}])
    # REF: the answer to the write does not show the new photo yet.
    assert created["photos"][0]["value"].startswith("https://secure.gravatar.com/avatar/")
    read = api.call("GET", "Users/" + created["id"]).json()
    url = read["photos"][0]["value"]
    assert url != sent and url.startswith("https://avatars.slack-edge.com/") and url.endswith("_192.png")
    state = api.control("GET", "state")["users"][0]
    assert state["photoSource"] == sent  # internal: a photo was set
    # Sending back what was read changes nothing; the same value sent again gives the same URL.
    assert put(api, created["id"], photos=read["photos"]).json()["photos"][0]["value"] == url
    assert api.control("GET", "state")["users"][0]["photoSource"] == sent
    other = api.create_user("dan", photos=[{"value": sent}])
    assert api.call("GET", "Users/" + other["id"]).json()["photos"][0]["value"] not in (sent, url)


def test_removing_the_photo_brings_back_the_default(api):
    user = api.create_user("carly", photos=[{"value": "data:image/png;base64,iVBORw0KGgo="}])
    assert api.call("GET", "Users/" + user["id"]).json()["photos"][0]["value"].startswith("https://avatars.")
    assert patch(api, user["id"], remove=["photos"]).status_code == 200
    read = api.call("GET", "Users/" + user["id"]).json()
    assert read["photos"][0]["value"].startswith("https://secure.gravatar.com/")
    assert "photoSource" not in api.control("GET", "state")["users"][0]


def test_a_photo_that_is_no_url_is_refused(api):
    body = {"schemas": api.schema(), "userName": "carly", "emails": [{"value": "c@example.com"}],
            "photos": [{"value": "not a url"}]}
    response = api.call("POST", "Users", body)
    assert (response.status_code, error_of(response)) == (400, "photos_invalid")


# -- placeholders and the organization's profile fields -----------------------------------------

def test_blank_profile_fields_come_back_as_placeholders(api):
    user = api.create_user("carly")
    assert user["phoneNumbers"] == [{"value": None, "type": "mobile"}, {"value": None, "primary": True}]
    assert user["roles"] == [{"value": None, "primary": True}]
    assert user["addresses"] == [{"streetAddress": None, "locality": None, "region": None, "postalCode": None,
                                  "country": None}]


def test_a_new_organization_has_no_profile_fields_until_someone_uses_them(api):
    api.control("POST", "config", {"profile_fields": []})
    user = api.create_user("carly")
    for key in ("phoneNumbers", "roles", "addresses", "userType", "locale"):
        assert key not in user
    assert not any("enterprise" in urn for urn in user["schemas"])
    api.create_user("dan", phoneNumbers=[{"value": "555-0100"}])
    read = api.call("GET", "Users/" + user["id"]).json()
    assert read["phoneNumbers"] == [{"value": None, "type": "mobile"}, {"value": None, "primary": True}]
    assert "roles" not in read
    assert api.control("GET", "state")["profile_fields"] == ["phoneNumbers"]


# -- phone numbers, addresses, roles ------------------------------------------------------------

def test_phone_types_are_answered_inverted(api):
    # REF's POST /Users example: "work" is stored as the mobilePhone, "mobile" as the primaryPhone.
    user = api.create_user("carly", phoneNumbers=[{"value": "555-555-5555", "type": "work"},
                                                  {"value": "555-555-4444", "type": "mobile"}])
    assert user["phoneNumbers"] == [{"value": "555-555-5555", "type": "mobile"},
                                    {"value": "555-555-4444", "primary": True}]


def test_phone_writes_replace_their_slot_only(api):
    user = api.create_user("carly", phoneNumbers=[{"value": "111", "primary": False}, {"value": "222"}])
    assert user["phoneNumbers"] == [{"value": "111", "type": "mobile"}, {"value": "222", "primary": True}]
    if api.version == "v1":
        body = {"schemas": api.schema(), "phoneNumbers": [{"value": "333", "primary": True}]}
    else:
        body = {"schemas": V2_PATCH, "Operations": [
            {"op": "add", "path": "phoneNumbers", "value": {"value": "333", "primary": True}}]}
    patched = api.call("PATCH", "Users/" + user["id"], body).json()
    assert patched["phoneNumbers"] == [{"value": "111", "type": "mobile"}, {"value": "333", "primary": True}]


def test_phones_sent_back_as_read_land_in_other_slots(api):
    user = api.create_user("carly", phoneNumbers=[{"value": "111", "type": "work"}, {"value": "222", "type": "mobile"}])
    replaced = put(api, user["id"], phoneNumbers=user["phoneNumbers"]).json()
    # The answer's "type": "mobile" names the primaryPhone in a request: the mobile number is lost.
    assert replaced["phoneNumbers"] == [{"value": None, "type": "mobile"}, {"value": "222", "primary": True}]


def test_v1_phone_delete_and_v2_filtered_value_replace(api):
    user = api.create_user("carly", phoneNumbers=[{"value": "111", "type": "work"}, {"value": "222"}])
    if api.version == "v1":
        body = {"schemas": api.schema(), "phoneNumbers": [{"value": "111", "operation": "delete"}]}
        expected = [{"value": None, "type": "mobile"}, {"value": "222", "primary": True}]
    else:
        body = {"schemas": V2_PATCH, "Operations": [
            {"op": "replace", "path": 'phoneNumbers[value eq "111"].value', "value": "999"}]}
        expected = [{"value": "999", "type": "mobile"}, {"value": "222", "primary": True}]
    assert api.call("PATCH", "Users/" + user["id"], body).json()["phoneNumbers"] == expected


def test_addresses_keep_neither_type_nor_primary_and_one_address_only(api):
    user = api.create_user("carly", addresses=[
        {"streetAddress": "1 Main St", "locality": "Springfield", "type": "work", "primary": False, "extra": "x"},
        {"locality": "Chicago", "country": "USA", "primary": True}])
    assert user["addresses"] == [{"streetAddress": None, "locality": "Chicago", "region": None, "postalCode": None,
                                  "country": "USA"}]


def test_v1_address_delete_needs_every_field_to_match(v1):
    address = {"streetAddress": "1 Main St", "locality": "Chicago", "region": "IL", "postalCode": "60613",
               "country": "USA"}
    user = v1.create_user("carly", addresses=[address])
    partial = {"locality": "Chicago", "operation": "delete"}
    kept = v1.call("PATCH", "Users/" + user["id"], {"schemas": v1.schema(), "addresses": [partial]}).json()
    assert kept["addresses"] == [address]
    gone = v1.call("PATCH", "Users/" + user["id"], {"schemas": v1.schema(),
                                                    "addresses": [dict(address, operation="delete")]}).json()
    assert gone["addresses"][0]["locality"] is None


def test_roles_take_objects_or_strings_and_keep_one(api):
    user = api.create_user("carly", roles=[{"value": "Tech Lead", "primary": "true", "type": "x"}, "Other"])
    assert user["roles"] == [{"value": "Tech Lead", "primary": True}]
    assert put(api, user["id"], roles=["Architect"]).json()["roles"] == [{"value": "Architect", "primary": True}]


# -- display names and other profile rules ---------------------------------------------------------

@pytest.mark.parametrize("display_name, error", [
    ("@carly", "invalid_starts_with_at"),
    ("carly@home", "invalid_name_specials"),
    ("Carly \U0001F600", "invalid_emoji_not_allowed"),
    ("Carly \u2764", "invalid_emoji_not_allowed"),
    ("Carly :smile:", "invalid_emoji_not_allowed"),
    ("x" * 81, "invalid_name_maxlength"),
])
def test_display_names_slack_refuses(api, display_name, error):
    body = {"schemas": api.schema(), "userName": "carly", "emails": [{"value": "c@example.com"}],
            "displayName": display_name}
    response = api.call("POST", "Users", body)
    assert (response.status_code, description_of(response)) == (400, "%s (user=carly)" % error)
    user = api.create_user("dan", displayName="Dan O'Brien (Ops) 10:30")
    response = patch(api, user["id"], {"displayName": display_name})
    assert (response.status_code, description_of(response)) == (400, "%s (user=%s)" % (error, user["id"]))


def test_a_blank_value_clears_the_field_and_timezone_has_a_default(api):
    user = api.create_user("carly", title="CEO", timezone="Europe/Paris")
    assert user["timezone"] == "Europe/Paris"
    cleared = patch(api, user["id"], {"title": " ", "timezone": " "}).json()
    assert cleared["title"] == "" and cleared["timezone"] == "America/Los_Angeles"


# -- multi-channel guests ------------------------------------------------------------------------

def test_create_a_guest_with_an_expiration(api):
    urn = GUEST[api.version]
    guest = api.create_user("guest", **{urn: {"type": "multi", "expiration": "2030-11-30T23:59:59Z",
                                              "channels": [{"value": "C1"}]}})
    assert guest[urn] == {"type": "multi", "expiration": "2030-11-30T23:59:59Z"}
    assert urn in guest["schemas"]
    member = api.create_user("member")
    assert urn not in member and urn not in member["schemas"]
    found = api.call("GET", "Users", params={"filter": "restricted eq '1'"}).json()
    assert [user["id"] for user in found["Resources"]] == [guest["id"]]


@pytest.mark.parametrize("value, error", [
    ({"type": "single"}, "invalid_request_payload"),
    ({"expiration": "2030-01-01T00:00:00Z"}, "invalid_request_payload"),
    ({"type": "multi", "expiration": "next tuesday"}, "invalid_attribute_format"),
    ({"type": "multi", "expiration": "2030-01-01"}, "invalid_attribute_format"),
])
def test_invalid_guest_values_are_refused(api, value, error):
    body = {"schemas": api.schema() + [GUEST[api.version]], "userName": "guest",
            "emails": [{"value": "g@example.com"}], GUEST[api.version]: value}
    response = api.call("POST", "Users", body)
    assert (response.status_code, error_of(response)) == (400, error)


def test_convert_member_to_guest_and_back_reactivates(api):
    urn = GUEST[api.version]
    user = api.create_user("carly")
    api.call("DELETE", "Users/" + user["id"])
    if api.version == "v1":
        body = {"schemas": api.schema() + [urn], urn: {"type": "multi", "expiration": "2030-11-30T23:59:59+09:00"}}
    else:
        body = {"schemas": V2_PATCH, "Operations": [
            {"op": "add", "path": urn, "value": {"type": "multi", "expiration": "2030-11-30T23:59:59+09:00"}}]}
    guest = api.call("PATCH", "Users/" + user["id"], body).json()
    assert guest[urn]["type"] == "multi" and guest["active"] is True
    # Removing the expiration keeps the guest.
    if api.version == "v1":
        body = {"schemas": api.schema(), "meta": {"attributes": [urn + ".expiration"]}}
    else:
        body = {"schemas": V2_PATCH, "Operations": [{"op": "remove", "path": urn + ".expiration"}]}
    assert api.call("PATCH", "Users/" + user["id"], body).json()[urn] == {"type": "multi"}
    api.call("DELETE", "Users/" + user["id"])
    if api.version == "v1":
        body = {"schemas": api.schema(), "meta": {"attributes": [urn]}}
    else:
        body = {"schemas": V2_PATCH, "Operations": [{"op": "remove", "path": urn}]}
    member = api.call("PATCH", "Users/" + user["id"], body).json()
    assert urn not in member and member["active"] is True


def test_a_patch_that_does_not_convert_leaves_a_deactivated_user_deactivated(api):
    user = api.create_user("carly")
    api.call("DELETE", "Users/" + user["id"])
    assert patch(api, user["id"], {"title": "Gone"}).json()["active"] is False


def test_admins_and_owners_cannot_be_made_guests(api):
    urn = GUEST[api.version]
    user = api.create_user("boss")
    assert api.control("POST", "account_type", {"id": user["id"], "type": "admin"}) == {
        "id": user["id"], "type": "admin"}
    response = patch(api, user["id"], {urn: {"type": "multi"}})
    assert (response.status_code, error_of(response)) == (400, "cannot_make_user_guest")
    assert urn not in api.call("GET", "Users/" + user["id"]).json()


def test_the_primary_owner_cannot_be_deactivated(api):
    user = api.create_user("founder")
    api.control("POST", "account_type", {"id": user["id"], "type": "primary_owner"})
    response = api.call("DELETE", "Users/" + user["id"])
    assert (response.status_code, error_of(response)) == (400, "cannot_disable_primary_owner")
    response = patch(api, user["id"], {"active": False})
    assert (response.status_code, error_of(response)) == (400, "cannot_disable_primary_owner")
    assert api.call("GET", "Users/" + user["id"]).json()["active"] is True


def test_put_keeps_a_guest_only_when_it_carries_the_extension(api):
    urn = GUEST[api.version]
    guest = api.create_user("carly", **{urn: {"type": "multi", "expiration": "2030-01-01T00:00:00Z"}})
    kept = put(api, guest["id"], **{urn: guest[urn]}).json()
    assert kept[urn] == {"type": "multi", "expiration": "2030-01-01T00:00:00Z"}
    assert urn not in put(api, guest["id"], title="Contractor").json()


# -- filters Slack does not document are refused -------------------------------------------------------

@pytest.mark.parametrize("expression", [
    'displayName eq "Carly"',
    'id eq "UE00000001"',
    'active eq true',
    'userName ne "carly"',
    'userName ew "ly"',
    'not (userName eq "carly")',
    'emails.value eq "carly@example.com"',
    'userName eq "carly" and displayName eq "Carly"',
])
def test_undocumented_user_filters_are_refused(api, expression):
    api.create_user("carly", displayName="Carly")
    response = api.call("GET", "Users", params={"filter": expression})
    assert (response.status_code, description_of(response)) == (400, "invalid_query")


def test_emails_filter_is_v2_only(api):
    api.create_user("carly")
    response = api.call("GET", "Users", params={"filter": 'emails eq "carly@example.com"'})
    if api.version == "v1":
        assert (response.status_code, description_of(response)) == (400, "invalid_query")
    else:
        assert [u["userName"] for u in response.json()["Resources"]] == ["carly"]


def test_groups_filter_on_display_name_only(api):
    user = api.create_user("carly")
    api.create_group("Engineering", [user["id"]])
    found = api.call("GET", "Groups", params={"filter": 'displayName sw "eng"'}).json()
    assert [g["displayName"] for g in found["Resources"]] == ["Engineering"]
    for expression in ('members eq "%s"' % user["id"], 'userName eq "carly"'):
        response = api.call("GET", "Groups", params={"filter": expression})
        assert (response.status_code, description_of(response)) == (400, "invalid_query")


def test_external_id_and_profile_url_are_set_on_create_only(api):
    user = api.create_user("carly", externalId="okta-00u1", profileUrl="https://login.example.com/carly",
                           password="Secret!1")
    assert (user["externalId"], user["profileUrl"]) == ("okta-00u1", "https://login.example.com/carly")
    assert "password" not in user
    changed = patch(api, user["id"], {"externalId": "okta-other", "profileUrl": "https://x.example/"}).json()
    assert (changed["externalId"], changed["profileUrl"]) == ("okta-00u1", "https://login.example.com/carly")
    plain = api.create_user("dan")
    assert plain["externalId"] == "" and plain["profileUrl"].endswith("/team/dan")
