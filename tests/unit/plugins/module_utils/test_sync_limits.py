# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_sync_limits.py: the limits fail the plan, before the first write, naming what it would change."""

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._sync_limits import DEFAULT_LIMITS
from ansible_collections.scim.slack.plugins.module_utils._sync_plan import SyncError
from ansible_collections.scim.slack.plugins.module_utils._sync_report import report

from ansible_collections.scim.slack.tests.unit.plugins.module_utils.test_sync import (
    FakeClient,
    big_group,
    build_plan,
    person,
    plan_of,
)


def test_limits_fail_with_the_plan():
    with pytest.raises(SyncError) as caught:
        plan_of({"users": [], "purge_users": True, "max_deactivations": 1}, token_user_id=None)
    assert "deactivates 2 users, more than max_deactivations=1" in str(caught.value)
    assert caught.value.plan is not None


def test_active_false_counts_as_a_deactivation_in_the_limit_and_the_summary():
    users = [person(i) for i in range(12)]
    params = {"users": [{"user_name": "person%d" % i, "active": False} for i in range(12)]}
    with pytest.raises(SyncError, match=r"deactivates 12 users, more than max_deactivations=10"):
        plan_of(params, FakeClient(users=users, groups=[]))
    plan = plan_of(dict(params, max_deactivations=12), FakeClient(users=users, groups=[]))
    summary, changes, dummy = report(plan)
    assert summary["users"]["deactivated"] == 12 and summary["users"]["updated"] == 0
    assert {c["action"] for c in changes} == {"deactivate"}


def test_member_removals_over_the_limit_fail_showing_the_plan():
    client = FakeClient(users=[person(i) for i in range(60)], groups=big_group(60))
    with pytest.raises(SyncError) as caught:
        build_plan(client, {"groups": [{"display_name": "Big", "members": {"set": ["person0"]}}]})
    message = str(caught.value)
    assert "removes 59 group memberships, more than max_member_removals=50" in message
    assert "Big (S10000001) loses person1 (W10000001)" in message and "and 9 more" in message
    assert caught.value.plan is not None and client.writes == []


# max_workspace_removals: test_sync_workspaces.py, on a Grid org.
@pytest.mark.parametrize("option", sorted(set(DEFAULT_LIMITS) - {"max_workspace_removals"}))
def test_null_means_no_limit(option):
    users = [person(i) for i in range(120)]
    groups = big_group(120) + [{"id": "S2%07d" % i, "displayName": "G%d" % i, "members": []} for i in range(3)]
    params = {"users": [{"user_name": "person%d" % i, "state": "absent"} for i in range(60, 120)],
              "groups": [{"display_name": "Big", "members": {"set": ["person0"]}}], "purge_groups": True,
              "max_deactivations": None, "max_group_deletions": None, "max_member_removals": None}
    plan = plan_of(params, FakeClient(users=users, groups=groups))
    assert len(plan.deactivations()) == 60 and len(plan.group_deletions()) == 3
    assert sum(len(ids) for _e, ids in plan.member_removals()) == 59
    with pytest.raises(SyncError, match="%s=%d" % (option, DEFAULT_LIMITS[option])):
        plan_of(dict((k, v) for k, v in params.items() if k != option), FakeClient(users=users, groups=groups))
