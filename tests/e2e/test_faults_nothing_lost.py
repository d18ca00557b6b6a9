# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Nothing lost (issue 14): short listings, redirects, echoed tokens, slow and huge answers, malformed
items, lost group answers and the control API, as real ansible-playbook runs against a misbehaving
emulator.

Every scenario asserts the writes it expects (none, where the fault must stop the task) against the
emulator's request log and state.  Every run (as every run of the harness) is also checked for the
token in its output, its results and the request log: a printed token fails the test in harness.run.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time

from harness import TOKEN, EmulatorProcess, Harness
from test_group import group_task, members_of, seed_group
from test_sync import sync_task
from test_user import seed_user, user_task

USER = "scim.slack.slack_scim_user"
GROUP = "scim.slack.slack_scim_group"
INFO = "scim.slack.slack_scim_info"
SYNC = "scim.slack.slack_scim_sync"
DIRECTORY = 2500  # users: three pages of 1,000, so page 2 (startIndex 1001) is a cut in the middle
PAGE_2 = {"startIndex": "1001"}
CLEAR_TEXT = "clear text"


def inject(harness, *faults):
    harness.emulator.control("POST", "faults", list(faults))


def faults_left(harness):
    return harness.emulator.control("GET", "faults")["faults"]


def shown(run):
    """Everything ansible-playbook printed, with line wrapping undone."""
    return " ".join(run.output.split())


def seed_directory(harness, users=DIRECTORY):
    harness.emulator.control("POST", "seed", {"users": users})
    return {name: user["id"] for name, user in harness.emulator.users().items()}


def lookup_task(name, expression, **extra):
    return dict({"name": name, "ansible.builtin.debug": {"msg": "{{ %s }}" % expression}}, **extra)


def lookup_env(harness, api_version="v2"):
    """The lookup reads no module_defaults: point it at the emulator through the environment."""
    return {"SLACK_SCIM_API_URL": harness.emulator.base_url(api_version), "SLACK_SCIM_API_VERSION": api_version}


def failed_with(run, task, *words):
    """The failure message of ``task``, asserting the task failed and the message holds every word."""
    result = run.result(task)
    assert result.get("failed"), (task, result)
    message = result["msg"]
    for word in words:
        assert word in message, (task, word, message)
    assert "Traceback" not in message, message
    return message


def listing_gets(run, path, start_index):
    return [r for r in run.reads if r["path"] == path and "startIndex=%s&" % start_index in r["query"] + "&"]


# -- 14.1 short listings ------------------------------------------------------------------------------

def platform_group(harness, api_version="v2"):
    """A group of 30 real members, every one past the first page of 1,000 users."""
    ids = seed_directory(harness)
    names = ["user%05d" % i for i in list(range(1100, 1115)) + list(range(2100, 2115))]
    group = seed_group(harness.emulator, api_version, "Platform", [ids[name] for name in names])
    assert len(group["members"]) == 30
    return ids, names


def test_one_empty_page_is_listed_again_and_the_group_converges(harness):
    ids, names = platform_group(harness)
    inject(harness, {"action": "empty_page", "method": "GET", "path": "/scim/v2/Users", "query": PAGE_2})
    newcomer = "user02400"
    before = sorted(harness.emulator.groups()["Platform"]["members"])
    run = harness.run([group_task(display_name="Platform", members={"set": names + [newcomer]},
                                  lookup_failure_action="ignore")])
    assert not run.failed, run
    assert faults_left(harness) == [], "the empty page was never asked for; the test proves nothing"
    # The listing met the empty page, was listed again, and then saw all 2,500 users.
    assert [r.get("fault") for r in listing_gets(run, "/scim/v2/Users", 1001)] == ["empty_page", None], run.reads
    result = run.result()
    assert result["changed"] and result["members_removed"] == [], result
    assert result["members_added"] == [ids[newcomer]], result
    assert [r["method"] for r in run.writes] == ["PATCH"], run.writes
    assert sorted(harness.emulator.groups()["Platform"]["members"]) == sorted(before + [ids[newcomer]])


