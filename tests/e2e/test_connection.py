# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection options that contradict each other fail before any request, naming what to fix."""

from __future__ import annotations

import pytest

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
