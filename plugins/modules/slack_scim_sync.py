#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: slack_scim_sync
short_description: Converge a whole Slack directory of users and groups in one task
version_added: 0.1.0
description:
  - Declares many users and groups at once. Reads every user and every group once, with paged listings
    (1,000 per request), plans every change in memory, then writes only the differences.
  - A run where nothing changed costs ceil(users / 1000) + ceil(groups / 1000) requests, whatever the number of
    declared users; a loop over M(scim.slack.slack_scim_user) costs one request and one task per user.
  - Each user and group is decided exactly as M(scim.slack.slack_scim_user) and M(scim.slack.slack_scim_group)
    decide it (same comparison, same request bodies).
  - Optionally deactivates active users (O(purge_users)) and deletes groups (O(purge_groups)) that are not
    declared, within safety limits checked before any write.
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
    details: Returns the full plan and sends no write.
  diff_mode:
    support: full
    details:
      - Shows one diff per changed user and group (headed C(user <name> (<id>)) or C(group <name> (<id>)),
        C(new) for a resource to be created), with the managed attributes before and after, as
        M(scim.slack.slack_scim_user) and M(scim.slack.slack_scim_group) show them.
      - In the returned C(diff), a list of C({before_header, after_header, before, after}); C(before) and
        C(after) are JSON text (sorted keys, non-ASCII characters as written).
  platform:
    platforms: all
