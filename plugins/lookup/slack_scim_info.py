# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slack_scim_info
short_description: Query Slack users and groups through the SCIM API
version_added: 0.1.0
description:
  - Returns Slack users, groups, or the service provider configuration, for templates and conditions.
  - The same queries as the M(scim.slack.slack_scim_info) module, with the same costs, run on the controller.
author:
  - scim.slack maintainers (@scim-slack)
requirements:
  - requests
extends_documentation_fragment:
  - scim.slack.connection
  - scim.slack.connection.plugins
  - scim.slack.info_query
options:
  _terms:
    description:
      - What to read, V(users), V(groups), V(workspaces), V(channels) or V(service_provider_config). Several terms
        return their results one after the other in one flat list.
      - At least one is needed; without a term the lookup fails, naming the terms it takes (it never returns an
        empty list for a forgotten term).
      - V(workspaces) and V(channels) (both version 0.2.0) are Enterprise Grid's, read through Slack's Web API
        (see the M(scim.slack.slack_scim_info) module).
    type: list
    elements: str
    required: true
seealso:
  - module: scim.slack.slack_scim_info
  - module: scim.slack.slack_scim_user
  - module: scim.slack.slack_scim_group
"""

EXAMPLES = r"""
# The lookup reads the variable slack_scim_token (or SLACK_SCIM_TOKEN) by itself.
- name: Is Carly active?
  ansible.builtin.debug:
    msg: "{{ query('scim.slack.slack_scim_info', 'users', email='carly@example.com')
             | map(attribute='active') | first | default('no such user') }}"

- name: Member IDs of Engineering
  ansible.builtin.debug:
    msg: "{{ query('scim.slack.slack_scim_info', 'groups', display_name='Engineering')
             | map(attribute='members') | flatten | map(attribute='value') }}"

- name: The ID of the workspace named Engineering
  ansible.builtin.debug:
    msg: "{{ query('scim.slack.slack_scim_info', 'workspaces', name='Engineering')
             | map(attribute='id') | first | default('no such workspace') }}"

- name: Act only if the user exists
  ansible.builtin.debug:
    msg: dana exists
  when: query('scim.slack.slack_scim_info', 'users', user_name='dana.lee') | length > 0
"""

RETURN = r"""
_raw:
  description:
    - The resources found, as Slack returns them, in one flat list. For V(service_provider_config), a list of
      one dict.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._info import QUERY_OPTIONS, RESOURCES, InfoQuery, QueryError
from ansible_collections.scim.slack.plugins.plugin_utils._lookup import client_from_plugin, set_lookup_options


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        if not terms:
            raise AnsibleLookupError(
                "slack_scim_info: no term, so nothing to read; give one of %s first, for example "
                "query('scim.slack.slack_scim_info', 'users'%s)" % (", ".join(RESOURCES), "".join(
                    ", %s=%r" % (name, value) for name, value in sorted(kwargs.items()) if name in QUERY_OPTIONS)))
        set_lookup_options(self, variables, kwargs)
        options = {name: self.get_option(name) for name in QUERY_OPTIONS}
        try:
            queries = [InfoQuery(term, options) for term in terms]
        except QueryError as exc:
            raise AnsibleLookupError(str(exc))
        client = client_from_plugin(self)
        results = []
        try:
            for query in queries:
                found, dummy = query.run(client)
                results.extend([found] if query.resource == "service_provider_config" else found)
        except ScimError as exc:
            raise AnsibleLookupError(str(exc))
        finally:
            client.close()
        return results
