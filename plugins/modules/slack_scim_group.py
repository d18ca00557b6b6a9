#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: slack_scim_group
short_description: Manage a Slack IdP group and its members through the SCIM API
version_added: 0.1.0
description:
  - Create, rename and delete one IdP group of a Slack Enterprise organization, and add or remove its
    members, through Slack's SCIM API v2 or v1.
  - The module reads the group first, resolves every member reference before any write, and sends only the
    difference, in one C(PATCH) (split into batches of at most 5,000 members). An unchanged group costs one
    read plus what resolving names and emails needs.
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
    details: Sends no write and returns the predicted group.
  diff_mode:
    support: full
    details:
      - Shows the display name and the sorted members, as C(U... (user name)), before and after.
      - With O(workspaces) or O(channels), also the workspaces as C(name (ID)) and the channels as C(#name (ID)),
        when they change.
      - The returned C(diff.before) and C(diff.after) are JSON text (sorted keys, non-ASCII characters as
        written); parse them with P(ansible.builtin.from_json#filter) to read a value.
  platform:
    platforms: all
options:
  state:
    description:
      - V(present) creates the group if needed, renames it and changes its members as declared.
      - V(absent) deletes the group (its members stay in Slack). A missing group is left alone.
    type: str
    choices: [present, absent]
    default: present
  display_name:
    description:
      - The group's name. Without O(id), the group is found by it (case-insensitive).
      - With O(id), the group found by id is renamed to it.
      - Slack keeps group names unique; renaming to the name of another group fails before any write.
    type: str
  id:
    description:
      - The Slack group ID (V(S...)).
    type: str
  members:
    description:
      - Who is in the group. Each entry is a Slack user ID (V(U...) or V(W...)), an email address (contains
        V(@)), or a user name (anything else).
      - An entry of the ID shape (V(U) or V(W) followed by 8 to 10 capitals or digits) is tried as an ID
        first, then as a user name.
      - Entries are resolved to users before any write. Deactivated users cannot be members; multi-channel
        guests can.
      - O(members.add) and O(members.remove) naming one user (for example by user name and by email) fail
        before any write, naming both entries.
    type: dict
    suboptions:
      add:
        description: Users to add; members not listed stay.
        type: list
        elements: str
      remove:
        description: Users to remove; members not listed stay.
        type: list
        elements: str
      set:
        description:
          - The exact membership; members not listed are removed. V([]) empties the group.
          - Cannot be combined with O(members.add) or O(members.remove).
        type: list
        elements: str
  lookup_failure_action:
    description:
      - What to do about a member entry that resolves to no user, or (when adding) to a deactivated user.
      - V(fail) fails the task before any write, naming every such entry. V(warn) skips them with a warning.
        V(ignore) skips them silently.
      - A lookup failure never removes a current member. Under V(warn) or V(ignore), when an entry of
        O(members.set) does not resolve, no member is removed (a warning says so), since the entry may name
        one of them.
    type: str
    choices: [fail, warn, ignore]
    default: fail
  workspaces:
    version_added: 0.2.0
    description:
      - On Enterprise Grid, the workspaces the IdP group is connected to (its members join them), each by ID
        (V(T...)) or by name or domain. Through Slack's Web API (C(admin.usergroups.addTeams)); see C(docs/grid.md)
        for the scopes.
      - The task reads the workspaces (one C(admin.teams.list)) and the group's connections (one
        C(usergroups.list) per workspace of the organization, as Slack has no method that lists a group's
        workspaces) before any write, and connects only the workspaces missing.
      - B(Slack offers no way to disconnect an IdP group from a workspace) through its API (only the org
        dashboard does). O(workspaces.remove) naming, or O(workspaces.set) leaving out, a workspace the group is
        connected to fails before any write; naming one it is not connected to changes nothing.
    type: dict
    suboptions:
      add:
        description: Workspaces to connect the group to; the others are left alone.
        type: list
        elements: str
      remove:
        description: Workspaces the group must not be connected to; fails when it is (see above).
        type: list
        elements: str
      set:
        description:
          - The exact workspaces; fails when the group is connected to another (see above). Cannot be combined
            with the others.
        type: list
        elements: str
  channels:
    version_added: 0.2.0
    description:
      - On Enterprise Grid, the IdP group's default channels (its members join them), each by ID (V(C...)) or by
        name (a leading V(#) is optional). Through C(admin.usergroups.listChannels), C(addChannels) and
        C(removeChannels).
      - A name is looked up with C(admin.conversations.search) unless it is one of the group's channels already;
        a name found in several of the group's workspaces fails, naming each channel with its workspace (use
        the ID); an unknown name fails naming the close matches. An ID that is not one of the group's channels
        costs one search of every channel the token can find (20 a request).
      - A channel is linked in its workspace, which the group must be connected to, or be connected to by
        O(workspaces) in the same task; otherwise the task fails before any write. Org-wide default channels are
        refused by Slack (everyone is a member anyway), so naming one to add fails before any write.
      - Slack lists only the channels the token's user can see, so a default channel the user cannot see is
        neither shown nor removed by O(channels.set).
      - Should Slack still refuse some channels while adding or removing (a partial success, C(invalid_channels)),
        the others are applied, and the task fails with V(changed=true) naming the refused ones.
    type: dict
    suboptions:
      add:
        description: Channels to make default channels of the group; the others are left alone.
        type: list
        elements: str
      remove:
        description: Channels that must not be default channels of the group.
        type: list
        elements: str
      set:
        description: The exact default channels; the others are removed. Cannot be combined with the others.
        type: list
        elements: str
notes:
  - Slack locks a group while a write to it runs; parallel tasks on one group are retried after Slack's
    C(Retry-After), but C(throttle=1) avoids the contention.
  - With O(workspaces) or O(channels), everything is read and checked before the first write; then the SCIM
    write (a new group is created first, as its connections need its ID), then C(addTeams), C(addChannels) (per
    workspace, 100 channels a request, Tier 1 - about one a minute) and C(removeChannels). They cannot be used with
    O(state=absent).
  - With O(api_version=v1) Slack answers a group C(PATCH) without a body; the returned RV(group) is then
    computed from the read before the change and the change itself, without another request.
seealso:
  - module: scim.slack.slack_scim_user
  - module: scim.slack.slack_scim_info
  - module: scim.slack.slack_scim_sync
    description: Many users and groups in one task, from one listing.
  - plugin: scim.slack.slack_scim_info
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: The people the groups below name exist (members must be users already, or be created first)
  scim.slack.slack_scim_user:
    token: "{{ slack_scim_token }}"
    user_name: "{{ item.user_name }}"
    email: "{{ item.email }}"
  loop:
    - {user_name: cal, email: carly@example.com}
    - {user_name: dana.lee, email: dana.lee@example.com}
    - {user_name: erin, email: erin@example.com}

- name: Engineering has exactly these members (an entry is an email, a user name or a user ID)
  scim.slack.slack_scim_group:
    token: "{{ slack_scim_token }}"
    display_name: Engineering
    members:
      set:
        - carly@example.com
        - dana.lee

- name: Add two members and remove one, leaving everyone else
  scim.slack.slack_scim_group:
    token: "{{ slack_scim_token }}"
    display_name: Incident Response
    members:
      add: [erin@example.com, carly@example.com]
      remove: [dana.lee]
    lookup_failure_action: warn

# Renaming by ID: find the group by its old name; once renamed, the old name finds nothing and the task
# is skipped, so the play stays idempotent.
- name: Find the group to rename
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    resource: groups
    display_name: Platform
  register: old_name

- name: Rename it by its ID
  scim.slack.slack_scim_group:
    token: "{{ slack_scim_token }}"
    id: "{{ old_name.groups[0].id }}"
    display_name: Platform Engineering
  when: old_name.groups | length > 0

- name: The organization's workspaces (Enterprise Grid)
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    resource: workspaces
  register: grid

- name: Connect Engineering to the first workspace and make eng-deploys there one of its default channels
  scim.slack.slack_scim_group:
    token: "{{ slack_scim_token }}"
    display_name: Engineering
    workspaces:
      add: ["{{ grid.workspaces[0].name }}"]
    channels:
      add: ["#eng-deploys"]
  when: grid.workspaces | length > 0

- name: Delete a group; its members stay in Slack, and a group that does not exist is left alone
  scim.slack.slack_scim_group:
    token: "{{ slack_scim_token }}"
    display_name: Contractors 2024
    state: absent
"""

RETURN = r"""
group:
  description:
    - The group after the change (in check mode, as it would be); absent when O(state=absent).
  returned: success and state is present
  type: dict
  sample:
    id: S0123ABCDE
    displayName: Engineering
    members:
      - value: W0123ABCDE
        display: carly
members_added:
  description: IDs of the users added (or to be added in check mode).
  returned: success
  type: list
  elements: str
  sample: [W0123ABCDE]
members_removed:
  description: IDs of the users removed (or to be removed in check mode).
  returned: success
  type: list
  elements: str
  sample: []
workspaces_added:
  description: The workspaces the group was (or in check mode would be) connected to, as C(name (ID)).
  returned: when O(workspaces) or O(channels) is given
  type: list
  elements: str
  version_added: 0.2.0
  sample: [Engineering (T0123ABCDE)]
channels_added:
  description: The default channels added (or to be added in check mode), as C(#name (ID)).
  returned: when O(workspaces) or O(channels) is given
  type: list
  elements: str
  version_added: 0.2.0
  sample: ["#eng-deploys (C0123ABCDE)"]
channels_removed:
  description: The default channels removed (or to be removed in check mode), as C(#name (ID)).
  returned: when O(workspaces) or O(channels) is given
  type: list
  elements: str
  version_added: 0.2.0
  sample: []
"""

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._group import (
    GroupSpec,
    GroupSpecError,
    group_argument_spec,
    verbose_notes,
)
from ansible_collections.scim.slack.plugins.module_utils._group_connections import (
    ConnectionsError,
    GroupConnections,
    PartialConnectionsError,
    connections_argument_spec,
    converge_group_with_connections,
)
from ansible_collections.scim.slack.plugins.module_utils._module import ScimModule, exit_with_outcome


def module_kwargs():
    """ScimModule's arguments; the action plugin validates with the very same."""
    return dict(argument_spec=dict(group_argument_spec(), workspaces=connections_argument_spec(),
                                   channels=connections_argument_spec()),
                supports_check_mode=True, required_one_of=[("id", "display_name")])


def run_module(module):
    """The task, on ScimModule (as a module, or in-process on the controller)."""
    try:
        connections = GroupConnections(module.params.get("workspaces"), module.params.get("channels"))
        spec = GroupSpec(module.params)
        outcome, plan = converge_group_with_connections(module.client, spec, connections, check_mode=module.check_mode)
    except (GroupSpecError, ConnectionsError) as exc:
        module.fail_json(msg=str(exc), changed=isinstance(exc, PartialConnectionsError))
    except ScimError as exc:
        module.fail_scim(exc, changed=exc.outcome_unknown or getattr(exc, "applied", False))
    verbose_notes(module, module.client)
    result = dict(members_added=outcome.members_added, members_removed=outcome.members_removed)
    if plan is not None:
        result.update(workspaces_added=plan.described(plan.connect),
                      channels_added=plan.described(plan.channels_added),
                      channels_removed=plan.described(plan.remove_channels))
    exit_with_outcome(module, outcome, "group", **result)


def main():
    run_module(ScimModule(**module_kwargs()))


if __name__ == "__main__":
    main()
