# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AsyncSCIMClient (_async_client.py) and the async retry handlers (_async_retry.py) against a local
server that answers each request as scripted: 429 with Retry-After, 5xx, reset connections, silence
(timeouts), redirects, truncated answers.  Waits are counted through an injected sleep and clock, never
timed; requests are counted on the server.

aiohttp is an optional dependency of the collection, and a test dependency (tests/unit/requirements.txt).
"""

from __future__ import annotations

import asyncio
import errno
import json
import socket
import struct

import pytest

from ansible_collections.scim.slack.plugins.module_utils import _async_client
from ansible_collections.scim.slack.plugins.module_utils._async_client import AsyncSCIMClient
from ansible_collections.scim.slack.plugins.module_utils._async_retry import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncRetryHandler,
    AsyncServerErrorRetryHandler,
    AsyncTransientCreateErrorRetryHandler,
)
from ansible_collections.scim.slack.plugins.module_utils._errors import IncompleteListingError, ScimError
from ansible_collections.scim.slack.plugins.module_utils._models import User
from ansible_collections.scim.slack.plugins.module_utils._retry import FixedValueRetryIntervalCalculator

from ansible_collections.scim.slack.tests.unit.plugins.module_utils.test_models import V1_USER
from ansible_collections.scim.slack.tests.unit.scim_test_utils import TOKEN, NoJitter, page

RATE_LIMITED = {"Errors": {"description": "too_many_requests", "code": 429}}


# -- a scripted HTTP server --------------------------------------------------------------------------

def answer(status=200, body=None, headers=None, raw=None, declared_length=None):
    """An HTTP answer; ``raw`` bytes instead of JSON; ``declared_length`` more than is sent cuts it short."""
    async def act(writer):
        content = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        lines = ["HTTP/1.1 %d X" % status, "Content-Type: application/json",
                 "Content-Length: %d" % (declared_length or len(content))]
        lines += ["%s: %s" % item for item in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + content)
        await writer.drain()
        return declared_length is None
    return act


def reset():
    """Reset the connection after reading the request (a TCP RST: "Connection reset by peer")."""
    async def act(writer):
        writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        return False
    return act


def silence():
    """Never answer."""
    async def act(writer):
        await asyncio.sleep(3600)
        return False
    return act


class ScriptedServer:
    """Answers the n-th request with the n-th action of ``script``; records each request."""

    def __init__(self, *script):
        self.script = list(script)
        self.requests = []
        self.server = None
        self.root = None
        self.connections = set()

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.root = "http://127.0.0.1:%d" % self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info):
        self.server.close()
        for task in self.connections:
            task.cancel()
        await asyncio.gather(*self.connections, return_exceptions=True)
        await self.server.wait_closed()

    def base_url(self, api_version="v1"):
        return "%s/scim/%s/" % (self.root, api_version)

    async def _serve(self, reader, writer):
        self.connections.add(asyncio.current_task())
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _one(self, reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        method, target, dummy_version = lines[0].split(" ")
        headers = dict(line.split(": ", 1) for line in lines[1:] if line)
        body = await reader.readexactly(int(headers.get("Content-Length", 0)))
        self.requests.append({"method": method, "target": target, "headers": headers,
                              "body": json.loads(body) if body else None})
        return await self.script.pop(0)(writer)

    @property
    def methods(self):
        return [request["method"] for request in self.requests]


class Waits:
    """The injected sleep and clock: time moves only when the client (or a handler) sleeps."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    async def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now


def run(script, call, api_version="v1", **kwargs):
    """Run ``call(client)`` against a server playing ``script``: (result or ScimError, server, waits)."""
    waits = Waits()

    async def main():
        async with ScriptedServer(*script) as server:
            client = AsyncSCIMClient(TOKEN, base_url=server.base_url(api_version), sleep=waits.sleep,
                                     clock=waits.clock, **kwargs)
            try:
                return await call(client), server
            except ScimError as exc:
                return exc, server

    result, server = asyncio.run(main())
    return result, server, waits


def rate_limit_handler(count=1):
    return AsyncRateLimitErrorRetryHandler(max_retry_count=count, jitter=NoJitter())


def read_user(client):
    return client.read_user("W111")


# -- the SDK's calls ---------------------------------------------------------------------------------

