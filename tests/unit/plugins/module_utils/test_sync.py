# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy

import pytest

from ansible_collections.scim.slack.plugins.module_utils._dialect import get_dialect
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._group import (
    GroupSpec,
    MemberResolver,
    apply_group,
    find_group,
    plan_group,
)
from ansible_collections.scim.slack.plugins.module_utils._index import GroupIndex, UserIndex
from ansible_collections.scim.slack.plugins.module_utils._outcome import Outcome, Write
from ansible_collections.scim.slack.plugins.module_utils._sync import (
    DEFAULT_LIMITS,
    Pacer,
    SyncError,
    build_plan,
    execute,
    report,
)
from ansible_collections.scim.slack.plugins.module_utils._user_plan import plan_user
from ansible_collections.scim.slack.plugins.module_utils._user_spec import UserSpec, duplicate_entries
from ansible_collections.scim.slack.plugins.modules.slack_scim_sync import whole_number

CARLY, DAN, ERIN, BOTTY = "W00000001", "W00000002", "W00000003", "W00000004"
DIRECTORY = [
    {"id": CARLY, "userName": "carly", "active": True, "title": "CEO",
     "emails": [{"value": "carly@example.com", "primary": True}], "name": {"givenName": "Carly"}},
    {"id": DAN, "userName": "dan", "active": False, "emails": [{"value": "dan@example.com", "primary": True}]},
    {"id": ERIN, "userName": "erin", "active": True, "emails": [{"value": "erin@example.com", "primary": True}]},
    {"id": BOTTY, "userName": "botty", "active": True,
     "emails": [{"value": "botty-T1@slack-bots.com", "primary": True}]},
]
ENG, OLD = "S00000001", "S00000002"
GROUPS = [{"id": ENG, "displayName": "Eng", "members": [{"value": CARLY}]},
          {"id": OLD, "displayName": "Old", "members": []}]
SPECS = [
    {"user_name": "carly", "email": "carly@new.example.com", "title": "Chair"},
    {"user_name": "dan", "email": "dan@example.com", "active": True},
    {"id": ERIN, "given_name": "Erin", "replace": True},
    {"user_name": "finn", "email": "finn@example.com"},
    {"email": "erin@example.com", "state": "absent"},
    {"user_name": "Carly", "title": "Chair"},
    {"user_name": "carly", "active": False},
]


def person(index, active=True):
    return {"id": "W1%07d" % index, "userName": "person%d" % index, "active": active,
            "emails": [{"value": "person%d@example.com" % index, "primary": True}]}


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

    def by_reference(self, entry):
        return UserIndex(self.users).by_reference(entry)


class FakeClient:
    """The listings of a directory, and a write log; ``fail`` maps (method, id) to an error to raise."""

    def __init__(self, api_version="v2", users=None, groups=None, fail=()):
        self.dialect = get_dialect(api_version)
        self.users = copy.deepcopy(DIRECTORY if users is None else users)
        self.groups = copy.deepcopy(GROUPS if groups is None else groups)
        self.reads = 0
        self.writes = []
        self.fail = dict(fail)
        self.created = 0

    def iter_users(self):
        self.reads += 1
        return iter(self.users)

    def iter_groups(self):
        self.reads += 1
        return iter(self.groups)

    def _write(self, method, target):
        self.writes.append((method, target))
        if (method, target) in self.fail:
            raise ScimError("%s %s failed: HTTP 500 internal_error" % (method, target), status=500)

    def create_user(self, body):
        self._write("POST", body["userName"])
        self.created += 1
        return dict(body, id="W9%07d" % self.created)

    def patch_user(self, user_id, partial):
        self._write("PATCH", user_id)
        return None

    def update_user(self, body):
        self._write("PUT", body["id"])
        return body

    def delete_user(self, user_id):
        self._write("DELETE", user_id)

    def update_group_members(self, group_id, add=(), remove=(), display_name=None, batch_size=None):
        self._write("PATCH", group_id)
        return None

    def create_group(self, body):
        self._write("POST", body["displayName"])
        return dict(body, id="S9%07d" % len(self.writes))

    def delete_group(self, group_id):
        self._write("DELETE", group_id)


