# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_user end to end: real ansible-playbook runs against the emulator, both dialects."""

from __future__ import annotations

from harness import diff_of
from scenario import converge_twice, each_fails_before_any_write

CORE = {"v1": ["urn:scim:schemas:core:1.0"], "v2": ["urn:ietf:params:scim:schemas:core:2.0:User"]}


def user_task(**options):
    return {"name": "user", "scim.slack.slack_scim_user": options}


def seed_user(emulator, api_version, user_name, email=None, active=True, **extra):
    body = dict(schemas=CORE[api_version], userName=user_name,
                emails=[{"value": email or "%s@example.com" % user_name, "primary": True}], **extra)
    response = emulator.scim("POST", "Users", api_version, json=body)
    assert response.status_code == 201, response.text
    user = response.json()
    if not active:
        assert emulator.scim("DELETE", "Users/" + user["id"], api_version).status_code in (200, 204)
    return user


def test_create(harness, api_version):
    tasks = [user_task(user_name="Carly.Henderson", email="Carly@Example.com", given_name="Carly",
                       family_name="Henderson", title="CEO", enterprise={"department": "Exec"},
                       timezone="America/New_York")]
    check, first = converge_twice(harness, tasks, api_version)[:2]
    assert [r["method"] for r in first.writes] == ["POST"]
    carly = harness.emulator.users()["carly.henderson"]
    assert carly["title"] == "CEO" and carly["enterprise"]["department"] == "Exec"
    assert carly["emails"] == [{"value": "Carly@Example.com", "primary": True}]
    assert check.result()["user"]["id"] is None
    assert first.result()["user"]["id"] == carly["id"]
    assert diff_of(first.result())["after"]["user_name"] == "carly.henderson"


def test_rename_found_by_email(harness, api_version):
    seed_user(harness.emulator, api_version, "carly", "carly@example.com")
    tasks = [user_task(user_name="carly.h", email="carly@example.com")]
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=1).first
    assert [r["method"] for r in first.writes] == ["PATCH"]
    assert "carly.h" in harness.emulator.users()
    assert diff_of(first.result()) == {"before": {"user_name": "carly"}, "after": {"user_name": "carly.h"}}


def test_email_change(harness, api_version):
    seed_user(harness.emulator, api_version, "carly", "carly@example.com")
    tasks = [user_task(user_name="carly", email="carly@new.example.com")]
    first = converge_twice(harness, tasks, api_version).first
    assert len(first.writes) == 1
    assert harness.emulator.users()["carly"]["emails"] == [{"value": "carly@new.example.com", "primary": True}]


def test_title_and_enterprise_change_sends_only_the_difference(harness, api_version):
    user = seed_user(harness.emulator, api_version, "carly", title="CEO", displayName="Carly")
    tasks = [user_task(id=user["id"], title="Chair", display_name="Carly",
                       enterprise={"department": "Board", "cost_center": "CC-1"})]
    first = converge_twice(harness, tasks, api_version).first
    assert sorted(first.result()["changed_attributes"]) == ["cost_center", "department", "title"]
    stored = harness.emulator.users()["carly"]
    assert stored["title"] == "Chair" and stored["enterprise"] == {"department": "Board", "costCenter": "CC-1"}


def test_deactivate_then_reactivate(harness, api_version):
    seed_user(harness.emulator, api_version, "carly")
    first = converge_twice(harness, [user_task(user_name="carly", state="absent")], api_version).first
    assert [r["method"] for r in first.writes] == ["DELETE"]
    assert harness.emulator.users()["carly"]["active"] is False
    again = converge_twice(harness, [user_task(user_name="carly", active=True)], api_version).first
    assert [r["method"] for r in again.writes] == ["PATCH"]
    assert harness.emulator.users()["carly"]["active"] is True


def test_absent_for_a_missing_user_is_not_changed(harness, api_version):
    run = harness.run([user_task(user_name="ghost", state="absent")], api_version=api_version)
    assert not run.failed and not run.changed and run.writes == [] and len(run.reads) == 1