def test_persistent_empty_page_fails_the_group_naming_the_incomplete_listing(harness):
    api_version = "v2"
    dummy, names = platform_group(harness, api_version)
    inject(harness, {"action": "empty_page", "count": 10, "method": "GET", "path": "/scim/%s/Users" % api_version,
                     "query": PAGE_2})
    before = harness.emulator.state()
    tasks = [dict(group_task(display_name="Platform", members={"set": names}, lookup_failure_action=action),
                  name="lookup_failure_action %s" % action, ignore_errors=True) for action in ("ignore", "fail")]
    run = harness.run(tasks, api_version=api_version)
    assert run.writes == [] and harness.emulator.state() == before, run.writes
    for task in tasks:
        message = failed_with(run, task["name"], "incomplete", "1000 of 2500", "totalResults 2500")
        assert "no such user" not in message, message
        assert not run.result(task["name"]).get("changed")
    # Each task listed page 2 twice (the listing and its one retry), and got the empty page both times.
    assert [r.get("fault") for r in listing_gets(run, "/scim/%s/Users" % api_version, 1001)] == ["empty_page"] * 4


def test_info_under_an_ignored_start_index_fails_instead_of_a_short_list(harness):
    seed_directory(harness)
    inject(harness, {"action": "ignore_start_index", "count": 10, "method": "GET", "path": "/scim/v2/Users",
                     "query": PAGE_2})
    tasks = [{"name": "module", INFO: {"resource": "users"}, "ignore_errors": True},
             lookup_task("lookup", "query('scim.slack.slack_scim_info', 'users') | length", ignore_errors=True)]
    run = harness.run(tasks, env=lookup_env(harness))
    assert run.writes == []
    for task in ("module", "lookup"):
        failed_with(run, task, "incomplete", "1000 of 2500")
    assert "users" not in run.result("module"), "a short list was returned beside the failure"
    assert [r.get("fault") for r in listing_gets(run, "/scim/v2/Users", 1001)] == ["ignore_start_index"] * 4


def absent_past_the_cut(harness, count):
    ids = seed_directory(harness)
    inject(harness, {"action": "empty_page", "count": count, "method": "GET", "path": "/scim/v2/Users",
                     "query": PAGE_2})
    task = {"name": "sync", SYNC: {"users": [{"user_name": "user02222", "state": "absent"}], "write_rate": 0}}
    return ids["user02222"], harness.run([task])


def test_sync_with_an_absent_user_past_a_persistent_empty_page_fails_without_writes(harness):
    dummy, run = absent_past_the_cut(harness, count=10)
    assert run.writes == [], run.writes
    failed_with(run, "sync", "incomplete", "1000 of 2500")
    assert not run.result().get("changed")
    assert harness.emulator.users()["user02222"]["active"] is True


def test_sync_with_an_absent_user_past_one_empty_page_lists_again_and_deactivates(harness):
    user_id, run = absent_past_the_cut(harness, count=1)
    assert not run.failed, run
    assert faults_left(harness) == []
    assert run.result()["changed"], run.result()
    assert [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in run.writes] in (
        [("DELETE", user_id)], [("PATCH", user_id)]), run.writes
    assert harness.emulator.users()["user02222"]["active"] is False


# -- 14.5 redirects -----------------------------------------------------------------------------------

