# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugins run a module in the controller's process exactly as the module runs: the same
plays, once as modules (remote mode) and once in-process (controller mode), from the same emulator
state, give the same results, the same output and the same requests.

Every scenario compares, after masking only what differs between any two runs (emulator timestamps,
temporary paths, the playbook's file name): every task result, everything ansible-playbook printed, and
the emulator's request log (method, path, query, status and body size of every request); from -vvv on,
where ansible-playbook shows how it runs a module, the results and requests only, and a traceback
(module paths differ) by its presence.  Each run is checked for the token by the harness.
"""

from __future__ import annotations

import json
import re

import pytest

from harness import TOKEN, diff_of
from test_group import group_task, seed_group
from test_sync import sync_task
from test_user import seed_user, user_task

IN_PROCESS = ("slack_scim_user", "slack_scim_group", "slack_scim_info", "slack_scim_sync")
TIMESTAMP_KEYS = ("created", "lastModified")


def info_task(**options):
    return {"name": "info", "scim.slack.slack_scim_info": options}


def named(name, task, **keywords):
    task = dict(task, name=name)
    task.update(keywords)
    return task


# ansible-core lists the valid booleans from a set, in an order that differs from one process to the next.
BOOLEANS = re.compile(r"(Valid booleans include: )([^\n\"]*?)(\.?)(?=\n|\"|$)")


def sorted_booleans(text):
    return BOOLEANS.sub(lambda m: m.group(1) + ", ".join(sorted(m.group(2).split(", "))) + m.group(3), text)


def masked(value):
    if isinstance(value, dict):
        return {key: "<time>" if key in TIMESTAMP_KEYS else "<traceback>" if key == "exception" and "File " in item
                else masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    if isinstance(value, str):
        return sorted_booleans(value)
    return value


def normal_output(run, workdir):
    text = run.output.replace(workdir, "<workdir>")
    text = re.sub(r"play\d{3}\.yml", "play.yml", text)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", "<time>", text)
    return sorted_booleans(text)


def requests_of(run):
    return [(r["method"], r["path"], r["query"], r["status"], r["bytes_in"]) for r in run.requests]


def both_ways(harness, seed, tasks, **options):
    """Run ``tasks`` as modules and in-process, each from a fresh emulator seeded by ``seed``; assert
    the two runs alike and return them as (remote, controller)."""
    runs = {}
    for mode in ("remote", "controller"):
        harness.emulator.reset()
        if seed:
            seed(harness.emulator)
        runs[mode] = harness.run(tasks, mode=mode, **options)
    remote, controller = runs["remote"], runs["controller"]
    assert remote.results, remote
    assert [masked(r) for r in controller.results] == [masked(r) for r in remote.results], (
        json.dumps(controller.results, indent=1), json.dumps(remote.results, indent=1))
    if options.get("verbosity", 0) < 3:  # from -vvv on, ansible-playbook shows how it runs a module
        assert normal_output(controller, harness.workdir) == normal_output(remote, harness.workdir)
    assert requests_of(controller) == requests_of(remote)
    assert controller.rc == remote.rc
    # The remote run executed the modules; the controller run none of them.
    ran = set(remote.module_runs)
    used = {name for task in tasks for name in IN_PROCESS if "scim.slack." + name in task}
    assert used and used <= ran, (used, remote.module_runs)
    assert controller.module_runs == [], controller.module_runs
    return remote, controller


def test_the_switch_runs_every_task_as_a_module(harness):
    """``SLACK_SCIM_IN_PROCESS=false`` and ``slack_scim_in_process: false`` run the task as a module, with the
    same result; and a controller-mode run in which a module ran unasked fails its test (the harness's guard
    that the whole suite really runs in-process)."""
    carly_and_dan(harness.emulator)
    task = named("query", info_task(user_name="carly"))
    switched_off = {"SLACK_SCIM_IN_PROCESS": "false"}
    with pytest.raises(AssertionError, match="slack_scim_info ran as modules"):
        harness.run([task], mode="controller", env=switched_off)
    by_environment = harness.run([task], mode="controller", env=switched_off, modules_expected=True)
    by_variable = harness.run([dict(task, vars={"slack_scim_in_process": False})], mode="controller",
                              modules_expected=True)
    in_process = harness.run([task], mode="controller")
    for run in (by_environment, by_variable):
        assert not run.failed and run.module_runs == ["slack_scim_info"], run
        assert masked(run.results) == masked(in_process.results)
    assert in_process.module_runs == [], in_process.module_runs


def carly_and_dan(emulator):
    seed_user(emulator, "v2", "carly", "carly@example.com", title="CEO")
    seed_user(emulator, "v2", "dan", "dan@example.com")
    seed_user(emulator, "v2", "gone", "gone@example.com", active=False)


@pytest.mark.parametrize("check", [True, False], ids=["check", "real"])
def test_converging_users_groups_and_queries(harness, check):
    def seed(emulator):
        carly_and_dan(emulator)
        seed_group(emulator, "v2", "Engineering", [emulator.users()["carly"]["id"]])

    tasks = [
        named("create", user_task(user_name="erin", email="erin@example.com", given_name="Erin", title="SRE",
                                  enterprise={"department": "Platform", "manager_id": "carly@example.com"})),
        named("update", user_task(user_name="carly", email="carly@example.com", title="Chair")),
        named("unchanged", user_task(user_name="dan", email="dan@example.com")),
        named("deactivated, warned", user_task(user_name="gone", email="gone@example.com", title="Former")),
        named("deactivate", user_task(user_name="dan", state="absent")),
        named("group", group_task(display_name="Engineering", members={"add": ["dan@example.com", "erin", "nobody"]},
                                  lookup_failure_action="warn")),
        named("new group", group_task(display_name="Platform", members={"set": ["carly"]})),
        named("by name", info_task(user_name="carly")),
        named("listing", info_task(active=False)),
        named("groups", info_task(resource="groups", display_name="Engineering", expand_members=True)),
        named("provider", info_task(resource="service_provider_config")),
        named("export", info_task(export=True)),
    ]
    remote, controller = both_ways(harness, seed, tasks, check=check, diff=True)
    assert not controller.failed and controller.changed, controller
    assert "active: true" in controller.output and "nobody" in controller.output  # the warnings


def test_invalid_arguments_fail_alike(harness):
    tasks = [named(name, task, ignore_errors=True) for name, task in [
        ("unknown option", user_task(user_name="carly", email="c@example.com", bogus=1)),
        ("type", user_task(user_name="carly", active="maybe")),
        ("choice", user_task(user_name="carly", state="gone")),
        ("mutually exclusive", user_task(user_name="carly", email="c@example.com", emails=[{"value": "d@example.com"}])),
        ("required one of", user_task(title="CEO")),
        ("suboption", user_task(user_name="carly", email="c@example.com", enterprise={"dept": "x"})),
        ("required suboption", user_task(user_name="carly", emails=[{"type": "work"}])),
        ("list of dicts", user_task(user_name="carly", emails="c@example.com")),
        ("module's own check", user_task(user_name="a" * 22, email="a@example.com")),
        ("dict as a list", group_task(display_name="Eng", members=["carly"])),
        ("group required one of", group_task(members={"set": []})),
        ("info choice", info_task(resource="widgets")),
        ("info int", info_task(count="many")),
        ("info query", info_task(resource="users", display_name="x")),
        ("timeout", user_task(user_name="carly", timeout=0)),
        ("api_url", info_task(api_url="ftp://example.com/scim/v2/")),
        ("dialect", info_task(api_version="v1")),
        ("retries", info_task(retries={"rate_limited": -1})),
        ("retries key", info_task(retries={"rate": 1})),
    ]]
    remote, controller = both_ways(harness, None, tasks)
    assert controller.requests == []
    failed = [r for r in controller.results if r["status"] == "failed"]
    assert len(failed) == len(tasks), controller
    assert "Unsupported parameters for (scim.slack.slack_scim_user) module: bogus" in failed[0]["result"]["msg"]
    assert "members must be a dict" in controller.result("dict as a list")["msg"]


def test_no_log_values_are_masked_alike(harness):
    """The token given as an argument, and echoed in other values, is masked in results and output."""
    tasks = [
        named("token as title", user_task(user_name="carly", email="carly@example.com", token=TOKEN,
                                          title="%s and more" % TOKEN)),
        named("token exactly", user_task(user_name="carly", email="carly@example.com", token=TOKEN, title=TOKEN)),
        named("token in a failure", user_task(user_name="carly", email="carly@example.com", token=TOKEN,
                                              state="gone"), ignore_errors=True),
    ]
    remote, controller = both_ways(harness, carly_and_dan, tasks, diff=True)
    masks = ("********", "$REDACTED$")  # the module's mask; from ansible-core 2.22 on, the controller's
    result = controller.result("token as title")
    assert result["user"]["title"] in ["%s and more" % mask for mask in masks], result
    assert diff_of(controller.result("token exactly"))["after"]["title"] in masks
    assert harness.emulator.users()["carly"]["title"] == TOKEN  # sent as declared, masked only in results


def test_defaults_environment_and_verbosity_alike(harness):
    """module_defaults by action name, the token from the task's environment (a wrong one, so a 401),
    Slack's errors at -vvv, and a loop with a failing item."""
    tasks = [
        named("defaults", user_task(user_name="carly", email="carly@example.com"),
              module_defaults={"scim.slack.slack_scim_user": {"title": "From defaults"}}),
        named("environment", info_task(user_name="carly"), environment={"SLACK_SCIM_TOKEN": "xoxp-wrong"},
              ignore_errors=True),
        named("loop", user_task(user_name="{{ item }}", email="{{ item }}@example.com", title="Looped"),
              loop=["carly", "dan", "not an email@"], ignore_errors=True),
    ]
    remote, controller = both_ways(harness, carly_and_dan, tasks, diff=True, verbosity=3)
    assert harness.emulator.users()["carly"]["title"] == "Looped"
    assert "invalid_authentication" in controller.result("environment")["msg"]
    statuses = [r["status"] for r in controller.results if r["task"] == "loop"]
    assert statuses == ["item_ok", "item_ok", "item_failed", "failed"], statuses


def test_server_failures_report_alike(harness):
    def seed(emulator):
        carly_and_dan(emulator)
        emulator.control("POST", "faults", [{"status": 503, "count": 1, "method": "GET"},
                                            {"status": 500, "count": 1, "method": "PATCH"}])

    tasks = [named("update", user_task(user_name="carly", email="carly@example.com", title="Chair",
                                       retries={"server_errors": 0}), ignore_errors=True),
             named("again", user_task(user_name="carly", email="carly@example.com", title="Chair",
                                      retries={"server_errors": 0}), ignore_errors=True)]
    remote, controller = both_ways(harness, seed, tasks)
    assert [r["status"] for r in controller.requests] == [503, 200, 500]
    assert controller.result("again")["scim_error"]["status"] == 500


def test_sync_and_the_lookup_alike_and_settled(harness):
    """The smoke set's other half: slack_scim_sync both ways, then again with no change, and the lookup."""
    users = [{"user_name": "erin", "email": "erin@example.com", "title": "SRE"},
             {"user_name": "carly", "email": "carly@example.com", "title": "CEO"}]
    tasks = [named("sync", sync_task(users=users, groups=[{"display_name": "Eng", "members": {"set": ["erin", "carly"]}}])),
             named("lookup", {"ansible.builtin.debug": {
                 "msg": "{{ query('scim.slack.slack_scim_info', 'users', user_name='erin') | map(attribute='title') }}"}})]
    env = {"SLACK_SCIM_API_URL": harness.emulator.base_url("v2")}  # the lookup's; the modules get module_defaults
    remote, controller = both_ways(harness, carly_and_dan, tasks, diff=True, env=env)
    assert controller.result("sync")["summary"]["users"]["created"] == 1
    assert controller.result("lookup")["msg"] == ["SRE"]
    for mode in ("remote", "controller"):
        rerun = harness.run(tasks[:1], mode=mode)
        assert not rerun.changed and rerun.writes == [], rerun