def test_the_sdk_calls_answer_sdk_responses():
    created = dict(V1_USER, id="W222", userName="cal")

    async def calls(client):
        search = await client.search_users(start_index=1, count=100, filter='userName eq "cal"')
        creation = await client.create_user(User(user_name="cal", emails=[{"value": "cal@example.com"}]))
        deletion = await client.delete_user(creation.user.id)
        return search, creation, deletion

    (search, creation, deletion), server, dummy_waits = run(
        [answer(body=page([])), answer(201, created, {"X-Trace": "t1"}), answer(200)], calls)
    assert search.status_code == 200 and search.users == [] and search.total_results == 0
    assert creation.status_code == 201 and creation.user.user_name == "cal" and creation.headers["X-Trace"] == "t1"
    assert deletion.status_code == 200 and deletion.body is None
    assert server.methods == ["GET", "POST", "DELETE"]
    assert server.requests[0]["target"].startswith("/scim/v1/Users?")
    assert server.requests[1]["body"]["schemas"] == ["urn:scim:schemas:core:1.0"]
    assert all(request["headers"]["Authorization"] == "Bearer " + TOKEN for request in server.requests)


def test_requests_are_built_by_the_modules_client():
    """The same guards as SCIMClient, before any request: an empty-the-group PATCH is refused."""
    operations = {"Operations": [{"op": "remove", "path": "members"}]}
    error, server, dummy_waits = run([], lambda client: client.patch_group("S1", operations), api_version="v2")
    assert isinstance(error, ScimError) and not error.request_sent and "empties the group" in str(error)
    assert server.requests == []


# -- rate limits and server errors ---------------------------------------------------------------------

def test_429_waits_what_retry_after_says():
    script = [answer(429, RATE_LIMITED, {"Retry-After": "2"}), answer(body=V1_USER)]
    result, server, waits = run(script, read_user, retry_handlers=[rate_limit_handler()])
    assert result.user.id == "W111" and len(server.requests) == 2 and waits.sleeps == [2.0]


def test_429_retries_are_bounded_by_max_retry_count():
    script = [answer(429, RATE_LIMITED, {"Retry-After": "1"})] * 2
    error, server, waits = run(script, read_user, retry_handlers=[rate_limit_handler(1)])
    assert isinstance(error, ScimError) and error.status == 429 and error.retries == 1
    assert "rate-limited" in str(error) and "retry budget ran out" in str(error)
    assert len(server.requests) == 2 and waits.sleeps == [1.0]


def test_a_retry_after_beyond_max_wait_fails_at_once():
    script = [answer(429, RATE_LIMITED, {"Retry-After": "100"})]
    error, server, waits = run(script, read_user, retry_handlers=[rate_limit_handler(5)], max_wait=30)
    assert isinstance(error, ScimError) and "max_wait (30 s)" in str(error)
    assert len(server.requests) == 1 and waits.sleeps == []


class SelfSleepingHandler(AsyncRetryHandler):
    """Written the SDK's way: sleeps in prepare_for_next_attempt_async, and counts nothing."""

    def __init__(self, waits, **kwargs):
        super().__init__(**kwargs)
        self.waits = waits

    async def _can_retry_async(self, *, state, request, response=None, error=None):
        return response is not None and response.status_code == 429

    async def prepare_for_next_attempt_async(self, *, state, request, response=None, error=None):
        self.waits.now += 20  # it slept 20 s by itself
        state.current_attempt = 0  # and "forgot" the count


def test_a_handler_that_sleeps_and_forgets_to_count_is_still_bounded():
    waits = Waits()

    async def main():
        async with ScriptedServer(*[answer(429, RATE_LIMITED, {"Retry-After": "1"})] * 3) as server:
            client = AsyncSCIMClient(TOKEN, base_url=server.base_url(), sleep=waits.sleep, clock=waits.clock,
                                     retry_handlers=[SelfSleepingHandler(waits, max_retry_count=5)], max_wait=50)
            with pytest.raises(ScimError) as raised:
                await client.read_user("W111")
            return server, raised.value

    server, error = asyncio.run(main())
    # 20 s slept per retry: the third would pass max_wait=50, so two retries, three requests.
    assert len(server.requests) == 3 and waits.sleeps == [] and waits.now == 40
    assert "max_wait (50 s)" in str(error)


def test_5xx_is_retried_for_reads_and_not_for_creates():
    handlers = [AsyncServerErrorRetryHandler(max_retry_count=2,
                                             interval_calculator=FixedValueRetryIntervalCalculator(0.5))]
    result, server, waits = run([answer(503, {"Errors": {"description": "x", "code": 503}}), answer(body=V1_USER)],
                                read_user, retry_handlers=handlers)
    assert result.user.id == "W111" and len(server.requests) == 2 and waits.sleeps == [0.5]
    error, server, waits = run([answer(503)], lambda client: client.create_user({"userName": "cal"}),
                               retry_handlers=handlers)
    assert isinstance(error, ScimError) and error.status == 503 and len(server.requests) == 1


