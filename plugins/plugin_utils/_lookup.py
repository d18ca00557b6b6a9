# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller-side helpers for the collection's lookups (internal; the API may change)."""

from __future__ import annotations

from ansible.errors import AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib

from ansible_collections.scim.slack.plugins.module_utils._client import (
    CONNECTION_OPTION_NAMES,
    HAS_REQUESTS,
    client_from_options,
)
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._retry import DEFAULT_RETRIES


def client_from_plugin(plugin):
    """A SCIMClient from a plugin's connection options (keywords, then variables, then environment)."""
    if not HAS_REQUESTS:
        raise AnsibleLookupError(missing_required_lib("requests"))
    options = {name: plugin.get_option(name) for name in CONNECTION_OPTION_NAMES}
    if not options["token"]:
        raise AnsibleLookupError("no token: pass token=..., set the variable slack_scim_token, "
                                 "or the environment variable SLACK_SCIM_TOKEN")
    retries = options["retries"] or {}
    unknown = sorted(set(retries) - set(DEFAULT_RETRIES))
    if unknown:
        raise AnsibleLookupError("retries has unknown keys: %s (allowed: %s)"
                                 % (", ".join(unknown), ", ".join(sorted(DEFAULT_RETRIES))))
    try:
        return client_from_options(options)
    except (ScimError, ValueError) as exc:
        raise AnsibleLookupError(str(exc))
