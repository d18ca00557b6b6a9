# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One client per set of connection options, for the life of this worker process.

Internal to scim.slack; the API may change.

ansible-core runs a task (all the items of its loop) in one worker, so the items of a loop share one HTTP
session and its kept-alive connection.  The cache is keyed by an HMAC of the token under a key of this
process, never by the token, and by the environment variables ``requests`` reads (proxies, CA bundles), so
that a task's ``environment:`` gets a client of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections import OrderedDict

from ansible_collections.scim.slack.plugins.module_utils._connection import client_from_options
from ansible_collections.scim.slack.plugins.module_utils._connection_options import NAMES

MAX_CLIENTS = 8
# What requests reads from the environment when it opens a connection (either case works for proxies).
ENVIRONMENT = tuple(name for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
                    for name in (proxy, proxy.lower())) + ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")

_CLIENTS = OrderedDict()
_KEY = os.urandom(32)


def connection_key(params):
    token = params.get("token") or ""
    digest = hmac.new(_KEY, token.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    options = json.dumps([params.get(name) for name in NAMES if name != "token"], sort_keys=True, default=repr)
    environment = tuple(os.environ.get(name) for name in ENVIRONMENT)
    return digest, options, environment


def shared_client(params):
    """The client for these connection options (checked by the module already), built once per worker process;
    its counters start from zero for every task item, as a module's own client would."""
    key = connection_key(params)
    client = _CLIENTS.get(key)
    if client is None:
        client = client_from_options(params)
        while len(_CLIENTS) >= MAX_CLIENTS:
            _CLIENTS.popitem(last=False)[1].close()
        _CLIENTS[key] = client
    client.request_count = 0
    client.listing_retries = 0
    return client