def test_a_transient_create_error_is_retried_once():
    transient = {"Errors": {"description": "invited_user_not_created", "code": 500}}
    script = [answer(500, transient), answer(201, V1_USER)]
    result, server, dummy_waits = run(script, lambda client: client.create_user({"userName": "bot-user"}),
                                      retry_handlers=[AsyncTransientCreateErrorRetryHandler()])
    assert result.status_code == 201 and server.methods == ["POST", "POST"]


# -- connections -----------------------------------------------------------------------------------

def test_a_reset_connection_is_retried_by_default_for_a_read():
    result, server, waits = run([reset(), answer(body=V1_USER)], read_user)
    assert result.user.id == "W111" and len(server.requests) == 2 and len(waits.sleeps) == 1


def test_a_reset_post_is_not_retried_it_may_have_been_applied():
    error, server, dummy_waits = run([reset()], lambda client: client.create_user({"userName": "cal"}))
    assert isinstance(error, ScimError) and error.request_sent and len(server.requests) == 1
    assert "POST /Users failed: connection failed" in str(error)


def test_a_refused_connection_is_retried_even_for_a_post_and_says_nothing_was_sent():
    waits = Waits()
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    client = AsyncSCIMClient(TOKEN, base_url="http://127.0.0.1:%d/scim/v1/" % port, sleep=waits.sleep,
                             clock=waits.clock)
    with pytest.raises(ScimError) as raised:
        asyncio.run(client.create_user({"userName": "cal"}))
    assert not raised.value.request_sent and raised.value.retries == 1 and len(waits.sleeps) == 1
    assert client.request_count == 2


def test_an_sdk_style_handler_sees_aiohttps_own_error():
    """The SDK page's handler, async: ``isinstance(error, socket.error) and error.errno == 104``."""
    seen = []

    class ResetHandler(AsyncRetryHandler):
        async def _can_retry_async(self, *, state, request, response=None, error=None):
            seen.append(error)
            return isinstance(error, socket.error)

    result, server, dummy_waits = run([reset(), answer(body=V1_USER)], read_user, retry_handlers=[ResetHandler()])
    assert result.status_code == 200 and len(server.requests) == 2
    assert type(seen[0]).__module__.startswith("aiohttp")


def test_silence_is_a_timeout_and_not_retried():
    # 1.5 s, not less: on a loaded machine the server must have read the request before the client gives up.
    error, server, dummy_waits = run([silence()], read_user, timeout=1.5)
    assert isinstance(error, ScimError) and "no complete answer within the timeout of 1.5 seconds" in str(error)
    assert len(server.requests) == 1


def test_an_answer_cut_short_is_retried_for_a_read():
    truncated = answer(raw=b'{"id": "W111", "userName', declared_length=200)
    result, server, dummy_waits = run([truncated, answer(body=V1_USER)], read_user)
    assert result.user.id == "W111" and len(server.requests) == 2


def test_a_whole_answer_that_is_not_json_fails_clearly():
    error, server, dummy_waits = run([answer(raw=b'{"id": "W111", "userName')], read_user)
    assert isinstance(error, ScimError) and "body that is not JSON" in str(error) and len(server.requests) == 1


def test_an_error_echoing_the_token_does_not_show_it():
    echo = {"Errors": {"description": "invalid_authentication (authorization=Bearer %s)" % TOKEN, "code": 401}}
    error, dummy_server, dummy_waits = run([answer(401, echo)], read_user)
    assert isinstance(error, ScimError) and error.status == 401
    assert TOKEN not in str(error) and TOKEN not in repr(vars(error))


# -- redirects -------------------------------------------------------------------------------------

def test_a_read_follows_a_redirect_on_the_same_origin_only():
    moved = answer(302, headers={"Location": "/scim/v1/Users/W111?moved=1"})
    result, server, dummy_waits = run([moved, answer(body=V1_USER)], read_user)
    assert result.user.id == "W111" and [r["target"] for r in server.requests] == [
        "/scim/v1/Users/W111", "/scim/v1/Users/W111?moved=1"]
    elsewhere = answer(302, headers={"Location": "https://elsewhere.example/scim/v1/Users/W111"})
    error, server, dummy_waits = run([elsewhere], read_user)
    assert isinstance(error, ScimError) and "does not follow it" in str(error) and len(server.requests) == 1


def test_a_write_never_follows_a_redirect():
    moved = answer(307, headers={"Location": "/scim/v1/Users/W111"})
    error, server, dummy_waits = run([moved], lambda client: client.patch_user("W111", {"title": "CEO"}))
    assert isinstance(error, ScimError) and "writes never follow redirects" in str(error)
    assert server.methods == ["PATCH"]


# -- paging ----------------------------------------------------------------------------------------

