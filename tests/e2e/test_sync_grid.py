# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync on Enterprise Grid end to end: users' workspaces, groups' workspaces and channels."""

from __future__ import annotations

import os

from harness import diff_of
from scenario import converge_twice, each_fails_before_any_write
from test_group import seed_group
from test_info_grid import seed_grid
from test_sync import sync_task
from test_user import seed_user

ENG, SAL = "T0ENG00001", "T0SAL00001"


def grid(harness):
    return harness.emulator.control("GET", "grid")


def web_calls(run, writes=False):
    return [request["path"][len("/api/"):] for request in (run.writes if writes else run.reads)
            if request["path"].startswith("/api/")]


def seed_org(harness, api_version):
    """carly in Engineering, erin in Engineering and Sales; the group Engineering (carly) connected to
    Engineering with #eng-secret as its default channel."""
    seed_grid(harness.emulator)
    carly = seed_user(harness.emulator, api_version, "carly")
    erin = seed_user(harness.emulator, api_version, "erin")
    engineering = seed_group(harness.emulator, api_version, "Engineering", [carly["id"]])
    harness.emulator.control("POST", "grid", {
        "workspaces": {carly["id"]: [ENG], erin["id"]: [ENG, SAL]},
        "connections": {engineering["id"]: {"teams": [ENG], "channels": ["C0ENG00002"]}}})
    return carly, erin, engineering


def directory():
    users = [{"user_name": "carly", "workspaces": ["Sales", "Engineering"]},
             {"user_name": "erin", "workspaces": {"remove": ["acme-sales"]}},
             {"user_name": "dana", "email": "dana@example.com", "workspaces": {"add": ["Engineering"]}}]
    groups = [{"display_name": "Engineering", "members": {"set": ["carly"]}, "workspaces": {"add": ["Sales"]},
               "channels": ["eng-deploys", "#sales-deploys"]},
              {"display_name": "Sales team", "members": {"set": ["carly"]}, "workspaces": ["Sales"],
               "channels": {"add": ["C0SAL00001"]}}]
    return users, groups


def test_users_and_groups_converge_reading_each_listing_once(harness, api_version):
    carly, erin, engineering = seed_org(harness, api_version)
    users, groups = directory()
    check, first, second = converge_twice(harness, [sync_task(users=users, groups=groups)], api_version,
                                          reads_on_rerun=8)
    dana = harness.emulator.users()["dana"]
    sales_team = harness.emulator.groups()["Sales team"]
    state = grid(harness)
    assert state["workspaces"] == {carly["id"]: [ENG, SAL], erin["id"]: [ENG], dana["id"]: [ENG]}
    assert state["connections"] == {engineering["id"]: {"teams": [ENG, SAL], "channels": ["C0ENG00001", "C0SAL00001"]},
                                    sales_team["id"]: {"teams": [SAL], "channels": ["C0SAL00001"]}}
    summary = first.result()["summary"]
    assert {key: summary["users"][key] for key in ("created", "updated", "workspaces_added", "workspaces_removed")} \
        == {"created": 1, "updated": 2, "workspaces_added": 2, "workspaces_removed": 1}
    assert {key: summary["groups"][key] for key in ("created", "updated", "workspaces_connected", "channels_added",
                                                    "channels_removed")} == \
        {"created": 1, "updated": 1, "workspaces_connected": 2, "channels_added": 3, "channels_removed": 1}
    assert sorted(web_calls(first, writes=True)) == sorted(
        ["admin.users.assign", "admin.users.remove", "admin.users.assign", "admin.usergroups.addTeams",
         "admin.usergroups.addChannels", "admin.usergroups.addChannels", "admin.usergroups.removeChannels",
         "admin.usergroups.addTeams", "admin.usergroups.addChannels"])
    sections = {entry["before_header"]: entry for entry in diff_of(check.result())}
    assert sections["user carly (%s)" % carly["id"]]["after"] == \
        {"workspaces": ["Engineering (T0ENG00001)", "Sales (T0SAL00001)"]}
    assert sections["group Engineering (%s)" % engineering["id"]]["before"]["channels"] == ["#eng-secret (C0ENG00002)"]
    # The rerun: one listing of each kind, no channel search (the channels named are the groups' own).
    assert web_calls(second) == ["admin.teams.list", "admin.users.list", "usergroups.list", "usergroups.list",
                                 "admin.usergroups.listChannels", "admin.usergroups.listChannels"]
    assert second.result()["requests"] == 8


def test_a_directory_without_grid_keys_sends_exactly_the_scim_requests(harness, api_version):
    seed_org(harness, api_version)
    users = [{"user_name": "carly", "title": "CEO"}, {"user_name": "erin"},
             {"user_name": "dana", "email": "dana@example.com"}]
    groups = [{"display_name": "Engineering", "members": {"add": ["erin"]}}]
    first = converge_twice(harness, [sync_task(users=users, groups=groups)], api_version, reads_on_rerun=2).first
    # As before Grid: one listing of users and one of groups, then a write each for carly, dana and the group.
    assert [request["method"] for request in first.requests] == ["GET", "GET", "PATCH", "POST", "PATCH"]
    assert not any(request["path"].startswith("/api/") for request in first.requests)
    assert first.result()["requests"] == 5


