# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_group's workspaces and default channels (Enterprise Grid) end to end: read before write, only the
difference, and a clear failure before any write for what Slack cannot or will not do."""

from __future__ import annotations

import json

from scenario import converge_twice, each_fails_before_any_write
from test_group import seed_group
from test_info_grid import CHANNELS, TEAMS, seed_grid
from test_user import seed_user

# A group task with workspaces or channels reads the group (SCIM), the workspaces, usergroups.list for each of
# the two workspaces, and the group's channels when channels are declared.
READS = 1 + 1 + len(TEAMS)
READS_WITH_CHANNELS = READS + 1
RANDOM = [{"id": "C0ENG00009", "name": "random", "team_ids": ["T0ENG00001"]},
          {"id": "C0SAL00009", "name": "random", "team_ids": ["T0SAL00001"]}]


def group_task(**options):
    return {"name": "group", "scim.slack.slack_scim_group": options}


def connections(harness, group_id):
    return harness.emulator.control("GET", "grid")["connections"].get(group_id, {"teams": [], "channels": []})


def web_writes(run):
    return [request["path"][len("/api/"):] for request in run.writes if request["path"].startswith("/api/")]


def test_an_existing_group_is_connected_and_given_channels_by_name_and_id(harness, api_version):
    seed_grid(harness.emulator)
    group = seed_group(harness.emulator, api_version, "Engineering")
    tasks = [group_task(display_name="Engineering", workspaces={"add": ["acme-eng", "T0SAL00001"]},
                        channels={"add": ["#eng-deploys", "C0SAL00001"]})]
    check, first, second = converge_twice(harness, tasks, api_version, reads_on_rerun=READS_WITH_CHANNELS)
    # The rerun reads the group, the workspaces, each workspace's groups and the group's channels: no search, as
    # every channel named is one of the group's by then.
    assert [request["path"].rsplit("/", 1)[-1] for request in second.reads] == [
        "Groups", "admin.teams.list", "usergroups.list", "usergroups.list", "admin.usergroups.listChannels"]
    assert connections(harness, group["id"]) == {"teams": ["T0ENG00001", "T0SAL00001"],
                                                 "channels": ["C0ENG00001", "C0SAL00001"]}
    assert web_writes(first) == ["admin.usergroups.addTeams", "admin.usergroups.addChannels",
                                 "admin.usergroups.addChannels"]
    assert all("team_id=" in request["query"] for request in first.writes
               if request["path"] == "/api/admin.usergroups.addChannels")
    diff = check.result()["diff"]
    assert json.loads(diff["before"]) == {"workspaces": [], "channels": []}
    assert json.loads(diff["after"]) == {"workspaces": ["Engineering (T0ENG00001)", "Sales (T0SAL00001)"],
                                         "channels": ["#eng-deploys (C0ENG00001)", "#sales-deploys (C0SAL00001)"]}
    assert first.result()["workspaces_added"] == ["Engineering (T0ENG00001)", "Sales (T0SAL00001)"]
    assert first.result()["channels_added"] == ["#eng-deploys (C0ENG00001)", "#sales-deploys (C0SAL00001)"]


def test_a_new_hires_group_is_created_connected_and_given_channels_in_one_task(harness, api_version):
    seed_grid(harness.emulator)
    carly = seed_user(harness.emulator, api_version, "carly")
    tasks = [group_task(display_name="Platform", members={"set": ["carly"]}, workspaces={"set": ["Engineering"]},
                        channels={"set": ["eng-deploys"]})]
    check, first, second = converge_twice(harness, tasks, api_version, reads_on_rerun=READS_WITH_CHANNELS + 1)
    assert len(second.reads) == READS_WITH_CHANNELS + 1
    group = harness.emulator.groups()["Platform"]
    assert connections(harness, group["id"]) == {"teams": ["T0ENG00001"], "channels": ["C0ENG00001"]}
    assert [request["path"] for request in first.writes] == ["/scim/%s/Groups" % api_version,
                                                             "/api/admin.usergroups.addTeams",
                                                             "/api/admin.usergroups.addChannels"]
    assert harness.emulator.control("GET", "grid")["workspaces"] == {carly["id"]: ["T0ENG00001"]}
    assert json.loads(check.result()["diff"]["after"])["channels"] == ["#eng-deploys (C0ENG00001)"]
    connection_reads = ("/api/usergroups.list", "/api/admin.usergroups.listChannels")
    assert not [request for request in check.requests if request["path"] in connection_reads]


def test_set_removes_only_the_channels_it_leaves_out(harness, api_version):
    seed_grid(harness.emulator)
    group = seed_group(harness.emulator, api_version, "Engineering")
    harness.emulator.control("POST", "grid", {"connections": {group["id"]: {
        "teams": ["T0ENG00001"], "channels": ["C0ENG00001", "C0ENG00002"]}}})
    tasks = [group_task(display_name="Engineering", workspaces={"set": ["Engineering"]},
                        channels={"set": ["eng-deploys"]})]
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=READS_WITH_CHANNELS).first
    assert connections(harness, group["id"]) == {"teams": ["T0ENG00001"], "channels": ["C0ENG00001"]}
    assert web_writes(first) == ["admin.usergroups.removeChannels"]
    assert first.result()["channels_removed"] == ["#eng-secret (C0ENG00002)"]
    assert first.result()["workspaces_added"] == []


def test_what_slack_cannot_or_will_not_do_fails_before_any_write(harness):
    seed_grid(harness.emulator, channels=CHANNELS + RANDOM)
    group = seed_group(harness.emulator, "v2", "Engineering")
    harness.emulator.control("POST", "grid", {"connections": {group["id"]: {"teams": ["T0ENG00001", "T0SAL00001"]}}})
    seed_group(harness.emulator, "v2", "Sales")
    cases = [
        (dict(display_name="Engineering", workspaces={"remove": ["Sales"]}),
         "workspaces.remove names Sales (T0SAL00001), which group %s (Engineering) is connected to: Slack offers no "
         "way to disconnect an IdP group from a workspace" % group["id"]),
        (dict(display_name="Engineering", workspaces={"set": ["Engineering"]}),
         "workspaces.set leaves out Sales (T0SAL00001)"),
        (dict(display_name="Engineering", channels={"add": ["announcements"]}),
         "#announcements (C0ORG00001) is an org-wide default channel; Slack refuses"),
        (dict(display_name="Engineering", channels={"add": ["eng-deploy"]}),
         "channels.add entry 'eng-deploy' is no channel the token can find; close matches: #eng-deploys (C0ENG00001)"),
        (dict(display_name="Engineering", channels={"set": ["random"]}),
         "channels.set entry 'random' names 2 channels: #random (C0ENG00009) in Engineering (T0ENG00001); "
         "#random (C0SAL00009) in Sales (T0SAL00001); use the channel ID"),
        (dict(display_name="Sales", channels={"add": ["sales-deploys"]}),
         "#sales-deploys (C0SAL00001) is in Sales (T0SAL00001), which group"),
        (dict(display_name="Engineering", state="absent", workspaces={"add": ["Sales"]}),
         "cannot be used with state: absent"),
        (dict(display_name="Engineering", workspaces={"set": ["Sales"], "add": ["Engineering"]}),
         "workspaces.set cannot be combined"),
    ]
    before = (harness.emulator.state(), harness.emulator.control("GET", "grid"))
    each_fails_before_any_write(harness, [(group_task(**options), message) for options, message in cases])
    assert (harness.emulator.state(), harness.emulator.control("GET", "grid")) == before


def test_a_token_without_admin_usergroups_write_fails_before_the_scim_write(harness):
    seed_grid(harness.emulator, scopes=["admin.teams:read", "admin.teams:write", "usergroups:read",
                                        "admin.usergroups:read", "admin.conversations:read"])
    seed_user(harness.emulator, "v2", "carly")
    before = (harness.emulator.state(), harness.emulator.control("GET", "grid"))
    for check_mode in (True, False):
        run = harness.run([group_task(display_name="Platform", members={"set": ["carly"]},
                                      workspaces={"add": ["Engineering"]}, channels={"add": ["eng-deploys"]})],
                          check=check_mode)
        assert run.failed
        assert "the token lacks the scope admin.usergroups:write, which admin.usergroups.addChannels needs; nothing " \
               "was changed" in run.result()["msg"]
        assert run.result()["scim_error"]["needed"] == "admin.usergroups:write"
        assert run.writes == [] and not run.result().get("changed")
    assert (harness.emulator.state(), harness.emulator.control("GET", "grid")) == before
