# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_info on Enterprise Grid: workspaces and channels, module and lookup, against the emulator's Web API."""

from __future__ import annotations

import math

from harness import TOKEN
from test_group import seed_group
from test_info import debug_task, info_task
from test_user import seed_user

TEAMS = [{"id": "T0ENG00001", "name": "Engineering", "domain": "acme-eng"},
         {"id": "T0SAL00001", "name": "Sales", "domain": "acme-sales"}]
CHANNELS = [
    {"id": "C0ENG00001", "name": "eng-deploys", "team_ids": ["T0ENG00001"]},
    {"id": "C0ENG00002", "name": "eng-secret", "team_ids": ["T0ENG00001"], "is_private": True},
    {"id": "C0SAL00001", "name": "sales-deploys", "team_ids": ["T0SAL00001"]},
    {"id": "C0ORG00001", "name": "announcements", "team_ids": [], "is_org_default": True},
]


def seed_grid(emulator, teams=None, channels=None, **extra):
    emulator.control("POST", "grid", dict(teams=TEAMS if teams is None else teams,
                                          channels=CHANNELS if channels is None else channels, **extra))


def web_calls(run):
    return [request["path"][len("/api/"):] for request in run.requests]


def test_workspaces_with_id_name_and_domain_in_one_request(harness, api_version):
    seed_grid(harness.emulator)
    run = harness.run([info_task(resource="workspaces")], api_version=api_version)
    assert not run.failed and not run.changed, run
    assert run.result()["workspaces"] == [{"id": "T0ENG00001", "name": "Engineering", "domain": "acme-eng"},
                                          {"id": "T0SAL00001", "name": "Sales", "domain": "acme-sales"}]
    assert run.result()["total_results"] == 2
    assert web_calls(run) == ["admin.teams.list"] and run.requests[0]["method"] == "GET"
    by_name = harness.run([info_task(resource="workspaces", name="acme-sales")], check=True, api_version=api_version)
    assert [team["id"] for team in by_name.result()["workspaces"]] == ["T0SAL00001"] and not by_name.changed


def test_a_thousand_and_five_workspaces_take_two_pages(harness):
    teams = [{"id": "T0X%07d" % n, "name": "team %d" % n} for n in range(1005)]
    seed_grid(harness.emulator, teams=teams, channels=[])
    run = harness.run([info_task(resource="workspaces")])
    assert len({team["id"] for team in run.result()["workspaces"]}) == 1005
    assert len(run.requests) == math.ceil(1005 / 1000)


def test_channel_searches(harness, api_version):
    seed_grid(harness.emulator)
    cases = [
        (dict(query="deploys"), ["C0ENG00001", "C0SAL00001"], 1),
        (dict(query="deploys", workspace="Engineering"), ["C0ENG00001"], 2),
        (dict(query="eng", workspace="T0ENG00001", private=True), ["C0ENG00002"], 2),
        (dict(name="#announcements", workspace="acme-sales"), ["C0ORG00001"], 2),
        (dict(name="eng"), [], 1),
    ]
    for options, expected, requests_made in cases:
        run = harness.run([info_task(resource="channels", **options)], api_version=api_version)
        assert not run.failed and not run.changed, (options, run)
        assert [channel["id"] for channel in run.result()["channels"]] == expected, options
        assert len(run.requests) == requests_made, (options, web_calls(run))


def test_a_search_pages_twenty_at_a_time_and_stops_at_the_limit(harness):
    channels = [{"id": "C0X%07d" % n, "name": "chan-%03d" % n, "team_ids": ["T0ENG00001"]} for n in range(45)]
    seed_grid(harness.emulator, channels=channels)
    run = harness.run([info_task(resource="channels", query="chan")])
    assert len(run.result()["channels"]) == 45 and len(run.requests) == 3
    limited = harness.run([info_task(resource="channels", query="chan", limit=25)])
    assert len(limited.result()["channels"]) == 25 and len(limited.requests) == 2


