# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The SDK-shaped models (_models.py): Slack's answers survive a round trip through them, key for key."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.scim.slack.plugins.module_utils._models import (
    Group,
    GroupMember,
    NotGiven,
    User,
    UserAddress,
    UserEmail,
    UserGroup,
    UserMeta,
    UserName,
    UserPhoneNumber,
    UserPhoto,
    UserRole,
)

# A v1 user as Slack answers it (seratch/python-slack-scim tests/fixture/v1_user_1.json, abridged in the
# reference, with the v1 extensions Slack adds: "" for absent values).
V1_USER = {
    "schemas": ["urn:scim:schemas:core:1.0", "urn:scim:schemas:extension:enterprise:1.0"],
    "id": "W111", "externalId": "",
    "meta": {"created": "2019-07-24T00:55:02-07:00", "location": "https://api.slack.com/scim/v1/Users/W111"},
    "userName": "bot-user", "nickName": "bot-user", "name": {"givenName": "bot-user", "familyName": ""},
    "displayName": "", "profileUrl": "https://awesome.enterprise.slack.com/team/bot-user", "title": "",
    "timezone": "America/Los_Angeles", "active": True,
    "emails": [{"value": "botuser-T123-A111@slack-bots.com", "primary": True}],
    "photos": [{"value": "https://secure.gravatar.com/avatar/0.jpg", "type": "photo"}], "groups": [],
    "urn:scim:schemas:extension:enterprise:1.0": {"employeeNumber": "", "manager": {"managerId": ""}},
}

# A v2 user with the placeholders Slack answers (REF examples): null-valued phone and role entries, an
# address whose every field is null, "" beside null, and attributes no model declares.
V2_USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "id": "U123ABC456", "externalId": "", "userName": "carly", "nickName": "carly",
    "name": {"givenName": "Carly", "familyName": "Henderson", "honorificPrefix": None},
    "displayName": "", "title": "", "profileUrl": "https://example.enterprise.slack.com/team/carly",
    "timezone": "America/New York", "active": True, "userType": None, "preferredLanguage": None,
    "emails": [{"value": "carly@example.com", "primary": True}, {"value": "c@example.org", "primary": False}],
    "phoneNumbers": [{"value": None, "type": "mobile"}, {"value": "+1 555 0100", "primary": True}],
    "roles": [{"value": None, "primary": True}],
    "addresses": [{"streetAddress": None, "locality": None, "region": None, "postalCode": None, "country": None}],
    "photos": [{"value": "https://avatars.slack-edge.com/2023-01-01/1_192.png", "type": "photo"}],
    "groups": [{"value": "S123ABC456", "display": "Some Group Name"}],
    "meta": {"created": "2023-02-20T15:10:03-08:00", "location": "https://api.slack.com/scim/v2/Users/U123ABC456"},
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
        "employeeNumber": None, "costCenter": None, "manager": {"managerId": None}},
}

V2_GROUP = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "S123ABC456",
    "meta": {"created": "2023-02-20T15:10:03-08:00", "location": "https://api.slack.com/scim/v2/Groups/S123ABC456"},
    "displayName": "Some Group Name", "members": [{"value": "U123ABC456", "display": "example"}],
}

V1_GROUP = {
    "schemas": ["urn:scim:schemas:core:1.0"], "id": "S111", "displayName": "Eng",
    "members": [{"value": "W111", "display": "bot-user"}],
    "meta": {"created": "2019-07-24T00:55:02-07:00", "location": "https://api.slack.com/scim/v1/Groups/S111"},
}


@pytest.mark.parametrize("answer", [V1_USER, V2_USER], ids=["v1", "v2"])
def test_a_users_answer_round_trips_key_for_key(answer):
    original = copy.deepcopy(answer)
    user = User.from_dict(answer)
    assert user.to_dict() == original
    assert answer == original, "reading an answer must not change it"


@pytest.mark.parametrize("answer", [V1_GROUP, V2_GROUP], ids=["v1", "v2"])
def test_a_groups_answer_round_trips_key_for_key(answer):
    assert Group.from_dict(answer).to_dict() == answer


