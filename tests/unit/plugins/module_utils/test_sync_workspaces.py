# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_sync_workspaces.py: slack_scim_sync's Enterprise Grid side, planned from one listing of each kind."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ansible_collections.scim.slack.plugins.module_utils._group_connections import ConnectionPlan
from ansible_collections.scim.slack.plugins.module_utils._info import export_directory
from ansible_collections.scim.slack.plugins.module_utils._sync_apply import execute
from ansible_collections.scim.slack.plugins.module_utils._sync_plan import SyncError
from ansible_collections.scim.slack.plugins.module_utils._sync_report import report
from ansible_collections.scim.slack.plugins.module_utils._sync_workspaces import GroupConnectionsChange, workspaces_specs
from ansible_collections.scim.slack.plugins.module_utils._webapi import METHODS, WebApiError

from ansible_collections.scim.slack.tests.unit.plugins.module_utils.test_sync import (
    CARLY,
    DAN,
    ERIN,
    FakeClient,
    build_plan,
    unpaced,
)

ENG, SAL, OPS = "T0ENG00001", "T0SAL00001", "T0OPS00001"
TEAMS = [{"id": ENG, "name": "Engineering", "team_url": "https://acme-eng.slack.com/"},
         {"id": SAL, "name": "Sales", "team_url": "https://acme-sales.slack.com/"},
         {"id": OPS, "name": "Ops", "team_url": "https://acme-ops.slack.com/"}]


CHANNELS = {channel["id"]: channel for channel in (
    {"id": "C0ENG00001", "name": "eng-deploys", "team_id": ENG},
    {"id": "C0ENG00002", "name": "eng-help", "team_id": ENG},
    {"id": "C0SAL00001", "name": "sales-deals", "team_id": SAL})}
ENG_GROUP, OLD_GROUP = "S00000001", "S00000002"
ALL_SCOPES = sorted({scope for dummy, scope in METHODS.values()})


class GridClient(FakeClient):
    """FakeClient with the Web API of a Grid org: ``workspaces`` maps active user IDs to workspace IDs."""

    base_url = "https://scim.test/scim/v2/"

    def __init__(self, workspaces=None, restricted=(), primary_owner=None, connections=None, scopes=ALL_SCOPES,
                 **kwargs):
        super().__init__(**kwargs)
        self.scopes = scopes
        self.workspaces = {user_id: list(teams) for user_id, teams in (workspaces or {}).items()}
        self.restricted, self.primary_owner = set(restricted), primary_owner
        # group id -> {"teams": [...], "channels": [...]}
        self.connections = {group_id: dict(c) for group_id, c in (connections or {}).items()}
        self.web = []  # (method, arguments) of every Web API call

    def web_api_url(self, method):
        return "https://scim.test/api/" + method

    def exchange(self, verb, url, query_params=None):
        """(the answer, the headers) of one Web API call."""
        return self._answer(url, query_params), {"X-OAuth-Scopes": ",".join(self.scopes)}

    def _answer(self, url, query_params):
        method = urlsplit(url).path.rsplit("/", 1)[-1]
        self.web.append((method, dict(query_params or {})))
        done = {"ok": True, "response_metadata": {"next_cursor": ""}}
        if method == "admin.teams.list":
            return dict(done, teams=TEAMS)
        if method == "admin.users.list":
            return dict(done, users=[{"id": user["id"], "workspaces": self.workspaces.get(user["id"], []),
                                      "is_restricted": user["id"] in self.restricted,
                                      "is_primary_owner": user["id"] == self.primary_owner}
                                     for user in self.users if user["active"]])
        if method == "usergroups.list":
            return {"ok": True, "usergroups": [{"id": group_id} for group_id, c in self.connections.items()
                                               if query_params["team_id"] in c.get("teams", [])]}
        if method == "admin.usergroups.listChannels":
            linked = self.connections.get(query_params["usergroup_id"], {}).get("channels", [])
            return {"ok": True, "channels": [CHANNELS[channel_id] for channel_id in linked]}
        if method == "admin.conversations.search":
            return {"ok": True, "next_cursor": "", "conversations": [
                dict(channel, internal_team_ids=[channel["team_id"]]) for channel in CHANNELS.values()
                if query_params.get("query", "") in channel["name"]]}
        return {"ok": True}

    def calls(self):
        return [method for method, dummy in self.web]

    def group_writes(self):
        return [(method, args["usergroup_id"], args.get("team_ids") or args.get("channel_ids"))
                for method, args in self.web if method.startswith("admin.usergroups.") and method != "admin.usergroups.listChannels"]

    def writes_of_web(self):
        return [(method, args["team_id"], args["user_id"], args.get("is_restricted"))
                for method, args in self.web if method in ("admin.users.assign", "admin.users.remove")]