def test_an_unknown_workspace_fails_with_the_close_matches(harness):
    seed_grid(harness.emulator)
    run = harness.run([info_task(resource="channels", query="x", workspace="Enginering")])
    assert run.failed
    assert "close matches: Engineering (T0ENG00001)" in run.result()["msg"]
    assert web_calls(run) == ["admin.teams.list"]


def test_a_token_without_the_scope_fails_naming_it(harness):
    seed_grid(harness.emulator, scopes=["admin.teams:read"])
    run = harness.run([info_task(resource="channels", query="eng")])
    assert run.failed
    message = run.result()["msg"]
    assert "missing_scope" in message and "admin.conversations:read" in message and "admin.teams:read" in message


def test_grid_options_on_scim_resources_fail_before_any_request(harness):
    run = harness.run([info_task(resource="users", workspace="Sales")])
    assert run.failed and run.requests == [] and "workspace cannot be used with resource users" in run.result()["msg"]


def test_lookup_reads_workspaces_and_channels(harness):
    seed_grid(harness.emulator)
    play_vars = {"slack_scim_api_url": harness.emulator.base_url("v2"), "slack_scim_token": TOKEN}
    tasks = [
        dict(debug_task("query('scim.slack.slack_scim_info', 'workspaces', name='Engineering') "
                        "| map(attribute='id')"), vars=play_vars),
        dict(debug_task("query('scim.slack.slack_scim_info', 'channels', query='deploys', workspace='Sales') "
                        "| map(attribute='id')"), name="channels", vars=play_vars),
    ]
    run = harness.run(tasks, connection_defaults=False)
    assert not run.failed, run
    assert run.result("lookup")["msg"] == ["T0ENG00001"]
    assert run.result("channels")["msg"] == ["C0SAL00001"]
    assert web_calls(run) == ["admin.teams.list", "admin.teams.list", "admin.conversations.search"]


def test_grid_details_of_users_and_groups(harness, api_version):
    seed_grid(harness.emulator)
    carly = seed_user(harness.emulator, api_version, "carly")
    group = seed_group(harness.emulator, api_version, "Engineering", [carly["id"]])
    harness.emulator.control("POST", "grid", {"workspaces": {carly["id"]: ["T0SAL00001"]},
                                              "connections": {group["id"]: {"teams": ["T0ENG00001"],
                                                                            "channels": ["C0ENG00001"]}}})
    users = harness.run([info_task(user_name="carly", grid=True)], api_version=api_version)
    assert users.result()["users"][0]["workspaces"] == ["T0SAL00001"]
    assert web_calls(users)[1:] == ["admin.users.list"]
    groups = harness.run([info_task(resource="groups", display_name="Engineering", grid=True)],
                         api_version=api_version)
    found = groups.result()["groups"][0]
    assert found["workspaces"] == ["T0ENG00001"]
    assert found["channels"] == [{"id": "C0ENG00001", "name": "eng-deploys", "workspace": "T0ENG00001"}]
    assert web_calls(groups)[1:] == ["admin.teams.list", "usergroups.list", "usergroups.list",
                                     "admin.usergroups.listChannels"]


def test_web_api_url_sends_the_web_api_where_it_says(harness):
    seed_grid(harness.emulator)
    nowhere = "http://127.0.0.1:9/scim/v2/"
    moved = harness.run([info_task(resource="workspaces", api_url=nowhere, web_api_url=harness.emulator.url + "/api")])
    assert not moved.failed, moved.result()
    assert [team["id"] for team in moved.result()["workspaces"]] == ["T0ENG00001", "T0SAL00001"]
    beside = harness.run([info_task(resource="workspaces", api_url=nowhere)])
    assert beside.failed and "127.0.0.1:9" in beside.result()["msg"]
    assert web_calls(moved) == ["admin.teams.list"] and beside.requests == []
