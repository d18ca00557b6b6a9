# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync end to end: one task for a whole directory."""

from __future__ import annotations

import math
import os

import yaml

from harness import diff_of
from scenario import converge_twice
from test_group import seed_group
from test_user import seed_user, user_task


def sync_task(**options):
    options.setdefault("write_rate", 0)
    return {"name": "sync", "scim.slack.slack_scim_sync": options}


def diffs(result):
    """The per-resource diffs of a sync result, by "user <name>" / "group <name>" (the header before the ID)."""
    return {entry["before_header"].rsplit(" (", 1)[0]: entry for entry in diff_of(result)}


def team(count=3):
    return [{"user_name": "person%d" % i, "email": "person%d@example.com" % i, "title": "Engineer"}
            for i in range(count)]


def test_create_users_and_a_group_naming_them_then_no_op(harness, api_version):
    users = team(3)
    groups = [{"display_name": "Engineering", "members": {"set": ["person0", "person1@example.com"]}}]
    tasks = [sync_task(users=users, groups=groups)]
    check = harness.run(tasks, check=True, diff=True, api_version=api_version)
    assert check.changed and check.writes == [] and harness.emulator.users() == {}
    # New users have no ID before they exist: check mode names them by user name.
    members = diffs(check.result())["group Engineering"]["after"]["members"]
    assert [member.split(" ")[0] for member in members] == ["new:person0", "new:person1"], members
    first_run = harness.run(tasks, diff=True, api_version=api_version)
    first = first_run.result()
    assert [d for d in first["diff"] if d["before_header"].startswith("user ")] == \
        [d for d in check.result()["diff"] if d["before_header"].startswith("user ")]
    assert first["summary"]["users"]["created"] == 3 and first["summary"]["groups"]["created"] == 1
    assert first["summary"]["groups"]["members_added"] == 2
    stored = harness.emulator.users()
    engineering = harness.emulator.groups()["Engineering"]
    assert sorted(engineering["members"]) == sorted([stored["person0"]["id"], stored["person1"]["id"]])
    assert [c["action"] for c in first["changes"]] == ["create"] * 4
    second_run = harness.run(tasks, api_version=api_version)
    second = second_run.result()
    assert not second_run.changed and second_run.writes == []
    assert second["summary"]["users"]["unchanged"] == 3 and second["changes"] == []
    assert len(second_run.requests) == 2 == second["requests"]
    recheck = harness.run(tasks, check=True, api_version=api_version)
    assert not recheck.changed and recheck.writes == []


def test_no_op_sync_costs_one_listing(harness):
    harness.emulator.control("POST", "seed", {"users": 2500, "groups": 3, "members_per_group": 10})
    users = [{"user_name": "user%05d" % i, "email": "user%05d@example.com" % i} for i in range(2500)]
    groups = [{"display_name": name} for name in harness.emulator.groups()]
    run = harness.run([sync_task(users=users, groups=groups)])
    assert not run.failed and not run.changed, run
    assert len(run.requests) == math.ceil(2500 / 1000) + 1 == run.result()["requests"]
    assert run.result()["summary"]["users"]["unchanged"] == 2500


def test_one_percent_changed_sends_one_write_each(harness):
    harness.emulator.control("POST", "seed", {"users": 1000})
    users = [{"user_name": "user%05d" % i, "email": "user%05d@example.com" % i,
              "title": "Changed" if i % 100 == 0 else None} for i in range(1000)]
    users = [{k: v for k, v in user.items() if v is not None} for user in users]
    run = harness.run([sync_task(users=users)], diff=True)
    assert run.result()["summary"]["users"]["updated"] == 10
    # 1,000 users fill the first page, so the listing asks for a second (a total may be too small), then groups.
    assert len(run.writes) == 10 and len(run.reads) == 3
    assert diffs(run.result())["user user00100"]["after"] == {"title": "Changed"}


