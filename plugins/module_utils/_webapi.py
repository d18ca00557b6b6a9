# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Slack's Web API ``admin.*`` methods for Enterprise Grid, on the SCIM client's transport.

Internal to scim.slack; the API may change.  No Ansible imports.

Every call goes through :meth:`SCIMClient.api_call`: the same session, token, deadline, redirect rules,
size cap, retry handlers and redaction as SCIM.  Reads are ``GET`` and writes ``POST``, as Slack's own
OpenAPI description of the Web API has them (so the retry handlers may repeat a read after a dropped
connection or a 5xx, never a write), with the arguments as query parameters and lists joined with commas,
as the Python Slack SDK sends them.
The Web API lives beside the SCIM base URL (``slack.com/api/`` for Slack's own SCIM host, the same host
for any other).  Slack answers errors as HTTP 200 with ``"ok": false``: they raise :class:`WebApiError`,
keyed on Slack's error string.  A 429 with ``Retry-After`` is retried by the rate-limit handler.
"""

from __future__ import annotations

import difflib

from ansible_collections.scim.slack.plugins.module_utils._errors import IncompleteListingError, ScimError, redact
from ansible_collections.scim.slack.plugins.module_utils._user_values import folded

# admin.users.list documents a default of 100 a page and no maximum; admin.teams.list allows 1000.
USERS_PAGE_SIZE = 100
TEAMS_PAGE_SIZE = 1000
# admin.conversations.search: "Must be between 1 - 20".
SEARCH_PAGE_SIZE = 20
# admin.usergroups.addChannels and removeChannels take at most 100 channels a call.
CHANNELS_PER_CALL = 100
# A server that keeps handing out cursors must not make a client loop forever.
MAX_PAGES = 100000

# Each method the collection calls: its HTTP verb (GET for the methods that only read, as Slack's OpenAPI
# description has them: slackapi/slack-api-specs, web-api/slack_web_openapi_v2.json) and the scope its
# reference page names.
METHODS = {
    "admin.teams.list": ("GET", "admin.teams:read"),
    "admin.users.list": ("GET", "admin.users:read"),
    "admin.users.assign": ("POST", "admin.users:write"),
    "admin.users.remove": ("POST", "admin.users:write"),
    "admin.conversations.search": ("GET", "admin.conversations:read"),
    "admin.usergroups.addTeams": ("POST", "admin.teams:write"),
    "admin.usergroups.addChannels": ("POST", "admin.usergroups:write"),
    "admin.usergroups.listChannels": ("GET", "admin.usergroups:read"),
    "admin.usergroups.removeChannels": ("POST", "admin.usergroups:write"),
    "usergroups.list": ("GET", "usergroups:read"),
}
# Slack names the token's scopes on every Web API answer in this header.
SCOPES_HEADER = "X-OAuth-Scopes"

MISSING_SCOPE = "missing_scope"
ALREADY_MEMBER = "user_already_team_member"

# What to do about the errors an admin meets; keyed by Slack's error string.
HINTS = {
    MISSING_SCOPE: "Add the scope to the app (OAuth & Permissions, User Token Scopes) and have an org owner or "
    "admin reinstall it on the whole organization.",
    "not_allowed_token_type": "The admin.* methods need a user token of an app installed on the whole Enterprise "
    "organization by an org owner or admin.",
    "not_an_admin": "The token's user must be an org owner or admin.",
    "not_an_enterprise": "Workspaces and channels are Enterprise Grid features; this token is not an "
    "organization's.",
    "feature_not_enabled": "The Admin APIs are not enabled for this organization.",
    "user_is_bot": "Bots cannot be assigned to workspaces.",
    "cannot_modify_primary_owner": "Slack does not remove the primary owner from a workspace.",
    "invalid_role_for_user": "A multi-channel guest is assigned as a guest and a member as a member: the user's "
    "account type and the assignment differ.",
    "usergroup_not_linked_to_team": "Connect the group to the workspace before giving it default channels there.",
}


class WebApiError(ScimError):
    """A Web API call answered ``"ok": false``.

    ``error`` is Slack's error string; ``needed`` and ``provided`` the scopes Slack names for
    ``missing_scope``; ``invalid`` the channel or workspace ids Slack refused in a partial success
    (``invalid_channels``, ``errors``), the others having been applied.
    """

    def __init__(self, message, *, needed=None, provided=None, invalid=None, **kwargs):
        super().__init__(message, **kwargs)
        self.needed = needed
        self.provided = provided
        self.invalid = list(invalid or [])

    @property
    def hint(self):
        return HINTS.get(self.error or "") or super().hint

    @property
    def is_missing_scope(self):
        return self.error == MISSING_SCOPE

    def to_dict(self):
        facts = super().to_dict()
        facts.update(needed=self.needed, provided=self.provided, invalid=self.invalid)
        return facts


def _argument(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return str(value)


def _failure(method, verb, answer):
    """The WebApiError for an ``"ok": false`` answer (or one that is no Web API answer at all)."""
    path = "/api/%s" % method
    if not isinstance(answer, dict) or "ok" not in answer:
        return WebApiError("%s %s answered no Web API answer (no \"ok\"): %s; is api_url pointing at Slack?"
                           % (verb, path, redact(repr(answer)[:120])), method=verb, path=path)
    error = answer.get("error") if isinstance(answer.get("error"), str) else "unknown_error"
    needed, provided = answer.get("needed"), answer.get("provided")
    invalid = answer.get("invalid_channels") or answer.get("errors") or []
    message = "%s failed: %s" % (method, error)
    if error == MISSING_SCOPE:
        message += ": the token lacks the scope %s (it has %s)" % (needed or "(Slack named none)", provided or "none")
    elif invalid:
        message += " for %s (the others were applied)" % ", ".join(str(item) for item in invalid)
    messages = (answer.get("response_metadata") or {}).get("messages")
    if messages:
        message += " (%s)" % "; ".join(str(text) for text in messages)
    return WebApiError(redact(message), method=verb, path=path, error=error, detail=redact(error), needed=needed,
                       provided=provided, invalid=invalid)


class WebApiClient:
    """The Grid admin methods beside a :class:`SCIMClient`, sharing its transport and retry handlers."""

    def __init__(self, client):
        self.client = client
        # The token's scopes as Slack last named them; None until an answer named them.
        self.scopes = None

    def call(self, method, **arguments):
        """One Web API call: the answer when ``"ok": true``, else :class:`WebApiError`."""
        params = {key: _argument(value) for key, value in arguments.items() if value is not None}
        verb = METHODS[method][0]
        answer, headers = self.client.exchange(verb, self.client.web_api_url(method), query_params=params)
        self._note_scopes(headers)
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            raise _failure(method, verb, answer)
        return answer

    def _note_scopes(self, headers):
        named = (headers or {}).get(SCOPES_HEADER)
        if named is not None:
            self.scopes = frozenset(scope.strip() for scope in named.split(",") if scope.strip())

    def require_scopes(self, methods):
        """Refuse, before any write, ``methods`` the token has no scope for.

        Call it after a read, with every Web API method the task is about to call: the scopes come from
        that read's ``X-OAuth-Scopes``.  Without such a header (a proxy may strip it) there is nothing to
        check against, and a missing scope surfaces as Slack's own ``missing_scope`` at the call.
        """
        if self.scopes is None:
            return
        missing = sorted({METHODS[method][1] for method in methods} - self.scopes)
        if missing:
            wanting = sorted(method for method in set(methods) if METHODS[method][1] in missing)
            raise WebApiError("the token lacks the scope%s %s, which %s need%s; nothing was changed (it has %s)"
                              % ("s" if len(missing) > 1 else "", ", ".join(missing), ", ".join(wanting),
                                 "" if len(wanting) > 1 else "s", ", ".join(sorted(self.scopes)) or "none"),
                              error=MISSING_SCOPE, needed=",".join(missing), provided=",".join(sorted(self.scopes)),
                              request_sent=False)

    def pages(self, method, key, page_size, top_level_cursor=False, **arguments):
        """Every item under ``key`` across the cursor pages of ``method``, each id once.

        Follows ``response_metadata.next_cursor`` (``next_cursor`` at the top level for
        ``admin.conversations.search``) until it is ``""``.  A page whose cursor is missing, a cursor
        handed out twice, or a page without new items before the end raise: the listing cannot be
        shown to be complete, and a user missing from it would look absent.
        """
        cursor, seen_cursors, seen_ids = None, set(), set()
        for dummy in range(MAX_PAGES):
            answer = self.call(method, limit=page_size, cursor=cursor, **arguments)
            items = answer.get(key)
            if not isinstance(items, list) or not all(isinstance(item, dict) and item.get("id") for item in items):
                raise self._incomplete(method, "the answer has no list of %s with ids" % key)
            fresh = [item for item in items if item["id"] not in seen_ids]
            seen_ids.update(item["id"] for item in fresh)
            yield from fresh
            holder = answer if top_level_cursor else (answer.get("response_metadata") or {})
            cursor = holder.get("next_cursor")
            if not isinstance(cursor, str):
                raise self._incomplete(method, "a page has no next_cursor, so nobody can tell whether more follow")
            if not cursor:
                return
            if cursor in seen_cursors or not fresh:
                raise self._incomplete(method, "the server handed out the cursor %r again (or a page without new "
                                               "%s), so it does not page" % (cursor, key))
            seen_cursors.add(cursor)
        raise self._incomplete(method, "paging did not end after %d pages" % MAX_PAGES)

    @staticmethod
    def _incomplete(method, reason):
        return IncompleteListingError("GET /api/%s: the listing was incomplete: %s; the result cannot be trusted"
                                      % (method, reason), resource=method, path="/api/%s" % method)

    # -- workspaces ------------------------------------------------------------------------

    def teams(self):
        """Every workspace of the organization (``admin.teams.list``)."""
        return list(self.pages("admin.teams.list", "teams", TEAMS_PAGE_SIZE))

    def org_users(self):
        """``{user id: entry}`` for every active user of the organization, each entry with its ``workspaces``
        (IDs), from one listing of ``admin.users.list`` without ``team_id``; deactivated users are absent."""
        return {user["id"]: user for user in self.pages("admin.users.list", "users", USERS_PAGE_SIZE, is_active=True)}

    def assign_user(self, team_id, user_id, guest=False, channel_ids=None):
        """``admin.users.assign``; True if assigned, False if the user was a member already."""
        try:
            self.call("admin.users.assign", team_id=team_id, user_id=user_id, is_restricted=guest or None,
                      channel_ids=list(channel_ids) if channel_ids else None)
        except WebApiError as exc:
            if exc.error == ALREADY_MEMBER:
                return False
            raise
        return True

    def remove_user(self, team_id, user_id):
        """``admin.users.remove``."""
        self.call("admin.users.remove", team_id=team_id, user_id=user_id)

    # -- channels --------------------------------------------------------------------------

    def search_channels(self, query=None, team_ids=None, channel_types=None):
        """Channels whose name matches ``query`` (``admin.conversations.search``), page by page."""
        return iter(self.pages("admin.conversations.search", "conversations", SEARCH_PAGE_SIZE,
                               top_level_cursor=True, query=query, team_ids=list(team_ids) if team_ids else None,
                               search_channel_types=list(channel_types) if channel_types else None))

    # -- IdP groups ------------------------------------------------------------------------

    def group_channels(self, group_id, team_id=None):
        """The default channels of an IdP group (``admin.usergroups.listChannels``), limited by Slack
        to the channels the token's user can see."""
        answer = self.call("admin.usergroups.listChannels", usergroup_id=group_id, team_id=team_id)
        channels = answer.get("channels")
        if not isinstance(channels, list) or not all(isinstance(c, dict) and c.get("id") for c in channels):
            raise self._incomplete("admin.usergroups.listChannels", "the answer has no list of channels with ids")
        return channels

    def connected_groups(self, team_ids):
        """``{workspace ID: {group IDs}}``: the user groups each workspace has, an IdP group connected to it
        among them; ``usergroups.list`` per workspace (Slack has no method that lists a group's workspaces)."""
        connected = {}
        for team_id in team_ids:
            groups = self.call("usergroups.list", team_id=team_id).get("usergroups")
            if not isinstance(groups, list) or not all(isinstance(group, dict) for group in groups):
                raise self._incomplete("usergroups.list", "the answer has no list of usergroups")
            connected[team_id] = {group.get("id") for group in groups}
        return connected

    def group_workspaces(self, group_id, team_ids):
        """Which of ``team_ids`` the IdP group is connected to (``connected_groups``)."""
        return [team_id for team_id, groups in self.connected_groups(team_ids).items() if group_id in groups]

    def connect_group(self, group_id, team_ids):
        """``admin.usergroups.addTeams``: connect the group to the workspaces (its members join them)."""
        self.call("admin.usergroups.addTeams", usergroup_id=group_id, team_ids=list(team_ids))

    def add_group_channels(self, group_id, channel_ids, team_id=None):
        """``admin.usergroups.addChannels``, 100 channels a call."""
        for start in range(0, len(channel_ids), CHANNELS_PER_CALL):
            self.call("admin.usergroups.addChannels", usergroup_id=group_id, team_id=team_id,
                      channel_ids=list(channel_ids[start:start + CHANNELS_PER_CALL]))

    def remove_group_channels(self, group_id, channel_ids):
        """``admin.usergroups.removeChannels``, 100 channels a call."""
        for start in range(0, len(channel_ids), CHANNELS_PER_CALL):
            self.call("admin.usergroups.removeChannels", usergroup_id=group_id,
                      channel_ids=list(channel_ids[start:start + CHANNELS_PER_CALL]))


