# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugins: where a task runs, the switch, the probe, and the fall back to a module."""

from __future__ import annotations

import os
import sys
from unittest import mock

import pytest

from ansible_collections.scim.slack.plugins.action import slack_scim_group as group_action
from ansible_collections.scim.slack.plugins.action import slack_scim_info as info_action
from ansible_collections.scim.slack.plugins.action import slack_scim_sync as sync_action
from ansible_collections.scim.slack.plugins.action import slack_scim_user as user_action
from ansible_collections.scim.slack.plugins.modules import slack_scim_group, slack_scim_info, slack_scim_sync
from ansible_collections.scim.slack.plugins.modules import slack_scim_user
from ansible_collections.scim.slack.plugins.plugin_utils import _action, _in_process
from ansible_collections.scim.slack.plugins.plugin_utils._action import ProbeModule, ScimAction


def action(**task):
    """A ScimAction with stand-ins for what ansible-core hands an action plugin."""
    plugin = ScimAction(task=mock.MagicMock(**task), connection=mock.MagicMock(), play_context=mock.MagicMock(),
                        loader=mock.MagicMock(), templar=mock.MagicMock(), shared_loader_obj=mock.MagicMock())
    plugin._templar.template.side_effect = lambda value: value
    return plugin


def placed(transport="local", become=False, async_val=0, interpreter=None, delegate_to=None, delegated=None):
    plugin = action(async_val=async_val, delegate_to=delegate_to)
    plugin._connection.transport = transport
    plugin._play_context.become = become
    task_vars = {}
    if interpreter is not None:
        task_vars["ansible_python_interpreter"] = interpreter
    if delegate_to:
        task_vars["ansible_delegated_vars"] = {delegate_to: delegated or {}}
    return plugin.remote_reason(task_vars)


@pytest.fixture
def no_interpreter_env(monkeypatch):
    monkeypatch.delenv("ANSIBLE_PYTHON_INTERPRETER", raising=False)


def test_a_task_on_the_controller_runs_in_process(no_interpreter_env, tmp_path):
    assert placed(interpreter=sys.executable) is None
    assert placed() is None  # auto: nothing pins another Python
    assert placed(interpreter="auto_silent") is None
    link = tmp_path / "python"
    link.symlink_to(sys.executable)  # the same file in another folder: another environment
    assert "not the controller's" in placed(interpreter=str(link))
    folder = tmp_path / "venv-link"
    folder.symlink_to(os.path.dirname(sys.executable))  # the same folder by another path: this environment
    assert placed(interpreter=str(folder / os.path.basename(sys.executable))) is None


def test_a_task_elsewhere_runs_the_module(no_interpreter_env):
    assert placed(transport="ssh") == "its connection is ssh, not local"
    assert placed(become=True) == "it uses become"
    assert placed(async_val=10) == "it is async"
    assert "not the controller's" in placed(interpreter="/usr/bin/python-other")


def test_a_delegated_task_reads_the_delegated_hosts_interpreter(no_interpreter_env):
    assert placed(interpreter="/usr/bin/python-other", delegate_to="localhost",
                  delegated={"ansible_python_interpreter": sys.executable}) is None
    assert "not the controller's" in placed(interpreter=sys.executable, delegate_to="localhost",
                                            delegated={"ansible_python_interpreter": "/usr/bin/python-other"})


def test_the_environment_of_a_task_applies_for_its_run_only(monkeypatch):
    monkeypatch.setenv("SCIM_UNIT_KEPT", "before")
    monkeypatch.delenv("SCIM_UNIT_NEW", raising=False)
    with _action.environment({"SCIM_UNIT_KEPT": "during", "SCIM_UNIT_NEW": 5}):
        assert os.environ["SCIM_UNIT_KEPT"] == "during" and os.environ["SCIM_UNIT_NEW"] == "5"
    assert os.environ["SCIM_UNIT_KEPT"] == "before" and "SCIM_UNIT_NEW" not in os.environ


def test_the_four_action_plugins_run_their_own_modules():
    assert group_action.ActionModule.MODULE is slack_scim_group
    assert info_action.ActionModule.MODULE is slack_scim_info
    assert sync_action.ActionModule.MODULE is slack_scim_sync
    assert user_action.ActionModule.MODULE is slack_scim_user


@pytest.fixture
def probed(monkeypatch):
    """A process that has not probed yet, with the switch unset."""
    monkeypatch.setattr(_action, "_PROBED", None)
    monkeypatch.delenv(_action.SWITCH_ENVIRONMENT, raising=False)


def probing_action():
    """An action whose _update_module_args and environment are ansible-core's no-ops for a plain task."""
    plugin = action(action="scim.slack.slack_scim_info", async_val=0, delegate_to=None, environment=[])
    plugin._update_module_args = lambda name, args, task_vars: args.update(_ansible_module_name=name)
    plugin._compute_environment_string = lambda out: ""
    return plugin