def test_plan_matches_the_single_modules(harness, api_version):
    seed_user(harness.emulator, api_version, "carly", "carly@example.com", title="CEO")
    seed_user(harness.emulator, api_version, "dan", "dan@example.com", active=False)
    dan_group = seed_group(harness.emulator, api_version, "Eng")
    users = [{"user_name": "carly", "email": "carly@new.example.com", "title": "Chair"},
             {"user_name": "dan", "email": "dan@example.com", "active": True},
             {"user_name": "erin", "email": "erin@example.com", "given_name": "Erin"},
             {"user_name": "zed", "state": "absent"}]
    single = harness.run([{"name": "u%d" % i, "scim.slack.slack_scim_user": user} for i, user in enumerate(users)] +
                         [{"name": "g", "scim.slack.slack_scim_group": {"id": dan_group["id"],
                                                                        "members": {"add": ["carly"]}}}],
                         check=True, diff=True, api_version=api_version)
    synced = harness.run([sync_task(users=users, groups=[{"id": dan_group["id"], "members": {"add": ["carly"]}}])],
                         check=True, diff=True, api_version=api_version)
    assert not single.failed and not synced.failed, (single, synced)
    diff = diffs(synced.result())
    for index, user in enumerate(users):
        result = single.result("u%d" % index)
        name = (result.get("user") or {}).get("userName") or user.get("user_name")
        if not result["changed"]:
            assert "user %s" % name not in diff
            continue
        assert diff["user %s" % name]["before"] == diff_of(result)["before"], name
        assert diff["user %s" % name]["after"] == diff_of(result)["after"], name
    assert diff["group Eng"]["after"] == diff_of(single.result("g"))["after"]
    assert synced.writes == [] and single.writes == []


def test_purge_spares_the_token_user_bots_and_exclusions(harness):
    keep = seed_user(harness.emulator, "v2", "keep")
    owner = seed_user(harness.emulator, "v2", "owner")
    botty = seed_user(harness.emulator, "v2", "botty", "botty-T1-A1@slack-bots.com")
    excluded = seed_user(harness.emulator, "v2", "excluded", "excluded@example.com")
    gone = seed_user(harness.emulator, "v2", "gone")
    harness.emulator.control("POST", "config", {"token_user": owner["id"]})
    tasks = [sync_task(users=[{"user_name": "keep", "email": "keep@example.com"}], purge_users=True,
                       purge_exclude=["excluded@example.com"])]
    first = converge_twice(harness, tasks, reads_on_rerun=3).first
    assert [c["name"] for c in first.result()["changes"]] == ["gone"]
    assert sorted((s["resource"], s["id"], s["name"], s["reason"]) for s in first.result()["spared"]) == sorted([
        ("user", botty["id"], "botty", "bot"), ("user", excluded["id"], "excluded", "excluded"),
        ("user", owner["id"], "owner", "owner")])
    users = harness.emulator.users()
    assert users["gone"]["active"] is False
    assert all(users[name]["active"] for name in ("keep", "owner", "botty", "excluded"))
    assert keep["id"] and gone["id"]


def test_too_many_deactivations_fail_before_any_write_showing_the_plan(harness):
    for index in range(4):
        seed_user(harness.emulator, "v2", "leaver%d" % index)
    run = harness.run([sync_task(users=[], purge_users=True, max_deactivations=3)])
    assert run.failed and run.writes == []
    message = run.result()["msg"]
    assert "deactivates 4 users, more than max_deactivations=3" in message and "leaver3" in message
    assert run.result()["summary"]["users"]["deactivated"] == 4


def test_purge_groups_needs_max_group_deletions(harness):
    seed_group(harness.emulator, "v2", "Old")
    seed_group(harness.emulator, "v2", "Keep")
    refused = harness.run([sync_task(purge_groups=True, purge_exclude_groups=["keep"])])
    assert refused.failed and refused.writes == [] and "max_group_deletions=0" in refused.result()["msg"]
    run = harness.run([sync_task(purge_groups=True, purge_exclude_groups=["keep"], max_group_deletions=1)])
    assert not run.failed and list(harness.emulator.groups()) == ["Keep"]


def test_duplicates_and_unknown_members_fail_before_any_request_or_write(harness):
    dup = harness.run([sync_task(users=[{"user_name": "carly", "email": "a@example.com"},
                                        {"user_name": "Carly", "email": "b@example.com"}])])
    assert dup.failed and dup.requests == []
    assert "users[0] and users[1] both declare user_name 'carly'" in dup.result()["msg"]
    unknown = harness.run([sync_task(users=team(1), groups=[{"display_name": "Eng",
                                                            "members": {"add": ["person0", "ghost"]}}])])
    assert unknown.failed and unknown.writes == [] and "ghost" in unknown.result()["msg"]