def listing(client):
    async def collect():
        return [user.id async for user in client.iter_users(count=1)]
    return collect()


def test_iter_users_reads_every_page():
    users = [dict(V1_USER, id="W%d" % index) for index in range(3)]
    script = [answer(body=page([user], total=3, start=index + 1)) for index, user in enumerate(users)]
    script.append(answer(body=page([], total=3, start=4)))  # a full last page may not be the last: one more
    result, server, dummy_waits = run(script, listing)
    assert result == ["W0", "W1", "W2"] and len(server.requests) == 4


def test_a_short_listing_is_an_error_not_a_smaller_directory():
    short = [answer(body=page([dict(V1_USER, id="W0")], total=3)), answer(body=page([], total=3))]
    error, server, dummy_waits = run(short * 2, listing)
    assert isinstance(error, IncompleteListingError) and "1 of 3 users received" in str(error)
    assert len(server.requests) == 4


# -- construction ----------------------------------------------------------------------------------

def test_without_aiohttp_the_error_names_the_package(monkeypatch):
    monkeypatch.setattr(_async_client, "aiohttp", None)
    with pytest.raises(ScimError, match=r"needs the Python library aiohttp \(pip install aiohttp\)"):
        AsyncSCIMClient(TOKEN)


def test_tls_settings(monkeypatch, tmp_path):
    import ssl

    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    context = ssl.create_default_context()
    assert AsyncSCIMClient(TOKEN, ssl=context)._ssl is context  # pylint: disable=protected-access
    assert AsyncSCIMClient(TOKEN, validate_certs=False)._ssl is False  # pylint: disable=protected-access
    assert AsyncSCIMClient(TOKEN)._ssl is True  # pylint: disable=protected-access
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with pytest.raises(ScimError) as raised:
        AsyncSCIMClient(TOKEN)
    assert not raised.value.request_sent and "REQUESTS_CA_BUNDLE" in str(raised.value)


def test_defaults_are_the_sdks(monkeypatch):
    monkeypatch.delenv("SLACK_SCIM_API_URL", raising=False)
    monkeypatch.delenv("SLACK_SCIM_API_VERSION", raising=False)
    client = AsyncSCIMClient(token=TOKEN)
    assert (client.base_url, client.api_version) == ("https://api.slack.com/scim/v1/", "v1")
    assert [type(handler) for handler in client.retry_handlers] == [AsyncConnectionErrorRetryHandler]
    assert AsyncSCIMClient(TOKEN, api_version="v2").base_url == "https://api.slack.com/scim/v2/"


def test_async_handlers_follow_the_synchronous_rules():
    from ansible_collections.scim.slack.plugins.module_utils._retry import HttpRequest, HttpResponse, RetryState

    handler = AsyncRateLimitErrorRetryHandler(max_retry_count=1, jitter=NoJitter())
    request = HttpRequest("POST", "https://scim.test/scim/v1/Users")
    locked = HttpResponse(429, {"Retry-After": "3"}, {"Errors": {"description": "resource_locked", "code": 429}})
    state = RetryState()
    assert asyncio.run(handler.can_retry_async(state=state, request=request, response=locked))
    assert handler.calculate_sleep_duration(state=state, request=request, response=locked) == 3.0
    assert not asyncio.run(handler.can_retry_async(state=state, request=request, response=HttpResponse(500)))
    reset_error = ConnectionResetError(errno.ECONNRESET, "reset")
    connection = AsyncConnectionErrorRetryHandler()
    assert asyncio.run(connection.can_retry_async(state=state, request=request.__class__("GET", "x"),
                                                  error=reset_error))
    assert not asyncio.run(connection.can_retry_async(state=state, request=request, error=reset_error))
    assert not asyncio.run(connection.can_retry_async(state=state, request=request.__class__("GET", "x"),
                                                      error=asyncio.TimeoutError()))


def test_https_to_a_plain_http_server_fails_at_the_handshake_as_the_sync_client_says(monkeypatch):
    """``validate_certs=False`` wins over a CA bundle variable naming a missing file: the client connects, and
    the TLS failure is told in the synchronous client's words."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/scim-slack-ca.pem")

    async def plain_http(reader, writer):
        await reader.read(1024)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(plain_http, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = AsyncSCIMClient(TOKEN, base_url="https://127.0.0.1:%d/scim/v1/" % port, validate_certs=False,
                                 retry_handlers=[])
        try:
            with pytest.raises(ScimError) as raised:
                await client.read_user("W111")
        finally:
            server.close()
        return raised.value

    error = asyncio.run(main())
    assert "TLS handshake failed" in str(error) and "the server speaks plain http" in str(error)
    assert "CA bundle" not in str(error)
