# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
import requests

from ansible_collections.scim.slack.plugins.module_utils._user_values import reference_keys
from ansible_collections.scim.slack.plugins.modules import slack_scim_group
from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, body_of, diff_of, page, query_of, writes

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def group(gid="S00001", name="Eng", members=()):
    return {"id": gid, "displayName": name, "members": [{"value": m} for m in members]}


def user(uid, user_name, email=None, active=True):
    return {"id": uid, "userName": user_name, "active": active,
            "emails": [{"value": email or "%s@example.com" % user_name, "primary": True}]}


def run(run_module, **args):
    return run_module(slack_scim_group.main, **args)


@pytest.mark.parametrize("entry, kind", [
    ("U0123ABCD", "id"), ("W0123ABCD", "id"), ("carly@example.com", "email"), ("carly", "user_name"),
    ("WILLIAMS", "user_name"), ("U12", "user_name"), ("WQXZABCDEFG", "id"), ("UABCDEFGH", "id"),
    ("U1234567", "user_name"), ("W12345678901", "user_name"),
])
def test_a_member_is_read_first_by_its_shape(entry, kind):
    assert reference_keys(entry)[0][0] == kind


def test_unchanged_group_costs_one_read(mocked, run_module, api_version):
    mocked.get(BASE % api_version + "Groups", json=page([group(members=["U00000001", "U00000002"])]))
    result = run(run_module, api_version=api_version, display_name="Eng",
                 members={"set": ["U00000002", "U00000001"]})
    assert result["changed"] is False and len(mocked.calls) == 1
    assert query_of(mocked.calls[0]).get("filter") == 'displayName eq "Eng"'


def test_create_with_ids_emails_and_names(mocked, run_module, api_version):
    base = BASE % api_version
    mocked.get(base + "Groups", json=page([]))
    mocked.get(base + "Users", json=page([user("U00000001", "carly")], total=3))  # the count probe
    mocked.get(base + "Users", json=page([user("U00000001", "carly"), user("U00000002", "dan"),
                                         user("U00000003", "erin", "erin@example.com")]))
    mocked.post(base + "Groups", json=group(members=["U00000001", "U00000002", "U00000003"]), status=201)
    result = run(run_module, api_version=api_version, diff=True, display_name="Eng",
                 members={"set": ["U00000001", "dan", "Erin@Example.com"]})
    assert result["changed"] and result["members_added"] == ["U00000001", "U00000002", "U00000003"]
    assert query_of(mocked.calls[1]).get("count") == "1"  # one probe, then one listing instead of three searches
    assert sorted(m["value"] for m in body_of(mocked.calls[3])["members"]) == ["U00000001", "U00000002", "U00000003"]
    assert diff_of(result) == {"before": {}, "after": {"display_name": "Eng", "members": [
        "U00000001 (carly)", "U00000002 (dan)", "U00000003 (erin)"]}}


def test_few_names_are_resolved_with_one_search_each(mocked, run_module):
    base = BASE % "v2"
    mocked.get(base + "Groups", json=page([group(members=["U00000001"])]))
    mocked.get(base + "Users", json=page([user("U00000002", "dan")]))
    mocked.get(base + "Users", json=page([user("U00000003", "erin", "erin@example.com")]))
    mocked.patch(base + "Groups/S00001", json=group(members=["U00000001", "U00000002", "U00000003"]))
    run(run_module, display_name="Eng", members={"add": ["dan", "erin@example.com"]})
    assert [query_of(c).get("filter") for c in mocked.calls[1:3]] == ['userName eq "dan"', 'emails eq "erin@example.com"']
    assert body_of(mocked.calls[3])["Operations"] == [
        {"op": "add", "path": "members", "value": [{"value": "U00000002"}, {"value": "U00000003"}]}]


