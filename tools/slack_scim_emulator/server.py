# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP side: SCIM routes for /scim/v1/ and /scim/v2/, and the control API /_control/."""

import ipaddress
import json
import math
import re
import socket
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import DEFAULT_TOKEN
from .limits import RateLimiter, ResourceLocks
from .schema import DIALECTS, ScimFault, error_body
from .store import Store
from .webapi import Grid, WebApiError, parse_arguments

_SCIM_PATH = re.compile(r"^/scim/(v1|v2)/([A-Za-z]+)(?:/([^/]+))?/?$")
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000
DEFAULT_ERRORS = {429: "too_many_requests", 500: "internal_error", 502: "bad_gateway",
                  503: "service_unavailable", 504: "gateway_timeout", 401: "invalid_authentication",
                  403: "permission_denied"}


class Fault:
    """One injected misbehaviour, for the next ``count`` requests that match it.

    A fault matches on ``method``, a ``path`` prefix and ``query`` (query parameters that must
    have these values, names case-insensitive).  ``action``:

    - ``status``: answer ``status`` (default 503) with Slack's error body (``retry_after``);
    - ``raw``: answer ``status`` with ``body`` as given (``content_type``), e.g. an HTML page;
    - ``drop``: close the connection without answering;
    - ``drop_after``: apply the request, then close without answering;
    - ``latency``: wait ``latency`` seconds, then answer normally;
    - ``empty_page``: a list answer with no ``Resources`` but the true ``totalResults``;
    - ``ignore_start_index``: a list answered as if ``startIndex`` were 1;
    - ``strip_ids``: a list answer whose item number ``index`` (default 0) has no ``id``;
    - ``redirect``: answer ``status`` (301, 302, 303, 307 or 308; default 302) with a
      ``Location: location`` header, without applying the request;
    - ``drip``: apply the request and send the answer ``bytes_per_second`` bytes a second;
    - ``huge``: answer 200 with a valid JSON list of ``size_mb`` MiB, streamed (``chunked``:
      without Content-Length), without applying the request;
    - ``echo_auth``: answer ``status`` (default 400) with an error whose text quotes the
      request's Authorization header, as a careless gateway would;
    - ``hide_user``: a listing without a filter that leaves out the user ``user_name`` (its
      ``totalResults`` too), while a filter or a GET by id still finds it;
    - ``total_results``: a list answer whose ``totalResults`` is ``total``, whatever it holds;
    - ``list_as_string``: a list answer whose items carry ``attribute`` (default ``emails``) as
      the string of its first value instead of a list;
    - ``strict_remove``: a group PATCH removing ``members`` with a ``value`` (Slack's form) is
      answered 400 as an RFC 7644 server does (a remove selects members by a filter in its path);
      any other request is applied.
    """

    ACTIONS = ("status", "raw", "drop", "drop_after", "latency", "empty_page", "ignore_start_index",
               "strip_ids", "redirect", "drip", "huge", "echo_auth", "hide_user", "total_results",
               "list_as_string", "strict_remove")
    LIST_ACTIONS = ("empty_page", "ignore_start_index", "strip_ids", "hide_user", "total_results", "list_as_string")
    REDIRECTS = (301, 302, 303, 307, 308)

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise TypeError("a fault is a JSON object")
        self.action = spec.get("action", "status")
        if self.action not in self.ACTIONS:
            raise ValueError("action must be one of %s" % ", ".join(self.ACTIONS))
        self.count = int(spec.get("count", 1))
        self.method = (spec.get("method") or "").upper() or None
        self.path = spec.get("path")
        query = spec.get("query") or {}
        if not isinstance(query, dict):
            raise TypeError("query must be an object of parameter names and values")
        self.query = {str(key).lower(): str(value) for key, value in query.items()}
        self.status = int(spec.get("status", {"redirect": 302, "echo_auth": 400}.get(self.action, 503)))
        self.error = spec.get("error") or DEFAULT_ERRORS.get(self.status, "internal_error")
        self.retry_after = spec.get("retry_after")
        self.latency = float(spec.get("latency", 0))
        self.body = spec.get("body", "")
        self.content_type = spec.get("content_type", "text/html")
        self.location = spec.get("location")
        self.bytes_per_second = float(spec.get("bytes_per_second", 1))
        self.size_mb = float(spec.get("size_mb", 1))
        self.chunked = bool(spec.get("chunked", False))
        self.index = int(spec.get("index", 0))
        self.user_name = spec.get("user_name")
        self.total = spec.get("total")
        self.attribute = spec.get("attribute", "emails")
        if self.action == "hide_user" and not isinstance(self.user_name, str):
            raise ValueError("hide_user needs the user_name to hide")
        if self.action == "total_results" and (not isinstance(self.total, int) or isinstance(self.total, bool)):
            raise ValueError("total_results needs total, a whole number")
        if self.action == "redirect" and (self.status not in self.REDIRECTS or not self.location):
            raise ValueError("redirect needs a status in %s and a location" % (self.REDIRECTS,))
        if any(value <= 0 or not math.isfinite(value) for value in (self.bytes_per_second, self.size_mb)):
            raise ValueError("bytes_per_second and size_mb must be positive numbers")

    def matches(self, method, path, query):
        if self.action == "hide_user" and ("filter" in query or not path.rstrip("/").endswith("/Users")):
            return False  # a filter or a read by id finds the hidden user: only whole listings leave it out
        return (self.method is None or self.method == method) and \
            (self.path is None or path.startswith(self.path)) and \
            all(query.get(key) == value for key, value in self.query.items())

    def describe(self):
        described = {"action": self.action, "count": self.count, "method": self.method, "path": self.path,
                     "query": self.query, "status": self.status, "error": self.error,
                     "retry_after": self.retry_after, "latency": self.latency}
        extra = {"redirect": ("location",), "drip": ("bytes_per_second",), "huge": ("size_mb", "chunked"),
                 "strip_ids": ("index",), "hide_user": ("user_name",), "total_results": ("total",),
                 "list_as_string": ("attribute",)}.get(self.action, ())
        described.update((key, getattr(self, key)) for key in extra)
        return described