def test_known_attributes_become_typed_models():
    user = User.from_dict(V2_USER)
    assert (user.id, user.user_name, user.nick_name, user.display_name, user.active) == (
        "U123ABC456", "carly", "carly", "", True)
    assert isinstance(user.name, UserName) and (user.name.given_name, user.name.family_name) == ("Carly", "Henderson")
    assert [type(item) for item in user.emails] == [UserEmail, UserEmail]
    assert user.emails[0].value == "carly@example.com" and user.emails[0].primary is True
    assert [type(item) for item in user.phone_numbers] == [UserPhoneNumber, UserPhoneNumber]
    assert isinstance(user.roles[0], UserRole) and isinstance(user.addresses[0], UserAddress)
    assert isinstance(user.photos[0], UserPhoto) and isinstance(user.groups[0], UserGroup)
    assert isinstance(user.meta, UserMeta) and user.meta.created == "2023-02-20T15:10:03-08:00"
    group = Group.from_dict(V2_GROUP)
    assert isinstance(group.members[0], GroupMember) and group.members[0].value == "U123ABC456"


def test_placeholders_stay_placeholders():
    """Slack's null-valued entries are kept as sent: a null is not an attribute nobody gave."""
    user = User.from_dict(V2_USER)
    assert user.phone_numbers[0].value is None and user.phone_numbers[0].type == "mobile"
    assert user.phone_numbers[0].primary is NotGiven
    assert user.phone_numbers[0].to_dict() == {"value": None, "type": "mobile"}
    assert user.addresses[0].street_address is None and user.addresses[0].to_dict() == V2_USER["addresses"][0]
    assert user.roles[0].to_dict() == {"value": None, "primary": True}


def test_unknown_fields_are_kept_under_their_own_keys():
    user = User.from_dict(V2_USER)
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    assert user.unknown_fields == {"userType": None, "preferredLanguage": None,
                                   enterprise: V2_USER[enterprise]}
    assert user.name.unknown_fields == {"honorificPrefix": None}


def test_the_sdk_pages_user_is_written_with_slacks_keys():
    user = User(user_name="cal", name=UserName(given_name="C", family_name="Henderson"),
                emails=[UserEmail(value="carly@example.com")])
    assert user.to_dict() == {"userName": "cal", "name": {"givenName": "C", "familyName": "Henderson"},
                              "emails": [{"value": "carly@example.com"}]}


def test_keywords_the_model_does_not_know_are_sent_as_given():
    member = GroupMember(value="W111", operation="delete")
    assert member.to_dict() == {"value": "W111", "operation": "delete"}
    assert User(user_name="cal", userType="regular").to_dict() == {"userName": "cal", "userType": "regular"}


def test_none_is_written_as_null_and_not_given_is_left_out():
    """A PATCH reads a null as "remove": the model must tell it from an attribute never set."""
    assert User(title=None).to_dict() == {"title": None}
    assert User().to_dict() == {}
    assert not NotGiven and repr(NotGiven) == "NotGiven"


def test_nested_dicts_become_models_from_either_spelling():
    camel = User(name={"givenName": "C"}, emails=[{"value": "a@example.com", "primary": True}])
    snake = User(name={"given_name": "C"}, emails=[{"value": "a@example.com", "primary": True}])
    assert camel == snake
    assert camel.name.given_name == "C" and camel.emails[0].primary is True


def test_changing_an_attribute_changes_the_dict():
    user = User.from_dict(V1_USER)
    user.name = UserName(given_name="Cal", family_name="Henderson")
    user.emails.append(UserEmail(value="cal@example.com"))
    data = user.to_dict()
    assert data["name"] == {"givenName": "Cal", "familyName": "Henderson"}
    assert data["emails"][-1] == {"value": "cal@example.com"}
    assert V1_USER["name"] == {"givenName": "bot-user", "familyName": ""}


def test_models_compare_by_content_and_show_it():
    assert UserName(given_name="C") == UserName(given_name="C")
    assert UserName(given_name="C") != UserName(given_name="D")
    assert UserEmail(value="a@example.com") != UserPhoneNumber(value="a@example.com")
    assert repr(UserName(given_name="C")) == "UserName({'givenName': 'C'})"