def plan_of(params, client=None, token_user_id="W00000009"):
    return build_plan(client or FakeClient(), dict(params), token_user_id=token_user_id)


def unpaced():
    return Pacer(0, sleep=lambda seconds: None)


# -- the same plans as the single modules ----------------------------------------------------------

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
    groups = GroupIndex(GROUPS)
    single = plan_group(groups, Resolver(), spec, find_group(groups, spec))
    synced = plan_group(groups, MemberResolver(index=UserIndex(DIRECTORY)), spec, find_group(groups, spec))
    assert single.write == synced.write == Write("update", id=ENG, add=[ERIN], remove=[])


def test_build_plan_reads_once_and_plans_everything():
    client = FakeClient()
    params = {"users": [{"user_name": "finn", "email": "finn@example.com"}],
              "groups": [{"display_name": "Eng", "members": {"add": ["finn"]}}],
              "purge_users": True, "purge_exclude": ["erin@example.com"], "max_deactivations": 5,
              "purge_groups": True, "purge_exclude_groups": ["eng"], "max_group_deletions": 1}
    plan = build_plan(client, params, token_user_id="W00000009")
    assert client.reads == 2
    summary, changes, dummy = report(plan)
    assert summary["users"] == {"created": 1, "updated": 0, "deactivated": 1, "reactivated": 0, "unchanged": 0,
                                "failed": 0, "to_guest": 0, "to_member": 0, "workspaces_added": 0,
                                "workspaces_removed": 0}
    assert summary["groups"]["deleted"] == 1 and summary["groups"]["updated"] == 1
    assert [(c["resource"], c["name"], c["action"]) for c in changes] == [
        ("user", "finn", "create"), ("user", "carly", "deactivate"), ("group", "Eng", "update"),
        ("group", "Old", "delete")]
    assert plan.groups[0].outcome.write == Write("update", id=ENG, add=["new:finn"], remove=[])


def test_purge_never_touches_the_token_user():
    plan = plan_of({"users": [], "purge_users": True, "max_deactivations": 5}, token_user_id=CARLY)
    assert [e.name for e in plan.deactivations()] == ["erin"]


def test_limits_fail_with_the_plan():
    with pytest.raises(SyncError) as caught:
        plan_of({"users": [], "purge_users": True, "max_deactivations": 1}, token_user_id=None)
    assert "deactivates 2 users, more than max_deactivations=1" in str(caught.value)
    assert caught.value.plan is not None


def test_duplicates_are_named_by_position():
    entries = [{"user_name": "a", "email": "x@example.com"}, {"user_name": "b", "emails": [{"value": "X@example.com"}]},
               {"nick_name": "A"}]
    assert duplicate_entries("users", enumerate(entries)) == [
        "users[0] and users[1] both declare email 'x@example.com'", "users[0] and users[2] both declare user_name 'a'"]


def test_every_problem_is_named_in_one_round_duplicates_included():
    client = FakeClient()
    with pytest.raises(SyncError) as caught:
        build_plan(client, {"users": [{"user_name": "ok1"}, {"user_name": "OK1"}, {"user_name": "x" * 30}],
                            "groups": [{"display_name": "G", "members": {"set": ["a"], "add": ["b"]}}]})
    message = str(caught.value)
    assert message.startswith("3 entries cannot be planned; nothing was changed")
    assert "users[2]: user_name" in message and "groups[0]: members.set cannot be combined" in message
    assert "users[0] and users[1] both declare user_name 'ok1'" in message
    assert client.reads == 0


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
    assert slept == [0.5, 0.5] and now[0] == 1.0
    unpaced_pacer = Pacer(0, clock=lambda: now[0], sleep=sleep)
    unpaced_pacer.wait()
    unpaced_pacer.wait()
    assert slept == [0.5, 0.5]


