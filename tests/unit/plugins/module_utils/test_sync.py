# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy

import pytest

from ansible_collections.scim.slack.plugins.module_utils import _sync
from ansible_collections.scim.slack.plugins.module_utils._dialect import get_dialect
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._finders import GroupIndex, UserIndex
from ansible_collections.scim.slack.plugins.module_utils._group import GroupSpec, MemberResolver, find_group, plan_group
from ansible_collections.scim.slack.plugins.module_utils._outcome import Write
from ansible_collections.scim.slack.plugins.module_utils._sync_apply import Pacer, execute
from ansible_collections.scim.slack.plugins.module_utils._sync_plan import SyncError
from ansible_collections.scim.slack.plugins.module_utils._sync_report import report
from ansible_collections.scim.slack.plugins.module_utils._user_plan import plan_user
from ansible_collections.scim.slack.plugins.module_utils._user_spec import UserSpec, duplicate_entries

from ansible_collections.scim.slack.tests.unit.plugins.module_utils.test_group import declared

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


def build_plan(client, params, **kwargs):
    """``_sync.build_plan`` on ``params`` as slack_scim_sync's argspec leaves them: each group entry with every
    option, defaults applied."""
    if params.get("groups"):
        params = dict(params, groups=[declared(entry) for entry in params["groups"]])
    return _sync.build_plan(client, params, **kwargs)


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

    spec = GroupSpec(declared({"display_name": "Eng", "members": {"set": ["erin", "carly@example.com"]}}))
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


# -- 13.2: purge_exclude_groups by ID or by display name ------------------------------------------

@pytest.mark.parametrize("exclusion", [OLD, "old", "OLD", "Old"])
def test_purge_exclude_groups_by_id_or_display_name_spares_the_group(exclusion):
    plan = plan_of({"groups": [{"display_name": "Eng"}], "purge_groups": True,
                    "purge_exclude_groups": [exclusion], "max_group_deletions": 5})
    assert plan.group_deletions() == []
    assert plan.spared == [{"resource": "group", "id": OLD, "name": "Old", "reason": "excluded"}]
    assert plan.warnings == []


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


# -- a group of many members (test_sync_limits.py, test_sync_plan.py) ---------------------------------

def big_group(count):
    return [{"id": "S10000001", "displayName": "Big", "members": [{"value": person(i)["id"]} for i in range(count)]}]


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


# -- 17.4: what the purge spared ------------------------------------------------------------------

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