def test_workspace_removals_over_the_limit_fail_before_any_write(harness, api_version):
    seed_org(harness, api_version)
    users = [{"user_name": "carly", "title": "CEO", "workspaces": []}, {"user_name": "erin", "workspaces": ["Sales"]}]
    groups = [{"display_name": "Engineering", "channels": []}]
    before = (harness.emulator.state(), grid(harness))
    run = harness.run([sync_task(users=users, groups=groups, max_workspace_removals=2)], api_version=api_version)
    assert run.failed and run.writes == [], run
    message = run.result()["msg"]
    assert message.startswith("the plan makes 3 workspace removals (users from workspaces, default channels from "
                              "groups), more than max_workspace_removals=2; nothing was changed. Planned: ")
    assert "loses the default channel #eng-secret (C0ENG00002)" in message
    assert run.result()["summary"]["users"]["workspaces_removed"] == 2
    assert (harness.emulator.state(), grid(harness)) == before
    default = harness.run([sync_task(users=users, groups=groups)], api_version=api_version)
    assert not default.failed and len(web_calls(default, writes=True)) == 3


def test_what_slack_cannot_do_or_bad_input_fails_before_any_write(harness):
    seed_org(harness, "v2")
    cases = [
        (dict(groups=[{"display_name": "Engineering", "workspaces": ["Sales"]}]),
         "groups[0] (Engineering): workspaces.set leaves out Engineering (T0ENG00001)"),
        (dict(users=[{"user_name": "carly", "workspaces": {"add": ["Enginering"]}}]),
         "users[0] (carly): workspaces.add entry 'Enginering' is not a workspace of this organization; close "
         "matches: Engineering (T0ENG00001)"),
        (dict(users=[{"user_name": "carly", "workspaces": "Sales"}]),
         "users[0] (carly): workspaces must be a list or a dict with the keys add, remove and set, not 'Sales'"),
        (dict(groups=[{"display_name": "Engineering", "channels": ["announcements"]}]),
         "is an org-wide default channel"),
        (dict(users=[{"user_name": "carly", "workspaces": ["Engineering"]}],
              groups=[{"display_name": "Engineering", "workspaces": {"add": ["Sales"]}}]),
         "groups[0] (Engineering): connecting group Engineering to Sales (T0SAL00001) adds its member carly there, "
         "but users[0] (carly) keeps the user out of it; nothing was changed"),
    ]
    before = (harness.emulator.state(), grid(harness))
    each_fails_before_any_write(harness, [(sync_task(**dict({"users": [{"user_name": "carly", "title": "CEO"}]}, **options)),
                                           message) for options, message in cases])
    assert (harness.emulator.state(), grid(harness)) == before


def test_a_malformed_entry_of_a_src_file_is_named_before_any_request(harness):
    seed_org(harness, "v2")
    with open(os.path.join(harness.workdir, "directory.yml"), "w") as handle:
        handle.write("users:\n  - user_name: carly\n    workspaces: {put: [Sales]}\n"
                     "groups:\n  - display_name: Engineering\n    channels: {add: eng-deploys}\n")
    run = harness.run([sync_task(src="directory.yml")])
    assert run.failed and run.requests == [], run
    assert run.result()["msg"] == (
        "2 entries cannot be planned; nothing was changed: users[0] (carly): workspaces has the unknown key(s) put; "
        "the keys are add, remove and set; groups[0] (Engineering): channels.add must be a list, not 'eng-deploys'")


def test_an_exported_grid_org_syncs_as_a_no_op(harness, api_version):
    carly, dummy, engineering = seed_org(harness, api_version)
    seed_user(harness.emulator, api_version, "robo", userType="bot")
    harness.emulator.control("POST", "grid", {"connections": {engineering["id"]: {"channels": ["C0ENG00001"]}}})
    tasks = [
        {"name": "export", "scim.slack.slack_scim_info": {"export": True, "grid": True}, "register": "org"},
        sync_task(users="{{ org.directory.users }}", groups="{{ org.directory.groups }}", purge_users=True,
                  purge_groups=True),
    ]
    for run in (harness.run(tasks, api_version=api_version), harness.run(tasks, api_version=api_version)):
        assert not run.failed and not run.changed and run.writes == [], run
    exported = run.result("export")["directory"]
    assert [(user["user_name"], user["workspaces"]) for user in exported["users"]] == \
        [("carly", [ENG]), ("erin", [ENG, SAL])]
    assert exported["groups"] == [{"display_name": "Engineering", "members": {"set": ["carly"]},
                                   "workspaces": [ENG], "channels": ["C0ENG00001", "C0ENG00002"]}]
    assert run.result("sync")["summary"]["users"]["unchanged"] == 2
    without_grid = harness.run([dict(tasks[0], **{"scim.slack.slack_scim_info": {"export": True}})])
    assert "workspaces" not in without_grid.result("export")["directory"]["users"][0]
    assert not any(request["path"].startswith("/api/") for request in without_grid.requests)


def test_a_token_without_a_write_scope_fails_naming_it_before_any_write(harness):
    seed_org(harness, "v2")
    harness.emulator.control("POST", "grid", {"scopes": ["admin.teams:read", "admin.users:read", "usergroups:read"]})
    users = [{"user_name": "carly", "title": "CEO", "workspaces": {"add": ["Sales"]}}]
    run = harness.run([sync_task(users=users)])
    assert run.failed and run.writes == [], run
    assert "the token lacks the scope admin.users:write, which admin.users.assign needs; nothing was changed" in \
        run.result()["msg"]
    assert web_calls(run) == ["admin.teams.list", "admin.users.list"]
