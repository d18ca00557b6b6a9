# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_group end to end: real ansible-playbook runs against the emulator, both dialects."""

from __future__ import annotations

import json

from harness import diff_of
from scenario import converge_twice
from test_user import seed_user

GROUP_CORE = {"v1": ["urn:scim:schemas:core:1.0"], "v2": ["urn:ietf:params:scim:schemas:core:2.0:Group"]}


def group_task(**options):
    return {"name": "group", "scim.slack.slack_scim_group": options}


def seed_group(emulator, api_version, name, members=()):
    body = {"schemas": GROUP_CORE[api_version], "displayName": name, "members": [{"value": m} for m in members]}
    response = emulator.scim("POST", "Groups", api_version, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def members_of(emulator, name):
    return sorted(emulator.groups()[name]["members"])


def people(emulator, api_version):
    return {name: seed_user(emulator, api_version, name)["id"] for name in ("carly", "dan", "erin", "finn")}


def test_create_with_ids_emails_and_user_names(harness, api_version):
    ids = people(harness.emulator, api_version)
    tasks = [group_task(display_name="Engineering",
                        members={"set": [ids["carly"], "dan@example.com", "Erin"]})]
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=5).first
    assert [r["method"] for r in first.writes] == ["POST"]
    assert members_of(harness.emulator, "Engineering") == sorted([ids["carly"], ids["dan"], ids["erin"]])
    assert first.result()["members_added"] == sorted([ids["carly"], ids["dan"], ids["erin"]])


def test_add_and_remove(harness, api_version):
    ids = people(harness.emulator, api_version)
    seed_group(harness.emulator, api_version, "Eng", [ids["carly"], ids["dan"]])
    tasks = [group_task(display_name="Eng", members={"add": [ids["erin"]], "remove": [ids["dan"]]})]
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=1).first
    assert [r["method"] for r in first.writes] == ["PATCH"]
    assert members_of(harness.emulator, "Eng") == sorted([ids["carly"], ids["erin"]])
    # Members by user name where the task resolved them, else by ID alone (never Slack's display name).
    assert diff_of(first.result())["after"]["members"] == [ids["carly"], "%s (erin)" % ids["erin"]]


def test_set_and_set_to_empty(harness, api_version):
    ids = people(harness.emulator, api_version)
    seed_group(harness.emulator, api_version, "Eng", [ids["carly"], ids["dan"]])
    converge_twice(harness, [group_task(display_name="Eng", members={"set": [ids["dan"], ids["finn"]]})],
                   api_version, reads_on_rerun=1)
    assert members_of(harness.emulator, "Eng") == sorted([ids["dan"], ids["finn"]])
    converge_twice(harness, [group_task(display_name="Eng", members={"set": []})], api_version)
    assert members_of(harness.emulator, "Eng") == []


def test_rename_by_id(harness, api_version):
    group = seed_group(harness.emulator, api_version, "Eng")
    first = converge_twice(harness, [group_task(id=group["id"], display_name="Platform")], api_version).first
    assert list(harness.emulator.groups()) == ["Platform"]
    assert diff_of(first.result())["before"]["display_name"] == "Eng"


def test_delete(harness, api_version):
    seed_group(harness.emulator, api_version, "Eng")
    first = converge_twice(harness, [group_task(display_name="Eng", state="absent")], api_version).first
    assert [r["method"] for r in first.writes] == ["DELETE"] and harness.emulator.groups() == {}


def test_unknown_member_under_each_lookup_failure_action(harness, api_version):
    ids = people(harness.emulator, api_version)
    seed_group(harness.emulator, api_version, "Eng")
    members = {"add": [ids["carly"], "ghost", "nobody@example.com"]}
    failed = harness.run([group_task(display_name="Eng", members=members)], api_version=api_version)
    assert failed.failed and failed.writes == []
    assert "ghost" in failed.result()["msg"] and "nobody@example.com" in failed.result()["msg"]
    warned_task = group_task(display_name="Eng", members=members, lookup_failure_action="warn")
    check = harness.run([warned_task], check=True, diff=True, api_version=api_version)
    assert not check.failed and check.writes == [], check
    assert "ghost (to be resolved)" in diff_of(check.result())["after"]["members"]
    # Read in the results: ansible-core 2.16 wraps a long warning across lines of its output.
    assert "The real run skips them with a warning if they are still missing" in str(check.result().get("warnings"))
    warned = harness.run([warned_task], api_version=api_version)
    assert "ghost" in str(warned.result().get("warnings")) and members_of(harness.emulator, "Eng") == [ids["carly"]]
    rerun = harness.run([warned_task], api_version=api_version)
    assert not rerun.changed and rerun.writes == [] and len(rerun.reads) <= 3, rerun
    ignored = harness.run([group_task(display_name="Eng", members=members, lookup_failure_action="ignore")],
                          api_version=api_version)
    assert not ignored.failed and not ignored.changed and "ghost" not in ignored.output


def test_check_mode_shows_a_member_an_earlier_task_creates_under_warn(harness, api_version):
    seed_group(harness.emulator, api_version, "Eng")
    tasks = [{"name": "newhire", "scim.slack.slack_scim_user": {"user_name": "newhire", "email": "newhire@example.com"}},
             group_task(display_name="Eng", members={"add": ["newhire@example.com"]}, lookup_failure_action="warn")]
    check = harness.run(tasks, check=True, diff=True, api_version=api_version)
    assert not check.failed and check.writes == [] and check.result("group")["changed"], check
    assert diff_of(check.result("group"))["after"]["members"] == ["newhire@example.com (to be resolved)"]
    first = harness.run(tasks, diff=True, api_version=api_version)
    newhire = harness.emulator.users()["newhire"]["id"]
    assert first.result("group")["changed"] and members_of(harness.emulator, "Eng") == [newhire]
    second = harness.run(tasks, api_version=api_version)
    assert not second.changed and second.writes == [], second


def test_deactivated_member_is_refused_before_any_write(harness, api_version):
    gone = seed_user(harness.emulator, api_version, "gone", active=False)
    seed_group(harness.emulator, api_version, "Eng")
    run = harness.run([group_task(display_name="Eng", members={"add": ["gone"]})], api_version=api_version)
    assert run.failed and run.writes == [] and gone["id"] in run.result()["msg"]


def test_twenty_thousand_members_add_one_with_one_small_patch(harness, api_version):
    harness.emulator.control("POST", "seed", {"users": 20001, "groups": 1, "members_per_group": 20000})
    newcomer = harness.emulator.scim("GET", "Users", api_version, params={
        "filter": 'userName eq "user20000"'}).json()["Resources"][0]["id"]
    group_name = next(iter(harness.emulator.groups()))
    tasks = [group_task(display_name=group_name, members={"add": [newcomer]})]
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=1).first
    assert [r["method"] for r in first.writes] == ["PATCH"]
    assert len(harness.emulator.groups()[group_name]["members"]) == 20001
    patch = [r for r in harness.emulator.log() if r["method"] == "PATCH"]
    assert len(patch) == 1 and patch[0]["bytes_in"] < 300, patch
    assert first.result()["members_added"] == [newcomer]
    assert len(json.dumps(diff_of(first.result())["after"]["members"])) > 20000 * 10  # the diff is complete