options:
  src:
    description:
      - The path of a YAML or JSON file holding the directory, a mapping with the keys C(users) and C(groups),
        each as O(users) and O(groups) take it (either may be left out). A relative path is looked up as
        M(ansible.builtin.copy) looks up its C(src) (the role's or the playbook's C(files/) folder, then beside
        the playbook). A file encrypted with Ansible Vault is decrypted.
      - The file is read on the controller, and its entries are validated exactly as O(users) and O(groups) are,
        but never templated, so a directory of thousands of users costs the task a second, not minutes of
        templating. Their validation messages name them as O(users) and O(groups).
      - Mutually exclusive with O(users) and O(groups).
    type: path
    version_added: 0.2.0
  users:
    description:
      - Users to converge, each with the keys and meaning of M(scim.slack.slack_scim_user)'s options.
      - Two entries for one user (same user name ignoring case, same primary email, or same id), or two entries
        that find the same account (for example one by user name, the other by email), fail the task before any
        write, naming both.
      - Every entry is validated before any request; all invalid entries are named at once. Names of only white
        space (O(users[].user_name), O(users[].display_name), O(users[].given_name), ...) are refused.
    type: list
    elements: dict
    default: []
    suboptions:
      state:
        description: As O(scim.slack.slack_scim_user#module:state).
        type: str
        choices: [present, absent]
        default: present
      id:
        description: As O(scim.slack.slack_scim_user#module:id).
        type: str
      user_name:
        description: As O(scim.slack.slack_scim_user#module:user_name).
        type: str
      nick_name:
        description: As O(scim.slack.slack_scim_user#module:nick_name).
        type: str
      email:
        description: As O(scim.slack.slack_scim_user#module:email).
        type: str
      emails:
        description: As O(scim.slack.slack_scim_user#module:emails).
        type: list
        elements: dict
        suboptions:
          value:
            description: As O(scim.slack.slack_scim_user#module:emails[].value).
            type: str
            required: true
          type:
            description: As O(scim.slack.slack_scim_user#module:emails[].type).
            type: str
          primary:
            description: As O(scim.slack.slack_scim_user#module:emails[].primary).
            type: bool
      display_name:
        description: As O(scim.slack.slack_scim_user#module:display_name).
        type: str
      given_name:
        description: As O(scim.slack.slack_scim_user#module:given_name).
        type: str
      family_name:
        description: As O(scim.slack.slack_scim_user#module:family_name).
        type: str
      honorific_prefix:
        description: As O(scim.slack.slack_scim_user#module:honorific_prefix).
        type: str
      title:
        description: As O(scim.slack.slack_scim_user#module:title).
        type: str
      timezone:
        description: As O(scim.slack.slack_scim_user#module:timezone).
        type: str
      locale:
        description: As O(scim.slack.slack_scim_user#module:locale).
        type: str
      preferred_language:
        description: As O(scim.slack.slack_scim_user#module:preferred_language).
        type: str
      user_type:
        description: As O(scim.slack.slack_scim_user#module:user_type).
        type: str
      profile_url:
        description: As O(scim.slack.slack_scim_user#module:profile_url).
        type: str
      phone_numbers:
        description: As O(scim.slack.slack_scim_user#module:phone_numbers).
        type: list
        elements: dict
        suboptions:
          value:
            description: As O(scim.slack.slack_scim_user#module:phone_numbers[].value).
            type: str
            required: true
          type:
            description: As O(scim.slack.slack_scim_user#module:phone_numbers[].type).
            type: str
          primary:
            description: As O(scim.slack.slack_scim_user#module:phone_numbers[].primary).
            type: bool
      addresses:
        description: As O(scim.slack.slack_scim_user#module:addresses).
        type: list
        elements: dict
        suboptions:
          street_address:
            description: As O(scim.slack.slack_scim_user#module:addresses[].street_address).
            type: str
          locality:
            description: As O(scim.slack.slack_scim_user#module:addresses[].locality).
            type: str
          region:
            description: As O(scim.slack.slack_scim_user#module:addresses[].region).
            type: str
          postal_code:
            description: As O(scim.slack.slack_scim_user#module:addresses[].postal_code).
            type: str
          country:
            description: As O(scim.slack.slack_scim_user#module:addresses[].country).
            type: str
          primary:
            description: As O(scim.slack.slack_scim_user#module:addresses[].primary).
            type: bool
      photos:
        description: As O(scim.slack.slack_scim_user#module:photos).
        type: list
        elements: dict
        suboptions:
          value:
            description: As O(scim.slack.slack_scim_user#module:photos[].value).
            type: str
            required: true
          type:
            description: As O(scim.slack.slack_scim_user#module:photos[].type).
            type: str
      roles:
        description: As O(scim.slack.slack_scim_user#module:roles).
        type: list
        elements: dict
        suboptions:
          value:
            description: As O(scim.slack.slack_scim_user#module:roles[].value).
            type: str
            required: true
          type:
            description: As O(scim.slack.slack_scim_user#module:roles[].type).
            type: str
          primary:
            description: As O(scim.slack.slack_scim_user#module:roles[].primary).
            type: bool
          display:
            description: As O(scim.slack.slack_scim_user#module:roles[].display).
            type: str
      enterprise:
        description: As O(scim.slack.slack_scim_user#module:enterprise).
        type: dict
        suboptions:
          employee_number:
            description: As O(scim.slack.slack_scim_user#module:enterprise.employee_number).
            type: str
          cost_center:
            description: As O(scim.slack.slack_scim_user#module:enterprise.cost_center).
            type: str
          organization:
            description: As O(scim.slack.slack_scim_user#module:enterprise.organization).
            type: str
          division:
            description: As O(scim.slack.slack_scim_user#module:enterprise.division).
            type: str
          department:
            description: As O(scim.slack.slack_scim_user#module:enterprise.department).
            type: str
          manager_id:
            description: As O(scim.slack.slack_scim_user#module:enterprise.manager_id).
            type: str
      start_date:
        description: As O(scim.slack.slack_scim_user#module:start_date).
        type: str
      active:
        description: As O(scim.slack.slack_scim_user#module:active).
        type: bool
      extra_attributes:
        description: As O(scim.slack.slack_scim_user#module:extra_attributes).
        type: dict
      guest:
        version_added: 0.2.0
        description: As O(scim.slack.slack_scim_user#module:guest).
        type: bool
      guest_expiration:
        version_added: 0.2.0
        description: As O(scim.slack.slack_scim_user#module:guest_expiration).
        type: str
      external_id:
        version_added: 0.2.0
        description: As O(scim.slack.slack_scim_user#module:external_id).
        type: str
      create_only:
        version_added: 0.2.0
        description: As O(scim.slack.slack_scim_user#module:create_only).
        type: list
        elements: str
        choices: [user_name, email, emails, display_name, given_name, family_name, honorific_prefix, title,
                  timezone, locale, preferred_language, user_type, phone_numbers, addresses, photos, roles,
                  enterprise, start_date, guest, guest_expiration, extra_attributes]
      replace:
        description: As O(scim.slack.slack_scim_user#module:replace).
        type: bool
        default: false
  groups:
    description:
      - Groups to converge, each with the keys and meaning of M(scim.slack.slack_scim_group)'s options.
      - Member references may name users declared in O(users) that do not exist yet; they are created first.
      - Members are resolved against the directory as the user writes of the same task leave it. A user that
        O(users) reactivates can be added in the same run; a user that this task deactivates (O(users[].state=absent),
        O(users[].active=false), or O(purge_users)) and that O(groups[].members.set) or O(groups[].members.add) names
        fails the task before any write, naming the user and the group (under
        O(groups[].lookup_failure_action=warn) or V(ignore) the member is skipped instead).
      - All groups with members that cannot be resolved are named at once, with their index and display name.
    type: list
    elements: dict
    default: []
    suboptions:
      state:
        description: As O(scim.slack.slack_scim_group#module:state).
        type: str
        choices: [present, absent]
        default: present
      display_name:
        description: As O(scim.slack.slack_scim_group#module:display_name).
        type: str
      id:
        description: As O(scim.slack.slack_scim_group#module:id).
        type: str
      members:
        description: As O(scim.slack.slack_scim_group#module:members).
        type: dict
        suboptions:
          add:
            description: As O(scim.slack.slack_scim_group#module:members.add).
            type: list
            elements: str
          remove:
            description: As O(scim.slack.slack_scim_group#module:members.remove).
            type: list
            elements: str
          set:
            description: As O(scim.slack.slack_scim_group#module:members.set).
            type: list
            elements: str
      lookup_failure_action:
        description: As O(scim.slack.slack_scim_group#module:lookup_failure_action).
        type: str
        choices: [fail, warn, ignore]
        default: fail
  purge_users:
    description:
      - Deactivate every active user that no entry of O(users) declares.
      - Never touches the token's own user (asked from Slack with C(auth.test)), bot users, or O(purge_exclude).
        The accounts it spares are listed in RV(spared).
    type: bool
    default: false
  purge_exclude:
    description:
      - Users O(purge_users) never deactivates, as user names, emails or user IDs.
      - An entry that matches no user gives a warning naming it.
    type: list
    elements: str
    default: []
  purge_groups:
    description: Delete every group that no entry of O(groups) declares, except O(purge_exclude_groups).
    type: bool
    default: false
  purge_exclude_groups:
    description:
      - Groups O(purge_groups) never deletes, as group IDs or display names (ignoring case).
      - An entry that matches no group gives a warning naming it.
    type: list
    elements: str
    default: []
  max_deactivations:
    description:
      - Fail before any write, showing the plan, when it would deactivate more users than this. Every transition
        of an active user to inactive counts, whatever causes it (O(purge_users), O(users[].state=absent),
        O(users[].active=false), also with O(users[].replace=true)).
      - A safety net against a truncated input file.
      - A whole number, or V(null) for no limit.
    type: raw
    default: 10
  max_group_deletions:
    description:
      - Fail before any write, showing the plan, when it would delete more groups than this (O(purge_groups) and
        O(groups[].state=absent) together).
      - A whole number, or V(null) for no limit.
    type: raw
    default: 0
  max_member_removals:
    description:
      - Fail before any write, showing the plan (which groups lose which members), when it would remove more
        group memberships than this, across all groups. A short or empty O(groups[].members.set) (a truncated
        data file) cannot empty the groups.
      - The memberships of users this task deactivates count under O(max_deactivations) instead.
      - A whole number, or V(null) for no limit.
    type: raw
    default: 50
    version_added: 0.2.0
  write_rate:
    description:
      - At most this many writes a minute for the whole task, evenly spaced. The default is Slack's
        per-endpoint write limit; Slack's org-wide limit is 600 and shared with your IdP. V(0) (or V(null)) means
        no pacing.
      - Rate-limited requests are still retried after C(Retry-After).
    type: int
    default: 180
  continue_on_error:
    description:
      - Go on with the other resources when a write fails, and report the failures in RV(failures). By default the
        first failure stops the task; a rerun converges what is left.
      - A failed write is counted only under C(failed) in RV(summary) and is not listed in RV(changes); the task
        reports C(changed) only when a write succeeded. A group that adds a user whose creation failed is not
        written (and is listed in RV(failures)).
    type: bool
    default: false
notes:
  - Users are written first (so groups can name new users), then groups, then group deletions, then
    deactivations (including O(users[].active=false)).
seealso:
  - module: scim.slack.slack_scim_user
  - module: scim.slack.slack_scim_group
  - module: scim.slack.slack_scim_info
"""

EXAMPLES = r"""
- name: The whole directory, from one data file (users and groups; read on the controller, never templated)
  scim.slack.slack_scim_sync:
    token: "{{ slack_scim_token }}"
    src: slack-directory.yml

- name: Preview who a purge would deactivate (everyone active the data file does not declare)
  scim.slack.slack_scim_sync:
    token: "{{ slack_scim_token }}"
    users: "{{ directory.users }}"
    groups: "{{ directory.groups }}"
    purge_users: true
    purge_exclude: [it-admin@example.com]
    max_deactivations: 5
  vars:
    directory: "{{ lookup('ansible.builtin.file', 'slack-directory.yml') | from_yaml }}"
  check_mode: true  # review purge_preview.changes (and the diff with --diff); drop these lines to carry it out
  changed_when: false
  register: purge_preview

- name: New starters and their team, in one task
  scim.slack.slack_scim_sync:
    token: "{{ slack_scim_token }}"
    users:
      - user_name: erin
        email: erin@example.com
        title: Software Engineer
      - user_name: finn
        email: finn@example.com
        title: Software Engineer
      - email: former@example.com
        state: absent
    groups:
      - display_name: Engineering
        members:
          add: [erin, finn@example.com]
"""

RETURN = r"""
summary:
  description:
    - What the task did (or would do, in check mode).
    - V(users.to_guest) and V(users.to_member) count the existing users converted to a multi-channel guest
      and back to a full member; they are also counted in V(users.updated) (or V(users.reactivated)).
  returned: success
  type: dict
  sample:
    users: {created: 2, updated: 1, deactivated: 0, reactivated: 0, unchanged: 9997, failed: 0, to_guest: 1,
            to_member: 0}
    groups: {created: 0, updated: 1, deleted: 0, unchanged: 99, failed: 0, members_added: 2, members_removed: 0}
changes:
  description:
    - One entry per changed resource, with C(action) one of V(create), V(update), V(reactivate), V(deactivate) (users)
      or V(create), V(update), V(delete) (groups). Failed writes are not listed.
  returned: success
  type: list
  elements: dict
  sample:
    - resource: user
      id: W0123ABCDE
      name: erin
      action: create
      attributes: [email, title, user_name]
    - resource: group
      id: S0123ABCDE
      name: Engineering
      action: update
      attributes: [members]
failures:
  description:
    - Writes that failed, when O(continue_on_error=true). (Not C(failed), which Ansible reserves for the task's
      own status.)
  returned: success
  type: list
  elements: dict
  sample:
    - resource: user
      id: null
      name: finn
      msg: "POST /Users failed: HTTP 409 email_taken"
spared:
  description:
    - Active accounts that O(purge_users) left alone, and groups that O(purge_groups) left alone, with the reason
      (V(owner) the token's own user, V(bot) a bot user, V(excluded) in O(purge_exclude) or O(purge_exclude_groups)).
  returned: success
  type: list
  elements: dict
  version_added: 0.2.0
  sample:
    - {resource: user, id: W0123ABCDE, name: it-admin, reason: owner}
    - {resource: user, id: W0456ABCDE, name: deploy-bot, reason: bot}
    - {resource: group, id: S0123ABCDE, name: Admins, reason: excluded}
requests:
  description: HTTP requests the task sent to Slack (retries included).
  returned: success
  type: int
  sample: 12
"""

import re

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._group import group_argument_spec
from ansible_collections.scim.slack.plugins.module_utils._module import ScimModule, diff_result
from ansible_collections.scim.slack.plugins.module_utils._sync import (
    DEFAULT_LIMITS,
    Pacer,
    SyncError,
    build_plan,
    execute,
    report,
    token_user,
)
from ansible_collections.scim.slack.plugins.module_utils._user import USER_SPEC_RULES, user_argument_spec


def argument_spec():
    return dict(
        src=dict(type="path"),
        users=dict(type="list", elements="dict", default=[], options=user_argument_spec(), **USER_SPEC_RULES),
        groups=dict(type="list", elements="dict", default=[], options=group_argument_spec(),
                    required_one_of=[("id", "display_name")]),
        purge_users=dict(type="bool", default=False),
        purge_exclude=dict(type="list", elements="str", default=[]),
        purge_groups=dict(type="bool", default=False),
        purge_exclude_groups=dict(type="list", elements="str", default=[]),
        # raw, not int: ansible-core refuses an explicit null for a typed option with a default, and null
        # means "no limit" here.  whole_number() checks the values.
        max_deactivations=dict(type="raw", default=DEFAULT_LIMITS["max_deactivations"]),
        max_group_deletions=dict(type="raw", default=DEFAULT_LIMITS["max_group_deletions"]),
        max_member_removals=dict(type="raw", default=DEFAULT_LIMITS["max_member_removals"]),
        write_rate=dict(type="int", default=180),
        continue_on_error=dict(type="bool", default=False),
    )


def whole_number(value):
    """An int from an int, a float without fraction or a string of digits; None stays None; False if neither."""
    if value is None:
        return None
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else False
    if isinstance(value, str) and re.match(r"^\s*[-+]?\d+\s*$", value):
        return int(value)
    return False


def module_kwargs():
    """ScimModule's arguments; the action plugin validates with the very same."""
    return dict(argument_spec=argument_spec(), supports_check_mode=True,
                mutually_exclusive=[("src", "users"), ("src", "groups")])


def run_module(module):
    """The task, on the interface ScimModule and the action plugin's in-process stand-in share."""
    params = module.params
    if params["src"] is not None:
        module.fail_json(msg="src is read on the controller by the slack_scim_sync action plugin, which passes its "
                             "users and groups on; this module was run without its action plugin")
    for option in sorted(DEFAULT_LIMITS):
        value = whole_number(params[option])
        if value is False:
            module.fail_json(msg="%s must be a whole number, or null for no limit; got %r" % (option, params[option]))
        params[option] = value
    for option in sorted(DEFAULT_LIMITS) + ["write_rate"]:
        if params[option] is not None and params[option] < 0:
            module.fail_json(msg="%s must not be negative, got %d" % (option, params[option]))
    client = module.client
    try:
        owner = None
        if params["purge_users"]:
            owner = token_user(client)
            if owner is None:
                module.fail_json(msg="purge_users needs to know the token's own user, to spare it, and Slack's "
                                     "auth.test did not say; nothing was changed")
        plan = build_plan(client, params, token_user_id=owner)
        failed = [] if module.check_mode else execute(client, plan, Pacer(params["write_rate"]),
                                                      params["continue_on_error"])
    except SyncError as exc:
        result = {}
        if exc.plan is not None:
            result["summary"], result["changes"], dummy = report(exc.plan)
        module.fail_json(msg=str(exc), requests=client.request_count, **result)
    except ScimError as exc:
        module.fail_scim(exc, requests=client.request_count)
    for warning in plan.warnings:
        module.warn(warning)
    summary, changes, diff = report(plan)
    result = dict(changed=bool(changes), summary=summary, changes=changes, failures=failed, spared=plan.spared,
                  requests=client.request_count)
    if module.diff_mode:
        result["diff"] = [diff_result(entry["before"], entry["after"], before_header=entry["before_header"],
                                      after_header=entry["after_header"]) for entry in diff]
    module.exit_json(**result)


def main():
    run_module(ScimModule(**module_kwargs()))


if __name__ == "__main__":
    main()
