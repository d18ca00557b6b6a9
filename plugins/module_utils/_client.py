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

import json
import math
import platform
import time
import traceback
from http import HTTPStatus
from urllib.parse import urlsplit

from ansible_collections.scim.slack.plugins.module_utils._dialect import get_dialect
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError, parse_error_body
from ansible_collections.scim.slack.plugins.module_utils._retry import (
    HttpRequest,
    HttpResponse,
    RetryState,
    default_retry_handlers,
    request_never_sent,
    retry_handlers_from_budget,
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

DEFAULT_API_URL = "https://api.slack.com/scim/%s/"
MAX_PAGE_SIZE = 1000
# A broken server that keeps answering full pages must not make a client loop forever.
ABSOLUTE_MAX_PAGES = 100000


def web_api_url(base_url, method):
    """The Slack Web API URL of ``method`` beside a SCIM base URL (api.slack.com serves SCIM, slack.com the
    Web API; any other host, such as the emulator, serves both)."""
    parts = urlsplit(base_url)
    host = parts.netloc
    if host.startswith("api.slack"):
        host = host[len("api."):]
    return "%s://%s/api/%s" % (parts.scheme, host, method)


def default_api_url(api_version):
    return DEFAULT_API_URL % api_version


class SCIMClient:
    """A client for one Slack org's SCIM API.

    ``retry_handlers`` takes any list of :class:`RetryHandler` objects, custom subclasses
    included; by default only connection errors are retried once, as in the seed SDK.
    ``max_wait`` caps the total sleeping between retries of one request, in seconds.
    """

    def __init__(self, token, *, api_version="v2", base_url=None, timeout=30, validate_certs=True,
                 retry_handlers=None, max_wait=120, proxy=None, user_agent_suffix=None, session=None,
                 sleep=None):
        if requests is None:
            raise ScimError("the Python library requests is required (pip install requests)", request_sent=False)
        if not token:
            raise ScimError("a SCIM token is required", request_sent=False)
        self.dialect = get_dialect(api_version)
        self.api_version = api_version
        self.base_url = (base_url or default_api_url(api_version)).rstrip("/") + "/"
        self.timeout = timeout
        self.retry_handlers = list(default_retry_handlers() if retry_handlers is None else retry_handlers)
        self.max_wait = max_wait
        self._sleep = sleep or time.sleep
        self._session = session or requests.Session()
        self._session.verify = validate_certs
        if proxy:
            self._session.proxies = {"http": proxy, "https": proxy}
        user_agent = "scim.slack/%s python-requests/%s Python/%s" % (
            COLLECTION_VERSION, requests.__version__, platform.python_version())
        if user_agent_suffix:
            user_agent = "%s %s" % (user_agent, user_agent_suffix)
        self._session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        self._auth_header = {"Authorization": "Bearer %s" % token}
        self.request_count = 0

    def __repr__(self):
        return "SCIMClient(base_url=%r, api_version=%r)" % (self.base_url, self.api_version)

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
        """
        method = method.upper()
        url = path if path.startswith(("https://", "http://")) else self.base_url + path.lstrip("/")
        data = json.dumps(body) if body is not None else None
        headers = {"Content-Type": "application/json;charset=utf-8"} if data is not None else {}
        request = HttpRequest(method, url, headers=headers, body_params=body, data=data)
        state = RetryState()
        display_path = urlsplit(url).path if url == path else "/" + path.lstrip("/")
        while True:
            response, error = self._send(request, query_params)
            http_response = None
            if response is not None:
                parsed = self._parse_body(response, method, display_path, state)
                if 200 <= response.status_code < 300:
                    return _checked(parsed, expect, method, display_path)
                http_response = HttpResponse(response.status_code, dict(response.headers), parsed, response.content)
            if not self._retry(state, request, http_response, error):
                raise self._failure(method, display_path, http_response, error, state)

    def _send(self, request, query_params):
        headers = dict(request.headers)
        headers.update(self._auth_header)
        self.request_count += 1
        try:
            response = self._session.request(
                request.method, request.url, params=query_params, data=request.data, headers=headers,
                timeout=self.timeout)
        except requests.exceptions.RequestException as exc:
            return None, exc
        return response, None

    def _retry(self, state, request, response, error):
        for handler in self.retry_handlers:
            if not handler.can_retry(state=state, request=request, response=response, error=error):
                continue
            duration = max(0.0, float(handler.calculate_sleep_duration(
                state=state, request=request, response=response, error=error)))
            if state.total_sleep + duration > self.max_wait:
                state.custom_values["budget_exhausted"] = True
                return False
            handler.prepare_for_next_attempt(state=state, request=request, response=response, error=error)
            self._sleep(duration)
            state.total_sleep += duration
            return True
        return False

    def _parse_body(self, response, method, path, state):
        if response.status_code == 204 or not response.content or not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            if response.status_code >= 400:
                return None
            content_type = response.headers.get("Content-Type", "unknown")
            snippet = response.text[:120].replace("\n", " ")
            raise ScimError(
                "%s %s returned HTTP %s with a body that is not JSON (Content-Type: %s): %r; "
                "is api_url pointing at Slack's SCIM API?" % (method, path, response.status_code, content_type, snippet),
                status=response.status_code, method=method, path=path, retries=state.current_attempt)

    def _failure(self, method, path, response, error, state):
        exhausted = state.current_attempt > 0 or bool(state.custom_values.get("budget_exhausted"))
        retried = ""
        if state.current_attempt:
            retried = " after %d %s (%.1f s waiting)" % (
                state.current_attempt, "retry" if state.current_attempt == 1 else "retries", state.total_sleep)
        if response is None:
            if isinstance(error, requests.exceptions.Timeout) and not isinstance(error, requests.exceptions.ConnectTimeout):
                reason = "no answer within the timeout of %s seconds" % self.timeout
            elif isinstance(error, requests.exceptions.SSLError):
                reason = "TLS verification failed (%s); fix the CA bundle, or set validate_certs to false " \
                         "only if you trust the network" % type(error).__name__
            else:
                reason = "connection failed (%s)" % _describe_transport_error(error)
            return ScimError(
                "%s %s failed: %s%s" % (method, path, reason, retried), method=method, path=path,
                retries=state.current_attempt, request_sent=not request_never_sent(error),
                retry_budget_exhausted=exhausted)
        slack_error, detail = parse_error_body(response.body)
        if slack_error is None and response.status_code >= 500 and response.data:
            detail = "server error"
        description = slack_error or _status_phrase(response.status_code)
        if detail and detail != slack_error:
            description = "%s (%s)" % (description, detail)
        message = "%s %s failed: HTTP %s %s%s" % (method, path, response.status_code, description, retried)
        if response.status_code == 429 or slack_error == "resource_locked":
            message += "; Slack rate-limited the request and the retry budget ran out"
        return ScimError(message, status=response.status_code, method=method, path=path, error=slack_error,
                         detail=detail, retries=state.current_attempt, retry_budget_exhausted=exhausted)

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
        """Every list page of ``resource`` ("Users" or "Groups"), as the server returns them.

        Advances ``startIndex`` by the items received (the server may send fewer than asked),
        stops at ``totalResults`` or an empty page, and refuses to loop past a bound derived
        from the first page's ``totalResults``.
        """
        start_index = 1
        max_pages = ABSOLUTE_MAX_PAGES
        pages = 0
        while True:
            page = self._search(resource, filter, start_index, count)
            pages += 1
            yield page
            resources = page.get("Resources") or []
            total = page.get("totalResults")
            if not resources:
                return
            start_index += len(resources)
            if isinstance(total, int):
                if start_index > total:
                    return
                if pages == 1:
                    max_pages = min(ABSOLUTE_MAX_PAGES, math.ceil(total / len(resources)) + 2)
            if pages >= max_pages:
                raise ScimError(
                    "GET /%s paging did not end after %d pages (totalResults %r); the server keeps "
                    "returning pages past the end" % (resource, pages, total), method="GET", path="/" + resource)

    def _iterate(self, resource, filter, count, limit):
        seen = set()
        for page in self.pages(resource, filter=filter, count=count):
            for item in page.get("Resources") or []:
                if item.get("id") in seen:
                    continue
                seen.add(item.get("id"))
                yield item
                if limit is not None and len(seen) >= limit:
                    return

    def iter_users(self, *, filter=None, count=MAX_PAGE_SIZE, limit=None):
        """Every user matching ``filter``, paging ``count`` at a time, each once."""
        return self._iterate("Users", filter, count, limit)

    def iter_groups(self, *, filter=None, count=MAX_PAGE_SIZE, limit=None):
        """Every group matching ``filter``, paging ``count`` at a time, each once."""
        return self._iterate("Groups", filter, count, limit)

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

    def set_user_active(self, id, active):
        return self.api_call("PATCH", "Users/%s" % _path_id(id), body=self.dialect.activation_body(active),
                             expect="resource_or_empty")

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
            body = self.dialect.patch_group_body(display_name if index == 0 else None, batch_add, batch_remove)
            result = self.api_call("PATCH", "Groups/%s" % _path_id(id), body=body, expect="resource_or_empty") or result
        return result

    def find_group_by_display_name(self, display_name):
        return self._find_one(
            "Groups", "displayName", display_name, lambda group: _same(group.get("displayName"), display_name))

    # -- other -----------------------------------------------------------------------------

    def service_provider_config(self):
        return self.api_call("GET", self.dialect.service_provider_config_path)

    def auth_test(self):
        """Slack Web API ``auth.test``: whose token this is (``user_id``).  Not part of SCIM."""
        answer = self.api_call("GET", web_api_url(self.base_url, "auth.test")) or {}
        if answer.get("ok") is not True:
            raise ScimError("auth.test failed: %s" % (answer.get("error") or "no answer"), method="GET",
                            path="/api/auth.test", error=answer.get("error"))
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
    if expect == "list":
        resources = parsed.get("Resources", []) if isinstance(parsed, dict) else None
        if not isinstance(resources, list) or not all(isinstance(item, dict) for item in resources):
            problem = "is not a SCIM list response"
    elif expect in ("resource", "resource_or_empty"):
        if parsed is None and expect == "resource_or_empty":
            return None
        if not isinstance(parsed, dict) or not parsed.get("id"):
            problem = "has no resource with an id"
    if problem:
        raise ScimError("%s %s succeeded, but the answer %s: %r" % (method, path, problem, _snippet(parsed)),
                        method=method, path=path)
    return parsed


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


def _describe_transport_error(error):
    text = str(error)
    # urllib3 messages repeat the pool object's repr; keep them short and readable.
    return "%s: %s" % (type(error).__name__, text[:300])


CONNECTION_OPTION_NAMES = ("token", "api_url", "api_version", "timeout", "validate_certs", "retries")


def client_from_options(options):
    """Build a client from the shared connection options (a module's params or a lookup's)."""
    handlers, max_wait = retry_handlers_from_budget(options.get("retries"))
    api_version = options.get("api_version") or "v2"
    return SCIMClient(
        options.get("token"),
        api_version=api_version,
        base_url=options.get("api_url") or None,
        timeout=options.get("timeout") or 30,
        validate_certs=options.get("validate_certs", True) is not False,
        retry_handlers=handlers,
        max_wait=max_wait,
    )
