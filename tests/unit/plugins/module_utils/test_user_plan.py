# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Converging one user (_user_plan.py): which user a spec names, the one write planned from its state, the
write sent, and the recovery of a create that meets an existing account or loses its answer."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.scim.slack.plugins.module_utils._dialect import get_dialect
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._user_plan import (
    apply_user,
    find_user,
    plan_found_user,
    plan_user,
)
from ansible_collections.scim.slack.plugins.module_utils._user_spec import UserSpec, UserSpecError

V2 = get_dialect("v2")
CARLY = {"id": "W0000C001", "userName": "carly", "nickName": "carly", "active": True, "title": "CEO",
         "emails": [{"value": "carly@example.com", "primary": True}]}
DANA = {"id": "W0000D001", "userName": "dana", "nickName": "dana", "active": True,
        "emails": [{"value": "dana@example.com", "primary": True}]}


class Users:
    """A finder over a few users, noting each lookup it answers; also a client: the writes it is sent."""

    def __init__(self, *users):
        self.users = [copy.deepcopy(user) for user in users]
        self.lookups = []
        self.writes = []
        self.create_errors = []

    def _one(self, kind, match):
        self.lookups.append(kind)
        return next((copy.deepcopy(user) for user in self.users if match(user)), None)

    def by_id(self, user_id):
        return self._one("id", lambda user: user["id"] == user_id)

    def by_user_name(self, user_name):
        return self._one("user_name", lambda user: user["userName"] == user_name)

    def by_email(self, email):
        return self._one("email", lambda user: any(e["value"].lower() == email.lower() for e in user["emails"]))

    def by_reference(self, entry):
        return self.by_email(entry) if "@" in entry else self.by_id(entry) or self.by_user_name(entry)

    # The client's names for the same lookups (ClientFinder's).
    get_user, find_user_by_user_name, find_user_by_email = by_id, by_user_name, by_email

    def create_user(self, body):
        self.writes.append(("create", body))
        if self.create_errors:
            raise self.create_errors.pop(0)
        return dict(body, id="W0000N001")

    def patch_user(self, user_id, body):
        self.writes.append(("patch", user_id, body))
        return dict(self.by_id(user_id), **body)

    def update_user(self, body):
        self.writes.append(("put", body["id"], body))
        return body

    def delete_user(self, user_id):
        self.writes.append(("delete", user_id))


def spec(**params):
    return UserSpec(params, V2)


# -- which user -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("params, found, lookups", [
    ({"id": "W0000C001", "user_name": "dana"}, "carly", ["id"]),
    ({"user_name": "carly", "email": "dana@example.com"}, "carly", ["user_name"]),
    ({"user_name": "nobody", "email": "Dana@Example.com"}, "dana", ["user_name", "email"]),
    ({"email": "dana@example.com"}, "dana", ["email"]),
    ({"user_name": "nobody"}, None, ["user_name"]),
])
def test_a_user_is_found_by_id_else_user_name_then_email(params, found, lookups):
    users = Users(CARLY, DANA)
    user = find_user(users, spec(**params))
    assert (user or {}).get("userName") == found
    assert users.lookups == lookups


# -- the plan ---------------------------------------------------------------------------------------------------

def test_an_unchanged_user_plans_no_write_and_costs_one_lookup():
    users = Users(CARLY)
    outcome = plan_user(users, spec(user_name="carly", email="carly@example.com", title="CEO"))
    assert outcome.action is None and outcome.write is None and outcome.user["id"] == "W0000C001"
    assert users.lookups == ["user_name"]


def test_a_change_plans_one_patch_of_the_changed_attribute_and_predicts_the_result():
    outcome = plan_user(Users(CARLY), spec(user_name="carly", title="CTO"))
    assert (outcome.action, outcome.changed_attributes) == ("update", ["title"])
    assert outcome.write.kind == "patch" and outcome.write.id == "W0000C001" and outcome.write.body == {"title": "CTO"}
    assert outcome.before == {"title": "CEO"} and outcome.after == {"title": "CTO"}
    assert outcome.user["title"] == "CTO"


def test_replace_plans_a_put():
    outcome = plan_user(Users(CARLY), spec(user_name="carly", email="carly@example.com", replace=True))
    assert outcome.action == "replace" and outcome.write.kind == "put" and "title" not in outcome.write.body


def test_a_missing_user_plans_a_create_and_needs_a_user_name_and_an_email():
    outcome = plan_user(Users(), spec(user_name="Erin", email="erin@example.com"))
    assert outcome.action == "create" and outcome.write.kind == "create"
    assert outcome.write.body["userName"] == "erin" and outcome.user["id"] is None
    with pytest.raises(UserSpecError, match="no user matches user_name 'erin', and creating one needs email"):
        plan_user(Users(), spec(user_name="erin"))
    with pytest.raises(UserSpecError, match="no user has id W0000X001; a new user cannot be given an id"):
        plan_user(Users(), spec(id="W0000X001"))


@pytest.mark.parametrize("current, action", [(CARLY, "deactivate"), (dict(CARLY, active=False), None), (None, None)])
def test_absent_deactivates_an_active_user_only(current, action):
    outcome = plan_user(Users(*[u for u in [current] if u]), spec(user_name="carly", state="absent"))
    assert outcome.action == action
    assert (outcome.write and outcome.write.kind) == ("delete" if action else None)