def test_add_one_member_to_a_large_group_sends_one_small_patch(mocked, run_module):
    base = BASE % "v2"
    big = group(members=["U%08d" % i for i in range(20000)])
    mocked.get(base + "Groups/S00001", json=big)
    mocked.get(base + "Users/U99999999", json=user("U99999999", "new"))
    mocked.patch(base + "Groups/S00001", json=big)
    result = run(run_module, id="S00001", members={"add": ["U99999999", "U00000007"]})
    assert result["members_added"] == ["U99999999"]
    sent = body_of(mocked.calls[2])
    assert sent["Operations"] == [{"op": "add", "path": "members", "value": [{"value": "U99999999"}]}]
    assert len(mocked.calls[2].request.body) < 200


def test_remove_v1_uses_operation_delete_and_predicts_after_204(mocked, run_module):
    base = BASE % "v1"
    mocked.get(base + "Groups/S00001", json=group(members=["U00000001", "U00000002"]))
    mocked.patch(base + "Groups/S00001", status=204)
    result = run(run_module, api_version="v1", id="S00001", members={"remove": ["U00000002", "U00000005"]})
    assert body_of(mocked.calls[1]) == {"schemas": ["urn:scim:schemas:core:1.0"],
                                        "members": [{"value": "U00000002", "operation": "delete"}]}
    assert [m["value"] for m in result["group"]["members"]] == ["U00000001"]
    assert len(mocked.calls) == 2  # no read after the 204


def test_remove_v2_uses_a_value_filter(mocked, run_module):
    base = BASE % "v2"
    mocked.get(base + "Groups/S00001", json=group(members=["U00000001", "U00000002"]))
    mocked.patch(base + "Groups/S00001", json=group(members=["U00000001"]))
    run(run_module, id="S00001", members={"remove": ["U00000002"]})
    assert body_of(mocked.calls[1])["Operations"] == [{"op": "remove", "path": "members", "value": [{"value": "U00000002"}]}]


def test_set_to_empty_removes_everyone(mocked, run_module, api_version):
    base = BASE % api_version
    mocked.get(base + "Groups/S00001", json=group(members=["U00000001", "U00000002"]))
    mocked.patch(base + "Groups/S00001", status=204)
    result = run(run_module, api_version=api_version, id="S00001", members={"set": []})
    assert result["members_removed"] == ["U00000001", "U00000002"] and result["group"]["members"] == []


def test_rename_and_membership_in_one_request(mocked, run_module, api_version):
    base = BASE % api_version
    mocked.get(base + "Groups/S00001", json=group(members=["U00000001"]))
    mocked.get(base + "Groups", json=page([]))
    mocked.get(base + "Users/U00000002", json=user("U00000002", "dan"))
    mocked.patch(base + "Groups/S00001", status=204)
    result = run(run_module, api_version=api_version, id="S00001", display_name="Platform",
                 members={"add": ["U00000002"]})
    assert len(writes(mocked)) == 1 and result["group"]["displayName"] == "Platform"
    sent = body_of(writes(mocked)[0])
    if api_version == "v1":
        assert sent["displayName"] == "Platform" and sent["members"] == [{"value": "U00000002"}]
    else:
        assert sent["Operations"][0] == {"op": "replace", "path": "displayName", "value": "Platform"}


