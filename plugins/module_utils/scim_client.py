# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The supported Python API of scim.slack: the SCIM client, its retry handlers and its errors.

Import from here, and only from here::

    from ansible_collections.scim.slack.plugins.module_utils.scim_client import (
        SCIMClient, RateLimitErrorRetryHandler, ScimError)

Every name in ``__all__`` is covered by semantic versioning, together with its documented
signature and behaviour (for the retry handlers this includes the ``_can_retry`` hook a subclass
implements, the Python Slack SDK's name for it, despite its underscore):

* a name is removed, or changed incompatibly, only in a major release, and only after a minor
  release has deprecated it;
* new names, and new optional arguments, come in minor releases.

Every other file in ``plugins/module_utils/`` whose name begins with ``_`` is internal to
scim.slack: its names, signatures and behaviour may change in any release, a patch release
included.  This file holds no logic of its own; it only names the supported objects.
"""

from __future__ import annotations

from ansible_collections.scim.slack.plugins.module_utils._client import SCIMClient
from ansible_collections.scim.slack.plugins.module_utils._errors import IncompleteListingError, ScimError
from ansible_collections.scim.slack.plugins.module_utils._retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    FixedValueRetryIntervalCalculator,
    HttpRequest,
    HttpResponse,
    Jitter,
    RandomJitter,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryIntervalCalculator,
    RetryState,
    ServerErrorRetryHandler,
    TransientCreateErrorRetryHandler,
)

__all__ = (
    # the client
    "SCIMClient",
    # what it raises
    "ScimError",
    "IncompleteListingError",
    # writing a retry handler
    "RetryHandler",
    "RetryState",
    "HttpRequest",
    "HttpResponse",
    # the built-in retry handlers
    "ConnectionErrorRetryHandler",
    "RateLimitErrorRetryHandler",
    "ServerErrorRetryHandler",
    "TransientCreateErrorRetryHandler",
    # how long a handler waits
    "RetryIntervalCalculator",
    "FixedValueRetryIntervalCalculator",
    "BackoffRetryIntervalCalculator",
    "Jitter",
    "RandomJitter",
)
