# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""References to users, end to end (issue 13, and 14.9/14.10 for groups).

One Slack user-ID rule, ID-shaped user names, one person named two ways, the manager as an ID,
member entries that do not resolve, malformed listings and lost group answers, each as real
ansible-playbook runs against the emulator, asserted on its state and request log.
"""

from __future__ import annotations

from harness import diff_of
from scenario import converge_twice
from test_group import group_task, members_of, seed_group
from test_user import seed_user, user_task

# A Slack user ID without a digit (about 4% of real IDs).  Only the letters A-F, so the emulator's
# state loader, which counts IDs in hexadecimal, takes it.
DIGITLESS_ID = "WEABCDEFAB"


def give_id(emulator, user_name, new_id):
    """Change a user's ID in the emulator's state (SCIM cannot choose IDs)."""
    state = emulator.state()
    for user in state["users"]:
        if user["userName"] == user_name:
            user["id"] = new_id
    emulator.control("PUT", "state", state)
    assert emulator.users()[user_name]["id"] == new_id


def inject(harness, *faults):
    harness.emulator.control("POST", "faults", list(faults))


# -- 13.1 one ID rule; ID-shaped entries that are no ID are user names -------------------------------------

def test_members_by_an_id_without_digits_and_by_an_id_shaped_user_name(harness, api_version):
    emulator = harness.emulator
    seed_user(emulator, api_version, "svc")
    give_id(emulator, "svc", DIGITLESS_ID)
    shaped = seed_user(emulator, api_version, "w12345678")  # a user name Slack would also take for an ID
    carly = seed_user(emulator, api_version, "carly")
    tasks = [group_task(display_name="Eng", members={"set": [DIGITLESS_ID, "W12345678", carly["id"]]})]
    # Rerun: the group, then W12345678 as an ID (no such user) and as the user name w12345678.
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=3).first
    assert [r["method"] for r in first.writes] == ["POST"]
    assert members_of(emulator, "Eng") == sorted([DIGITLESS_ID, shaped["id"], carly["id"]])
    assert first.result()["members_added"] == sorted([DIGITLESS_ID, shaped["id"], carly["id"]])


# -- 13.4 add and remove naming one person two ways ----------------------------------------------------------

def test_add_and_remove_naming_one_person_two_ways_fail_before_any_write(harness):
    emulator = harness.emulator
    heidi = seed_user(emulator, "v2", "heidi.berg")
    dan = seed_user(emulator, "v2", "dan")
    seed_group(emulator, "v2", "Eng", [heidi["id"]])
    cases = [
        ({"add": ["heidi.berg", "dan"], "remove": ["Heidi.Berg@example.com"]},
         ("heidi.berg", "Heidi.Berg@example.com")),
        ({"add": [heidi["id"]], "remove": ["Heidi.Berg"]}, (heidi["id"], "Heidi.Berg")),
    ]
    tasks = [dict(group_task(display_name="Eng", members=members), name="case %d" % index, ignore_errors=True)
             for index, (members, dummy) in enumerate(cases)]
    before = emulator.state()
    run = harness.run(tasks)
    assert run.writes == [] and emulator.state() == before, run.writes
    for index, (members, named) in enumerate(cases):
        result = run.result("case %d" % index)
        assert result.get("failed"), (members, result)
        for entry in named:
            assert entry in result["msg"], (entry, result["msg"])
    assert members_of(emulator, "Eng") == [heidi["id"]] and dan["id"] not in members_of(emulator, "Eng")


# -- 13.9 enterprise.manager_id is stored as the manager's user ID -----------------------------------------

def test_manager_given_as_email_or_user_name_is_stored_as_the_manager_id(harness, api_version):
    emulator = harness.emulator
    dana = seed_user(emulator, api_version, "dana")
    seed_user(emulator, api_version, "carly")

    def carly(manager):
        return user_task(user_name="carly", enterprise={"manager_id": manager, "department": "Eng"})

    # Rerun: carly by user name, the manager by email.
    first = converge_twice(harness, [carly("Dana@Example.com")], api_version, reads_on_rerun=2).first
    assert [r["method"] for r in first.writes] == ["PATCH"]
    assert emulator.users()["carly"]["enterprise"]["manager"]["managerId"] == dana["id"]
    assert diff_of(first.result())["after"]["enterprise"]["manager_id"] == dana["id"]

    for spelling, reads in (("dana", 2), (dana["id"], 1)):
        same = harness.run([carly(spelling)], api_version=api_version)
        assert not same.failed and not same.changed and same.writes == [], (spelling, same)
        assert len(same.reads) == reads, (spelling, same.reads)

    unknown = harness.run([carly("nobody@example.com")], api_version=api_version)
    assert unknown.failed and unknown.writes == [], unknown
    assert "manager_id" in unknown.result()["msg"] and "nobody@example.com" in unknown.result()["msg"]
    assert emulator.users()["carly"]["enterprise"]["manager"]["managerId"] == dana["id"]


# -- members.set under lookup_failure_action: ignore -------------------------------------------------------

def test_unresolved_set_entry_under_ignore_removes_no_current_member(harness):
    emulator = harness.emulator
    carly, dan, erin = (seed_user(emulator, "v2", name) for name in ("carly", "dan", "erin"))
    seed_group(emulator, "v2", "Eng", [carly["id"], dan["id"]])
    tasks = [group_task(display_name="Eng", members={"set": [carly["id"], erin["id"], "ghost"]},
                        lookup_failure_action="ignore")]
    # Check mode predicts what the real run does: ghost may be dan, so dan is not removed.
    check = harness.run(tasks, check=True)
    assert not check.failed and check.result()["members_removed"] == [], check.result()
    # Check mode shows ghost as to be resolved (an earlier task may create it); the real run skips it.
    first = harness.run(tasks)
    rerun = harness.run(tasks)  # the group, then ghost as a user name
    assert not rerun.changed and rerun.writes == [] and len(rerun.reads) <= 2, rerun
    assert [r["method"] for r in first.writes] == ["PATCH"]
    # ghost may have been dan (a typo, a renamed account): dan stays, erin is added.
    assert members_of(emulator, "Eng") == sorted([carly["id"], dan["id"], erin["id"]])
    assert first.result()["members_removed"] == [] and first.result()["members_added"] == [erin["id"]]
    assert any("ghost" in warning and "not removed" in warning for warning in first.result()["warnings"]), \
        first.result().get("warnings")


# -- 14.9 a listed user without an id ------------------------------------------------------------------------

def test_listed_user_without_id_fails_info_and_group_naming_it_v1(harness):
    emulator = harness.emulator
    for name in ("carly", "dan", "erin", "finn", "gina"):
        seed_user(emulator, "v1", name)
    seed_group(emulator, "v1", "Eng")
    # Every full listing of users answers its fourth item (finn) without an id.
    inject(harness, {"action": "strip_ids", "index": 3, "count": 20, "method": "GET", "path": "/scim/v1/Users",
                     "query": {"count": "1000"}})
    tasks = [
        {"name": "info", "scim.slack.slack_scim_info": {}, "ignore_errors": True},
        dict(group_task(display_name="Eng", members={"set": ["carly", "dan", "erin"]}), name="group",
             ignore_errors=True),
    ]
    before = emulator.state()
    run = harness.run(tasks, api_version="v1")
    assert run.writes == [] and emulator.state() == before, run.writes
    assert any("count=1000" in r["query"] for r in run.reads), "the group module listed no users"
    for task in ("info", "group"):
        result = run.result(task)
        assert result.get("failed"), (task, result)
        assert "without an id" in result["msg"] and "finn" in result["msg"], (task, result["msg"])
        assert "Traceback" not in result["msg"]
    assert "users" not in run.result("info"), "the info module returned the listing without the malformed item"


# -- 14.10 lost answers on groups -----------------------------------------------------------------------------

def test_group_create_and_delete_whose_answers_were_lost_converge(harness, api_version):
    emulator = harness.emulator
    dan = seed_user(emulator, api_version, "dan")
    old = seed_group(emulator, api_version, "Old")
    path = "/scim/%s/Groups" % api_version
    inject(harness, {"action": "drop_after", "method": "POST", "path": path},
           {"action": "drop_after", "method": "DELETE", "path": path})
    tasks = [dict(group_task(display_name="Eng", members={"set": ["dan"]}), name="create"),
             dict(group_task(display_name="Old", state="absent"), name="delete")]
    # Check mode sends no write, so the faults wait for the real run.  Rerun: Eng, dan, Old.
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=3).first
    assert emulator.control("GET", "faults")["faults"] == [], "no answer was lost; the test proves nothing"
    assert [r.get("fault") for r in first.writes if r.get("fault")] == ["drop_after", "drop_after"]
    assert first.result("create")["changed"] and first.result("delete")["changed"]
    assert [r["method"] for r in first.writes].count("POST") == 1, first.writes
    assert {r["path"] for r in first.writes if r["method"] == "DELETE"} == {"%s/%s" % (path, old["id"])}
    groups = emulator.groups()
    assert list(groups) == ["Eng"] and list(groups["Eng"]["members"]) == [dan["id"]], groups
