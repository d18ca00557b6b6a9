# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import errno
import json
import re
import socket

import pytest
import requests
import responses
import urllib3

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
    TransientCreateErrorRetryHandler,
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
        ("ConnectionErrorRetryHandler", 1), ("RateLimitErrorRetryHandler", 5), ("ServerErrorRetryHandler", 2),
        ("TransientCreateErrorRetryHandler", 1)]
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
    assert "waiting again would pass retries.max_wait (60 s)" in str(caught.value)


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

@pytest.mark.parametrize("method, path, call, failure", [
    ("GET", "Users/U1", ("read_user", "U1"), "Connection aborted: RemoteDisconnected"),
    # A POST is resent only when the connection was never made.
    ("POST", "Users", ("create_user", {"userName": "carly"}), "[Errno 111] Connection refused"),
])
def test_a_connection_failure_is_retried_when_resending_is_safe(mocked, make_client, sleeps, method, path, call, failure):
    mocked.add(method, BASE % "v2" + path, body=requests.exceptions.ConnectionError(failure))
    mocked.add(method, BASE % "v2" + path, json=OK, status=201 if method == "POST" else 200)
    handler = ConnectionErrorRetryHandler(interval_calculator=no_jitter_backoff())
    name, argument = call
    assert getattr(make_client(retry_handlers=[handler]), name)(argument) == OK
    assert sleeps == [0.5] and len(mocked.calls) == 2


def test_dropped_connection_during_post_is_not_resent(mocked, make_client, sleeps):
    mocked.post(BASE % "v2" + "Users",
                body=requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"))
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=3)]).create_user({"userName": "c"})
    assert len(mocked.calls) == 1
    assert caught.value.status is None and caught.value.request_sent is True
    assert "connection failed" in str(caught.value)


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


# -- a handler written the SDK's way cannot escape the client's limits (issue 13.10) ------------------

