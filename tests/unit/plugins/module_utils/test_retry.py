# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import errno
import socket

import pytest
import requests

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    FixedValueRetryIntervalCalculator,
    HttpRequest,
    RandomJitter,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
    ServerErrorRetryHandler,
    default_retry_handlers,
    retry_handlers_from_budget,
)

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, NoJitter

URL = BASE % "v2" + "Users/U1"
OK = {"id": "U1", "userName": "carly"}
RATE_LIMITED = {"Errors": {"description": "too_many_requests", "code": 429}}


def rate_limit_handler(count=5):
    return RateLimitErrorRetryHandler(max_retry_count=count, jitter=NoJitter())


def no_jitter_backoff():
    return BackoffRetryIntervalCalculator(backoff_factor=0.5, jitter=NoJitter())


# -- interval calculators -----------------------------------------------------------------------

def test_backoff_doubles_and_jitter_adds_under_one_second():
    calc = BackoffRetryIntervalCalculator(backoff_factor=0.5, jitter=RandomJitter(rng=lambda: 0.25))
    assert [calc.calculate_sleep_duration(n) for n in range(4)] == [0.75, 1.25, 2.25, 4.25]
    assert FixedValueRetryIntervalCalculator(2).calculate_sleep_duration(7) == 2


def test_seed_default_is_one_connection_retry():
    handlers = default_retry_handlers()
    assert [(type(h), h.max_retry_count) for h in handlers] == [(ConnectionErrorRetryHandler, 1)]


def test_budget_defaults():
    handlers, max_wait = retry_handlers_from_budget(None)
    assert [(type(h).__name__, h.max_retry_count) for h in handlers] == [
        ("ConnectionErrorRetryHandler", 1), ("RateLimitErrorRetryHandler", 5), ("ServerErrorRetryHandler", 2)]
    assert max_wait == 120


# -- rate limits -----------------------------------------------------------------------------------

def test_429_sleeps_what_retry_after_says(mocked, make_client, sleeps):
    mocked.get(URL, status=429, headers={"Retry-After": "7"}, json=RATE_LIMITED)
    mocked.get(URL, status=429, headers={"retry-after": "3"}, json=RATE_LIMITED)
    mocked.get(URL, json=OK)
    client = make_client(retry_handlers=[rate_limit_handler()])
    assert client.read_user("U1") == OK
    assert sleeps == [7.0, 3.0]
    assert len(mocked.calls) == 3


def test_429_jitter_is_added_to_retry_after(mocked, make_client, sleeps):
    mocked.get(URL, status=429, headers={"Retry-After": "2"}, json=RATE_LIMITED)
    mocked.get(URL, json=OK)
    handler = RateLimitErrorRetryHandler(jitter=RandomJitter(rng=lambda: 0.5))
    make_client(retry_handlers=[handler]).read_user("U1")
    assert sleeps == [2.5]


def test_429_without_retry_after_backs_off(mocked, make_client, sleeps):
    mocked.get(URL, status=429, json=RATE_LIMITED)
    mocked.get(URL, json=OK)
    handler = RateLimitErrorRetryHandler(interval_calculator=no_jitter_backoff(), jitter=NoJitter())
    make_client(retry_handlers=[handler]).read_user("U1")
    assert sleeps == [0.5]


def test_resource_locked_is_retried_even_for_post(mocked, make_client, sleeps):
    url = BASE % "v2" + "Users"
    mocked.post(url, status=429, headers={"Retry-After": "1"},
                json={"detail": "resource_locked", "status": 429})
    mocked.post(url, json=OK, status=201)
    assert make_client(retry_handlers=[rate_limit_handler()]).create_user({"userName": "carly"}) == OK
    assert sleeps == [1.0]


def test_rate_limit_retries_stop_at_the_budget(mocked, make_client, sleeps):
    for dummy in range(3):
        mocked.get(URL, status=429, headers={"Retry-After": "1"}, json=RATE_LIMITED)
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[rate_limit_handler(count=2)]).read_user("U1")
    error = caught.value
    assert len(mocked.calls) == 3 and sleeps == [1.0, 1.0]
    assert error.status == 429 and error.retries == 2 and error.is_rate_limited
    assert "after 2 retries" in str(error) and "rate-limited" in str(error)
    assert "retries.rate_limited" in str(error)


def test_total_wait_is_capped(mocked, make_client, sleeps):
    mocked.get(URL, status=429, headers={"Retry-After": "50"}, json=RATE_LIMITED)
    mocked.get(URL, status=429, headers={"Retry-After": "50"}, json=RATE_LIMITED)
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[rate_limit_handler()], max_wait=60).read_user("U1")
    assert sleeps == [50.0]
    assert caught.value.retry_budget_exhausted


# -- server errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_for_reads(mocked, make_client, sleeps, status):
    mocked.get(URL, status=status, body="<html>bad gateway</html>")
    mocked.get(URL, json=OK)
    handler = ServerErrorRetryHandler(interval_calculator=no_jitter_backoff())
    assert make_client(retry_handlers=[handler]).read_user("U1") == OK
    assert sleeps == [0.5]


