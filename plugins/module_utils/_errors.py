# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one exception type of the SCIM client, and the parser for Slack's error bodies.

Internal to scim.slack; the API may change.  Nothing here ever sees a token or a header.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, quote_plus

_EXISTING_USER = re.compile(r"existing_user=([UW][A-Z0-9]+)")
_ERROR_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*")

# Slack's error strings for "too many requests": the SCIM APIs send ``too_many_requests``, the Web
# API ``ratelimited``; ``rate_limited`` is seen from gateways in front of both.  ``resource_locked``
# is Slack's 429 for a second write to a user or group being updated.
RATE_LIMIT_ERRORS = frozenset(("too_many_requests", "ratelimited", "rate_limited", "resource_locked"))

RESOURCE_LOCKED = "resource_locked"

# Errors Slack documents as transient for user creation: the POST is retried once.
TRANSIENT_CREATE_ERRORS = frozenset(("invited_user_not_created",))

# A user name or email already held by another account: a create that meets one converges that account.
CONFLICT_ERRORS = frozenset(("email_taken", "username_taken"))

# The resource asked for does not exist (with HTTP 404, which alone also means it).
NOT_FOUND_ERRORS = frozenset(("no_such_user", "unknown_user", "no_such_group"))


# How much of a value an error message quotes.
SNIPPET_LIMIT = 160


def snippet(value):
    """``repr(value)``, cut to SNIPPET_LIMIT characters: enough of a malformed answer to recognise it."""
    text = repr(value)
    return text if len(text) <= SNIPPET_LIMIT else text[:SNIPPET_LIMIT - 3] + "..."


def is_rate_limit(status, error):
    """Whether an answer (its HTTP status and Slack's error string) says "too many requests"."""
    return status == 429 or error in RATE_LIMIT_ERRORS


WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
# Said of a write whose answer never came: the task cannot know what Slack did, but the next run can.
OUTCOME_UNKNOWN = ("Slack may have applied the %s before its answer was lost, so its outcome is unknown: run the task "
                   "again, which reads what Slack has and settles it")

REDACTED = "<redacted>"
# Anything shaped like a Slack token, and whatever follows "Bearer": a gateway may echo a header.
_SLACK_TOKEN = re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+", re.I)
# "Bearer", the white space after it however written (spaces, tabs, a URL's %20 or +, JSON's \t or \u0020),
# then the credential: up to the first character that ends a value in a header, a URL, JSON or a sentence.
_BEARER = re.compile(r"(\bBearer(?:\s|%20|%09|\+|\\[tnr]|\\u0020)+)((?:[^\s\"',;<>(){}\[\]&\\]|\\(?![tnru\"]))+)",
                     re.I)

RATE_LIMIT_HINT = "Raise retries.rate_limited or retries.max_wait, or lower the write rate (throttle/serial)."

