# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The modules' action plugins: on the controller, run the module's code in this process.

Internal to scim.slack; the API may change.

A task whose connection is ``local`` runs its module on the controller anyway; building an AnsiballZ
payload, starting a Python, importing requests and opening a new HTTPS connection for every item of a
loop costs ten to a hundred times what Slack takes to answer.  :class:`ScimAction` runs the module's
``run_module()`` here instead, on :class:`ControllerModule`, which validates the arguments with the
module's own argument spec and formats the result as AnsibleModule does; the result then takes the
path a module's output takes (``_parse_returned_data``).  The items of one loop share one client, so
one HTTP session and its kept-alive connection.

Any other task runs the module, exactly as the ``normal`` action plugin would.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import inspect
import json
import os
import shutil
import sys
import traceback
from collections import OrderedDict
from contextlib import contextmanager

from ansible import constants as C
from ansible.module_utils.basic import PASSWORD_MATCH, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import PASS_BOOLS, PASS_VARS, remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.scim.slack.plugins.module_utils._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.scim.slack.plugins.module_utils._connection import client_from_options
from ansible_collections.scim.slack.plugins.module_utils._module import (
    ScimInterface,
    check_connection_options,
    explain_dict_option,
    full_argument_spec,
)

try:  # ansible-core >= 2.19: modules talk JSON through serialization profiles
    from ansible.module_utils.common.json import Direction, get_module_decoder, get_module_encoder
    AnsibleJSONEncoder = jsonify = remove_internal_keys = None
except ImportError:  # ansible-core 2.16 to 2.18
    Direction = get_module_decoder = get_module_encoder = None
    from ansible.module_utils.common.json import AnsibleJSONEncoder
    from ansible.module_utils.common.text.converters import jsonify
    from ansible.vars.clean import remove_internal_keys

display = Display()

# The profile ansible-core gives a module that declares no METADATA, as these modules do.
MODULE_PROFILE = "legacy"
# ansible-core >= 2.19 returns a task result object from _parse_returned_data(res, profile).
_RESULT_OBJECTS = "profile" in inspect.signature(ActionBase._parse_returned_data).parameters
# Interpreter settings that let ansible-core pick a Python, rather than pinning one.
AUTO_INTERPRETERS = ("", "auto", "auto_silent", "auto_legacy", "auto_legacy_silent")
# The AnsibleModule arguments the stand-in honours; any other is refused rather than ignored.
VALIDATOR_ARGUMENTS = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")


# A list of at least this many dicts (slack_scim_sync's users) is validated entry by entry below.
MANY_ENTRIES = 100
# Option types whose values an entry holds as they are, when of exactly this Python type.
PLAIN_TYPES = {"str": str, "bool": bool, "int": int, "float": float}
# Option settings the entry-by-entry validation does not implement: a spec using one is left to ansible-core.
NOT_PLAIN = ("aliases", "fallback", "no_log", "removed_in_version", "removed_at_date", "deprecated_aliases",
             "apply_defaults", "required_together", "required_if", "required_by", "mutually_exclusive_groups")
_NOT_PLAIN = object()


def validate(argument_spec, validator_arguments, params):
    """ArgumentSpecValidator's result for ``params``.

    Long lists of dicts (10,000 users for slack_scim_sync) cost ansible-core's validator about 90 us an
    entry.  An entry that needs nothing but defaults (every key known, every value already of its type
    and among its choices, the option's mutually_exclusive and required_one_of met) comes out of the
    validator as itself plus its defaults: ``plain_entry`` makes exactly that, key order included, and
    the validator sees the list as empty.  If one entry needs more (a conversion, a message), the whole
    task goes to the validator as it is, so every message is ansible-core's.
    """
    plain = {}
    for name, option in argument_spec.items():
        entries = params.get(name)
        if exactly(entries, list) and len(entries) >= MANY_ENTRIES and option.get("type") == "list" \
                and option.get("elements") == "dict" and option.get("options") and plain_spec(option):
            validated = [plain_entry(option["options"], option, entry) for entry in entries]
            if any(entry is _NOT_PLAIN for entry in validated):
                plain = {}
                break
            plain[name] = validated
    validator = ArgumentSpecValidator(argument_spec, **validator_arguments)
    if not plain:
        return validator.validate(params)
    result = validator.validate(dict(params, **dict((name, []) for name in plain)))
    if not result.errors.errors:
        result._validated_parameters.update(plain)
    return result


