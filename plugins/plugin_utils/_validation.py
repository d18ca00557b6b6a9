# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Long lists of entries validated entry by entry, before AnsibleModule validates the rest.

Internal to scim.slack; the API may change.

slack_scim_sync's 10,000 users cost ansible-core's validator about 90 us an entry.  An entry that needs
nothing but defaults (every key known, every value already of its type and among its choices, the option's
mutually_exclusive and required_one_of met) comes out of the validator as itself plus its defaults:
``plain_entry`` makes exactly that, key order included, and the validator is handed the list empty.  If one
entry needs more (a conversion, a message), nothing is taken out, so every message is ansible-core's.
``tests/unit/plugins/plugin_utils/test_validation.py`` holds the two equal over generated directories.
"""

from __future__ import annotations

import copy

# A list of at least this many dicts (slack_scim_sync's users) is validated entry by entry below.
MANY_ENTRIES = 100
# Option types whose values an entry holds as they are, when of exactly this Python type.
PLAIN_TYPES = {"str": str, "bool": bool, "int": int, "float": float}
# Option settings the entry-by-entry validation does not implement: a spec using one is left to ansible-core.
NOT_PLAIN = ("aliases", "fallback", "no_log", "removed_in_version", "removed_at_date", "deprecated_aliases",
             "apply_defaults", "required_together", "required_if", "required_by", "mutually_exclusive_groups")
_NOT_PLAIN = object()


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


def prevalidate(argument_spec, params):
    """The long lists of ``params`` whose every entry is plain, validated: ``{option: entries}``.  Empty
    when any entry of any long list is not plain (then the validator sees every entry)."""
    validated = {}
    for name, option in argument_spec.items():
        entries = params.get(name)
        if exactly(entries, list) and len(entries) >= MANY_ENTRIES and option.get("type") == "list" \
                and option.get("elements") == "dict" and option.get("options") and plain_spec(option):
            entries = [plain_entry(option["options"], option, entry) for entry in entries]
            if any(entry is _NOT_PLAIN for entry in entries):
                return {}
            validated[name] = entries
    return validated
