# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The in-process path (plugin_utils/_in_process.py) against the modules themselves.

Each case runs a module's main() with AnsibleModule (as ansible-core would run it) and the same
``run_module()`` in-process, from the same arguments and the same HTTP answers, and asserts the two outputs
alike once the controller has parsed them (the path a module's output takes).
"""

from __future__ import annotations

import contextlib
import json
import os
from unittest import mock

import pytest
from ansible.module_utils.common import warnings as module_warnings

from ansible.module_utils.common.parameters import PASS_VARS

from ansible_collections.scim.slack.plugins.module_utils._connection import client_from_options
from ansible_collections.scim.slack.plugins.modules import slack_scim_group, slack_scim_info, slack_scim_user
from ansible_collections.scim.slack.plugins.plugin_utils import _in_process
from ansible_collections.scim.slack.plugins.plugin_utils._action import ScimAction

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN, diff_of, module_args, page
from ansible_collections.scim.slack.tests.unit.scim_test_utils import in_process as raw_in_process


try:
    from ansible.module_utils import _internal as module_internal
except ImportError:  # ansible-core < 2.19
    module_internal = None

URL = BASE % "v2"
MODULES = {"user": slack_scim_user, "group": slack_scim_group, "info": slack_scim_info}


def user(uid="W00001000", user_name="carly", email="carly@example.com", active=True, **extra):
    resource = {"id": uid, "userName": user_name, "nickName": user_name, "active": active,
                "emails": [{"value": email, "primary": True}], "name": {"givenName": "Carly", "familyName": "H"}}
    resource.update(extra)
    return resource


def internal_args(name, check_mode=False, diff=False, verbosity=0):
    """The _ansible_* keys ansible-core adds to a module's arguments (those that matter here)."""
    args = {"_ansible_check_mode": check_mode, "_ansible_diff": diff, "_ansible_verbosity": verbosity,
            "_ansible_module_name": "scim.slack.slack_scim_" + name, "_ansible_no_log": False,
            "_ansible_debug": False}
    if "inject_invocation" in PASS_VARS:
        args["_ansible_inject_invocation"] = True
        args["_ansible_tracebacks_for"] = []
    return args


def action(**task):
    """A ScimAction with stand-ins for what ansible-core hands an action plugin."""
    plugin = ScimAction(task=mock.MagicMock(**task), connection=mock.MagicMock(), play_context=mock.MagicMock(),
                        loader=mock.MagicMock(), templar=mock.MagicMock(), shared_loader_obj=mock.MagicMock())
    plugin._templar.template.side_effect = lambda value: value
    return plugin


def parsed(rc, stdout, stderr=""):
    """The controller's reading of a module's output.  Where ansible-core >= 2.19 holds an error as an
    object with the controller's own stack (ansible-test turns tracebacks on), its message stands in."""
    result = action()._parsed({"rc": rc, "stdout": stdout, "stdout_lines": stdout.splitlines(), "stderr": stderr,
                               "stderr_lines": stderr.splitlines()})
    event = getattr(result.get("exception"), "event", None)
    if event is not None:
        result["exception"] = ("error summary", event.msg)
    if "warnings" in result:  # 2.19 and 2.20 keep the in-process warnings as text, a valid module result
        result["warnings"] = [warning_text(w) for w in result["warnings"]]
    return result


def as_module(name, args, capsys):
    """main() under AnsibleModule, as the module process runs it: its output, parsed by the controller."""
    capsys.readouterr()
    with module_args(args), contextlib.ExitStack() as stack:
        if module_internal is not None and hasattr(module_internal, "is_controller"):
            stack.enter_context(mock.patch.object(module_internal, "is_controller", False))
        # A module process starts with no warning recorded; this test process has run others.
        for collected in ("_global_warnings", "_global_deprecations"):
            stack.enter_context(mock.patch.object(module_warnings, collected, type(getattr(module_warnings, collected))()))
        with pytest.raises(SystemExit) as exited:
            MODULES[name].main()
    return parsed(exited.value.code or 0, capsys.readouterr().out)


def in_process(name, args, client_factory=client_from_options, module=None):
    """run_module() in-process: its output, parsed by the controller."""
    module = module or MODULES[name]
    rc, stdout, stderr = _in_process.run(module.run_module, module.module_kwargs(), json.loads(json.dumps(args)),
                                         client_factory)
    return parsed(rc, stdout, stderr)


def both(name, capsys, check_mode=False, diff=False, verbosity=0, **options):
    args = dict(internal_args(name, check_mode, diff, verbosity), **options)
    args.setdefault("api_url", URL)
    expected = as_module(name, dict(args), capsys)
    got = in_process(name, dict(args))
    assert got == expected
    return got


@pytest.fixture
def token_env(monkeypatch):
    for name in ("SLACK_SCIM_TOKEN", "SLACK_ORG_ADMIN_USER_TOKEN", "SLACK_SCIM_API_URL", "SLACK_SCIM_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_SCIM_TOKEN", TOKEN)


INVALID = [
    ("user", {"user_name": "carly", "bogus": 1}, "Unsupported parameters for (scim.slack.slack_scim_user) module: bogus"),
    ("user", {"user_name": "carly", "active": "maybe"}, "argument 'active' is of type"),
    ("user", {"user_name": "carly", "state": "gone"}, "value of state must be one of: present, absent"),
    ("user", {"email": "a@example.com", "emails": [{"value": "b@example.com"}]}, "mutually exclusive: email|emails"),
    ("user", {"title": "CEO"}, "one of the following is required: id, user_name, nick_name, email, emails"),
    ("user", {"user_name": "carly", "enterprise": {"dept": "x"}}, "dept"),
    ("user", {"user_name": "carly", "emails": [{"type": "work"}]}, "missing required arguments: value"),
    ("user", {"user_name": "carly", "timeout": 0}, "timeout must be a number of seconds greater than 0"),
    ("user", {"user_name": "a" * 22, "email": "a@example.com"}, "user_name"),
    ("group", {"display_name": "Eng", "members": ["carly", "dan"]}, "members: {set: ['carly', 'dan']}"),
    ("group", {"members": {"set": []}}, "one of the following is required: id, display_name"),
    ("group", {"display_name": "Eng", "lookup_failure_action": "skip"}, "lookup_failure_action"),
    ("info", {"resource": "widgets"}, "value of resource must be one of"),
    ("info", {"count": "many"}, "argument 'count' is of type"),
    ("info", {"display_name": "x"}, "display_name"),
    ("info", {"api_url": "ftp://example.com/scim/v2/"}, "api_url must be an http(s) URL"),
    ("info", {"api_url": "https://api.slack.com/scim/v1/"}, "api_version is v2 but api_url"),
    ("info", {"retries": {"rate": 1}}, "rate"),
    ("info", {"retries": {"rate_limited": -1}}, "retries.rate_limited must be a whole number"),
]


@pytest.mark.parametrize("name, options, message", INVALID, ids=[i[2][:40] for i in INVALID])
def test_invalid_arguments_fail_as_the_module_fails(name, options, message, capsys, token_env, mocked):
    result = both(name, capsys, **options)
    assert result["failed"] is True and message in result["msg"], result
    assert len(mocked.calls) == 0  # nothing registered: no request either way


def test_a_missing_token_fails_as_the_module_fails(capsys, monkeypatch, mocked):
    for name in ("SLACK_SCIM_TOKEN", "SLACK_ORG_ADMIN_USER_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = both("info", capsys, user_name="carly")
    assert result["msg"] == "missing required arguments: token"


def test_a_token_from_the_environment_is_masked_wherever_it_appears(capsys, token_env, mocked, monkeypatch):
    mocked.get(URL + "Users", json=page([user(title="CEO")]))
    mocked.patch(URL + "Users/W00001000", json=user(title="%s!" % TOKEN))
    result = both("user", capsys, diff=True, user_name="carly", email="carly@example.com", title="%s!" % TOKEN)
    if result["invocation"]["module_args"]["token"] != TOKEN:  # up to 2.21 the module masks its result
        assert TOKEN not in json.dumps(result)
        assert diff_of(result)["after"]["title"] == "********!" and result["user"]["title"] == "********!"
        assert result["invocation"]["module_args"]["token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    else:  # from 2.22 on it hands its no_log values to the controller, which masks whatever it shows
        fresh = "xoxp-unit-fresh-%s" % os.urandom(6).hex()  # a secret is handed over once, when first seen
        monkeypatch.setenv("SLACK_SCIM_TOKEN", fresh)
        rc, raw, dummy = raw_in_process(slack_scim_user, dict(internal_args("user"), api_url=URL, user_name="carly",
                                                              email="carly@example.com", title="%s!" % fresh),
                                        client_from_options)
        assert fresh in raw["_ansible_new_secrets"], raw


def test_converging_a_user_in_check_mode_with_diff(capsys, token_env, mocked):
    mocked.get(URL + "Users", json=page([]))
    result = both("user", capsys, check_mode=True, diff=True, user_name="erin", email="erin@example.com",
                  enterprise={"department": "Platform"})
    assert result["changed"] is True and result["user"]["id"] is None
    assert [c.request.method for c in mocked.calls] == ["GET", "GET"] * 2


def test_a_deactivated_user_warns_alike(capsys, token_env, mocked):
    mocked.get(URL + "Users", json=page([user(active=False)]))
    mocked.patch(URL + "Users/W00001000", json=user(active=False, title="CEO"))
    result = both("user", capsys, user_name="carly", email="carly@example.com", title="CEO")
    assert result["changed"] is True and any("deactivated" in w for w in map(str, result["warnings"])), result


def test_a_group_with_unresolved_members_under_warn(capsys, token_env, mocked):
    mocked.get(URL + "Groups", json=page([{"id": "S00001", "displayName": "Eng", "members": []}]))
    mocked.get(URL + "Users", json=page([]))
    result = both("group", capsys, diff=True, display_name="Eng", members={"add": ["nobody"]},
                  lookup_failure_action="warn")
    assert result["changed"] is False and "nobody" in str(result["warnings"])


def test_slack_errors_fail_alike_and_show_a_traceback_from_vvv_as_modules_do(capsys, token_env, mocked):
    mocked.get(URL + "Users", status=500, json={"Errors": {"description": "boom", "code": 500}})
    quiet = both("user", capsys, user_name="carly", retries={"server_errors": 0})
    assert quiet["scim_error"]["status"] == 500 and not isinstance(quiet.get("exception"), str)
    args = dict(internal_args("user", verbosity=3), api_url=URL, user_name="carly", retries={"server_errors": 0})
    loud_module = as_module("user", dict(args), capsys)
    loud = in_process("user", dict(args))
    if "tracebacks_for" not in PASS_VARS:  # ansible-core < 2.19: a traceback from -vvv on
        assert "Traceback" not in loud["exception"] and "_user.py" in loud["exception"]
    assert type(loud.get("exception")) is type(loud_module.get("exception"))
    assert {k: v for k, v in loud.items() if k != "exception"} == \
        {k: v for k, v in loud_module.items() if k != "exception"}


def test_info_queries_and_export_alike(capsys, token_env, mocked):
    mocked.get(URL + "Users", json=page([user(), user(uid="W00002000", user_name="dan", email="dan@example.com")]))
    mocked.get(URL + "Groups", json=page([{"id": "S00001", "displayName": "Eng",
                                          "members": [{"value": "W00001000"}]}]))
    mocked.get(URL + "ServiceProviderConfig", json={"patch": {"supported": True}})
    assert both("info", capsys, active=True)["total_results"] == 2
    exported = both("info", capsys, export=True)["directory"]
    assert exported["groups"] == [{"display_name": "Eng", "members": {"set": ["carly"]}}]
    assert both("info", capsys, resource="service_provider_config")["service_provider_config"]


def test_missing_requests_fails_alike(capsys, token_env, monkeypatch, mocked):
    from ansible_collections.scim.slack.plugins.module_utils import _module
    monkeypatch.setattr(_module, "HAS_REQUESTS", False)
    monkeypatch.setattr(_module, "REQUESTS_IMPORT_ERROR", "Traceback: no requests")
    result = both("info", capsys, user_name="carly")
    assert "Failed to import the required Python library (requests)" in result["msg"]


class AliasModule:
    """A module of a spec the collection's modules do not use (aliases, a password-like option), to hold
    the stand-in to AnsibleModule beyond them."""

    @staticmethod
    def module_kwargs():
        return dict(argument_spec=dict(name=dict(type="str", aliases=["label"]), password_hint=dict(type="str")),
                    supports_check_mode=True, required_together=[("name", "password_hint")])

    @staticmethod
    def run_module(module):
        module.exit_json(changed=False, name=module.params["name"])

    @classmethod
    def main(cls):
        from ansible_collections.scim.slack.plugins.module_utils._module import ScimModule
        cls.run_module(ScimModule(**cls.module_kwargs()))


@pytest.mark.parametrize("options", [
    {"name": "a", "label": "b", "password_hint": "x"},
    {"name": "a"},
])
def test_alias_and_password_warnings_and_required_together(options, capsys, token_env, monkeypatch):
    monkeypatch.setitem(MODULES, "alias", AliasModule)
    args = dict(internal_args("alias"), api_url=URL, **options)
    expected = as_module("alias", dict(args), capsys)
    got = in_process("alias", dict(args), module=AliasModule)
    if _in_process.RESULT_HOOK:
        # From 2.19 on, in the controller's process, AnsibleModule shows the warnings ansible-core raises
        # itself (an option set with its alias) at once instead of with the result.  The modules of this
        # collection have no aliases.
        alias = "Both option name and its alias label are set."
        expected["warnings"] = [w for w in expected.get("warnings", ()) if warning_text(w) != alias]
        if not expected["warnings"]:
            del expected["warnings"]
        assert alias not in map(warning_text, got.get("warnings", ()))
    assert got == expected
    assert expected.get("warnings") or expected.get("failed")


def warning_text(warning):
    """A warning of a parsed result: text, or from 2.19 on a summary holding it."""
    return getattr(getattr(warning, "event", None), "msg", warning)


class Crashing(AliasModule):
    @staticmethod
    def run_module(module):
        raise KeyError("bug")


class Returning(AliasModule):
    @staticmethod
    def run_module(module):
        return None


@pytest.mark.parametrize("module, shown", [(Crashing, "KeyError: 'bug'"), (Returning, "")])
def test_a_module_that_crashes_or_returns_without_exiting_fails_as_a_module_would(module, shown, token_env):
    result = in_process("crash", {"name": "a", "password_hint": "x"}, module=module)
    assert result["failed"] is True and result["rc"] == (1 if shown else 0), result
    assert shown in result["module_stderr"] and result["module_stdout"] == "", result


class LeakingCrash(AliasModule):
    @staticmethod
    def run_module(module):
        raise ValueError("could not reach Slack with %s" % module.params["token"])


def test_a_crash_shows_no_no_log_value_in_its_traceback(token_env):
    result = in_process("crash", {"name": "a", "password_hint": "x"}, module=LeakingCrash)
    assert result["failed"] is True and "could not reach Slack with" in result["module_stderr"], result
    assert TOKEN not in json.dumps(result, default=str)


class Warning(AliasModule):
    @staticmethod
    def module_kwargs():
        return dict(argument_spec=dict(name=dict(type="str")), supports_check_mode=True)

    @staticmethod
    def run_module(module):
        module.warn("item %s" % module.params["name"])
        module.exit_json(changed=False)


def test_each_run_has_its_own_warnings_only(token_env):
    """A loop's items run in one process: the warnings of one item never show in the next."""
    for name in ("first", "second"):
        result = in_process("warning", {"name": name}, module=Warning)
        assert [warning_text(w) for w in result["warnings"]] == ["item %s" % name]