def test_redirected_writes_fail_naming_the_location_and_write_nothing(harness):
    cases = [("carly", "PATCH", 302), ("dan", "PATCH", 303), ("erin", "DELETE", 302), ("finn", "DELETE", 303)]
    users = {name: seed_user(harness.emulator, "v2", name, title="Engineer") for name, dummy, dummy in cases}
    host = harness.emulator.url.split("//", 1)[1]
    # Each redirect points back at the user itself: a client that follows it as a GET gets a 200.
    inject(harness, *[{"action": "redirect", "status": status, "method": method,
                       "path": "/scim/v2/Users/" + users[name]["id"],
                       "location": "%s/scim/v2/Users/%s" % (harness.emulator.url, users[name]["id"])}
                      for name, method, status in cases])
    before = harness.emulator.state()
    tasks = [dict(user_task(user_name=name, **({"title": "CEO"} if method == "PATCH" else {"state": "absent"})),
                  name=name, ignore_errors=True) for name, method, dummy in cases]
    run = harness.run(tasks)
    assert faults_left(harness) == [], "a write was never sent; the test proves nothing"
    assert [(r["method"], r["status"]) for r in run.writes] == [(m, s) for dummy, m, s in cases], run.writes
    for name, method, status in cases:
        message = failed_with(run, name, "HTTP %d" % status, host, "redirect")
        assert not run.result(name).get("changed"), run.result(name)
        # Nothing followed the redirect: the user's own path was asked for by the write alone.
        assert [r["method"] for r in run.requests if r["path"] == "/scim/v2/Users/" + users[name]["id"]] == \
            [method], run.requests
    assert harness.emulator.state() == before, "a redirected write changed something"
    assert all(user["active"] and user["title"] == "Engineer" for user in harness.emulator.users().values())
    assert CLEAR_TEXT not in shown(run), "a loopback api_url was warned about as clear text"


def test_redirect_of_a_read_to_another_host_says_the_token_was_not_sent_there(harness):
    seed_user(harness.emulator, "v2", "carly", title="Engineer")
    port = harness.emulator.url.rsplit(":", 1)[1]
    elsewhere = "http://127.0.0.2:%s/scim/v2/Users" % port
    inject(harness, {"action": "redirect", "status": 302, "count": 10, "method": "GET", "path": "/scim/v2/Users",
                     "location": elsewhere})
    tasks = [dict(user_task(user_name="carly", title="CEO"), name="module", ignore_errors=True),
             lookup_task("lookup", "query('scim.slack.slack_scim_info', 'users', user_name='carly')",
                         ignore_errors=True)]
    run = harness.run(tasks, env=lookup_env(harness))
    assert run.writes == [] and harness.emulator.users()["carly"]["title"] == "Engineer"
    for task in tasks:
        message = failed_with(run, task["name"], "HTTP 302", "127.0.0.2:%s" % port, "redirect", "token")
        assert "set the token option" not in message and "No token reached" not in message, message
    assert CLEAR_TEXT not in shown(run)


# -- 14.6 a gateway that echoes the Authorization header ---------------------------------------------------

def test_echoed_token_is_redacted_by_the_lookup_and_the_modules(harness):
    seed_user(harness.emulator, "v2", "carly")
    # The fault is hostile: it really quotes the token back.
    inject(harness, {"action": "echo_auth", "method": "GET"})
    assert TOKEN in harness.emulator.scim("GET", "Users").text
    inject(harness, {"action": "echo_auth", "count": 10, "method": "GET", "path": "/scim/v2/Users"})
    tasks = [dict(user_task(user_name="carly", title="CEO"), name="module", ignore_errors=True),
             lookup_task("lookup", "query('scim.slack.slack_scim_info', 'users', user_name='carly')",
                         ignore_errors=True)]
    # harness.run fails the test if the token appears in the output, the results or the request log.
    run = harness.run(tasks, env=lookup_env(harness), verbosity=4)
    assert run.writes == [] and [r["status"] for r in run.requests] == [400] * len(run.requests), run.requests
    for task in ("module", "lookup"):
        failed_with(run, task, "HTTP 400", "authorization=Bearer <redacted>")


# -- 14.8 timeouts, sizes and unusable numbers -----------------------------------------------------------

def test_dripping_answer_fails_at_the_total_timeout(harness, record_property):
    inject(harness, {"action": "drip", "bytes_per_second": 1, "count": 5, "method": "GET"})
    run = harness.run([user_task(user_name="carly", email="carly@example.com", timeout=3)])
    finished = time.time()
    assert run.failed and run.writes == [], run
    failed_with(run, None, "timeout of 3 seconds")
    # The answer (a listing of about 200 bytes, at 1 byte a second) would take minutes to arrive.
    [request] = run.requests
    assert request.get("fault") == "drip"
    waited = finished - request["time"]
    record_property("seconds after the request", round(waited, 2))
    record_property("playbook seconds", round(run.seconds, 2))
    # The answer would take minutes; a wide margin over the 3 s timeout, for a loaded machine.
    assert waited < 60, "timeout: 3 kept the task waiting %.1f s after the request was sent" % waited


