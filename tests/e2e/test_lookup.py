# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The slack_scim_info lookup end to end (issue 13.5 and 13.6): connection options from play variables
that are templates (the vault pattern), and keywords it does not know.
"""

from __future__ import annotations

import json
import os

from harness import TOKEN
from test_group import seed_group
from test_user import seed_user

LOOKUP = "scim.slack.slack_scim_info"
OTHER = {"v1": "v2", "v2": "v1"}


def run_play(harness, play_vars, tasks, env):
    """Run one play with play-level ``vars`` through the harness (which runs its own empty play first).

    The harness writes its play from tasks only; ansible-playbook takes several playbooks, so this
    one follows it, and the harness still collects the results, the request log and the token checks.
    """
    playbook = os.path.join(harness.workdir, "lookup-play%03d.yml" % (harness.count + 1))
    with open(playbook, "w") as handle:
        json.dump([{"name": "lookup", "hosts": "localhost", "gather_facts": False, "vars": play_vars,
                    "tasks": tasks}], handle, indent=1)
    return harness.run([], connection_defaults=False, extra_args=[playbook], env=env)


def debug(name, expression):
    return {"name": name, "ansible.builtin.debug": {"msg": "{{ %s }}" % expression}}


def lookup_env(api_version):
    """Nothing usable in the environment: what the lookup needs can only come from the play's variables."""
    return {"SLACK_SCIM_TOKEN": "xoxp-not-the-token", "SLACK_ORG_ADMIN_USER_TOKEN": "",
            "SLACK_SCIM_API_URL": "http://127.0.0.1:9/scim/%s/" % OTHER[api_version],
            "SLACK_SCIM_API_VERSION": OTHER[api_version]}


def assert_found(run, api_version, carly, group):
    assert not run.failed, run.output[-3000:]
    assert [u["id"] for u in run.result("users")["msg"]] == [carly["id"]]
    assert [g["id"] for g in run.result("groups")["msg"]] == [group["id"]]
    assert len(run.requests) == 2 and all(r["status"] == 200 for r in run.requests), run.requests
    assert all(r["path"].startswith("/scim/%s/" % api_version) for r in run.requests), run.requests


TASKS = [debug("users", "query('%s', 'users', email='carly@example.com')" % LOOKUP),
         debug("groups", "query('%s', 'groups', display_name='Engineering')" % LOOKUP)]


def test_token_and_url_from_play_variables_are_templated(harness, api_version):
    carly = seed_user(harness.emulator, api_version, "carly", "carly@example.com")
    group = seed_group(harness.emulator, api_version, "Engineering", [carly["id"]])
    play_vars = {
        "vault_slack_scim_token": TOKEN,
        "emulator": {"url": harness.emulator.base_url(api_version)},
        "slack_scim_token": "{{ vault_slack_scim_token }}",
        "slack_scim_api_url": "{{ emulator.url }}",
        "slack_scim_api_version": api_version,
    }
    assert_found(run_play(harness, play_vars, TASKS, lookup_env(api_version)), api_version, carly, group)


def test_typed_connection_options_from_play_variables_are_templated(harness):
    """api_version (a choice), timeout (a number) and retries (a dict) are read from variables too;
    a template there must work as one in the token does."""
    carly = seed_user(harness.emulator, "v1", "carly", "carly@example.com")
    group = seed_group(harness.emulator, "v1", "Engineering", [carly["id"]])
    play_vars = {
        "settings": {"dialect": "v1", "timeout": 20, "retries": {"rate_limited": 3, "max_wait": 10}},
        "slack_scim_token": TOKEN,
        "slack_scim_api_url": harness.emulator.base_url("v1"),
        "slack_scim_api_version": "{{ settings.dialect }}",
        "slack_scim_timeout": "{{ settings.timeout }}",
        "slack_scim_retries": "{{ settings.retries }}",
    }
    assert_found(run_play(harness, play_vars, TASKS, lookup_env("v1")), "v1", carly, group)


def test_unknown_keyword_fails_naming_it_before_any_request(harness):
    seed_user(harness.emulator, "v2", "carly")
    seed_user(harness.emulator, "v2", "dan")
    env = {"SLACK_SCIM_API_URL": harness.emulator.base_url("v2")}
    run = harness.run([debug("typo", "query('%s', 'users', username='carly')" % LOOKUP)], env=env,
                      connection_defaults=False)
    assert run.failed and run.requests == [], run
    shown = " ".join(run.output.split())
    assert "unknown keyword username" in shown and "user_name" in shown, shown[-2000:]
