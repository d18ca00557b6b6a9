# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Ansible side shared by every module: the argument spec with the connection options (see
``_connection_options.py``), diffs, and error reporting.

Internal to scim.slack; the API may change.

Each module's ``run_module(module)`` works on a small interface, so that the same code runs as a
module (:class:`ScimModule`, an AnsibleModule) and in-process on the controller (the action
plugins' subclass of it in ``plugins/plugin_utils/_in_process.py``):

- ``params``: the validated options; ``check_mode``; ``diff_mode``;
- ``warn(msg)``; ``fail_json(msg, **result)`` and ``exit_json(**result)``, which do not return;
  ``fail_scim(error, **result)``;
- ``client``: the SCIMClient for the connection options, built on first use.
"""

from __future__ import annotations

import difflib
import json

from ansible.module_utils.basic import AnsibleModule, _load_params, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.scim.slack.plugins.module_utils import _connection, _connection_options
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.scim.slack.plugins.module_utils._user_spec import duplicate_entries

# AnsibleModule's rules across options, which validation checks besides each option's own spec.
VALIDATION_RULES = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")
# The options that name a user or a group: a list of dicts with one of the first two is a list of resources
# (slack_scim_sync's users and groups), each named in messages by the first of these it has.
ENTRY_NAMES = ("user_name", "display_name", "email", "id")


# A list option this long is logged to syslog as its length (ScimModule._log_invocation).
LONG_LIST = 100


def full_argument_spec(argument_spec):
    """The connection options plus a module's own: what ScimModule and the action plugins validate."""
    spec = _connection.argument_spec()
    spec.update(argument_spec)
    return spec


def diff_text(view):
    """One side of a diff as text, laid out as Ansible's callbacks lay out a dict diff (JSON, sorted keys,
    four spaces), except that non-ASCII text shows as written: callbacks escape it in a dict (``M\\u00fcller``)
    and print text as it is."""
    return json.dumps(view, sort_keys=True, indent=4, separators=(",", ": "), ensure_ascii=False) + "\n"


def diff_result(before, after, **headers):
    """A module's ``diff`` of ``before`` and ``after`` views (dicts), with optional before/after headers."""
    return dict(headers, before=diff_text(before), after=diff_text(after))


def exit_with_outcome(module, outcome, name, **result):
    """End a single-resource task: the outcome's warnings, ``changed``, the resource under ``name``
    (``user`` or ``group``) when there is one, and the diff in diff mode."""
    for warning in outcome.warnings:
        module.warn(warning)
    result["changed"] = outcome.changed
    if outcome.resource is not None:
        result[name] = outcome.resource
    if module.diff_mode:
        result["diff"] = diff_result(outcome.before, outcome.after)
    module.exit_json(**result)


def check_connection_options(module):
    """Fail before any request when a connection option cannot work (naming it and its value), and
    warn when the token would travel in clear text.  The task's one check of them: its client
    (``client_from_options``) does not check them again."""
    problem = _connection_options.options_problem(module.params)
    if problem:
        module.fail_json(msg=problem)
    warning = _connection_options.options_warning(module.params)
    if warning:
        module.warn(warning)


class ScimModule(AnsibleModule):
    """An AnsibleModule with the connection options, a lazily built client (a failure fails the task) and error
    mapping (``fail_scim``)."""

    _client = None
    _client_factory = staticmethod(_connection.client_from_options)

    def __init__(self, argument_spec, **kwargs):
        super().__init__(argument_spec=full_argument_spec(argument_spec), **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        check_connection_options(self)

    @property
    def diff_mode(self):
        return self._diff

    @property
    def client(self):
        if self._client is None:
            try:
                self._client = self._client_factory(self.params)
            except ScimError as exc:
                self.fail_scim(exc)
        return self._client

    def fail_scim(self, error, **result):
        """Fail the task from a ScimError, with its facts and without any secret."""
        fail_scim(self, error, **result)

    def task_arguments(self):
        """The task's arguments as given, for messages that quote them."""
        return _load_params() or {}

    def arguments_shown(self):
        """The arguments as the syslog line and the result's ``invocation`` show them, a long list (slack_scim_sync's
        10,000 users) as its length rather than megabytes of text; None when no list is that long."""
        params = getattr(self, "params", None) or {}
        long_lists = dict((name, "<%d entries>" % len(value)) for name, value in params.items()
                          if isinstance(value, list) and len(value) >= LONG_LIST)
        return dict(params, **long_lists) if long_lists else None

    def _log_invocation(self):
        """AnsibleModule's syslog line, of ``arguments_shown``.  If ansible-core renames this hook, the line is just
        longer."""
        shown = self.arguments_shown()
        if shown is None:
            return super()._log_invocation()
        params, self.params = self.params, shown
        try:
            return super()._log_invocation()
        finally:
            self.params = params

    def exit_json(self, **kwargs):
        super().exit_json(**self._with_invocation(kwargs))

    def fail_json(self, msg=None, **kwargs):
        validation = getattr(self, "validation_result", None)
        if validation is not None and validation.errors.errors:
            rules = dict((name, getattr(self, name, None)) for name in VALIDATION_RULES)
            msg = explain_dict_option(getattr(self, "argument_spec", None) or {}, self.task_arguments(), rules) or msg
        super().fail_json(msg=msg, **self._with_invocation(kwargs))

    def _with_invocation(self, result):
        """``result`` with the ``invocation`` AnsibleModule would add (ansible-core before 2.21 always, from 2.21 on
        when asked), of ``arguments_shown``: a task's result does not carry the whole directory back."""
        shown = self.arguments_shown()
        if shown is not None and "invocation" not in result:
            result = dict(result, invocation={"module_args": shown})
        return result


def fail_scim(module, error, **result):
    """Fail the task from a ScimError, with its facts and without any secret."""
    if not isinstance(error, ScimError):
        raise error
    module.fail_json(msg=str(error), scim_error=error.to_dict(), **result)


def explain_dict_option(argument_spec, raw, rules=None):
    """ansible-core's argument validation names no position: "dictionary requested, could not parse JSON or
    key=value" names no option, "Unsupported parameters ... users.emial" no entry, and only the first problem
    is shown.  Name every problem at once: a dict option given something else (and what it takes:
    ``members: [a, b]`` for ``members: {set: [a, b]}``), and each entry of a list of dicts by its index and
    name, with unknown keys and two entries declaring one user.  ``raw`` is the task's arguments as given;
    ``rules`` the module's mutually_exclusive, required_one_of, ...  None when there is nothing to add to
    ansible-core's own message.  Lists of other dicts (a user's emails) keep ansible-core's messages."""
    problems = []
    rest = dict((key, value) for key, value in raw.items() if not key.startswith("_ansible_"))
    for name, spec in argument_spec.items():
        value = raw.get(name)
        if value is None:
            continue
        if spec.get("type") == "dict" and not isinstance(value, dict):
            problems.append(_not_a_dict(name, spec, value))
            rest.pop(name)
        elif spec.get("type") == "list" and spec.get("elements") == "dict" and isinstance(value, list) and \
                any(key in (spec.get("options") or ()) for key in ENTRY_NAMES[:2]):
            problems.extend(_entry_problems(name, spec, value))
            rest[name] = []
    if not problems:
        return None
    given_rules = dict((key, value) for key, value in (rules or {}).items() if value)
    others = ArgumentSpecValidator(argument_spec, **given_rules).validate(rest).errors
    problems.extend(str(error) for error in others)
    return problems[0] if len(problems) == 1 else "%d problems: %s" % (len(problems), "; ".join(problems))


def _not_a_dict(name, spec, value):
    keys = sorted(spec.get("options") or ())
    message = "%s must be a dict%s, got a %s: %r" % (
        name, " with the keys %s" % ", ".join(keys) if keys else "", type(value).__name__, value)
    if name.rsplit(".", 1)[-1] == "members" and isinstance(value, list):
        message += "; to make these the exact members, write members: {set: %s}" % (value,)
    return message


def _unknown_keys(spec, entry, prefix=""):
    """The keys of ``entry`` (and of its dict options, with their dotted names) that ``spec`` does not take,
    each with the closest known name or else the known ones; and the entry without them."""
    unknown, known = [], {}
    for key, value in entry.items():
        if key not in spec:
            close = difflib.get_close_matches(str(key), list(spec), n=1, cutoff=0.75)
            unknown.append("%s%s (%s)" % (prefix, key, "did you mean %s?" % close[0] if close else
                                          "%s takes %s" % (prefix.rstrip(".") or "an entry", ", ".join(sorted(spec)))))
            continue
        options = spec[key].get("options")
        if spec[key].get("type") == "dict" and options and isinstance(value, dict):
            inner, value = _unknown_keys(options, value, "%s%s." % (prefix, key))
            unknown.extend(inner)
        known[key] = value
    return unknown, known


def _entry_problems(name, spec, entries):
    """Every problem of the entries of a list-of-dicts option, each named ``name[index] (its name)``."""
    options = spec["options"]
    rules = dict((rule, spec[rule]) for rule in VALIDATION_RULES if spec.get(rule))
    problems = []
    for index, entry in enumerate(entries):
        label = "%s[%d]" % (name, index)
        if not isinstance(entry, dict):
            problems.append("%s must be a dict of options, got a %s: %r" % (label, type(entry).__name__, entry))
            continue
        called = next((entry[key] for key in ENTRY_NAMES
                       if isinstance(entry.get(key), str) and entry[key]), None)
        if called is not None:
            label += " (%s)" % called
        unknown, known = _unknown_keys(options, entry)
        found = ["unknown option %s" % option for option in unknown]
        for key, value in list(known.items()):
            if options[key].get("type") == "dict" and value is not None and not isinstance(value, dict):
                found.append(_not_a_dict(key, options[key], value))
                known.pop(key)
        errors = ArgumentSpecValidator(options, **rules).validate(known).errors
        found.extend(str(error) for error in errors)
        problems.extend("%s: %s" % (label, problem) for problem in found)
    if "user_name" in options:
        problems.extend(duplicate_entries(name, enumerate(entries)))
    return problems
