# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_sync_apply.py: the writes of a plan, in order and paced; failures entry by entry; the users created in their
groups."""

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._group import apply_group
from ansible_collections.scim.slack.plugins.module_utils._outcome import Outcome, Write
from ansible_collections.scim.slack.plugins.module_utils._sync_apply import Pacer, _with_created_ids, execute
from ansible_collections.scim.slack.plugins.module_utils._sync_report import report

from ansible_collections.scim.slack.tests.unit.plugins.module_utils.test_sync import (
    CARLY,
    DIRECTORY,
    ENG,
    ERIN,
    GROUPS,
    FakeClient,
    build_plan,
    plan_of,
    unpaced,
)


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


def test_replace_with_active_false_is_a_deactivation_and_written_last():
    client = FakeClient(groups=[])
    plan = build_plan(client, {"users": [{"id": ERIN, "active": False, "replace": True},
                                         {"user_name": "carly", "title": "Chair"}],
                               "max_deactivations": 1})
    assert [e.name for e in plan.deactivations()] == ["erin"]
    execute(client, plan, unpaced())
    assert client.writes == [("PATCH", CARLY), ("PUT", ERIN)]
    assert report(plan)[0]["users"]["deactivated"] == 1


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
        apply_group(client, _with_created_ids(outcome, {"new:carly": CARLY}))
    assert not caught.value.request_sent and client.patches == []


def test_a_failed_write_whose_answer_was_lost_is_reported_with_an_unknown_outcome():
    client = FakeClient()

    def answer_lost(user_id, partial):
        raise ScimError("PATCH /Users/%s failed: no complete answer" % user_id, method="PATCH", request_sent=True)

    client.patch_user = answer_lost
    plan = build_plan(client, {"users": [{"email": "erin@example.com", "title": "Lead"}]})
    [failure] = execute(client, plan, unpaced(), continue_on_error=True)
    assert failure["outcome"] == "unknown" and "run the task again" in failure["msg"]


class GroupBodies(FakeClient):
    """FakeClient, with the members of each group written."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_writes = []

    def create_group(self, body):
        self.group_writes.append(("POST", body["displayName"], [member["value"] for member in body["members"]]))
        return super().create_group(body)

    def update_group_members(self, group_id, add=(), remove=(), display_name=None, batch_size=None):
        self.group_writes.append(("PATCH", group_id, list(add)))
        return super().update_group_members(group_id, add, remove, display_name, batch_size)


def test_a_user_the_task_creates_joins_its_groups_under_the_id_slack_gives_it():
    client = GroupBodies()
    plan = build_plan(client, {"users": [{"user_name": "finn", "email": "finn@example.com"}],
                               "groups": [{"display_name": "Eng", "members": {"add": ["finn"]}},
                                          {"display_name": "New", "members": {"set": ["finn", "carly"]}}]})
    assert plan.groups[1].outcome.write.body["members"] == [{"value": CARLY}, {"value": "new:finn"}]
    assert execute(client, plan, unpaced()) == []
    finn = "W90000001"  # FakeClient's ID for the first user created
    assert client.group_writes == [("PATCH", ENG, [finn]), ("POST", "New", [CARLY, finn])]
    dummy, dummy, diff = report(plan)
    assert [entry.outcome.members_added for entry in plan.groups] == [[finn], [CARLY, finn]]
    assert [d["after"]["members"] for d in diff[1:]] == [["%s (carly)" % CARLY, "%s (finn)" % finn]] * 2
