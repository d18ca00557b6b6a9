# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_group_connections.py: the workspaces and channels of IdP groups, read, planned and written."""

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._group import GroupSpec
from ansible_collections.scim.slack.plugins.module_utils._group_connections import (
    ConnectionPlan,
    ConnectionReader,
    ConnectionResolver,
    Connections,
    ConnectionsError,
    ConnectionSpec,
    GroupConnections,
    PartialConnectionsError,
    apply_connections,
    converge_group_with_connections,
    plan_connections,
)
from ansible_collections.scim.slack.plugins.module_utils._webapi import WebApiError

from ansible_collections.scim.slack.tests.unit.plugins.module_utils.test_group import declared
from ansible_collections.scim.slack.tests.unit.plugins.module_utils.test_user_workspaces import TEAMS, WEB
from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, page, query_of

CHANNELS = [
    {"id": "C0ENG00001", "name": "eng-deploys", "internal_team_ids": ["T0ENG00001"]},
    {"id": "C0SAL00001", "name": "sales-deploys", "internal_team_ids": ["T0SAL00001"]},
    {"id": "C0ENG00009", "name": "random", "internal_team_ids": ["T0ENG00001"]},
    {"id": "C0SAL00009", "name": "random", "internal_team_ids": ["T0SAL00001"]},
    {"id": "C0OPS00001", "name": "ops-oncall", "internal_team_ids": ["T0OPS00001"]},
    {"id": "C0ORG00001", "name": "announcements", "internal_team_ids": ["T0ENG00001", "T0SAL00001"],
     "is_org_default": True},
    {"id": "C0ORG00002", "name": "all-hands", "context_team_id": "T0ENG00001", "is_org_mandatory": True},
]


class FakeWeb:
    """WebApiClient's Grid methods over fixed data, recording every call."""

    def __init__(self, connected=None, linked=None, refuse=()):
        self.connected = connected or {}  # group id -> [team ids]
        self.linked = linked or {}  # group id -> [channel ids]
        self.refuse = set(refuse)
        self.calls = []

    def teams(self):
        self.calls.append(("admin.teams.list",))
        return TEAMS

    def connected_groups(self, team_ids):
        self.calls.extend(("usergroups.list", team_id) for team_id in team_ids)
        return {team_id: {group for group, teams in self.connected.items() if team_id in teams} for team_id in team_ids}

    def group_channels(self, group_id):
        self.calls.append(("admin.usergroups.listChannels", group_id))
        by_id = {channel["id"]: channel for channel in CHANNELS}
        return [{"id": cid, "name": by_id[cid]["name"], "team_id": (by_id[cid].get("internal_team_ids") or [None])[0]}
                for cid in self.linked.get(group_id, [])]

    def search_channels(self, query=None, team_ids=None, channel_types=None):
        self.calls.append(("admin.conversations.search", query))
        return iter([channel for channel in CHANNELS if not query or query.lower() in channel["name"]])

    def connect_group(self, group_id, team_ids):
        self.calls.append(("admin.usergroups.addTeams", group_id, tuple(team_ids)))

    def add_group_channels(self, group_id, channel_ids, team_id=None):
        self.calls.append(("admin.usergroups.addChannels", group_id, tuple(channel_ids), team_id))
        self._refuse(channel_ids)

    def remove_group_channels(self, group_id, channel_ids):
        self.calls.append(("admin.usergroups.removeChannels", group_id, tuple(channel_ids)))
        self._refuse(channel_ids)

    def _refuse(self, channel_ids):
        refused = [cid for cid in channel_ids if cid in self.refuse]
        if refused:
            raise WebApiError("refused", error="channel_not_found", invalid=refused)

    def writes(self):
        return [call for call in self.calls if call[0] in ("admin.usergroups.addTeams", "admin.usergroups.addChannels",
                                                           "admin.usergroups.removeChannels")]


def plan_for(web, workspaces=None, channels=None, group="S0GROUP001"):
    reader = ConnectionReader(web)
    connections = GroupConnections(workspaces, channels)
    channels_of = [group] if connections.manages_channels else ()
    current = reader.read([group], channels_of=channels_of)[group]
    return plan_connections(ConnectionResolver(web, reader.index), connections, current, "group %s" % group)


