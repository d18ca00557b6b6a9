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
  - Read users, groups or the service provider configuration of a Slack Enterprise organization.
  - A query by O(id) costs one C(GET); by O(user_name), O(email) or O(display_name), one filtered search.
    Listing pages through everything, O(count) resources per request, and returns each resource once.
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
    description: What to read.
    type: str
    choices: [users, groups, service_provider_config]
    default: users
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

- name: Read one group by ID
  scim.slack.slack_scim_info:
    token: "{{ slack_scim_token }}"
    resource: groups
    id: S0123ABCDE
  register: engineering

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
total_results:
  description:
    - How many resources match on the server. More than returned when O(limit) cut the listing. When a
      condition is checked on the client (O(active), O(guest), or more than one of O(user_name), O(email),
      O(display_name) and O(filter)), the number of matches found.
  returned: when O(resource) is V(users) or V(groups)
  type: int
  sample: 1
service_provider_config:
  description: Slack's SCIM service provider configuration.
  returned: when O(resource=service_provider_config)
  type: dict
  sample:
    patch:
      supported: true
"""

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._info import InfoQuery, QueryError
from ansible_collections.scim.slack.plugins.module_utils._module import ScimModule


def argument_spec():
    return dict(
        resource=dict(type="str", default="users", choices=["users", "groups", "service_provider_config"]),
        id=dict(type="str"),
        user_name=dict(type="str"),
        email=dict(type="str"),
        display_name=dict(type="str"),
        filter=dict(type="str"),
        active=dict(type="bool"),
        guest=dict(type="bool"),
        count=dict(type="int", default=1000),
        limit=dict(type="int"),
    )


def main():
    module = ScimModule(argument_spec(), supports_check_mode=True)
    resource = module.params["resource"]
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


if __name__ == "__main__":
    main()