class FakeClock:
    """A clock and a sleep that only advance each other: time passes only when someone sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def sdk_style_rate_limit_handler(clock):
    """Written as slack_sdk's built-in RateLimitErrorRetryHandler is: it counts on the shared state
    and sleeps Retry-After (plus jitter) inside prepare_for_next_attempt, without calling super()."""

    class SdkStyleRateLimitHandler(RetryHandler):
        def _can_retry(self, *, state, request, response=None, error=None):
            return response is not None and response.status_code == 429

        def prepare_for_next_attempt(self, *, state, request, response=None, error=None):
            if response is None:
                raise error
            state.next_attempt_requested = True
            duration = 1
            for name, values in response.headers.items():
                if name.lower() == "retry-after":
                    duration = int(values[0]) + 0.5
            clock.sleep(duration)
            # The SDK's handlers do not always count (the rate-limit one does not in some versions).

    return SdkStyleRateLimitHandler


def always_429(served):
    def callback(request):
        served.append(request.method)
        return 429, {"Retry-After": "25"}, json.dumps(RATE_LIMITED)

    return callback


def test_an_sdk_style_handler_gets_exactly_its_retries_and_the_time_it_slept_counts(make_client, sleeps):
    clock = FakeClock()
    handler = sdk_style_rate_limit_handler(clock)(max_retry_count=1)
    served = []
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, URL, callback=always_429(served))
        client = make_client(retry_handlers=[handler], max_wait=30, clock=clock)
        with pytest.raises(ScimError) as caught:
            client.read_user("U1")
    assert len(served) == 2  # the first attempt and exactly one retry
    assert clock.slept == [25.5] and sleeps == []  # the handler slept; the client did not sleep again
    assert caught.value.retries == 1 and caught.value.status == 429


def test_an_sdk_style_handler_cannot_wait_past_max_wait(make_client, sleeps):
    clock = FakeClock()
    handler = sdk_style_rate_limit_handler(clock)(max_retry_count=10)
    served = []
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, URL, callback=always_429(served))
        client = make_client(retry_handlers=[handler], max_wait=30, clock=clock)
        with pytest.raises(ScimError) as caught:
            client.read_user("U1")
    # Retry-After 25 fits once in 30 s; the second would pass max_wait, whatever the handler wants.
    assert len(served) == 2 and sum(clock.slept) <= 30
    assert "waiting again would pass retries.max_wait (30 s)" in str(caught.value)


def test_a_handler_that_never_counts_is_counted_by_the_client(make_client, sleeps):
    class NeverCounts(RetryHandler):
        def _can_retry(self, *, state, request, response=None, error=None):
            return True

        def prepare_for_next_attempt(self, *, state, request, response=None, error=None):
            state.current_attempt = 0  # forgets, or resets, its count

        def calculate_sleep_duration(self, *, state, request, response=None, error=None):
            return float("nan")

    served = []
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, URL, callback=always_429(served))
        with pytest.raises(ScimError):
            make_client(retry_handlers=[NeverCounts(max_retry_count=3)], max_wait=1000).read_user("U1")
    assert len(served) == 4 and sleeps == []


def test_a_handler_written_for_the_seed_sdk_counting_itself_is_not_counted_twice(mocked, make_client, sleeps):
    class CountsItself(RetryHandler):
        def _can_retry(self, *, state, request, response=None, error=None):
            return response is not None and response.status_code == 503

        def prepare_for_next_attempt(self, *, state, request, response=None, error=None):
            state.next_attempt_requested = True
            state.increment_current_attempt()

    for dummy in range(2):
        mocked.get(URL, status=503, json={"detail": "x", "status": 503})
    mocked.get(URL, json=OK)
    handler = CountsItself(max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0.25))
    assert make_client(retry_handlers=[handler]).read_user("U1") == OK
    assert sleeps == [0.25, 0.25]


# -- invited_user_not_created: transient, one retry of the POST (issue 12.8) ---------------------------

INVITE_FAILED = {"Errors": {"description": "invited_user_not_created", "code": 500}}


def test_invited_user_not_created_retries_the_post_once(mocked, make_client, sleeps):
    url = BASE % "v2" + "Users"
    mocked.post(url, status=500, json=INVITE_FAILED)
    mocked.post(url, json=OK, status=201)
    handlers, dummy = retry_handlers_from_budget(None)
    assert make_client(retry_handlers=handlers).create_user({"userName": "carly"}) == OK
    assert sleeps == [1.0]


def test_invited_user_not_created_twice_fails_with_the_hint(mocked, make_client, sleeps):
    url = BASE % "v2" + "Users"
    mocked.post(url, status=500, json=INVITE_FAILED)
    mocked.post(url, status=500, json=INVITE_FAILED)
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[TransientCreateErrorRetryHandler()]).create_user({"userName": "carly"})
    assert len(mocked.calls) == 2
    assert "invited_user_not_created after 1 retry" in str(caught.value)
    assert "transient" in str(caught.value)


def test_invited_user_not_created_is_not_retried_for_other_methods(mocked, make_client, sleeps):
    mocked.put(URL, status=500, json=INVITE_FAILED)
    with pytest.raises(ScimError):
        make_client(retry_handlers=[TransientCreateErrorRetryHandler()]).update_user({"id": "U1", "userName": "c"})
    assert len(mocked.calls) == 1


# -- messages say what happened and what to change (issues 13.11, 17.5) ----------------------------------

def test_the_rate_limit_message_says_it_once(mocked, make_client, sleeps):
    for dummy in range(2):
        mocked.get(URL, status=429, headers={"Retry-After": "1"}, json=RATE_LIMITED)
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[rate_limit_handler(count=1)]).read_user("U1")
    message = str(caught.value)
    assert message.count("rate-limited") == 1 and message.count("retries.rate_limited") == 1
    assert message == ("GET /Users/U1 failed: HTTP 429 too_many_requests after 1 retry (1.0 s waiting): Slack "
                       "rate-limited the request and the retry budget ran out. Raise retries.rate_limited or "
                       "retries.max_wait, or lower the write rate (throttle/serial).")


@pytest.mark.parametrize("body", [{"ok": False, "error": "rate_limited"}, {"ok": False, "error": "ratelimited"}, None])
def test_every_rate_limit_spelling_is_retried_and_explained(mocked, make_client, sleeps, body):
    kwargs = {"json": body} if body else {"body": ""}
    mocked.get(URL, status=429, headers={"Retry-After": "2"}, **kwargs)
    mocked.get(URL, status=429, headers={"Retry-After": "2"}, **kwargs)
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[rate_limit_handler(count=1)]).read_user("U1")
    assert caught.value.is_rate_limited and sleeps == [2.0]
    assert "retries.rate_limited" in str(caught.value)


def test_resource_locked_says_what_happened(mocked, make_client, sleeps):
    mocked.patch(URL, status=429, json={"detail": "resource_locked", "status": 429})
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[]).patch_user("U1", {"title": "x"})
    assert "kept it locked" in str(caught.value) and "throttle: 1" in str(caught.value)
    assert "rate-limited" not in str(caught.value)


def refused():
    """The exception requests raises when nothing listens on the port, as built by urllib3."""
    reason = urllib3.exceptions.NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused")
    pool_error = urllib3.exceptions.MaxRetryError(None, "/scim/v2/Users/U1?" + "x=1&" * 80, reason)
    return requests.exceptions.ConnectionError(pool_error)


def test_a_refused_connection_names_the_innermost_reason_whole(mocked, make_client, sleeps):
    mocked.get(URL, body=refused())
    mocked.get(URL, body=refused())
    handler = ConnectionErrorRetryHandler(interval_calculator=no_jitter_backoff())
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[handler]).read_user("U1")
    assert str(caught.value) == (
        "GET /Users/U1 failed: connection refused ([Errno 111] Connection refused) after 1 retry (0.5 s waiting). "
        "Check the host and port in api_url (%s); nothing accepts connections there" % BASE % "v2")
    assert caught.value.request_sent is False


def test_https_to_a_plain_http_port_says_so(mocked, make_client, sleeps):
    error = requests.exceptions.SSLError(urllib3.exceptions.MaxRetryError(
        None, "/scim/v2/Users/U1", urllib3.exceptions.SSLError(
            "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)")))
    mocked.get(URL, body=error)
    mocked.get(URL, body=error)
    handler = ConnectionErrorRetryHandler(interval_calculator=no_jitter_backoff())
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[handler]).read_user("U1")
    message = str(caught.value)
    assert "api_url uses https:// but the server speaks plain http (or the port is wrong)" in message
    assert "CA bundle" not in message
    assert re.search(r"\) after 1 retry \(0\.5 s waiting\)\. Use http://", message), message


def test_a_certificate_failure_blames_the_ca_bundle(mocked, make_client):
    mocked.get(URL, body=requests.exceptions.SSLError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1000)"))
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[]).read_user("U1")
    assert str(caught.value) == (
        "GET /Users/U1 failed: TLS verification failed ([SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
        "failed: self-signed certificate (_ssl.c:1000). Fix the CA bundle (REQUESTS_CA_BUNDLE), or set "
        "validate_certs to false only for a test endpoint you trust")


def test_a_long_transport_message_is_cut_at_a_word(mocked, make_client):
    mocked.get(URL, body=requests.exceptions.ConnectionError("gateway said " + "blah " * 100))
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[]).read_user("U1")
    assert "blah ...). Check the network" in str(caught.value) and "bla)" not in str(caught.value)
