# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection options that contradict each other fail before any request, naming what to fix."""

from __future__ import annotations

import json

import pytest

from harness import TOKEN
from test_user import seed_user, user_task


@pytest.mark.parametrize("api_version, url_dialect", [("v1", "v2"), ("v2", "v1")])
def test_api_version_contradicting_api_url_fails_before_any_request(harness, api_version, url_dialect):
    seed_user(harness.emulator, url_dialect, "carly")
    api_url = harness.emulator.base_url(url_dialect)
    tasks = [dict(user_task(user_name="carly", title="CEO", api_url=api_url, api_version=api_version),
                  name="module", ignore_errors=True),
             {"name": "lookup", "ansible.builtin.debug": {
                 "msg": "{{ query('scim.slack.slack_scim_info', 'users', api_url='%s', api_version='%s') }}"
                        % (api_url, api_version)}, "ignore_errors": True}]
    for check in (True, False):
        run = harness.run(tasks, check=check, connection_defaults=False)
        assert run.requests == [], run.requests
        module, lookup = run.result("module"), run.result("lookup")
        for message in (module["msg"], lookup["msg"]):
            assert "api_version" in message and api_version in message and "/scim/%s" % url_dialect in message, \
                message
    assert "title" not in harness.emulator.users()["carly"]


def test_modules_read_the_lookups_variables_before_the_environment(harness):
    """slack_scim_token and slack_scim_api_url as play variables (a vaulted token is a template): a task with no
    connection option works, and the variable wins over a wrong SLACK_SCIM_TOKEN, as for the lookup."""
    seed_user(harness.emulator, "v2", "carly")
    variables = {"vault_token": TOKEN, "slack_scim_token": "{{ vault_token }}",
                 "slack_scim_api_url": harness.emulator.base_url("v2")}
    tasks = [dict(user_task(user_name="carly", title="CEO"), name="module"),
             {"name": "lookup", "ansible.builtin.debug": {
                 "msg": "{{ query('scim.slack.slack_scim_info', 'users', user_name='carly') | map(attribute='title') }}"}}]
    for mode in ("controller", "remote"):
        run = harness.run(tasks, connection_defaults=False, extra_args=["-e", json.dumps(variables)], mode=mode,
                          env={"SLACK_SCIM_TOKEN": "xoxp-wrong", "SLACK_SCIM_API_URL": "https://wrong.invalid/"})
        assert not run.failed, run
        assert run.result("lookup")["msg"] == ["CEO"]
    assert harness.emulator.users()["carly"]["title"] == "CEO"
