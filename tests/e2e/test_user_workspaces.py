# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_user's workspaces (Enterprise Grid) end to end: read before write, only the difference."""

from __future__ import annotations

import json

from scenario import converge_twice, each_fails_before_any_write
from test_info_grid import TEAMS, seed_grid
from test_user import seed_user

GUEST_URN = {"v1": "urn:scim:schemas:extension:slack:guest:1.0",
             "v2": "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"}
# A user task with workspaces reads the workspaces, the organization's users and the user.
READS = 3


def user_task(**options):
    return {"name": "user", "scim.slack.slack_scim_user": options}


def grid(harness):
    return harness.emulator.control("GET", "grid")


def web_writes(run):
    return [(request["path"][len("/api/"):], request["query"]) for request in run.writes
            if request["path"].startswith("/api/")]


def test_an_existing_user_is_assigned_by_name_and_id(harness, api_version):
    seed_grid(harness.emulator)
    carly = seed_user(harness.emulator, api_version, "carly")
    tasks = [user_task(user_name="carly", workspaces={"add": ["engineering", "T0SAL00001"]})]
    check, first, dummy = converge_twice(harness, tasks, api_version, reads_on_rerun=READS)
    assert grid(harness)["workspaces"] == {carly["id"]: ["T0ENG00001", "T0SAL00001"]}
    assert [path for path, dummy in web_writes(first)] == ["admin.users.assign", "admin.users.assign"]
    assert all("is_restricted" not in query for dummy, query in web_writes(first))
    diff = check.result()["diff"]
    assert json.loads(diff["before"]) == {"workspaces": []}
    assert json.loads(diff["after"]) == {"workspaces": ["Engineering (T0ENG00001)", "Sales (T0SAL00001)"]}
    assert check.result()["workspaces_added"] == ["Engineering (T0ENG00001)", "Sales (T0SAL00001)"]
    assert first.result()["changed_attributes"] == ["workspaces"]


def test_set_removes_only_the_difference(harness, api_version):
    seed_grid(harness.emulator, teams=TEAMS + [{"id": "T0OPS00001", "name": "Ops", "domain": "acme-ops"}])
    carly = seed_user(harness.emulator, api_version, "carly")
    harness.emulator.control("POST", "grid", {"workspaces": {carly["id"]: ["T0ENG00001", "T0OPS00001"]}})
    tasks = [user_task(user_name="carly", workspaces={"set": ["acme-ops", "Sales"]})]
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=READS).first
    assert grid(harness)["workspaces"] == {carly["id"]: ["T0OPS00001", "T0SAL00001"]}
    assert sorted(path for path, dummy in web_writes(first)) == ["admin.users.assign", "admin.users.remove"]
    assert first.result()["workspaces_removed"] == ["Engineering (T0ENG00001)"]


def test_a_new_user_is_created_then_assigned_and_check_mode_predicts_both(harness, api_version):
    seed_grid(harness.emulator)
    tasks = [user_task(user_name="dana", email="dana@example.com", title="SRE",
                       workspaces={"add": ["Engineering"], "remove": ["Sales"]})]
    check, first, dummy = converge_twice(harness, tasks, api_version, reads_on_rerun=READS)
    assert json.loads(check.result()["diff"]["after"])["workspaces"] == ["Engineering (T0ENG00001)"]
    dana = harness.emulator.users()["dana"]
    assert grid(harness)["workspaces"] == {dana["id"]: ["T0ENG00001"]}
    assert [request["path"] for request in first.writes] == ["/scim/%s/Users" % api_version,
                                                             "/api/admin.users.assign"]


def test_a_guest_is_assigned_as_a_guest(harness, api_version):
    seed_grid(harness.emulator)
    gail = seed_user(harness.emulator, api_version, "gail", **{GUEST_URN[api_version]: {"type": "multi"}})
    first = converge_twice(harness, [user_task(user_name="gail", workspaces={"add": ["Sales"]})], api_version,
                           reads_on_rerun=READS).first
    assert grid(harness)["guest_workspaces"] == {gail["id"]: ["T0SAL00001"]}
    assert "is_restricted=true" in web_writes(first)[0][1]


def test_bad_input_fails_before_any_write(harness):
    seed_grid(harness.emulator)
    seed_user(harness.emulator, "v2", "dan", active=False)
    owner = seed_user(harness.emulator, "v2", "olga")
    bot = seed_user(harness.emulator, "v2", "robo", userType="bot")
    harness.emulator.control("POST", "grid", {"workspaces": {owner["id"]: ["T0ENG00001"]}})
    harness.emulator.control("POST", "account_type", {"id": owner["id"], "type": "primary_owner"})
    cases = [
        (dict(user_name="olga", title="Boss", workspaces={"add": ["Enginering"]}),
         "workspaces.add entry 'Enginering' is not a workspace of this organization; close matches: "
         "Engineering (T0ENG00001)"),
        (dict(user_name="dan", workspaces={"add": ["Sales"]}), "is deactivated"),
        (dict(user_name="olga", title="Boss", workspaces={"set": ["Sales"]}), "is the organization's primary owner"),
        (dict(user_name="robo", workspaces={"add": ["Sales"]}), "is a bot"),
        (dict(user_name="olga", workspaces={"set": ["Sales"], "add": ["Engineering"]}),
         "workspaces.set cannot be combined"),
        (dict(user_name="olga", workspaces={"add": ["Sales"], "remove": ["T0SAL00001"]}),
         "workspaces.add and workspaces.remove both name Sales (T0SAL00001)"),
        (dict(user_name="olga", state="absent", workspaces={"remove": ["Sales"]}), "state: absent"),
    ]
    before = (harness.emulator.state(), grid(harness))
    each_fails_before_any_write(harness, [(user_task(**options), message) for options, message in cases])
    assert (harness.emulator.state(), grid(harness)) == before
    assert bot["id"] not in grid(harness)["workspaces"]


def test_a_token_without_admin_users_write_fails_naming_it_before_any_write(harness):
    seed_grid(harness.emulator, scopes=["admin.teams:read", "admin.users:read"])
    seed_user(harness.emulator, "v2", "carly")
    before = harness.emulator.state()
    for check_mode in (True, False):
        run = harness.run([user_task(user_name="carly", title="Engineer", workspaces={"add": ["Sales"]})],
                          check=check_mode)
        assert run.failed
        assert "the token lacks the scope admin.users:write, which admin.users.assign needs; nothing was changed" \
            in run.result()["msg"]
        assert run.result()["scim_error"]["needed"] == "admin.users:write"
        assert run.writes == []
    assert harness.emulator.state() == before and grid(harness)["workspaces"] == {}
