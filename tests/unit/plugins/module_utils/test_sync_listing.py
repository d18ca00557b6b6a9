# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync reads its listing lean (plan_as_listed, ListedUsers): the same plans, reports and requests
as with every listed user kept whole (UserIndex, build_plan(lean=False)), on generated directories with
renames, managers, emails of other users, names listed twice and purges."""

from __future__ import annotations

import copy
import random

import pytest

from ansible_collections.scim.slack.plugins.module_utils._sync_apply import Pacer, execute
from ansible_collections.scim.slack.plugins.module_utils._sync_listing import SLIM_KEYS, ListedUsers
from ansible_collections.scim.slack.plugins.module_utils._sync_plan import SyncError
from ansible_collections.scim.slack.plugins.module_utils._sync_report import report
from ansible_collections.scim.slack.tests.unit.plugins.module_utils.test_sync import (
    DIRECTORY,
    GROUPS,
    FakeClient,
    build_plan,
)

V2_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def listed(index, active=True):
    """A user as a listing answers it: placeholders, meta, schemas, groups and names beyond ASCII."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", V2_ENTERPRISE],
        "id": "W2%07d" % index, "externalId": "", "meta": {"created": "2026-01-01T00:00:00+00:00"},
        "userName": "user%d" % index, "nickName": "user%d" % index,
        "name": {"givenName": "Zoë" if index % 3 else "Ann", "familyName": "Ørsted %d" % index},
        "displayName": "User %d" % index, "title": ["", "Engineer", "CEO"][index % 3], "active": active,
        "emails": [{"value": "user%d@example.com" % index, "primary": True}],
        "phoneNumbers": [{"value": None, "type": "mobile"}, {"value": "+1 555 %04d" % index, "primary": True}],
        "addresses": [{"streetAddress": None, "locality": "Oslo" if index % 2 else None}],
        "photos": [{"value": "https://avatars.slack-edge.com/%d.png" % index, "type": "photo"}],
        V2_ENTERPRISE: {"department": "Dept %d" % (index % 4), "manager": {"managerId": "W2%07d" % max(0, index - 1)}},
        "groups": [{"value": "S0000001", "display": "Eng"}],
    }


