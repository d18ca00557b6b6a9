#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: slack_scim_info
short_description: Query Slack users and groups through the SCIM API
version_added: 0.1.0
description:
  - Read users, groups or the service provider configuration of a Slack Enterprise organization, and, on
    Enterprise Grid, its workspaces and channels.
  - A query by O(id) costs one C(GET); by O(user_name), O(email) or O(display_name), one filtered search.
    Listing pages through everything, O(count) resources per request, and returns each resource once.
  - O(resource=workspaces) and O(resource=channels) use Slack's Web API beside the SCIM API (C(slack.com/api/)
    for Slack's own SCIM host, the same host for any other); the token needs the scope C(admin.teams:read), and
    for channels also C(admin.conversations:read). A missing scope fails, naming it. Workspaces cost
    ceil(workspaces / 1000) requests (Tier 3, about 50 a minute); a channel search ceil(channels found / 20)
    requests, plus one listing of the workspaces with O(workspace). The collection's C(docs/grid.md) explains
    the token, the scopes and what Slack can and cannot read.
  - Never changes anything; always RV(ignore:changed=false).
author:
  - scim.slack maintainers (@scim-slack)
requirements:
  - requests
extends_documentation_fragment:
  - scim.slack.connection
  - scim.slack.info_query
  - scim.slack.attributes.ACTION_GROUP
  - scim.slack.attributes.INFO_MODULE
  - ansible.builtin.action_common_attributes
attributes:
  platform:
    platforms: all
