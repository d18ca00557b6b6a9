# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync end to end: exclusions, failure accounting, plans that agree from run to run,
limits, malformed listings, and what the result shows (issues 13, 14, 17)."""

from __future__ import annotations

import re

from scenario import converge_twice
from test_group import members_of, seed_group
from test_sync import diffs, sync_task
from test_user import seed_user


def inject(harness, *faults):
    harness.emulator.control("POST", "faults", list(faults))


def message(run):
    return run.result()["msg"]


def shown(run):
    """Everything ansible-playbook printed, with line wrapping undone."""
    return " ".join(run.output.split())


def seed_people(harness, api_version, count, prefix="person"):
    return {"%s%d" % (prefix, i): seed_user(harness.emulator, api_version, "%s%d" % (prefix, i))["id"]
            for i in range(count)}


def assert_refused_before_any_write(harness, tasks, api_version="v2"):
    """Check mode and the real run both fail, and neither writes; returns the real run."""
    check = harness.run(tasks, check=True, api_version=api_version)
    assert check.failed and check.writes == [], check
    run = harness.run(tasks, api_version=api_version)
    assert run.failed and run.writes == [], run
    assert message(check) == message(run)
    return run


# -- 13.2 -----------------------------------------------------------------------------------------

def test_purge_exclude_groups_by_id_or_display_name_spares_them(harness):
    seed_group(harness.emulator, "v2", "Old")
    by_id = seed_group(harness.emulator, "v2", "Admins")
    by_name = seed_group(harness.emulator, "v2", "Keep Me")
    tasks = [sync_task(purge_groups=True, purge_exclude_groups=[by_id["id"], "keep me"], max_group_deletions=5)]
    first = converge_twice(harness, tasks, reads_on_rerun=2).first
    assert sorted(harness.emulator.groups()) == ["Admins", "Keep Me"]
    assert [(c["name"], c["action"]) for c in first.result()["changes"]] == [("Old", "delete")]
    assert sorted((s["name"], s["id"], s["reason"]) for s in first.result()["spared"]) == [
        ("Admins", by_id["id"], "excluded"), ("Keep Me", by_name["id"], "excluded")]


# -- 13.3 -----------------------------------------------------------------------------------------

def test_continue_on_error_counts_and_reports_only_successful_writes(harness, api_version):
    ids = seed_people(harness, api_version, 1)
    eng = seed_user(harness.emulator, api_version, "eng")
    fay = seed_user(harness.emulator, api_version, "fay")
    seed_group(harness.emulator, api_version, "eng")
    # The user named eng and the user declared by email only both fail; the group named eng does not.
    inject(harness, *[{"method": "PATCH", "path": "/scim/%s/Users/%s" % (api_version, user["id"]), "status": 400,
                       "error": "invalid_request_payload", "count": 1} for user in (eng, fay)])
    tasks = [sync_task(users=[{"user_name": "eng", "email": "eng@example.com", "title": "Lead"},
                              {"email": "fay@example.com", "title": "Lead"}],
                       groups=[{"display_name": "eng", "members": {"add": ["person0"]}}], continue_on_error=True)]
    run = harness.run(tasks, api_version=api_version)
    assert not run.failed, run
    result = run.result()
    assert [(f["resource"], f["id"], f["name"]) for f in result["failures"]] == [
        ("user", eng["id"], "eng"), ("user", fay["id"], "fay")]
    assert result["summary"]["users"]["updated"] == 0 and result["summary"]["users"]["failed"] == 2
    assert result["summary"]["groups"]["updated"] == 1 and result["summary"]["groups"]["members_added"] == 1
    assert [(c["resource"], c["name"]) for c in result["changes"]] == [("group", "eng")]
    assert run.changed and members_of(harness.emulator, "eng") == [ids["person0"]]
    # Only failed writes: no change reported.
    inject(harness, {"method": "PATCH", "path": "/scim/%s/Users/%s" % (api_version, fay["id"]), "status": 400,
                     "error": "invalid_request_payload", "count": 1})
    only_fay = [sync_task(users=[{"email": "fay@example.com", "title": "Lead"}], continue_on_error=True)]
    failed = harness.run(only_fay, api_version=api_version)
    assert not failed.failed and not failed.changed, failed
    assert failed.result()["changes"] == [] and len(failed.result()["failures"]) == 1
    # Without the faults, a rerun converges what is left, then nothing.
    rerun = harness.run(tasks, api_version=api_version)
    assert rerun.changed and rerun.result()["summary"]["users"]["updated"] == 2 and rerun.result()["failures"] == []
    again = harness.run(tasks, api_version=api_version)
    assert not again.changed and again.writes == []


# -- 13.8 -----------------------------------------------------------------------------------------

def test_user_deactivated_and_named_in_a_group_fails_before_any_write(harness, api_version):
    ids = seed_people(harness, api_version, 2)
    seed_group(harness.emulator, api_version, "Eng", [ids["person0"]])
    tasks = [sync_task(users=[{"user_name": "person1", "email": "person1@example.com"},
                              {"user_name": "person0", "state": "absent"}],
                       groups=[{"display_name": "Eng", "members": {"set": ["person0", "person1"]}}])]
    run = assert_refused_before_any_write(harness, tasks, api_version)
    assert "groups[0] (Eng): members.set names person0, but users[1] (state: absent) deactivates person0 (%s)" \
        % ids["person0"] in message(run)
    assert harness.emulator.users()["person0"]["active"] is True


def test_user_reactivated_and_added_to_a_group_in_one_run(harness, api_version):
    dan = seed_user(harness.emulator, api_version, "dan", active=False)
    seed_group(harness.emulator, api_version, "Eng")
    tasks = [sync_task(users=[{"user_name": "dan", "email": "dan@example.com", "active": True}],
                       groups=[{"display_name": "Eng", "members": {"set": ["dan"]}}])]
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=2).first
    assert first.result()["summary"]["users"]["reactivated"] == 1
    assert [r["method"] for r in first.writes] == ["PATCH", "PATCH"]
    assert harness.emulator.users()["dan"]["active"] is True and members_of(harness.emulator, "Eng") == [dan["id"]]


# -- 13.12, 13.13 ----------------------------------------------------------------------------------

def test_two_entries_resolving_to_one_account_fail_before_any_write(harness):
    carly = seed_user(harness.emulator, "v2", "carly", "carly@example.com")
    run = assert_refused_before_any_write(harness, [sync_task(users=[
        {"user_name": "carly"}, {"user_name": "renamed", "email": "carly@example.com"}])])
    assert "users[0] and users[1] both resolve to user %s (carly)" % carly["id"] in message(run)
    assert "carly" in harness.emulator.users()


def test_absent_with_user_name_and_email_of_two_users_fails_before_any_write(harness):
    seed_user(harness.emulator, "v2", "carly", "carly@example.com")
    erin = seed_user(harness.emulator, "v2", "erin", "erin@example.com")
    run = assert_refused_before_any_write(harness, [sync_task(users=[
        {"user_name": "carly", "email": "erin@example.com", "state": "absent"}])])
    assert "users[0]" in message(run) and erin["id"] in message(run) and "belongs to another user" in message(run)
    assert all(user["active"] for user in harness.emulator.users().values())


# -- 14.2 -----------------------------------------------------------------------------------------

def test_active_false_and_replace_count_as_deactivations(harness, api_version):
    seed_people(harness, api_version, 4)
    users = [{"user_name": "person%d" % i, "active": False} for i in range(3)] + \
        [{"user_name": "person3", "email": "person3@example.com", "active": False, "replace": True}]
    refused = assert_refused_before_any_write(harness, [sync_task(users=users, max_deactivations=3)], api_version)
    assert "deactivates 4 users, more than max_deactivations=3" in message(refused)
    assert "person3" in message(refused) and "users[3] (active: false)" in message(refused)
    assert refused.result()["summary"]["users"]["deactivated"] == 4
    first = converge_twice(harness, [sync_task(users=users, max_deactivations=4)], api_version,
                           reads_on_rerun=2).first
    assert first.result()["summary"]["users"] == {"created": 0, "updated": 0, "deactivated": 4, "reactivated": 0,
                                                  "unchanged": 0, "failed": 0,
                                                  "to_guest": 0, "to_member": 0,
                                                  "workspaces_added": 0, "workspaces_removed": 0}
    assert {c["action"] for c in first.result()["changes"]} == {"deactivate"}
    assert not any(user["active"] for user in harness.emulator.users().values())


# -- 14.3, 15.6 -----------------------------------------------------------------------------------

def test_max_member_removals_guards_a_truncated_members_set(harness):
    ids = seed_people(harness, "v2", 6)
    seed_group(harness.emulator, "v2", "Eng", sorted(ids.values()))
    tasks = [sync_task(groups=[{"display_name": "Eng", "members": {"set": ["person0"]}}], max_member_removals=4)]
    refused = assert_refused_before_any_write(harness, tasks)
    assert "removes 5 group memberships, more than max_member_removals=4" in message(refused)
    assert "Eng (%s) loses person1 (%s)" % (harness.emulator.groups()["Eng"]["id"], ids["person1"]) in \
        message(refused)
    assert len(members_of(harness.emulator, "Eng")) == 6
    converge_twice(harness, [sync_task(groups=[{"display_name": "Eng", "members": {"set": ["person0"]}}],
                                       max_member_removals=5)], reads_on_rerun=2)
    assert members_of(harness.emulator, "Eng") == [ids["person0"]]


def test_members_dropped_by_a_deactivation_count_under_max_deactivations(harness):
    ids = seed_people(harness, "v2", 3)
    seed_group(harness.emulator, "v2", "Eng", sorted(ids.values()))
    tasks = [sync_task(users=[{"user_name": "person2", "state": "absent"}],
                       groups=[{"display_name": "Eng", "members": {"set": ["person0", "person1"]}}],
                       max_member_removals=0, max_deactivations=1)]
    converge_twice(harness, tasks, reads_on_rerun=2)
    assert members_of(harness.emulator, "Eng") == sorted([ids["person0"], ids["person1"]])
    assert harness.emulator.users()["person2"]["active"] is False


def test_null_limits_mean_no_limit(harness):
    seed_people(harness, "v2", 12, prefix="leaver")
    for name in ("Old1", "Old2"):
        seed_group(harness.emulator, "v2", name)
    tasks = [sync_task(purge_users=True, purge_groups=True, max_deactivations=None, max_group_deletions=None,
                       max_member_removals=None)]
    refused = harness.run([sync_task(purge_users=True, purge_groups=True, max_group_deletions=None)])
    assert refused.failed and refused.writes == [] and "max_deactivations=10" in message(refused)
    typo = harness.run([sync_task(purge_users=True, max_deactivations="ten")])
    assert typo.failed and typo.requests == [], typo
    assert message(typo) == "max_deactivations must be a whole number, or null for no limit; got 'ten'"
    first = converge_twice(harness, tasks, reads_on_rerun=3).first
    assert first.result()["summary"]["users"]["deactivated"] == 12
    assert first.result()["summary"]["groups"]["deleted"] == 2 and harness.emulator.groups() == {}


# -- 14.9 -----------------------------------------------------------------------------------------

def test_listed_user_or_group_without_id_fails_naming_it(harness, api_version):
    seed_people(harness, api_version, 2)
    seed_group(harness.emulator, api_version, "Eng")
    for resource, name in (("Users", "person1"), ("Groups", "Eng")):
        inject(harness, {"action": "strip_ids", "index": 1 if resource == "Users" else 0, "method": "GET",
                         "path": "/scim/%s/%s" % (api_version, resource), "count": 3})
        run = harness.run([sync_task(users=[{"user_name": "person0", "title": "Engineer"}])],
                          api_version=api_version)
        assert run.failed and run.writes == [], run
        text = message(run)
        # Whichever layer sees it first (the client's page check or the sync's index) names the item.
        assert re.search(r"without (an )?id|has no id", text) and name in text, text
        assert "Module failed: 'id'" not in run.output and "KeyError" not in run.output
        harness.emulator.control("DELETE", "faults")


# -- 14.11 ----------------------------------------------------------------------------------------

def test_exclusions_that_match_nobody_are_warned_about(harness):
    seed_user(harness.emulator, "v2", "keep")
    seed_group(harness.emulator, "v2", "Keep")
    run = harness.run([sync_task(users=[{"user_name": "keep"}], groups=[{"display_name": "Keep"}],
                                 purge_users=True, purge_exclude=["ghost@example.com"],
                                 purge_groups=True, purge_exclude_groups=["Nope"])])
    assert not run.failed and not run.changed and run.writes == [], run
    assert "purge_exclude entries that match no user: 'ghost@example.com'" in shown(run)
    assert "purge_exclude_groups entries that match no group: 'Nope'" in shown(run)


def test_names_of_only_white_space_fail_before_any_write(harness, api_version):
    users = [{"user_name": "person%d" % i, "email": "person%d@example.com" % i} for i in range(3)]
    users.append({"user_name": "last", "email": "last@example.com", "given_name": "  ", "family_name": "  "})
    run = harness.run([sync_task(users=users)], api_version=api_version)
    assert run.failed and run.writes == [], run
    assert "users[3]: given_name '  ', family_name '  ': only white space" in message(run)
    assert harness.emulator.users() == {}


# -- 17.7 -----------------------------------------------------------------------------------------

def test_every_group_with_bad_members_is_named(harness):
    seed_people(harness, "v2", 1)
    run = assert_refused_before_any_write(harness, [sync_task(groups=[
        {"display_name": "Eng", "members": {"add": ["ghost1"]}},
        {"display_name": "Ok", "members": {"add": ["person0"]}},
        {"display_name": "Sales", "members": {"set": ["person0", "ghost2@example.com"]}}])])
    text = message(run)
    assert text.startswith("2 group entries cannot be planned; nothing was changed")
    assert "groups[0] (Eng): " in text and "ghost1 (no such user)" in text
    assert "groups[2] (Sales): " in text and "ghost2@example.com (no such user)" in text
    assert "groups[1]" not in text


# -- 17.4 -----------------------------------------------------------------------------------------

def test_diff_is_shown_per_resource(harness, api_version):
    carly = seed_user(harness.emulator, api_version, "carly", title="CEO")
    eng = seed_group(harness.emulator, api_version, "Eng")
    tasks = [sync_task(users=[{"user_name": "carly", "title": "Chair"},
                              {"user_name": "erin", "email": "erin@example.com"}],
                       groups=[{"display_name": "Eng", "members": {"add": ["carly"]}}])]
    check, first = converge_twice(harness, tasks, api_version, reads_on_rerun=2)[:2]
    result = first.result()
    assert isinstance(result["diff"], list) and len(result["diff"]) == 3
    by_header = diffs(result)
    assert by_header["user carly"]["before_header"] == "user carly (%s)" % carly["id"]
    assert (by_header["user carly"]["before"], by_header["user carly"]["after"]) == ({"title": "CEO"},
                                                                                     {"title": "Chair"})
    assert by_header["user erin"]["after_header"] == "user erin (new)"
    assert by_header["group Eng"]["after"]["members"] == ["%s (carly)" % carly["id"]]
    # ansible-playbook --diff prints one section per resource, under its own header.
    for run in (check, first):
        text = run.output
        assert "--- before: user carly (%s)" % carly["id"] in text
        assert "+++ after: user erin (new)" in text
        assert "--- before: group Eng (%s)" % eng["id"] in text
        assert '+    "title": "Chair"' in text