# -- 13.2: purge_exclude_groups by ID or by display name ------------------------------------------

@pytest.mark.parametrize("exclusion", [OLD, "old", "OLD", "Old"])
def test_purge_exclude_groups_by_id_or_display_name_spares_the_group(exclusion):
    plan = plan_of({"groups": [{"display_name": "Eng"}], "purge_groups": True,
                    "purge_exclude_groups": [exclusion], "max_group_deletions": 5})
    assert plan.group_deletions() == []
    assert plan.spared == [{"resource": "group", "id": OLD, "name": "Old", "reason": "excluded"}]
    assert plan.warnings == []


# -- 13.3: continue_on_error counts only what was written -----------------------------------------

def test_failed_writes_are_counted_by_resource_and_id_not_by_name():
    users = DIRECTORY + [{"id": "W00000005", "userName": "eng", "active": True,
                          "emails": [{"value": "eng@example.com", "primary": True}]}]
    groups = GROUPS + [{"id": "S00000005", "displayName": "eng", "members": []}]
    client = FakeClient(users=users, groups=groups, fail={("PATCH", "W00000005"): 1, ("PATCH", ERIN): 1})
    plan = build_plan(client, {"users": [{"user_name": "eng", "title": "Lead"},
                                         {"email": "erin@example.com", "title": "Lead"}],
                               "groups": [{"display_name": "eng", "members": {"add": ["carly"]}}]})
    failures = execute(client, plan, unpaced(), continue_on_error=True)
    assert [(f["resource"], f["id"], f["name"]) for f in failures] == [("user", "W00000005", "eng"),
                                                                       ("user", ERIN, "erin")]
    summary, changes, diff = report(plan)
    assert summary["users"]["updated"] == 0 and summary["users"]["failed"] == 2
    assert summary["groups"]["updated"] == 1 and summary["groups"]["failed"] == 0
    assert [(c["resource"], c["name"]) for c in changes] == [("group", "eng")]
    assert [d["before_header"] for d in diff] == ["group eng (S00000005)"]


def test_only_failed_writes_mean_no_change():
    client = FakeClient(fail={("PATCH", ERIN): 1})
    plan = build_plan(client, {"users": [{"email": "erin@example.com", "title": "Lead"}]})
    assert len(execute(client, plan, unpaced(), continue_on_error=True)) == 1
    summary, changes, dummy = report(plan)
    assert changes == [] and summary["users"]["updated"] == 0 and summary["users"]["failed"] == 1


def test_group_naming_a_user_whose_creation_failed_is_not_written():
    client = FakeClient(fail={("POST", "finn"): 1})
    plan = build_plan(client, {"users": [{"user_name": "finn", "email": "finn@example.com"}],
                               "groups": [{"display_name": "Eng", "members": {"add": ["finn", "erin"]}}]})
    failures = execute(client, plan, unpaced(), continue_on_error=True)
    assert [(f["resource"], f["name"]) for f in failures] == [("user", "finn"), ("group", "Eng")]
    assert "finn" in failures[1]["msg"] and client.writes == [("POST", "finn")]


def test_without_continue_on_error_the_first_failure_is_raised():
    client = FakeClient(fail={("PATCH", ERIN): 1})
    plan = build_plan(client, {"users": [{"email": "erin@example.com", "title": "Lead"},
                                         {"user_name": "carly", "title": "Chair"}]})
    with pytest.raises(ScimError):
        execute(client, plan, unpaced())
    assert client.writes == [("PATCH", ERIN)]


# -- 13.8: groups are planned against the directory after the user writes -------------------------

@pytest.mark.parametrize("members", [{"set": ["carly", "erin"]}, {"add": ["carly@example.com"]}])
def test_user_deactivated_and_added_to_a_group_fails_naming_both(members):
    with pytest.raises(SyncError) as caught:
        plan_of({"users": [{"user_name": "carly", "state": "absent"}],
                 "groups": [{"display_name": "Eng", "members": members}]})
    message = str(caught.value)
    assert "groups[0] (Eng)" in message and "users[0] (state: absent)" in message and CARLY in message