def test_put_replace_clears_undeclared_attributes_and_keeps_active(harness, api_version):
    seed_user(harness.emulator, api_version, "carly", title="CEO", name={"givenName": "C", "familyName": "H"})
    tasks = [user_task(user_name="carly", email="carly@example.com", given_name="Cal", family_name="Henderson",
                       replace=True)]
    first = converge_twice(harness, tasks, api_version).first
    assert [r["method"] for r in first.writes] == ["PUT"]
    stored = harness.emulator.users()["carly"]
    assert stored["active"] is True and "title" not in stored
    assert stored["name"] == {"givenName": "Cal", "familyName": "Henderson"}


def test_deactivated_user_is_converged_not_recreated(harness, api_version):
    seed_user(harness.emulator, api_version, "carly", "carly@example.com", active=False)
    run = harness.run([user_task(user_name="carly", email="carly@example.com", title="CEO")], api_version=api_version)
    assert not run.failed, run
    assert [r["method"] for r in run.writes] == ["PATCH"]
    assert "deactivated" in run.output and "active: true" in run.output
    assert len(harness.emulator.users()) == 1
    rerun = harness.run([user_task(user_name="carly", email="carly@example.com", title="CEO")],
                        api_version=api_version)
    assert not rerun.changed and rerun.writes == []


def test_new_name_with_the_email_of_a_deactivated_user_reuses_that_account(harness, api_version):
    old = seed_user(harness.emulator, api_version, "carly", "carly@example.com", active=False)
    tasks = [user_task(user_name="carly2", email="carly@example.com", active=True)]
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=1).first
    assert [r["method"] for r in first.writes] == ["PATCH"]
    users = harness.emulator.users()
    assert list(users) == ["carly2"] and users["carly2"]["id"] == old["id"] and users["carly2"]["active"] is True


def test_user_name_and_email_of_two_users_fails_naming_both(harness, api_version):
    carly = seed_user(harness.emulator, api_version, "carly", "carly@example.com")
    dan = seed_user(harness.emulator, api_version, "dan", "dan@example.com")
    run = harness.run([user_task(user_name="carly", email="dan@example.com")], api_version=api_version)
    assert run.failed and run.writes == []
    message = run.result()["msg"]
    assert carly["id"] in message and dan["id"] in message


def test_bad_input_fails_before_any_request(harness):
    cases = [
        (dict(user_name="a" * 22, email="a@example.com"), "user_name"),
        (dict(user_name="carly", email="not-an-email"), "email"),
        (dict(user_name="carly", email="c@example.com", display_name="@carly"), "display_name"),
        (dict(user_name="carly", email="c@example.com", display_name="x" * 81), "display_name"),
        (dict(id="carly"), "id"),
        (dict(user_name="carly", emails=[{"value": "a@example.com", "primary": True},
                                         {"value": "b@example.com", "primary": True}]), "emails"),
        (dict(user_name="carly", email="c@example.com", enterprise={"dept": "x"}), "dept"),
    ]
    each_fails_before_any_write(harness, [(user_task(**options), named) for options, named in cases], nothing_read=True)


def test_create_without_email_fails_before_any_write(harness):
    run = harness.run([user_task(user_name="carly", title="CEO")])
    assert run.failed and run.writes == []
    assert "email" in run.result()["msg"]


def test_check_mode_create_then_real_with_verbose_output_has_no_token(harness):
    run = harness.run([user_task(user_name="carly", email="carly@example.com")], check=True, diff=True, verbosity=4)
    assert run.changed and run.writes == []


def test_absent_with_user_name_and_email_of_two_users_fails_before_any_write(harness):
    carly = seed_user(harness.emulator, "v2", "carly", "carly@example.com")
    dan = seed_user(harness.emulator, "v2", "dan", "dan@example.com")
    run = harness.run([user_task(user_name="carly", email="dan@example.com", state="absent")])
    assert run.failed and run.writes == [], run
    message = run.result()["msg"]
    assert carly["id"] in message and dan["id"] in message and "dan@example.com" in message, message
    assert all(user["active"] for user in harness.emulator.users().values())