class Recording(FakeClient):
    """FakeClient, with the bodies of the writes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bodies = []

    def create_user(self, body):
        self.bodies.append(("POST", copy.deepcopy(body)))
        return super().create_user(body)

    def patch_user(self, user_id, partial):
        self.bodies.append(("PATCH", user_id, copy.deepcopy(partial)))
        return super().patch_user(user_id, partial)

    def update_user(self, body):
        self.bodies.append(("PUT", copy.deepcopy(body)))
        return super().update_user(body)

    def update_group_members(self, group_id, add=(), remove=(), display_name=None, batch_size=None):
        self.bodies.append(("PATCH", group_id, sorted(add), sorted(remove), display_name))
        return super().update_group_members(group_id, add, remove, display_name, batch_size)


def converge(lean, users, groups, params, check_mode):
    client = Recording(users=users, groups=groups)
    try:
        plan = build_plan(client, copy.deepcopy(params), token_user_id="W00000009", lean=lean)
    except SyncError as exc:
        return ("failed", str(exc))
    failures = [] if check_mode else execute(client, plan, Pacer(0, sleep=lambda seconds: None), True)
    return report(plan), plan.warnings, plan.spared, failures, client.bodies


def random_specs(rng, users, conflicts):
    """Entries that find users every way, change some attributes, replace some, create and deactivate."""
    specs = []
    for position, user in enumerate(users):
        roll = rng.random()
        entry = {"user_name": user["userName"]} if roll < 0.6 else {"email": user["emails"][0]["value"]} \
            if roll < 0.8 else {"id": user["id"]}
        if rng.random() < 0.3:
            entry["title"] = rng.choice(["", "Engineer", "CEO", "Chair"])
        if rng.random() < 0.2:
            entry["enterprise"] = {"department": rng.choice(["Dept 0", "Dept 9"]),
                                   "manager_id": rng.choice([u["userName"] for u in users])}
        if rng.random() < 0.1:
            entry.update(replace=True, given_name="Given")
        if rng.random() < 0.05:  # a rename: a new user name, found by email
            entry = {"user_name": "renamed%d" % position, "email": user["emails"][0]["value"]}
        if conflicts and rng.random() < 0.05:  # the email of another user: the plan fails, alike
            entry = {"user_name": user["userName"], "email": rng.choice(users)["emails"][0]["value"]}
        if rng.random() < 0.1:
            entry["extra_attributes"] = rng.choice([{"meta": {"created": "x"}}, {"groups": []},
                                                    {"schemas": user["schemas"]}, {"externalId": "hr-1"}])
        if position >= 10 and rng.random() < 0.1:  # the groups name users 0 to 4
            entry = {"user_name": user["userName"], "state": "absent"}
        if position >= 10 and rng.random() < 0.1:
            entry["active"] = not user["active"]
        specs.append(entry)
    specs.append({"user_name": "newcomer", "email": "newcomer@example.com", "title": "New"})
    return specs


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("check_mode", [True, False], ids=["check", "real"])
@pytest.mark.parametrize("conflicts", [False, True], ids=["plannable", "conflicting"])
def test_lean_and_whole_listings_plan_and_write_alike(seed, check_mode, conflicts):
    rng = random.Random(seed)
    users = [listed(index, active=index < 5 or rng.random() > 0.1) for index in range(40)]
    if seed % 3 == 1:  # a user name and an email listed twice: the later user is the one lookups find
        users[20]["userName"] = users[30]["userName"] = "twice"
        users[21]["emails"] = [dict(users[31]["emails"][0])]
    groups = [{"id": "S0000001", "displayName": "Eng", "members": [{"value": users[0]["id"]}]},
              {"id": "S0000002", "displayName": "Old", "members": []}]
    params = {"users": random_specs(rng, users[:30], conflicts),
              "groups": [{"display_name": "Eng", "members": {"set": ["user1", "user2@example.com", users[3]["id"]]}},
                         {"display_name": "New", "members": {"add": ["newcomer", "user4"]}}],
              "purge_users": seed % 2 == 0, "purge_exclude": ["user35"], "purge_groups": seed % 3 == 0,
              "max_deactivations": None, "max_group_deletions": None, "max_member_removals": None}
    whole = converge(False, copy.deepcopy(users), copy.deepcopy(groups), params, check_mode)
    lean = converge(True, copy.deepcopy(users), copy.deepcopy(groups), params, check_mode)
    assert conflicts or whole[0] != "failed", whole
    assert lean == whole


def test_the_fixed_directory_of_the_sync_tests_alike():
    params = {"users": [{"user_name": "carly", "email": "carly@new.example.com", "title": "Chair"},
                        {"user_name": "dan", "email": "dan@example.com", "active": True},
                        {"id": "W00000003", "given_name": "Erin", "replace": True}],
              "groups": [{"display_name": "Eng", "members": {"set": ["carly", "dan"]}}], "purge_users": True}
    whole = converge(False, DIRECTORY, GROUPS, params, False)
    lean = converge(True, DIRECTORY, GROUPS, params, False)
    assert lean == whole and [body[0] for body in lean[4]] == ["PATCH", "PATCH", "PUT", "PATCH"]


def test_lookups_answer_slim_records_and_whole_the_users_kept():
    users = [listed(index) for index in range(5)]
    index = ListedUsers()
    for user in copy.deepcopy(users):
        index.add(user, keep=user["id"] != users[4]["id"])
    slim = [dict((key, user[key]) for key in SLIM_KEYS if key in user) for user in users]
    assert index.users == slim
    assert index.by_id(users[2]["id"]) == slim[2] and index.whole(index.by_id(users[2]["id"])) == users[2]
    assert index.whole(index.by_user_name("USER3")) == users[3]
    assert index.whole(index.by_reference("user1@example.com")) == users[1]
    assert index.by_id("W0NOBODY") is None and index.whole(None) is None
    with pytest.raises(ValueError):
        index.whole(index.by_id(users[4]["id"]))


def test_a_listing_read_lean_keeps_whole_only_the_users_entries_still_need():
    users = [listed(index) for index in range(6)]
    users[5]["userName"] = users[4]["userName"]  # the later of two users with one name is the one found
    params = {"users": [{"user_name": "user0"},                                   # found as listed: let go
                        {"user_name": "user1", "enterprise": {"manager_id": "user0"}},  # looks up a manager
                        {"user_name": "renamed", "email": "user2@example.com"},     # found by email
                        {"user_name": users[4]["userName"]}]}                     # a name listed twice
    plan = build_plan(FakeClient(users=users, groups=[]), params, token_user_id="W00000009")
    assert sorted(plan.index._packed) == sorted([users[1]["id"], users[2]["id"], users[5]["id"]])
    assert [entry.current["id"] for entry in plan.users] == [users[0]["id"], users[1]["id"], users[2]["id"],
                                                             users[5]["id"]]