def workspace_domain(team):
    """The workspace's domain from ``team_url`` (``https://acme-eng.slack.com/`` gives ``acme-eng``);
    ``admin.teams.list`` answers no ``domain``."""
    url = team.get("team_url") or ""
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    for suffix in (".enterprise.slack.com", ".slack.com", ".slack-gov.com"):
        if host.endswith(suffix):
            return host[:-len(suffix)]
    return host or None


class UnknownWorkspaceError(LookupError):
    """A workspace named by ID or name is not one of the organization's; the message names the close matches."""


class WorkspaceIndex:
    """The organization's workspaces from one ``admin.teams.list``, found by ID, name or domain."""

    def __init__(self, teams):
        self.teams = [{"id": team["id"], "name": team.get("name") or "", "domain": workspace_domain(team)}
                      for team in teams]
        self._by_id = {team["id"]: team for team in self.teams}

    def resolve(self, reference, option="workspace"):
        """The workspace ``reference`` names (its ID, or its name or domain, case-insensitive)."""
        if reference in self._by_id:
            return self._by_id[reference]
        wanted = folded(reference)
        found = [team for team in self.teams if wanted in (folded(team["name"]), folded(team["domain"] or ""))]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise UnknownWorkspaceError("%s %r names %d workspaces (%s); use the ID" % (
                option, reference, len(found), ", ".join(describe_workspace(team) for team in found)))
        labels = {team["name"]: team for team in self.teams}
        labels.update({team["id"]: team for team in self.teams})
        close = difflib.get_close_matches(str(reference), list(labels), n=3, cutoff=0.6)
        hint = "; close matches: %s" % ", ".join(describe_workspace(labels[label]) for label in close) if close else \
            "; the organization has %d workspaces" % len(self.teams)
        raise UnknownWorkspaceError("%s %r is not a workspace of this organization%s" % (option, reference, hint))


def describe_workspace(team):
    return "%s (%s)" % (team["name"], team["id"])