def test_huge_answer_fails_at_the_size_cap_in_bounded_memory(harness, record_property):
    inject(harness, {"action": "huge", "size_mb": 80, "method": "GET"},
           {"action": "huge", "size_mb": 80, "chunked": True, "method": "GET"})
    tasks = [dict(user_task(user_name="carly", title="CEO"), name=name, ignore_errors=True)
             for name in ("with Content-Length", "chunked")]
    run = harness.run(tasks, measure_memory=True)
    record_property("peak_rss_kb", run.peak_rss_kb)
    assert faults_left(harness) == []
    assert run.writes == [] and harness.emulator.users() == {}
    for task in tasks:
        failed_with(run, task["name"], "64 MiB")
    assert run.peak_rss_kb is not None and run.peak_rss_kb < 300 * 1024, "peak RSS %s KiB" % run.peak_rss_kb


def test_unusable_numbers_fail_naming_the_option_before_any_request(harness):
    seed_user(harness.emulator, "v2", "carly")
    cases = [("timeout nan", {"timeout": "nan"}, "timeout"), ("timeout inf", {"timeout": "inf"}, "timeout"),
             ("timeout 1e300", {"timeout": "1e300"}, "timeout"),
             ("max_wait nan", {"retries": {"max_wait": "nan"}}, "retries.max_wait")]
    tasks = [dict(user_task(user_name="carly", title="CEO", **options), name=name, ignore_errors=True)
             for name, options, dummy in cases]
    tasks.append(lookup_task("lookup timeout nan", "query('scim.slack.slack_scim_info', 'users', timeout='nan')",
                             ignore_errors=True))
    tasks.append(lookup_task("lookup max_wait nan",
                             "query('scim.slack.slack_scim_info', 'users', retries={'max_wait': 'nan'})",
                             ignore_errors=True))
    cases += [("lookup timeout nan", None, "timeout"), ("lookup max_wait nan", None, "retries.max_wait")]
    run = harness.run(tasks, env=lookup_env(harness))
    assert run.requests == [], run.requests
    for name, dummy, option in cases:
        message = failed_with(run, name, option)
        assert "ValueError" not in message and "OverflowError" not in message, message
        assert "must be" in message, message


# -- 14.7 validate_certs against the CA-bundle environment variables ------------------------------------

def test_validate_certs_false_wins_over_ca_bundle_variables(harness):
    """Without a TLS server: https:// to the emulator's plain-http port.  A client that lets
    REQUESTS_CA_BUNDLE override ``validate_certs: false`` fails loading the missing bundle before it
    connects; one that honours it reaches the server and fails at the handshake (plain http there)."""
    port = harness.emulator.url.rsplit(":", 1)[1]
    https = "https://127.0.0.1:%s/scim/v2/" % port
    missing = "/nonexistent/scim-slack-ca.pem"
    variables = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    tasks = [dict(user_task(user_name="carly", api_url=https, validate_certs=False, retries={"connection_errors": 0}),
                  name=variable, environment={variable: missing}, ignore_errors=True) for variable in variables]
    run = harness.run(tasks)
    assert run.requests == [] and harness.emulator.users() == {}
    for variable in variables:
        message = failed_with(run, variable, "TLS handshake failed", "plain http")
        assert missing not in message and "CA bundle" not in message, message


# -- 14.9 malformed items -----------------------------------------------------------------------------