def exactly(value, kind):
    """Whether ``value`` is of type ``kind`` itself: a bool is an int, a str subclass may be anything, and
    the validator converts neither."""
    return value.__class__ is kind


def plain_spec(option):
    """Whether ``plain_entry`` implements every setting of an option's suboptions, at every depth."""
    for sub in (option.get("options") or {}).values():
        if any(sub.get(key) for key in NOT_PLAIN) or option.get("required_together") or option.get("required_if") \
                or option.get("required_by"):
            return False
        kind = sub.get("type", "str")
        if kind not in PLAIN_TYPES and kind not in ("list", "dict", "raw"):
            return False
        if kind == "list" and sub.get("elements") not in (None, "dict") and sub.get("elements") not in PLAIN_TYPES:
            return False
        if sub.get("options") and not plain_spec(sub):
            return False
    return True


def plain_entry(spec, option, entry):
    """What ArgumentSpecValidator makes of one dict of ``spec`` that needs no conversion, else _NOT_PLAIN:
    its keys as given, then the missing options with a default, then the missing others as None."""
    if not exactly(entry, dict) or any(key not in spec for key in entry):
        return _NOT_PLAIN
    for group in option.get("mutually_exclusive") or ():
        if sum(1 for key in group if key in entry) > 1:
            return _NOT_PLAIN
    result = {}
    for key, value in entry.items():
        result[key] = plain_value(spec[key], value)
        if result[key] is _NOT_PLAIN:
            return _NOT_PLAIN
    for key, sub in spec.items():
        if key not in result and sub.get("default") is not None:
            result[key] = plain_value(sub, sub["default"])
            if result[key] is _NOT_PLAIN:
                return _NOT_PLAIN
    for key, sub in spec.items():
        if sub.get("required") and key not in result:
            return _NOT_PLAIN
    for group in option.get("required_one_of") or ():
        if not any(key in result for key in group):
            return _NOT_PLAIN
    for key in spec:
        if key not in result:
            result[key] = None
    return result


def plain_value(option, value):
    choices = option.get("choices")
    if value is None:  # the validator checks a given None against the choices too
        unplain = option.get("required") or option.get("default") is not None or \
            (choices is not None and None not in choices)
        return _NOT_PLAIN if unplain else None
    kind = option.get("type", "str")
    if kind in PLAIN_TYPES:
        if not exactly(value, PLAIN_TYPES[kind]) or (choices is not None and value not in choices):
            return _NOT_PLAIN
        return value
    if kind == "raw":
        return copy.deepcopy(value)
    if kind == "dict":
        if not exactly(value, dict):
            return _NOT_PLAIN
        return plain_entry(option["options"], option, value) if option.get("options") else copy.deepcopy(value)
    if not exactly(value, list):  # kind is list
        return _NOT_PLAIN
    elements = option.get("elements")
    if elements is None:
        items = copy.deepcopy(value)
    elif elements == "dict":
        items = [plain_entry(option["options"], option, item) if option.get("options")
                 else copy.deepcopy(item) if exactly(item, dict) else _NOT_PLAIN for item in value]
    else:
        items = [item if exactly(item, PLAIN_TYPES[elements]) else _NOT_PLAIN for item in value]
    if any(item is _NOT_PLAIN for item in items) or \
            (choices is not None and any(item not in choices for item in items)):
        return _NOT_PLAIN
    return items


class ModuleExit(BaseException):
    """exit_json and fail_json end the module as AnsibleModule's sys.exit() does (not an Exception, so
    that no ``except Exception`` in the module's code can catch it)."""

    def __init__(self, output, rc):
        super().__init__(rc)
        self.output = output
        self.rc = rc