def test_interrupted_sync_reruns_and_reports_only_what_was_left(harness):
    tasks = [sync_task(users=team(5))]
    # The first two POSTs pass untouched (a zero latency fault counts them), the third fails.
    harness.emulator.control("POST", "faults", [{"action": "latency", "latency": 0, "count": 2, "method": "POST"},
                                                {"status": 400, "error": "invalid_request_payload", "count": 1,
                                                 "method": "POST"}])
    broken = harness.run(tasks)
    assert broken.failed and len(harness.emulator.users()) == 2
    rerun = harness.run(tasks)
    assert not rerun.failed and rerun.result()["summary"]["users"] == {
        "created": 3, "updated": 0, "deactivated": 0, "reactivated": 0, "unchanged": 2,
        "failed": 0, "to_guest": 0, "to_member": 0, "workspaces_added": 0, "workspaces_removed": 0}
    assert not harness.run(tasks).changed


def test_continue_on_error_reports_failures(harness):
    harness.emulator.control("POST", "faults", [{"action": "latency", "latency": 0, "count": 1, "method": "POST"},
                                                {"status": 400, "error": "invalid_request_payload", "count": 1,
                                                 "method": "POST"}])
    run = harness.run([sync_task(users=team(3), continue_on_error=True)])
    assert not run.failed, run
    result = run.result()
    assert [(f["resource"], f["id"], f["name"]) for f in result["failures"]] == [("user", None, "person1")]
    assert "invalid_request_payload" in result["failures"][0]["msg"]
    assert result["summary"]["users"]["created"] == 2 and result["summary"]["users"]["failed"] == 1
    assert [c["name"] for c in result["changes"]] == ["person0", "person2"]
    assert len(harness.emulator.users()) == 2


def test_write_rate_paces_writes(harness):
    run = harness.run([sync_task(users=team(4), write_rate=120)])
    posts = [r for r in run.writes if r["method"] == "POST"]
    assert len(posts) == 4
    spacing = [later["time"] - earlier["time"] for earlier, later in zip(posts, posts[1:])]
    assert min(spacing) >= 0.45, spacing  # 120 a minute: one every 0.5 s


def test_diffs_show_non_ascii_text_as_written(harness, api_version):
    tasks = [user_task(user_name="jurgen", email="jurgen@example.com", family_name="Müller", title="Geschäftsführer"),
             sync_task(users=[{"user_name": "zoe", "email": "zoe@example.com", "given_name": "Zoë"}])]
    run = harness.run(tasks, diff=True, api_version=api_version)
    assert not run.failed, run
    for written in ('"family_name": "Müller"', '"title": "Geschäftsführer"', '"given_name": "Zoë"'):
        assert "+    %s" % written in run.output, (written, run.output)
    assert "\\u00" not in run.output, run.output
    rerun = harness.run(tasks, diff=True, api_version=api_version)
    assert not rerun.failed and not rerun.changed and rerun.writes == [], rerun


def test_invalid_entries_are_named_at_once_by_position_inline_and_from_src(harness):
    """Issue 24: every mistake of the directory in one message, each named by its entry, before any request,
    in-process and as a module (ScimModule explains the argument validation either way)."""
    users = [{"user_name": "ok1"}, {"user_name": "OK1", "emial": "ok1@example.com"}]
    groups = [{"display_name": "G", "members": ["ok1"]}]
    with open(os.path.join(harness.workdir, "directory.yml"), "w") as handle:
        yaml.safe_dump({"users": users, "groups": groups}, handle)
    cases = [(options, mode) for options in (dict(users=users, groups=groups), dict(src="directory.yml"))
             for mode in ("controller", "remote")]
    for options, mode in cases:
        run = harness.run([sync_task(**options)], mode=mode)
        assert run.failed and run.requests == [], run
        assert run.result()["msg"] == (
            "3 problems: users[1] (OK1): unknown option emial (did you mean email?); users[0] and users[1] both "
            "declare user_name 'ok1'; groups[0] (G): members must be a dict with the keys add, remove, set, got a "
            "list: ['ok1']; to make these the exact members, write members: {set: ['ok1']}"), run.result()["msg"]
