# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Slack's rules for user values (_user_values.py): IDs, names, emails, instants, emoji, photos, paths."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.scim.slack.plugins.module_utils import _user_values as values
from ansible_collections.scim.slack.plugins.module_utils._dialect import get_dialect

UTC = datetime.timezone.utc


@pytest.mark.parametrize("value, is_id", [
    ("W0123ABCD", True), ("U0123456789", True), ("WSVCACCOUNT", True),
    ("W0123ABC", False), ("X0123ABCD", False), ("w0123abcd", False), ("W0123ABCDEFG", False), (None, False),
])
def test_a_user_id_is_u_or_w_and_8_to_10_capitals_or_digits(value, is_id):
    assert values.is_user_id(value) is is_id


@pytest.mark.parametrize("left, right, same", [
    ("Ada@Example.com", "ada@example.COM", True),
    ("STRASSE", "straße", True),
    ("ada", "adb", False),
    ("ada", None, False),
])
def test_names_and_emails_compare_as_slack_compares_them(left, right, same):
    assert values.same_text(left, right) is same
    assert (values.folded(left) == values.folded(right)) is same or right is None


@pytest.mark.parametrize("declared, stored", [
    ("Carly", "carly"), (" carly.h ", "carly.h"), ("jürgen", "j_rgen"), ("o'hara+x", "o_hara_x"), ("a-b_c", "a-b_c"),
])
def test_user_names_are_normalised_as_slack_stores_them(declared, stored):
    assert values.normalise_user_name(declared) == stored


@pytest.mark.parametrize("entry, keys", [
    ("Ada@Example.com", [("email", "ada@example.com")]),
    ("W0123ABCD", [("id", "W0123ABCD"), ("user_name", "w0123abcd")]),
    ("Ada Lovelace", [("user_name", "ada_lovelace")]),
])
def test_a_reference_is_read_by_its_shape(entry, keys):
    assert values.reference_keys(entry) == keys


@pytest.mark.parametrize("value, blank", [
    (None, True), ("", True), ([], True), ({}, True), (0, False), (False, False), (" ", False), ([None], False),
])
def test_blank_values_are_no_value(value, blank):
    assert values.is_blank(value) is blank
    assert values.blank_to_none(value) == (None if blank else value)


@pytest.mark.parametrize("text, moment, date_only", [
    ("2027-03-31", datetime.datetime(2027, 3, 31, tzinfo=UTC), True),
    ("2027-03-31T18:00:00Z", datetime.datetime(2027, 3, 31, 18, tzinfo=UTC), False),
    ("2027-03-31T18:00:00+0200", datetime.datetime(2027, 3, 31, 16, tzinfo=UTC), False),
    ("2027-03-31 18:00-05:30", datetime.datetime(2027, 3, 31, 23, 30, tzinfo=UTC), False),
    ("2027-03-31T18:00:00.5Z", datetime.datetime(2027, 3, 31, 18, 0, 0, 500000, tzinfo=UTC), False),
])
def test_instants_are_read_in_utc(text, moment, date_only):
    assert values.parse_instant(text) == (moment, date_only)


@pytest.mark.parametrize("text", ["", None, "2027-02-30", "31/03/2027", "2027-03-31T25:00:00Z", "\uff12027-03-31"])
def test_what_is_no_instant_parses_to_none(text):
    assert values.parse_instant(text) is None


@pytest.mark.parametrize("value, sent", [
    ("2027-03-31", "2027-03-31T23:59:59Z"),
    ("2027-03-31T18:00:00Z", "2027-03-31T18:00:00Z"),
    (None, None),
])
def test_an_expiration_date_alone_is_sent_as_the_end_of_that_day(value, sent):
    assert values.expiration_to_send(value) == sent


@pytest.mark.parametrize("one, other, same", [
    ("2027-03-31T18:00:00Z", "2027-03-31T20:00:00+02:00", True),
    ("2027-03-31T18:00:00Z", "2027-03-31T18:00:01Z", False),
    ("2027-03-31", "2027-03-31T23:59:59Z", True),
    ("2027-03-31", "2027-04-01T00:00:00Z", False),
    (None, "", True),
    (None, "2027-03-31", False),
    ("soon", "soon", True),
    ("soon", "later", False),
])
def test_two_instants_are_the_same_when_they_name_one_moment(one, other, same):
    assert values.same_instant(one, other) is same
    assert values.same_instant(other, one) is same


@pytest.mark.parametrize("text, emoji", [
    ("Ada \U0001F680", True), ("Ada \u2764", True), ("Ada :rocket:", True), ("Ada :white_check_mark:", True),
    ("Ada Lovelace", False), ("10:30:45", False), ("Zoë (she/her)", False),
])
def test_emoji_are_pictographs_or_shortcodes(text, emoji):
    assert values.has_emoji(text) is emoji


@pytest.mark.parametrize("url, default", [
    ("https://secure.gravatar.com/avatar/abc.jpg", True),
    ("https://a.slack-edge.com/80588/img/avatars/ava_0010-192.png", True),
    (None, True),
    ("https://example.com/p/dana.png", False),
    ("https://gravatar.com.example.org/p.png", False),
])
def test_default_photos_are_gravatar_s_and_slack_s_avatars(url, default):
    assert values.is_default_photo(url) is default


