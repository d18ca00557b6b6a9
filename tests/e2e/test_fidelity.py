# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Converging against what Slack answers, not what it was sent (issue 12, and 14.4), end to end.

Slack re-hosts photos and answers a default one for a user without a photo, pads empty lists
with placeholders, answers other phone types than it was sent, keeps no address type or primary,
takes multi-channel guests as group members and refuses some display names.  Every scenario
converges (check, apply, rerun without writes, recheck) against the emulator, which answers as
Slack does, and asserts on what the emulator stores and answers afterwards.
"""

from __future__ import annotations

from harness import diff_of
from scenario import converge_twice
from test_group import group_task, members_of, seed_group
from test_user import CORE, user_task

GUEST_URN = {"v1": "urn:scim:schemas:extension:slack:guest:1.0",
             "v2": "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"}
PHOTO = "https://images.example.com/people/carly.png"
OTHER_PHOTO = "https://images.example.com/people/carly-2027.png"
DAN_PHOTO = "https://images.example.com/people/dan.png"
WORK_PHONE, MOBILE_PHONE = "+1 555 0100", "+1 555 0199"
ADDRESS = {"street_address": "1 Main St", "locality": "Springfield", "region": "IL", "postal_code": "62701",
           "country": "US"}


def create(emulator, api_version, user_name, **attributes):
    """A user made through the emulator's SCIM API (so the emulator applies Slack's rules)."""
    body = dict(schemas=list(CORE[api_version]), userName=user_name,
                emails=[{"value": "%s@example.com" % user_name, "primary": True}], **attributes)
    if "guest" in body:
        body[GUEST_URN[api_version]] = body.pop("guest")
        body["schemas"].append(GUEST_URN[api_version])
    response = emulator.scim("POST", "Users", api_version, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def answered(emulator, api_version, user_id):
    """The user as Slack answers a read of it."""
    response = emulator.scim("GET", "Users/" + user_id, api_version)
    assert response.status_code == 200, response.text
    return response.json()


def photo_of(user):
    return [p.get("value") for p in user.get("photos") or []]


# -- 12.1-12.4: photos, placeholders, phone types, addresses ------------------------------------------

def test_photo_phones_address_and_role_converge_as_slack_answers_them(harness, api_version):
    emulator = harness.emulator
    carly = create(emulator, api_version, "carly")
    default_photo = photo_of(carly)
    assert default_photo and PHOTO not in default_photo, "a user without a photo is answered Slack's default"
    carly_options = dict(user_name="carly", email="carly@example.com", photos=[{"value": PHOTO, "type": "photo"}],
                         phone_numbers=[{"value": WORK_PHONE, "type": "work"},
                                        {"value": MOBILE_PHONE, "type": "mobile"}],
                         addresses=[dict(ADDRESS, primary=True)], roles=[{"value": "Engineer"}])
    tasks = [dict(user_task(**carly_options), name="carly"),
             dict(user_task(user_name="dan", email="dan@example.com", photos=[{"value": DAN_PHOTO}],
                            phone_numbers=[{"value": MOBILE_PHONE}]), name="dan")]
    first = converge_twice(harness, tasks, api_version).first
    assert sorted(r["method"] for r in first.writes) == ["PATCH", "POST"], first.writes
    assert sorted(first.result("carly")["changed_attributes"]) == ["addresses", "phone_numbers", "photos", "roles"]

    users = emulator.users()
    # The photos were sent (on the update of a user with the default photo, and on create) and re-hosted:
    # the URL read back is never the one declared, yet the rerun sent nothing.
    assert users["carly"]["photoSource"] == PHOTO and users["dan"]["photoSource"] == DAN_PHOTO
    carly_now = answered(emulator, api_version, carly["id"])
    assert photo_of(carly_now) and PHOTO not in photo_of(carly_now) and photo_of(carly_now) != default_photo
    # The declared phone types were sent (work and mobile name Slack's two phone fields), and Slack answers
    # them swapped: the work number comes back as the mobile one.
    phones = [p for p in carly_now["phoneNumbers"] if p.get("value")]
    assert sorted(p["value"] for p in phones) == [WORK_PHONE, MOBILE_PHONE]
    assert {"value": WORK_PHONE, "type": "mobile"} in phones, phones
    # Addresses are stored without type or primary, the one role is answered as the primary one.
    assert [a for a in carly_now["addresses"] if any(a.values())] == [
        {"streetAddress": "1 Main St", "locality": "Springfield", "region": "IL", "postalCode": "62701",
         "country": "US"}]
    assert "primary" not in str(users["carly"]["addresses"])
    assert [r["value"] for r in carly_now["roles"]] == ["Engineer"]

    # A user who has a photo of their own keeps it whatever URL is declared, and phone types alone
    # (Slack answers its own) are no change: nothing is sent.
    again = {**carly_options, "photos": [{"value": OTHER_PHOTO, "type": "photo"}],
             "phone_numbers": [{"value": WORK_PHONE, "type": "mobile"}, {"value": MOBILE_PHONE, "type": "work"}]}
    rerun = harness.run([user_task(**again)], api_version=api_version)
    assert not rerun.failed and not rerun.changed and rerun.writes == [], rerun
    assert emulator.users()["carly"]["photoSource"] == PHOTO


def test_empty_lists_converge_against_slacks_placeholders(harness, api_version):
    emulator = harness.emulator
    carly = create(emulator, api_version, "carly", phoneNumbers=[{"value": WORK_PHONE, "primary": True}],
                   roles=[{"value": "Engineer"}], addresses=[{"streetAddress": "1 Main St", "locality": "Springfield"}])
    tasks = [user_task(user_name="carly", phone_numbers=[], roles=[], addresses=[])]
    first = converge_twice(harness, tasks, api_version).first
    assert [r["method"] for r in first.writes] == ["PATCH"]
    assert sorted(first.result()["changed_attributes"]) == ["addresses", "phone_numbers", "roles"]
    stored = emulator.users()["carly"]
    assert not stored.get("phoneNumbers") and not stored.get("roles") and not stored.get("addresses"), stored
    # What the rerun compared [] with: Slack pads the emptied lists with placeholder entries.
    now = answered(emulator, api_version, carly["id"])
    padded = now["phoneNumbers"] + now["roles"] + now["addresses"]
    assert padded and all(not any(v for k, v in entry.items() if k not in ("type", "primary")) for entry in padded), now


# -- 14.4 and 12.1: replace keeps what it does not model ------------------------------------------------

def test_replace_keeps_a_guest_a_guest_and_converges_with_the_default_photo(harness, api_version):
    emulator = harness.emulator
    gina = create(emulator, api_version, "gina", title="Contractor", guest={"type": "multi"})
    assert GUEST_URN[api_version] in gina, gina
    tasks = [user_task(user_name="gina", email="gina@example.com", title="Auditor", replace=True)]
    first = converge_twice(harness, tasks, api_version).first
    assert [r["method"] for r in first.writes] == ["PUT"]
    assert diff_of(first.result()) == {"before": {"title": "Contractor"}, "after": {"title": "Auditor"}}
    now = answered(emulator, api_version, gina["id"])
    assert now["title"] == "Auditor" and now["active"] is True
    assert now.get(GUEST_URN[api_version], {}).get("type") == "multi", "the PUT made the guest a full member"
    assert emulator.users()["gina"].get("guest"), emulator.users()["gina"]


# -- 12.5: multi-channel guests are group members ---------------------------------------------------------

def test_multi_channel_guest_can_be_added_to_a_group(harness, api_version):
    emulator = harness.emulator
    gina = create(emulator, api_version, "gina", guest={"type": "multi"})
    carly = create(emulator, api_version, "carly")
    seed_group(emulator, api_version, "Eng", [carly["id"]])
    tasks = [group_task(display_name="Eng", members={"add": ["gina@example.com"]})]
    first = converge_twice(harness, tasks, api_version, reads_on_rerun=2).first
    assert [r["method"] for r in first.writes] == ["PATCH"]
    assert members_of(emulator, "Eng") == sorted([carly["id"], gina["id"]])
    assert first.result()["members_added"] == [gina["id"]]


# -- 12.6: display names and user names Slack refuses --------------------------------------------------

def test_display_and_user_names_slack_refuses_fail_before_any_request(harness):
    cases = [
        (dict(user_name="carly", display_name="Carly @ Home"), "display_name", "Carly @ Home"),
        (dict(user_name="carly", display_name="@carly"), "display_name", "@carly"),
        (dict(user_name="carly", display_name="Carly \U0001F389"), "display_name", "Carly"),
        (dict(user_name="carly", display_name="Carly :tada:"), "display_name", ":tada:"),
        (dict(user_name="carly@example.com"), "user_name", "carly@example.com"),
    ]
    tasks = [dict(user_task(email="carly@example.com", **options), name="case %d" % index, ignore_errors=True)
             for index, (options, dummy, dummy2) in enumerate(cases)]
    run = harness.run(tasks)
    assert run.requests == [], run.requests
    assert harness.emulator.users() == {}
    for index, (options, option, value) in enumerate(cases):
        result = run.result("case %d" % index)
        assert result.get("failed"), (options, result)
        assert option in result["msg"] and value in result["msg"], (options, result["msg"])
