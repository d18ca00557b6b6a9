# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_info, module and lookup, end to end against the emulator."""

from __future__ import annotations

import math

import pytest

from harness import TOKEN
from scenario import each_fails_before_any_write
from test_group import seed_group
from test_user import seed_user


def info_task(**options):
    return {"name": "info", "scim.slack.slack_scim_info": options}


def debug_task(expression):
    return {"name": "lookup", "ansible.builtin.debug": {"msg": "{{ %s }}" % expression}}


def test_module_queries_cost_one_request_each(harness, api_version):
    carly = seed_user(harness.emulator, api_version, "carly", "carly@example.com", title="CEO")
    seed_user(harness.emulator, api_version, "dan", active=False)
    group = seed_group(harness.emulator, api_version, "Engineering", [carly["id"]])
    cases = [
        (dict(email="CARLY@example.com"), "users", ["carly"]),
        (dict(user_name="carly"), "users", ["carly"]),
        (dict(id=carly["id"]), "users", ["carly"]),
        (dict(id="W0NOTHERE1"), "users", []),
        (dict(filter='userName sw "da"'), "users", ["dan"]),
        (dict(resource="groups", display_name="engineering"), "groups", [group["id"]]),
        (dict(resource="groups", id=group["id"]), "groups", [group["id"]]),
    ]
    for options, key, expected in cases:
        run = harness.run([info_task(**options)], api_version=api_version)
        assert not run.failed and not run.changed, (options, run)
        found = run.result()[key]
        names = [item.get("userName") if key == "users" else item["id"] for item in found]
        assert names == expected, options
        assert len(run.requests) == 1, (options, run.requests)
        assert run.result()["total_results"] == len(expected)


def test_active_filter_and_check_mode(harness, api_version):
    seed_user(harness.emulator, api_version, "carly")
    seed_user(harness.emulator, api_version, "dan", active=False)
    run = harness.run([info_task(active=False)], check=True, api_version=api_version)
    assert [u["userName"] for u in run.result()["users"]] == ["dan"] and not run.changed


def test_service_provider_config(harness, api_version):
    run = harness.run([info_task(resource="service_provider_config")], api_version=api_version)
    assert run.result()["service_provider_config"]["patch"]["supported"] is True


@pytest.mark.parametrize("count", [1000, 300])
def test_paging_over_ten_thousand_users_is_exact(harness, count):
    total = 10050
    harness.emulator.control("POST", "seed", {"users": total})
    run = harness.run([info_task(count=count)])
    users = run.result()["users"]
    assert len(users) == total and len({u["id"] for u in users}) == total
    assert run.result()["total_results"] == total
    assert len(run.requests) == math.ceil(total / count)
    assert all("count=%d" % count in r["query"] for r in run.requests)


def test_limit_stops_the_listing(harness):
    harness.emulator.control("POST", "seed", {"users": 2500})
    run = harness.run([info_task(limit=1200)])
    assert len(run.result()["users"]) == 1200 and len(run.requests) == 2
    assert run.result()["total_results"] == 2500


def test_server_error_fails_with_status_and_slack_error(harness):
    harness.emulator.control("POST", "faults", {"status": 403, "error": "permission_denied", "count": 5})
    run = harness.run([info_task(email="carly@example.com")])
    assert run.failed
    message = run.result()["msg"]
    assert "HTTP 403 permission_denied" in message and "Owner or Admin" in message


def test_bad_query_options_fail_before_any_request(harness):
    cases = [(dict(resource="groups", email="a@example.com"), "email"), (dict(count=5000), "count"), (dict(id="nope"), "id"),
             (dict(limit=0), "limit")]
    each_fails_before_any_write(harness, [(info_task(**options), named) for options, named in cases], nothing_read=True)


# -- the lookup ---------------------------------------------------------------------------------------

def test_lookup_with_connection_from_variables(harness, api_version):
    seed_user(harness.emulator, api_version, "carly", "carly@example.com")
    group = seed_group(harness.emulator, api_version, "Engineering")
    play_vars = {"slack_scim_api_url": harness.emulator.base_url(api_version), "slack_scim_api_version": api_version,
                 "slack_scim_token": TOKEN}
    tasks = [
        dict(debug_task("lookup('scim.slack.slack_scim_info', 'users', email='carly@example.com')"), vars=play_vars),
        dict(debug_task("query('scim.slack.slack_scim_info', 'groups', display_name='Engineering')"),
             name="groups", vars=play_vars),
    ]
    run = harness.run(tasks, env={"SLACK_SCIM_TOKEN": "xoxp-wrong"}, connection_defaults=False)
    assert not run.failed, run
    users = run.result("lookup")["msg"]
    users = users if isinstance(users, list) else [users]
    assert users[0]["userName"] == "carly"
    assert run.result("groups")["msg"][0]["id"] == group["id"]
    assert len(run.requests) == 2


def test_lookup_with_connection_from_the_environment(harness):
    seed_user(harness.emulator, "v2", "carly")
    run = harness.run([debug_task("query('scim.slack.slack_scim_info', 'users', user_name='carly')")],
                      env={"SLACK_SCIM_API_URL": harness.emulator.base_url("v2")}, connection_defaults=False,
                      verbosity=3)
    assert not run.failed, run
    assert run.result()["msg"][0]["userName"] == "carly"


def test_lookup_not_found_by_id_and_service_provider_config(harness):
    env = {"SLACK_SCIM_API_URL": harness.emulator.base_url("v2")}
    run = harness.run([debug_task("query('scim.slack.slack_scim_info', 'users', id='W0NOTHERE1')"),
                       dict(debug_task("query('scim.slack.slack_scim_info', 'service_provider_config')"),
                            name="spc")], env=env, connection_defaults=False)
    assert run.result("lookup")["msg"] == []
    assert run.result("spc")["msg"][0]["patch"]["supported"] is True


def test_lookup_errors_are_clear_and_hold_no_token(harness):
    env = {"SLACK_SCIM_API_URL": harness.emulator.base_url("v2"), "SLACK_SCIM_TOKEN": "xoxp-not-the-right-one"}
    run = harness.run([debug_task("query('scim.slack.slack_scim_info', 'users', user_name='carly')")],
                      env=env, connection_defaults=False, verbosity=3)
    assert run.failed
    assert "invalid_authentication" in run.output and "xoxp-not-the-right-one" not in run.output
    bad = harness.run([debug_task("query('scim.slack.slack_scim_info', 'users', display_name='x')")],
                      env=env, connection_defaults=False)
    assert bad.failed and "display_name cannot be used with resource users" in bad.output and bad.requests == []
