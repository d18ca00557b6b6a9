# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Multi-channel guests, create-only attributes and external IDs, end to end on both dialects."""

from __future__ import annotations

from harness import diff_of
from scenario import converge_twice
from test_sync import sync_task
from test_user import seed_user, user_task

GUEST = {"v1": "urn:scim:schemas:extension:slack:guest:1.0",
         "v2": "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"}


def guest_of(harness, user_name):
    """The guest extension the emulator stores for a user (None for a full member)."""
    return harness.emulator.users()[user_name].get("guest")


def test_contractor_lifecycle(harness, api_version):
    """Create as a guest with an expiration, change it, remove it, convert to a member on hire."""
    create = [user_task(user_name="casey", email="casey@partner.example", guest=True,
                        guest_expiration="2099-03-31")]
    first = converge_twice(harness, create, api_version, reads_on_rerun=1).first
    assert [r["method"] for r in first.writes] == ["POST"]
    assert guest_of(harness, "casey") == {"type": "multi", "expiration": "2099-03-31T23:59:59Z"}

    extend = [user_task(user_name="casey", guest_expiration="2099-09-30T18:00:00Z")]
    first = converge_twice(harness, extend, api_version).first
    assert [r["method"] for r in first.writes] == ["PATCH"]
    assert diff_of(first.result()) == {"before": {"guest_expiration": "2099-03-31T23:59:59Z"},
                                       "after": {"guest_expiration": "2099-09-30T18:00:00Z"}}
    assert guest_of(harness, "casey")["expiration"] == "2099-09-30T18:00:00Z"

    converge_twice(harness, [user_task(user_name="casey", guest_expiration="")], api_version)
    assert guest_of(harness, "casey") == {"type": "multi"}

    hired = converge_twice(harness, [user_task(user_name="casey", guest=False)], api_version).first
    assert diff_of(hired.result()) == {"before": {"guest": True}, "after": {"guest": False}}
    assert not guest_of(harness, "casey")


def test_member_to_guest_and_back(harness, api_version):
    seed_user(harness.emulator, api_version, "dana")
    first = converge_twice(harness, [user_task(user_name="dana", guest=True)], api_version).first
    assert [r["method"] for r in first.writes] == ["PATCH"] and guest_of(harness, "dana")["type"] == "multi"
    converge_twice(harness, [user_task(user_name="dana", guest=False)], api_version)
    assert not guest_of(harness, "dana")


def test_converting_a_deactivated_user_reactivates_it(harness):
    seed_user(harness.emulator, "v2", "gone", active=False)
    first = converge_twice(harness, [user_task(user_name="gone", guest=True)], "v2").first
    assert first.result()["user"]["active"] is True and harness.emulator.users()["gone"]["active"] is True


def test_bad_expirations_fail_before_any_request(harness):
    seed_user(harness.emulator, "v2", "dana")
    for expiration, guest in (("next tuesday", True), ("2099-01-01", False)):
        run = harness.run([user_task(user_name="dana", guest=guest, guest_expiration=expiration)])
        assert run.failed and "guest_expiration" in run.result()["msg"], run
        assert run.requests == [], run.requests
    past = harness.run([user_task(user_name="dana", guest=True, guest_expiration="2001-01-01")])
    assert past.failed and "'2001-01-01' is not in the future" in past.result()["msg"] and past.writes == [], past
    member = harness.run([user_task(user_name="dana", guest_expiration="2099-01-01")])
    assert member.failed and "guest: true" in member.result()["msg"] and member.writes == []


def test_a_passed_expiration_kept_in_the_play_is_no_change_and_the_sync_goes_on(harness):
    """Issue 24: a contract end date kept in git must not stop the play, nor the whole sync, once it has passed."""
    seed_user(harness.emulator, "v2", "gwen", **{GUEST["v2"]: {"type": "multi", "expiration": "2024-03-31T23:59:59Z"}})
    seed_user(harness.emulator, "v2", "dana")
    gwen = {"user_name": "gwen", "guest": True, "guest_expiration": "2024-03-31"}
    single = harness.run([user_task(**gwen)], check=True)
    assert not single.failed and not single.changed and single.writes == [], single
    first = converge_twice(harness, [sync_task(users=[gwen, {"user_name": "dana", "title": "SRE"}])], "v2",
                           reads_on_rerun=2).first
    assert [r["method"] for r in first.writes] == ["PATCH"] and harness.emulator.users()["dana"]["title"] == "SRE"
    moved = harness.run([user_task(user_name="gwen", guest_expiration="2024-04-30")])
    assert moved.failed and moved.writes == [], moved
    assert "holds '2024-03-31T23:59:59Z'" in moved.result()["msg"] and "Give a later date" in moved.result()["msg"]


