# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_info export and expand_members end to end: adopting an organization that has people."""

from __future__ import annotations

CORE = {"v1": "urn:scim:schemas:core:1.0", "v2": "urn:ietf:params:scim:schemas:core:2.0:User"}
ENTERPRISE = {"v1": "urn:scim:schemas:extension:enterprise:1.0",
              "v2": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}
GUEST = {"v1": "urn:scim:schemas:extension:slack:guest:1.0",
         "v2": "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"}


def create(emulator, api_version, body):
    extensions = [urn for urn in (ENTERPRISE[api_version], GUEST[api_version]) if urn in body]
    body = dict(body, schemas=[CORE[api_version]] + extensions)
    response = emulator.scim("POST", "Users", api_version, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def populate(emulator, api_version):
    boss = create(emulator, api_version, {"userName": "boss", "emails": [{"value": "boss@example.com",
                                                                          "primary": True}]})
    create(emulator, api_version, {
        "userName": "Dana.Lee", "displayName": "Dana Lee", "title": "SRE", "timezone": "Europe/Berlin",
        "name": {"givenName": "Dana", "familyName": "Lee"},
        "emails": [{"value": "dana@example.com", "primary": True}, {"value": "dana@example.org"}],
        "phoneNumbers": [{"value": "+1 555 0100", "type": "work"}, {"value": "+1 555 0101", "primary": True}],
        "addresses": [{"streetAddress": "1 Main St", "locality": "Springfield", "country": "US", "type": "work"}],
        "photos": [{"value": "https://example.com/dana.png", "type": "photo"}],
        "roles": [{"value": "engineer"}],
        ENTERPRISE[api_version]: {"department": "Platform", "manager": {"managerId": boss["id"]}}})
    create(emulator, api_version, {"userName": "gus", "emails": [{"value": "gus@partner.example"}],
                                   GUEST[api_version]: {"type": "multi", "expiration": "2099-01-31T23:59:59Z"}})
    gone = create(emulator, api_version, {"userName": "gone", "emails": [{"value": "gone@example.com"}]})
    assert emulator.scim("DELETE", "Users/" + gone["id"], api_version).status_code in (200, 204)
    create(emulator, api_version, {"userName": "deploybot", "emails": [{"value": "deploy@slack-bots.com"}]})
    users = emulator.users()
    response = emulator.scim("POST", "Groups", api_version, json={
        "schemas": ["urn:scim:schemas:core:1.0" if api_version == "v1" else
                    "urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Platform", "members": [{"value": users["dana.lee"]["id"]}, {"value": boss["id"]},
                                               {"value": users["gus"]["id"]}]})
    assert response.status_code == 201, response.text


def test_an_exported_directory_syncs_as_a_no_op(harness, api_version):
    populate(harness.emulator, api_version)
    tasks = [
        {"name": "export", "scim.slack.slack_scim_info": {"export": True}, "register": "org"},
        {"name": "sync", "scim.slack.slack_scim_sync": {
            "users": "{{ org.directory.users }}", "groups": "{{ org.directory.groups }}",
            "purge_users": True, "purge_groups": True}},
    ]
    check = harness.run(tasks, check=True, diff=True, api_version=api_version)
    assert not check.failed and not check.changed and check.writes == [], check
    run = harness.run(tasks, api_version=api_version)
    assert not run.failed and not run.changed and run.writes == [], run
    directory = run.result("export")["directory"]
    names = [user["user_name"] for user in directory["users"]]
    assert names == ["boss", "dana.lee", "gus"]  # not the deactivated user, not the bot
    dana = directory["users"][1]
    assert dana["enterprise"]["manager_id"] == harness.emulator.users()["boss"]["id"]
    assert dana["photos"] and "example.com/dana.png" not in dana["photos"][0]["value"]  # Slack's copy
    assert directory["users"][2]["guest"] is True
    assert directory["groups"] == [{"display_name": "Platform", "members": {"set": ["boss", "dana.lee", "gus"]}}]
    export_reads = [r for r in run.reads if "/Users" in r["path"] or "/Groups" in r["path"]]
    assert len(export_reads) <= 4, export_reads  # one listing each for the export and for the sync


def test_expand_members_gives_a_roster_from_one_listing(harness):
    populate(harness.emulator, "v2")
    run = harness.run([{"name": "roster", "scim.slack.slack_scim_info": {
        "resource": "groups", "display_name": "Platform", "expand_members": True}}])
    assert not run.failed, run
    members = run.result("roster")["groups"][0]["members"]
    assert sorted(m["user"]["userName"] for m in members) == ["boss", "dana.lee", "gus"]
    assert [r["method"] for r in run.requests] == ["GET", "GET"]
