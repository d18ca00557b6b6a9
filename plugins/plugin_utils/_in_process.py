# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A module's code run in the controller's worker process, on ansible-core's own AnsibleModule.

Internal to scim.slack; the API may change.

:class:`InProcessModule` is the module's :class:`ScimModule` (so the real ``AnsibleModule``: validation,
messages, ``no_log`` masking and the result's format are ansible-core's on every line), with three
differences, each through a hook ansible-core keeps for this use (ansible.netcommon runs network modules
in the worker the same way):

- ``_load_params`` takes the arguments from the action plugin instead of stdin;
- ``warn`` keeps the task's warnings with its result, as a module process does (in the worker,
  ansible-core >= 2.19 would print them at once, outside the result);
- ``_record_module_result`` (ansible-core >= 2.19) keeps the result instead of printing it; before 2.19,
  ``_return_formatted`` prints it, and :func:`run` reads what it printed.

:func:`run` returns what a module process gives the controller (``rc``, ``stdout``, ``stderr``), for
``ActionBase._parse_returned_data``.  Every ansible-core internal touched here is listed in CONTRIBUTING.md.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import traceback

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as core_warnings
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ansible_collections.scim.slack.plugins.module_utils._module import ScimModule
from ansible_collections.scim.slack.plugins.plugin_utils._validation import prevalidate

try:  # ansible-core >= 2.19: modules talk JSON through serialization profiles
    from ansible.module_utils.common.json import Direction, get_module_decoder, get_module_encoder
    AnsibleJSONEncoder = None
except ImportError:  # ansible-core 2.16 to 2.18
    Direction = get_module_decoder = get_module_encoder = None
    from ansible.module_utils.common.json import AnsibleJSONEncoder
try:  # up to ansible-core 2.20 _parse_returned_data gives a dict; later a task result object cleans itself
    from ansible.vars.clean import remove_internal_keys
except ImportError:
    remove_internal_keys = None

# The serialization profile ansible-core gives a module that declares no METADATA, as these modules do.
MODULE_PROFILE = "legacy"
# ansible-core >= 2.19.1 hands a module's result to this method, kept for in-worker execution.
RESULT_HOOK = hasattr(basic.AnsibleModule, "_record_module_result")
# ansible-core >= 2.19 parses a module's output with the module's serialization profile.
PARSE_TAKES_PROFILE = "profile" in inspect.signature(ActionBase._parse_returned_data).parameters


class InProcessModule(ScimModule):
    """ScimModule with the arguments handed in and the result kept, for a run in this process."""

    def __init__(self, module_args, client_factory, argument_spec, **kwargs):
        self._given = module_args
        self.no_log_values = set()
        self._client_factory = client_factory
        self._task_warnings = []
        self.recorded = None
        self._prevalidated = {}
        super().__init__(argument_spec, **kwargs)
        self.params.update(self._prevalidated)

    def _load_params(self):
        """The arguments as given.  Long lists whose every entry is plain are validated here, entry by
        entry (see _validation.py), and handed to AnsibleModule's validator empty."""
        self._prevalidated = prevalidate(self.argument_spec, self._given)
        self.params = dict(self._given, **dict((name, []) for name in self._prevalidated))
        if hasattr(basic, "_PARSED_MODULE_ARGS"):  # >= 2.19: read for _ansible_inject_invocation and tracebacks
            basic._PARSED_MODULE_ARGS = dict((key, value) for key, value in self._given.items()
                                             if key.startswith("_ansible_"))

    def task_arguments(self):
        return self._given

    def fail_json(self, msg=None, **kwargs):
        self.params.update(self._prevalidated)  # the entries in the invocation, as a module shows them
        super().fail_json(msg=msg, **kwargs)

    def warn(self, warning, **kwargs):  # pylint: disable=arguments-differ  # help_text (>= 2.19) is not used
        if not isinstance(warning, str):
            raise TypeError("warn requires a string not a %s" % type(warning))
        if RESULT_HOOK:
            self._task_warnings.append(warning)
        else:  # before 2.19, AnsibleModule itself keeps warnings for the result
            super().warn(warning)

    def _record_module_result(self, o):
        if self._task_warnings:
            o["warnings"] = list(dict.fromkeys(self._task_warnings))
        self.recorded = o

    def output(self):
        """The recorded result (>= 2.19) as the module would have printed it."""
        encoder = get_module_encoder(MODULE_PROFILE, Direction.MODULE_TO_CONTROLLER)
        return "\n" + json.dumps(self.recorded, cls=encoder)


class MachineryFailed(Exception):
    """Running in-process failed before the module's own code ran: the task can run as a module."""


def run(module_main, module_kwargs, module_args, client_factory):
    """``module_main(module)`` on an InProcessModule: ``(rc, stdout, stderr)`` as a module process gives
    them.  Raises MachineryFailed when in-process execution failed before the module's code ran."""
    if not RESULT_HOOK:  # before 2.19 AnsibleModule keeps warnings in this process's lists: start empty
        del core_warnings._global_warnings[:]
        del core_warnings._global_deprecations[:]
    printed = io.StringIO()
    module = InProcessModule.__new__(InProcessModule)  # held even when validation ends __init__
    with contextlib.redirect_stdout(printed):
        try:
            _initialize(module, module_kwargs, module_args, client_factory)
            module_main(module)
            rc = 0  # returned without exit_json: no result, as a module that prints nothing
        except SystemExit as exited:
            rc = exited.code or 0
        except MachineryFailed:
            raise
        except Exception:  # pylint: disable=broad-except  # a module prints the traceback and exits 1
            return 1, printed.getvalue(), remove_values(traceback.format_exc(), module.no_log_values)
    if module.recorded is not None:
        return rc, module.output(), ""
    return rc, printed.getvalue(), ""


def _initialize(module, module_kwargs, module_args, client_factory):
    """AnsibleModule.__init__ (the arguments' validation): a SystemExit is the module's answer, any other
    exception a failure of this machinery."""
    try:
        module.__init__(module_args, client_factory, **module_kwargs)
    except Exception as exc:  # pylint: disable=broad-except
        raise MachineryFailed("%s: %s" % (type(exc).__name__, exc)) from exc


def as_module_receives(args):
    """``args`` as a module receives them: through JSON with the module's serialization profile (vaulted and
    tagged values become plain ones)."""
    if get_module_encoder is None:
        return json.loads(json.dumps(args, cls=AnsibleJSONEncoder, vault_to_text=True))
    encoder = get_module_encoder(MODULE_PROFILE, Direction.CONTROLLER_TO_MODULE)
    decoder = get_module_decoder(MODULE_PROFILE, Direction.CONTROLLER_TO_MODULE)
    return json.loads(json.dumps(args, cls=encoder), cls=decoder)


def task_result(action, res):
    """What ``ActionBase._execute_module`` makes of a module's output ``res`` (rc, stdout, stderr)."""
    if PARSE_TAKES_PROFILE:
        parsed = action._parse_returned_data(res, MODULE_PROFILE)
    else:
        parsed = action._parse_returned_data(res)
    if isinstance(parsed, dict):
        parsed.pop("_ansible_suppress_tmpdir_delete", None)
        remove_internal_keys(parsed)
        return parsed
    parsed.remove_internal_keys()
    return parsed.as_result_dict(for_round_trip=True)
