# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retry handlers for the SCIM client (internal to scim.slack; the API may change).

The vocabulary follows the Python Slack SDK's ``slack_sdk.http_retry`` so that a user of the
seed SDK can bring a handler over: subclass :class:`RetryHandler`, implement ``_can_retry``,
pass it in ``retry_handlers=``.  Two deliberate differences:

* every handler counts its own retries (``max_retry_count`` is per handler, not shared),
  so "5 rate-limit retries and 1 connection retry" means exactly that;
* the client, not the handler, sleeps: it asks the handler for the duration, refuses to go
  over the per-request wait budget, and sleeps through an injectable clock.

A handler written the SDK's way (``prepare_for_next_attempt`` overridden to sleep and count by
itself) still works, and cannot escape those limits: the client keeps its own count of each
handler's retries (never more than its ``max_retry_count``), times ``prepare_for_next_attempt``
and counts the time spent there against ``max_wait``, and sleeps only what is left of the duration.

Two attributes exist for such handlers only, as the SDK has them (they are part of the public API in
``scim_client.py``): ``HttpRequest.body_params`` (the request body, which a handler may read) and
``RetryState.next_attempt_requested`` (set when a retry is decided; the client never reads it, since
it decides itself, but a handler ported from the SDK may set or read it).
"""

from __future__ import annotations

import random

from ansible_collections.scim.slack.plugins.module_utils._connection_options import RETRY_DEFAULTS
from ansible_collections.scim.slack.plugins.module_utils._errors import (
    TRANSIENT_CREATE_ERRORS,
    is_rate_limit,
    parse_error_body,
)

try:
    from requests import exceptions as requests_exceptions
except ImportError:  # pragma: no cover - the client reports the missing library
    requests_exceptions = None

# Methods whose repetition cannot create a second resource.  PATCH is included on purpose:
# every PATCH body this client builds is absolute (replace a value, add or remove a member by
# id), so applying it twice ends in the same state as applying it once.
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"))


class HttpRequest:
    """What a retry handler may know about the request (never the Authorization header)."""

    def __init__(self, method, url, headers=None, body_params=None, data=None):
        self.method = method.upper()
        self.url = url
        self.headers = headers or {}
        self.body_params = body_params
        self.data = data

    def __repr__(self):
        return "HttpRequest(method=%r, url=%r)" % (self.method, self.url)


class HttpResponse:
    """What a retry handler may know about the response."""

    def __init__(self, status_code, headers=None, body=None, data=None):
        self.status_code = status_code
        self.headers = {}
        for key, value in (headers or {}).items():
            self.headers[key.lower()] = value if isinstance(value, list) else [value]
        self.body = body
        self.data = data

    def header(self, name):
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @property
    def error(self):
        """The Slack error string in the body, if any."""
        return parse_error_body(self.body)[0]

    def __repr__(self):
        return "HttpResponse(status_code=%r)" % (self.status_code,)


class RetryState:
    """Retry bookkeeping for one logical request, shared by all handlers."""

    def __init__(self, current_attempt=0, custom_values=None):
        self.current_attempt = current_attempt
        self.custom_values = custom_values if custom_values is not None else {}
        self.next_attempt_requested = False
        self.total_sleep = 0.0
        self._attempts_by_handler = {}

    def attempts_of(self, handler):
        return self._attempts_by_handler.get(id(handler), 0)

    def increment_current_attempt(self, handler=None):
        self.current_attempt += 1
        if handler is not None:
            self._attempts_by_handler[id(handler)] = self.attempts_of(handler) + 1
        return self.current_attempt


class Jitter:
    def recalculate(self, duration):
        raise NotImplementedError()


class RandomJitter(Jitter):
    """Adds up to one second, so that parallel clients do not retry in lock step."""

    def __init__(self, rng=None):
        self._rng = rng or random.random

    def recalculate(self, duration):
        return duration + self._rng()


class RetryIntervalCalculator:
    def calculate_sleep_duration(self, current_attempt):
        raise NotImplementedError()


class FixedValueRetryIntervalCalculator(RetryIntervalCalculator):
    def __init__(self, fixed_interval=0.5):
        self.fixed_interval = fixed_interval

    def calculate_sleep_duration(self, current_attempt):
        return self.fixed_interval


class BackoffRetryIntervalCalculator(RetryIntervalCalculator):
    """``backoff_factor * 2 ** attempt``, plus jitter."""

    def __init__(self, backoff_factor=0.5, jitter=None):
        self.backoff_factor = backoff_factor
        self.jitter = jitter if jitter is not None else RandomJitter()

    def calculate_sleep_duration(self, current_attempt):
        return self.jitter.recalculate(self.backoff_factor * (2 ** current_attempt))


def default_interval_calculator():
    return BackoffRetryIntervalCalculator()


class RetryHandler:
    """Base class: decide whether a failed attempt may be retried, and after how long."""

    def __init__(self, max_retry_count=1, interval_calculator=None):
        self.max_retry_count = max_retry_count
        self.interval_calculator = interval_calculator or default_interval_calculator()

    def can_retry(self, *, state, request, response=None, error=None):
        if state.attempts_of(self) >= self.max_retry_count:
            return False
        return bool(self._can_retry(state=state, request=request, response=response, error=error))

    def _can_retry(self, *, state, request, response=None, error=None):
        raise NotImplementedError()

    def calculate_sleep_duration(self, *, state, request, response=None, error=None):
        return self.interval_calculator.calculate_sleep_duration(state.attempts_of(self))

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None):
        state.next_attempt_requested = True
        state.increment_current_attempt(self)

    def __repr__(self):
        return "%s(max_retry_count=%r)" % (type(self).__name__, self.max_retry_count)


def request_never_sent(error):
    """True when the error proves the request did not reach the server (safe to resend a POST)."""
    if requests_exceptions is None:
        return False
    if isinstance(error, requests_exceptions.ConnectTimeout):
        return True
    if isinstance(error, requests_exceptions.ConnectionError):
        text = repr(error.args[0]) if error.args else ""
        return "NewConnectionError" in text or "Connection refused" in text or "NameResolutionError" in text
    return False


class ConnectionErrorRetryHandler(RetryHandler):
    """Retries transport failures: refused, reset, dropped connections.

    Idempotent requests are retried after any connection failure.  A POST is retried only
    when the connection was never made; otherwise it may have been applied, and the caller
    must look before creating again.  Read timeouts are not retried: the server was slow,
    not absent, and waiting twice as long helps no one.
    """

    def _can_retry(self, *, state, request, response=None, error=None):
        if error is None or requests_exceptions is None or response is not None:
            return False
        if isinstance(error, requests_exceptions.ReadTimeout):
            return False
        if not isinstance(error, requests_exceptions.ConnectionError):
            return False
        return request.method in IDEMPOTENT_METHODS or request_never_sent(error)


class RateLimitErrorRetryHandler(RetryHandler):
    """Retries HTTP 429 and ``resource_locked``, sleeping what ``Retry-After`` says plus jitter.

    A 429 means Slack did not process the request, so every method is safe to resend.
    """

    def __init__(self, max_retry_count=5, interval_calculator=None, jitter=None):
        super().__init__(max_retry_count=max_retry_count, interval_calculator=interval_calculator)
        self.jitter = jitter if jitter is not None else RandomJitter()

    def _can_retry(self, *, state, request, response=None, error=None):
        if response is None:
            return False
        return is_rate_limit(response.status_code, response.error)

    def calculate_sleep_duration(self, *, state, request, response=None, error=None):
        retry_after = response.header("Retry-After") if response is not None else None
        try:
            seconds = max(0.0, float(int(str(retry_after).strip())))
        except (TypeError, ValueError):
            return super().calculate_sleep_duration(state=state, request=request, response=response, error=error)
        return self.jitter.recalculate(seconds)


class ServerErrorRetryHandler(RetryHandler):
    """Retries 500/502/503/504 with backoff, for idempotent methods only."""

    RETRYABLE_STATUSES = frozenset((500, 502, 503, 504))

    def __init__(self, max_retry_count=2, interval_calculator=None):
        super().__init__(max_retry_count=max_retry_count, interval_calculator=interval_calculator)

    def _can_retry(self, *, state, request, response=None, error=None):
        return (
            response is not None
            and response.status_code in self.RETRYABLE_STATUSES
            and request.method in IDEMPOTENT_METHODS
        )


class TransientCreateErrorRetryHandler(RetryHandler):
    """Retries a ``POST`` Slack answered with an error it documents as transient
    (``invited_user_not_created``), once by default, after a short backoff."""

    def __init__(self, max_retry_count=1, interval_calculator=None):
        super().__init__(max_retry_count=max_retry_count,
                         interval_calculator=interval_calculator or FixedValueRetryIntervalCalculator(1.0))

    def _can_retry(self, *, state, request, response=None, error=None):
        return response is not None and request.method == "POST" and response.error in TRANSIENT_CREATE_ERRORS


def default_retry_handlers():
    """The seed SDK's default: one retry on connection errors."""
    return [ConnectionErrorRetryHandler(max_retry_count=1)]


def retry_handlers_from_budget(retries=None):
    """Handlers for the ``retries`` option of the modules and the lookup (counts per kind), once
    ``options_problem`` has found it usable.

    ``server_errors`` also enables one retry of a user creation Slack failed transiently
    (``invited_user_not_created``).
    """
    budget = dict(RETRY_DEFAULTS)
    budget.update({key: value for key, value in (retries or {}).items() if value is not None})
    handlers = []
    if budget["connection_errors"]:
        handlers.append(ConnectionErrorRetryHandler(max_retry_count=int(budget["connection_errors"])))
    if budget["rate_limited"]:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=int(budget["rate_limited"])))
    if budget["server_errors"]:
        handlers.append(ServerErrorRetryHandler(max_retry_count=int(budget["server_errors"])))
        handlers.append(TransientCreateErrorRetryHandler())
    return handlers, float(budget["max_wait"])
