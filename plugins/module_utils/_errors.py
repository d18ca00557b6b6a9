# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one exception type of the SCIM client, and the parser for Slack's error bodies.

Internal to scim.slack; the API may change.  Nothing here ever sees a token or a header.
"""

from __future__ import annotations

import re

_EXISTING_USER = re.compile(r"existing_user=([UW][A-Z0-9]+)")
_ERROR_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*")

# What to do about the errors an admin meets most; keyed by Slack's error string.
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
    "too_many_requests": "Slack rate-limited the request; raise retries.rate_limited or "
    "retries.max_wait, or lower the write rate (throttle/serial).",
    "resource_locked": "Another write to the same user or group was in progress; raise "
    "retries.rate_limited, or avoid parallel tasks on one resource (throttle: 1).",
    "email_taken": "The email belongs to another account, possibly deactivated: find it and "
    "reactivate it (active: true) instead of creating a new one.",
    "username_taken": "The user name belongs to another account (possibly deactivated) or "
    "clashes with a channel name.",
    "unable_to_add_deleted_or_guest_to_group": "Deactivated users and guests cannot be group members.",
    "idp_group_linked_to_channels": "The group is linked to channels; unlink it in Slack before deleting it.",
    "cannot_disable_primary_owner": "Slack does not let SCIM deactivate the primary owner.",
    "cannot_disable_bot_user_with_scim": "Bot users cannot be deactivated through SCIM.",
}


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
                 retries=0, request_sent=True, retry_budget_exhausted=False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.error = error
        self.detail = detail
        self.retries = retries
        self.request_sent = request_sent
        self.retry_budget_exhausted = retry_budget_exhausted
        match = _EXISTING_USER.search(detail or "")
        self.existing_user = match.group(1) if match else None

    @property
    def hint(self):
        return HINTS.get(self.error or "")

    @property
    def is_not_found(self):
        return self.status == 404 or self.error in ("no_such_user", "unknown_user", "no_such_group")

    @property
    def is_rate_limited(self):
        return self.status == 429 or self.error in ("too_many_requests", "ratelimited", "resource_locked")

    def __str__(self):
        text = self.message
        if self.hint and self.hint not in text:
            text = "%s. %s" % (text.rstrip("."), self.hint)
        return text

    def __repr__(self):
        return "ScimError(%r, status=%r, error=%r)" % (self.message, self.status, self.error)

    def to_dict(self):
        """The facts of the failure, for fail_json."""
        return {
            "status": self.status,
            "method": self.method,
            "path": self.path,
            "error": self.error,
            "detail": self.detail,
            "retries": self.retries,
        }