def test_listed_user_without_id_fails_sync_group_and_info_naming_it(harness):
    ids = seed_directory(harness, 20)
    seed_group(harness.emulator, "v2", "Platform", [ids["user00000"], ids["user00001"]])
    # Every full listing (count=1000) of users answers its fourth item without an id.
    inject(harness, {"action": "strip_ids", "index": 3, "count": 20, "method": "GET", "path": "/scim/v2/Users",
                     "query": {"count": "1000"}})
    before = harness.emulator.state()
    tasks = [
        {"name": "sync", SYNC: {"users": [{"user_name": "user00005", "title": "CTO"}], "write_rate": 0},
         "ignore_errors": True},
        dict(group_task(display_name="Platform", members={"set": ["user00002", "user00003", "user00004"]},
                        lookup_failure_action="ignore"), name="group", ignore_errors=True),
        {"name": "info", INFO: {"resource": "users"}, "ignore_errors": True},
        lookup_task("lookup", "query('scim.slack.slack_scim_info', 'users')", ignore_errors=True),
    ]
    run = harness.run(tasks, env=lookup_env(harness))
    assert run.writes == [] and harness.emulator.state() == before, run.writes
    for task in tasks:
        failed_with(run, task["name"], "without an id", "item 4", "user00003")
    assert "users" not in run.result("info"), "the info module returned a list without the malformed item"


# -- 14.10 lost answers on groups --------------------------------------------------------------------------

def test_group_post_and_delete_whose_answers_were_lost_converge(harness, api_version):
    dan = seed_user(harness.emulator, api_version, "dan")
    old = seed_group(harness.emulator, api_version, "Old")
    inject(harness, {"action": "drop_after", "method": "POST", "path": "/scim/%s/Groups" % api_version},
           {"action": "drop_after", "method": "DELETE", "path": "/scim/%s/Groups" % api_version})
    tasks = [dict(group_task(display_name="Eng", members={"set": ["dan"]}), name="create"),
             dict(group_task(display_name="Old", state="absent"), name="delete")]
    run = harness.run(tasks, api_version=api_version)
    assert not run.failed, run
    assert faults_left(harness) == [], "an answer was never dropped; the test proves nothing"
    assert run.result("create")["changed"] and run.result("delete")["changed"]
    # The POST was applied once (looked for again, not sent again); the DELETE's retry found the group gone.
    assert [r["method"] for r in run.writes if r["method"] == "POST"] == ["POST"], run.writes
    deleted = "/scim/%s/Groups/%s" % (api_version, old["id"])
    assert {r["path"] for r in run.writes if r["method"] == "DELETE"} == {deleted}
    groups = harness.emulator.state()["groups"]
    assert [g["displayName"] for g in groups] == ["Eng"], groups
    assert list(groups[0]["members"]) == [dan["id"]]
    rerun = harness.run(tasks, api_version=api_version)
    assert not rerun.failed and not rerun.changed and rerun.writes == [], rerun


# -- 13.11 the rate-limit message ----------------------------------------------------------------------------

def test_rate_limit_failure_says_it_once(harness):
    # Slack's SCIM error string, then the one gateways send: each gives one sentence and the hint.
    inject(harness, {"status": 429, "error": "too_many_requests", "retry_after": 1, "count": 2, "method": "GET"},
           {"status": 429, "error": "rate_limited", "retry_after": 1, "count": 2, "method": "GET"})
    tasks = [dict(user_task(user_name="carly", retries={"rate_limited": 1, "max_wait": 30}), name=error,
                  ignore_errors=True) for error in ("too_many_requests", "rate_limited")]
    run = harness.run(tasks)
    assert run.writes == [] and len(run.requests) == 4, run.requests
    assert faults_left(harness) == []
    for task in tasks:
        message = failed_with(run, task["name"], task["name"], "rate-limited", "retries.rate_limited")
        lowered = message.lower()
        assert lowered.count("rate-limited") == 1 and lowered.count("budget") == 1, message


# -- 14.12 the control API answers loopback peers only ----------------------------------------------------------