def test_user_deactivated_by_active_false_or_purge_and_added_to_a_group_fails():
    with pytest.raises(SyncError, match=r"users\[0\] \(active: false\) deactivates carly"):
        plan_of({"users": [{"user_name": "carly", "active": False}],
                 "groups": [{"display_name": "Eng", "members": {"add": ["carly"]}}]})
    with pytest.raises(SyncError, match=r"groups\[0\] \(Ops\): members.set names erin, but purge_users"):
        plan_of({"users": [{"user_name": "carly"}], "purge_users": True,
                 "groups": [{"display_name": "Ops", "members": {"set": ["erin"]}}]})


def test_deactivated_member_is_skipped_alike_in_every_run_under_warn():
    params = {"users": [{"user_name": "carly", "state": "absent"}],
              "groups": [{"display_name": "Eng", "members": {"set": ["carly"]}, "lookup_failure_action": "warn"}]}
    plan = plan_of(params)
    assert plan.groups[0].outcome.write == Write("update", id=ENG, add=[], remove=[CARLY])
    assert [e.name for e in plan.deactivations()] == ["carly"]
    # The second run: carly is deactivated (and no member any more).
    after = copy.deepcopy(DIRECTORY)
    after[0]["active"] = False
    rerun = plan_of(params, FakeClient(users=after, groups=[dict(GROUPS[0], members=[]), GROUPS[1]]))
    assert rerun.groups[0].outcome.action is None and rerun.deactivations() == []


def test_user_reactivated_and_added_to_a_group_in_one_run():
    plan = plan_of({"users": [{"user_name": "dan", "email": "dan@example.com", "active": True}],
                    "groups": [{"display_name": "Eng", "members": {"add": ["dan"]}}]})
    assert plan.users[0].transition == "reactivate"
    assert plan.groups[0].outcome.write == Write("update", id=ENG, add=[DAN], remove=[])


