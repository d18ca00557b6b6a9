# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The supported Python API of scim.slack: the Python Slack SDK's SCIM API (``SCIMClient``,
``AsyncSCIMClient``, the models, the responses, the retry handlers) on the collection's own client.

Import from here, and only from here::

    from ansible_collections.scim.slack.plugins.module_utils.scim_client import (
        SCIMClient, User, UserName, UserEmail, RateLimitErrorRetryHandler, ScimError)

Code written for ``slack_sdk.scim`` runs with only its import lines changed; where this API differs
from the SDK's (failures raise ``ScimError``; every handler counts its own retries; the client sleeps,
within ``max_wait``), docs/migrating-from-slack-sdk.md says so.

Every name in ``__all__`` is covered by semantic versioning, together with its documented
signature and behaviour (for the retry handlers this includes the ``_can_retry`` and
``_can_retry_async`` hooks a subclass implements, the Python Slack SDK's names for them, despite
their underscore):

* a name is removed, or changed incompatibly, only in a major release, and only after a minor
  release has deprecated it;
* new names, and new optional arguments, come in minor releases.

Every other file in ``plugins/module_utils/`` whose name begins with ``_`` is internal to
scim.slack: its names, signatures and behaviour may change in any release, a patch release
included.  This file holds no logic of its own; it only names the supported objects.
"""

from __future__ import annotations

from ansible_collections.scim.slack.plugins.module_utils._async_client import AsyncSCIMClient
from ansible_collections.scim.slack.plugins.module_utils._async_retry import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncRetryHandler,
    AsyncServerErrorRetryHandler,
    AsyncTransientCreateErrorRetryHandler,
)
from ansible_collections.scim.slack.plugins.module_utils._errors import IncompleteListingError, ScimError
from ansible_collections.scim.slack.plugins.module_utils._models import (
    Group,
    GroupMember,
    GroupMeta,
    User,
    UserAddress,
    UserEmail,
    UserGroup,
    UserMeta,
    UserName,
    UserPhoneNumber,
    UserPhoto,
    UserRole,
)
from ansible_collections.scim.slack.plugins.module_utils._responses import (
    GroupCreateResponse,
    GroupDeleteResponse,
    GroupPatchResponse,
    GroupUpdateResponse,
    ReadGroupResponse,
    ReadUserResponse,
    SCIMResponse,
    SearchGroupsResponse,
    SearchUsersResponse,
    UserCreateResponse,
    UserDeleteResponse,
    UserPatchResponse,
    UserUpdateResponse,
)
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
from ansible_collections.scim.slack.plugins.module_utils._sdk_client import SCIMClient

__all__ = (
    # the clients
    "SCIMClient",
    "AsyncSCIMClient",
    # the models
    "User",
    "UserName",
    "UserEmail",
    "UserPhoneNumber",
    "UserAddress",
    "UserPhoto",
    "UserRole",
    "UserGroup",
    "UserMeta",
    "Group",
    "GroupMember",
    "GroupMeta",
    # the responses
    "SCIMResponse",
    "SearchUsersResponse",
    "ReadUserResponse",
    "UserCreateResponse",
    "UserPatchResponse",
    "UserUpdateResponse",
    "UserDeleteResponse",
    "SearchGroupsResponse",
    "ReadGroupResponse",
    "GroupCreateResponse",
    "GroupPatchResponse",
    "GroupUpdateResponse",
    "GroupDeleteResponse",
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
    # writing an async retry handler, and the built-in ones
    "AsyncRetryHandler",
    "AsyncConnectionErrorRetryHandler",
    "AsyncRateLimitErrorRetryHandler",
    "AsyncServerErrorRetryHandler",
    "AsyncTransientCreateErrorRetryHandler",
    # how long a handler waits
    "RetryIntervalCalculator",
    "FixedValueRetryIntervalCalculator",
    "BackoffRetryIntervalCalculator",
    "Jitter",
    "RandomJitter",
)
