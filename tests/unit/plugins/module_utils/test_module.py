# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options every module shares: checked before any request, warnings for clear text."""

from __future__ import annotations

import pytest
from ansible.module_utils import basic

from ansible_collections.scim.slack.plugins.module_utils._module import LONG_LIST, ScimModule

from ansible_collections.scim.slack.tests.unit.scim_test_utils import TOKEN, module_args


class Failed(Exception):
    pass


@pytest.fixture
def build(monkeypatch, mocked):
    """Build a ScimModule from args: (module, warnings), or raise Failed(msg) on fail_json.  The mocked
    HTTP fixture has nothing registered: any request would fail the test."""
    warnings = []

    def fail_json(self, **kwargs):
        raise Failed(kwargs["msg"])

    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, msg: warnings.append(msg))

    def factory(**args):
        args.setdefault("token", TOKEN)
        with module_args(args):
            module = ScimModule({})
            assert module.client is not None
        return module, warnings

    return factory


@pytest.mark.parametrize("args, message", [
    ({"timeout": "nan"}, "timeout must be a number of seconds greater than 0 and at most 3600, got nan"),
    ({"timeout": "inf"}, "timeout must be a number of seconds greater than 0 and at most 3600, got inf"),
    ({"timeout": 1e300}, "timeout must be a number of seconds greater than 0 and at most 3600, got 1e+300"),
    ({"timeout": 0}, "timeout must be a number of seconds greater than 0 and at most 3600, got 0.0"),
    ({"retries": {"max_wait": "nan"}}, "retries.max_wait must be a finite number of seconds, 0 or more, got nan"),
    ({"retries": {"rate_limited": -1}}, "retries.rate_limited must be a whole number of retries, 0 or more, got -1"),
    ({"api_url": "ftp://x/scim/v2/"}, "api_url must be an http(s) URL, got 'ftp://x/scim/v2/'"),
    ({"api_version": "v1", "api_url": "https://api.slack.com/scim/v2/"},
     "api_version is v1 but api_url https://api.slack.com/scim/v2/ ends in /scim/v2/: set api_version to v2, "
     "or point api_url at /scim/v1/"),
    ({"api_url": "https://api.slack.com/scim/v1"},
     "api_version is v2 but api_url https://api.slack.com/scim/v1 ends in /scim/v1/: set api_version to v1, "
     "or point api_url at /scim/v2/"),
])
def test_unusable_connection_options_fail_naming_the_option(build, args, message):
    with pytest.raises(Failed) as caught:
        build(**args)
    assert str(caught.value).startswith(message)
    assert TOKEN not in str(caught.value)


def test_plain_http_off_this_machine_fails_unless_allowed_then_warns(build):
    with pytest.raises(Failed) as caught:
        build(api_url="http://scim.example.com/scim/v2/")
    assert "clear text" in str(caught.value) and "allow_plain_http: true" in str(caught.value)
    module, warnings = build(api_url="http://scim.example.com/scim/v2/", allow_plain_http=True)
    assert len(warnings) == 1 and "clear text" in warnings[0] and "scim.example.com" in warnings[0]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765/scim/v2/", "https://scim.example.com/scim/v2/", None])
def test_loopback_and_https_do_not_warn(build, url):
    module, warnings = build(api_url=url)
    assert warnings == []


def test_good_options_build_the_client(build):
    module, warnings = build(api_version="v1", timeout=3600, retries={"max_wait": 0})
    assert module.client.base_url == "https://api.slack.com/scim/v1/"
    assert module.client.timeout == 3600 and module.client.max_wait == 0


def test_a_long_list_is_logged_as_its_length(monkeypatch):
    """slack_scim_sync's 10,000 users would make a syslog line of megabytes (and cost as much memory)."""
    logged = []
    monkeypatch.setattr(basic.AnsibleModule, "log", lambda self, msg, log_args=None: logged.append(msg))
    module = ScimModule.__new__(ScimModule)
    users = [{"user_name": "u%d" % index} for index in range(LONG_LIST)]
    module.params = {"users": users, "groups": [{"display_name": "Eng"}], "token": "xoxp-x"}
    module.argument_spec = {"users": {}, "groups": {}, "token": {"no_log": True}}
    module.aliases, module.no_log_values = {}, {"xoxp-x"}
    module._log_invocation()
    assert "users=<%d entries>" % LONG_LIST in logged[0] and "Eng" in logged[0] and "u1" not in logged[0]
    assert module.params["users"] is users


def test_a_long_list_is_shown_as_its_length_in_the_results_invocation(monkeypatch):
    """ansible-core puts the arguments in every result (before 2.21; from 2.21 on at -vvv): a sync's whole
    directory would travel back to the controller and through every callback."""
    results = []
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", lambda self, **result: results.append(result))
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", lambda self, msg=None, **result: results.append(result))
    module = ScimModule.__new__(ScimModule)
    users = [{"user_name": "u%d" % index} for index in range(LONG_LIST)]
    module.params = {"users": users, "groups": [{"display_name": "Eng"}], "token": TOKEN}
    module.exit_json(changed=False)
    module.fail_json(msg="failed", changed=False)
    shown = {"users": "<%d entries>" % LONG_LIST, "groups": [{"display_name": "Eng"}], "token": TOKEN}
    assert results == [{"changed": False, "invocation": {"module_args": shown}}] * 2
    assert module.params["users"] is users
    module.params = {"users": users[:LONG_LIST - 1]}
    module.exit_json(changed=True, invocation={"module_args": {}})
    module.exit_json(changed=True)
    assert results[2:] == [{"changed": True, "invocation": {"module_args": {}}}, {"changed": True}]
