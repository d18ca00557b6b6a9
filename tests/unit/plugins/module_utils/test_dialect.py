# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._dialect import (
    DIALECTS,
    dialect_mismatch,
    empties_members,
    get_dialect,
    url_dialect,
)

V2 = DIALECTS["v2"]
V1 = DIALECTS["v1"]
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


# -- v2 member removal: the form Slack's live tests prove, never a bare remove ----------------------

def test_v2_removal_is_one_remove_on_members_with_the_ids_as_value():
    body = V2.patch_group_body(None, add=[], remove=["U1", "W2"])
    assert body == {"schemas": [PATCH_OP], "Operations": [
        {"op": "remove", "path": "members", "value": [{"value": "U1"}, {"value": "W2"}]}]}


def test_v2_rename_add_and_remove_in_one_patch():
    body = V2.patch_group_body("ops", add=["U3"], remove=["U4"])
    assert body["Operations"] == [
        {"op": "replace", "path": "displayName", "value": "ops"},
        {"op": "add", "path": "members", "value": [{"value": "U3"}]},
        {"op": "remove", "path": "members", "value": [{"value": "U4"}]},
    ]


@pytest.mark.parametrize("remove", [[], (), [""], [None]])
def test_v2_an_empty_removal_sends_no_remove_operation(remove):
    body = V2.patch_group_body(None, add=["U1"], remove=remove)
    assert [op["op"] for op in body["Operations"]] == ["add"]
    assert not empties_members(body["Operations"])


def test_v2_no_change_sends_no_operation():
    assert V2.patch_group_body(None, add=[], remove=[])["Operations"] == []


def test_v2_removal_by_filter_selects_each_member_in_its_path():
    body = V2.patch_group_body(None, add=["U3"], remove=["U1", "W2"], remove_by_filter=True)
    assert body["Operations"] == [{"op": "add", "path": "members", "value": [{"value": "U3"}]},
                                  {"op": "remove", "path": 'members[value eq "U1"]'},
                                  {"op": "remove", "path": 'members[value eq "W2"]'}]
    assert not empties_members(body["Operations"])


def test_v1_removal_marks_each_member_deleted():
    body = V1.patch_group_body(None, add=["U1"], remove=["U2"])
    assert body == {"schemas": ["urn:scim:schemas:core:1.0"],
                    "members": [{"value": "U1"}, {"value": "U2", "operation": "delete"}]}
    assert "members" not in V1.patch_group_body("eng", add=[], remove=[])


def test_v2_partial_group_with_deletes_becomes_one_remove():
    body = V2.patch_group_from_partial({"members": [{"value": "U1", "operation": "delete"},
                                                    {"value": "U2", "operation": "delete"}]})
    assert body["Operations"] == [{"op": "remove", "path": "members", "value": [{"value": "U1"}, {"value": "U2"}]}]


@pytest.mark.parametrize("operations, empties", [
    ([{"op": "remove", "path": "members"}], True),
    ([{"op": "Remove", "path": " Members "}], True),
    ([{"op": "remove", "path": "members", "value": []}], True),
    ([{"op": "remove", "path": "members", "value": [{"value": "U1"}]}], False),
    ([{"op": "remove", "path": 'members[value eq "U1"]'}], False),
    ([{"op": "replace", "path": "members", "value": []}], False),
    ([], False),
    (None, False),
])
def test_empties_members_spots_a_remove_without_value(operations, empties):
    assert empties_members(operations) is empties


# -- api_version against api_url ----------------------------------------------------------------------

@pytest.mark.parametrize("url, dialect", [
    ("https://api.slack.com/scim/v2/", "v2"),
    ("https://api.slack.com/scim/v2", "v2"),
    ("https://api.slack.com/scim/V1/", "v1"),
    ("http://127.0.0.1:8765/scim/v1", "v1"),
    ("https://api.slack.com/scim/v2/?x=1", "v2"),
    ("https://gateway.example.com/slack/", None),
    ("https://gateway.example.com/scim/v2/Users", None),
    ("https://gateway.example.com/scim/v3/", None),
    ("https://gateway.example.com/scim/v2x/", None),
    ("", None),
    (None, None),
])
def test_url_dialect_reads_only_a_path_ending_in_scim_vn(url, dialect):
    assert url_dialect(url) == dialect


@pytest.mark.parametrize("url, version", [
    ("https://api.slack.com/scim/v2/", "v1"),
    ("https://api.slack.com/scim/v2", "v1"),
    ("https://api.slack.com/scim/v1/", "v2"),
    ("https://api.slack.com/scim/v1", "v2"),
])
def test_a_contradiction_names_both_options_and_the_fix(url, version):
    message = dialect_mismatch(url, version)
    named = "v1" if version == "v2" else "v2"
    assert message.startswith("api_version is %s but api_url %s ends in /scim/%s/" % (version, url, named))
    assert "set api_version to %s, or point api_url at /scim/%s/" % (named, version) in message


@pytest.mark.parametrize("url, version", [
    ("https://api.slack.com/scim/v2/", "v2"),
    ("https://api.slack.com/scim/v1/", "v1"),
    ("https://proxy.example.com/slack-scim/", "v1"),
    ("https://proxy.example.com/slack-scim/", "v2"),
    (None, "v1"),
])
def test_other_urls_are_taken_as_given(url, version):
    assert dialect_mismatch(url, version) is None


def test_get_dialect_gives_the_dialect_of_a_checked_version():
    # An unknown api_version never gets here: the argument spec's choices, the lookup's, or SCIMClient refuse it
    # (test_client.py::test_rejects_unknown_api_version_and_missing_token).
    assert get_dialect("v1") is V1 and get_dialect("v2") is V2