def converge(client, users, **params):
    plan = build_plan(client, dict(params, users=users), token_user_id=None)
    execute(client, plan, unpaced())
    return plan


def test_a_directory_without_workspaces_sends_no_web_api_call():
    client = GridClient()
    users = [{"user_name": "carly", "title": "Chair"}, {"user_name": "finn", "email": "finn@example.com"}]
    plan = build_plan(client, {"users": users, "groups": [{"display_name": "Eng", "members": {"add": ["finn"]}}]})
    execute(client, plan, unpaced())
    assert client.web == [] and client.reads == 2
    summary = report(plan)[0]["users"]
    assert (summary["workspaces_added"], summary["workspaces_removed"]) == (0, 0)


def test_one_listing_of_each_kind_plans_every_user():
    client = GridClient(workspaces={CARLY: [ENG, OPS], ERIN: [SAL]})
    users = [{"user_name": "carly", "workspaces": ["Sales", "acme-eng"]},
             {"id": ERIN, "workspaces": {"add": ["Sales", "Ops"]}},
             {"user_name": "finn", "email": "finn@example.com", "workspaces": {"set": ["Engineering"]}}]
    plan = build_plan(client, {"users": users})
    assert client.calls() == ["admin.teams.list", "admin.users.list"]
    summary, changes, diff = report(plan)
    assert (summary["users"]["workspaces_added"], summary["users"]["workspaces_removed"]) == (3, 1)
    assert (summary["users"]["updated"], summary["users"]["created"]) == (2, 1)
    assert [(c["name"], c["action"], c["attributes"]) for c in changes] == [
        ("carly", "update", ["workspaces"]), ("erin", "update", ["workspaces"]),
        ("finn", "create", ["email", "user_name", "workspaces"])]
    assert diff[0]["before"] == {"workspaces": ["Engineering (T0ENG00001)", "Ops (T0OPS00001)"]}
    assert diff[0]["after"] == {"workspaces": ["Engineering (T0ENG00001)", "Sales (T0SAL00001)"]}
    execute(client, plan, unpaced())
    assert client.writes == [("POST", "finn")]
    assert client.writes_of_web() == [("admin.users.assign", SAL, CARLY, None), ("admin.users.remove", OPS, CARLY, None),
                                      ("admin.users.assign", OPS, ERIN, None),
                                      ("admin.users.assign", ENG, "W90000001", None)]


def test_an_unchanged_user_shares_no_outcome_and_a_rerun_plans_nothing():
    client = GridClient(workspaces={CARLY: [ENG], ERIN: [ENG]})
    users = [{"user_name": "carly", "workspaces": ["Engineering"]}, {"user_name": "erin", "workspaces": ["Sales"]}]
    plan = build_plan(client, {"users": users})
    assert plan.users[0].outcome.action is None and plan.users[1].outcome.action == "update"
    assert plan.users[0].outcome is not plan.users[1].outcome
    client.workspaces[ERIN] = [SAL]
    rerun = build_plan(client, {"users": users})
    assert report(rerun)[1] == [] and [e.outcome.action for e in rerun.users] == [None, None]


def test_a_guest_is_assigned_as_a_guest():
    client = GridClient(workspaces={CARLY: []}, restricted=[CARLY])
    converge(client, [{"user_name": "carly", "workspaces": {"add": ["Ops"]}}])
    assert client.writes_of_web() == [("admin.users.assign", OPS, CARLY, "true")]


@pytest.mark.parametrize("value, message", [
    ("Sales", "users[0] (carly): workspaces must be a list or a dict with the keys add, remove and set, not 'Sales'"),
    ({"put": ["Sales"]}, "users[0] (carly): workspaces has the unknown key(s) put; the keys are add, remove and set"),
    ({"add": "Sales"}, "users[0] (carly): workspaces.add must be a list, not 'Sales'"),
    ({"add": ["Ops"], "set": []},
     "users[0] (carly): workspaces.set cannot be combined with workspaces.add or workspaces.remove"),
])
def test_a_malformed_value_names_the_option_the_entry_and_the_value(value, message):
    specs, problems = workspaces_specs([{"user_name": "carly", "workspaces": value}])
    assert (specs, problems) == ({}, [message])