@pytest.mark.parametrize("item, slot", [
    ({"value": "1", "primary": True}, "primary"), ({"value": "1", "type": "Mobile"}, "primary"),
    ({"value": "1", "primary": False}, "mobile"), ({"value": "1", "type": "work"}, "mobile"),
    ({"value": "1", "type": "home"}, None), ({"value": "1"}, None),
])
def test_a_phone_entry_names_the_slot_slack_stores_it_in(item, slot):
    assert values.phone_request_slot(item) == slot


@pytest.mark.parametrize("emails, kept", [
    ([{"value": "a@x.com"}, {"value": "b@x.com", "primary": True}, {"value": "c@x.com"}], ["b@x.com", "a@x.com"]),
    ([{"value": "a@x.com", "type": "home"}, {"value": "b@x.com", "type": "Work"}], ["b@x.com", "a@x.com"]),
    ([{"value": "a@x.com"}, {"value": "A@X.com"}], ["a@x.com"]),
    ([{"value": ""}, {"value": "b@x.com"}], ["b@x.com"]),
    (None, []),
])
def test_slack_keeps_a_primary_email_and_one_more(emails, kept):
    result = values.slack_primary_emails(emails)
    assert [item["value"] for item in result] == kept
    assert [item["primary"] for item in result] == [True, False][:len(kept)]


@pytest.mark.parametrize("resource, email", [
    ({"emails": [{"value": "a@x.com"}, {"value": "b@x.com", "primary": True}]}, "b@x.com"),
    ({"emails": [{"value": "a@x.com"}, {"value": "b@x.com"}]}, "a@x.com"),
    ({"emails": ["a@x.com", {"value": ""}]}, None),
    (None, None),
])
def test_the_primary_email_is_the_primary_entry_else_the_first(resource, email):
    assert values.primary_email(resource) == email


@pytest.mark.parametrize("api_version", ["v1", "v2"])
def test_a_guest_carries_the_guest_extension_with_a_type(api_version):
    dialect = get_dialect(api_version)
    assert values.is_guest({dialect.guest_urn: {"type": "multi"}}, dialect)
    assert not values.is_guest({dialect.guest_urn: {}}, dialect)
    assert not values.is_guest({"userName": "ada"}, dialect)
    assert not values.is_guest(None, dialect)


@pytest.mark.parametrize("user, bot", [
    ({"emails": [{"value": "deploy@slack-bots.com", "primary": True}]}, True),
    ({"userType": "Bot", "emails": [{"value": "deploy@example.com"}]}, True),
    ({"userType": "Employee", "emails": [{"value": "ada@example.com"}]}, False),
    ({}, False),
])
def test_bots_are_known_by_their_email_domain_or_user_type(user, bot):
    assert values.is_bot(user) is bot


def test_paths_read_and_write_nested_fields():
    resource = {"name": {"givenName": "Ada"}, "title": "x"}
    assert values.get_path(resource, ("name", "givenName")) == "Ada"
    assert values.get_path(resource, ("title", "deeper")) is None
    assert values.get_path(resource, ("missing", "x")) is None
    values.set_path(resource, ("title", "deeper"), 1)
    values.set_path(resource, ("address", "locality"), "Paris")
    assert resource == {"name": {"givenName": "Ada"}, "title": {"deeper": 1}, "address": {"locality": "Paris"}}


@pytest.mark.parametrize("api_version", ["v1", "v2"])
def test_path_placeholders_become_the_dialect_s_urns(api_version):
    dialect = get_dialect(api_version)
    assert values.resolve_path(("enterprise", "department"), dialect) == (dialect.enterprise_urn, "department")
    assert values.resolve_path(("guest", "expiration"), dialect) == (dialect.guest_urn, "expiration")
    assert values.resolve_path(("profile", "x"), dialect) == (dialect.profile_urn, "x")
    assert values.resolve_path(("name", "givenName"), dialect) == ("name", "givenName")


def test_a_list_entry_compares_without_blanks_and_primary_false():
    assert values.clean_item({"value": "a", "type": "", "primary": False, "display": None}) == {"value": "a"}
    assert values.clean_item({"value": "a", "primary": True}) == {"value": "a", "primary": True}


@pytest.mark.parametrize("current, wanted, contained", [
    ({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": 2}}, True),
    ({"a": 1, "b": {"c": 2}}, {"b": {"c": 3}}, False),
    ({"a": 1}, {"b": None}, True),
    ({"a": 1}, {"a": ""}, False),
    ("text", {"a": 1}, False),
    ([{"value": "x", "primary": False}, {"value": "y"}], [{"value": "y"}, {"value": "x"}], True),
    ([{"value": "x"}], [{"value": "x"}, {"value": "y"}], False),
    (5, 5, True),
])
def test_extra_attributes_match_on_the_keys_given(current, wanted, contained):
    assert values.contains(current, wanted) is contained
