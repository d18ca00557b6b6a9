# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_user_workspaces.py: the workspaces option, its plan, and its writes after the SCIM write."""

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._user_spec import UserSpec
from ansible_collections.scim.slack.plugins.module_utils._user_workspaces import (
    WorkspacePlan,
    WorkspacesError,
    WorkspacesSpec,
    converge_user_with_workspaces,
)
from ansible_collections.scim.slack.plugins.module_utils._webapi import WorkspaceIndex

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, page, query_of

WEB = "https://scim.test/api/"
TEAMS = [{"id": "T0ENG00001", "name": "Engineering", "team_url": "https://acme-eng.slack.com/"},
         {"id": "T0SAL00001", "name": "Sales", "team_url": "https://acme-sales.slack.com/"},
         {"id": "T0OPS00001", "name": "Ops", "team_url": "https://acme-ops.slack.com/"}]
INDEX = WorkspaceIndex(TEAMS)
GUEST_URN = "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"


def plan(current, **option):
    return WorkspacePlan(current, WorkspacesSpec(option).resolve(INDEX), INDEX)


@pytest.mark.parametrize("current, option, add, remove", [
    ([], {"add": ["Engineering", "acme-sales"]}, ["T0ENG00001", "T0SAL00001"], []),
    (["T0ENG00001"], {"add": ["T0ENG00001"]}, [], []),
    (["T0ENG00001", "T0OPS00001"], {"remove": ["ops", "Sales"]}, [], ["T0OPS00001"]),
    (["T0ENG00001", "T0OPS00001"], {"set": ["Sales", "T0ENG00001"]}, ["T0SAL00001"], ["T0OPS00001"]),
    (["T0ENG00001"], {"set": []}, [], ["T0ENG00001"]),
])
def test_only_the_difference_is_planned(current, option, add, remove):
    planned = plan(current, **option)
    assert (planned.add, planned.remove) == (add, remove)
    assert planned.changed is bool(add or remove)


def test_the_diff_names_workspaces_by_name_and_id():
    planned = plan(["T0OPS00001"], set=["Engineering"])
    assert planned.before == ["Ops (T0OPS00001)"] and planned.after == ["Engineering (T0ENG00001)"]


@pytest.mark.parametrize("option, message", [
    ({"set": ["Sales"], "add": ["Ops"]}, "workspaces.set cannot be combined with workspaces.add"),
    ({"add": [" "]}, "workspaces.add has an empty entry"),
    ({"add": ["Sales"], "remove": ["T0SAL00001"]}, "workspaces.add and workspaces.remove both name Sales"),
    ({"add": ["Enginering"]}, "workspaces.add entry 'Enginering' is not a workspace of this organization; "
                              "close matches: Engineering"),
    ({"remove": ["Marketing"]}, "'Marketing' is not a workspace of this organization; the organization has 3"),
])
def test_bad_entries_fail_naming_the_option_and_the_entry(option, message):
    with pytest.raises(WorkspacesError, match=message):
        WorkspacesSpec(option).resolve(INDEX)


def user(uid="W00001000", **extra):
    return dict({"id": uid, "userName": "carly", "active": True,
                 "emails": [{"value": "carly@example.com", "primary": True}]}, **extra)


def grid_reads(mocked, entry):
    mocked.get(WEB + "admin.teams.list", json={"ok": True, "teams": TEAMS, "response_metadata": {"next_cursor": ""}})
    mocked.get(BASE % "v2" + "Users/W00001000", json=entry.pop("scim"))
    mocked.get(WEB + "admin.users.list", json={"ok": True, "users": [entry], "response_metadata": {"next_cursor": ""}})


def converge(make_client, check_mode=False, **params):
    client = make_client()
    params.setdefault("id", "W00001000")
    return converge_user_with_workspaces(client, UserSpec(params, client.dialect),
                                         WorkspacesSpec(params.get("workspaces")), check_mode)


def test_check_mode_reads_and_predicts_without_a_write(mocked, make_client):
    grid_reads(mocked, {"id": "W00001000", "workspaces": ["T0OPS00001"], "scim": user()})
    outcome, planned = converge(make_client, check_mode=True, workspaces={"set": ["Sales"]})
    assert outcome.changed and outcome.changed_attributes == ["workspaces"]
    assert outcome.after == {"workspaces": ["Sales (T0SAL00001)"]}
    assert (planned.add, planned.remove) == (["T0SAL00001"], ["T0OPS00001"])
    assert [call.request.method for call in mocked.calls] == ["GET", "GET", "GET"]