class HidingClient(FakeClient):
    """A listing that leaves ``hidden`` out, while Slack has it: its create meets email_taken, and it is found by
    filter.  Group PATCHes are recorded with their members."""

    def __init__(self, hidden, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.patches = []

    def iter_users(self):
        self.reads += 1
        return iter(u for u in self.users if u["id"] != self.hidden["id"])

    def create_user(self, body):
        if body["userName"] == self.hidden["userName"]:
            self._write("POST", body["userName"])
            raise ScimError("POST /Users failed: HTTP 409 email_taken", status=409, error="email_taken")
        return super().create_user(body)

    def get_user(self, user_id):
        return next((u for u in self.users if u["id"] == user_id), None)

    def find_user_by_user_name(self, user_name):
        return next((u for u in self.users if u["userName"] == user_name), None)

    def find_user_by_email(self, email):
        return next((u for u in self.users for e in u["emails"] if e["value"] == email), None)

    def update_group_members(self, group_id, add=(), remove=(), display_name=None, batch_size=None):
        self.patches.append((group_id, sorted(add), sorted(remove)))
        return super().update_group_members(group_id, add, remove, display_name, batch_size)


@pytest.mark.parametrize("members, added", [({"set": ["carly", "finn"]}, "W90000001"),
                                            ({"add": ["carly", "finn"]}, "W90000001"),
                                            ({"set": ["carly", "erin"]}, ERIN)])
def test_a_user_hidden_from_the_listing_is_found_not_created_and_stays_a_member(members, added):
    """Carly, a member of Eng, is missing from the listing: the plan creates her and, under members.set, removes
    CARLY.  The create meets email_taken and finds CARLY: the group PATCH must neither add nor remove her."""
    client = HidingClient(DIRECTORY[0])
    params = {"users": [{"user_name": "carly", "email": "carly@example.com", "title": "CEO",
                         "given_name": "Carly"}, {"user_name": "finn", "email": "finn@example.com"}],
              "groups": [{"display_name": "Eng", "members": members}]}
    plan = plan_of(params, client)
    assert plan.users[0].transition == "create"
    assert execute(client, plan, unpaced()) == []
    assert client.patches == [(ENG, [added], [])]
    summary, changes, dummy = report(plan)
    assert summary["users"]["created"] == 1 and summary["users"]["unchanged"] == 1, summary
    assert [(c["name"], c["action"]) for c in changes if c["resource"] == "user"] == [("finn", "create")]
    assert any("users[0]: user carly (%s) was missing from the listing, but Slack has it: found, not created"
               % CARLY in w for w in plan.warnings), plan.warnings


def test_a_patch_that_would_add_and_remove_one_member_is_never_sent():
    client = HidingClient(DIRECTORY[0])
    outcome = Outcome("update", GROUPS[0], write=Write("update", id=ENG, add=["new:carly"], remove=[CARLY]),
                      members_added=["new:carly"], members_removed=[CARLY])
    with pytest.raises(ScimError, match="refusing to send PATCH /Groups/%s: it would add and remove the same "
                                        "members, %s" % (ENG, CARLY)) as caught:
        apply_group(client, outcome, substitute={"new:carly": CARLY})
    assert not caught.value.request_sent and client.patches == []


def test_group_members_resolve_by_the_name_a_user_is_renamed_to():
    plan = plan_of({"users": [{"user_name": "erin.b", "email": "erin@example.com"}],
                    "groups": [{"display_name": "Eng", "members": {"add": ["erin.b"]}}]})
    assert plan.groups[0].outcome.write == Write("update", id=ENG, add=[ERIN], remove=[])
    with pytest.raises(SyncError, match=r"erin \(no such user\)"):
        plan_of({"users": [{"user_name": "erin.b", "email": "erin@example.com"}],
                 "groups": [{"display_name": "Eng", "members": {"add": ["erin"]}}]})


# -- 13.12 and 13.13: entries that resolve to one account -----------------------------------------

def test_two_entries_that_resolve_to_one_account_fail_naming_both():
    client = FakeClient()
    with pytest.raises(SyncError) as caught:
        build_plan(client, {"users": [{"user_name": "carly"},
                                      {"user_name": "renamed", "email": "carly@example.com"}]})
    assert "users[0] and users[1] both resolve to user %s (carly)" % CARLY in str(caught.value)
    assert client.writes == []


def test_two_group_entries_for_one_group_fail_naming_both():
    with pytest.raises(SyncError, match=r"groups\[0\] \(Eng\) and groups\[1\] \(%s\) both declare group %s"
                       % (ENG, ENG)):
        plan_of({"groups": [{"display_name": "Eng"}, {"id": ENG, "members": {"add": ["erin"]}}]})
    with pytest.raises(SyncError, match=r"groups\[0\] \(New\) and groups\[2\] \(NEW\) both declare group new"):
        plan_of({"groups": [{"display_name": "New"}, {"display_name": "Other"}, {"display_name": "NEW"}]})


def test_absent_with_user_name_and_email_of_two_users_fails():
    with pytest.raises(SyncError) as caught:
        plan_of({"users": [{"user_name": "carly", "email": "erin@example.com", "state": "absent"}]})
    assert "users[0]" in str(caught.value) and "belongs to another user" in str(caught.value)


# -- 14.2: every active -> inactive transition is a deactivation ----------------------------------

def test_active_false_counts_as_a_deactivation_in_the_limit_and_the_summary():
    users = [person(i) for i in range(12)]
    params = {"users": [{"user_name": "person%d" % i, "active": False} for i in range(12)]}
    with pytest.raises(SyncError, match=r"deactivates 12 users, more than max_deactivations=10"):
        plan_of(params, FakeClient(users=users, groups=[]))
    plan = plan_of(dict(params, max_deactivations=12), FakeClient(users=users, groups=[]))
    summary, changes, dummy = report(plan)
    assert summary["users"]["deactivated"] == 12 and summary["users"]["updated"] == 0
    assert {c["action"] for c in changes} == {"deactivate"}


def test_replace_with_active_false_is_a_deactivation_and_written_last():
    client = FakeClient(groups=[])
    plan = build_plan(client, {"users": [{"id": ERIN, "active": False, "replace": True},
                                         {"user_name": "carly", "title": "Chair"}],
                               "max_deactivations": 1})
    assert [e.name for e in plan.deactivations()] == ["erin"]
    execute(client, plan, unpaced())
    assert client.writes == [("PATCH", CARLY), ("PUT", ERIN)]
    assert report(plan)[0]["users"]["deactivated"] == 1


def test_an_inactive_user_patched_stays_an_update():
    plan = plan_of({"users": [{"user_name": "dan", "title": "Ex"}]})
    assert plan.users[0].transition == "update" and plan.deactivations() == []


# -- 14.3 and 15.6: max_member_removals; null means no limit --------------------------------------

def big_group(count):
    return [{"id": "S10000001", "displayName": "Big", "members": [{"value": person(i)["id"]} for i in range(count)]}]


def test_member_removals_over_the_limit_fail_showing_the_plan():
    client = FakeClient(users=[person(i) for i in range(60)], groups=big_group(60))
    with pytest.raises(SyncError) as caught:
        build_plan(client, {"groups": [{"display_name": "Big", "members": {"set": ["person0"]}}]})
    message = str(caught.value)
    assert "removes 59 group memberships, more than max_member_removals=50" in message
    assert "Big (S10000001) loses person1 (W10000001)" in message and "and 9 more" in message
    assert caught.value.plan is not None and client.writes == []


def test_member_removals_of_deactivated_users_count_as_deactivations():
    client = FakeClient(users=[person(i) for i in range(3)], groups=big_group(3))
    plan = build_plan(client, {"users": [{"user_name": "person1", "state": "absent"}],
                               "groups": [{"display_name": "Big", "members": {"set": ["person0", "person2"]}}],
                               "max_member_removals": 0, "max_deactivations": 1})
    assert plan.member_removals() == []
    with pytest.raises(SyncError, match="max_member_removals=0"):
        build_plan(client, {"groups": [{"display_name": "Big", "members": {"set": ["person0", "person2"]}}],
                            "max_member_removals": 0})


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


# -- 14.9: malformed listings -------------------------------------------------------------------

@pytest.mark.parametrize("resource", ["user", "group"])
def test_listed_item_without_id_fails_naming_it(resource):
    users, groups = copy.deepcopy(DIRECTORY), copy.deepcopy(GROUPS)
    (users if resource == "user" else groups)[1].pop("id")
    with pytest.raises(SyncError) as caught:
        plan_of({"users": [{"user_name": "carly"}]}, FakeClient(users=users, groups=groups))
    message = str(caught.value)
    assert "the %s listing has an item without id" % resource in message
    assert ('"userName": "dan"' if resource == "user" else '"displayName": "Old"') in message


# -- 14.11: exclusions that match nobody; names of only white space ------------------------------

def test_exclusions_that_match_nobody_are_warned_about():
    plan = plan_of({"users": [{"user_name": name} for name in ("carly", "erin")], "purge_users": True,
                    "purge_exclude": ["ghost@example.com", "dan", "  "], "purge_groups": True,
                    "groups": [{"display_name": "Eng"}], "purge_exclude_groups": ["Old", "S99999999", "Nope"]})
    assert plan.warnings == ["purge_exclude entries that match no user: 'ghost@example.com', '  '",
                             "purge_exclude_groups entries that match no group: 'S99999999', 'Nope'"]


@pytest.mark.parametrize("option", ["given_name", "family_name", "display_name", "nick_name", "user_name"])
def test_names_of_only_white_space_fail_before_any_read(option):
    client = FakeClient()
    entry = {"user_name": "zed", "email": "zed@example.com", option: " \t "}
    with pytest.raises(SyncError, match=r"users\[1\]: .*%s" % option):
        build_plan(client, {"users": [{"user_name": "ok"}, entry]})
    assert client.reads == 0


# -- 17.7: every group with bad members, by index and name ---------------------------------------

def test_every_group_with_bad_members_is_named():
    with pytest.raises(SyncError) as caught:
        plan_of({"groups": [{"display_name": "Eng", "members": {"add": ["ghost1"]}},
                            {"display_name": "Ok", "members": {"add": ["carly"]}},
                            {"display_name": "Sales", "members": {"set": ["erin", "ghost2@example.com"]}}]})
    message = str(caught.value)
    assert message.startswith("2 group entries cannot be planned")
    assert "groups[0] (Eng): " in message and "ghost1" in message
    assert "groups[2] (Sales): " in message and "ghost2@example.com" in message and "groups[1]" not in message


def test_every_invalid_entry_is_named():
    with pytest.raises(SyncError) as caught:
        plan_of({"users": [{"user_name": "x" * 30}, {"user_name": "ok"}, {"user_name": "y", "email": "bad"}],
                 "groups": [{"display_name": "  "}]})
    message = str(caught.value)
    assert "users[0]" in message and "users[2]" in message and "groups[0]" in message and "users[1]" not in message


# -- 17.4: a diff per resource, and what the purge spared -----------------------------------------

def test_diff_is_one_entry_per_changed_resource():
    plan = plan_of({"users": [{"user_name": "carly", "title": "Chair"},
                              {"user_name": "finn", "email": "finn@example.com"}, {"user_name": "erin"}],
                    "groups": [{"display_name": "Eng", "members": {"add": ["finn"]}}]})
    dummy, dummy, diff = report(plan)
    assert [(d["before_header"], d["after_header"]) for d in diff] == [
        ("user carly (%s)" % CARLY, "user carly (%s)" % CARLY), ("user finn (new)", "user finn (new)"),
        ("group Eng (%s)" % ENG, "group Eng (%s)" % ENG)]
    assert diff[0]["before"] == {"title": "CEO"} and diff[0]["after"] == {"title": "Chair"}
    # Every member by user name (the listing knows them all), as in every run.
    assert diff[2]["after"]["members"] == sorted(["%s (carly)" % CARLY, "new:finn (finn)"])


def test_purge_reports_what_it_spared_and_why():
    plan = plan_of({"users": [{"user_name": "carly"}], "purge_users": True, "purge_exclude": ["erin"],
                    "max_deactivations": 0}, token_user_id=BOTTY)
    assert plan.spared == [{"resource": "user", "id": ERIN, "name": "erin", "reason": "excluded"},
                           {"resource": "user", "id": BOTTY, "name": "botty", "reason": "owner"}]
    users = DIRECTORY + [{"id": "W00000007", "userName": "deploy", "userType": "bot", "active": True,
                          "emails": [{"value": "deploy@example.com"}]}]
    plan = plan_of({"users": [{"user_name": "carly"}, {"user_name": "erin"}], "purge_users": True},
                   FakeClient(users=users))
    assert [(s["name"], s["reason"]) for s in plan.spared] == [("botty", "bot"), ("deploy", "bot")]


def test_guest_conversions_are_counted_both_ways():
    guest_urn = "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"
    users = [dict(person(1)), dict(person(2), **{guest_urn: {"type": "multi"}}), dict(person(3))]
    client = FakeClient(users=users, groups=[])
    plan = build_plan(client, {"users": [{"user_name": "person1", "guest": True},
                                         {"user_name": "person2", "guest": False},
                                         {"user_name": "person3", "guest": False},
                                         {"user_name": "newguest", "email": "g@example.com", "guest": True}]})
    summary = report(plan)[0]["users"]
    assert (summary["to_guest"], summary["to_member"], summary["updated"], summary["created"]) == (1, 1, 2, 1)


def test_white_space_names_fail_in_the_user_spec_before_any_read():
    client = FakeClient()
    with pytest.raises(SyncError) as caught:
        build_plan(client, {"users": [{"user_name": "carly", "given_name": "  "}]})
    assert "given_name" in str(caught.value) and "users[0]" in str(caught.value) and client.reads == 0


# -- issue 24: a guest's past expiration, and entries that cannot be planned --------------------------

GUEST_URN = "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"


def expired_guest():
    return {"id": "W00000006", "userName": "gwen", "active": True,
            "emails": [{"value": "gwen@example.com", "primary": True}],
            GUEST_URN: {"type": "multi", "expiration": "2024-03-31T23:59:59Z"}}


def test_a_past_expiration_the_guest_holds_is_no_change_and_the_others_land():
    client = FakeClient(users=DIRECTORY + [expired_guest()])
    plan = build_plan(client, {"users": [{"user_name": "gwen", "guest": True, "guest_expiration": "2024-03-31"},
                                         {"user_name": "carly", "title": "Chair"}]})
    assert execute(client, plan, unpaced()) == []
    assert client.writes == [("PATCH", CARLY)]
    assert report(plan)[0]["users"]["unchanged"] == 1


def test_a_new_past_expiration_fails_the_plan_naming_the_entry():
    client = FakeClient(users=DIRECTORY + [expired_guest()])
    with pytest.raises(SyncError) as caught:
        build_plan(client, {"users": [{"user_name": "gwen", "guest_expiration": "2024-04-30"},
                                      {"user_name": "carly", "title": "Chair"}]})
    assert str(caught.value) == (
        "users[0]: guest_expiration '2024-04-30' is not in the future, and user W00000006 (gwen) holds "
        "'2024-03-31T23:59:59Z'; Slack refuses a past expiration. Give a later date, or the one the user holds; "
        "nothing was changed")


def test_with_continue_on_error_an_entry_that_cannot_be_planned_fails_alone():
    client = FakeClient(users=DIRECTORY + [expired_guest()])
    plan = build_plan(client, {"users": [{"user_name": "gwen", "guest_expiration": "2024-04-30"},
                                         {"user_name": "carly", "title": "Chair"},
                                         {"user_name": "newbie", "email": "newbie@example.com", "guest": True,
                                          "guest_expiration": "2001-01-01"}],
                               "groups": [{"display_name": "Eng", "members": {"add": ["newbie"]}}],
                               "purge_users": True, "max_deactivations": 5, "continue_on_error": True},
                      token_user_id=ERIN)
    failures = execute(client, plan, unpaced(), continue_on_error=True)
    assert [(f["resource"], f["id"], f["name"]) for f in failures] == [
        ("user", "W00000006", "gwen"), ("user", None, "newbie"), ("group", ENG, "Eng")]
    assert failures[0]["msg"].startswith("users[0]: guest_expiration '2024-04-30' is not in the future")
    assert failures[1]["msg"].startswith("users[2]: guest_expiration '2001-01-01' is not in the future")
    assert "newbie" in failures[2]["msg"]
    assert ("PATCH", CARLY) in client.writes and ("DELETE", "W00000006") not in client.writes
    summary = report(plan)[0]
    assert summary["users"]["failed"] == 2 and summary["users"]["updated"] == 1
    assert summary["groups"]["failed"] == 1


@pytest.mark.parametrize("value, number", [("10", 10), (" +3 ", 3), ("\uff11\uff10", False), ("\u00b2", False)])
def test_limits_take_ascii_digits_only(value, number):
    assert whole_number(value) == number


def test_a_failed_write_whose_answer_was_lost_is_reported_with_an_unknown_outcome():
    client = FakeClient()

    def answer_lost(user_id, partial):
        raise ScimError("PATCH /Users/%s failed: no complete answer" % user_id, method="PATCH", request_sent=True)

    client.patch_user = answer_lost
    plan = build_plan(client, {"users": [{"email": "erin@example.com", "title": "Lead"}]})
    [failure] = execute(client, plan, unpaced(), continue_on_error=True)
    assert failure["outcome"] == "unknown" and "run the task again" in failure["msg"]