# What to do about the errors an admin meets; keyed by Slack's error string (never by status alone).
HINTS = {
    "invalid_authentication": "Slack rejected the token: check the token option or SLACK_SCIM_TOKEN, "
    "and that it is an org-level user token with the admin scope.",
    "missing_authentication": "No token reached Slack: set the token option or SLACK_SCIM_TOKEN.",
    "not_authed": "No token reached Slack: set the token option or SLACK_SCIM_TOKEN.",
    "non_org_teams_only": "The app must be installed on the Enterprise organization, not on a workspace.",
    "plus_teams_only": "SCIM needs a Business+ or Enterprise plan.",
    "permission_denied": "The token's user may not do this: SCIM needs an Org Owner or Admin token "
    "with the admin scope, and an Admin token cannot change Owners.",
    "cannot_modify_owner": "An Admin's token cannot modify an Owner; use an Owner's token.",
    "missing_scope": "The token lacks the admin scope; reinstall the app with it.",
    "too_many_requests": RATE_LIMIT_HINT,
    "ratelimited": RATE_LIMIT_HINT,
    "rate_limited": RATE_LIMIT_HINT,
    RESOURCE_LOCKED: "Raise retries.rate_limited, or avoid parallel tasks on one user or group (throttle: 1).",
    "email_taken": "The email belongs to another account, possibly deactivated: find it and "
    "reactivate it (active: true) instead of creating a new one.",
    "username_taken": "The user name belongs to another account (possibly deactivated) or "
    "clashes with a channel name.",
    "unable_to_add_deleted_or_guest_to_group": "Deactivated users (and single-channel guests) cannot be "
    "group members: reactivate the user or drop it from members.",
    "idp_group_linked_to_channels": "The group is linked to channels; unlink it in Slack before deleting it.",
    "cannot_disable_primary_owner": "Slack does not let SCIM deactivate the primary owner.",
    "cannot_disable_bot_user_with_scim": "Bot users cannot be deactivated through SCIM.",
    "bad_endpoint": "api_url must end in /scim/v2/ (or /scim/v1/ with api_version v1), e.g. "
    "https://api.slack.com/scim/v2/.",
    "long_username": "Slack refuses user names over 21 characters: shorten user_name.",
    "username_too_long": "Slack refuses user names over 21 characters: shorten user_name.",
    "long_nickname": "Slack refuses user names over 21 characters: shorten user_name.",
    "username_not_allowed": "Slack reserves this user name: choose another user_name.",
    "invalid_reserved_word": "The name is a word Slack reserves (such as here, channel or everyone): "
    "choose another user_name or display_name.",
    "invalid_name_specials": "display_name contains characters Slack refuses, such as @: remove them.",
    "invalid_starts_with_at": "display_name must not start with @: remove it.",
    "invalid_emoji_not_allowed": "display_name must not contain emoji (characters or :shortcode: text): "
    "remove them.",
    "invalid_display_name": "Members of this org may edit their own display names, so SCIM may not set them: "
    "stop managing display_name, or change the org setting.",
    "no_such_group_members": "A member is not a user of this org: check the member IDs (deactivated or "
    "unknown users cannot be members).",
    "missing_schema_element": "Slack misses a required part of the body; this is also what Slack answers "
    "when a v1 body reaches a v2 URL: check that api_version matches api_url (/scim/v1/ or /scim/v2/).",
    "truncation_error": "Slack could not shorten the user name to avoid a clash with another name or "
    "channel: choose a shorter, distinct user_name.",
    "invited_user_not_created": "Slack failed to create the user, a transient error (already retried once): "
    "run the task again.",
    "unable_to_create_team_profile_fields": "Slack could not create the custom profile fields the request "
    "names (an org has at most 50, and one invalid field drops them all at creation): check the profile "
    "extension attributes.",
    "cannot_make_user_guest": "Slack refuses to make this user a guest (Owners and Admins cannot be guests, "
    "and only multi-channel guests can be provisioned): drop the guest attributes.",
}


def redact(text, secrets=()):
    """``text`` without any of ``secrets`` and without anything shaped like a Slack token or a bearer
    credential (each replaced by ``<redacted>``); non-strings pass through."""
    if not isinstance(text, str) or not text:
        return text
    for secret in secrets:
        for form in _written_forms(secret):
            text = text.replace(form, REDACTED)
    return _BEARER.sub(lambda match: match.group(1) + REDACTED, _SLACK_TOKEN.sub(REDACTED, text))


def _written_forms(secret):
    """``secret`` as an answer may quote it: as is, URL-encoded (``%2F``, ``+`` for a space) and JSON-escaped."""
    if not isinstance(secret, str) or not secret:
        return ()
    forms = {secret, quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret, safe="/"),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    return sorted(forms, key=len, reverse=True)


