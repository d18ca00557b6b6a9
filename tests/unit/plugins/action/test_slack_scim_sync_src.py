# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync's action plugin: src read on the controller, then handed over to validation."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from ansible.errors import AnsibleActionFail, AnsibleFileNotFound
from ansible.parsing.dataloader import DataLoader

from ansible_collections.scim.slack.plugins.action.slack_scim_sync import ActionModule
from ansible_collections.scim.slack.plugins.modules import slack_scim_sync

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN, in_process

USERS = [{"user_name": "grace", "email": "grace@example.com", "start_date": "2024-04-10"}]


def plugin(args, found=None):
    action = ActionModule(task=mock.MagicMock(args=args), connection=mock.MagicMock(), play_context=mock.MagicMock(),
                          loader=DataLoader(), templar=mock.MagicMock(), shared_loader_obj=mock.MagicMock())
    action._find_needle = mock.MagicMock(side_effect=found or AnsibleFileNotFound("Could not find or access 'x'"))
    return action


def test_src_becomes_users_and_groups(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"users": USERS}))
    action = plugin({"src": "d.json", "write_rate": 0}, found=lambda kind, name: str(path))
    assert action.task_arguments() == {"write_rate": 0, "users": USERS}
    action._find_needle.assert_called_once_with("files", "d.json")


def test_src_with_users_or_groups_goes_to_validation_as_given():
    for args in ({"src": "d.json", "users": []}, {"src": "d.json", "groups": []}, {"users": USERS}):
        action = plugin(args)
        assert action.task_arguments() is action._task.args
        action._find_needle.assert_not_called()


def test_a_missing_file_fails_the_task_naming_it():
    with pytest.raises(AnsibleActionFail) as caught:
        plugin({"src": "missing.yml"}).task_arguments()
    assert "Could not find or access" in str(caught.value)


def test_src_and_users_are_mutually_exclusive_for_validation():
    args = {"src": "d.json", "users": [], "token": TOKEN, "api_url": BASE % "v2", "_ansible_module_name": "sync"}
    rc, result, dummy = in_process(slack_scim_sync, args)
    assert rc == 1 and result["msg"] == "parameters are mutually exclusive: src|users"


def test_the_module_without_its_action_plugin_says_src_needs_it():
    args = {"src": "/tmp/d.json", "token": TOKEN, "api_url": BASE % "v2"}
    rc, result, dummy = in_process(slack_scim_sync, args)
    assert rc == 1 and "action plugin" in result["msg"]