def test_server_errors_back_off_exponentially_then_fail(mocked, make_client, sleeps):
    for dummy in range(3):
        mocked.get(URL, status=503, json={"detail": "service_unavailable", "status": 503})
    handler = ServerErrorRetryHandler(max_retry_count=2, interval_calculator=no_jitter_backoff())
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[handler]).read_user("U1")
    assert sleeps == [0.5, 1.0]
    assert caught.value.status == 503 and "after 2 retries" in str(caught.value)


def test_server_error_on_post_is_not_resent(mocked, make_client, sleeps):
    mocked.post(BASE % "v2" + "Users", status=500, body="")
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[ServerErrorRetryHandler()]).create_user({"userName": "carly"})
    assert len(mocked.calls) == 1 and sleeps == []
    assert caught.value.status == 500 and "Internal Server Error" in str(caught.value)


# -- connection errors -------------------------------------------------------------------------------

def test_dropped_connection_is_retried_for_reads(mocked, make_client, sleeps):
    mocked.get(URL, body=requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"))
    mocked.get(URL, json=OK)
    handler = ConnectionErrorRetryHandler(interval_calculator=no_jitter_backoff())
    assert make_client(retry_handlers=[handler]).read_user("U1") == OK
    assert sleeps == [0.5]


def test_dropped_connection_during_post_is_not_resent(mocked, make_client, sleeps):
    mocked.post(BASE % "v2" + "Users",
                body=requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"))
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=3)]).create_user({"userName": "c"})
    assert len(mocked.calls) == 1
    assert caught.value.status is None and caught.value.request_sent is True
    assert "connection failed" in str(caught.value)


def test_refused_connection_post_is_resent(mocked, make_client, sleeps):
    url = BASE % "v2" + "Users"
    mocked.post(url, body=requests.exceptions.ConnectionError("[Errno 111] Connection refused"))
    mocked.post(url, json=OK, status=201)
    handler = ConnectionErrorRetryHandler(interval_calculator=no_jitter_backoff())
    assert make_client(retry_handlers=[handler]).create_user({"userName": "carly"}) == OK


def test_read_timeout_fails_naming_the_timeout(mocked, make_client, sleeps):
    mocked.get(URL, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(ScimError) as caught:
        make_client(timeout=2.5, retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=3)]).read_user("U1")
    assert "timeout of 2.5 seconds" in str(caught.value)
    assert len(mocked.calls) == 1


def test_tls_failure_says_so(mocked, make_client):
    mocked.get(URL, body=requests.exceptions.SSLError("certificate verify failed"))
    with pytest.raises(ScimError, match="TLS verification failed"):
        make_client(retry_handlers=[]).read_user("U1")


def test_each_handler_counts_its_own_retries(mocked, make_client, sleeps):
    mocked.get(URL, status=429, headers={"Retry-After": "1"}, json=RATE_LIMITED)
    mocked.get(URL, status=429, headers={"Retry-After": "1"}, json=RATE_LIMITED)
    mocked.get(URL, body=requests.exceptions.ConnectionError("reset"))
    mocked.get(URL, json=OK)
    handlers = [ConnectionErrorRetryHandler(max_retry_count=1, interval_calculator=no_jitter_backoff()),
                rate_limit_handler(count=2)]
    assert make_client(retry_handlers=handlers).read_user("U1") == OK
    assert sleeps == [1.0, 1.0, 0.5]


# -- custom handlers, as the seed SDK documents them ---------------------------------------------------

class ConnectionResetHandler(RetryHandler):
    """The seed SDK's documented example: retry on [Errno 104] Connection reset by peer."""

    def _can_retry(self, *, state, request, response=None, error=None):
        cause = error
        while cause is not None:
            if isinstance(cause, socket.error) and cause.errno == errno.ECONNRESET:
                return True
            cause = cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None
        return False


def test_custom_handler_subclass(mocked, make_client, sleeps):
    reset = ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")
    mocked.get(URL, body=requests.exceptions.ConnectionError(reset))
    mocked.get(URL, json=OK)
    handler = ConnectionResetHandler(max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.25))
    client = make_client(retry_handlers=[handler])
    assert client.read_user("U1") == OK
    assert sleeps == [0.25]


def test_custom_handler_can_override_sleep_and_sees_request_without_token(mocked, make_client, sleeps):
    seen = []

    class TeapotHandler(RetryHandler):
        def _can_retry(self, *, state, request, response=None, error=None):
            seen.append((request, response.status_code if response else None))
            return response is not None and response.status_code == 418

        def calculate_sleep_duration(self, *, state, request, response=None, error=None):
            return 4.2

    mocked.get(URL, status=418, json={"detail": "teapot", "status": 418})
    mocked.get(URL, json=OK)
    make_client(retry_handlers=[TeapotHandler(max_retry_count=1)]).read_user("U1")
    assert sleeps == [4.2]
    request = seen[0][0]
    assert isinstance(request, HttpRequest) and request.method == "GET" and request.url == URL
    assert "Authorization" not in request.headers


def test_retry_state_counts_attempts():
    state = RetryState()
    handler = ServerErrorRetryHandler()
    handler.prepare_for_next_attempt(state=state, request=HttpRequest("GET", URL))
    assert state.current_attempt == 1 and state.attempts_of(handler) == 1 and state.next_attempt_requested