def is_loopback(host):
    """True for a loopback peer address (127.0.0.0/8, ::1, or IPv4-mapped loopback)."""
    try:
        address = ipaddress.ip_address(str(host).split("%", maxsplit=1)[0])
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


class Emulator:
    """Everything the request handler needs: state, limits, faults, the request log."""

    def __init__(self, token=DEFAULT_TOKEN, rate_limit_scale=1.0, state_file=None):
        self.token = token
        self.store = Store()
        self.limiter = RateLimiter(rate_limit_scale)
        self.locks = ResourceLocks()
        self.grid = Grid(self.store, self.limiter)
        self.write_hold = 0.0
        self.token_user = "UE0TOKEN01"  # the user auth.test names as the token's owner
        self.faults = []
        self.log = []
        self.log_lock = threading.Lock()
        self.state_file = state_file

    def take_fault(self, method, path, query=None):
        with self.log_lock:
            for fault in self.faults:
                if fault.count > 0 and fault.matches(method, path, query or {}):
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def record(self, entry):
        with self.log_lock:
            entry["seq"] = len(self.log) + 1
            self.log.append(entry)

    def save(self, path=None):
        path = path or self.state_file
        if path:
            with open(path, "w") as handle:
                json.dump(self.store.dump(), handle)
        return path

    def load(self, path=None):
        path = path or self.state_file
        with open(path) as handle:
            self.store.load(json.load(handle))


