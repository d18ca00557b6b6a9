# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options on Ansible's side: the argument spec, and the client built from checked options.

Internal to scim.slack; the API may change.  The options are declared, and checked, in
``_connection_options.py``; the modules validate them with ``argument_spec()``, the action plugins with the same
spec, the lookup reads them through ansible-core's configuration (the ``scim.slack.connection`` doc fragment).
Each task checks them once (``options_problem``), then builds its client with ``client_from_options``.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

from ansible_collections.scim.slack.plugins.module_utils._client import SCIMClient
from ansible_collections.scim.slack.plugins.module_utils._connection_options import ENVIRONMENT, OPTIONS, option_value
from ansible_collections.scim.slack.plugins.module_utils._retry import retry_handlers_from_budget


def argument_spec():
    """The connection options' argument spec, for the modules and the action plugins."""
    return dict((option.name, option.spec(env_fallback)) for option in OPTIONS)


class _CheckedOptionsClient(SCIMClient):
    """A client for connection options ``options_problem`` has passed: it does not check them a second time."""

    def _refuse_unusable(self, base_url, api_version, timeout, max_wait):
        pass


def client_from_options(options):
    """A client for the connection options (a module's params or a lookup's options), once ``options_problem``
    found none unusable (a module checks them when it starts, the lookup before it calls this)."""
    handlers, max_wait = retry_handlers_from_budget(options.get("retries"))
    client = _CheckedOptionsClient(
        options.get("token"),
        api_version=option_value(options, "api_version"),
        base_url=options.get("api_url") or None,
        web_api_url=options.get("web_api_url") or None,
        timeout=option_value(options, "timeout"),
        validate_certs=option_value(options, "validate_certs") is not False,
        retry_handlers=handlers,
        max_wait=max_wait,
    )
    if not options.get("api_url"):
        client.api_url_origin = ", the default: api_url and %s are unset or empty" % ENVIRONMENT["api_url"][0]
    return client
