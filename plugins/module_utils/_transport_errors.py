# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The words of a request that failed: what happened, and what to change.

Internal to scim.slack; the API may change.  ``request_failure`` turns a failed attempt (an HTTP error answer, or
a transport exception of ``requests``) into the :class:`ScimError` both clients raise, Slack's error string and
the retries made included; ``describe_transport_error`` finds the innermost reason of a transport failure.
"""

from __future__ import annotations

import re
from http import HTTPStatus

from ansible_collections.scim.slack.plugins.module_utils._errors import (
    RESOURCE_LOCKED,
    ScimError,
    is_rate_limit,
    parse_error_body,
    redact,
)
from ansible_collections.scim.slack.plugins.module_utils._retry import request_never_sent
from ansible_collections.scim.slack.plugins.module_utils._retry_policy import budget_exhausted

try:
    from requests import exceptions as requests_exceptions
except ImportError:  # pragma: no cover - the client reports the missing library
    requests_exceptions = None

_PLAIN_HTTP_PORT = re.compile(r"wrong.version.number|unknown.protocol|record.layer.failure|packet.length.too.long|"
                              r"http.request", re.I)
_NAME_RESOLUTION = re.compile(r"NameResolutionError|Name or service not known|nodename nor servname|"
                              r"getaddrinfo failed|Temporary failure in name resolution", re.I)
_ERRNO = re.compile(r"\[Errno -?\d+\][^'\")\]]*")
_SSL_REASON = re.compile(r"\[SSL(?:: [A-Z_]+)?\][^'\")\]]*")
_OBJECT_REPR = re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>:?\s*")


def request_failure(method, path, response, error, state, *, timeout, max_wait, api_url_named, secrets):
    """The ScimError of a request that failed for good: ``response`` (an ``HttpResponse``) or ``error`` (a requests
    exception), after the retries ``state`` counted; ``api_url_named`` says where it was sent, for the advice."""
    exhausted = budget_exhausted(state)
    retried = ""
    if state.current_attempt:
        retried = " after %d %s (%.1f s waiting)" % (
            state.current_attempt, "retry" if state.current_attempt == 1 else "retries", state.total_sleep)
    if exhausted:
        retried += "; waiting again would pass retries.max_wait (%s s)" % number_text(max_wait)
    gave_up_retrying = state.current_attempt > 0 or exhausted
    if response is None:
        what, advice = describe_failure(error, timeout, api_url_named)
        return ScimError(
            "%s %s failed: %s%s. %s" % (method, path, what, retried, advice), method=method, path=path,
            retries=state.current_attempt, request_sent=not request_never_sent(error))
    slack_error, detail = parse_error_body(response.body)
    detail = redact(detail, secrets)
    if slack_error is None and response.status_code >= 500 and response.data:
        detail = "server error"
    description = slack_error or status_phrase(response.status_code)
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


def describe_failure(error, timeout, api_url_named):
    """(what happened, what to change) for a request that got no HTTP answer."""
    reason = describe_transport_error(error)
    if isinstance(error, requests_exceptions.ConnectTimeout):
        return ("could not connect within the timeout of %s seconds (%s)" % (number_text(timeout), reason),
                "Check the host and port in %s, and the network or proxy (HTTPS_PROXY)" % api_url_named)
    if isinstance(error, requests_exceptions.Timeout):
        what = "no complete answer within the timeout of %s seconds" % number_text(timeout)
        return what, "Raise timeout if Slack is slow, or check that %s points at Slack's SCIM API" % (
            api_url_named)
    if isinstance(error, requests_exceptions.SSLError):
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
                % api_url_named)
    if isinstance(error, requests_exceptions.ProxyError):
        return "the proxy failed (%s)" % reason, "Check the proxy settings (HTTPS_PROXY, NO_PROXY)"
    if "Connection refused" in reason:
        return ("connection refused (%s)" % reason,
                "Check the host and port in %s; nothing accepts connections there" % api_url_named)
    if _NAME_RESOLUTION.search(str(error)):
        return ("the host name did not resolve (%s)" % reason,
                "Check the host name in %s, and DNS" % api_url_named)
    return ("connection failed (%s)" % reason,
            "Check the network or proxy (HTTPS_PROXY) and %s, then run again" % api_url_named)


def describe_transport_error(error):
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


def status_phrase(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def size_text(size):
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return "%g %s" % (size, unit)
        size /= 1024.0
    return "%g GiB" % size  # pragma: no cover


def number_text(value):
    return ("%g" % value) if isinstance(value, float) else str(value)