# -- the spec --------------------------------------------------------------------------------------------


def test_a_plain_list_is_the_exact_set():
    spec = ConnectionSpec.parse(["Sales", "T0ENG00001"], "workspaces")
    assert (spec.set, spec.add, spec.remove, spec.manages) == (["Sales", "T0ENG00001"], [], [], True)
    assert ConnectionSpec.parse([], "channels").manages is True
    assert ConnectionSpec.parse(None, "channels").manages is False
    assert ConnectionSpec.parse({"add": ["a"]}, "channels").add == ["a"]


@pytest.mark.parametrize("value, message", [
    ({"set": ["Sales"], "add": ["Ops"]}, "workspaces.set cannot be combined with workspaces.add or workspaces.remove"),
    ({"add": ["Sales", " "]}, "workspaces.add entry 2 is empty or not a string: ' '"),
    ({"remove": [7]}, "workspaces.remove entry 1 is empty or not a string: 7"),
    ({"sett": ["Sales"]}, "workspaces has the unknown key\\(s\\) sett"),
    ({"add": "Sales"}, "workspaces.add must be a list, not 'Sales'"),
    ("Sales", "workspaces must be a list or a dict"),
])
def test_bad_specs_name_the_option_the_entry_and_the_value(value, message):
    with pytest.raises(ConnectionsError, match=message):
        ConnectionSpec.parse(value, "workspaces")


# -- reading ---------------------------------------------------------------------------------------------


def test_many_groups_are_read_from_one_listing_per_workspace():
    web = FakeWeb(connected={"S0A": ["T0ENG00001"], "S0B": ["T0ENG00001", "T0OPS00001"]},
                  linked={"S0B": ["C0ENG00001"]})
    reader = ConnectionReader(web)
    current = reader.read(["S0A", "S0B", "S0C"], channels_of=["S0B"])
    assert current["S0A"].workspaces == {"T0ENG00001"} and current["S0A"].channels is None
    assert current["S0B"].workspaces == {"T0ENG00001", "T0OPS00001"}
    assert current["S0B"].channels == {"C0ENG00001": {"id": "C0ENG00001", "name": "eng-deploys",
                                                      "team_id": "T0ENG00001"}}
    assert current["S0C"].workspaces == set()
    assert web.calls == [("admin.teams.list",), ("usergroups.list", "T0ENG00001"), ("usergroups.list", "T0SAL00001"),
                         ("usergroups.list", "T0OPS00001"), ("admin.usergroups.listChannels", "S0B")]
    assert reader.read([]) == {} and len(web.calls) == 5


# -- planning workspaces ---------------------------------------------------------------------------------


@pytest.mark.parametrize("connected, option, connect", [
    ([], {"add": ["Engineering", "acme-sales"]}, ["T0ENG00001", "T0SAL00001"]),
    (["T0ENG00001"], {"add": ["T0ENG00001"]}, []),
    (["T0ENG00001"], ["Engineering", "Ops"], ["T0OPS00001"]),
    (["T0ENG00001"], {"remove": ["Sales"]}, []),
])
def test_workspaces_plan_only_the_difference(connected, option, connect):
    web = FakeWeb(connected={"S0GROUP001": connected})
    planned = plan_for(web, workspaces=option)
    assert planned.connect == connect and planned.changed is bool(connect) and planned.removals == 0
    assert planned.methods == (["admin.usergroups.addTeams"] if connect else [])


def test_the_workspace_diff_names_workspaces_by_name_and_id():
    planned = plan_for(FakeWeb(connected={"S0GROUP001": ["T0OPS00001"]}), workspaces={"add": ["Engineering"]})
    assert planned.before == {"workspaces": ["Ops (T0OPS00001)"]}
    assert planned.after == {"workspaces": ["Engineering (T0ENG00001)", "Ops (T0OPS00001)"]}


@pytest.mark.parametrize("option, asked", [({"remove": ["Ops"]}, "workspaces.remove names Ops (T0OPS00001)"),
                                           (["Engineering"], "workspaces.set leaves out Ops (T0OPS00001)")])
