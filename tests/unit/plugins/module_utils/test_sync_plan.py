# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_sync_plan.py: what a plan counts: its deactivations, its members' removals, its entries' transitions."""

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._sync_plan import SyncError

from ansible_collections.scim.slack.tests.unit.plugins.module_utils.test_sync import (
    FakeClient,
    big_group,
    build_plan,
    person,
    plan_of,
)


def test_member_removals_of_deactivated_users_count_as_deactivations():
    client = FakeClient(users=[person(i) for i in range(3)], groups=big_group(3))
    plan = build_plan(client, {"users": [{"user_name": "person1", "state": "absent"}],
                               "groups": [{"display_name": "Big", "members": {"set": ["person0", "person2"]}}],
                               "max_member_removals": 0, "max_deactivations": 1})
    assert plan.member_removals() == []
    with pytest.raises(SyncError, match="max_member_removals=0"):
        build_plan(client, {"groups": [{"display_name": "Big", "members": {"set": ["person0", "person2"]}}],
                            "max_member_removals": 0})


def test_an_inactive_user_patched_stays_an_update():
    plan = plan_of({"users": [{"user_name": "dan", "title": "Ex"}]})
    assert plan.users[0].transition == "update" and plan.deactivations() == []
