# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The modules' action plugins: on the controller, run the module's code in this process.

Internal to scim.slack; the API may change.

A task whose connection is ``local`` runs its module on the controller anyway; building an AnsiballZ
payload, starting a Python, importing requests and opening a new HTTPS connection for every item of a
loop costs ten to a hundred times what Slack takes to answer.  :class:`ScimAction` runs the module's
``run_module()`` here instead, on ansible-core's own AnsibleModule (``_in_process.py``); its output then
takes the path a module's output takes (``_parse_returned_data``).  The items of one loop share one client,
so one HTTP session and its kept-alive connection.

The fast path is never the reason a task fails.  Once per process, a probe module runs through the whole
in-process path; if that does not give the result a module gives, or the path fails for a task before the
module's own code has run, the task runs as a module, and ``-vvvv`` says why.  The variable
``slack_scim_in_process`` or the environment variable ``SLACK_SCIM_IN_PROCESS`` set to false turns the
fast path off.  Any other task runs the module, exactly as the ``normal`` action plugin would.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from contextlib import contextmanager

from ansible import constants as C
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.scim.slack.plugins.module_utils import _connection_options
from ansible_collections.scim.slack.plugins.plugin_utils._client_cache import shared_client

try:  # everything that depends on ansible-core's internals: an ansible-core that lacks one runs modules
    from ansible_collections.scim.slack.plugins.plugin_utils import _in_process
    _IMPORT_PROBLEM = None
except Exception as exc:  # pylint: disable=broad-except
    _in_process = None
    _IMPORT_PROBLEM = "the in-process machinery does not load here (%s: %s)" % (type(exc).__name__, exc)

display = Display()
# Interpreter settings that let ansible-core pick a Python, rather than pinning one.
AUTO_INTERPRETERS = ("", "auto", "auto_silent", "auto_legacy", "auto_legacy_silent")
# The switch: a variable (inventory, play, extra vars) or an environment variable of the controller.
SWITCH_VARIABLE = "slack_scim_in_process"
SWITCH_ENVIRONMENT = "SLACK_SCIM_IN_PROCESS"

# Why in-process execution does not work in this process ("" when it does); None until probed.
_PROBED = None


@contextmanager
def environment(variables):
    """The task's ``environment:``, as a module process would see it on top of the controller's."""
    saved = dict((name, os.environ.get(name)) for name in variables)
    try:
        for name, value in variables.items():
            os.environ[name] = str(value)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def is_this_python(path):
    """Whether ``path`` names the Python this process runs: same folder (a virtualenv is its folder, also when
    reached through a symlinked path) and same file."""
    found = shutil.which(path) if os.sep not in path else path
    if not found:
        return False
    here = os.path.abspath(sys.executable)
    there = os.path.abspath(found)
    if there == here:
        return True
    try:
        return os.path.samefile(os.path.dirname(there), os.path.dirname(here)) and os.path.samefile(there, here)
    except OSError:
        return False


def module_kwargs(module):
    """``module.module_kwargs()``, built once per process: the items of a loop share it (AnsibleModule reads
    the argument spec and rules, and changes neither)."""
    kwargs = _MODULE_KWARGS.get(module)
    if kwargs is None:
        kwargs = _MODULE_KWARGS[module] = module.module_kwargs()
    return kwargs


def is_plain(value):
    """Whether ``value`` holds only JSON's own Python types, exactly (no tagged or vaulted string, no subclass)."""
    kind = value.__class__
    if kind is dict:
        return all(key.__class__ is str and is_plain(item) for key, item in value.items())
    if kind is list:
        return all(is_plain(item) for item in value)
    return kind in _PLAIN


_MODULE_KWARGS = {}
_PLAIN = (str, int, float, bool, type(None))


class ProbeModule:
    """A module that uses what the collection's modules use: validation with a conversion, the connection
    options, a result.  ScimAction runs it in-process once per process before trusting the fast path.  It
    warns nothing: from ansible-core 2.21 on, a parsed result's warnings join those of the running task."""

    SECRET = "probe-%s" % os.urandom(8).hex()

    @staticmethod
    def module_kwargs():
        return dict(argument_spec=dict(echo=dict(type="str", required=True), count=dict(type="int", default=1)),
                    supports_check_mode=True)

    @staticmethod
    def run_module(module):
        module.exit_json(changed=False, echo=module.params["echo"], count=module.params["count"])

    @classmethod
    def arguments(cls):
        return {"echo": "in-process", "count": "2", "token": cls.SECRET, "api_url": "https://probe.invalid/scim/v2/"}

    @classmethod
    def problem(cls, result):
        """What is wrong with the probe's result ("" when it is what a module gives)."""
        expected = {"changed": False, "echo": "in-process", "count": 2, "failed": False, "warnings": False}
        got = dict((key, result.get(key)) for key in expected)
        got.update(failed=bool(got["failed"]), warnings=bool(got["warnings"]))
        if got != expected:
            return "the probe module gave %s" % json.dumps(got, default=str)
        return ""


