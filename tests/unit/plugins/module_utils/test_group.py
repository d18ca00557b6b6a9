# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_group.py: member resolution (what it costs), the plan, and the writes it sends."""

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._finders import ClientFinder, UserIndex
from ansible_collections.scim.slack.plugins.module_utils._group import (
    GroupSpec,
    GroupSpecError,
    MemberResolver,
    apply_group,
    find_group,
    plan_group,
    verbose_notes,
)
from ansible_collections.scim.slack.plugins.module_utils._outcome import Write
from ansible_collections.scim.slack.plugins.modules import slack_scim_sync

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, body_of, page, query_of

URL = BASE % "v2"


def declared(params):
    """A group's ``params`` as the argspec leaves them (slack_scim_sync's for each group entry, slack_scim_group's
    options and more): every option there, defaults applied."""
    options = slack_scim_sync.argument_spec()["groups"]["options"]
    return dict({name: option.get("default") for name, option in options.items()}, **params)


def user(uid, name, active=True):
    return {"id": uid, "userName": name, "active": active, "emails": [{"value": "%s@example.com" % name}]}


CARLY, DAN = user("W00000001", "carly"), user("W00000002", "dan")


def test_ids_taken_on_trust_cost_nothing_and_ids_to_validate_one_read(mocked, make_client):
    mocked.get(URL + "Users/W00000002", json=DAN)
    resolved = MemberResolver(make_client()).resolve(["W00000001", "W00000002"], validate_ids=["W00000002"])
    assert resolved == {"W00000001": {"id": "W00000001", "active": True}, "W00000002": DAN}
    assert len(mocked.calls) == 1


def test_a_user_found_once_answers_every_reference_to_it(mocked, make_client):
    mocked.get(URL + "Users", json=page([CARLY]))
    resolver = MemberResolver(make_client())
    first = resolver.resolve(["carly"])
    again = resolver.resolve(["CARLY", "carly@example.com", "W00000001"], validate_ids=["W00000001"])
    assert first == {"carly": CARLY} and list(again.values()) == [CARLY, CARLY, CARLY]
    assert len(mocked.calls) == 1 and query_of(mocked.calls[0])["filter"] == 'userName eq "carly"'


def test_a_user_fetched_for_one_reference_answers_the_next_of_the_same_call(mocked, make_client):
    mocked.get(URL + "Users", json=page([CARLY]))
    resolved = MemberResolver(make_client()).resolve(["carly", "carly@example.com"])
    assert resolved == {"carly": CARLY, "carly@example.com": CARLY} and len(mocked.calls) == 1


def test_a_reference_nobody_holds_is_asked_once(mocked, make_client):
    mocked.get(URL + "Users", json=page([]))
    resolver = MemberResolver(make_client())
    assert resolver.resolve(["nobody"]) == {"nobody": None}
    assert resolver.resolve(["nobody"]) == {"nobody": None}
    assert len(mocked.calls) == 1


def test_many_references_read_one_listing_instead_of_a_search_each(mocked, make_client):
    mocked.get(URL + "Users", json=page([CARLY], total=2))  # the count probe
    mocked.get(URL + "Users", json=page([CARLY, DAN]))
    resolved = MemberResolver(make_client()).resolve(["carly", "dan", "erin"])
    assert resolved == {"carly": CARLY, "dan": DAN, "erin": None}
    assert [query_of(call).get("count") for call in mocked.calls] == ["1", "1000"]


def test_without_a_client_the_index_is_the_whole_directory(mocked):
    resolver = MemberResolver(index=UserIndex([CARLY, DAN]))
    assert resolver.resolve(["dan@example.com", "W00000001", "W00000009"]) == \
        {"dan@example.com": DAN, "W00000001": CARLY, "W00000009": None}
    assert len(mocked.calls) == 0


def test_the_plan_names_its_one_write_and_apply_sends_it(mocked, make_client):
    group = {"id": "S0001", "displayName": "Eng", "members": [{"value": CARLY["id"]}]}
    mocked.get(URL + "Groups", json=page([group]))
    mocked.get(URL + "Users", json=page([DAN]))
    mocked.patch(URL + "Groups/S0001", json=dict(group, members=[{"value": DAN["id"]}]))
    client = make_client()
    finder, spec = ClientFinder(client), GroupSpec(declared({"display_name": "Eng", "members": {"set": ["dan"]}}))
    outcome = plan_group(finder, MemberResolver(client), spec, find_group(finder, spec))
    assert outcome.write == Write("update", id="S0001", add=[DAN["id"]], remove=[CARLY["id"]])
    assert outcome.members_added == [DAN["id"]] and outcome.members_removed == [CARLY["id"]]
    apply_group(client, outcome)
    assert body_of(mocked.calls[2])["Operations"] == [
        {"op": "add", "path": "members", "value": [{"value": DAN["id"]}]},
        {"op": "remove", "path": "members", "value": [{"value": CARLY["id"]}]}]
    assert outcome.group["members"] == [{"value": DAN["id"]}]


def test_a_group_deleted_already_is_not_an_error(mocked, make_client):
    group = {"id": "S0001", "displayName": "Eng", "members": []}
    mocked.delete(URL + "Groups/S0001", status=404, json={"Errors": {"description": "no_such_group", "code": 404}})
    spec = GroupSpec.deletion("S0001")
    outcome = plan_group(None, None, spec, group)
    assert outcome.write == Write("delete", id="S0001") and outcome.action == "delete"
    assert apply_group(make_client(), outcome) is outcome


@pytest.mark.parametrize("params, message", [
    ({"id": "G1"}, "id 'G1' is not a Slack group ID"),
    ({"display_name": " "}, "display_name must not be empty"),
    ({"display_name": "Eng", "members": {"set": ["a"], "add": ["b"]}}, "members.set cannot be combined"),
    ({"display_name": "Eng", "members": {"add": ["carly"], "remove": ["CARLY"]}},
     "members.add and members.remove both name carly"),
])
def test_impossible_specs_fail_naming_the_option(params, message):
    with pytest.raises(GroupSpecError, match=message):
        GroupSpec(declared(params))


class _Module:
    def __init__(self, verbosity):
        self._verbosity = verbosity
        self.warnings = []

    def warn(self, warning):
        self.warnings.append(warning)


def test_the_clients_notes_are_said_once_and_only_at_vvvv():
    client = type("Client", (), {"notes": ["the server took filter paths"]})()
    quiet, verbose = _Module(3), _Module(4)
    verbose_notes(quiet, client)
    verbose_notes(verbose, client)
    verbose_notes(verbose, client)
    assert quiet.warnings == [] and verbose.warnings == ["the server took filter paths"]
