# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Long lists of entries (slack_scim_sync's users and groups) validated entry by entry, and the rest by
ansible-core's ArgumentSpecValidator as InProcessModule does it, give exactly what the validator gives alone:
the same validated parameters, in the same key order, and, when an entry needs more than defaults, the
validator's own messages."""

from __future__ import annotations

import copy
import json
import random

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.scim.slack.plugins.module_utils._module import full_argument_spec
from ansible_collections.scim.slack.plugins.modules import slack_scim_sync
from ansible_collections.scim.slack.plugins.plugin_utils import _validation

SPEC = full_argument_spec(slack_scim_sync.argument_spec())
RULES = {key: value for key, value in slack_scim_sync.module_kwargs().items()
         if key in ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")}
WORDS = ["grace", "Linus", "zoë", "", "  ", "a b", "W0123ABCDE", "x@example.com", "present", "absent"]


def value_for(option, rng, plain):
    """A value of ``option``'s type (or, when not ``plain``, sometimes one that needs converting)."""
    kind = option.get("type", "str")
    if option.get("choices"):
        if kind == "list":
            return rng.sample(list(option["choices"]), rng.randint(0, 3))
        return rng.choice(list(option["choices"]))
    if not plain and rng.random() < 0.3:
        return rng.choice([1, "yes", 2.5, ["a"], {"k": "v"}, "k=v", None, True])
    if kind == "str":
        return rng.choice(WORDS)
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "raw":
        return rng.choice([None, 5, "10", 2.0])
    if kind == "dict":
        if option.get("options"):
            return entry_for(option["options"], option, rng, plain)
        return {"externalId": rng.choice(WORDS), "nested": {"list": [1, 2]}}
    if kind == "list":
        if option.get("elements") == "dict":
            return [entry_for(option["options"], option, rng, plain) for dummy in range(rng.randint(0, 2))]
        return [rng.choice(WORDS) for dummy in range(rng.randint(0, 3))]
    raise AssertionError(kind)


def entry_for(spec, option, rng, plain):
    entry = {}
    keys = list(spec)
    rng.shuffle(keys)
    for key in keys[:rng.randint(0, len(keys))]:
        if any(key in group for group in option.get("mutually_exclusive") or ()) and \
                any(other in entry for group in option["mutually_exclusive"] if key in group for other in group):
            continue
        nullable = spec[key].get("default") is None and not spec[key].get("required") and \
            (not plain or spec[key].get("choices") is None)
        entry[key] = None if nullable and rng.random() < 0.1 else value_for(spec[key], rng, plain)
    for key, sub in spec.items():
        if sub.get("required") and key not in entry:
            entry[key] = value_for(sub, rng, plain)
    for group in option.get("required_one_of") or ():
        if not any(key in entry for key in group):
            entry[group[0]] = value_for(spec[group[0]], rng, plain)
    if not plain and rng.random() < 0.05:
        entry["bogus"] = 1
    return entry


def params_for(rng, plain, count=120):
    users = [entry_for(SPEC["users"]["options"], SPEC["users"], rng, plain) for dummy in range(count)]
    groups = [entry_for(SPEC["groups"]["options"], SPEC["groups"], rng, plain) for dummy in range(count)]
    return {"token": "xoxp-secret", "users": users, "groups": groups, "write_rate": 0, "max_deactivations": None}


def outcome(validate, params):
    """What validating gives: the validated parameters (in order), the messages and the no_log values; or,
    where ansible-core's validator itself raises (a bool for a dict with suboptions), that exception."""
    try:
        result = validate(copy.deepcopy(params))
    except Exception as exc:  # pylint: disable=broad-except
        return ("raised", type(exc).__name__, str(exc))
    return (json.dumps(result.validated_parameters, default=repr), [str(error) for error in result.errors],
            sorted(result._no_log_values))


def validate(spec, rules, params):
    """As InProcessModule validates: long plain lists entry by entry, handed to the validator empty."""
    prevalidated = _validation.prevalidate(spec, params)
    result = ArgumentSpecValidator(spec, **rules).validate(dict(params, **dict((name, []) for name in prevalidated)))
    if not result.errors.errors:
        result._validated_parameters.update(prevalidated)
    return result


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("plain", [True, False], ids=["plain", "mixed"])
def test_entry_by_entry_validation_is_ansible_cores(seed, plain):
    params = params_for(random.Random(seed), plain)
    expected = outcome(ArgumentSpecValidator(SPEC, **RULES).validate, params)
    assert outcome(lambda copied: validate(SPEC, RULES, copied), params) == expected
    if plain:
        assert expected[1] == [], expected[1]  # these take the entry-by-entry path


def test_plain_entries_take_the_entry_by_entry_path(monkeypatch):
    calls = []
    real = ArgumentSpecValidator.validate
    monkeypatch.setattr(ArgumentSpecValidator, "validate",
                        lambda self, parameters: calls.append(len(parameters["users"])) or real(self, parameters))
    params = params_for(random.Random(7), True)
    result = validate(SPEC, RULES, params)
    assert calls == [0] and len(result.validated_parameters["users"]) == 120
    params["users"][5]["active"] = "yes"  # needs a conversion: the whole task goes to the validator
    calls.clear()
    result = validate(SPEC, RULES, params)
    assert calls == [120] and result.validated_parameters["users"][5]["active"] is True


def test_every_option_of_the_collection_is_one_the_entry_by_entry_path_implements():
    assert _validation.plain_spec(SPEC["users"]) and _validation.plain_spec(SPEC["groups"])
    assert not _validation.plain_spec({"options": {"name": {"type": "str", "aliases": ["label"]}}})
    assert not _validation.plain_spec({"options": {"path": {"type": "path"}}})
