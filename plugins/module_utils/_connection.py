# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options every plugin shares, defined once: their names, defaults, environment
variables, argument spec and checks, and the client built from them.

Internal to scim.slack; the API may change.  The modules validate them with ``argument_spec()``, the
action plugins with the same spec, the lookup reads them through ansible-core's configuration; all of them
call ``options_problem`` and ``client_from_options``.  They are documented once, in the
``scim.slack.connection`` doc fragment, which a unit test holds equal to this file.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

from ansible_collections.scim.slack.plugins.module_utils._client import (
    SCIMClient,
    insecure_url_warning,
    timeout_problem,
)
from ansible_collections.scim.slack.plugins.module_utils._dialect import dialect_mismatch
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._retry import (
    DEFAULT_RETRIES,
    retries_problem,
    retry_handlers_from_budget,
)

NAMES = ("token", "api_url", "api_version", "web_api_url", "timeout", "validate_certs", "retries",
         "allow_plain_http")
# The options that are URLs the token is sent to.
URLS = ("api_url", "web_api_url")
API_VERSIONS = ("v1", "v2")
DEFAULTS = {"api_version": "v2", "timeout": 30, "validate_certs": True, "allow_plain_http": False}
# The variables the lookup and the action plugins read when an option is not given (before the environment).
VARIABLES = dict((name, "slack_scim_%s" % name) for name in NAMES)
# Environment variables read when an option is not given, the first one set winning.
ENVIRONMENT = {
    "token": ("SLACK_SCIM_TOKEN", "SLACK_ORG_ADMIN_USER_TOKEN"),
    "api_url": ("SLACK_SCIM_API_URL",),
    "api_version": ("SLACK_SCIM_API_VERSION",),
    "web_api_url": ("SLACK_SCIM_WEB_API_URL",),
}


def _fallback(name):
    return {"fallback": (env_fallback, list(ENVIRONMENT[name]))} if name in ENVIRONMENT else {}


def argument_spec():
    """The connection options' argument spec, for the modules and the action plugins."""
    retry_types = {"connection_errors": "int", "rate_limited": "int", "server_errors": "int", "max_wait": "float"}
    return dict(
        token=dict(type="str", required=True, no_log=True, **_fallback("token")),
        api_url=dict(type="str", **_fallback("api_url")),
        api_version=dict(type="str", default=DEFAULTS["api_version"], choices=list(API_VERSIONS),
                         **_fallback("api_version")),
        web_api_url=dict(type="str", **_fallback("web_api_url")),
        timeout=dict(type="float", default=DEFAULTS["timeout"]),
        validate_certs=dict(type="bool", default=DEFAULTS["validate_certs"]),
        allow_plain_http=dict(type="bool", default=DEFAULTS["allow_plain_http"]),
        retries=dict(type="dict", apply_defaults=True, options=dict(
            (key, dict(type=retry_types[key], default=DEFAULT_RETRIES[key])) for key in retry_types)),
    )


def _option(options, name):
    value = options.get(name)
    return DEFAULTS[name] if value is None and name in DEFAULTS else value


def options_problem(options):
    """The first reason the connection options cannot work (naming the option and its value), or
    ``None``: checked before any request."""
    problem = timeout_problem(_option(options, "timeout")) or retries_problem(options.get("retries"))
    if problem:
        return problem
    for option in URLS:
        url = options.get(option)
        if url and not url.lower().startswith(("https://", "http://")):
            return "%s must be an http(s) URL, got %r" % (option, url)
        clear_text = insecure_url_warning(url, option)
        if clear_text and not _option(options, "allow_plain_http"):
            return ("%s. Refused: use https://, or set allow_plain_http: true for a test endpoint on a network you "
                    "trust" % clear_text)
    return dialect_mismatch(options.get("api_url"), _option(options, "api_version"))


def options_warning(options):
    """The warning to show for usable options (a token sent in clear text, allowed by allow_plain_http), or
    ``None``."""
    return next(filter(None, (insecure_url_warning(options.get(option), option) for option in URLS)), None)


def client_from_options(options):
    """A client for the connection options (a module's params or a lookup's options).

    Raises :class:`ScimError` (``request_sent=False``) naming the option when one cannot work.
    """
    problem = options_problem(options)
    if problem:
        raise ScimError(problem, request_sent=False)
    handlers, max_wait = retry_handlers_from_budget(options.get("retries"))
    client = SCIMClient(
        options.get("token"),
        api_version=_option(options, "api_version"),
        base_url=options.get("api_url") or None,
        web_api_url=options.get("web_api_url") or None,
        timeout=_option(options, "timeout"),
        validate_certs=_option(options, "validate_certs") is not False,
        retry_handlers=handlers,
        max_wait=max_wait,
    )
    if not options.get("api_url"):
        client.api_url_origin = ", the default: api_url and %s are unset or empty" % ENVIRONMENT["api_url"][0]
    return client
