# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._dialect import get_dialect
from ansible_collections.scim.slack.plugins.module_utils._group import GroupSpec, plan_group
from ansible_collections.scim.slack.plugins.module_utils._sync import (
    GroupIndex,
    IndexResolver,
    Pacer,
    SyncError,
    UserIndex,
    build_plan,
    check_duplicates,
    report,
)
from ansible_collections.scim.slack.plugins.module_utils._user import UserSpec, plan_user

DIRECTORY = [
    {"id": "W0000001", "userName": "carly", "active": True, "title": "CEO",
     "emails": [{"value": "carly@example.com", "primary": True}], "name": {"givenName": "Carly"}},
    {"id": "W0000002", "userName": "dan", "active": False, "emails": [{"value": "dan@example.com", "primary": True}]},
    {"id": "W0000003", "userName": "erin", "active": True, "emails": [{"value": "erin@example.com", "primary": True}]},
    {"id": "W0000004", "userName": "botty", "active": True,
     "emails": [{"value": "botty-T1@slack-bots.com", "primary": True}]},
]
GROUPS = [{"id": "S0000001", "displayName": "Eng", "members": [{"value": "W0000001"}]},
          {"id": "S0000002", "displayName": "Old", "members": []}]
SPECS = [
    {"user_name": "carly", "email": "carly@new.example.com", "title": "Chair"},
    {"user_name": "dan", "email": "dan@example.com", "active": True},
    {"id": "W0000003", "given_name": "Erin", "replace": True},
    {"user_name": "finn", "email": "finn@example.com"},
    {"email": "erin@example.com", "state": "absent"},
    {"user_name": "Carly", "title": "Chair"},
]


class SingleFinder:
    """What slack_scim_user's requests would answer, from the same directory."""

    def __init__(self, users):
        self.users = users

    def by_id(self, user_id):
        return next((u for u in self.users if u["id"] == user_id), None)

    def by_user_name(self, user_name):
        return next((u for u in self.users if u["userName"] == user_name.lower()), None)

    def by_email(self, email):
        return next((u for u in self.users for e in u["emails"] if e["value"].lower() == email.lower()), None)


class FakeClient:
    def __init__(self, api_version="v2"):
        self.dialect = get_dialect(api_version)
        self.users, self.groups = DIRECTORY, GROUPS
        self.reads = 0

    def iter_users(self):
        self.reads += 1
        return iter(self.users)

    def iter_groups(self):
        self.reads += 1
        return iter(self.groups)


@pytest.mark.parametrize("api_version", ["v1", "v2"])
@pytest.mark.parametrize("params", SPECS)
def test_user_plan_equals_the_single_module_plan(params, api_version):
    dialect = get_dialect(api_version)
    single = plan_user(SingleFinder(DIRECTORY), UserSpec(params, dialect))
    synced = plan_user(UserIndex(DIRECTORY), UserSpec(params, dialect))
    assert (synced.action, synced.write, synced.before, synced.after) == \
        (single.action, single.write, single.before, single.after)


def test_group_plan_equals_the_single_module_plan():
    class Resolver:
        def resolve(self, entries, validate_ids=()):
            finder = SingleFinder(DIRECTORY)
            return {e: finder.by_email(e) if "@" in e else finder.by_user_name(e) for e in entries}

    spec = GroupSpec({"display_name": "Eng", "members": {"set": ["erin", "carly@example.com"]}})
    single = plan_group(GroupIndex(GROUPS), Resolver(), spec)
    synced = plan_group(GroupIndex(GROUPS), IndexResolver(UserIndex(DIRECTORY), {}), spec)
    assert single.write == synced.write == ("update", "S0000001", ["W0000003"], [], None)


def test_build_plan_reads_once_and_plans_everything():
    client = FakeClient()
    params = {"users": [{"user_name": "finn", "email": "finn@example.com"}],
              "groups": [{"display_name": "Eng", "members": {"add": ["finn"]}}],
              "purge_users": True, "purge_exclude": ["erin@example.com"], "max_deactivations": 5,
              "purge_groups": True, "purge_exclude_groups": ["eng"], "max_group_deletions": 1}
    plan = build_plan(client, params, token_user_id="W0000009")
    assert client.reads == 2
    summary, changes, dummy = report(plan)
    assert summary["users"] == {"created": 1, "updated": 0, "deactivated": 1, "reactivated": 0, "unchanged": 0}
    assert summary["groups"]["deleted"] == 1 and summary["groups"]["updated"] == 1
    assert [(c["resource"], c["name"], c["action"]) for c in changes] == [
        ("user", "finn", "create"), ("user", "carly", "deactivate"), ("group", "Eng", "update"),
        ("group", "Old", "delete")]
    group_write = plan.groups[0][2].write
    assert group_write == ("update", "S0000001", ["new:finn"], [], None)


def test_purge_never_touches_the_token_user():
    plan = build_plan(FakeClient(), {"users": [], "purge_users": True, "max_deactivations": 5},
                      token_user_id="W0000001")
    assert [o.user["userName"] for o in plan.deactivations()] == ["erin"]


def test_limits_fail_with_the_plan():
    with pytest.raises(SyncError) as caught:
        build_plan(FakeClient(), {"users": [], "purge_users": True, "max_deactivations": 1}, token_user_id=None)
    assert "deactivates 2 users, more than max_deactivations=1" in str(caught.value)
    assert caught.value.plan is not None


def test_duplicates_are_named_by_position():
    dialect = get_dialect("v2")
    specs = [(0, UserSpec({"user_name": "a", "email": "x@example.com"}, dialect)),
             (1, UserSpec({"user_name": "b", "email": "X@example.com"}, dialect))]
    with pytest.raises(SyncError, match=r"users\[0\] and users\[1\] both declare email 'x@example.com'"):
        check_duplicates(specs)


def test_invalid_entries_fail_before_any_read():
    client = FakeClient()
    with pytest.raises(SyncError, match=r"users\[1\]: user_name"):
        build_plan(client, {"users": [{"user_name": "ok"}, {"user_name": "x" * 30}]})
    with pytest.raises(SyncError, match=r"groups\[0\]: members.set cannot be combined"):
        build_plan(client, {"groups": [{"display_name": "G", "members": {"set": ["a"], "add": ["b"]}}]})
    assert client.reads == 0


def test_pacer_spaces_writes():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    pacer = Pacer(120, clock=lambda: now[0], sleep=sleep)
    for dummy in range(3):
        pacer.wait()
    assert slept == [0.5, 0.5] and pacer.writes == 3
    unpaced = Pacer(0, clock=lambda: now[0], sleep=sleep)
    unpaced.wait()
    unpaced.wait()
    assert slept == [0.5, 0.5]
