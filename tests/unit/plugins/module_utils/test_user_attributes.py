# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The user attribute table is the one source: the modules' documented options and the argspec agree with it."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.scim.slack.plugins.module_utils._user_attributes import (
    ATTRIBUTES,
    CREATE_ONLY_CHOICES,
    option_docs,
)
from ansible_collections.scim.slack.plugins.modules import slack_scim_sync, slack_scim_user

FIX = "run `python hacking/option_docs.py` to write the table's options into the modules"


# slack_scim_user's options that are no user attribute (Enterprise Grid's), documented by hand after the table's.
NOT_ATTRIBUTES = ("workspaces",)


def documented(module):
    return yaml.safe_load(module.DOCUMENTATION)["options"]


def test_slack_scim_user_documents_the_table_s_options():
    options = documented(slack_scim_user)
    assert {name: doc for name, doc in options.items() if name not in NOT_ATTRIBUTES} == option_docs(), FIX


def test_slack_scim_sync_documents_the_table_s_options_as_users_suboptions():
    users = documented(slack_scim_sync)["users"]
    table = dict((name, doc) for name, doc in users["suboptions"].items() if name != "workspaces")  # Grid's, not the table's
    assert table == option_docs("scim.slack.slack_scim_user#module"), FIX


def _shape(options, spec_style):
    """Names, types, choices, defaults, elements, required and suboptions, from docs or from an argspec."""
    shape = {}
    for name, entry in options.items():
        subs = entry.get("options" if spec_style else "suboptions")
        shape[name] = dict((key, entry[key]) for key in ("type", "elements", "choices", "default", "required")
                           if entry.get(key) not in (None, False))
        if subs:
            shape[name]["suboptions"] = _shape(subs, spec_style)
    return shape


@pytest.mark.parametrize("module", [slack_scim_user, slack_scim_sync])
def test_the_documented_options_are_the_argspec(module):
    options = documented(module)
    if module is slack_scim_sync:
        options = options["users"]["suboptions"]
        argument_spec = module.argument_spec()["users"]["options"]
    else:
        argument_spec = module.module_kwargs()["argument_spec"]
    assert _shape(options, False) == _shape(argument_spec, True)


def test_every_row_is_documented_and_create_only_names_attributes_only():
    assert all(row.description for row in ATTRIBUTES)
    assert all(key.description for row in ATTRIBUTES for key in row.keys)
    kinds = dict((row.option, row.kind) for row in ATTRIBUTES)
    assert all(kinds[option] not in ("control", "alias", "create") for option in CREATE_ONLY_CHOICES)
    assert len(set(kinds)) == len(ATTRIBUTES)