class _Dropped(Exception):
    """The connection was closed on purpose; nothing is to be written."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SlackScimEmulator/1.0"

    @property
    def disable_nagle_algorithm(self):
        """Headers and body go out in separate writes; with Nagle's algorithm on, as many servers and proxies
        have it, a client that delays its ACKs waits about 40 ms for every keep-alive answer's body.  Off
        unless the server runs with ``nagle`` (``--nagle``), to measure clients as such servers see them."""
        return not self.server.nagle

    @property
    def emulator(self):
        return self.server.emulator

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    # -- plumbing --------------------------------------------------------------------------

    def _consume_body(self):
        """Read the whole request body up front, so an early answer keeps the connection usable."""
        length = int(self.headers.get("Content-Length") or 0)
        self._raw_body = self.rfile.read(length) if length else b""

    def _read_body(self):
        raw = self._raw_body
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ScimFault(400, "invalid_request_payload")

    def _send(self, status, body=None, headers=None, raw=None, content_type="application/json; charset=utf-8"):
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        if data is None and body is not None:
            data = json.dumps(body).encode("utf-8")
        data = data or b""
        self._record(status)
        self.send_response(status)
        if data:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        self.end_headers()
        if data and self._drip:
            self._write_slowly(data, self._drip)
        elif data:
            self.wfile.write(data)
        return status

    def _write_slowly(self, data, bytes_per_second):
        """The ``drip`` fault: one byte at a time, ``bytes_per_second`` of them a second."""
        interval = 1.0 / bytes_per_second
        try:
            self.wfile.flush()
            for offset in range(len(data)):
                time.sleep(interval)
                self.wfile.write(data[offset:offset + 1])
                self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client gave up

    def _send_huge(self, dialect, size_mb, chunked):
        """The ``huge`` fault: a valid JSON list answer of ``size_mb`` MiB, written in pieces."""
        size = int(size_mb * 1024 * 1024)
        head = json.dumps({"schemas": [DIALECTS[dialect]["list"]], "totalResults": 0, "itemsPerPage": 0,
                           "startIndex": 1, "Resources": []})[:-1].encode("utf-8") + b', "padding": "'
        tail = b'"}'
        padding = max(0, size - len(head) - len(tail))
        self._record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(head) + padding + len(tail)))
        self.end_headers()
        piece = b"x" * 65536

        def write(data):
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            else:
                self.wfile.write(data)

        try:
            write(head)
            while padding > 0:
                write(piece[:padding])
                padding -= min(padding, len(piece))
            write(tail)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True
        return 200

    def _record(self, status, dropped=False):
        """Log the request before answering, so a client never sees an answer the log lacks."""
        entry = getattr(self, "_entry", None)
        if entry is None:
            return
        entry["status"] = status
        if dropped:
            entry["dropped"] = True
        entry["duration_ms"] = round((time.monotonic() - self._started) * 1000, 2)
        self.emulator.record(entry)
        self._entry = None

    def _drop(self):
        self._record(None, dropped=True)
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise _Dropped()

    def _handle(self, method):
        self._started = time.monotonic()
        self._drip = None
        self._fault = None
        url = urlsplit(self.path)
        self._consume_body()
        if url.path.startswith("/_control/"):
            self._entry = None  # control calls are not part of the request log
            if not is_loopback(self._peer_host()):
                self._send(403, {"error": "the control API answers loopback clients only"})
                return
            self._control(method, url)
            return
        self._entry = {"time": time.time(), "method": method, "path": url.path, "query": url.query,
                       "status": None, "bytes_in": len(self._raw_body)}
        try:
            self._scim(method, url, self._entry)
        except _Dropped:
            pass

    def _peer_host(self):
        return self.client_address[0]

    # -- SCIM ----------------------------------------------------------------------------------

    def _web_api(self, method):
        """The one Web API method clients need beside SCIM: auth.test (whose token this is).

        Slack documents ``POST https://slack.com/api/auth.test``; GET works as well.  The token
        comes in the Authorization header, or as a ``token`` form field.
        """
        if method not in ("GET", "POST"):
            return self._send(405, {"ok": False, "error": "method_not_allowed"})
        verdict = self._web_api_token()
        if verdict is not True:
            return self._send(200, {"ok": False, "error": verdict})
        return self._send(200, {"ok": True, "url": "https://emulated.enterprise.slack.com/", "team": "Emulated Org",
                                "user": "emulator-admin", "team_id": "E0EMULATED", "user_id": self.emulator.token_user,
                                "enterprise_id": "E0EMULATED", "is_enterprise_install": True})

    def _web_api_token(self):
        """True for the emulator's token (Authorization header, or a ``token`` form field or query
        parameter), else Slack's error string for it."""
        header = self.headers.get("Authorization") or ""
        form = parse_qs(self._raw_body.decode("utf-8", "replace")) if self.command == "POST" else {}
        form.update(parse_qs(urlsplit(self.path).query))
        token = header[len("Bearer "):] if header.startswith("Bearer ") else (form.get("token") or [""])[-1]
        if not token:
            return "not_authed"
        return True if token == self.emulator.token else "invalid_auth"

    def _grid_api(self, method, url):
        """The Enterprise Grid admin methods (webapi.py)."""
        if method not in ("GET", "POST"):
            return self._send(405, {"ok": False, "error": "method_not_allowed"})
        try:
            args = parse_arguments(url.query, self._raw_body, self.headers.get("Content-Type"))
        except WebApiError as exc:
            return self._send(200, {"ok": False, "error": exc.error})
        status, body, headers = self.emulator.grid.call(url.path[len("/api/"):], args, self._web_api_token())
        return self._send(status, body, headers)

    def _scim(self, method, url, entry):
        if url.path in ("/api/auth.test",):
            return self._web_api(method)
        if url.path.startswith("/api/"):
            return self._grid_api(method, url)
        match = _SCIM_PATH.match(url.path)
        dialect = match.group(1) if match else ("v2" if url.path.startswith("/scim/v2") else "v1")
        query = {key.lower(): values[-1] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
        fault = self._fault = self.emulator.take_fault(method, url.path, query)
        if fault:
            entry["fault"] = fault.action
        try:
            if fault and fault.action == "latency":
                time.sleep(fault.latency)
            elif fault and fault.action == "drop":
                self._drop()
            elif fault and fault.action == "raw":
                return self._send(fault.status, raw=fault.body, content_type=fault.content_type)
            elif fault and fault.action == "status":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
                if fault.status == 429 and headers is None:
                    headers = {"Retry-After": 1}
                return self._send(fault.status, error_body(dialect, fault.status, fault.error), headers)
            elif fault and fault.action == "redirect":
                return self._send(fault.status, headers={"Location": fault.location})
            elif fault and fault.action == "huge":
                return self._send_huge(dialect, fault.size_mb, fault.chunked)
            elif fault and fault.action == "echo_auth":
                echoed = "invalid_request_payload (authorization=%s)" % (self.headers.get("Authorization") or "")
                return self._send(fault.status, error_body(dialect, fault.status, echoed))
            elif fault and fault.action == "drip":
                self._drip = fault.bytes_per_second
            if not match:
                raise ScimFault(404, "bad_endpoint")
            status, body = self._route(method, dialect, match.group(2), match.group(3), query)
            if fault and fault.action == "drop_after":
                self._drop()
            return self._send(status, body)
        except ScimFault as exc:
            headers = {"Retry-After": exc.retry_after} if exc.retry_after else None
            return self._send(exc.status, error_body(dialect, exc.status, exc.description), headers)
        except (_Dropped, OSError):
            raise
        except Exception:  # pylint: disable=broad-except
            # An emulator bug: say so with a 500 rather than a dropped connection.
            traceback.print_exc()
            return self._send(500, error_body(dialect, 500, "internal_error"))

    def _authorise(self):
        header = self.headers.get("Authorization") or ""
        if not header:
            raise ScimFault(401, "missing_authentication")
        if header != "Bearer %s" % self.emulator.token:
            raise ScimFault(401, "invalid_authentication")

    def _route(self, method, dialect, resource, resource_id, query):
        if resource in ("ServiceProviderConfig", "ServiceProviderConfigs") and method == "GET":
            return 200, _service_provider_config(dialect)
        self._authorise()
        if resource == "Schemas" and method == "GET":
            return 200, _schemas(dialect, resource_id)
        if resource == "ResourceTypes" and method == "GET" and dialect == "v2":
            return 200, _resource_types()
        if resource not in ("Users", "Groups"):
            raise ScimFault(404, "bad_endpoint")
        if resource_id is None and method not in ("GET", "POST"):
            raise ScimFault(405, "method_not_allowed")
        if resource_id is not None and method == "POST":
            raise ScimFault(405, "method_not_allowed")
        self.emulator.limiter.check(method, resource, resource_id is not None)
        if method == "GET":
            if resource_id is None:
                return 200, self._list(resource, dialect, query)
            return 200, self._render(resource, dialect, self._get(resource, resource_id))
        body = self._read_body() if method in ("POST", "PUT", "PATCH") else None
        if method in ("POST", "PUT", "PATCH") and not isinstance(body, dict):
            raise ScimFault(400, "invalid_request_payload")
        if method == "POST":
            self._check_schemas(dialect, resource, body)
            store = self.emulator.store
            if resource == "Users":
                return 201, store.render_user(store.create_user(body), dialect, answer=True)
            return 201, store.render_group(store.create_group(body), dialect)
        key = "%s/%s" % (resource, resource_id)
        self.emulator.locks.acquire(key)
        try:
            if self.emulator.write_hold:
                time.sleep(self.emulator.write_hold)
            return self._write(method, dialect, resource, resource_id, body)
        finally:
            self.emulator.locks.release(key)

    def _write(self, method, dialect, resource, resource_id, body):
        store = self.emulator.store
        if resource == "Users":
            if method == "PUT":
                self._check_schemas(dialect, resource, body)
                return 200, store.render_user(store.replace_user(resource_id, body), dialect, answer=True)
            if method == "PATCH":
                return 200, store.render_user(store.patch_user(resource_id, dialect, body), dialect, answer=True)
            store.deactivate_user(resource_id)
            # v1: 200 with an empty body (PY asserts 200, JAVA a null body); v2: 204 (REF).
            return (200, None) if dialect == "v1" else (204, None)
        if method == "PUT":
            self._check_schemas(dialect, resource, body)
            return 200, store.render_group(store.replace_group(resource_id, body), dialect)
        if method == "PATCH":
            if self._fault and self._fault.action == "strict_remove" and _removes_members_by_value(body):
                raise ScimFault(400, "invalidValue (a remove operation carries no value; a filter in its path, "
                                     "members[value eq \"...\"], selects what to remove)")
            group = store.patch_group(resource_id, dialect, body)
            return (204, None) if dialect == "v1" else (200, store.render_group(group, dialect))
        store.delete_group(resource_id)
        return 204, None

    @staticmethod
    def _check_schemas(dialect, resource, body):
        core = DIALECTS[dialect]["user" if resource == "Users" else "group"]
        if core not in (body.get("schemas") or []):
            raise ScimFault(400, "missing_schema_element")

    def _get(self, resource, resource_id):
        store = self.emulator.store
        return store.get_user(resource_id) if resource == "Users" else store.get_group(resource_id)

    def _render(self, resource, dialect, record):
        store = self.emulator.store
        return store.render_user(record, dialect) if resource == "Users" else store.render_group(record, dialect)

    def _list(self, resource, dialect, query):
        try:
            start_index = max(1, int(query.get("startindex") or 1))
            count = min(MAX_PAGE_SIZE, max(0, int(query.get("count") or DEFAULT_PAGE_SIZE)))
        except ValueError:
            raise ScimFault(400, "invalid_query")
        fault = self._fault
        if fault and fault.action == "ignore_start_index":
            start_index = 1
        hidden = fault.user_name if fault and fault.action == "hide_user" else None
        total, page = self.emulator.store.search(resource, dialect, query.get("filter"), start_index, count,
                                                 hidden=hidden)
        if fault and fault.action == "empty_page":
            page = []
        if fault and fault.action == "strip_ids" and page:
            page[min(fault.index, len(page) - 1)].pop("id", None)
        if fault and fault.action == "total_results":
            total = fault.total
        if fault and fault.action == "list_as_string":
            for item in page:
                if isinstance(item.get(fault.attribute), list) and item[fault.attribute]:
                    first = item[fault.attribute][0]
                    item[fault.attribute] = first.get("value") if isinstance(first, dict) else first
        return {"schemas": [DIALECTS[dialect]["list"]], "totalResults": total, "itemsPerPage": len(page),
                "startIndex": start_index, "Resources": page}

    # -- control API ---------------------------------------------------------------------------

    def _control(self, method, url):
        emulator = self.emulator
        route = url.path[len("/_control/"):].strip("/")
        try:
            body = self._read_body() or {}
        except ScimFault:
            return self._send(400, {"error": "body must be JSON"})
        if route == "health":
            return self._send(200, {"ok": True})
        if route == "reset" and method == "POST":
            emulator.store.reset()
            emulator.grid.reset()
            emulator.limiter.reset()
            with emulator.log_lock:
                emulator.faults = []
                if not body.get("keep_log"):
                    emulator.log = []
            return self._send(200, {"ok": True})
        if route == "seed" and method == "POST":
            return self._send(200, emulator.store.seed(**{k: body[k] for k in (
                "users", "groups", "members_per_group", "prefix", "domain", "guests") if k in body}))
        if route == "account_type" and method == "POST":
            try:
                record = emulator.store.set_account_type(body.get("id"), body.get("type"))
            except ValueError as exc:
                return self._send(400, {"error": str(exc)})
            except ScimFault as exc:
                return self._send(404, {"error": exc.error})
            return self._send(200, {"id": record["id"], "type": record.get("accountType", "member")})
        if route == "state":
            if method == "GET":
                return self._send(200, emulator.store.dump())
            if method == "PUT":
                emulator.store.load(body)
                return self._send(200, {"ok": True})
        if route == "save" and method == "POST":
            return self._send(200, {"saved": emulator.save(body.get("path"))})
        if route == "log":
            if method == "GET":
                since = int(parse_qs(url.query).get("since", ["0"])[0])
                with emulator.log_lock:
                    return self._send(200, {"requests": emulator.log[since:]})
            if method == "DELETE":
                with emulator.log_lock:
                    emulator.log = []
                return self._send(200, {"ok": True})
        if route == "faults":
            if method == "GET":
                return self._send(200, {"faults": [f.describe() for f in emulator.faults]})
            if method == "POST":
                try:
                    faults = [Fault(spec) for spec in (body if isinstance(body, list) else [body])]
                except (ValueError, TypeError) as exc:
                    return self._send(400, {"error": str(exc)})
                with emulator.log_lock:
                    emulator.faults.extend(faults)
                return self._send(200, {"faults": [f.describe() for f in emulator.faults]})
            if method == "DELETE":
                with emulator.log_lock:
                    emulator.faults = []
                return self._send(200, {"ok": True})
        if route == "config":
            if method == "POST":
                if "rate_limit_scale" in body:
                    emulator.limiter.scale = float(body["rate_limit_scale"])
                    emulator.limiter.reset()
                if "write_hold" in body:
                    emulator.write_hold = float(body["write_hold"])
                if "token" in body:
                    emulator.token = body["token"]
                if "token_user" in body:
                    emulator.token_user = body["token_user"]
                if "profile_fields" in body:
                    try:
                        emulator.store.set_profile_fields(body["profile_fields"])
                    except (ValueError, TypeError) as exc:
                        return self._send(400, {"error": str(exc)})
            return self._send(200, {"rate_limit_scale": emulator.limiter.scale, "write_hold": emulator.write_hold,
                                    "profile_fields": sorted(emulator.store.profile_fields)})
        if route == "grid":
            if method != "POST":
                return self._send(200, emulator.grid.dump())
            try:
                return self._send(200, emulator.grid.load(body))
            except (KeyError, TypeError, AttributeError) as exc:
                return self._send(400, {"error": "the grid needs teams and channels with an id (and a name): %r" % exc})
        if route == "shutdown" and method == "POST":
            self._send(200, {"ok": True})
            threading.Thread(target=self.server.shutdown, daemon=True).start()
            return 200
        return self._send(404, {"error": "unknown control route %s %s" % (method, url.path)})


def _removes_members_by_value(body):
    """Slack's form of a member removal, which an RFC 7644 server refuses: ``remove`` on ``members`` with a value."""
    return any(isinstance(operation, dict) and str(operation.get("op", "")).lower() == "remove" and
               str(operation.get("path", "")).strip().lower() == "members" and operation.get("value")
               for operation in (body or {}).get("Operations") or [])


def _service_provider_config(dialect):
    config = {
        "authenticationSchemes": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
                                   "description": "Authentication scheme using the OAuth Bearer Token Standard",
                                   "primary": True}],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        # AK forces filter support on for Slack, so Slack's own answer says false.
        "filter": {"supported": False, "maxResults": MAX_PAGE_SIZE},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "xmlDataFormat": {"supported": False},
    }
    if dialect == "v2":
        config["schemas"] = ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]
    else:
        config["schemas"] = [DIALECTS["v1"]["user"]]
    return config


