# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""UserSpec (_user_spec.py): a declared user validated before any request, normalised as Slack stores it, and
compared with the user Slack answers; the identity of an entry, and entries that declare one user twice."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.scim.slack.plugins.module_utils._dialect import get_dialect
from ansible_collections.scim.slack.plugins.module_utils._user_spec import (
    UserSpec,
    UserSpecError,
    declared_identity,
    duplicate_entries,
)

V2 = get_dialect("v2")
CARLY = {"user_name": "carly", "email": "carly@example.com"}
STORED = {"id": "W0000C001", "userName": "carly", "nickName": "carly", "active": True, "title": "CEO",
          "emails": [{"value": "carly@example.com", "primary": True}], "name": {"givenName": "Carly"}}


def spec(**params):
    return UserSpec(dict(CARLY, **params), V2)


# -- validation: every message names the option and the value ------------------------------------------------

@pytest.mark.parametrize("params, message", [
    ({"id": "carly"}, "id 'carly' is not a Slack user ID"),
    ({"nick_name": "carla"}, "nick_name 'carla' and user_name 'carly' differ"),
    ({"user_name": "carly@example.com"}, "user_name 'carly@example.com' contains '@'"),
    ({"user_name": "c" * 22}, "user_name '%s' is 22 characters long; Slack allows at most 21" % ("c" * 22)),
    ({"user_name": "   "}, "user_name '   ': only white space"),
    ({"display_name": "d" * 81}, "display_name '%s' is 81 characters long" % ("d" * 81)),
    ({"display_name": "@carly"}, "display_name '@carly' must not start with '@'"),
    ({"display_name": "carly@work"}, "display_name 'carly@work' must not contain '@'"),
    ({"display_name": "Carly \U0001F680"}, "display_name 'Carly \U0001F680' contains an emoji"),
    ({"display_name": "  "}, "display_name '  ': only white space"),
    ({"email": "carly"}, "email 'carly' is not a valid email address"),
    ({"emails": [{"value": "a@x.com", "primary": True}, {"value": "b@x.com", "primary": True}]},
     "emails has 2 primary entries (a@x.com, b@x.com)"),
    ({"emails": [{"value": "a@x.com"}, {"value": "b@x.com"}, {"value": "c@x.com"}]}, "emails has 3 entries"),
    ({"emails": [{"value": "a@x"}]}, "emails: 'a@x' is not a valid email address"),
    ({"emails": [{"value": "a@x.com"}, {"value": "A@X.com"}]}, "emails lists one address twice"),
    ({"phone_numbers": [{"value": "1", "primary": True}, {"value": "2", "type": "mobile"}]},
     "phone_numbers: both entries name Slack's primary phone (1, 2)"),
    ({"addresses": [{"locality": "Paris"}, {"locality": "Lyon"}]}, "addresses has 2 entries; Slack stores at most 1"),
    ({"start_date": "10 April 2024"}, "start_date '10 April 2024' is not an ISO 8601 date"),
    ({"profile_url": "example.com/carly"}, "profile_url 'example.com/carly' is not an http(s) URL"),
    ({"photos": [{"value": "carly.png"}]}, "photos: 'carly.png' is neither an http(s) URL nor a data: URL"),
    ({"guest_expiration": "soon", "guest": True}, "guest_expiration 'soon' is not an ISO 8601 date"),
    ({"guest_expiration": "2099-01-01", "guest": False}, "guest_expiration '2099-01-01' needs guest: true"),
])
def test_bad_input_fails_naming_the_option_and_the_value(params, message):
    with pytest.raises(UserSpecError) as caught:
        spec(**params)
    assert message in str(caught.value)


FULL_WIDTH_2027 = "\uff12\uff10\uff12\uff17"


@pytest.mark.parametrize("params, option", [
    ({"start_date": FULL_WIDTH_2027 + "-03-31"}, "start_date"),
    ({"start_date": "2027-03-31T18:00:00+\uff10\uff10\uff10\uff10"}, "start_date"),
    ({"guest": True, "guest_expiration": FULL_WIDTH_2027 + "-03-31T18:00:00Z"}, "guest_expiration"),
    ({"guest": True, "guest_expiration": FULL_WIDTH_2027 + "-03-31"}, "guest_expiration"),
])
def test_full_width_digits_are_no_iso_8601_date(params, option):
    """Digits are ASCII (issue 23.5)."""
    with pytest.raises(UserSpecError, match="%s .* is not an ISO 8601 date" % option):
        UserSpec(dict({"user_name": "carly", "email": "carly@example.com"}, **params), get_dialect("v2"))


def test_ascii_digits_still_are():
    declared = UserSpec({"user_name": "carly", "start_date": "2027-03-31", "guest": True,
                         "guest_expiration": "2099-03-31T18:00:00Z"}, get_dialect("v2"))
    assert declared.desired["guest_expiration"] == "2099-03-31T18:00:00Z"


# -- normalisation ---------------------------------------------------------------------------------------------