options:
  resource:
    description:
      - What to read. V(workspaces) (version 0.2.0) and V(channels) (version 0.2.0) are Enterprise Grid's, read
        through the Web API.
    type: str
    choices: [users, groups, workspaces, channels, service_provider_config]
    default: users
  export:
    version_added: 0.2.0
    description:
      - Return the whole organization as RV(directory), in the input shape of M(scim.slack.slack_scim_sync)
        (O(scim.slack.slack_scim_sync#module:users) and O(scim.slack.slack_scim_sync#module:groups)), to adopt
        an organization that already has people. O(resource) and the query options are ignored, except O(grid).
      - Active users other than bots, with the attributes Slack stores (blanks, placeholders and Slack's
        default photo left out, the manager as a user ID); every group, with its members by user name.
        A sync of the result changes nothing.
      - Costs ceil(users / 1000) + ceil(groups / 1000) requests.
      - With O(grid=true), on Enterprise Grid, each user also gets its C(workspaces) and each group its
        C(workspaces) and default C(channels), all by ID and as plain lists (the exact sets), so the sync also
        keeps them as they are. That costs the requests O(grid) costs for users and for groups (one
        C(admin.teams.list), ceil(active users / 100) C(admin.users.list), one C(usergroups.list) per workspace,
        one C(admin.usergroups.listChannels) per group). Without O(grid), the export is SCIM's only and works for
        any organization; a sync of it leaves workspaces and channels alone.
    type: bool
    default: false
seealso:
  - plugin: scim.slack.slack_scim_info
    plugin_type: lookup
    description: The same queries in templates and conditions.
  - module: scim.slack.slack_scim_user
  - module: scim.slack.slack_scim_group
"""

EXAMPLES = r"""
- name: Find Carly by email (one filtered search)
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    email: carly@example.com
  register: carly

- name: List every deactivated user
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    active: false
  register: deactivated

- name: Adopt an existing organization - export it as slack_scim_sync's input
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    export: true
  register: org

- name: Save it beside the playbook as a vars file to review and commit (slack_scim_sync reads it)
  ansible.builtin.copy:
    content: "{{ org.directory | to_nice_yaml }}"
    dest: "{{ playbook_dir }}/slack-directory.yml"
    mode: "0644"
  delegate_to: localhost

- name: A roster - Engineering's members with their user details, from one listing
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    resource: groups
    display_name: Engineering
    expand_members: true
  register: roster

- name: Carly's workspaces (Enterprise Grid), under users[0].workspaces
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    email: carly@example.com
    grid: true
  register: carly_grid

- name: Read one group by ID
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    resource: groups
    id: S0123ABCDE
  register: engineering

- name: The workspaces of the Enterprise Grid organization (id, name, domain)
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    resource: workspaces
  register: grid

- name: The public channels whose name contains deploy, in every workspace
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    resource: channels
    query: deploy
    private: false
  register: deploy_channels

- name: The same in the first workspace only (by ID; a name such as Engineering works too)
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    resource: channels
    query: deploy
    workspace: "{{ grid.workspaces[0].id }}"
  when: grid.workspaces | length > 0

- name: The first 50 users whose user name starts with contractor-
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    filter: userName sw "contractor-"
    limit: 50
"""

RETURN = r"""
users:
  description: The users found, as Slack returns them.
  returned: when O(resource=users)
  type: list
  elements: dict
  sample:
    - id: W0123ABCDE
      userName: carly
      active: true
      emails:
        - value: carly@example.com
          primary: true
groups:
  description: The groups found, as Slack returns them.
  returned: when O(resource=groups)
  type: list
  elements: dict
  sample:
    - id: S0123ABCDE
      displayName: Engineering
      members:
        - value: W0123ABCDE
          display: carly
workspaces:
  description: The workspaces found, each with its ID, name and domain (the host name of its URL).
  returned: when O(resource=workspaces)
  type: list
  elements: dict
  version_added: 0.2.0
  sample:
    - id: T0123ABCDE
      name: Engineering
      domain: acme-eng
channels:
  description: The channels found, as Slack's channel search returns them.
  returned: when O(resource=channels)
  type: list
  elements: dict
  version_added: 0.2.0
  sample:
    - id: C0123ABCDE
      name: eng-deploys
      is_private: false
      internal_team_ids: [T0123ABCDE]
total_results:
  description:
    - How many resources match on the server. More than returned when O(limit) cut the listing. When a
      condition is checked on the client (O(active), O(guest), or more than one of O(user_name), O(email),
      O(display_name) and O(filter)), the number of matches found. For workspaces, how many match; for
      channels, how many were returned.
  returned: when O(resource) is not V(service_provider_config)
  type: int
  sample: 1
directory:
  description:
    - With O(export=true), the organization in M(scim.slack.slack_scim_sync)'s input shape. C(to_nice_yaml) of
      it is a vars file a sync accepts as a no-op.
  returned: when O(export=true)
  type: dict
  contains:
    users:
      description:
        - One entry per active user that is not a bot, with the options of M(scim.slack.slack_scim_user).
        - With O(grid=true), also C(workspaces), the IDs of the user's workspaces (left out for a user Slack's
          C(admin.users.list) does not list).
      type: list
      elements: dict
    groups:
      description:
        - One entry per group, V(display_name) and V(members.set) as user names.
        - With O(grid=true), also C(workspaces) and C(channels), the IDs of the workspaces the group is connected
          to and of its default channels.
      type: list
      elements: dict
  sample:
    users:
      - user_name: carly
        email: carly@example.com
        title: CEO
    groups:
      - display_name: Engineering
        members:
          set: [carly]
service_provider_config:
  description: Slack's SCIM service provider configuration.
  returned: when O(resource=service_provider_config)
  type: dict
  sample:
    patch:
      supported: true
"""

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._info import InfoQuery, QueryError, export_directory
from ansible_collections.scim.slack.plugins.module_utils._module import ScimModule


def argument_spec():
    return dict(
        resource=dict(type="str", default="users",
                      choices=["users", "groups", "workspaces", "channels", "service_provider_config"]),
        id=dict(type="str"),
        user_name=dict(type="str"),
        email=dict(type="str"),
        display_name=dict(type="str"),
        filter=dict(type="str"),
        active=dict(type="bool"),
        guest=dict(type="bool"),
        expand_members=dict(type="bool", default=False),
        grid=dict(type="bool", default=False),
        name=dict(type="str"),
        query=dict(type="str"),
        workspace=dict(type="str"),
        private=dict(type="bool"),
        export=dict(type="bool", default=False),
        count=dict(type="int", default=1000),
        limit=dict(type="int"),
    )


def module_kwargs():
    """ScimModule's arguments; the action plugin validates with the very same."""
    return dict(argument_spec=argument_spec(), supports_check_mode=True)


def run_module(module):
    """The task, on ScimModule (as a module, or in-process on the controller)."""
    resource = module.params["resource"]
    if module.params["export"]:
        try:
            directory = export_directory(module.client, grid=module.params["grid"])
        except ScimError as exc:
            module.fail_scim(exc)
        module.exit_json(changed=False, directory=directory)
    try:
        query = InfoQuery(resource, module.params)
        found, total = query.run(module.client)
    except QueryError as exc:
        module.fail_json(msg=str(exc))
    except ScimError as exc:
        module.fail_scim(exc)
    if resource == "service_provider_config":
        module.exit_json(changed=False, service_provider_config=found)
    module.exit_json(changed=False, total_results=total, **{resource: found})


def main():
    run_module(ScimModule(**module_kwargs()))


if __name__ == "__main__":
    main()
