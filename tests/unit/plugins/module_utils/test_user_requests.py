# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The request bodies of one user (_user_requests.py): the POST, the partial resource of a PATCH, the PUT of
replace, and check mode's prediction of a PATCH."""

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._dialect import get_dialect
from ansible_collections.scim.slack.plugins.module_utils._user_requests import (
    create_body,
    patch_body,
    predict,
    put_body,
)
from ansible_collections.scim.slack.plugins.module_utils._user_spec import UserSpec

CARLY = {"user_name": "carly", "email": "carly@example.com"}


def spec(api_version="v2", **params):
    return UserSpec(dict(CARLY, **params), get_dialect(api_version))


def stored(api_version="v2", **extra):
    resource = {"id": "W0000C001", "userName": "carly", "nickName": "carly", "active": True,
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "meta": {"created": "2024-01-01"},
                "groups": [{"value": "S1"}], "externalId": "hr-7", "title": "CEO",
                "emails": [{"value": "carly@example.com", "primary": True}, {"value": "c@home.example", "primary": False}]}
    resource.update(extra)
    return resource


@pytest.mark.parametrize("api_version", ["v1", "v2"])
def test_create_posts_the_declared_user_with_extensions_under_the_dialect_s_urns(api_version):
    declared = spec(api_version, title="CEO", given_name="Carly", enterprise={"department": "Sales"},
                    external_id="hr-7", extra_attributes={"locale": "de-DE"})
    dialect = declared.dialect
    assert create_body(declared) == {
        "userName": "carly", "active": True, "emails": [{"value": "carly@example.com", "primary": True}],
        "title": "CEO", "name": {"givenName": "Carly"}, dialect.enterprise_urn: {"department": "Sales"},
        "externalId": "hr-7", "locale": "de-DE"}


def test_create_sends_no_blank_and_a_guest_with_its_expiration_at_the_end_of_the_day():
    body = create_body(spec(title="", guest=True, guest_expiration="2099-03-31"))
    assert "title" not in body
    assert body[get_dialect("v2").guest_urn] == {"type": "multi", "expiration": "2099-03-31T23:59:59Z"}


def test_a_patch_names_only_the_changed_attributes():
    declared = spec(title="CTO", given_name="Carly", enterprise={"department": "Sales"})
    assert patch_body(declared, stored(), ["title", "department"]) == {
        "title": "CTO", get_dialect("v2").enterprise_urn: {"department": "Sales"}}


def test_a_blank_value_is_sent_as_null_and_a_blank_manager_clears_the_manager():
    declared = spec(title="", enterprise={"manager_id": ""})
    assert patch_body(declared, stored(), ["title", "manager_id"]) == {
        "title": None, get_dialect("v2").enterprise_urn: {"manager": None}}


def test_a_new_primary_email_keeps_one_secondary():
    three = stored(emails=stored()["emails"] + [{"value": "c@other.example"}])
    assert patch_body(spec(email="carly@new.example"), three, ["email"]) == {
        "emails": [{"value": "carly@new.example", "primary": True}, {"value": "c@home.example", "primary": False}]}


def test_a_guest_keeps_its_expiration_and_guest_false_sends_no_extension():
    urn = get_dialect("v2").guest_urn
    guest = stored(**{urn: {"type": "multi", "expiration": "2099-01-01T00:00:00Z"}})
    assert patch_body(spec(guest=True), guest, ["guest"]) == {urn: {"type": "multi",
                                                                    "expiration": "2099-01-01T00:00:00Z"}}
    assert patch_body(spec(guest=False), guest, ["guest"]) == {urn: None}


def test_a_patch_carries_the_changed_extra_attributes_as_given():
    declared = spec(extra_attributes={"locale": "de-DE", "title": "x"})
    assert patch_body(declared, stored(), ["extra_attributes.locale"]) == {"locale": "de-DE"}


def test_replace_puts_the_declared_user_over_what_the_collection_does_not_model():
    photo = {"value": "https://secure.gravatar.com/avatar/x.png"}
    body = put_body(spec(replace=True, given_name="Carly"), stored(photos=[photo], addresses=[{"value": None}]))
    assert {"schemas", "meta", "groups"}.isdisjoint(body)
    assert body["externalId"] == "hr-7" and body["id"] == "W0000C001"
    assert body["userName"] == body["nickName"] == "carly" and body["active"] is True
    assert body["name"] == {"givenName": "Carly"}
    assert "title" not in body, "replace blanks what is not declared"
    assert body["photos"] == [], "Slack's default photo is not sent back"
    assert body["addresses"] == []
    assert body["emails"] == [{"value": "carly@example.com", "primary": True}]


def test_replace_keeps_what_create_only_names():
    body = put_body(spec(replace=True, create_only=["email", "emails", "title"]), stored())
    assert body["title"] == "CEO"
    assert body["emails"] == stored()["emails"]


def test_check_mode_predicts_the_patched_user():
    partial = {"userName": "Carly H", "title": None, "name": {"givenName": "Carly"}}
    predicted = predict(stored(name={"familyName": "H"}), partial)
    assert predicted["userName"] == predicted["nickName"] == "carly_h"
    assert "title" not in predicted
    assert predicted["name"] == {"familyName": "H", "givenName": "Carly"}
