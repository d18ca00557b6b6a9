# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Idempotency as a property: any declared user or group, once converged, plans no further write.

Hypothesis generates users over every modelled attribute (names with Slack's special characters,
one or two emails, phones, an address, a photo, a role, enterprise fields, a manager given by ID,
email or user name, activation, replace) and group memberships (set/add/remove by ID, email or
user name).  Each is converged against the emulator through the shared client, in both dialects,
then planned again: the second plan must be empty.  One changed attribute must then plan exactly
one write, naming that attribute, and converge again.

The emulator runs in this process (tools/slack_scim_emulator, a thread), so the test is a unit test: no
playbook runs.  The default profile keeps this well under a minute; ``HYPOTHESIS_PROFILE=long`` runs many more
examples (``make property-long``, with pytest: ansible-test passes no such variable to the tests).
"""

from __future__ import annotations

import os
import sys
import threading

import pytest
import requests
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st

from ansible_collections.scim.slack.plugins.module_utils._client import SCIMClient
from ansible_collections.scim.slack.plugins.module_utils._group import (
    GroupSpec,
    MemberResolver,
    apply_group,
    find_group,
    plan_group,
)
from ansible_collections.scim.slack.plugins.module_utils._finders import ClientFinder
from ansible_collections.scim.slack.plugins.module_utils._group_options import group_argument_spec
from ansible_collections.scim.slack.plugins.module_utils._user_attributes import (
    user_params_from_resource,
)
from ansible_collections.scim.slack.plugins.module_utils._user_plan import (
    apply_user,
    plan_user,
)
from ansible_collections.scim.slack.plugins.module_utils._user_spec import UserSpec, UserSpecError
from ansible_collections.scim.slack.plugins.module_utils._user_values import normalise_user_name

from ansible_collections.scim.slack.tests.unit.scim_test_utils import TOKEN

# The emulator is no part of the collection's code: it is imported from tools/, beside plugins/.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "tools"))
from slack_scim_emulator.server import Emulator, EmulatorServer  # noqa: E402 pylint: disable=wrong-import-position

# database=None: no .hypothesis folder in the tree (it would land in the built collection).
settings.register_profile("default", max_examples=40, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# derandomize=False: a profile is based on the "default" profile registered above, which is derandomized.
settings.register_profile("long", max_examples=400, deadline=None, database=None, derandomize=False,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Characters Slack turns into "_" in user names, and letters it lower-cases.
NAME_CHARS = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") +
                             [" ", "!", "#", "é", "ß", "+", "'"])
TEXT = st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ.-'") + ["ü", "é", "ø", "(", ")"]),
               min_size=1, max_size=30).map(str.strip).filter(bool)
PHONE = st.from_regex(r"\+1 555 0[0-9]{3}", fullmatch=True)
MEMBER_COUNT = 6


def client_for(emulator, api_version):
    return SCIMClient(TOKEN, api_version=api_version, base_url=emulator.base_url(api_version), timeout=10)


@st.composite
def declared_users(draw):
    user_name = draw(st.text(alphabet=NAME_CHARS, min_size=1, max_size=18))
    assume(normalise_user_name(user_name).strip())
    params = {"user_name": "p" + user_name}
    domain = draw(st.sampled_from(["example.com", "Example.COM", "corp.example.org"]))
    local = "%s.%d" % (draw(st.sampled_from(["dana", "Lee", "o'hara"])), draw(st.integers(0, 999)))
    if draw(st.booleans()):
        params["email"] = "%s@%s" % (local, domain)
    else:
        params["emails"] = [{"value": "%s@%s" % (local, domain), "primary": draw(st.booleans()),
                             "type": draw(st.sampled_from(["work", "home", None]))},
                            {"value": "%s@other.example.net" % local}]
    optional = {
        "display_name": TEXT, "given_name": TEXT, "family_name": TEXT, "title": TEXT,
        "honorific_prefix": st.sampled_from(["Dr", "Ms", "Mx"]),
        "timezone": st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Tokyo"]),
        "locale": st.sampled_from(["en-US", "de-DE", "fr-FR"]),
        "preferred_language": st.sampled_from(["en", "de", "fr"]),
        "user_type": st.sampled_from(["Employee", "Contractor"]),
        "phone_numbers": st.lists(st.fixed_dictionaries(
            {"value": PHONE}, optional={"type": st.sampled_from(["work", "mobile", "home"]),
                                        "primary": st.booleans()}),
            max_size=2, unique_by=lambda phone: phone["value"]),
        "addresses": st.lists(st.fixed_dictionaries(
            {"street_address": TEXT, "locality": TEXT},
            optional={"country": st.sampled_from(["US", "DE"]), "postal_code": st.from_regex(r"[0-9]{5}", fullmatch=True),
                      "primary": st.booleans()}), max_size=1),
        "photos": st.lists(st.fixed_dictionaries({"value": st.sampled_from([
            "https://example.com/p/dana.png", "https://cdn.example.org/a.jpg"])}), max_size=1),
        "roles": st.lists(st.fixed_dictionaries({"value": st.sampled_from(["admin", "member"])},
                                                optional={"primary": st.booleans()}), max_size=1),
        "start_date": st.sampled_from(["2024-04-10T00:00:00+0000", "2023-01-02"]),
        "active": st.booleans(),
    }
    for option, strategy in optional.items():
        if draw(st.booleans()):
            params[option] = draw(strategy)
    enterprise = draw(st.fixed_dictionaries({}, optional={
        "employee_number": st.from_regex(r"E[0-9]{4}", fullmatch=True), "cost_center": TEXT,
        "organization": TEXT, "division": TEXT, "department": TEXT,
        "manager_id": st.sampled_from(["manager:id", "manager:email", "manager:user_name"])}))
    if enterprise:
        params["enterprise"] = enterprise
    params["replace"] = draw(st.booleans())
    return params


def resolve_manager(params, manager):
    enterprise = params.get("enterprise") or {}
    reference = enterprise.get("manager_id")
    if reference:
        kind = reference.split(":", 1)[1]
        spelled = {"id": manager["id"], "email": manager["emails"][0]["value"].upper(),
                   "user_name": manager["userName"]}[kind]
        params = dict(params, enterprise=dict(enterprise, manager_id=spelled))
    return params


def converge(client, params):
    spec = UserSpec(params, client.dialect)
    outcome = plan_user(ClientFinder(client), spec)
    return apply_user(client, spec, outcome)


def replan(client, params):
    return plan_user(ClientFinder(client), UserSpec(params, client.dialect))


# One attribute at a time, changed to a value Slack stores as sent.
CHANGES = {
    "title": lambda p: dict(p, title="Changed Title"),
    "display_name": lambda p: dict(p, display_name="Changed Name"),
    "timezone": lambda p: dict(p, timezone="Australia/Sydney"),
    "department": lambda p: dict(p, enterprise=dict(p.get("enterprise") or {}, department="Changed Dept")),
    "phone_numbers": lambda p: dict(p, phone_numbers=[{"value": "+1 555 1999", "type": "work"}]),
    "given_name": lambda p: dict(p, given_name="Changedname"),
}
CHANGED_OPTION = {"department": "department"}


class InProcessEmulator:
    """The emulator serving on a free port in a thread of this process, driven through its control API."""

    def __init__(self):
        self.server = EmulatorServer(("127.0.0.1", 0), Emulator(token=TOKEN, rate_limit_scale=0))
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def control(self, method, route, body=None):
        response = requests.request(method, "%s/_control/%s" % (self.server.url, route), json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def base_url(self, api_version):
        return "%s/scim/%s/" % (self.server.url, api_version)


@pytest.fixture(scope="module")
def emulator():
    running = InProcessEmulator()
    running.thread.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def fresh(emulator):
    def reset(api_version):
        emulator.control("POST", "reset")
        emulator.control("POST", "config", {"rate_limit_scale": 0, "write_hold": 0})
        client = client_for(emulator, api_version)
        manager = client.create_user({"userName": "boss", "emails": [{"value": "boss@example.com", "primary": True}]})
        return client, manager
    return reset


@pytest.mark.parametrize("api_version", ["v2", "v1"])
@given(declared=declared_users(), change=st.sampled_from(sorted(CHANGES)))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_a_converged_user_plans_nothing_and_one_change_plans_one_write(fresh, api_version, declared, change):
    client, manager = fresh(api_version)
    params = resolve_manager(declared, manager)
    try:
        UserSpec(params, client.dialect)
    except UserSpecError:
        reject()  # refused before any request, as it should be: not an idempotency case
    created = converge(client, dict(params, replace=False))
    assert created.action == "create", created.action
    if params.get("replace"):
        replaced = converge(client, params)  # the PUT of the declared user, over what creation stored
        assert replaced.action is None, (replaced.action, replaced.changed_attributes)

    again = replan(client, params)
    assert again.action is None and again.write is None, (again.action, again.changed_attributes)
    exported = user_params_from_resource(client.get_user(created.user["id"]), client.dialect)
    as_exported = replan(client, exported)  # slack_scim_info export: true, then a sync of it
    assert as_exported.action is None, (exported, as_exported.action, as_exported.changed_attributes)

    changed_params = CHANGES[change](params)
    planned = replan(client, changed_params)
    assert planned.write is not None, "changing %s planned no write" % change
    assert planned.changed_attributes == [CHANGED_OPTION.get(change, change)], planned.changed_attributes
    sent_before = client.request_count
    apply_user(client, UserSpec(changed_params, client.dialect), planned)
    assert client.request_count - sent_before == 1, "one change must cost exactly one write"
    final = replan(client, changed_params)
    assert final.action is None, (final.action, final.changed_attributes)


@st.composite
def memberships(draw):
    refs = draw(st.lists(st.tuples(st.integers(0, MEMBER_COUNT - 1), st.sampled_from(["id", "email", "user_name"])),
                         max_size=MEMBER_COUNT, unique_by=lambda ref: ref[0]))
    mode = draw(st.sampled_from(["set", "add", "add_remove"]))
    if mode == "add_remove":
        split = draw(st.integers(0, len(refs)))
        return {"add": refs[:split], "remove": refs[split:]}
    return {mode: refs}


def spell(users, refs):
    spelled = []
    for index, kind in refs:
        user = users[index]
        spelled.append({"id": user["id"], "email": user["emails"][0]["value"].title(),
                        "user_name": user["userName"].upper()}[kind])
    return spelled


@pytest.mark.parametrize("api_version", ["v2", "v1"])
@given(members=memberships(), initial=st.lists(st.integers(0, MEMBER_COUNT - 1), unique=True, max_size=MEMBER_COUNT),
       toggle=st.integers(0, MEMBER_COUNT - 1))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_a_converged_group_plans_nothing_and_one_member_plans_one_write(
        fresh, api_version, members, initial, toggle):
    client, dummy = fresh(api_version)
    users = [client.create_user({"userName": "m%d" % i,
                                 "emails": [{"value": "m%d@example.com" % i, "primary": True}]})
             for i in range(MEMBER_COUNT)]
    client.create_group({"displayName": "Prop", "members": [{"value": users[i]["id"]} for i in initial]})
    params = {"display_name": "Prop", "members": {key: spell(users, refs) for key, refs in members.items()}}

    def plan(declared):
        options = dict((name, option.get("default")) for name, option in group_argument_spec().items())
        finder, spec = ClientFinder(client), GroupSpec(dict(options, **declared))  # as the argspec leaves them
        return plan_group(finder, MemberResolver(client), spec, find_group(finder, spec))

    outcome = plan(params)
    apply_group(client, outcome)
    again = plan(params)
    assert again.action is None, (again.members_added, again.members_removed)

    target = users[toggle]
    current = {m["value"] for m in client.find_group_by_display_name("Prop").get("members") or []}
    one = {"display_name": "Prop", "members": {"remove" if target["id"] in current else "add": [target["id"]]}}
    planned = plan(one)
    assert planned.action == "update" and len(planned.members_added) + len(planned.members_removed) == 1
    sent_before = client.request_count
    apply_group(client, planned)
    assert client.request_count - sent_before == 1, "one member change must cost exactly one PATCH"
    assert plan(one).action is None
