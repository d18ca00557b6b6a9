# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault tolerance and secret hygiene: real ansible-playbook runs against an emulator that misbehaves.

Every run here (as every run of the harness) is also checked for the token in its output, its results
and the emulator's request log.
"""

from __future__ import annotations

import threading
import time

import pytest

from harness import TOKEN
from test_group import group_task, seed_group
from test_user import seed_user, user_task


def inject(harness, *faults):
    harness.emulator.control("POST", "faults", list(faults))


def carly(**extra):
    return user_task(user_name="carly", email="carly@example.com", **extra)


def gaps(entries):
    return [round(later["time"] - earlier["time"], 2) for earlier, later in zip(entries, entries[1:])]


def assert_one_carly(harness):
    users = harness.emulator.users()
    assert list(users) == ["carly"], users


# -- rate limits ------------------------------------------------------------------------------------

def test_429_on_reads_and_writes_converges_after_retry_after(harness, api_version):
    inject(harness, {"status": 429, "retry_after": 1, "count": 2, "method": "GET"},
           {"status": 429, "retry_after": 1, "count": 1, "method": "POST"})
    run = harness.run([carly()], api_version=api_version)
    assert not run.failed, run
    assert [r["status"] for r in run.requests] == [429, 429, 200, 200, 429, 201]
    waits = gaps(run.requests)
    assert waits[0] >= 1 and waits[1] >= 1 and waits[4] >= 1, waits  # Retry-After: 1, plus < 1 s jitter
    assert max(waits[0], waits[1], waits[4]) < 2.5, waits
    assert_one_carly(harness)
    rerun = harness.run([carly()], api_version=api_version)
    assert not rerun.changed and rerun.writes == []


def test_resource_locked_write_is_retried(harness):
    seed_user(harness.emulator, "v2", "carly", "carly@example.com")
    inject(harness, {"status": 429, "error": "resource_locked", "retry_after": 1, "method": "PATCH"})
    run = harness.run([carly(title="CEO")])
    assert not run.failed and [r["status"] for r in run.writes] == [429, 200], run
    assert harness.emulator.users()["carly"]["title"] == "CEO"


def test_rate_limit_budget_exhausted_fails_clearly(harness):
    inject(harness, {"status": 429, "retry_after": 1, "count": 10, "method": "GET"})
    run = harness.run([carly(retries={"rate_limited": 2, "max_wait": 30})], connection_defaults=True)
    assert run.failed and run.writes == []
    assert len(run.requests) == 3  # the first try and 2 retries
    message = run.result()["msg"]
    assert "rate-limited" in message and "retries.rate_limited" in message, message


def test_rate_limit_wait_budget_caps_sleeping(harness):
    inject(harness, {"status": 429, "retry_after": 30, "count": 5, "method": "GET"})
    run = harness.run([carly(retries={"max_wait": 5})])
    waited = time.time() - run.requests[0]["time"]
    # Retry-After 30 is over the 5 s budget: the task fails at once, rather than sleep (wide margin: load).
    assert run.failed and len(run.requests) == 1 and waited < 25, "%.1f s after the request" % waited
    assert "rate-limited" in run.result()["msg"]


# -- server errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_error_bursts_on_reads_converge(harness, status):
    inject(harness, {"status": status, "count": 2, "method": "GET"})
    run = harness.run([carly()])
    assert not run.failed, run
    assert [r["status"] for r in run.requests][:3] == [status, status, 200]
    assert_one_carly(harness)


def test_server_error_budget_exhausted_fails_clearly(harness):
    inject(harness, {"status": 503, "count": 10, "method": "GET"})
    run = harness.run([carly(retries={"server_errors": 1})])
    assert run.failed and len(run.requests) == 2 and run.writes == []
    assert "HTTP 503 service_unavailable" in run.result()["msg"] and "after 1 retry" in run.result()["msg"]


def test_post_answered_500_is_not_resent(harness):
    inject(harness, {"status": 500, "count": 1, "method": "POST"})
    run = harness.run([carly()])
    assert run.failed and [r["method"] for r in run.writes] == ["POST"]
    assert "HTTP 500" in run.result()["msg"]
    rerun = harness.run([carly()])
    assert not rerun.failed and rerun.changed
    assert_one_carly(harness)


# -- dropped connections ----------------------------------------------------------------------------

def test_post_applied_but_answer_lost_creates_no_duplicate(harness, api_version):
    inject(harness, {"action": "drop_after", "method": "POST"})
    run = harness.run([carly(title="CEO")], api_version=api_version)
    assert not run.failed, run
    assert [r["method"] for r in run.writes] == ["POST"]  # no second POST, no email_taken
    assert "email_taken" not in run.output
    assert_one_carly(harness)
    assert harness.emulator.users()["carly"]["title"] == "CEO"
    rerun = harness.run([carly(title="CEO")], api_version=api_version)
    assert not rerun.changed and rerun.writes == []


def test_post_dropped_before_it_was_applied_is_sent_again_once(harness):
    inject(harness, {"action": "drop", "method": "POST"})
    run = harness.run([carly()])
    assert not run.failed, run
    assert [r.get("dropped") for r in run.writes] == [True, None]
    assert_one_carly(harness)


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_dropped_patch_or_delete_converges(harness, method):
    seed_user(harness.emulator, "v2", "carly", "carly@example.com")
    inject(harness, {"action": "drop_after", "method": method})
    task = carly(title="CEO") if method == "PATCH" else carly(state="absent")
    run = harness.run([task])
    assert not run.failed, run
    assert [r["method"] for r in run.writes] == [method, method]
    stored = harness.emulator.users()["carly"]
    assert stored.get("title") == "CEO" if method == "PATCH" else stored["active"] is False
    assert not harness.run([task]).changed


def test_dropped_group_patch_converges(harness):
    user = seed_user(harness.emulator, "v2", "dan")
    seed_group(harness.emulator, "v2", "Eng")
    inject(harness, {"action": "drop_after", "method": "PATCH"})
    run = harness.run([group_task(display_name="Eng", members={"add": [user["id"]]})])
    assert not run.failed, run
    assert list(harness.emulator.groups()["Eng"]["members"]) == [user["id"]]


# -- timeouts and answers that are not SCIM -------------------------------------------------------------

def test_slow_server_fails_naming_the_timeout(harness):
    inject(harness, {"action": "latency", "latency": 12, "method": "GET"})
    run = harness.run([carly(timeout=1)])
    # The answer takes 12 s; the 1 s timeout ends the whole play, start-up included, long before (a wide
    # margin for a loaded machine).  The emulator logs the request only once it has answered.
    assert run.failed and run.seconds < 12, "the play took %.1f s" % run.seconds
    assert "within the timeout of 1 seconds" in run.result()["msg"]
    deadline = time.monotonic() + 20
    while not harness.emulator.log() and time.monotonic() < deadline:
        time.sleep(0.2)  # let the slow answer finish, so it does not land in the next test's log


@pytest.mark.parametrize("fault, expected", [
    ({"status": 401, "error": "invalid_authentication"}, "token"),
    ({"status": 403, "error": "non_org_teams_only"}, "Enterprise organization"),
    ({"status": 403, "error": "permission_denied"}, "Owner or Admin"),
    ({"status": 403, "error": "plus_teams_only"}, "Business+"),
])
def test_auth_and_permission_errors_explain_the_fix(harness, fault, expected):
    inject(harness, dict(fault, count=3))
    run = harness.run([carly()], verbosity=4)
    assert run.failed and run.writes == []
    assert fault["error"] in run.result()["msg"] and expected in run.result()["msg"]


@pytest.mark.parametrize("fault, expected", [
    ({"action": "raw", "status": 502, "body": "<html><h1>502 Bad Gateway</h1></html>"}, "HTTP 502 Bad Gateway"),
    ({"action": "raw", "status": 200, "body": "<html>Sign in</html>"}, "not JSON (Content-Type: text/html)"),
    ({"action": "raw", "status": 200, "body": '{"Resources": [{"id": "U1"', "content_type": "application/json"},
     "not JSON"),
    ({"action": "raw", "status": 200, "body": '{"totalResults": 1, "Resources": "carly"}',
      "content_type": "text/plain"}, "is not a SCIM list response"),
])
def test_malformed_answers_fail_with_a_message(harness, fault, expected):
    inject(harness, dict(fault, count=5, method="GET"))
    run = harness.run([carly(retries={"server_errors": 0})])
    assert run.failed and run.writes == []
    message = run.result()["msg"]
    assert expected in message and "Traceback" not in message, message


def test_resource_without_id_fails_with_a_message(harness):
    inject(harness, {"action": "raw", "status": 200, "body": "{}", "content_type": "application/json",
                     "method": "GET", "count": 1})
    run = harness.run([user_task(id="W0000000001", title="x")])
    assert run.failed and "has no resource with an id" in run.result()["msg"]


# -- concurrency -------------------------------------------------------------------------------------

def test_two_playbooks_changing_one_group_at_once_both_land(harness):
    dan, erin = seed_user(harness.emulator, "v2", "dan"), seed_user(harness.emulator, "v2", "erin")
    seed_group(harness.emulator, "v2", "Eng")
    harness.emulator.control("POST", "config", {"write_hold": 1.5})
    runs = {}

    def play(user):
        runs[user["id"]] = harness.run([group_task(display_name="Eng", members={"add": [user["id"]]})])

    threads = [threading.Thread(target=play, args=(user,)) for user in (dan, erin)]
    for thread in threads:
        thread.start()
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    assert all(not run.failed for run in runs.values()), runs
    assert sorted(harness.emulator.groups()["Eng"]["members"]) == sorted([dan["id"], erin["id"]])
    locked = [r for r in harness.emulator.log() if r["method"] == "PATCH" and r["status"] == 429]
    assert locked, "the two writes did not overlap; the test proves nothing"


# -- bad input: every option, nothing sent -------------------------------------------------------------

USER = "scim.slack.slack_scim_user"
GROUP = "scim.slack.slack_scim_group"
INFO = "scim.slack.slack_scim_info"
BAD_INPUT = [
    (USER, dict(user_name="carly", state="gone"), "state"),
    (USER, dict(id="u1"), "id"),
    (USER, dict(user_name="c" * 22), "user_name"),
    (USER, dict(user_name="carly", nick_name="cal"), "nick_name"),
    (USER, dict(user_name="carly", email="carly"), "email"),
    (USER, dict(user_name="carly", emails=[{"value": "x"}]), "emails"),
    (USER, dict(user_name="carly", emails=[{"value": "a@example.com", "kind": "work"}]), "kind"),
    (USER, dict(user_name="carly", display_name="@carly"), "display_name"),
    (USER, dict(user_name="carly", profile_url="slack.example.com/carly"), "profile_url"),
    (USER, dict(user_name="carly", phone_numbers=[{"type": "work"}]), "value"),
    (USER, dict(user_name="carly", addresses=[{"street": "x"}]), "street"),
    (USER, dict(user_name="carly", photos=[{"value": "a"}, {"value": "b"}]), "photos"),
    (USER, dict(user_name="carly", photos=[{"value": "avatar.png"}]), "photos"),
    (USER, dict(user_name="carly", roles=[{"value": "a", "rank": 1}]), "rank"),
    (USER, dict(user_name="carly", enterprise={"dept": "x"}), "dept"),
    (USER, dict(user_name="carly", start_date="next monday"), "start_date"),
    (USER, dict(user_name="carly", active="sometimes"), "active"),
    (USER, dict(user_name="carly", extra_attributes=["x"]), "extra_attributes"),
    (USER, dict(user_name="carly", replace="sometimes"), "replace"),
    (USER, dict(user_name="carly", api_version="v3"), "api_version"),
    (USER, dict(user_name="carly", timeout=-1), "timeout"),
    (USER, dict(user_name="carly", validate_certs="sometimes"), "validate_certs"),
    (USER, dict(user_name="carly", retries={"rate_limit": 1}), "rate_limit"),
    (USER, dict(user_name="carly", retries={"rate_limited": -1}), "retries.rate_limited"),
    (USER, dict(user_name="carly", api_url="ftp://example.com/"), "api_url"),
    (USER, dict(user_name="carly", token=""), "token"),
    (GROUP, dict(display_name="Eng", state="gone"), "state"),
    (GROUP, dict(id="G1"), "id"),
    (GROUP, dict(display_name=""), "display_name"),
    (GROUP, dict(display_name="Eng", members={"set": ["a"], "add": ["b"]}), "members.set"),
    (GROUP, dict(display_name="Eng", members={"sett": ["a"]}), "sett"),
    (GROUP, dict(display_name="Eng", members={"add": ["carly"], "remove": ["Carly"]}), "members.add"),
    (GROUP, dict(display_name="Eng", lookup_failure_action="shrug"), "lookup_failure_action"),
    (INFO, dict(resource="people"), "resource"),
    (INFO, dict(id="x1"), "id"),
    (INFO, dict(resource="groups", user_name="carly"), "user_name"),
    (INFO, dict(resource="groups", email="a@example.com"), "email"),
    (INFO, dict(display_name="Eng"), "display_name"),
    (INFO, dict(filter=""), "filter"),
    (INFO, dict(resource="groups", active=False), "active"),
    (INFO, dict(count=0), "count"),
    (INFO, dict(limit=-5), "limit"),
]


def test_bad_input_matrix_fails_before_any_write_naming_the_option(harness):
    seed_user(harness.emulator, "v2", "carly", "carly@example.com")
    before = harness.emulator.state()
    tasks = [dict({"name": "case %d" % index, module: options}, ignore_errors=True)
             for index, (module, options, dummy) in enumerate(BAD_INPUT)]
    run = harness.run(tasks, verbosity=4)
    assert run.writes == [] and harness.emulator.state() == before
    for index, (module, options, named) in enumerate(BAD_INPUT):
        result = run.result("case %d" % index)
        assert result.get("failed"), (module, options, result)
        assert named in result["msg"], (module, options, result["msg"])
    assert run.requests == [], run.requests


# -- secrets -----------------------------------------------------------------------------------------

def test_token_given_as_a_variable_never_shows_with_vvvv_diff_and_failures(harness):
    tasks = [
        {"name": "create", USER: {"user_name": "carly", "email": "carly@example.com", "token": "{{ my_token }}"}},
        {"name": "fail", USER: {"id": "W0NOTHERE1", "title": "x", "token": "{{ my_token }}"}, "ignore_errors": True},
        {"name": "lookup", "ansible.builtin.debug": {
            "msg": "{{ query('scim.slack.slack_scim_info', 'users', user_name='carly', token=my_token) }}"}},
    ]
    tasks = [dict(task, vars={"my_token": TOKEN}) for task in tasks]
    env = {"SLACK_SCIM_TOKEN": "", "SLACK_SCIM_API_URL": harness.emulator.base_url("v2")}
    run = harness.run(tasks, diff=True, verbosity=4, env=env)
    assert run.result("create")["changed"], run.result("create")
    assert run.result("fail")["failed"], run.result("fail")
    assert run.result("lookup")["msg"][0]["userName"] == "carly"
    # The harness has asserted that TOKEN is in none of the output, the results or the request log.