def test_rename_to_a_taken_name_fails_before_writing(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00001", json=group())
    mocked.get(BASE % "v2" + "Groups", json=page([group(gid="S00002", name="Sales")]))
    result = run(run_module, id="S00001", display_name="sales")
    assert result["failed"] and "S00002" in result["msg"] and writes(mocked) == []


def test_delete_and_delete_missing(mocked, run_module, api_version):
    base = BASE % api_version
    mocked.get(base + "Groups", json=page([group()]))
    mocked.delete(base + "Groups/S00001", status=204)
    assert run(run_module, api_version=api_version, display_name="Eng", state="absent")["changed"] is True
    mocked.get(base + "Groups", json=page([]))
    assert run(run_module, api_version=api_version, display_name="Eng", state="absent")["changed"] is False


def test_check_mode_predicts_and_sends_nothing(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00001", json=group(members=["U00000001"]))
    result = run(run_module, check_mode=True, diff=True, id="S00001", members={"set": []})
    assert result["changed"] and writes(mocked) == [] and result["group"]["members"] == []
    assert diff_of(result) == {"before": {"display_name": "Eng", "members": ["U00000001"]},
                               "after": {"display_name": "Eng", "members": []}}


def _unresolvable(mocked):
    base = BASE % "v2"
    mocked.get(base + "Groups/S00001", json=group())
    mocked.get(base + "Users", json=page([]))  # ghost
    mocked.get(base + "Users/U00000009", status=404, json={"detail": "no_such_user", "status": 404})


def test_unresolved_members_fail_naming_every_entry(mocked, run_module):
    _unresolvable(mocked)
    result = run(run_module, id="S00001", members={"add": ["ghost", "U00000009"]})
    assert result["failed"] and "ghost" in result["msg"] and "U00000009" in result["msg"]
    assert writes(mocked) == []


def test_unresolved_members_warn_and_are_skipped(mocked, run_module):
    _unresolvable(mocked)
    result = run(run_module, id="S00001", members={"add": ["ghost", "U00000009"]}, lookup_failure_action="warn")
    assert result["changed"] is False and "ghost" in result["warnings"][0]


def test_unresolved_members_ignored_silently(mocked, run_module):
    _unresolvable(mocked)
    result = run(run_module, id="S00001", members={"add": ["ghost", "U00000009"]}, lookup_failure_action="ignore")
    assert result["changed"] is False and result["warnings"] == []


def test_deactivated_member_is_a_lookup_failure(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00001", json=group())
    mocked.get(BASE % "v2" + "Users", json=page([user("U00000003", "gone", active=False)]))
    result = run(run_module, id="S00001", members={"add": ["gone"]})
    assert result["failed"] and "deactivated" in result["msg"]


def test_batches_of_5000(mocked, run_module):
    base = BASE % "v2"
    mocked.get(base + "Groups", json=page([group()]))
    mocked.get(base + "Users", json=page([], total=6000))  # probe: 6 pages < 6000 IDs, so one listing
    ids = ["U%08d" % i for i in range(6000)]
    for start in range(0, 6000, 1000):
        mocked.get(base + "Users", json=page([user(uid, "u" + uid) for uid in ids[start:start + 1000]],
                                             total=6000))
    mocked.patch(base + "Groups/S00001", json=group())
    mocked.patch(base + "Groups/S00001", json=group(members=ids))
    result = run(run_module, display_name="Eng", members={"add": ids})
    patches = [body_of(c) for c in writes(mocked)]
    assert [len(p["Operations"][0]["value"]) for p in patches] == [5000, 1000]
    assert len(result["members_added"]) == 6000


@pytest.mark.parametrize("args, named", [
    (dict(display_name="Eng", members={"set": ["a"], "add": ["b"]}), "members.set"),
    (dict(id="G1"), "id"),
    (dict(display_name=" "), "display_name"),
    (dict(display_name="Eng", members={"add": ["a"], "remove": ["A"]}), "members.add"),
    (dict(display_name="Eng", members={"add": [""]}), "members.add"),
    (dict(display_name="Eng", members={"sett": []}), "sett"),
])
def test_bad_input_fails_before_any_request(mocked, run_module, args, named):
    result = run(run_module, **args)
    assert result["failed"] and named in result["msg"] and len(mocked.calls) == 0


def test_unknown_group_id_fails(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00404", status=404, json={"detail": "no_such_group", "status": 404})
    result = run(run_module, id="S00404", members={"add": ["U00000001"]})
    assert result["failed"] and "no group has id S00404" in result["msg"]


# -- references read as Slack means them -----------------------------------------------------------

def test_an_id_without_a_digit_is_an_id(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00001", json=group(members=["U00000001"]))
    mocked.get(BASE % "v2" + "Users/WQXZABCDEFG", json=user("WQXZABCDEFG", "svc"))
    mocked.patch(BASE % "v2" + "Groups/S00001", json=group(members=["WQXZABCDEFG"]))
    result = run(run_module, id="S00001", members={"set": ["WQXZABCDEFG"]})
    assert result["members_added"] == ["WQXZABCDEFG"] and result["members_removed"] == ["U00000001"]


def test_an_id_shaped_user_name_is_tried_as_a_user_name_next(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00001", json=group())
    mocked.get(BASE % "v2" + "Users/WSVCACCOUNT", status=404, json={"detail": "no_such_user", "status": 404})
    mocked.get(BASE % "v2" + "Users", json=page([user("U00000042", "wsvcaccount")]))
    mocked.patch(BASE % "v2" + "Groups/S00001", json=group(members=["U00000042"]))
    result = run(run_module, id="S00001", members={"add": ["WSVCACCOUNT"]})
    assert result["members_added"] == ["U00000042"]
    assert query_of(mocked.calls[2]).get("filter") == 'userName eq "wsvcaccount"'


def test_an_id_shaped_user_name_to_remove_is_found_by_name(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00001", json=group(members=["U00000042"]))
    mocked.get(BASE % "v2" + "Users/WSVCACCOUNT", status=404, json={"detail": "no_such_user", "status": 404})
    mocked.get(BASE % "v2" + "Users", json=page([user("U00000042", "wsvcaccount")]))
    mocked.patch(BASE % "v2" + "Groups/S00001", json=group())
    result = run(run_module, id="S00001", members={"remove": ["WSVCACCOUNT"]})
    assert result["members_removed"] == ["U00000042"]


def test_removing_an_absent_id_costs_no_request(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00001", json=group(members=["U00000001"]))
    result = run(run_module, id="S00001", members={"remove": ["U00000099"]})
    assert result["changed"] is False and len(mocked.calls) == 1


def test_add_and_remove_naming_one_person_two_ways_fail_before_any_write(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00001", json=group())
    mocked.get(BASE % "v2" + "Users", json=page([user("U00000007", "heidi.berg")]))  # the email comes with it
    result = run(run_module, id="S00001", members={"add": ["heidi.berg"], "remove": ["heidi.berg@example.com"]})
    assert result["failed"] and "heidi.berg" in result["msg"] and "heidi.berg@example.com" in result["msg"]
    assert writes(mocked) == []


def test_a_multi_channel_guest_can_be_added(mocked, run_module):
    guest = dict(user("U00000008", "gus"), **{"urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User":
                                              {"type": "multi"}})
    mocked.get(BASE % "v2" + "Groups/S00001", json=group())
    mocked.get(BASE % "v2" + "Users", json=page([guest]))
    mocked.patch(BASE % "v2" + "Groups/S00001", json=group(members=["U00000008"]))
    result = run(run_module, id="S00001", members={"add": ["gus"]})
    assert result["members_added"] == ["U00000008"] and not result.get("failed")


def test_set_with_an_unresolved_entry_under_ignore_removes_nobody(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00001", json=group(members=["U00000001", "U00000002"]))
    mocked.get(BASE % "v2" + "Users", json=page([]))
    result = run(run_module, id="S00001", members={"set": ["U00000001", "ghost"]}, lookup_failure_action="ignore")
    assert result["changed"] is False and writes(mocked) == []
    assert "not removed" in " ".join(result["warnings"])


def test_a_listed_user_without_id_fails_naming_it(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00001", json=group())
    mocked.get(BASE % "v2" + "Users", json=page([], total=3))
    mocked.get(BASE % "v2" + "Users", json=page([{"userName": "ghost"}, user("U00000001", "a"), user("U00000002", "b")]))
    result = run(run_module, id="S00001", members={"add": ["a", "b", "c"]})
    assert result["failed"] and "without an id" in result["msg"] and "ghost" in result["msg"]
    assert writes(mocked) == []


# -- lost answers ----------------------------------------------------------------------------------

def test_create_answer_lost_but_applied_creates_no_duplicate(mocked, run_module):
    base = BASE % "v2"
    mocked.get(base + "Groups", json=page([]))
    mocked.post(base + "Groups", body=requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"))
    mocked.get(base + "Groups", json=page([group(name="Eng")]))
    result = run(run_module, display_name="Eng", members={"set": []})
    assert result["changed"] and result["group"]["id"] == "S00001"
    assert [c.request.method for c in mocked.calls] == ["GET", "POST", "GET"]


def test_create_answer_lost_and_not_applied_posts_once_more(mocked, run_module):
    base = BASE % "v2"
    mocked.get(base + "Groups", json=page([]))
    mocked.post(base + "Groups", body=requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"))
    mocked.get(base + "Groups", json=page([]))
    mocked.post(base + "Groups", json=group(name="Eng"), status=201)
    result = run(run_module, display_name="Eng", members={"set": []})
    assert result["changed"] and result["group"]["id"] == "S00001"
    assert [c.request.method for c in mocked.calls] == ["GET", "POST", "GET", "POST"]


def test_delete_whose_retry_meets_404_is_done(mocked, run_module):
    base = BASE % "v2"
    mocked.get(base + "Groups/S00001", json=group())
    mocked.delete(base + "Groups/S00001", status=404, json={"detail": "no_such_group", "status": 404})
    result = run(run_module, id="S00001", state="absent")
    assert result["changed"] and not result.get("failed")


# -- check mode of a plain playbook ----------------------------------------------------------------

def test_check_mode_shows_a_member_not_created_yet_as_to_be_resolved(mocked, run_module):
    current = {"id": "S00001", "displayName": "Eng", "members": [{"value": "U00000001", "display": "Carly H"}]}
    mocked.get(BASE % "v2" + "Groups/S00001", json=current)
    mocked.get(BASE % "v2" + "Users", json=page([]))
    result = run(run_module, check_mode=True, diff=True, id="S00001", members={"add": ["new.hire"]})
    assert result["changed"] and writes(mocked) == [] and not result.get("failed")
    # Carly's label is her user name or, unknown without a request, her ID alone: never Slack's display name.
    assert diff_of(result)["after"]["members"] == ["U00000001", "new.hire (to be resolved)"]
    assert "new.hire" in result["warnings"][0] and "real run fails" in result["warnings"][0]


@pytest.mark.parametrize("action, then", [("warn", "skips them with a warning"), ("ignore", "skips them")])
def test_check_mode_shows_a_member_not_created_yet_under_warn_and_ignore(mocked, run_module, action, then):
    mocked.get(BASE % "v2" + "Groups", json=page([]))
    mocked.get(BASE % "v2" + "Users", json=page([]))
    result = run(run_module, check_mode=True, diff=True, display_name="Eng", lookup_failure_action=action,
                 members={"add": ["newhire@example.com"]})
    assert result["changed"] and writes(mocked) == [] and not result.get("failed")
    assert diff_of(result)["after"]["members"] == ["newhire@example.com (to be resolved)"]
    assert result["warnings"] == ["check mode: newhire@example.com named no user yet; shown as to be resolved (an "
                                  "earlier task of this run may create them). The real run %s if they are still "
                                  "missing" % then]


def test_the_real_run_still_fails_on_a_missing_member(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00001", json=group(members=["U00000001"]))
    mocked.get(BASE % "v2" + "Users", json=page([]))
    result = run(run_module, id="S00001", members={"add": ["new.hire"]})
    assert result["failed"] and "new.hire" in result["msg"] and writes(mocked) == []


def test_check_mode_still_predicts_removals_beside_a_member_to_be_resolved(mocked, run_module):
    mocked.get(BASE % "v2" + "Groups/S00001", json=group(members=["U00000001"]))
    mocked.get(BASE % "v2" + "Users", json=page([]))
    result = run(run_module, check_mode=True, id="S00001", members={"set": ["new.hire"]})
    assert result["members_removed"] == ["U00000001"] and writes(mocked) == []


def test_members_given_as_a_list_names_the_option_and_the_fix(mocked, run_module):
    result = run(run_module, display_name="Eng", members=["carly", "dan"])
    assert result["failed"] and len(mocked.calls) == 0
    assert result["msg"].startswith("members must be a dict with the keys add, remove, set, got a list")
    assert "members: {set: ['carly', 'dan']}" in result["msg"]