class ControllerModule(ScimInterface):
    """ScimModule's interface (see module_utils/_module.py), in the controller's process.

    ``module_args`` are the arguments as the module would receive them: the task's arguments after
    the JSON round trip to a module, with ansible-core's ``_ansible_*`` keys.  Validation, failure
    messages, warnings, no_log masking and the result's shape follow AnsibleModule and ScimModule.
    """

    def __init__(self, module_kwargs, module_args, client_factory):
        kwargs = dict(module_kwargs)
        argument_spec = kwargs.pop("argument_spec")
        self.supports_check_mode = kwargs.pop("supports_check_mode", False)
        validator_arguments = {name: kwargs.pop(name) for name in VALIDATOR_ARGUMENTS if name in kwargs}
        if kwargs:
            raise TypeError("the in-process module does not implement %s" % ", ".join(sorted(kwargs)))
        self.argument_spec = full_argument_spec(argument_spec)
        self.check_mode = False
        self.no_log = False
        self._debug = False
        self._diff = False
        self._verbosity = 0
        self._name = "module"
        self._ignore_unknown_opts = False
        self._raw = module_args
        self.params = dict(module_args)
        self.no_log_values = set()
        self._warnings = []
        self._deprecations = []
        self._client_factory = client_factory
        self._set_internal_properties()

        result = validate(self.argument_spec, validator_arguments, self.params)
        self.params.update(result.validated_parameters)
        self.no_log_values.update(result._no_log_values)
        for deprecation in result._deprecations:
            self._deprecations.append(deprecation)
        for warning in result._warnings:
            self.warn("Both option {option} and its alias {alias} are set.".format(**warning))
        try:
            error = result.errors[0]
        except IndexError:
            error = None
        if isinstance(error, UnsupportedError) and self._ignore_unknown_opts:
            error = None
        if error:
            msg = result.errors.msg
            if isinstance(error, UnsupportedError):
                msg = "Unsupported parameters for ({name}) {kind}: {msg}".format(name=self._name, kind="module", msg=msg)
            self.fail_json(msg=msg)
        if self.check_mode and not self.supports_check_mode:
            self.exit_json(skipped=True, msg="remote module (%s) does not support check mode" % self._name)
        if not self.no_log:
            self._warn_unprotected_passwords()
        # Keep of the raw arguments only what later messages read, not a second copy of long lists.
        self._raw = dict((key, value) for key, value in self._raw.items() if key.startswith("_ansible_"))
        # ScimModule.__init__
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        check_connection_options(self)

    def _set_internal_properties(self):
        """AnsibleModule._set_internal_properties: the ``_ansible_*`` keys become attributes."""
        for name, (attribute, default) in PASS_VARS.items():
            key = "_ansible_%s" % name
            if key in self._raw:
                value = self._raw[key]
                setattr(self, attribute, boolean(value) if name in PASS_BOOLS else value)
                self.params.pop(key, None)
            elif not hasattr(self, attribute):
                setattr(self, attribute, default)

    def _warn_unprotected_passwords(self):
        """AnsibleModule._log_invocation's one visible effect: a warning for a password-like option
        without no_log."""
        for name in self.params:
            if self.argument_spec.get(name, {}).get("no_log") is None and PASSWORD_MATCH.search(name):
                self.warn("Module did not set no_log for %s" % name)

    # -- the interface run_module() uses (client, fail_scim and diff_mode: ScimInterface) -------------

    def warn(self, warning):
        if not isinstance(warning, str):
            raise TypeError("warn requires a string not a %s" % type(warning))
        self._warnings.append(warning)

    def exit_json(self, **kwargs):
        raise ModuleExit(self._formatted(kwargs), 0)

    def fail_json(self, msg=None, **kwargs):
        if isinstance(msg, str) and msg.startswith("dictionary requested"):
            msg = explain_dict_option(self.argument_spec, self._raw) or msg
        kwargs["failed"] = True
        if "tracebacks_for" in PASS_VARS:  # ansible-core >= 2.19
            msg = str(msg)
            exception = kwargs.pop("exception", None)
            if "error" in (self._raw.get("_ansible_tracebacks_for") or ()):
                if isinstance(exception, str):
                    kwargs["exception"] = exception
                elif sys.exc_info()[1] is not None:
                    kwargs["exception"] = "".join(traceback.format_exception(*sys.exc_info()))
                else:
                    kwargs["exception"] = "".join(["Traceback (most recent call last):\n"] + traceback.format_stack())
        elif "exception" not in kwargs and sys.exc_info()[2] and (self._debug or self._verbosity >= 3):
            kwargs["exception"] = "".join(traceback.format_tb(sys.exc_info()[2]))
        kwargs["msg"] = msg
        raise ModuleExit(self._formatted(kwargs), 1)

    def _formatted(self, kwargs):
        """AnsibleModule._return_formatted: invocation, warnings, deprecations, no_log values masked."""
        inject = bool(self._raw.get("_ansible_inject_invocation")) if "inject_invocation" in PASS_VARS else True
        if inject:
            kwargs.setdefault("invocation", {"module_args": self.params})
        else:
            kwargs.pop("invocation", None)
        warnings = list(OrderedDict.fromkeys(self._warnings)) if _RESULT_OBJECTS else list(self._warnings)
        if warnings:
            kwargs["warnings"] = warnings
        if self._deprecations:
            kwargs["deprecations"] = list(self._deprecations)
        preserved = dict((key, value) for key, value in kwargs.items() if value is None or isinstance(value, bool))
        kwargs = remove_values(kwargs, self.no_log_values)
        kwargs.update(preserved)
        return kwargs