def test_the_desired_values_are_as_slack_stores_them():
    declared = UserSpec({"nick_name": "Carly H", "email": "Carly@Example.com", "title": "CEO",
                         "enterprise": {"department": "Sales"}}, V2)
    assert declared.user_name == "carly_h" and declared.email == "Carly@Example.com"
    assert declared.desired == {"user_name": "carly_h", "email": "carly@example.com", "title": "CEO",
                                "department": "Sales"}


def test_the_primary_of_emails_comes_first_and_is_the_email():
    declared = UserSpec({"user_name": "carly", "emails": [{"value": "c@home.example", "type": "home"},
                                                          {"value": "c@example.com", "type": "work"}]}, V2)
    assert declared.email == "c@example.com"
    assert [(e["value"], e["primary"]) for e in declared.list_values["emails"]] == [
        ("c@example.com", True), ("c@home.example", False)]


def test_replace_declares_every_blankable_attribute_empty_but_photos_and_create_only():
    declared = spec(replace=True, title="CEO", create_only=["enterprise"])
    assert declared.desired["title"] == "CEO"
    assert declared.desired["given_name"] is None and declared.desired["phone_numbers"] == []
    assert declared.list_values["phone_numbers"] == []
    assert "photos" not in declared.desired and "department" not in declared.desired
    assert "given_name" not in spec(title="CEO").desired


def test_a_user_name_slack_changes_warns_and_suggests_an_ascii_spelling():
    assert "give an ASCII one such as 'jurgen'" in UserSpec({"user_name": "Jürgen"}, V2).user_name_warning()
    assert "'ada lee' becomes 'ada_lee'" in UserSpec({"user_name": "ada lee"}, V2).user_name_warning()
    assert "ASCII" not in UserSpec({"user_name": "ada lee"}, V2).user_name_warning()
    assert UserSpec({"user_name": " Carly "}, V2).user_name_warning() is None


def test_an_expiration_in_the_past_is_named_and_one_in_the_future_is_not():
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert spec(guest=True, guest_expiration=today.isoformat()).past_expiration() == today.isoformat()
    assert spec(guest=True, guest_expiration="2001-01-01T00:00:00Z").past_expiration() == "2001-01-01T00:00:00Z"
    assert spec(guest=True, guest_expiration=(today + datetime.timedelta(days=2)).isoformat()).past_expiration() is None
    assert spec(guest=True).past_expiration() is None


# -- comparison ------------------------------------------------------------------------------------------------

def test_only_what_differs_is_changed():
    assert spec(title="CEO", given_name="Carly").changed_options(STORED) == []
    assert sorted(spec(title="CTO", given_name="carly").changed_options(STORED)) == ["given_name", "title"]
    assert spec(email="CARLY@example.com").changed_options(STORED) == []


def test_create_only_options_are_never_changed():
    declared = spec(title="CTO", enterprise={"department": "Sales"}, create_only=["title", "enterprise"])
    assert not declared.manages("title") and not declared.manages("department") and declared.manages("email")
    assert declared.changed_options(STORED) == []


def test_extra_attributes_change_by_key():
    declared = spec(extra_attributes={"title": "CEO", "locale": "de-DE"})
    assert declared.changed_options(STORED) == ["extra_attributes.locale"]
    assert spec(extra_attributes={"locale": "x"}, create_only=["extra_attributes"]).changed_options(STORED) == []


def test_guest_false_compares_no_expiration():
    guest = dict(STORED, **{V2.guest_urn: {"type": "multi", "expiration": "2099-01-01T00:00:00Z"}})
    assert spec(guest=False).changed_options(guest) == ["guest"]
    assert spec(guest=False, guest_expiration="").changed_options(guest) == ["guest"]


# -- one user declared twice -----------------------------------------------------------------------------------

@pytest.mark.parametrize("entry, identity", [
    ({"user_name": "Carly H", "email": "Carly@Example.com", "id": "W0000C001"},
     [("user_name", "carly_h"), ("email", "carly@example.com"), ("id", "W0000C001")]),
    ({"nick_name": "carly", "emails": [{"value": "b@x.com"}, {"value": "A@x.com", "primary": True}]},
     [("user_name", "carly"), ("email", "a@x.com")]),
    ({"emails": [{"value": "b@x.com"}]}, [("email", "b@x.com")]),
    ({"user_name": "  ", "email": "", "id": 7}, []),
    ("carly", []),
])
def test_an_entry_s_identity_is_read_as_given(entry, identity):
    assert declared_identity(entry) == identity


def test_entries_that_declare_one_user_are_named_in_pairs():
    entries = [(0, {"user_name": "carly"}), (1, {"user_name": "Carly", "email": "c@x.com"}),
               (2, {"email": "C@X.com"}), (3, {"user_name": "dana"})]
    assert duplicate_entries("users", entries) == ["users[0] and users[1] both declare user_name 'carly'",
                                                   "users[1] and users[2] both declare email 'c@x.com'"]
    assert duplicate_entries("users", entries[2:]) == []
