# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller-side helpers for the collection's lookups.

Internal to scim.slack; the API may change.
"""

from __future__ import annotations

from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib
from ansible.utils.display import Display

from ansible_collections.scim.slack.plugins.module_utils._connection import client_from_options
from ansible_collections.scim.slack.plugins.module_utils._connection_options import (
    NAMES,
    RETRY_DEFAULTS,
    missing_token_message,
    options_problem,
    options_warning,
)
from ansible_collections.scim.slack.plugins.module_utils._transport import HAS_REQUESTS


def set_lookup_options(plugin, variables, kwargs):
    """``plugin.set_options``, refusing keywords the plugin does not document and templating the
    variables it reads.

    ansible-core drops unknown keywords silently, so ``username=`` (for ``user_name=``) would query the
    whole directory.  And it hands lookups the variables untemplated, then checks their types and choices:
    ``slack_scim_token: "{{ vault_slack_scim_token }}"`` or ``slack_scim_api_version: "{{ version }}"``
    must be templated first, as ansible-core's own lookups do.  Keywords arrive templated already, and
    environment variables are never templated.
    """
    definitions = C.config.get_configuration_definitions("lookup", plugin._load_name) or {}
    unknown = sorted(set(kwargs) - set(definitions))
    if unknown:
        raise AnsibleLookupError("%s: unknown keyword%s %s; known keywords: %s" % (
            plugin._load_name.rsplit(".", 1)[-1], "s" if len(unknown) > 1 else "", ", ".join(unknown),
            ", ".join(sorted(name for name in definitions if not name.startswith("_")))))
    plugin.set_options(var_options=_templated_variables(plugin, definitions, variables or {}, kwargs),
                       direct=kwargs)


def _templated_variables(plugin, definitions, variables, keywords):
    """The variables the plugin's options read, templated (only those: templating is not free)."""
    templar = getattr(plugin, "_templar", None)
    selected = {}
    for option, definition in definitions.items():
        if option in keywords:
            continue
        for source in definition.get("vars") or ():
            name = source.get("name")
            if name not in variables:
                continue
            value = variables[name]
            if templar is not None and isinstance(value, str) and ("{{" in value or "{%" in value):
                value = templar.template(value)
            selected[name] = value
    return selected


def client_from_plugin(plugin):
    """A SCIMClient from a plugin's connection options (keywords, then variables, then environment), checked once
    here: ansible-core's configuration has checked their types and choices, not what the argument spec would."""
    if not HAS_REQUESTS:
        raise AnsibleLookupError(missing_required_lib("requests"))
    options = {name: plugin.get_option(name) for name in NAMES}
    if not options["token"]:
        raise AnsibleLookupError(missing_token_message())
    retries = options["retries"] or {}
    unknown = sorted(set(retries) - set(RETRY_DEFAULTS))
    if unknown:
        raise AnsibleLookupError("retries has unknown keys: %s (allowed: %s)"
                                 % (", ".join(unknown), ", ".join(sorted(RETRY_DEFAULTS))))
    problem = options_problem(options)
    if problem:
        raise AnsibleLookupError(problem)
    warning = options_warning(options)
    if warning:
        Display().warning(warning)
    return client_from_options(options)