def test_an_empty_list_is_the_exact_set_and_a_missing_option_manages_nothing():
    specs, problems = workspaces_specs([{"user_name": "carly", "workspaces": []}, {"user_name": "erin"},
                                        {"user_name": "finn", "workspaces": {"add": []}}])
    assert problems == [] and list(specs) == [0] and specs[0].set == []


def test_bad_entries_are_all_named_before_any_read():
    client = GridClient()
    users = [{"user_name": "carly", "workspaces": {"set": ["Sales"], "add": ["Ops"]}},
             {"user_name": "erin", "workspaces": ["", "Sales"]}, {"user_name": "finn", "workspaces": 3}]
    with pytest.raises(SyncError) as caught:
        build_plan(client, {"users": users})
    message = str(caught.value)
    assert message.startswith("3 entries cannot be planned; nothing was changed")
    assert "users[0] (carly): workspaces.set cannot be combined with workspaces.add" in message
    assert "users[1] (erin): workspaces.set entry 1 is empty or not a string: ''" in message
    assert "users[2] (finn): workspaces must be a list" in message and "not 3" in message
    assert client.reads == 0 and client.web == []


@pytest.mark.parametrize("entry, message", [
    ({"user_name": "carly", "workspaces": ["Enginering"]},
     "users[0] (carly): workspaces.set entry 'Enginering' is not a workspace of this organization; close matches: "
     "Engineering (T0ENG00001)"),
    ({"user_name": "carly", "state": "absent", "workspaces": []}, "users[0] (carly): workspaces cannot be used with "
                                                                  "state: absent"),
    ({"user_name": "dan", "workspaces": ["Sales"]}, "users[0] (dan): user W00000002 (dan) is deactivated"),
    ({"user_name": "carly", "active": False, "workspaces": ["Sales"]}, "(or this task changes whether it is active)"),
    ({"user_name": "carly", "workspaces": []}, "is the organization's primary owner"),
])
def test_what_cannot_be_planned_fails_before_any_write(entry, message):
    client = GridClient(workspaces={CARLY: [ENG]}, primary_owner=CARLY)
    with pytest.raises(SyncError) as caught:
        converge(client, [entry], max_deactivations=None)
    assert message in str(caught.value)
    assert client.writes == [] and client.writes_of_web() == []
    assert DAN not in client.workspaces


def test_workspace_removals_over_the_limit_fail_before_any_write_scim_included():
    client = GridClient(workspaces={CARLY: [ENG, SAL, OPS], ERIN: [ENG]})
    users = [{"user_name": "carly", "title": "Chair", "workspaces": []}, {"user_name": "erin", "workspaces": []}]
    with pytest.raises(SyncError) as caught:
        converge(client, users, max_workspace_removals=3)
    assert str(caught.value).startswith(
        "the plan makes 4 workspace removals (users from workspaces, default channels from groups), more than "
        "max_workspace_removals=3; nothing was changed. Planned: "
        "carly (W00000001) from Engineering (T0ENG00001), carly (W00000001) from Ops (T0OPS00001)")
    assert caught.value.plan is not None
    assert client.writes == [] and client.writes_of_web() == []
    converge(client, users, max_workspace_removals=4)
    assert len(client.writes_of_web()) == 4 and client.writes == [("PATCH", CARLY)]


def test_null_means_no_workspace_removal_limit_and_the_default_is_fifty():
    many = {"W1%07d" % n: [ENG] for n in range(51)}
    users = [{"id": user_id, "workspaces": []} for user_id in many]
    people = [{"id": user_id, "userName": "p%s" % user_id, "active": True, "emails": []} for user_id in many]
    with pytest.raises(SyncError, match="makes 51 workspace removals .* more than max_workspace_removals=50"):
        build_plan(GridClient(workspaces=many, users=people), {"users": users})
    plan = build_plan(GridClient(workspaces=many, users=people), {"users": users, "max_workspace_removals": None})
    assert report(plan)[0]["users"]["workspaces_removed"] == 51


# -- groups ----------------------------------------------------------------------------------------------

