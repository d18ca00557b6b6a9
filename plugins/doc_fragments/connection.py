# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The connection options every plugin of the collection shares.
    DOCUMENTATION = r"""
options:
  token:
    description:
      - A Slack user token with the C(admin) scope, from an app installed on the Enterprise organization
        (C(xoxp-...)).
      - When the task does not set it (nor C(module_defaults)), modules read the variable C(slack_scim_token), as the
        lookup does, then the environment variable E(SLACK_SCIM_TOKEN), then E(SLACK_ORG_ADMIN_USER_TOKEN), read where
        the module runs (usually the controller, with C(delegate_to=localhost)).
      - Every other connection option is read the same way from a variable named after it, C(slack_scim_api_url),
        C(slack_scim_api_version), C(slack_scim_web_api_url), C(slack_scim_timeout), C(slack_scim_validate_certs),
        C(slack_scim_retries) and C(slack_scim_allow_plain_http), before its environment variable.
      - The token is never shown in output, diffs or error messages.
    type: str
    required: true
  api_url:
    description:
      - Base URL of the SCIM API, ending in the version.
      - Defaults to C(https://api.slack.com/scim/v2/) or C(https://api.slack.com/scim/v1/), after O(api_version).
      - A URL whose path ends in C(/scim/v1/) or C(/scim/v2/) must agree with O(api_version); a contradiction
        fails before any request. Any other URL (a gateway) is taken as given.
      - A plain C(http://) URL to a host other than this machine (C(localhost), 127.0.0.0/8, C(::1)) would send
        the token in clear text, and fails before any request unless O(allow_plain_http=true).
      - Writes never follow redirects, and reads follow them only to the same scheme, host and port; a redirect
        not followed fails naming where it pointed.
      - Modules fall back to the environment variable E(SLACK_SCIM_API_URL).
    type: str
  api_version:
    description:
      - The SCIM dialect to speak. V(v2) is SCIM 2.0 (RFC 7643/7644); V(v1) is Slack's SCIM 1.1.
      - Modules fall back to the environment variable E(SLACK_SCIM_API_VERSION).
    type: str
    choices: [v1, v2]
    default: v2
  web_api_url:
    description:
      - Base URL of Slack's Web API, for the Enterprise Grid C(admin.*) methods (workspaces, channels, IdP group
        connections) and C(auth.test).
      - Defaults to the Web API beside O(api_url) - C(https://slack.com/api/) for Slack's own SCIM host
        C(api.slack.com), else C(/api/) on the host of O(api_url) - which suits Slack and the emulator. Set it
        when a gateway serves SCIM and the Web API at different places.
      - The same rules as O(api_url) apply to a plain C(http://) URL and to redirects.
      - Modules fall back to the environment variable E(SLACK_SCIM_WEB_API_URL).
    type: str
    version_added: 0.2.0
  timeout:
    description:
      - Seconds allowed for one request in all (connecting and reading the whole answer, not each network
        read) before it fails.
      - Must be greater than 0 and at most 3600.
      - Answers larger than 64 MiB are refused.
    type: float
    default: 30
  validate_certs:
    description:
      - Verify the TLS certificate of O(api_url).
      - Set to V(false) only for a test endpoint you trust. It applies even when the environment variable
        E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) is set; with V(true), those variables choose the CA bundle.
    type: bool
    default: true
  allow_plain_http:
    description:
      - Allow a plain C(http://) O(api_url) to a host other than this machine (C(localhost), 127.0.0.0/8,
        C(::1)). The token then travels in clear text, readable by anyone on the network, and every task
        warns so.
      - Only for a test endpoint (an emulator on another host) on a network you trust. A plain C(http://)
        URL to this machine needs no such permission.
    type: bool
    default: false
    version_added: 0.2.0
  retries:
    description:
      - How many times to retry a request, by kind of failure, and how long to wait in all.
      - A request Slack rate-limits (HTTP 429, C(resource_locked)) is retried after the time its
        C(Retry-After) header asks for.
      - A C(POST) is resent after a connection failure only when it certainly never reached Slack.
    type: dict
    suboptions:
      connection_errors:
        description: Retries after a refused, reset or dropped connection.
        type: int
        default: 1
      rate_limited:
        description: Retries after HTTP 429 or C(resource_locked).
        type: int
        default: 5
      server_errors:
        description:
          - Retries after HTTP 500, 502, 503 or 504, for requests that are safe to repeat.
          - When above 0, a user creation Slack fails with the transient C(invited_user_not_created) is also
            retried, once.
        type: int
        default: 2
      max_wait:
        description:
          - Seconds of waiting between retries allowed for one request, in all; a finite number, 0 or more.
          - A retry whose wait would pass it is not made.
        type: float
        default: 120
"""

    # Where the lookup plugin reads the same options from, besides its keyword arguments.
    PLUGINS = r"""
options:
  token:
    description:
      - The lookup reads, in order of precedence, its keyword argument, the variable C(slack_scim_token),
        and the environment variables E(SLACK_SCIM_TOKEN) and E(SLACK_ORG_ADMIN_USER_TOKEN) on the controller.
    env:
      - name: SLACK_ORG_ADMIN_USER_TOKEN
      - name: SLACK_SCIM_TOKEN
    vars:
      - name: slack_scim_token
  api_url:
    env:
      - name: SLACK_SCIM_API_URL
    vars:
      - name: slack_scim_api_url
  api_version:
    env:
      - name: SLACK_SCIM_API_VERSION
    vars:
      - name: slack_scim_api_version
  web_api_url:
    env:
      - name: SLACK_SCIM_WEB_API_URL
    vars:
      - name: slack_scim_web_api_url
  timeout:
    vars:
      - name: slack_scim_timeout
  validate_certs:
    vars:
      - name: slack_scim_validate_certs
  retries:
    vars:
      - name: slack_scim_retries
  allow_plain_http:
    vars:
      - name: slack_scim_allow_plain_http
"""
