# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SCIMClient: Slack's SCIM API (v1 and v2) on ``requests``, usable without Ansible.

Internal to scim.slack; the API may change.  Method names and signatures follow the Python
Slack SDK's ``slack_sdk.scim.SCIMClient`` (search/read/create/patch/update/delete for users
and groups), but every method returns the parsed JSON (``dict``, or ``None`` for an empty
204) and raises :class:`ScimError` on failure instead of returning an error response.
"""

from __future__ import annotations

import ipaddress
import json
import math
import platform
import re
import socket
import time
import traceback
import warnings
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

from ansible_collections.scim.slack.plugins.module_utils._dialect import dialect_mismatch, empties_members, get_dialect
from ansible_collections.scim.slack.plugins.module_utils._errors import (
    RESOURCE_LOCKED,
    WRITE_METHODS,
    IncompleteListingError,
    ScimError,
    is_rate_limit,
    parse_error_body,
    redact,
)
from ansible_collections.scim.slack.plugins.module_utils._retry import (
    HttpRequest,
    HttpResponse,
    RetryState,
    default_retry_handlers,
    finite_number,
    request_never_sent,
    retries_problem,
)
from ansible_collections.scim.slack.plugins.module_utils._retry_policy import (
    ASK,
    PREPARE,
    Attempt,
    budget_exhausted,
    retry_steps,
)
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

DEFAULT_API_URL = "https://api.slack.com/scim/%s/"
MAX_PAGE_SIZE = 1000
# A broken server that keeps answering full pages must not make a client loop forever.
ABSOLUTE_MAX_PAGES = 100000
# ``timeout`` is a deadline for one request: connecting, sending, and reading the whole answer.
MAX_TIMEOUT = 3600
# A 1,000-item page of users is about 2 MiB; an answer far larger than that is not a SCIM answer.
# Linux's option to acknowledge received data at once (see _set_socket_timeout); None elsewhere.
QUICKACK = getattr(socket, "TCP_QUICKACK", None)
MAX_BODY_BYTES = 64 * 1024 * 1024
READ_CHUNK = 64 * 1024
# Reads follow at most this many redirects, and only to the same scheme, host and port.
MAX_REDIRECTS = 5
# A user's attributes that SCIM answers as lists of objects.
MULTI_VALUED_USER_ATTRIBUTES = ("emails", "phoneNumbers", "photos", "addresses", "roles", "groups")


def web_api_base_url(base_url):
    """The Slack Web API's base URL beside a SCIM base URL (api.slack.com serves SCIM, slack.com the
    Web API; any other host, such as the emulator, serves both)."""
    parts = urlsplit(base_url)
    host = parts.netloc
    if host.startswith("api.slack"):
        host = host[len("api."):]
    return "%s://%s/api/" % (parts.scheme, host)


def default_api_url(api_version):
    return DEFAULT_API_URL % api_version


def is_loopback_host(host):
    """True for ``localhost`` (and names under it), 127.0.0.0/8 and ::1."""
    if not host:
        return False
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_url_warning(url, option="api_url"):
    """The warning to show when ``url`` (the option ``option``) sends the token in clear text (plain
    ``http://`` to a host that is not loopback), else ``None``.  Safe to call without Ansible."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "http" or is_loopback_host(parts.hostname):
        return None
    return ("%s %s is plain http:// to %s, which is not this machine: the token travels in clear text "
            "and anyone on the network can read it; use https://"
            % (option, _url_without_secrets(url), parts.hostname))


def timeout_problem(timeout):
    """Why ``timeout`` is unusable (a message naming the option and value), or ``None``."""
    seconds = finite_number(timeout)
    if seconds is None or seconds <= 0 or seconds > MAX_TIMEOUT:
        return "timeout must be a number of seconds greater than 0 and at most %d, got %r" % (MAX_TIMEOUT, timeout)
    return None


def _url_without_secrets(url):
    parts = urlsplit(url)
    if parts.username or parts.password:
        return url.replace(parts.netloc, parts.hostname or "", 1)
    return url


class SCIMClient:
    """A client for one Slack org's SCIM API.

    ``retry_handlers`` takes any list of :class:`RetryHandler` objects, custom subclasses
    included; by default only connection errors are retried once, as in the seed SDK.
    ``max_wait`` caps the total waiting between retries of one request, in seconds, and
    ``timeout`` is a deadline for one attempt: connecting and reading the whole answer.
    """

    def __init__(self, token, *, api_version="v2", base_url=None, timeout=30, validate_certs=True,
                 retry_handlers=None, max_wait=120, proxy=None, user_agent_suffix=None, session=None,
                 sleep=None, clock=None, web_api_url=None):
        if requests is None:
            raise ScimError("the Python library requests is required (pip install requests)", request_sent=False)
        if not token:
            raise ScimError("a SCIM token is required", request_sent=False)
        self.dialect = get_dialect(api_version)
        self.api_version = api_version
        mismatch = dialect_mismatch(base_url, api_version)
        if mismatch:
            raise ScimError(mismatch, request_sent=False)
        problem = timeout_problem(timeout) or retries_problem({"max_wait": max_wait})
        if problem:
            raise ScimError(problem, request_sent=False)
        self.base_url = (base_url or default_api_url(api_version)).rstrip("/") + "/"
        # Slack's Web API (auth.test, the Grid admin.* methods): beside the SCIM API unless given.
        self.web_api_base = (web_api_url.rstrip("/") + "/") if web_api_url else web_api_base_url(self.base_url)
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
        self.listing_retries = 0
        # What this client chose that the task may want to know at -vvvv (see _patch_members).
        self.notes = []
        self._removal_form = "slack"

    def __repr__(self):
        return "SCIMClient(base_url=%r, api_version=%r)" % (self.base_url, self.api_version)

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

    # -- transport -------------------------------------------------------------------------

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
                    return _checked(parsed, expect, method, display_path), response.headers
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
            refusal = _redirect_refusal(request.method, display_path, response.status_code, url, target, hop)
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
                        "at Slack's SCIM API?" % (method, path, _size(MAX_BODY_BYTES)),
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
        exhausted = budget_exhausted(state)
        retried = ""
        if state.current_attempt:
            retried = " after %d %s (%.1f s waiting)" % (
                state.current_attempt, "retry" if state.current_attempt == 1 else "retries", state.total_sleep)
        if exhausted:
            retried += "; waiting again would pass retries.max_wait (%s s)" % _number(self.max_wait)
        gave_up_retrying = state.current_attempt > 0 or exhausted
        if response is None:
            what, advice = self._describe_failure(error)
            return ScimError(
                "%s %s failed: %s%s. %s" % (method, path, what, retried, advice), method=method, path=path,
                retries=state.current_attempt, request_sent=not request_never_sent(error))
        slack_error, detail = parse_error_body(response.body)
        detail = redact(detail, self._secrets)
        if slack_error is None and response.status_code >= 500 and response.data:
            detail = "server error"
        description = slack_error or _status_phrase(response.status_code)
        if detail and detail != slack_error:
            # Slack's text starts with its error string ("long_username (user=W1)"): say it once.
            description = detail if slack_error and detail.startswith(slack_error) else "%s (%s)" % (description, detail)
        message = "%s %s failed: HTTP %s %s%s" % (method, path, response.status_code, description, retried)
        if response.status_code == 404 and slack_error is None and path.rstrip("/").rsplit("/", 1)[-1] in (
                "Users", "Groups", "ServiceProviderConfig", "ServiceProviderConfigs"):
            message += ": no SCIM API there; api_url must end in /scim/v2/ (or /scim/v1/ with api_version v1)"
        if slack_error == RESOURCE_LOCKED:
            message += ": another write to the same user or group kept it locked"
        elif is_rate_limit(response.status_code, slack_error):
            message += ": Slack rate-limited the request"
            if gave_up_retrying:
                message += " and the retry budget ran out"
        return ScimError(message, status=response.status_code, method=method, path=path, error=slack_error,
                         detail=detail, retries=state.current_attempt)

    def _describe_failure(self, error):
        """(what happened, what to change) for a request that got no HTTP answer."""
        reason = _describe_transport_error(error)
        if isinstance(error, requests.exceptions.ConnectTimeout):
            return ("could not connect within the timeout of %s seconds (%s)" % (_number(self.timeout), reason),
                    "Check the host and port in %s, and the network or proxy (HTTPS_PROXY)" % self.api_url_named())
        if isinstance(error, requests.exceptions.Timeout):
            what = "no complete answer within the timeout of %s seconds" % _number(self.timeout)
            return what, "Raise timeout if Slack is slow, or check that %s points at Slack's SCIM API" % (
                self.api_url_named())
        if isinstance(error, requests.exceptions.SSLError):
            if _PLAIN_HTTP_PORT.search(str(error)):
                return ("TLS handshake failed (%s): api_url uses https:// but the server speaks plain http "
                        "(or the port is wrong)" % reason,
                        "Use http:// for a plain-http test server, or the server's https port")
            if "CERTIFICATE_VERIFY_FAILED" in str(error) or "certificate verify failed" in str(error):
                return ("TLS verification failed (%s)" % reason,
                        "Fix the CA bundle (REQUESTS_CA_BUNDLE), or set validate_certs to false only for a "
                        "test endpoint you trust")
            return ("TLS failed (%s)" % reason,
                    "Check that the host and port of %s serve https, and the CA bundle (REQUESTS_CA_BUNDLE)"
                    % self.api_url_named())
        if isinstance(error, requests.exceptions.ProxyError):
            return "the proxy failed (%s)" % reason, "Check the proxy settings (HTTPS_PROXY, NO_PROXY)"
        if "Connection refused" in reason:
            return ("connection refused (%s)" % reason,
                    "Check the host and port in %s; nothing accepts connections there" % self.api_url_named())
        if _NAME_RESOLUTION.search(str(error)):
            return ("the host name did not resolve (%s)" % reason,
                    "Check the host name in %s, and DNS" % self.api_url_named())
        return ("connection failed (%s)" % reason,
                "Check the network or proxy (HTTPS_PROXY) and %s, then run again" % self.api_url_named())

    def api_url_named(self):
        """``api_url (<the URL tried>)``, with where it came from when the caller said (``api_url_origin``)."""
        return "api_url (%s%s)" % (_url_without_secrets(self.base_url), self.api_url_origin)

    # -- searching and paging --------------------------------------------------------------

    def _search(self, resource, filter, start_index, count):
        params = {"startIndex": int(start_index), "count": min(int(count), MAX_PAGE_SIZE)}
        if filter:
            params["filter"] = filter
        return self.api_call("GET", resource, query_params=params, expect="list")

    def search_users(self, *, filter=None, start_index=1, count=MAX_PAGE_SIZE):
        """GET /Users: one page of users, as the list response."""
        return self._search("Users", filter, start_index, count)

    def search_groups(self, *, filter=None, start_index=1, count=MAX_PAGE_SIZE):
        """GET /Groups: one page of groups, as the list response."""
        return self._search("Groups", filter, start_index, count)

    def pages(self, resource, *, filter=None, count=MAX_PAGE_SIZE):
        """Every list page of ``resource`` ("Users" or "Groups"), each item once.

        Advances ``startIndex`` by the items received (the server may send fewer than asked) and
        stops at an empty page, at a page short of what was asked once ``totalResults`` is reached, or at
        a page that brings no new id (a server that ignores ``startIndex`` repeats a page: that is never
        progress).  A full page always asks for the next one, whatever ``totalResults`` says.  A listing
        whose distinct items disagree with its ``totalResults``, fewer or more, is listed again once,
        yielding only items not yet yielded; if it still disagrees, :class:`IncompleteListingError` is
        raised, since a directory with users missing would make them look absent (and a total that is too
        small may hide what a short listing would).  A caller that stops early (``limit``) stops the
        listing: that is not a short listing.
        """
        yielded = set()
        received = total = None
        for listing in range(2):
            if listing:
                self.listing_retries += 1
            ids = set()
            total = None
            for number, page in enumerate(self._listing(resource, filter, count, ids)):
                resources = page.get("Resources") or []
                page_total = page.get("totalResults")
                if isinstance(page_total, int) and not isinstance(page_total, bool):
                    total = page_total if total is None else max(total, page_total)
                fresh = [item for item in resources if item["id"] not in yielded]
                yielded.update(item["id"] for item in fresh)
                new_ids = {item["id"] for item in resources} - ids
                ids.update(new_ids)
                if fresh or (listing == 0 and number == 0):
                    yield dict(page, Resources=fresh)
                if not new_ids:
                    break
            received = len(ids)
            if total is None or received == total:
                return
        raise _incomplete(resource, filter, received, total, "also when listed again")

    def _listing(self, resource, filter, count, ids):
        """One pass over the pages; the caller decides when the listing has ended (``ids``: the distinct
        items it has received).  A full page asks for the next one even past ``totalResults``: a total
        that is too small is a listing to distrust, not the end of it."""
        start_index = 1
        asked = min(int(count), MAX_PAGE_SIZE)
        max_pages = ABSOLUTE_MAX_PAGES
        pages = 0
        while True:
            page = self._search(resource, filter, start_index, count)
            pages += 1
            resources = page.get("Resources") or []
            yield page
            if not resources:
                return
            total = page.get("totalResults")
            start_index += len(resources)
            if isinstance(total, int) and not isinstance(total, bool):
                if start_index > total and len(resources) < asked:
                    return
                if pages == 1:
                    max_pages = min(ABSOLUTE_MAX_PAGES, math.ceil(total / len(resources)) + 2)
            if pages >= max_pages:
                if isinstance(total, int) and len(ids) > total:
                    raise _incomplete(resource, filter, len(ids), total, "and the pages went on")
                raise ScimError(
                    "GET /%s paging did not end after %d pages (totalResults %r); the server keeps "
                    "returning pages past the end" % (resource, pages, total), method="GET", path="/" + resource)

    def _iterate(self, resource, filter, count, limit):
        seen = 0
        for page in self.pages(resource, filter=filter, count=count):
            for item in page.get("Resources") or []:
                seen += 1
                yield item
                if limit is not None and seen >= limit:
                    return

    def iter_users(self, *, filter=None, count=MAX_PAGE_SIZE, limit=None):
        """Every user matching ``filter``, paging ``count`` at a time, each once."""
        return self._iterate("Users", filter, count, limit)

    def iter_groups(self, *, filter=None, count=MAX_PAGE_SIZE, limit=None):
        """Every group matching ``filter``, paging ``count`` at a time, each once."""
        return self._iterate("Groups", filter, count, limit)

    def find_users(self, predicate, *, filter=None, limit=None):
        """The users for which ``predicate(user)`` is true, filtered on the client from a listing
        (narrowed by a documented server ``filter`` when given), at most ``limit`` of them."""
        found = []
        for user in self._iterate("Users", filter, MAX_PAGE_SIZE, None):
            if predicate(user):
                found.append(user)
                if limit is not None and len(found) >= limit:
                    break
        return found

    def users_with_display_name(self, display_name, *, limit=None):
        """Users whose ``displayName`` equals ``display_name`` (case-insensitive), found on the client:
        Slack documents no ``displayName`` filter for users, so none is sent."""
        return self.find_users(lambda user: _same(user.get("displayName"), display_name), limit=limit)

    # -- users -----------------------------------------------------------------------------

    def read_user(self, id):
        return self.api_call("GET", "Users/%s" % _path_id(id), expect="resource")

    def get_user(self, id):
        """Like :meth:`read_user`, but ``None`` when Slack has no such user."""
        return self._read_or_none("Users", id)

    def create_user(self, user):
        return self.api_call("POST", "Users", body=self.dialect.user_body(_as_dict(user)), expect="resource")

    def patch_user(self, id, partial_user):
        """PATCH a user from a partial resource (``None`` removes an attribute); a ready-made
        v2 PatchOp body (with ``Operations``) is sent as given."""
        partial_user = _as_dict(partial_user)
        if "Operations" in partial_user:
            body = dict(partial_user, schemas=[self.dialect.patch_schema])
        else:
            body = self.dialect.patch_user_body(partial_user)
        return self.api_call("PATCH", "Users/%s" % _path_id(id), body=body, expect="resource_or_empty")

    def update_user(self, user):
        """PUT the whole user; the id is read from the resource, as in the seed SDK.

        Slack blanks whatever is omitted and deactivates a user sent without ``active: true``.
        """
        user = _as_dict(user)
        return self.api_call("PUT", "Users/%s" % _path_id(user.get("id")), body=self.dialect.user_body(user),
                             expect="resource")

    def delete_user(self, id):
        """DELETE deactivates: Slack users cannot be deleted."""
        return self.api_call("DELETE", "Users/%s" % _path_id(id))

    def find_user_by_user_name(self, user_name):
        return self._find_one(
            "Users", "userName", user_name, lambda user: _same(user.get("userName"), user_name))

    def find_user_by_email(self, email):
        def matches(user):
            return any(_same(entry.get("value"), email) for entry in user.get("emails") or [] if isinstance(entry, dict))

        return self._find_one("Users", self.dialect.email_filter_attribute, email, matches)

    # -- groups ----------------------------------------------------------------------------

    def read_group(self, id):
        return self.api_call("GET", "Groups/%s" % _path_id(id), expect="resource")

    def get_group(self, id):
        """Like :meth:`read_group`, but ``None`` when Slack has no such group."""
        return self._read_or_none("Groups", id)

    def create_group(self, group):
        return self.api_call("POST", "Groups", body=self.dialect.group_body(_as_dict(group)), expect="resource")

    def patch_group(self, id, partial_group):
        """PATCH a group from a partial resource (members with ``"operation": "delete"`` are
        removed, as in v1); a ready-made v2 PatchOp body is sent as given.  ``None`` on 204."""
        partial_group = _as_dict(partial_group)
        if "Operations" in partial_group:
            if empties_members(partial_group.get("Operations")):
                raise ScimError("refusing to send PATCH /Groups/%s: a remove of members without a value empties the "
                                "group; name the members to remove in its value" % _path_id(id), request_sent=False)
            body = dict(partial_group, schemas=[self.dialect.patch_schema])
        else:
            body = self.dialect.patch_group_from_partial(partial_group)
        return self.api_call("PATCH", "Groups/%s" % _path_id(id), body=body, expect="resource_or_empty")

    def update_group(self, group):
        """PUT the whole group (replaces the member list); the id is read from the resource."""
        group = _as_dict(group)
        return self.api_call("PUT", "Groups/%s" % _path_id(group.get("id")), body=self.dialect.group_body(group),
                             expect="resource")

    def delete_group(self, id):
        return self.api_call("DELETE", "Groups/%s" % _path_id(id))

    def update_group_members(self, id, *, add=(), remove=(), display_name=None, batch_size=5000):
        """Rename and add/remove members (user ids) with as few PATCHes as the batch size allows.

        Returns the group from the last response that carried one (v1 answers 204: ``None``).
        """
        batches = _member_batches(list(add), list(remove), batch_size)
        if not batches and display_name is not None:
            batches = [([], [])]
        result = None
        for index, (batch_add, batch_remove) in enumerate(batches):
            result = self._patch_members(id, display_name if index == 0 else None, batch_add, batch_remove) or result
        return result

    def _patch_members(self, id, display_name, add, remove):
        """One member PATCH.  Removals go in Slack's form (``remove`` on ``members`` with a value) until a server
        refuses that with HTTP 400: then, once per client, the same PATCH again with a ``members[value eq "..."]``
        path for each member (RFC 7644; Slack takes it too), the form this client keeps to if it is taken."""
        path = "Groups/%s" % _path_id(id)
        by_filter = self._removal_form == "filter"
        body = self.dialect.patch_group_body(display_name, add, remove, remove_by_filter=by_filter)
        try:
            return self.api_call("PATCH", path, body=body, expect="resource_or_empty")
        except ScimError as exc:
            if exc.status != 400 or not remove or by_filter or self._removal_form == "tried" or \
                    self.dialect.name != "v2":
                raise
            self._removal_form = "tried"
            answered = self.api_call("PATCH", path, expect="resource_or_empty", body=self.dialect.patch_group_body(
                display_name, add, remove, remove_by_filter=True))
            self._removal_form = "filter"
            self.notes.append("PATCH /%s: the server refused Slack's member removal (a remove of members with a "
                              "value) with HTTP 400 (%s); it took members[value eq \"...\"] paths, which this client "
                              "sends from now on" % (path, exc.error or exc.detail or "no error string"))
            return answered

    def find_group_by_display_name(self, display_name):
        return self._find_one(
            "Groups", "displayName", display_name, lambda group: _same(group.get("displayName"), display_name))

    # -- other -----------------------------------------------------------------------------

    def service_provider_config(self):
        return self.api_call("GET", self.dialect.service_provider_config_path)

    def auth_test(self):
        """Slack Web API ``auth.test`` (``POST``, token in the Authorization header): whose token this is
        (``user_id``).  Not part of SCIM.  For an org-level token ``team_id`` may be an enterprise id (``E…``)."""
        answer = self.api_call("POST", self.web_api_url("auth.test")) or {}
        if answer.get("ok") is not True:
            error = answer.get("error")
            raise ScimError("auth.test failed: %s" % (error or "no answer"), method="POST",
                            path="/api/auth.test", error=error).redact(self._secrets)
        return answer

    def _read_or_none(self, resource, id):
        try:
            return self.api_call("GET", "%s/%s" % (resource, _path_id(id)), expect="resource")
        except ScimError as exc:
            if exc.is_not_found:
                return None
            raise

    def _find_one(self, resource, attribute, value, matches):
        """The one resource whose ``attribute`` equals ``value`` (case-insensitive), or ``None``.

        Uses a server-side filter and re-checks every hit; if the server rejects the filter
        (HTTP 400), scans all pages instead.
        """
        try:
            candidates = list(self._iterate(resource, self.dialect.eq_filter(attribute, value), MAX_PAGE_SIZE, None))
        except ScimError as exc:
            if exc.status != 400:
                raise
            candidates = list(self._iterate(resource, None, MAX_PAGE_SIZE, None))
        found = [item for item in candidates if matches(item)]
        if len(found) > 1:
            raise ScimError(
                "%d %s match %s %r: %s; use the id instead" % (
                    len(found), resource.lower(), attribute, value, ", ".join(str(item.get("id")) for item in found)),
                method="GET", path="/" + resource, request_sent=True)
        return found[0] if found else None


def _checked(parsed, expect, method, path):
    """``parsed`` if it has the shape ``expect`` asks for; otherwise a ScimError saying what is wrong."""
    problem = None
    users = "/Users" in path
    if expect == "list":
        resources = parsed.get("Resources", []) if isinstance(parsed, dict) else None
        if not isinstance(resources, list) or not all(isinstance(item, dict) for item in resources):
            problem = "is not a SCIM list response"
        else:
            for index, item in enumerate(resources):
                if users:
                    _check_user_shape(item, method, path, "item %d" % (index + 1))
                if not isinstance(item.get("id"), str) or not item.get("id"):
                    named = ", ".join("%s %r" % (key, item[key]) for key in ("userName", "displayName", "externalId")
                                      if isinstance(item.get(key), str) and item[key])
                    raise ScimError("%s %s succeeded, but the page lists an item without an id (item %d%s): %s; "
                                    "the listing cannot be used" % (method, path, index + 1,
                                                                    ", " + named if named else "", _snippet(item)),
                                    method=method, path=path)
    elif expect in ("resource", "resource_or_empty"):
        if parsed is None and expect == "resource_or_empty":
            return None
        if not isinstance(parsed, dict) or not parsed.get("id"):
            problem = "has no resource with an id"
        elif users:
            _check_user_shape(parsed, method, path, "user %s" % parsed.get("id"))
    if problem:
        raise ScimError("%s %s succeeded, but the answer %s: %s" % (method, path, problem, _snippet(parsed)),
                        method=method, path=path)
    return parsed


def _check_user_shape(user, method, path, where):
    """A ScimError when a user answered carries a string (or anything but a list of objects) where SCIM has a list:
    nothing read from such an answer can be trusted (its emails would look empty)."""
    for attribute in MULTI_VALUED_USER_ATTRIBUTES:
        value = user.get(attribute)
        if value is None or (isinstance(value, list) and all(isinstance(entry, dict) for entry in value)):
            continue
        odd = next(entry for entry in value if not isinstance(entry, dict)) if isinstance(value, list) else value
        what = ("a list with a %s in it" if isinstance(value, list) else "a %s") % type(odd).__name__
        named = ", userName %r" % user["userName"] if isinstance(user.get("userName"), str) else ""
        after = "the write was applied, but its answer cannot be used" if method in WRITE_METHODS else \
            "nothing was changed"
        raise ScimError("%s %s succeeded, but Slack answered a malformed user (%s%s): %s is %s, not a list of "
                        "objects; %s" % (method, path, where, named, attribute, what, after), method=method, path=path)


def _incomplete(resource, filter, received, total, when):
    """The IncompleteListingError of a listing whose distinct items disagree with its ``totalResults``."""
    noun = resource.lower()
    where = "GET /%s%s" % (resource, " (filter %s)" % filter if filter else "")
    if received < total:
        what = "%d of %d %s received (totalResults %d), %s; the server skipped items or ignored startIndex" % (
            received, total, noun, total, when)
    else:
        what = "%d %s received, more than its totalResults %d, %s; the server miscounts or pages past its end" % (
            received, noun, total, when)
    return IncompleteListingError(
        "%s: the listing was incomplete: %s, so the result cannot be trusted. Run again; if it persists, check that "
        "api_url reaches Slack directly (a proxy that drops query parameters or rewrites answers breaks paging)"
        % (where, what), resource=resource, received=received, total=total, path="/" + resource)


def _snippet(value):
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _same(left, right):
    return isinstance(left, str) and isinstance(right, str) and left.casefold() == right.casefold()


def _as_dict(resource):
    if hasattr(resource, "to_dict"):
        return resource.to_dict()
    return dict(resource)


def _path_id(id):
    if not id or not isinstance(id, str) or "/" in id or "?" in id or "#" in id:
        raise ScimError("invalid resource id %r" % (id,), request_sent=False)
    return id


def _member_batches(add, remove, batch_size):
    """Split member changes into (add, remove) pairs of at most ``batch_size`` members in all."""
    batches = []
    while add or remove:
        batch_add = add[:batch_size]
        batch_remove = remove[:batch_size - len(batch_add)]
        add, remove = add[len(batch_add):], remove[len(batch_remove):]
        batches.append((batch_add, batch_remove))
    return batches


def _status_phrase(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def _size(size):
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return "%g %s" % (size, unit)
        size /= 1024.0
    return "%g GiB" % size  # pragma: no cover


def _number(value):
    return ("%g" % value) if isinstance(value, float) else str(value)


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


def _redirect_refusal(method, path, status, url, target, hop):
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


_PLAIN_HTTP_PORT = re.compile(r"wrong.version.number|unknown.protocol|record.layer.failure|packet.length.too.long|"
                              r"http.request", re.I)
_NAME_RESOLUTION = re.compile(r"NameResolutionError|Name or service not known|nodename nor servname|"
                              r"getaddrinfo failed|Temporary failure in name resolution", re.I)
_ERRNO = re.compile(r"\[Errno -?\d+\][^'\")\]]*")
_SSL_REASON = re.compile(r"\[SSL(?:: [A-Z_]+)?\][^'\")\]]*")
_OBJECT_REPR = re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>:?\s*")


def _describe_transport_error(error):
    """The innermost reason of a transport failure, short and whole: ``[Errno 111] Connection refused``,
    ``[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)``, or the first words of the text."""
    texts = []
    cause = error
    for dummy in range(8):
        if cause is None:
            break
        texts.append(str(cause))
        reason = getattr(cause, "reason", None)
        nested = cause.args[0] if getattr(cause, "args", None) and isinstance(cause.args[0], BaseException) else None
        cause = reason if isinstance(reason, BaseException) else nested or cause.__cause__ or cause.__context__
    for text in reversed(texts):
        for pattern in (_SSL_REASON, _ERRNO):
            match = pattern.search(text)
            if match:
                return match.group(0).strip().rstrip(".:,")
    text = _OBJECT_REPR.sub("", texts[-1] if texts else "").strip() or type(error).__name__
    if len(text) > 200:
        text = text[:200].rsplit(" ", 1)[0] + " ..."
    return "%s: %s" % (type(error).__name__, text)