@contextlib.contextmanager
def isolated_host():
    """A network namespace of this test's own, linked to this machine by a veth pair: a peer that is not
    loopback, whose traffic never leaves the machine.  Yields (namespace, this side's address)."""
    # Another test run (the other ansible-core line runs alongside) may hold a namespace: take the first
    # free one; `ip netns add` fails on a name in use, so two runs never share one.
    for offset in range(250):
        tag = (os.getpid() + offset) % 250 + 1
        namespace, outer, inner = "scimslack%d" % tag, "scimo%d" % tag, "scimi%d" % tag
        if subprocess.run(["ip", "netns", "add", namespace], stderr=subprocess.DEVNULL, check=False).returncode == 0:
            break
    else:
        raise AssertionError("no free network namespace name for the test host")
    near, far = "10.213.%d.1" % tag, "10.213.%d.2" % tag
    subprocess.run(["ip", "link", "del", outer], stderr=subprocess.DEVNULL, check=False)
    for command in (["ip", "link", "add", outer, "type", "veth", "peer", "name", inner],
                    ["ip", "link", "set", inner, "netns", namespace],
                    ["ip", "addr", "add", near + "/30", "dev", outer],
                    ["ip", "link", "set", outer, "up"],
                    ["ip", "netns", "exec", namespace, "ip", "addr", "add", far + "/30", "dev", inner],
                    ["ip", "netns", "exec", namespace, "ip", "link", "set", inner, "up"]):
        subprocess.run(command, check=True)
    try:
        yield namespace, near
    finally:
        subprocess.run(["ip", "netns", "del", namespace], check=False)
        subprocess.run(["ip", "link", "del", outer], stderr=subprocess.DEVNULL, check=False)


PEER_SCRIPT = """
import json, sys, requests
base, token = sys.argv[1], sys.argv[2]
answers = {}
for method, route in (("GET", "state"), ("GET", "log"), ("POST", "reset"), ("POST", "faults"), ("POST", "shutdown")):
    answer = requests.request(method, "%s/_control/%s" % (base, route), json={}, timeout=10)
    answers["%s %s" % (method, route)] = [answer.status_code, answer.json().get("error")]
scim = requests.get(base + "/scim/v2/Users", headers={"Authorization": "Bearer " + token}, timeout=10)
answers["scim"] = [scim.status_code, scim.json().get("totalResults")]
print(json.dumps(answers))
"""


def test_control_api_refuses_a_peer_that_is_not_loopback(harness, tmp_path):
    with isolated_host() as (namespace, address), \
            EmulatorProcess(str(tmp_path), extra_args=["--host", "0.0.0.0"]) as emulator:
        port = int(emulator.url.rsplit(":", 1)[1])
        emulator.url = "http://127.0.0.1:%d" % port  # the harness controls it through loopback
        seed_user(emulator, "v2", "carly")
        before = emulator.state()
        peer = subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", PEER_SCRIPT,
                               "http://%s:%d" % (address, port), TOKEN],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False, timeout=60)
        assert peer.returncode == 0, peer.stderr.decode()
        answers = json.loads(peer.stdout.decode())
        for call in ("GET state", "GET log", "POST reset", "POST faults", "POST shutdown"):
            status, error = answers[call]
            assert status == 403 and "loopback" in error, (call, answers)
        assert answers["scim"] == [200, 1], answers
        assert emulator.state() == before, "a refused control call changed the state"
        assert emulator.control("GET", "faults") == {"faults": []}

        # Through loopback, a playbook shows no clear-text warning (the warning itself is unit-tested).
        local = Harness(emulator, harness.collections_dir, str(tmp_path))
        quiet = local.run([dict(user_task(user_name="dan", email="dan@example.com"), name="loopback")])
        assert not quiet.failed, quiet.result()
        assert CLEAR_TEXT not in shown(quiet) and not quiet.result().get("warnings"), quiet
        assert sorted(emulator.users()) == ["carly", "dan"]


# -- issue 23.2: a user hidden from the listing, and the group PATCH ------------------------------------------