def test_a_deactivated_user_is_converged_with_a_warning():
    outcome = plan_user(Users(dict(CARLY, active=False)), spec(user_name="carly", title="CEO"))
    assert outcome.action is None
    assert outcome.warnings == ["user W0000C001 (carly) is deactivated; set active: true to reactivate it"]
    assert plan_user(Users(dict(CARLY, active=False)), spec(user_name="carly", active=True)).action == "reactivate"


def test_a_user_name_and_an_email_of_two_users_fail_naming_both():
    with pytest.raises(UserSpecError) as caught:
        plan_user(Users(CARLY, DANA), spec(user_name="carly", email="dana@example.com"))
    assert "user_name 'carly' is user W0000C001, but email 'dana@example.com' belongs to another user, " \
           "W0000D001 (dana)" in str(caught.value)


def test_a_user_found_by_email_is_renamed_with_a_warning():
    outcome = plan_user(Users(CARLY), spec(user_name="carla", email="carly@example.com"))
    assert outcome.write.body == {"userName": "carla"}
    assert "user W0000C001 was found by email carly@example.com; its user name 'carly' becomes 'carla'" \
        in outcome.warnings


@pytest.mark.parametrize("reference", ["W0000D001", "DANA@example.com", "dana"])
def test_a_manager_is_sent_as_the_manager_s_id(reference):
    outcome = plan_user(Users(CARLY, DANA), spec(user_name="carly", enterprise={"manager_id": reference}))
    assert outcome.write.body == {V2.enterprise_urn: {"manager": {"managerId": "W0000D001"}}}


def test_the_current_manager_by_id_costs_no_lookup():
    users = Users(dict(CARLY, **{V2.enterprise_urn: {"manager": {"managerId": "W0000D001"}}}), DANA)
    outcome = plan_user(users, spec(user_name="carly", enterprise={"manager_id": "W0000D001"}))
    assert outcome.action is None and users.lookups == ["user_name"]


def test_an_unknown_manager_fails_and_check_mode_shows_it_as_to_be_resolved():
    declared = {"user_name": "carly", "enterprise": {"manager_id": "boss@example.com"}}
    with pytest.raises(UserSpecError, match="enterprise.manager_id 'boss@example.com' names no user"):
        plan_user(Users(CARLY), spec(**declared))
    outcome = plan_user(Users(CARLY), spec(**declared), check_mode=True)
    assert outcome.after == {"enterprise": {"manager_id": "boss@example.com (to be resolved)"}}
    assert any("names no user yet" in warning for warning in outcome.warnings)


def test_a_past_expiration_fails_naming_the_one_the_guest_holds():
    guest = dict(CARLY, **{V2.guest_urn: {"type": "multi", "expiration": "2099-01-01T00:00:00Z"}})
    with pytest.raises(UserSpecError, match="'2001-01-01' is not in the future, and user W0000C001 .* holds "
                                            "'2099-01-01T00:00:00Z'"):
        plan_found_user(Users(), spec(user_name="carly", guest_expiration="2001-01-01"), guest)


# -- the write --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("params, kind", [
    ({"user_name": "carly", "title": "CTO"}, "patch"),
    ({"user_name": "carly", "state": "absent"}, "delete"),
    ({"user_name": "carly", "email": "carly@example.com", "replace": True}, "put"),
    ({"user_name": "carly", "title": "CEO"}, None),
])
def test_apply_sends_the_one_planned_write(params, kind):
    users = Users(CARLY)
    declared = spec(**params)
    apply_user(users, declared, plan_user(users, declared))
    assert [(write[0], write[1]) for write in users.writes] == ([(kind, "W0000C001")] if kind else [])


def test_a_create_that_meets_the_existing_account_converges_it():
    users = Users(CARLY)
    users.create_errors.append(ScimError("taken", status=409, error="username_taken",
                                         detail="username_taken existing_user=W0000C001"))
    declared = spec(user_name="carly", email="carly@example.com", title="CTO")
    outcome = apply_user(users, declared, plan_found_user(users, declared, None))
    assert [write[0] for write in users.writes] == ["create", "patch"]
    assert outcome.action == "update" and outcome.user["title"] == "CTO"


def test_a_create_whose_answer_was_lost_and_did_not_apply_is_sent_once_more():
    users = Users()
    users.create_errors.append(ScimError("timed out", method="POST", request_sent=True))
    declared = spec(user_name="erin", email="erin@example.com")
    outcome = apply_user(users, declared, plan_user(users, declared))
    assert [write[0] for write in users.writes] == ["create", "create"]
    assert outcome.action == "create" and outcome.user["id"] == "W0000N001"


def test_a_conflict_with_no_visible_account_explains():
    users = Users()
    users.create_errors.append(ScimError("taken", status=409, error="email_taken"))
    declared = spec(user_name="erin", email="erin@example.com")
    with pytest.raises(ScimError, match="email_taken: Slack refused to create user erin .* no account with that "
                                        "user name or email is visible"):
        apply_user(users, declared, plan_user(users, declared))
    assert len(users.writes) == 1


def test_other_errors_of_a_create_are_raised_as_they_are():
    users = Users()
    refused = ScimError("bad", status=400, error="invalid_email")
    users.create_errors.append(refused)
    declared = spec(user_name="erin", email="erin@example.com")
    with pytest.raises(ScimError) as caught:
        apply_user(users, declared, plan_user(users, declared))
    assert caught.value is refused and len(users.writes) == 1