def parse_error_body(body):
    """Return ``(error, detail)`` from any of Slack's error shapes, or ``(None, None)``.

    Shapes: v1 ``{"Errors": {"description", "code"}}``, the list variant
    ``{"Errors": [{"description", "code"}]}``, v2 ``{"detail", "status"}``, and the Web API
    ``{"ok": false, "error"}`` some 429s carry.  ``error`` is the leading Slack error string
    (``no_filters`` of ``no_filters (is_aggregate_call=1)``); ``detail`` the full text.
    """
    if not isinstance(body, dict):
        return None, None
    detail = None
    errors = body.get("Errors")
    if isinstance(errors, list) and errors:
        errors = errors[0]
    if isinstance(errors, dict):
        detail = errors.get("description") or errors.get("detail")
    if not detail and isinstance(body.get("detail"), str):
        detail = body["detail"]
    if not detail and body.get("ok") is False and isinstance(body.get("error"), str):
        detail = body["error"]
    if not detail or not isinstance(detail, str):
        return None, None
    match = _ERROR_CODE.match(detail.strip())
    return (match.group(0) if match else None), detail.strip()


class ScimError(Exception):
    """A SCIM request failed.  Carries what an admin needs, never the token or headers.

    ``status`` is the HTTP status (``None`` for transport failures), ``error`` Slack's error
    string, ``detail`` its full text, ``retries`` the retries spent, ``request_sent`` whether
    the request may have reached the server (``False`` only when that is certain), and
    ``existing_user`` a user id Slack named in a conflict.
    """

    def __init__(self, message, *, status=None, method=None, path=None, error=None, detail=None,
                 retries=0, request_sent=True):
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.error = error
        self.detail = detail
        self.retries = retries
        self.request_sent = request_sent
        match = _EXISTING_USER.search(detail or "")
        self.existing_user = match.group(1) if match else None

    @property
    def hint(self):
        hint = HINTS.get(self.error or "")
        if hint is None and self.status == 429:
            hint = RATE_LIMIT_HINT
        return hint

    @property
    def outcome_unknown(self):
        """A write that reached the server and got no HTTP answer (a timeout, a dropped connection): Slack may
        have applied it, so the task must not say nothing changed."""
        return self.status is None and bool(self.request_sent) and self.method in WRITE_METHODS

    @property
    def is_not_found(self):
        return self.status == 404 or self.error in NOT_FOUND_ERRORS

    @property
    def is_rate_limited(self):
        return is_rate_limit(self.status, self.error)

    @property
    def is_conflict(self):
        """Slack refused a create: the user name or email is another account's."""
        return self.error in CONFLICT_ERRORS

    def redact(self, secrets=()):
        """Remove ``secrets`` (and anything token-shaped) from every text of the error; returns it."""
        self.message = redact(self.message, secrets)
        self.detail = redact(self.detail, secrets)
        self.path = redact(self.path, secrets)
        self.args = (self.message,) + tuple(self.args[1:])
        return self

    def __str__(self):
        text = self.message
        if self.hint and self.hint not in text:
            text = "%s. %s" % (text.rstrip("."), self.hint)
        if self.outcome_unknown:
            text = "%s. %s" % (text.rstrip("."), OUTCOME_UNKNOWN % self.method)
        return text

    def __repr__(self):
        return "%s(%r, status=%r, error=%r)" % (type(self).__name__, self.message, self.status, self.error)

    def to_dict(self):
        """The facts of the failure, for fail_json."""
        return {
            "status": self.status,
            "method": self.method,
            "path": self.path,
            "error": self.error,
            "detail": self.detail,
            "retries": self.retries,
            "outcome": "unknown" if self.outcome_unknown else None,
        }


class IncompleteListingError(ScimError):
    """A listing ended with fewer distinct items than its ``totalResults`` announced, twice.

    ``resource`` is ``"Users"`` or ``"Groups"``, ``received`` the distinct items received,
    ``total`` the ``totalResults`` the server announced.  Nothing built on such a listing is safe
    (a missing user looks absent), so callers must fail rather than act on it.
    """

    def __init__(self, message, *, resource=None, received=None, total=None, **kwargs):
        kwargs.setdefault("method", "GET")
        kwargs.setdefault("path", "/%s" % resource if resource else None)
        super().__init__(message, **kwargs)
        self.resource = resource
        self.received = received
        self.total = total

    def to_dict(self):
        facts = super().to_dict()
        facts.update(received=self.received, total_results=self.total)
        return facts