def test_the_scim_write_goes_first_then_one_call_per_workspace_and_a_guest_stays_a_guest(mocked, make_client):
    guest = user(**{GUEST_URN: {"type": "multi"}})
    grid_reads(mocked, {"id": "W00001000", "workspaces": [], "scim": guest})
    mocked.patch(BASE % "v2" + "Users/W00001000", json=dict(guest, title="SRE"))
    mocked.post(WEB + "admin.users.assign", json={"ok": True})
    mocked.post(WEB + "admin.users.assign", json={"ok": True})
    outcome, dummy = converge(make_client, title="SRE", workspaces={"add": ["Sales", "Engineering"]})
    assert outcome.changed_attributes == ["title", "workspaces"]
    writes = [call for call in mocked.calls if call.request.method != "GET"]
    assert [call.request.method for call in writes] == ["PATCH", "POST", "POST"]
    assert [query_of(call) for call in writes[1:]] == [
        {"team_id": team, "user_id": "W00001000", "is_restricted": "true"} for team in ("T0ENG00001", "T0SAL00001")]


def test_nothing_to_do_sends_no_write(mocked, make_client):
    grid_reads(mocked, {"id": "W00001000", "workspaces": ["T0SAL00001"], "scim": user()})
    outcome, planned = converge(make_client, workspaces={"add": ["Sales"]})
    assert not outcome.changed and not planned.changed and len(mocked.calls) == 3


@pytest.mark.parametrize("entry, option, message", [
    ({"is_bot": True, "workspaces": []}, {"add": ["Sales"]}, "is a bot"),
    ({"is_primary_owner": True, "workspaces": ["T0SAL00001"]}, {"set": []}, "is the organization's primary owner"),
])
def test_what_slack_would_refuse_fails_before_any_write(mocked, make_client, entry, option, message):
    grid_reads(mocked, dict(entry, id="W00001000", scim=user()))
    with pytest.raises(WorkspacesError, match=message):
        converge(make_client, title="Changed", workspaces=option)
    assert all(call.request.method == "GET" for call in mocked.calls)


def test_a_deactivated_user_is_refused_because_assign_would_reactivate_it(mocked, make_client):
    mocked.get(WEB + "admin.teams.list", json={"ok": True, "teams": TEAMS, "response_metadata": {"next_cursor": ""}})
    mocked.get(BASE % "v2" + "Users/W00001000", json=user(active=False))
    with pytest.raises(WorkspacesError, match="is deactivated .* reactivate it"):
        converge(make_client, workspaces={"add": ["Sales"]})


def test_an_active_user_missing_from_the_listing_is_not_taken_for_one_without_workspaces(mocked, make_client):
    mocked.get(WEB + "admin.teams.list", json={"ok": True, "teams": TEAMS, "response_metadata": {"next_cursor": ""}})
    mocked.get(BASE % "v2" + "Users/W00001000", json=user())
    mocked.get(WEB + "admin.users.list", json={"ok": True, "users": [], "response_metadata": {"next_cursor": ""}})
    with pytest.raises(WorkspacesError, match="does not list it"):
        converge(make_client, workspaces={"set": []})


def test_a_new_user_has_no_workspaces_to_read(mocked, make_client):
    mocked.get(WEB + "admin.teams.list", json={"ok": True, "teams": TEAMS, "response_metadata": {"next_cursor": ""}})
    mocked.get(BASE % "v2" + "Users", json=page([]))
    mocked.get(BASE % "v2" + "Users", json=page([]))
    client = make_client()
    params = {"user_name": "dana", "email": "dana@example.com", "workspaces": {"add": ["Ops"]}}
    outcome, planned = converge_user_with_workspaces(client, UserSpec(params, client.dialect),
                                                     WorkspacesSpec(params["workspaces"]), check_mode=True)
    assert outcome.action == "create" and planned.add == ["T0OPS00001"]
    assert "admin.users.list" not in " ".join(call.request.url for call in mocked.calls)