def _schemas(dialect, which):
    names = DIALECTS[dialect]
    user = {"id": names["user"], "name": "User", "attributes": [
        {"name": name, "type": "string", "caseExact": False} for name in (
            "userName", "nickName", "displayName", "title", "timezone", "profileUrl")]}
    group = {"id": names["group"], "name": "Group", "attributes": [
        {"name": "displayName", "type": "string", "caseExact": False},
        {"name": "members", "type": "complex", "multiValued": True}]}
    if which == "Users":
        return user
    if which == "Groups":
        return group
    if which is not None:
        raise ScimFault(404, "bad_endpoint")
    return {"schemas": [names["list"]], "totalResults": 2, "Resources": [user, group]}


def _resource_types():
    names = DIALECTS["v2"]
    types = [{"id": "User", "name": "User", "endpoint": "/Users", "schema": names["user"],
              "schemaExtensions": [{"schema": names[extension], "required": False}
                                   for extension in ("enterprise", "profile", "guest")]},
             {"id": "Group", "name": "Group", "endpoint": "/Groups", "schema": names["group"]}]
    return {"schemas": [names["list"]], "totalResults": len(types), "Resources": types}


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, emulator, verbose=False, nagle=False):
        super().__init__(address, Handler)
        self.emulator = emulator
        self.verbose = verbose
        self.nagle = nagle

    @property
    def url(self):
        host, port = self.server_address[:2]
        return "http://%s:%d" % (host, port)