@pytest.mark.parametrize("value, off", [("false", True), ("no", True), (False, True), ("maybe", True),
                                        ("true", False), (True, False), ("", False)])
def test_the_switch_turns_in_process_execution_off(value, off, probed, monkeypatch):
    monkeypatch.setattr(_action, "_PROBED", "")
    plugin = probing_action()
    reason = plugin.in_process_problem({_action.SWITCH_VARIABLE: value})
    assert bool(reason) is off and (not off or "slack_scim_in_process" in reason)
    monkeypatch.setenv(_action.SWITCH_ENVIRONMENT, value if isinstance(value, str) else str(value))
    assert bool(plugin.in_process_problem({})) is off


def test_an_ansible_core_the_machinery_does_not_load_on_runs_modules(probed, monkeypatch):
    problem = "the in-process machinery does not load here (ImportError: cannot import name 'x')"
    monkeypatch.setattr(_action, "_IMPORT_PROBLEM", problem)
    assert probing_action().in_process_problem({}) == problem and _action._PROBED is None


def test_the_variable_wins_over_the_environment(probed, monkeypatch):
    monkeypatch.setattr(_action, "_PROBED", "")
    monkeypatch.setenv(_action.SWITCH_ENVIRONMENT, "false")
    assert probing_action().in_process_problem({_action.SWITCH_VARIABLE: True}) is None


def test_the_probe_runs_once_a_process_and_passes_here(probed, monkeypatch):
    runs = []
    real = _in_process.run
    monkeypatch.setattr(_in_process, "run", lambda *args: runs.append(args[0]) or real(*args))
    plugin = probing_action()
    assert plugin.in_process_problem({}) is None and plugin.in_process_problem({}) is None
    assert runs == [ProbeModule.run_module] and _action._PROBED == ""


@pytest.mark.parametrize("breakage, expected", [
    ("raise", "the in-process probe failed: AttributeError"),
    ("wrong", "the probe module gave"),
])
def test_a_failed_probe_sends_every_task_of_the_process_to_module_execution(breakage, expected, probed, monkeypatch):
    if breakage == "raise":
        monkeypatch.setattr(ScimAction, "_parse_returned_data", mock.Mock(side_effect=AttributeError("gone")))
    else:
        monkeypatch.setattr(ProbeModule, "run_module", staticmethod(lambda module: module.exit_json(changed=True)))
    plugin = probing_action()
    first = plugin.in_process_problem({})
    assert first.startswith(expected) and probing_action().in_process_problem({}) == first


def test_a_task_falls_back_to_the_module_when_the_machinery_fails_before_the_modules_code(probed, monkeypatch):
    """Anything failing before run_module() starts: nothing was sent, so the module runs instead (and -vvvv
    says why); once run_module() started, its failure is the task's."""
    monkeypatch.setattr(_action, "_PROBED", "")
    plugin = probing_action()
    plugin.MODULE = slack_scim_info
    plugin._connection.transport = "local"
    plugin._play_context.become = False
    plugin._task.args = {"user_name": "carly", "token": "xoxp-x"}
    plugin.remote_reason = lambda task_vars: None
    started = []
    monkeypatch.setattr(slack_scim_info, "run_module", started.append)
    monkeypatch.setattr(_in_process.InProcessModule, "_load_params", mock.Mock(side_effect=RuntimeError("changed")))
    plugin._run_module = mock.Mock(return_value={"ran": "as a module"})
    shown = []
    monkeypatch.setattr(_action.display, "vvvv", lambda message, *args, **kwargs: shown.append(message))
    with mock.patch.object(ScimAction.__bases__[0], "run", return_value={}):
        assert plugin.run(task_vars={}) == {"ran": "as a module"}
    assert started == [] and "failed before the module's code ran (RuntimeError: changed)" in shown[-1]


def test_connection_options_come_from_the_lookups_variables_after_the_task_and_templated():
    plugin = action(args={"user_name": "carly", "api_url": "https://task.example/scim/v2/"})
    plugin._templar.template.side_effect = lambda value: value.replace("{{ vault_token }}", "xoxp-from-vault") \
        if isinstance(value, str) else value
    task_vars = {"slack_scim_token": "{{ vault_token }}", "slack_scim_api_url": "https://vars.example/scim/v2/",
                 "slack_scim_timeout": 5, "unrelated": 1}
    args = plugin.with_connection_variables(plugin._task.args, task_vars)
    assert args == {"user_name": "carly", "api_url": "https://task.example/scim/v2/", "token": "xoxp-from-vault",
                    "timeout": 5}
    assert plugin._task.args == {"user_name": "carly", "api_url": "https://task.example/scim/v2/"}
    assert plugin.with_connection_variables(plugin._task.args, {"unrelated": 1}) is plugin._task.args