def test_admins_cannot_be_made_guests(harness):
    admin = seed_user(harness.emulator, "v2", "boss")
    harness.emulator.control("POST", "account_type", {"id": admin["id"], "type": "admin"})
    run = harness.run([user_task(user_name="boss", guest=True)])
    assert run.failed and "cannot_make_user_guest" in run.result()["msg"], run
    assert not guest_of(harness, "boss")


def test_sync_of_guests_counts_conversions(harness, api_version):
    seed_user(harness.emulator, api_version, "dana")
    seed_user(harness.emulator, api_version, "erin", **{GUEST[api_version]: {"type": "multi"}})
    tasks = [sync_task(users=[{"user_name": "dana", "guest": True, "guest_expiration": "2099-01-31"},
                              {"user_name": "erin", "guest": False},
                              {"user_name": "gus", "email": "gus@partner.example", "guest": True}])]
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=2).first
    summary = first.result()["summary"]["users"]
    assert (summary["to_guest"], summary["to_member"], summary["created"]) == (1, 1, 1), summary
    assert guest_of(harness, "dana")["type"] == "multi" and not guest_of(harness, "erin")
    assert guest_of(harness, "gus")["type"] == "multi"


def test_info_filters_guests(harness, api_version):
    seed_user(harness.emulator, api_version, "dana")
    seed_user(harness.emulator, api_version, "gus", **{GUEST[api_version]: {"type": "multi"}})
    run = harness.run([{"name": "guests", "scim.slack.slack_scim_info": {"guest": True}},
                       {"name": "members", "scim.slack.slack_scim_info": {"guest": False}}], api_version=api_version)
    assert not run.failed, run
    assert [u["userName"] for u in run.result("guests")["users"]] == ["gus"]
    assert [u["userName"] for u in run.result("members")["users"]] == ["dana"]
    assert len(run.requests) == 2


def test_create_only_attributes_are_set_once(harness, api_version):
    tasks = [user_task(user_name="dana", email="dana@example.com", display_name="Dana", title="Engineer",
                       create_only=["display_name", "title"])]
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=1).first
    assert [r["method"] for r in first.writes] == ["POST"]
    # The person edits their own display name; the task, unchanged, leaves it alone.
    user = harness.emulator.users()["dana"]
    patch = {"v1": {"schemas": ["urn:scim:schemas:core:1.0"], "displayName": "Dee"},
             "v2": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "path": "displayName", "value": "Dee"}]}}[api_version]
    assert harness.emulator.scim("PATCH", "Users/" + user["id"], api_version, json=patch).status_code in (200, 204)
    rerun = harness.run(tasks, api_version=api_version)
    assert not rerun.failed and not rerun.changed and rerun.writes == [], rerun
    replaced = harness.run([dict(tasks[0], **{"scim.slack.slack_scim_user": dict(
        tasks[0]["scim.slack.slack_scim_user"], locale="de-DE", replace=True)})], api_version=api_version)
    assert not replaced.failed and [r["method"] for r in replaced.writes] == ["PUT"], replaced
    assert harness.emulator.users()["dana"]["displayName"] == "Dee"


def test_external_id_is_set_on_create_and_only_warned_about_after(harness, api_version):
    tasks = [user_task(user_name="dana", email="dana@example.com", external_id="okta-00u1")]
    converge_twice(harness, tasks, api_version, reads_on_rerun=1)
    assert harness.emulator.users()["dana"]["externalId"] == "okta-00u1"
    run = harness.run([user_task(user_name="dana", email="dana@example.com", external_id="okta-00u2")],
                      api_version=api_version)
    assert not run.failed and not run.changed and run.writes == [], run
    assert any("externalId" in w and "okta-00u1" in w for w in run.result()["warnings"])
