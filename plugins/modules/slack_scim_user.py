#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: slack_scim_user
short_description: Manage a Slack user through the SCIM API
version_added: 0.1.0
description:
  - Create, update, replace, deactivate and reactivate one user of a Slack Enterprise organization,
    through Slack's SCIM API v2 or v1.
  - The module reads the user first (one request), then sends a write only for what differs. An unchanged
    user costs one read and reports RV(ignore:changed=false).
  - Attributes are managed only when given. Comparison follows what Slack stores, so a second run never
    reports a change Slack made itself. User names are lower-cased and every character but letters, digits,
    V(.), V(_) and V(-) becomes V(_). Emails compare case-insensitively. A missing value, V(null) and
    V("") are equal. List order does not matter.
  - Slack cannot delete users; O(state=absent) deactivates the user.
author:
  - scim.slack maintainers (@scim-slack)
requirements:
  - requests
extends_documentation_fragment:
  - scim.slack.connection
  - scim.slack.attributes.ACTION_GROUP
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Sends no write and returns the predicted user.
  diff_mode:
    support: full
    details:
      - Shows the managed attributes before and after, lists sorted.
      - The returned C(diff.before) and C(diff.after) are JSON text (sorted keys, non-ASCII characters as
        written); parse them with P(ansible.builtin.from_json#filter) to read a value.
  platform:
    platforms: all
options:
  state:
    description:
      - V(present) creates the user if needed and sets the given attributes. It does not change whether the
        user is active unless O(active) is given; a deactivated user it finds is that user (converged, not
        created again), with a warning.
      - V(absent) deactivates the user. A user that is already inactive, or not found, is left alone.
    type: str
    choices: [present, absent]
    default: present
  id:
    description:
      - The Slack user ID (V(U...) or V(W...)). When given, the user is found by it, and O(user_name) and
        O(email) are attributes to set.
    type: str
  user_name:
    description:
      - The Slack user name (C(userName)); at most 21 characters after Slack's normalisation (lower case;
        characters other than letters, digits, V(.), V(_) and V(-) become V(_)).
      - Must not contain V(@). Slack converts an email address given as user name by undocumented rules, so
        the module refuses it rather than guess the result; give the address as O(email).
      - Without O(id), the user is found by this name, then by O(email) if the name finds nobody. A user
        found by email whose name differs is renamed.
      - Required to create a user.
    type: str
  nick_name:
    description:
      - Slack keeps C(nickName) equal to C(userName); setting one sets both. Give this only instead of
        O(user_name), or with the same value.
    type: str
  email:
    description:
      - The primary email address. Used to find the user when O(user_name) finds nobody.
      - Required (or O(emails)) to create a user.
      - If O(user_name) and O(email) are held by two different users, the task fails naming both.
    type: str
  emails:
    description:
      - All email addresses, at most two (Slack stores a primary and one more). The primary is the entry
        with O(emails[].primary=true), else the one of O(emails[].type=work), else the first.
    type: list
    elements: dict
    suboptions:
      value:
        description: The address.
        type: str
        required: true
      type:
        description: The kind of address, for example V(work). Slack does not store it.
        type: str
      primary:
        description: Whether this is the primary address.
        type: bool
  display_name:
    description:
      - The display name; at most 80 characters, without V(@) (Slack answers C(invalid_name_specials), or
        C(invalid_starts_with_at) for a leading one) and without emoji, either as pictographs or as
        C(:shortcode:) text (C(invalid_emoji_not_allowed)). These are checked before any request.
      - Slack rejects changes when members may edit their own display name (C(invalid_display_name)).
    type: str
  given_name:
    description: The first name (C(name.givenName)).
    type: str
  family_name:
    description: The last name (C(name.familyName)).
    type: str
  honorific_prefix:
    description: The honorific prefix (C(name.honorificPrefix)).
    type: str
  title:
    description: The job title.
    type: str
  timezone:
    description: The time zone, for example V(America/New_York).
    type: str
  locale:
    description: The locale, for example V(en-US).
    type: str
  preferred_language:
    description: The preferred language, for example V(en_US).
    type: str
  user_type:
    description: The user type, for example V(Employee).
    type: str
  profile_url:
    description:
      - The profile URL, sent only when the user is created (Slack does not update it).
    type: str
  phone_numbers:
    description:
      - Phone numbers, at most two.
      - Compared by number only. Slack answers other C(type) and C(primary) values than it was sent, so a
        change of type alone is not sent; a changed number is sent with the declared types.
    type: list
    elements: dict
    suboptions:
      value:
        description: The number.
        type: str
        required: true
      type:
        description: The kind of number, for example V(mobile) or V(work).
        type: str
      primary:
        description: Whether this is the primary number.
        type: bool
  addresses:
    description:
      - The postal address (Slack stores one). Slack stores neither C(type) nor O(addresses[].primary), so
        they take no part in the comparison.
    type: list
    elements: dict
    suboptions:
      street_address:
        description: Street and number.
        type: str
      locality:
        description: City.
        type: str
      region:
        description: State or region.
        type: str
      postal_code:
        description: Postal code.
        type: str
      country:
        description: Country.
        type: str
      primary:
        description: Whether this is the primary address.
        type: bool
  photos:
    description:
      - The profile photo (Slack stores one); a public URL or a C(data:) URL.
      - Slack copies the photo to its own servers and answers that URL, so the URL read back never equals
        the URL sent, and a user without a photo shows a default one (a gravatar). The module therefore
        compares only whether the user has a photo of its own. A declared photo is sent when the user is
        created and when the user has none; a different URL for a user who has a photo is not sent. See
        the idempotency guide for how to change a photo.
    type: list
    elements: dict
    suboptions:
      value:
        description: The URL.
        type: str
        required: true
      type:
        description: The kind of photo, for example V(photo).
        type: str
  roles:
    description: The role (Slack stores one).
    type: list
    elements: dict
    suboptions:
      value:
        description: The role.
        type: str
        required: true
      type:
        description: The kind of role.
        type: str
      primary:
        description: Whether this is the primary role.
        type: bool
      display:
        description: The role's display text.
        type: str
  enterprise:
    description: Attributes of the SCIM enterprise extension.
    type: dict
    suboptions:
      employee_number:
        description: The employee number.
        type: str
      cost_center:
        description: The cost center.
        type: str
      organization:
        description: The organization.
        type: str
      division:
        description: The division.
        type: str
      department:
        description: The department.
        type: str
      manager_id:
        description:
          - The manager, as a Slack user ID, an email or a user name. Slack stores the manager's user ID, so
            the reference is resolved to it before comparing and sending; an unknown manager fails before
            any write.
          - Given as the current manager's ID it costs no request; given another way, one lookup.
        type: str
  start_date:
    description: The start date (Slack profile extension), ISO 8601, for example V(2024-04-10T00:00:00+0000).
    type: str
  active:
    description:
      - V(false) deactivates the user, V(true) reactivates it. Not given, activation is left as it is.
    type: bool
  extra_attributes:
    description:
      - A raw SCIM dict merged into the user last, for attributes this module does not model. Keys are SCIM
        names (camelCase) or extension URNs; only the keys given are compared.
    type: dict
  guest:
    version_added: 0.2.0
    description:
      - V(true) makes the user a multi-channel guest (Slack's guest extension with C(type) V(multi)); V(false)
        makes a guest a full member. Not given, guest status is left as it is, also by O(replace).
      - Single-channel guests cannot be provisioned through SCIM. Slack refuses to make an admin or owner a
        guest (C(cannot_make_user_guest)), and reactivates a deactivated user whose guest status changes.
    type: bool
  guest_expiration:
    version_added: 0.2.0
    description:
      - When a multi-channel guest's account expires, as an ISO 8601 date (V(2027-03-31)) or date-time
        (V(2027-03-31T18:00:00Z)) in the future; V("") removes the expiration. Checked before any request.
      - Slack takes a date-time; a date alone is sent as the end of that day, UTC (V(2027-03-31T23:59:59Z)).
      - Alone, it changes an existing guest's expiration; on a full member it needs O(guest=true).
      - Compared as a moment (a date alone as a day), so Slack answering another spelling of the same time
        is no change.
    type: str
  external_id:
    version_added: 0.2.0
    description:
      - The identity provider's stable key for the user (C(externalId)), set when the user is created.
      - Slack does not update C(externalId); when it differs on an existing user the module warns and sends
        nothing for it.
    type: str
  create_only:
    version_added: 0.2.0
    description:
      - Options that are sent when the user is created and never compared or changed afterwards, for
        attributes people edit themselves (for example V([display_name, photos, title])). O(enterprise) counts
        as a whole. A O(replace=true) C(PUT) carries their current values.
    type: list
    elements: str
    choices: [user_name, email, emails, display_name, given_name, family_name, honorific_prefix, title, timezone,
              locale, preferred_language, user_type, phone_numbers, addresses, photos, roles, enterprise, start_date,
              guest, guest_expiration, extra_attributes]
  replace:
    description:
      - When V(true) and the user exists with differences, send one C(PUT) of the full declared user instead
        of a C(PATCH). Every attribute this module models that is not declared is cleared. The user's
        activation, its user name and emails, and its timezone (when not declared) are kept, because Slack
        would blank or deactivate them, or answers a default timezone anyway.
      - Slack blanks whatever a C(PUT) omits, so the body carries, as they are, the attributes the module does
        not model (the guest extension, C(externalId), C(profileUrl)) and the photo when O(photos) is not
        declared. The diff shows every attribute the C(PUT) changes.
    type: bool
    default: false
notes:
  - The module runs where the task runs; use C(delegate_to=localhost) or C(connection=local), and
    C(throttle) when many tasks write in parallel (Slack allows about 180 user writes a minute).
seealso:
  - module: scim.slack.slack_scim_group
  - module: scim.slack.slack_scim_info
  - module: scim.slack.slack_scim_sync
    description: Many users and groups in one task, from one listing.
  - plugin: scim.slack.slack_scim_info
    plugin_type: lookup
"""

EXAMPLES = r"""
# The Python Slack SDK's SCIM example, as tasks. Connection options from module_defaults.
- name: Manage Carly Henderson
  module_defaults:
    group/scim.slack.slack_scim:
      token: "{{ slack_scim_token }}"
  block:
    - name: Create the user (POST /Users)
      scim.slack.slack_scim_user:
        user_name: cal
        email: carly@example.com
        given_name: Carly
        family_name: Henderson
      register: carly

    # In check mode a user to be created has no ID yet (carly.user.id is null): the tasks by ID wait
    # for the real run.
    - name: Update one attribute by ID (PATCH /Users/{id}, only the changed attribute is sent)
      scim.slack.slack_scim_user:
        id: "{{ carly.user.id }}"
        title: Head of Engineering
      when: carly.user.id is not none

    - name: Replace the whole user (PUT /Users/{id}; modelled attributes not declared are cleared)
      scim.slack.slack_scim_user:
        id: "{{ carly.user.id }}"
        user_name: cal
        email: carly@example.com
        given_name: Carly
        family_name: Henderson
        title: Head of Engineering
        replace: true
      when: carly.user.id is not none

    - name: Deactivate the user (DELETE /Users/{id}; Slack deactivates, it never deletes)
      scim.slack.slack_scim_user:
        id: "{{ carly.user.id }}"
        state: absent
      when: carly.user.id is not none

- name: Declare a user with job details and a manager (a user ID, email or user name; Slack stores the ID)
  scim.slack.slack_scim_user:
    token: "{{ slack_scim_token }}"
    user_name: dana.lee
    emails:
      - value: dana.lee@example.com
        primary: true
      - value: dana@example.org
    display_name: Dana Lee
    title: Site Reliability Engineer
    timezone: Europe/Berlin
    enterprise:
      department: Platform
      cost_center: CC-1042
      manager_id: "{{ carly.user.id }}"   # null in check mode, where Carly is not created yet
  delegate_to: localhost

- name: Reactivate a deactivated user (found by user name, or by email if it was renamed)
  scim.slack.slack_scim_user:
    token: "{{ slack_scim_token }}"
    user_name: dana.lee
    email: dana.lee@example.com
    active: true
"""

RETURN = r"""
user:
  description:
    - The user as Slack returns it after the change, or as it is when nothing changed.
    - In check mode, the predicted user (a user to be created has C(id) V(null)).
    - Absent when O(state=absent) found nobody.
  returned: success
  type: dict
  sample:
    id: W0123ABCDE
    userName: cal
    nickName: cal
    active: true
    emails:
      - value: carly@example.com
        primary: true
    name:
      givenName: C
      familyName: Henderson
changed_attributes:
  description: The options whose values changed (or would change in check mode).
  returned: success
  type: list
  elements: str
  sample: [given_name, title]
"""

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._module import ScimModule, diff_result
from ansible_collections.scim.slack.plugins.module_utils._user import (
    USER_SPEC_RULES,
    UserSpec,
    UserSpecError,
    converge_user,
    user_argument_spec,
)


def module_kwargs():
    """ScimModule's arguments; the action plugin validates with the very same."""
    return dict(argument_spec=user_argument_spec(), supports_check_mode=True, **USER_SPEC_RULES)


def run_module(module):
    """The task, on the interface ScimModule and the action plugin's in-process stand-in share."""
    try:
        spec = UserSpec(module.params, module.client.dialect)
        outcome = converge_user(module.client, spec, check_mode=module.check_mode)
    except UserSpecError as exc:
        module.fail_json(msg=str(exc))
    except ScimError as exc:
        module.fail_scim(exc)
    for warning in outcome.warnings:
        module.warn(warning)
    result = dict(changed=outcome.changed, changed_attributes=outcome.changed_attributes)
    if outcome.user is not None:
        result["user"] = outcome.user
    if module.diff_mode:
        result["diff"] = diff_result(outcome.before, outcome.after)
    module.exit_json(**result)


def main():
    run_module(ScimModule(**module_kwargs()))


if __name__ == "__main__":
    main()
