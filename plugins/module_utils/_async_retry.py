# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retry handlers for ``AsyncSCIMClient``, in the Python Slack SDK's vocabulary (``AsyncRetryHandler``,
``_can_retry_async``, ``prepare_for_next_attempt_async``).

Internal to scim.slack; the API may change (the names are public through ``scim_client.py``).

An ``AsyncRetryHandler`` is a ``RetryHandler`` with awaitable hooks; by default they follow the
synchronous rules, so the built-in async handlers for rate limits, server errors and transient creates
are the synchronous ones, awaitable.  Only connection errors differ, since aiohttp raises its own.
The client counts, bounds and sleeps exactly as the synchronous one (``_retry_policy``).
"""

from __future__ import annotations

import asyncio

from ansible_collections.scim.slack.plugins.module_utils._retry import (
    IDEMPOTENT_METHODS,
    RateLimitErrorRetryHandler,
    RetryHandler,
    ServerErrorRetryHandler,
    TransientCreateErrorRetryHandler,
)

try:
    import aiohttp
except ImportError:  # AsyncSCIMClient names the missing library
    aiohttp = None


class AsyncRetryHandler(RetryHandler):
    """Base class of the async handlers: implement ``_can_retry_async`` (or the synchronous ``_can_retry``)."""

    async def can_retry_async(self, *, state, request, response=None, error=None):
        if state.attempts_of(self) >= self.max_retry_count:
            return False
        return bool(await self._can_retry_async(state=state, request=request, response=response, error=error))

    async def _can_retry_async(self, *, state, request, response=None, error=None):
        return self._can_retry(state=state, request=request, response=response, error=error)

    async def prepare_for_next_attempt_async(self, *, state, request, response=None, error=None):
        self.prepare_for_next_attempt(state=state, request=request, response=response, error=error)


def connection_never_made(error):
    """True when aiohttp could not connect at all, so a POST never reached the server."""
    if aiohttp is None or isinstance(error, (aiohttp.ClientSSLError, aiohttp.ClientProxyConnectionError)):
        return False
    return isinstance(error, aiohttp.ClientConnectorError)


def is_connection_failure(error):
    """A dropped, reset or refused connection, or an answer cut short; never a timeout (the server was slow,
    not absent)."""
    if isinstance(error, asyncio.TimeoutError):
        return False
    if aiohttp is not None:
        if isinstance(error, (aiohttp.ServerTimeoutError, aiohttp.ClientSSLError)):
            return False
        if isinstance(error, (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError)):
            return True
    return isinstance(error, ConnectionError)


class AsyncConnectionErrorRetryHandler(AsyncRetryHandler):
    """Retries transport failures, as ``ConnectionErrorRetryHandler`` does for ``SCIMClient``: idempotent
    requests after any connection failure, a POST only when the connection was never made."""

    async def _can_retry_async(self, *, state, request, response=None, error=None):
        if error is None or response is not None or not is_connection_failure(error):
            return False
        return request.method in IDEMPOTENT_METHODS or connection_never_made(error)

    def _can_retry(self, *, state, request, response=None, error=None):
        return False  # the synchronous client raises requests' errors, which ConnectionErrorRetryHandler knows


class AsyncRateLimitErrorRetryHandler(AsyncRetryHandler, RateLimitErrorRetryHandler):
    """``RateLimitErrorRetryHandler``, awaitable: 429 and ``resource_locked``, after ``Retry-After``."""


class AsyncServerErrorRetryHandler(AsyncRetryHandler, ServerErrorRetryHandler):
    """``ServerErrorRetryHandler``, awaitable: 500, 502, 503, 504 for idempotent methods."""


class AsyncTransientCreateErrorRetryHandler(AsyncRetryHandler, TransientCreateErrorRetryHandler):
    """``TransientCreateErrorRetryHandler``, awaitable: a POST Slack failed transiently."""


def async_default_retry_handlers():
    """The SDK's default, as for the synchronous client: one retry on connection errors."""
    return [AsyncConnectionErrorRetryHandler(max_retry_count=1)]