def test_a_disconnection_fails_as_slack_has_no_method_for_it(option, asked):
    web = FakeWeb(connected={"S0GROUP001": ["T0ENG00001", "T0OPS00001"]})
    with pytest.raises(ConnectionsError) as failed:
        plan_for(web, workspaces=option)
    assert asked in str(failed.value)
    assert "Slack offers no way to disconnect an IdP group from a workspace" in str(failed.value)
    assert "nothing was changed" in str(failed.value)


@pytest.mark.parametrize("option, message", [
    ({"add": ["Enginering"]}, "workspaces.add entry 'Enginering' is not a workspace of this organization; "
                              "close matches: Engineering \\(T0ENG00001\\)"),
    ({"add": ["Sales"], "remove": ["T0SAL00001"]}, "workspaces.add and workspaces.remove both name Sales"),
])
def test_bad_workspaces_fail(option, message):
    with pytest.raises(ConnectionsError, match=message):
        plan_for(FakeWeb(), workspaces=option)


# -- planning channels -----------------------------------------------------------------------------------


def test_channels_by_name_and_id_are_added_in_their_workspace():
    web = FakeWeb(connected={"S0GROUP001": ["T0ENG00001"]}, linked={"S0GROUP001": ["C0ENG00001"]})
    planned = plan_for(web, workspaces={"add": ["Sales"]}, channels={"add": ["#sales-deploys", "C0ENG00001"]})
    assert planned.connect == ["T0SAL00001"] and planned.add_channels == {"T0SAL00001": ["C0SAL00001"]}
    assert planned.before["channels"] == ["#eng-deploys (C0ENG00001)"]
    assert planned.after["channels"] == ["#eng-deploys (C0ENG00001)", "#sales-deploys (C0SAL00001)"]
    assert planned.described(planned.channels_added) == ["#sales-deploys (C0SAL00001)"]
    assert ("admin.conversations.search", "sales-deploys") in web.calls


def test_a_rerun_of_a_set_needs_no_search_and_plans_nothing():
    web = FakeWeb(connected={"S0GROUP001": ["T0ENG00001"]}, linked={"S0GROUP001": ["C0ENG00001", "C0ENG00009"]})
    planned = plan_for(web, channels=["eng-deploys", "C0ENG00009"])
    assert not planned.changed and planned.removals == 0
    assert not [call for call in web.calls if call[0] == "admin.conversations.search"]


def test_set_removes_the_channels_it_leaves_out_and_counts_them():
    web = FakeWeb(connected={"S0GROUP001": ["T0ENG00001"]}, linked={"S0GROUP001": ["C0ENG00001", "C0ENG00009"]})
    planned = plan_for(web, channels={"set": ["eng-deploys"]})
    assert planned.remove_channels == ["C0ENG00009"] and planned.removals == 1
    assert planned.methods == ["admin.usergroups.removeChannels"]
    assert plan_for(web, channels={"remove": ["random"]}).remove_channels == ["C0ENG00009"]


def test_a_name_in_two_workspaces_is_taken_in_the_groups_and_ambiguous_otherwise():
    engineering = plan_for(FakeWeb(connected={"S0GROUP001": ["T0ENG00001"]}), channels={"add": ["random"]})
    assert engineering.add_channels == {"T0ENG00001": ["C0ENG00009"]}
    with pytest.raises(ConnectionsError) as failed:
        plan_for(FakeWeb(connected={"S0GROUP001": ["T0ENG00001", "T0SAL00001"]}), channels={"add": ["random"]})
    assert str(failed.value) == (
        "channels.add entry 'random' names 2 channels: #random (C0ENG00009) in Engineering (T0ENG00001); "
        "#random (C0SAL00009) in Sales (T0SAL00001); use the channel ID")