def test_groups_are_read_with_one_listing_per_workspace_and_channels_only_where_managed():
    client = GridClient(connections={ENG_GROUP: {"teams": [ENG], "channels": ["C0ENG00002"]}})
    groups = [{"display_name": "Eng", "workspaces": {"add": ["Sales"]}, "channels": ["eng-deploys", "sales-deals"]},
              {"display_name": "Old", "workspaces": ["Engineering"]},
              {"display_name": "New", "workspaces": ["Sales"], "channels": ["C0SAL00001"]}]
    plan = converge(client, [], groups=groups)
    reads = [method for method in client.calls() if not method.startswith("admin.usergroups.add")
             and not method.startswith("admin.usergroups.remove")]
    assert reads == ["admin.teams.list", "usergroups.list", "usergroups.list", "usergroups.list",
                     "admin.usergroups.listChannels", "admin.conversations.search", "admin.conversations.search",
                     "admin.conversations.search"]  # two names, and every channel for an ID
    assert [args["usergroup_id"] for method, args in client.web if method == "admin.usergroups.listChannels"] == \
        [ENG_GROUP]
    summary, changes, diff = report(plan)
    counted = ("workspaces_connected", "channels_added", "channels_removed", "updated", "created")
    assert {key: summary["groups"][key] for key in counted} == \
        {"workspaces_connected": 3, "channels_added": 3, "channels_removed": 1, "updated": 2, "created": 1}
    assert [(c["name"], c["action"], c["attributes"]) for c in changes] == [
        ("Eng", "update", ["workspaces", "channels"]), ("Old", "update", ["workspaces"]),
        ("New", "create", ["workspaces", "channels"])]
    assert diff[0]["before"] == {"workspaces": ["Engineering (T0ENG00001)"], "channels": ["#eng-help (C0ENG00002)"]}
    assert diff[0]["after"]["channels"] == ["#eng-deploys (C0ENG00001)", "#sales-deals (C0SAL00001)"]
    assert client.writes == [("POST", "New")]
    new_id = "S90000001"  # FakeClient's ID of the group it creates first
    assert client.group_writes() == [
        ("admin.usergroups.addTeams", ENG_GROUP, SAL), ("admin.usergroups.addChannels", ENG_GROUP, "C0ENG00001"),
        ("admin.usergroups.addChannels", ENG_GROUP, "C0SAL00001"),
        ("admin.usergroups.removeChannels", ENG_GROUP, "C0ENG00002"),
        ("admin.usergroups.addTeams", OLD_GROUP, ENG),
        ("admin.usergroups.addTeams", new_id, SAL), ("admin.usergroups.addChannels", new_id, "C0SAL00001")]


@pytest.mark.parametrize("group, message", [
    ({"display_name": "Eng", "workspaces": ["Sales"]},
     "groups[0] (Eng): workspaces.set leaves out Engineering (T0ENG00001), which group S00000001 (Eng) is connected "
     "to: Slack offers no way to disconnect"),
    ({"display_name": "Eng", "workspaces": {"remove": ["Engineering"]}}, "workspaces.remove names Engineering"),
    ({"display_name": "Eng", "channels": ["sales-deals"]}, "which group S00000001 (Eng) will not be connected to"),
    ({"display_name": "Eng", "state": "absent", "channels": []}, "cannot be used with state: absent"),
    ({"display_name": "Eng", "channels": {"add": "eng-help"}}, "groups[0] (Eng): channels.add must be a list"),
])
def test_what_slack_cannot_do_fails_before_any_write_scim_included(group, message):
    client = GridClient(connections={ENG_GROUP: {"teams": [ENG], "channels": []}})
    with pytest.raises(SyncError) as caught:
        converge(client, [{"user_name": "carly", "title": "Chair"}], groups=[group], max_group_deletions=1)
    assert message in str(caught.value)
    assert client.writes == [] and client.group_writes() == []


def test_channel_removals_count_with_workspace_removals_in_the_limit():
    client = GridClient(workspaces={CARLY: [ENG]},
                        connections={ENG_GROUP: {"teams": [ENG], "channels": ["C0ENG00001", "C0ENG00002"]}})
    params = {"users": [{"user_name": "carly", "workspaces": []}],
              "groups": [{"display_name": "Eng", "channels": []}], "max_workspace_removals": 2}
    with pytest.raises(SyncError) as caught:
        build_plan(client, dict(params, max_workspace_removals=2))
    assert "makes 3 workspace removals (users from workspaces, default channels from groups), more than " \
           "max_workspace_removals=2" in str(caught.value)
    assert "Eng (S00000001) loses the default channel #eng-deploys (C0ENG00001)" in str(caught.value)
    plan = build_plan(client, dict(params, max_workspace_removals=3))
    assert report(plan)[0]["groups"]["channels_removed"] == 2