def test_a_user_hidden_from_the_listing_is_found_and_stays_a_member(harness, api_version):
    """Carly, a member of Eng, is missing from every listing but found by filter.  The sync's POST meets a conflict,
    finds her, and the group PATCH adds Finn only: it never removes a member the task declares, and reports Carly
    as found, not created."""
    carly = seed_user(harness.emulator, api_version, "carly", "carly@example.com")
    seed_group(harness.emulator, api_version, "Eng", [carly["id"]])
    inject(harness, {"action": "hide_user", "user_name": "carly", "count": 100, "method": "GET"})
    users = [{"user_name": "carly", "email": "carly@example.com"}, {"user_name": "finn", "email": "finn@example.com"}]
    task = dict(sync_task(users=users, groups=[{"display_name": "Eng", "members": {"set": ["carly", "finn"]}}]))
    run = harness.run([task], api_version=api_version)
    assert not run.failed, run
    finn = harness.emulator.users()["finn"]["id"]
    assert sorted(harness.emulator.users()) == ["carly", "finn"]  # no second account for Carly
    assert members_of(harness.emulator, "Eng") == sorted([carly["id"], finn])
    summary = run.result()["summary"]
    assert (summary["users"]["created"], summary["users"]["unchanged"]) == (1, 1), summary
    assert (summary["groups"]["members_added"], summary["groups"]["members_removed"]) == (1, 0), summary
    assert "found, not created" in shown(run), run.output
    patches = [r for r in run.writes if r["method"] == "PATCH"]
    assert [r["path"].split("/")[-2] for r in patches] == ["Groups"], run.writes
    # Every rerun meets the same hidden user: its POST is refused again, and nothing else is sent or changed.
    rerun = harness.run([task], api_version=api_version)
    assert not rerun.failed and not rerun.changed, rerun
    assert [(r["method"], r["status"]) for r in rerun.writes] == [("POST", 409)], rerun.writes
    assert members_of(harness.emulator, "Eng") == sorted([carly["id"], finn])


# -- issue 23.3: a totalResults that disagrees with the listing ------------------------------------------------

def test_a_listing_that_disagrees_with_its_total_fails_before_any_write(harness, api_version):
    """30 users whose listing says 20: the sync, the group module and the info module fail naming the listing,
    instead of trusting the total (a short total once let a sync POST users that exist)."""
    ids = seed_directory(harness, 30)
    seed_group(harness.emulator, api_version, "Platform", [ids["user00025"]])
    inject(harness, {"action": "total_results", "total": 20, "count": 100, "method": "GET",
                     "path": "/scim/%s/Users" % api_version})
    before = harness.emulator.state()
    tasks = [
        {"name": "sync", SYNC: {"users": [{"user_name": "user00025", "title": "CTO"}], "purge_users": True,
                                "max_deactivations": 100, "write_rate": 0}, "ignore_errors": True},
        dict(group_task(display_name="Platform", members={"set": ["user00025", "user00026"]},
                        lookup_failure_action="ignore"), name="group", ignore_errors=True),
        {"name": "info", INFO: {"resource": "users"}, "ignore_errors": True},
    ]
    run = harness.run(tasks, api_version=api_version)
    assert run.writes == [] and harness.emulator.state() == before, run.writes
    for task in ("sync", "info"):
        failed_with(run, task, "incomplete", "30 users received, more than its totalResults 20")
    failed_with(run, "group", "incomplete", "1 of 20 users received")  # its lookup by filter met the same lie
    assert "users" not in run.result("info")


# -- issue 23.5: a string where a list belongs, and full-width digits -----------------------------------------

def test_a_listed_user_with_a_string_for_emails_fails_naming_the_malformed_user(harness, api_version):
    ids = seed_directory(harness, 5)
    seed_group(harness.emulator, api_version, "Platform", [ids["user00000"]])
    inject(harness, {"action": "list_as_string", "attribute": "emails", "count": 100, "method": "GET",
                     "path": "/scim/%s/Users" % api_version})
    before = harness.emulator.state()
    tasks = [
        {"name": "sync", SYNC: {"users": [{"email": "user00003@example.com", "title": "CTO"}], "write_rate": 0},
         "ignore_errors": True},
        dict(user_task(email="user00002@example.com", title="CTO"), name="user", ignore_errors=True),
        dict(group_task(display_name="Platform", members={"set": ["user00001@example.com"]}), name="group",
             ignore_errors=True),
        {"name": "info", INFO: {"resource": "users", "email": "user00004@example.com"}, "ignore_errors": True},
    ]
    run = harness.run(tasks, api_version=api_version)
    assert run.writes == [] and harness.emulator.state() == before, run.writes
    for task in tasks:
        message = failed_with(run, task["name"], "malformed user", "emails")
        assert "AttributeError" not in message and "object has no attribute" not in message, message