@pytest.mark.parametrize("entry, message", [
    ("eng-deploy", "channels.add entry 'eng-deploy' is no channel the token can find; close matches: "
                   "#eng-deploys \\(C0ENG00001\\)"),
    ("sales-depolys", "close matches: #sales-deploys \\(C0SAL00001\\)"),
    ("C0NOTHERE1", "channels.add entry 'C0NOTHERE1' is no channel the token can find"),
    ("announcements", "#announcements \\(C0ORG00001\\) is an org-wide default channel; Slack refuses"),
    ("C0ORG00002", "#all-hands \\(C0ORG00002\\) is an org-wide default channel"),
    ("ops-oncall", "#ops-oncall \\(C0OPS00001\\) is in Ops \\(T0OPS00001\\), which group S0GROUP001 will not be "
                   "connected to; Slack answers usergroup_not_linked_to_team"),
])
def test_bad_channels_fail_before_any_write(entry, message):
    web = FakeWeb(connected={"S0GROUP001": ["T0ENG00001", "T0SAL00001"]})
    with pytest.raises(ConnectionsError, match=message):
        plan_for(web, channels={"add": [entry]})
    assert web.writes() == []


def test_a_new_group_is_planned_without_reading_its_connections():
    web = FakeWeb()
    reader = ConnectionReader(web)
    planned = plan_connections(ConnectionResolver(web, reader.index),
                               GroupConnections(["Engineering"], ["eng-deploys"]), Connections.none())
    assert planned.connect == ["T0ENG00001"] and planned.add_channels == {"T0ENG00001": ["C0ENG00001"]}
    assert planned.before == {"workspaces": [], "channels": []}
    assert [call[0] for call in web.calls] == ["admin.teams.list", "admin.conversations.search"]


# -- applying --------------------------------------------------------------------------------------------


def test_apply_connects_first_then_adds_channels_a_hundred_a_call_with_the_workspace_then_removes():
    many = ["C0X%07d" % n for n in range(150)]
    planned = ConnectionPlan(connect=["T0SAL00001"], add_channels={"T0SAL00001": many, "T0ENG00001": ["C0ENG00001"]},
                             remove_channels=["C0OPS00001"])
    web = FakeWeb()
    apply_connections(web, "S0G", planned)
    assert [(call[0], len(call[2]) if len(call) > 2 else 0, call[-1]) for call in web.calls] == [
        ("admin.usergroups.addTeams", 1, ("T0SAL00001",)),
        ("admin.usergroups.addChannels", 1, "T0ENG00001"),
        ("admin.usergroups.addChannels", 100, "T0SAL00001"),
        ("admin.usergroups.addChannels", 50, "T0SAL00001"),
        ("admin.usergroups.removeChannels", 1, ("C0OPS00001",)),
    ]


def test_a_partial_success_is_reported_after_every_call_was_sent():
    planned = ConnectionPlan(add_channels={"T0ENG00001": ["C0ENG00001", "C0ENG00009"]}, remove_channels=["C0OPS00001"],
                             labels={"C0ENG00009": "#random (C0ENG00009)"})
    web = FakeWeb(refuse={"C0ENG00009"})
    with pytest.raises(PartialConnectionsError) as failed:
        apply_connections(web, "S0G", planned)
    assert str(failed.value) == ("Slack refused some channels of group S0G, and applied the others: "
                                 "admin.usergroups.addChannels: channel_not_found for #random (C0ENG00009)")
    assert [call[0] for call in web.calls] == ["admin.usergroups.addChannels", "admin.usergroups.removeChannels"]


def test_other_errors_stop_at_once():
    class Failing(FakeWeb):
        def connect_group(self, group_id, team_ids):
            raise WebApiError("admin.usergroups.addTeams failed: not_an_admin", error="not_an_admin")

    web = Failing()
    with pytest.raises(WebApiError, match="not_an_admin") as failed:
        apply_connections(web, "S0G", ConnectionPlan(connect=["T0ENG00001"], remove_channels=["C0ENG00001"]))
    assert web.calls == [] and failed.value.applied is False


def test_an_error_after_a_write_says_something_was_applied():
    class Failing(FakeWeb):
        def remove_group_channels(self, group_id, channel_ids):
            raise WebApiError("admin.usergroups.removeChannels failed: not_an_admin", error="not_an_admin")

    with pytest.raises(WebApiError) as failed:
        apply_connections(Failing(), "S0G", ConnectionPlan(connect=["T0ENG00001"], remove_channels=["C0ENG00001"]))
    assert failed.value.applied is True


