# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``AsyncSCIMClient``: the SDK-shaped client on asyncio, with aiohttp (an optional dependency).

Internal to scim.slack; the API may change (the names are public through ``scim_client.py``).

Only the transport is its own.  What to send comes from the modules' client (``_client.SCIMClient``):
each method asks it to build its request, which it records instead of sending; what an answer means
(parsing, shape checks, error messages and redaction, redirects refused) and when to retry
(``_retry_policy``) are the same functions the synchronous client calls.  A listing (``iter_users``) runs
the synchronous client's own paging, in a worker thread, each page fetched on the event loop.

The same guarantees as ``SCIMClient``: at most each handler's ``max_retry_count`` retries and ``max_wait``
seconds of waiting whatever a handler overrides, ``Retry-After`` honoured, ``timeout`` a deadline for the
whole answer, the answer's size capped, writes never redirected and reads only to the same origin, no token
in any error, ``validate_certs``, ``ssl``, ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` and the proxy variables
honoured, and a listing complete or an ``IncompleteListingError``.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import ssl as ssl_module
import time
import traceback
from urllib.parse import urljoin, urlsplit

from ansible_collections.scim.slack.plugins.module_utils._async_retry import (
    async_default_retry_handlers,
    connection_never_made,
)
from ansible_collections.scim.slack.plugins.module_utils._answers import checked_answer
from ansible_collections.scim.slack.plugins.module_utils._client import SCIMClient as _CoreClient
from ansible_collections.scim.slack.plugins.module_utils._connection_options import DEFAULTS, RETRY_DEFAULTS
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._listing import MAX_PAGE_SIZE
from ansible_collections.scim.slack.plugins.module_utils._models import Group, User
from ansible_collections.scim.slack.plugins.module_utils._retry import HttpRequest, HttpResponse, RetryState
from ansible_collections.scim.slack.plugins.module_utils._retry_policy import ASK, PREPARE, Attempt, retry_steps
from ansible_collections.scim.slack.plugins.module_utils._sdk_client import SDKMethods, response_fields, sdk_endpoint
from ansible_collections.scim.slack.plugins.module_utils._transport import (
    MAX_BODY_BYTES,
    MAX_REDIRECTS,
    READ_CHUNK,
    redirect_refusal,
)
from ansible_collections.scim.slack.plugins.module_utils._transport_errors import size_text
from ansible_collections.scim.slack.plugins.module_utils._version import COLLECTION_VERSION

try:
    import aiohttp
except ImportError:
    aiohttp = None
    AIOHTTP_IMPORT_ERROR = traceback.format_exc()
else:
    AIOHTTP_IMPORT_ERROR = None

try:
    import requests
except ImportError:  # the core client names the missing library
    requests = None

CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


class _Planned(Exception):
    """The one request a method of the core client would send (raised instead of sending it)."""

    def __init__(self, method, path, query_params, body, expect):
        super().__init__(method, path)
        self.method, self.path, self.query_params, self.body, self.expect = method, path, query_params, body, expect


class _Planner(_CoreClient):
    """The core client, building requests without sending them."""

    def api_call(self, method, path, *, query_params=None, body=None, expect=None):
        raise _Planned(method, path, query_params, body, expect)


class _Bridged(_CoreClient):
    """The core client in a worker thread, each request sent on the event loop (for the paging rules)."""

    def __init__(self, token, send, loop, **kwargs):
        super().__init__(token, **kwargs)
        self._send_async = send
        self._loop = loop

    def api_call(self, method, path, *, query_params=None, body=None, expect=None):
        planned = _Planned(method, path, query_params, body, expect)
        return asyncio.run_coroutine_threadsafe(self._send_async(planned), self._loop).result()[1]


def _plan(method, *args, **kwargs):
    try:
        method(*args, **kwargs)
    except _Planned as planned:
        return planned
    raise AssertionError("%s sent no request" % method.__name__)  # pragma: no cover - every method sends one


class AsyncSCIMClient(SDKMethods):
    """The asyncio twin of ``SCIMClient``: the same keywords, methods and responses, awaited.

    ``retry_handlers`` takes ``AsyncRetryHandler`` objects (synchronous ``RetryHandler`` objects work too:
    their hooks are called directly); by default one retry on connection errors, as in the SDK.  A
    ``session`` (``aiohttp.ClientSession``) is used as given and never closed; without one, each call opens
    and closes its own, so the client can be built outside the event loop (as the SDK's page does).
    """

    def __init__(self, token, *, base_url=None, api_version=None, timeout=DEFAULTS["timeout"], ssl=None, proxy=None,
                 validate_certs=DEFAULTS["validate_certs"], retry_handlers=None, max_wait=RETRY_DEFAULTS["max_wait"],
                 user_agent_suffix=None, session=None, sleep=None, clock=None):
        if aiohttp is None:
            raise ScimError("AsyncSCIMClient needs the Python library aiohttp (pip install aiohttp)",
                            request_sent=False)
        base_url, api_version = sdk_endpoint(base_url, api_version)
        self._core_options = dict(api_version=api_version, base_url=base_url, timeout=timeout,
                                  validate_certs=validate_certs, retry_handlers=[], max_wait=max_wait)
        self._token = token
        self._client = _Planner(token, **self._core_options)
        self.retry_handlers = list(async_default_retry_handlers() if retry_handlers is None else retry_handlers)
        self._ssl = _ssl_setting(ssl, validate_certs)
        self._proxy = proxy
        self._session = session
        self._sleep = sleep or asyncio.sleep
        self._clock = clock or time.monotonic
        user_agent = "scim.slack/%s aiohttp/%s Python/%s" % (
            COLLECTION_VERSION, aiohttp.__version__, platform.python_version())
        self._headers = {"User-Agent": "%s %s" % (user_agent, user_agent_suffix) if user_agent_suffix else user_agent,
                         "Accept": "application/json"}
        self.request_count = 0

    # -- transport -------------------------------------------------------------------------

    async def _perform(self, planned):
        """Send a planned request with retries: ``(answer, parsed body)``, or a ScimError without the token."""
        try:
            if self._session is not None:
                return await self._attempts(self._session, planned)
            async with aiohttp.ClientSession(trust_env=True) as session:
                _count_every_attempt(session)
                return await self._attempts(session, planned)
        except ScimError as exc:
            raise exc.redact(self._client._secrets)  # pylint: disable=protected-access

    async def _attempts(self, session, planned):
        core = self._client
        method, path = planned.method.upper(), planned.path
        url = path if path.startswith(("https://", "http://")) else core.base_url + path.lstrip("/")
        data = json.dumps(planned.body) if planned.body is not None else None
        headers = {"Content-Type": "application/json;charset=utf-8"} if data is not None else {}
        request = HttpRequest(method, url, headers=headers, body_params=planned.body, data=data)
        display_path = urlsplit(url).path if url == path else "/" + path.lstrip("/")
        state = RetryState()
        while True:
            answer, error = await self._send(session, request, planned.query_params, display_path)
            http_response = None
            if answer is not None:
                parsed = core._parse_body(answer, method, display_path, state)  # pylint: disable=protected-access
                if 200 <= answer.status_code < 300:
                    return answer, checked_answer(parsed, planned.expect, method, display_path)
                http_response = HttpResponse(answer.status_code, dict(answer.headers), parsed, answer.content)
            if not await self._retry(Attempt(state, request, http_response, error)):
                raise self._failure(method, display_path, http_response, error, state)

    async def _retry(self, attempt):
        """The synchronous client's retry rules (``_retry_policy``), with the handlers' hooks awaited."""
        steps = retry_steps(attempt, self.retry_handlers, self.max_wait, self._clock)
        answer = None
        while True:
            try:
                step, value = steps.send(answer)
            except StopIteration as stop:
                return stop.value
            answer = None
            if step == ASK:
                answer = await _hook(value, "can_retry", attempt)
            elif step == PREPARE:
                await _hook(value, "prepare_for_next_attempt", attempt)
            else:
                await self._sleep(value)

    def _failure(self, method, path, response, error, state):
        """The synchronous client's error for the same failure (aiohttp's errors named as requests' are)."""
        failure = self._client._failure(  # pylint: disable=protected-access
            method, path, response, _as_requests_error(error), state)
        if error is not None and connection_never_made(error):
            failure.request_sent = False
        return failure

    async def _send(self, session, request, query_params, display_path):
        """One attempt within ``timeout``: ``(answer, None)`` with the whole body read, or ``(None, error)``."""
        deadline = self._clock() + self.timeout
        url, params = request.url, query_params
        for hop in range(MAX_REDIRECTS + 1):
            self.request_count += 1
            try:
                answer = await asyncio.wait_for(self._fetch(session, request, url, params, display_path),
                                                timeout=max(deadline - self._clock(), 0.001))
            except ScimError:
                raise
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                return None, exc
            location = answer.headers.get("Location") if 300 <= answer.status_code < 400 else None
            if location is None:
                return answer, None
            target = urljoin(url, location)
            refusal = redirect_refusal(request.method, display_path, answer.status_code, url, target, hop)
            if refusal:
                raise refusal
            url, params = target, None
        raise ScimError("%s %s was redirected more than %d times; api_url is probably wrong"
                        % (request.method, display_path, MAX_REDIRECTS),
                        method=request.method, path=display_path)  # pragma: no cover - the loop returns or raises

    async def _fetch(self, session, request, url, params, display_path):
        headers = dict(self._headers, **request.headers)
        headers["Authorization"] = "Bearer %s" % self._token
        async with session.request(request.method, url, params=_query(params), data=request.data, headers=headers,
                                   allow_redirects=False, ssl=self._ssl, proxy=self._proxy) as reply:
            if 300 <= reply.status < 400 and "Location" in reply.headers:
                return _answer(reply, b"")
            return _answer(reply, await _read_body(reply, request.method, display_path))

    # -- what the SDK's users call (the methods are SDKMethods') --------------------------------

    def _respond(self, response_class, call, *args, **kwargs):
        return self._respond_later(response_class, call, args, kwargs)

    async def _respond_later(self, response_class, call, args, kwargs):
        answer, body = await self._perform(_plan(call, *args, **kwargs))
        return response_class(**response_fields(answer.url, answer.status_code, answer.headers, answer.text, body))

    async def iter_users(self, *, filter=None, count=MAX_PAGE_SIZE, limit=None):
        """Every user matching ``filter``, as ``User``, each once, the whole listing checked."""
        async for item in self._listing("iter_users", filter, count, limit):
            yield User.from_dict(item)

    async def iter_groups(self, *, filter=None, count=MAX_PAGE_SIZE, limit=None):
        """Every group matching ``filter``, as ``Group``, each once, the whole listing checked."""
        async for item in self._listing("iter_groups", filter, count, limit):
            yield Group.from_dict(item)

    async def _listing(self, name, filter, count, limit):
        """The core client's listing (its paging rules, unchanged) in a worker thread; pages fetched here."""
        loop = asyncio.get_running_loop()

        async def fetch(planned):
            return await self._perform(planned)

        bridged = _Bridged(self._token, fetch, loop, **self._core_options)
        items = getattr(bridged, name)(filter=filter, count=count, limit=limit)
        done = object()
        try:
            while True:
                item = await loop.run_in_executor(None, next, items, done)
                if item is done:
                    return
                yield item
        finally:
            await loop.run_in_executor(None, items.close)
            bridged.close()


def _count_every_attempt(session):
    """Stop aiohttp (3.10 and later) from sending an idempotent request again by itself after a dropped
    connection: that retry would escape the handlers' counts.  A caller's own session is left as it is."""
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False  # pylint: disable=protected-access


async def _hook(handler, name, attempt):
    """A handler's ``<name>_async`` hook awaited if it has one, else its synchronous hook called."""
    hook = getattr(handler, name + "_async", None)
    if hook is not None:
        return await hook(**attempt.hook_kwargs)
    return getattr(handler, name)(**attempt.hook_kwargs)


def _query(params):
    """Query parameters as aiohttp takes them (strings, ``None`` left out)."""
    if not params:
        return None
    return {key: str(value) for key, value in params.items() if value is not None}


async def _read_body(reply, method, path):
    chunks = []
    size = 0
    while True:
        chunk = await reply.content.read(READ_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ScimError(
                "%s %s failed: answer larger than %s, far more than any SCIM answer; is api_url pointing at Slack's "
                "SCIM API?" % (method, path, size_text(MAX_BODY_BYTES)), status=reply.status, method=method, path=path)
        chunks.append(chunk)


def _answer(reply, content):
    """aiohttp's answer as the ``requests.Response`` the core client's parsing reads."""
    answer = requests.Response()
    answer.status_code = reply.status
    answer.headers = requests.structures.CaseInsensitiveDict(reply.headers)
    answer.url = str(reply.url)
    answer._content = content  # pylint: disable=protected-access
    answer.encoding = reply.charset
    return answer


def _ssl_setting(context, validate_certs):
    """aiohttp's ``ssl`` argument: the caller's context, no verification, or one with the CA bundle requests
    would use (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``)."""
    if context is not None:
        return context
    if not validate_certs:
        return False
    bundle = next((os.environ[name] for name in CA_BUNDLE_VARIABLES if os.environ.get(name)), None)
    if bundle is None:
        return True
    try:
        if os.path.isdir(bundle):
            return ssl_module.create_default_context(capath=bundle)
        return ssl_module.create_default_context(cafile=bundle)
    except (OSError, ssl_module.SSLError) as exc:
        raise ScimError("the CA bundle %s (REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE) cannot be read: %s. Point it at an "
                        "existing CA bundle, or unset it" % (bundle, exc), request_sent=False)


def _as_requests_error(error):
    """The requests exception an aiohttp failure stands for, so that the error message is the same."""
    if error is None or requests is None:
        return error
    exceptions = requests.exceptions
    if isinstance(error, asyncio.TimeoutError) or isinstance(error, aiohttp.ServerTimeoutError):
        return exceptions.ReadTimeout(error)
    if isinstance(error, aiohttp.ClientSSLError):
        return exceptions.SSLError(error)
    if isinstance(error, aiohttp.ClientProxyConnectionError):
        return exceptions.ProxyError(error)
    return exceptions.ConnectionError(error)