def test_full_width_digits_fail_naming_the_option_before_any_request(harness, api_version):
    seed_user(harness.emulator, api_version, "carly")
    full_width = "\uff12\uff10\uff12\uff17-03-31"  # 2027-03-31 in full-width digits
    tasks = [dict(user_task(user_name="carly", guest=True, guest_expiration=full_width + "T18:00:00Z"),
                  name="guest_expiration", ignore_errors=True),
             dict(user_task(user_name="carly", start_date=full_width), name="start_date", ignore_errors=True)]
    run = harness.run(tasks, api_version=api_version)
    assert run.writes == [], run.writes
    for task in tasks:
        failed_with(run, task["name"], task["name"], "is not an ISO 8601 date")


# -- issue 23.7: a strict RFC 7644 server in front of Slack ---------------------------------------------------

def test_removals_through_a_strict_scim_server_fall_back_to_filter_paths(harness, api_version):
    """A server that refuses Slack's removal form (remove on members with a value) with 400: the group module and
    the sync send the PATCH again with members[value eq "..."] paths, once per client, and say so at -vvvv.  v1 has
    its own removal form, which such a server does not see: one PATCH each."""
    ids = {name: seed_user(harness.emulator, api_version, name)["id"] for name in ("ann", "bob", "cat")}
    seed_group(harness.emulator, api_version, "Eng", [ids["ann"], ids["bob"]])
    seed_group(harness.emulator, api_version, "Ops", [ids["ann"], ids["cat"]])
    inject(harness, {"action": "strict_remove", "count": 100, "method": "PATCH", "path": "/scim/%s/Groups" % api_version})
    tasks = [dict(group_task(display_name="Eng", members={"set": ["ann"]}), name="group"),
             sync_task(groups=[{"display_name": "Ops", "members": {"remove": ["cat"]}}])]
    run = harness.run(tasks, api_version=api_version, verbosity=4)
    assert not run.failed, run
    assert members_of(harness.emulator, "Eng") == [ids["ann"]] and members_of(harness.emulator, "Ops") == [ids["ann"]]
    statuses = [r["status"] for r in run.writes]
    if api_version == "v2":
        # Each task has its own client in module mode, one shared client in-process: one probe each, or one in all.
        assert statuses in ([400, 200, 400, 200], [400, 200, 200]), run.writes
        assert shown(run).count("refused Slack's member removal") == statuses.count(400), run.output
    else:
        assert statuses == [204, 204], run.writes
    quiet = harness.run(tasks, api_version=api_version)
    assert not quiet.changed and quiet.writes == [] and "refused Slack's" not in shown(quiet), quiet


# -- issue 23.6: a PATCH whose answer was lost after Slack applied it ------------------------------------------

def test_a_patch_whose_answer_was_lost_reports_an_unknown_outcome_and_a_rerun_settles_it(harness, api_version):
    seed_user(harness.emulator, api_version, "carly", title="Engineer")
    inject(harness, {"action": "drop_after", "method": "PATCH", "path": "/scim/%s/Users" % api_version})
    tasks = [dict(user_task(user_name="carly", title="CTO", retries={"connection_errors": 0}), name="lost",
                  ignore_errors=True)]
    run = harness.run(tasks, api_version=api_version)
    assert faults_left(harness) == [] and harness.emulator.users()["carly"]["title"] == "CTO"
    result = run.result("lost")
    message = failed_with(run, "lost", "outcome is unknown", "run the task again")
    assert result["changed"] is True and result["scim_error"]["outcome"] == "unknown", (result, message)
    rerun = harness.run(tasks, api_version=api_version)
    assert not rerun.failed and not rerun.changed and rerun.writes == [], rerun
