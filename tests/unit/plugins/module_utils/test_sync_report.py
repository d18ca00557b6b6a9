# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_sync_report.py: the summary, the changes and the diff a plan reports."""

from __future__ import annotations

from ansible_collections.scim.slack.plugins.module_utils._sync_report import report

from ansible_collections.scim.slack.tests.unit.plugins.module_utils.test_sync import (
    CARLY,
    ENG,
    FakeClient,
    build_plan,
    person,
    plan_of,
)


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