class ScimAction(ActionBase):
    """Runs ``MODULE.run_module()`` in-process for a task on the controller, else the module."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True
    MODULE = None  # the module's Python module: module_kwargs(), run_module(module)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        args = self.task_arguments()
        owned = args is not self._task.args
        args = self.with_connection_variables(args, task_vars)
        reason = self.remote_reason(task_vars) or self.in_process_problem(task_vars)
        if not reason:
            try:
                return merge_hash(result, self._run_in_process(self.MODULE, task_vars, args, owned=owned))
            except _in_process.MachineryFailed as exc:
                reason = "running it in-process failed before the module's code ran (%s)" % exc
        display.vvvv("scim.slack: %s runs as a module: %s" % (self._task.action, reason))
        return self._run_module(result, task_vars, args)

    def task_arguments(self):
        """The module's arguments: the task's, unless a subclass reads more on the controller."""
        return self._task.args

    def with_connection_variables(self, args, task_vars):
        """``args`` with the connection options they leave out taken from the variables the lookup reads too
        (``slack_scim_token``, ``slack_scim_api_url``, ...), templated.  As for the lookup, a variable comes after
        the task's own option (and ``module_defaults``) and before the environment variables."""
        missing = [name for name, variable in _connection_options.VARIABLES.items()
                   if args.get(name) is None and variable in task_vars]
        if not missing:
            return args
        args = dict(args)
        for name in missing:
            args[name] = self._templar.template(task_vars[_connection_options.VARIABLES[name]])
        return args

    def remote_reason(self, task_vars):
        """Why the task cannot run in this process (a sentence), or None when it can."""
        if getattr(self._connection, "transport", None) != "local":
            return "its connection is %s, not local" % getattr(self._connection, "transport", None)
        if self._play_context.become:
            return "it uses become"
        if self._task.async_val:
            return "it is async"
        interpreter = self._interpreter(task_vars)
        if interpreter is None:
            return "its Python interpreter could not be determined"
        if interpreter not in AUTO_INTERPRETERS and not is_this_python(interpreter):
            return "its Python interpreter is %s, not the controller's %s" % (interpreter, sys.executable)
        return None

    def in_process_problem(self, task_vars):
        """Why in-process execution is off or does not work here (a sentence), or None."""
        switch = self._switch(task_vars)
        if switch is False:
            return "in-process execution is turned off (%s or %s)" % (SWITCH_VARIABLE, SWITCH_ENVIRONMENT)
        if _IMPORT_PROBLEM:
            return _IMPORT_PROBLEM
        global _PROBED  # pylint: disable=global-statement
        if _PROBED is None:
            _PROBED = self._probe(task_vars)
            if not _PROBED:
                display.vvvv("scim.slack: in-process execution works on this ansible-core")
        return _PROBED or None

    def _switch(self, task_vars):
        value = task_vars.get(SWITCH_VARIABLE, os.environ.get(SWITCH_ENVIRONMENT))
        if value is None or value == "":
            return None
        try:
            return boolean(self._templar.template(value) if isinstance(value, str) else value, strict=True)
        except Exception:  # pylint: disable=broad-except  # an unreadable switch: the safe way
            return False

    def _probe(self, task_vars):
        """Run ProbeModule through the in-process path: "" when its result is a module's, else why not."""
        try:
            result = self._run_in_process(ProbeModule, task_vars, ProbeModule.arguments())
            return ProbeModule.problem(result)
        except Exception as exc:  # pylint: disable=broad-except  # any doubt: run modules
            return "the in-process probe failed: %s: %s" % (type(exc).__name__, exc)

    def _interpreter(self, task_vars):
        """ansible_python_interpreter as module execution reads it (for the delegated host, if any)."""
        variables = task_vars
        if self._task.delegate_to:
            variables = (task_vars.get("ansible_delegated_vars") or {}).get(self._task.delegate_to, task_vars)
        try:
            value = C.config.get_config_value("INTERPRETER_PYTHON", variables=variables)
            value = self._templar.template(value.strip()) if isinstance(value, str) else value
        except Exception:  # pylint: disable=broad-except  # any doubt: run the module
            return None
        return value.strip() if isinstance(value, str) else None

    def _run_module(self, result, task_vars, args):
        """The ``normal`` action plugin."""
        wrap_async = self._task.async_val and not getattr(self._connection, "has_native_async", False)
        module_args = None if args is self._task.args else dict(args)
        result = merge_hash(result, self._execute_module(module_args=module_args, task_vars=task_vars,
                                                         wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _module_args(self, task_vars, args, owned):
        """The arguments as the module would receive them: with the ``_ansible_*`` keys, through JSON.  When
        ``owned`` (built by this plugin, as a ``src`` directory is, so that nothing else holds their lists), a
        value that is plain already skips the round trip, which would give the same value."""
        args = dict(args)
        self._update_module_args(self._task.action, args, task_vars)
        if not owned:
            return _in_process.as_module_receives(args)
        tagged = dict((key, value) for key, value in args.items() if not is_plain(value))
        args.update(_in_process.as_module_receives(tagged))
        return args

    def _run_in_process(self, module, task_vars, args, owned=False):
        """The task's result from ``module``'s code run here.  Raises MachineryFailed (nothing sent) when
        that fails before the module's code ran."""
        variables = {}
        self._compute_environment_string(variables)
        with environment(variables):
            try:
                module_args = self._module_args(task_vars, args, owned)
            except Exception as exc:  # pylint: disable=broad-except
                raise _in_process.MachineryFailed("%s: %s" % (type(exc).__name__, exc)) from exc
            rc, stdout, stderr = _in_process.run(module.run_module, module_kwargs(module), module_args,
                                                 shared_client)
        return self._parsed({"rc": rc, "stdout": stdout, "stdout_lines": stdout.splitlines(), "stderr": stderr,
                             "stderr_lines": stderr.splitlines()})

    def _parsed(self, res):
        """What _execute_module makes of a module's output."""
        return _in_process.task_result(self, res)
