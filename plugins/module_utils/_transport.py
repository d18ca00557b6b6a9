# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP on ``requests`` for the SCIM client: one request with its deadline, size cap, redirects and retries.

Internal to scim.slack; the API may change.  :class:`Transport` sends a request (``api_call``, ``exchange``),
reads the whole answer within ``timeout`` and under ``MAX_BODY_BYTES``, follows a redirect only for a read and
only to the same origin, asks the retry handlers (the rules are ``_retry_policy``'s) and raises a
:class:`ScimError` without the token (the words are ``_transport_errors``'s).
"""

from __future__ import annotations

import json
import platform
import socket
import time
import traceback
import warnings
from urllib.parse import urljoin, urlsplit

from ansible_collections.scim.slack.plugins.module_utils._answers import checked_answer
from ansible_collections.scim.slack.plugins.module_utils._connection_options import (
    insecure_url_warning,
    url_without_secrets,
)
from ansible_collections.scim.slack.plugins.module_utils._errors import WRITE_METHODS, ScimError, redact
from ansible_collections.scim.slack.plugins.module_utils._retry import (
    HttpRequest,
    HttpResponse,
    RetryState,
    default_retry_handlers,
)
from ansible_collections.scim.slack.plugins.module_utils._retry_policy import ASK, PREPARE, Attempt, retry_steps
from ansible_collections.scim.slack.plugins.module_utils._transport_errors import request_failure, size_text
from ansible_collections.scim.slack.plugins.module_utils._version import COLLECTION_VERSION

try:
    import requests
except ImportError:
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

try:
    from urllib3 import exceptions as urllib3_exceptions, response as urllib3_response
except ImportError:  # pragma: no cover - requests brings urllib3
    urllib3_exceptions = urllib3_response = None

# Linux's option to acknowledge received data at once (see _set_socket_timeout); None elsewhere.
QUICKACK = getattr(socket, "TCP_QUICKACK", None)
# A 1,000-item page of users is about 2 MiB; an answer far larger than that is not a SCIM answer.
MAX_BODY_BYTES = 64 * 1024 * 1024
READ_CHUNK = 64 * 1024
# Reads follow at most this many redirects, and only to the same scheme, host and port.
MAX_REDIRECTS = 5


class Transport:
    """Requests to one API (and Slack's Web API beside it) with a token, retries and limits.

    ``retry_handlers`` takes any list of :class:`RetryHandler` objects, custom subclasses included; by default
    only connection errors are retried once, as in the seed SDK.  ``max_wait`` caps the total waiting between
    retries of one request, in seconds, and ``timeout`` is a deadline for one attempt: connecting and reading the
    whole answer.
    """

    def __init__(self, token, *, base_url, web_api_base, timeout, validate_certs, retry_handlers, max_wait, proxy,
                 user_agent_suffix, session, sleep, clock):
        self.base_url = base_url
        # Slack's Web API (auth.test, the Grid admin.* methods).
        self.web_api_base = web_api_base
        # Where base_url came from, for messages (", the default ..."); the connection options say.
        self.api_url_origin = ""
        self.timeout = timeout
        self.retry_handlers = list(default_retry_handlers() if retry_handlers is None else retry_handlers)
        self.max_wait = max_wait
        self.validate_certs = validate_certs
        self._sleep = sleep or time.sleep
        self._clock = clock or time.monotonic
        self._session = session or requests.Session()
        # Set per request too: requests lets REQUESTS_CA_BUNDLE override session.verify (requests#3829).
        self._session.verify = validate_certs
        self._proxies = {"http": proxy, "https": proxy} if proxy else None
        if self._proxies:
            self._session.proxies = dict(self._proxies)
        user_agent = "scim.slack/%s python-requests/%s Python/%s" % (
            COLLECTION_VERSION, requests.__version__, platform.python_version())
        if user_agent_suffix:
            user_agent = "%s %s" % (user_agent, user_agent_suffix)
        self._session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        self._auth_header = {"Authorization": "Bearer %s" % token}
        self._secrets = (token,)
        self.request_count = 0

    @property
    def cleartext_warning(self):
        """A warning text when this client sends its token in clear text (see :func:`insecure_url_warning`)."""
        return insecure_url_warning(self.base_url) or insecure_url_warning(self.web_api_base, "web_api_url")

    def web_api_url(self, method):
        """The URL of the Web API method ``method``."""
        return self.web_api_base + method

    def close(self):
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def api_call(self, method, path, *, query_params=None, body=None, expect=None):
        """Send one request (with retries) and return the parsed JSON body, or ``None``.

        ``expect`` checks the shape of a successful answer: ``"resource"`` (an object with an
        ``id``), ``"resource_or_empty"`` (the same, or no body, as Slack's 204s), ``"list"`` (a
        list response).  A malformed answer raises :class:`ScimError` instead of surfacing later.
        Every error text is scrubbed of the token, whatever the server echoed.
        """
        return self.exchange(method, path, query_params=query_params, body=body, expect=expect)[0]

    def exchange(self, method, path, *, query_params=None, body=None, expect=None):
        """:meth:`api_call`, answering ``(parsed body, response headers)``: the Web API reports the token's
        scopes in a header (``X-OAuth-Scopes``)."""
        try:
            return self._api_call(method, path, query_params, body, expect)
        except ScimError as exc:
            raise exc.redact(self._secrets)

    def _api_call(self, method, path, query_params, body, expect):
        method = method.upper()
        url = path if path.startswith(("https://", "http://")) else self.base_url + path.lstrip("/")
        data = json.dumps(body) if body is not None else None
        headers = {"Content-Type": "application/json;charset=utf-8"} if data is not None else {}
        request = HttpRequest(method, url, headers=headers, body_params=body, data=data)
        state = RetryState()
        display_path = urlsplit(url).path if url == path else "/" + path.lstrip("/")
        while True:
            response, error = self._send(request, query_params, display_path)
            http_response = None
            if response is not None:
                parsed = self._parse_body(response, method, display_path, state)
                if 200 <= response.status_code < 300:
                    return checked_answer(parsed, expect, method, display_path), response.headers
                http_response = HttpResponse(response.status_code, dict(response.headers), parsed, response.content)
            if not self._retry(state, request, http_response, error):
                raise self._failure(method, display_path, http_response, error, state)

    def _send(self, request, query_params, display_path):
        """One attempt: ``(response, None)`` with the whole body read, or ``(None, exception)``.

        Redirects are never followed for writes; reads follow them only to the same scheme, host
        and port (the token goes nowhere else).  Either way a redirect not followed is a ScimError.
        """
        headers = dict(request.headers)
        headers.update(self._auth_header)
        deadline = self._clock() + self.timeout
        url, params = request.url, query_params
        for hop in range(MAX_REDIRECTS + 1):
            self.request_count += 1
            response = None
            try:
                remaining = _remaining(deadline, self._clock)
                response = self._request(request.method, url, params, request.data, headers, remaining)
                location = response.headers.get("Location") if 300 <= response.status_code < 400 else None
                if location is None:
                    self._read_body(response, deadline, request.method, display_path)
                    return response, None
            except requests.exceptions.RequestException as exc:
                if response is not None:
                    response.close()
                return None, exc
            except OSError as exc:
                # requests raises a plain OSError for a CA bundle path that does not exist
                # (validate_certs, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE): nothing was sent.
                raise ScimError("%s %s was not sent: %s. Point REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE) at an "
                                "existing CA bundle, or unset it" % (request.method, display_path, exc),
                                method=request.method, path=display_path, request_sent=False)
            response.close()
            target = urljoin(response.url or url, location)
            refusal = redirect_refusal(request.method, display_path, response.status_code, url, target, hop)
            if refusal:
                raise refusal
            url, params = target, None
        raise ScimError("%s %s was redirected more than %d times; api_url is probably wrong"
                        % (request.method, display_path, MAX_REDIRECTS),
                        method=request.method, path=display_path)  # pragma: no cover - loop returns or raises

    def _request(self, method, url, params, data, headers, remaining):
        """``session.request`` without urllib3's InsecureRequestWarning: with ``validate_certs: false`` it would go
        to the worker's stderr on every request (ansible-core reports that as data errantly sent to stderr)."""
        with warnings.catch_warnings():
            if not self.validate_certs and urllib3_exceptions is not None:
                warnings.simplefilter("ignore", urllib3_exceptions.InsecureRequestWarning)
            return self._session.request(
                method, url, params=params, data=data, headers=headers, timeout=(remaining, remaining),
                verify=self.validate_certs, proxies=self._proxies, allow_redirects=False, stream=True)

    def _read_body(self, response, deadline, method, path):
        """Read the whole body before the deadline and under the size cap; store it in the response."""
        raw = response.raw
        chunks = []
        size = 0
        try:
            while True:
                remaining = _remaining(deadline, self._clock)
                _set_socket_timeout(raw, remaining)
                chunk = _read_chunk(raw)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise ScimError(
                        "%s %s failed: answer larger than %s, far more than any SCIM answer; is api_url pointing "
                        "at Slack's SCIM API?" % (method, path, size_text(MAX_BODY_BYTES)),
                        status=response.status_code, method=method, path=path)
                chunks.append(chunk)
        except ScimError:
            response.close()
            raise
        except Exception as exc:  # pylint: disable=broad-except
            response.close()
            raise _as_requests_error(exc, response)
        response._content = b"".join(chunks)  # pylint: disable=protected-access
        response._content_consumed = True  # pylint: disable=protected-access

    def _retry(self, state, request, response, error):
        """Ask the handlers, in order, whether to retry; sleep and return True if one does (the rules,
        shared with the asynchronous client, are in ``_retry_policy``)."""
        attempt = Attempt(state, request, response, error)
        steps = retry_steps(attempt, self.retry_handlers, self.max_wait, self._clock)
        answer = None
        while True:
            try:
                step, value = steps.send(answer)
            except StopIteration as stop:
                return stop.value
            answer = None
            if step == ASK:
                answer = value.can_retry(**attempt.hook_kwargs)
            elif step == PREPARE:
                value.prepare_for_next_attempt(**attempt.hook_kwargs)
            else:
                self._sleep(value)

    def _parse_body(self, response, method, path, state):
        if response.status_code == 204 or not response.content or not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            if response.status_code >= 400:
                return None
            content_type = response.headers.get("Content-Type", "unknown")
            snippet = redact(response.text, self._secrets)[:120].replace("\n", " ")
            raise ScimError(
                "%s %s returned HTTP %s with a body that is not JSON (Content-Type: %s): %r; "
                "is api_url pointing at Slack's SCIM API?" % (method, path, response.status_code, content_type, snippet),
                status=response.status_code, method=method, path=path, retries=state.current_attempt)

    def _failure(self, method, path, response, error, state):
        return request_failure(method, path, response, error, state, timeout=self.timeout, max_wait=self.max_wait,
                               api_url_named=self.api_url_named(), secrets=self._secrets)

    def api_url_named(self):
        """``api_url (<the URL tried>)``, with where it came from when the caller said (``api_url_origin``)."""
        return "api_url (%s%s)" % (url_without_secrets(self.base_url), self.api_url_origin)


def _remaining(deadline, clock):
    """Seconds left before ``deadline``; a requests Timeout when none are."""
    left = deadline - clock()
    if left <= 0:
        raise requests.exceptions.ReadTimeout("the deadline passed before the answer was complete")
    return left


def _read_chunk(raw):
    """At most READ_CHUNK bytes of the body, decoded.  urllib3's ``read1`` (2.3 and later) makes at most
    one socket read, so with the socket timeout set to the time left the deadline holds even against a
    server sending a byte at a time; older urllib3 reads whole chunks, and other transports (an adapter
    of the caller's) are read as plain files."""
    if urllib3_response is not None and isinstance(raw, urllib3_response.HTTPResponse):
        if hasattr(raw, "read1"):
            return raw.read1(READ_CHUNK, decode_content=True)
        return raw.read(READ_CHUNK, decode_content=True)
    return raw.read(READ_CHUNK)


def _set_socket_timeout(raw, seconds):
    """Bound the next socket read by the time left, and acknowledge what arrives at once (best effort:
    urllib3 exposes the connection).

    Many servers and proxies write an answer's headers and body separately with Nagle's algorithm on: the
    body waits for the ACK of the headers, which Linux delays by up to 40 ms on a kept-alive connection,
    per answer.  TCP_QUICKACK (Linux) sends the pending ACK now; the kernel clears it again, hence every read.
    """
    connection = getattr(raw, "connection", None) or getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(seconds, 0.001))
            if QUICKACK is not None:
                sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
        except (OSError, ValueError):
            pass


def _as_requests_error(exc, response):
    """The requests exception a failure while reading a streamed body stands for."""
    if isinstance(exc, requests.exceptions.RequestException):
        return exc
    if isinstance(exc, socket.timeout) or (
            urllib3_exceptions is not None and isinstance(exc, urllib3_exceptions.ReadTimeoutError)):
        return requests.exceptions.ReadTimeout(exc, response=response)
    if urllib3_exceptions is not None and isinstance(exc, urllib3_exceptions.SSLError):
        return requests.exceptions.SSLError(exc, response=response)
    if urllib3_exceptions is not None and isinstance(exc, urllib3_exceptions.DecodeError):
        return requests.exceptions.ContentDecodingError(exc, response=response)
    return requests.exceptions.ConnectionError(exc, response=response)


def _origin(url):
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def redirect_refusal(method, path, status, url, target, hop):
    """The ScimError for a redirect the client does not follow, or ``None`` to follow it."""
    host = urlsplit(target).netloc.rpartition("@")[2] or target
    if method in WRITE_METHODS:
        return ScimError(
            "%s %s answered HTTP %d redirecting to %s; writes never follow redirects, so nothing was written there "
            "(a followed PATCH or DELETE can turn into a GET and look successful); api_url is probably wrong: set "
            "it to the address the redirect names" % (method, path, status, host),
            status=status, method=method, path=path)
    if _origin(target) != _origin(url):
        moved = "plain http" if _origin(target)[0] == "http" and _origin(url)[0] == "https" else "another host"
        return ScimError(
            "%s %s answered HTTP %d redirecting to %s (%s); the client does not follow it, since the token must "
            "not go there (a client that follows drops the token and gets 401); api_url is probably wrong: set it "
            "to the address the redirect names" % (method, path, status, host, moved),
            status=status, method=method, path=path)
    if hop >= MAX_REDIRECTS:
        return ScimError("%s %s was redirected more than %d times; api_url is probably wrong"
                         % (method, path, MAX_REDIRECTS), status=status, method=method, path=path)
    return None