# One client per set of connection options, for the life of this worker process: ansible-core runs a
# task (all the items of its loop) in one worker, so the items share one HTTP session.
_CLIENTS = OrderedDict()
MAX_CLIENTS = 8
# The cache is keyed by an HMAC of the token under a key of this process, never by the token.
_KEY = os.urandom(32)


def connection_key(params):
    token = params.get("token") or ""
    digest = hmac.new(_KEY, token.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    retries = json.dumps(params.get("retries"), sort_keys=True, default=str)
    return (digest, params.get("api_url"), params.get("api_version"), repr(params.get("timeout")),
            params.get("validate_certs"), retries)


def shared_client(params):
    """The client for these connection options, built once per worker process; its counters start
    from zero for every task item, as a module's own client would."""
    key = connection_key(params)
    client = _CLIENTS.get(key)
    if client is None:
        client = client_from_options(params)
        while len(_CLIENTS) >= MAX_CLIENTS:
            _CLIENTS.popitem(last=False)[1].close()
        _CLIENTS[key] = client
    client.request_count = 0
    client.listing_retries = 0
    return client


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
    """Whether ``path`` names the Python this process runs: same folder (a virtualenv is its folder)
    and same file."""
    found = shutil.which(path) if os.sep not in path else path
    if not found:
        return False
    here = os.path.abspath(sys.executable)
    there = os.path.abspath(found)
    if there == here:
        return True
    try:
        return os.path.dirname(there) == os.path.dirname(here) and os.path.samefile(there, here)
    except OSError:
        return False


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
        reason = self.remote_reason(task_vars)
        if reason:
            display.vvvv("scim.slack: %s runs as a module: %s" % (self._task.action, reason))
            return self._run_module(result, task_vars, self.task_arguments())
        display.vvvv("scim.slack: %s runs in the controller's process" % self._task.action)
        return merge_hash(result, self._run_in_process(task_vars, self.task_arguments()))

    def task_arguments(self):
        """The module's arguments: the task's, unless a subclass reads more on the controller."""
        return self._task.args

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

    def _module_args(self, task_vars, args):
        """The arguments as the module would receive them: with the ``_ansible_*`` keys, through JSON."""
        args = dict(args)
        self._update_module_args(self._task.action, args, task_vars)
        if get_module_encoder is None:
            return json.loads(json.dumps(args, cls=AnsibleJSONEncoder, vault_to_text=True))
        return json.loads(json.dumps(args, cls=get_module_encoder(MODULE_PROFILE, Direction.CONTROLLER_TO_MODULE)),
                          cls=get_module_decoder(MODULE_PROFILE, Direction.CONTROLLER_TO_MODULE))

    def _run_in_process(self, task_vars, args):
        variables = {}
        self._compute_environment_string(variables)
        stdout, stderr, rc = "", "", 0
        with environment(variables):
            try:
                module = ControllerModule(self.MODULE.module_kwargs(), self._module_args(task_vars, args),
                                          shared_client)
                del args
                self.MODULE.run_module(module)
            except ModuleExit as done:
                stdout, rc = "\n" + self._encoded(done.output), done.rc
            except Exception:  # pylint: disable=broad-except  # a module would print the traceback and exit 1
                stderr, rc = traceback.format_exc(), 1
        return self._parsed({"rc": rc, "stdout": stdout, "stdout_lines": stdout.splitlines(), "stderr": stderr,
                             "stderr_lines": stderr.splitlines()})

    @staticmethod
    def _encoded(output):
        if get_module_encoder is None:
            return jsonify(output)
        return json.dumps(output, cls=get_module_encoder(MODULE_PROFILE, Direction.MODULE_TO_CONTROLLER))

    def _parsed(self, res):
        """What _execute_module makes of a module's output."""
        if _RESULT_OBJECTS:
            parsed = self._parse_returned_data(res, MODULE_PROFILE)
            parsed.remove_internal_keys()
            return parsed.as_result_dict(for_round_trip=True)
        data = self._parse_returned_data(res)
        data.pop("_ansible_suppress_tmpdir_delete", None)
        remove_internal_keys(data)
        return data