# -- one group task over HTTP ----------------------------------------------------------------------------


def group_reads(mocked, group, connected_to=()):
    mocked.get(BASE % "v2" + "Groups/" + group["id"], json=group)
    mocked.get(WEB + "admin.teams.list", json={"ok": True, "teams": TEAMS, "response_metadata": {"next_cursor": ""}})
    for team in TEAMS:
        listed = [{"id": group["id"], "is_idp_group": True}] if team["id"] in connected_to else []
        mocked.get(WEB + "usergroups.list", json={"ok": True, "usergroups": listed})


def converge(make_client, check_mode=False, **params):
    connections = GroupConnections(params.pop("workspaces", None), params.pop("channels", None))
    return converge_group_with_connections(make_client(), GroupSpec(declared(params)), connections, check_mode)


def test_the_scim_write_goes_first_then_the_connection(mocked, make_client):
    group = {"id": "S0GROUP001", "displayName": "Old", "members": []}
    group_reads(mocked, group, connected_to=["T0ENG00001"])
    mocked.get(BASE % "v2" + "Groups", json=page([]))
    mocked.patch(BASE % "v2" + "Groups/S0GROUP001", json=dict(group, displayName="New"))
    mocked.post(WEB + "admin.usergroups.addTeams", json={"ok": True})
    outcome, planned = converge(make_client, id="S0GROUP001", display_name="New", workspaces={"add": ["Ops"]})
    writes = [call for call in mocked.calls if call.request.method != "GET"]
    assert [call.request.method for call in writes] == ["PATCH", "POST"]
    assert query_of(writes[1]) == {"usergroup_id": "S0GROUP001", "team_ids": "T0OPS00001"}
    assert outcome.after["workspaces"] == ["Engineering (T0ENG00001)", "Ops (T0OPS00001)"]
    assert outcome.after["display_name"] == "New" and planned.connect == ["T0OPS00001"]


def test_a_failure_after_the_scim_write_says_something_was_applied(mocked, make_client):
    group = {"id": "S0GROUP001", "displayName": "Old", "members": []}
    group_reads(mocked, group)
    mocked.get(BASE % "v2" + "Groups", json=page([]))
    mocked.patch(BASE % "v2" + "Groups/S0GROUP001", json=dict(group, displayName="New"))
    mocked.post(WEB + "admin.usergroups.addTeams", json={"ok": False, "error": "not_an_admin"})
    with pytest.raises(WebApiError, match="not_an_admin") as failed:
        converge(make_client, id="S0GROUP001", display_name="New", workspaces={"add": ["Ops"]})
    assert failed.value.applied is True


def test_an_unchanged_group_and_connections_send_no_write(mocked, make_client):
    group_reads(mocked, {"id": "S0GROUP001", "displayName": "Eng", "members": []}, connected_to=["T0OPS00001"])
    outcome, planned = converge(make_client, id="S0GROUP001", workspaces={"add": ["Ops"]})
    assert not outcome.changed and not planned.changed
    assert [call.request.method for call in mocked.calls] == ["GET"] * 5


def test_state_absent_cannot_take_connections(make_client):
    with pytest.raises(ConnectionsError, match="cannot be used with state: absent"):
        converge(make_client, display_name="Eng", state="absent", workspaces={"add": ["Ops"]})


def test_errors_name_the_option_as_the_caller_names_it():
    connections = GroupConnections(ConnectionSpec.parse({"add": ["Enginering"]}, "groups[2].workspaces"),
                                   ConnectionSpec.parse(["ops-oncall"], "groups[2].channels"))
    web = FakeWeb()
    reader = ConnectionReader(web)
    with pytest.raises(ConnectionsError, match="groups\\[2\\].workspaces.add entry 'Enginering' is not a workspace"):
        plan_connections(ConnectionResolver(web, reader.index), connections, Connections.none())
    connections.workspaces = ConnectionSpec.parse(None, "groups[2].workspaces")
    with pytest.raises(ConnectionsError, match="groups\\[2\\].channels: #ops-oncall \\(C0OPS00001\\) is in Ops"):
        plan_connections(ConnectionResolver(web, reader.index), connections, Connections.none())
