# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The group option table is the one source: the modules' documented options and the argspecs agree with it."""

from __future__ import annotations

from ansible_collections.scim.slack.plugins.module_utils._group import IF_STILL_MISSING
from ansible_collections.scim.slack.plugins.module_utils._group_options import (
    CONNECTIONS,
    LOOKUP_FAILURE_ACTIONS,
    OPTIONS,
    group_argument_spec,
    option_docs,
)
from ansible_collections.scim.slack.plugins.modules import slack_scim_group, slack_scim_sync
from ansible_collections.scim.slack.tests.unit.plugins.module_utils.test_user_attributes import _shape, documented

FIX = "run `python hacking/option_docs.py` to write the table's options into the modules"
REFERENCE = "scim.slack.slack_scim_group#module"


def test_slack_scim_group_documents_the_table_s_options():
    assert documented(slack_scim_group) == option_docs(), FIX


def test_slack_scim_sync_documents_the_table_s_options_as_groups_suboptions():
    assert documented(slack_scim_sync)["groups"]["suboptions"] == option_docs(REFERENCE), FIX


def test_sync_refers_to_the_module_for_the_options_it_takes_alike():
    entry = option_docs(REFERENCE)
    assert entry["members"]["suboptions"]["set"]["description"] == "As O(%s:members.set)." % REFERENCE
    assert entry["workspaces"]["type"] == "raw" and "plain list" in entry["workspaces"]["description"][0]


def test_slack_scim_group_documents_its_argspec():
    argument_spec = slack_scim_group.module_kwargs()["argument_spec"]
    assert _shape(documented(slack_scim_group), False) == _shape(argument_spec, True)


def test_slack_scim_sync_documents_the_argspec_of_its_groups():
    argument_spec = slack_scim_sync.argument_spec()["groups"]["options"]
    assert _shape(documented(slack_scim_sync)["groups"]["suboptions"], False) == _shape(argument_spec, True)


def test_the_argspec_is_the_group_options_and_the_modules_add_the_connections():
    connections = [row.option for row in CONNECTIONS]
    assert list(group_argument_spec()) == [row.option for row in OPTIONS if row.option not in connections]
    assert set(slack_scim_group.module_kwargs()["argument_spec"]) >= set(group_argument_spec()) | set(connections)
    assert group_argument_spec()["lookup_failure_action"]["choices"] == list(LOOKUP_FAILURE_ACTIONS)


def test_every_option_is_documented_and_every_lookup_failure_action_has_an_outcome():
    rows = OPTIONS + tuple(sub for row in OPTIONS for sub in row.suboptions)
    assert all(row.description for row in rows)
    assert all(row.in_sync is None for row in OPTIONS if row not in CONNECTIONS)
    assert len(set(row.option for row in OPTIONS)) == len(OPTIONS)
    assert set(IF_STILL_MISSING) == set(LOOKUP_FAILURE_ACTIONS)