@pytest.mark.parametrize("workspaces", [{"remove": ["Sales"]}, ["Engineering"]])
def test_a_connection_that_adds_a_member_where_its_entry_keeps_it_out_fails(workspaces):
    client = GridClient(workspaces={CARLY: [ENG]}, connections={ENG_GROUP: {"teams": [ENG], "channels": []}})
    params = {"users": [{"user_name": "carly", "workspaces": workspaces}],
              "groups": [{"display_name": "Eng", "workspaces": {"add": ["Sales"]}}]}
    with pytest.raises(SyncError) as caught:
        converge(client, params["users"], groups=params["groups"])
    assert str(caught.value) == (
        "groups[0] (Eng): connecting group Eng to Sales (T0SAL00001) adds its member carly there, but users[0] (carly) "
        "keeps the user out of it; nothing was changed")
    assert client.group_writes() == [] and client.writes == []
    plan = build_plan(client, dict(params, users=[{"user_name": "carly", "workspaces": {"add": ["Ops"]}}]))
    assert [change.plan.connect for change in plan.group_connections] == [[SAL]]


def test_the_token_s_scopes_for_every_write_are_checked_by_the_plan_before_any_write():
    scopes = [scope for scope in ALL_SCOPES if scope not in ("admin.users:write", "admin.usergroups:write")]
    client = GridClient(workspaces={CARLY: [ENG]}, connections={ENG_GROUP: {"teams": [ENG], "channels": []}},
                        scopes=scopes)
    params = {"users": [{"user_name": "carly", "title": "Chair", "workspaces": {"add": ["Ops"]}}],
              "groups": [{"display_name": "Eng", "channels": ["eng-help"]}]}
    with pytest.raises(WebApiError) as caught:
        build_plan(client, params)  # check mode and the real run alike, SCIM writes included
    assert str(caught.value).startswith(
        "the token lacks the scopes admin.usergroups:write, admin.users:write, which admin.usergroups.addChannels, "
        "admin.users.assign need; nothing was changed")
    assert client.writes == [] and client.group_writes() == [] and client.writes_of_web() == []


class PartialClient(GridClient):
    """Slack refuses one channel of an addChannels and applies the others."""

    def _answer(self, url, query_params):
        answer = super()._answer(url, query_params)
        if url.endswith("admin.usergroups.addChannels"):
            return {"ok": False, "error": "failed_for_some_channels", "invalid_channels": ["C0ENG00002"]}
        return answer


def test_a_partial_success_is_a_failure_that_may_have_changed_something():
    client = PartialClient(connections={ENG_GROUP: {"teams": [ENG], "channels": []}})
    plan = build_plan(client, {"groups": [{"display_name": "Eng", "channels": ["eng-deploys", "eng-help"]}]})
    failures = execute(client, plan, unpaced(), continue_on_error=True)
    assert [(f["name"], f["outcome"]) for f in failures] == [("Eng", "unknown")]
    assert "Slack refused some channels of group S00000001, and applied the others" in failures[0]["msg"]


def test_a_group_change_is_paced_by_the_calls_it_sends():
    channels = ["C%07d" % n for n in range(150)]
    plan = ConnectionPlan(connect=[SAL], add_channels={ENG: channels, SAL: channels[:1]}, remove_channels=channels[:3])
    assert GroupConnectionsChange(None, plan).calls() == 1 + 2 + 1 + 1  # addTeams, addChannels 2 + 1, removeChannels


def test_an_export_with_grid_syncs_as_a_no_op_and_one_without_reads_no_web_api():
    client = GridClient(workspaces={CARLY: [ENG, SAL]},
                        connections={ENG_GROUP: {"teams": [ENG], "channels": ["C0ENG00001"]}})
    directory = export_directory(client, grid=True)
    assert [(user["user_name"], user["workspaces"]) for user in directory["users"]] == [("carly", [ENG, SAL]),
                                                                                        ("erin", [])]
    assert [(g["display_name"], g["workspaces"], g["channels"]) for g in directory["groups"]] == [
        ("Eng", [ENG], ["C0ENG00001"]), ("Old", [], [])]
    plan = build_plan(client, dict(directory, purge_users=True, purge_groups=True), token_user_id=None)
    execute(client, plan, unpaced())
    assert report(plan)[1] == [] and client.writes == [] and client.group_writes() == []
    assert client.writes_of_web() == []
    client.web = []
    assert "workspaces" not in export_directory(client)["users"][0] and client.web == []
