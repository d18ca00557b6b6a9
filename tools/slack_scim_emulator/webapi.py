# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Slack's Web API for Enterprise Grid: workspaces, channels, users' workspaces, IdP group connections.

The methods ``admin.teams.list``, ``admin.users.list/assign/remove``, ``admin.usergroups.addTeams/
addChannels/listChannels/removeChannels``, ``admin.conversations.search`` and ``usergroups.list``,
answered as Slack answers them: HTTP 200 with ``"ok": false`` and an error string, cursors, a 429 with
``Retry-After`` per method tier, ``missing_scope`` with ``needed`` and ``provided``.  docs/emulator.md
("Web API") names the source of each behaviour and whether it is verified or assumed.

Users are the SCIM store's users; the Grid (workspaces, channels, memberships, group connections) lives here.
"""

import base64
import binascii
import json
import math
import threading
import time
from urllib.parse import parse_qs

from .limits import _Bucket

# Slack's rate-limit tiers: requests per minute.
TIERS = {1: 1, 2: 20, 3: 50, 4: 100}

# method: (tier, scope)
METHODS = {
    "admin.teams.list": (3, "admin.teams:read"),
    "admin.users.list": (4, "admin.users:read"),
    "admin.users.assign": (2, "admin.users:write"),
    "admin.users.remove": (2, "admin.users:write"),
    "admin.usergroups.addTeams": (2, "admin.teams:write"),
    "admin.usergroups.addChannels": (1, "admin.usergroups:write"),
    "admin.usergroups.listChannels": (2, "admin.usergroups:read"),
    "admin.usergroups.removeChannels": (2, "admin.usergroups:write"),
    "admin.conversations.search": (2, "admin.conversations:read"),
    "usergroups.list": (2, "usergroups:read"),
}
ALL_SCOPES = sorted({scope for dummy, scope in METHODS.values()})
MAX_CHANNELS_PER_GROUP_CALL = 100


class WebApiError(Exception):
    """An ``"ok": false`` answer; ``extra`` holds the fields Slack adds (``invalid_channels``, ``needed``)."""

    def __init__(self, error, status=200, headers=None, **extra):
        super().__init__(error)
        self.error = error
        self.status = status
        self.headers = headers or {}
        self.extra = extra


def _invalid_arguments(message):
    return WebApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] %s" % message]})


class Grid:
    """The organization's workspaces, channels, users' workspaces and IdP group connections."""

    def __init__(self, store, limiter):
        self.store = store
        self.limiter = limiter  # the SCIM limiter: its scale applies to the tiers too
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.teams = {}
            self.channels = {}
            self.memberships = {}  # user id -> {team id: {"guest": bool}}
            self.connections = {}  # group id -> {"teams": [team ids], "channels": {channel id: team id}}
            self.scopes = list(ALL_SCOPES)
            self.buckets = {}

    # -- control ---------------------------------------------------------------------------

    def load(self, body):
        """Add workspaces, channels, users' workspaces, group connections and set the token's scopes."""
        with self.lock:
            for team in body.get("teams") or []:
                team_id = team["id"]
                self.teams[team_id] = {"id": team_id, "name": team.get("name", team_id),
                                       "domain": team.get("domain", team_id.lower()),
                                       "discoverability": team.get("discoverability", "invite_only")}
            for channel in body.get("channels") or []:
                self.channels[channel["id"]] = {
                    "id": channel["id"], "name": channel["name"], "team_ids": list(channel.get("team_ids") or []),
                    "is_private": bool(channel.get("is_private")), "is_archived": bool(channel.get("is_archived")),
                    "is_org_default": bool(channel.get("is_org_default")),
                    "is_org_mandatory": bool(channel.get("is_org_mandatory"))}
            for user_id, team_ids in (body.get("workspaces") or {}).items():
                for team_id in team_ids:
                    self._add_member(user_id, team_id)
            for group_id, connection in (body.get("connections") or {}).items():
                current = self._connection(group_id)
                for team_id in connection.get("teams") or []:
                    if team_id not in current["teams"]:
                        current["teams"].append(team_id)
                for channel_id in connection.get("channels") or []:
                    current["channels"][channel_id] = self._channel_team(channel_id, None)
            if "scopes" in body:
                self.scopes = list(body["scopes"])
            return self.dump()

    def dump(self):
        with self.lock:
            return {"teams": list(self.teams.values()), "channels": list(self.channels.values()),
                    "workspaces": {user: sorted(teams) for user, teams in self.memberships.items() if teams},
                    "guest_workspaces": {user: sorted(t for t, m in teams.items() if m["guest"])
                                         for user, teams in self.memberships.items()
                                         if any(m["guest"] for m in teams.values())},
                    "connections": {group: {"teams": list(c["teams"]), "channels": sorted(c["channels"])}
                                    for group, c in self.connections.items()},
                    "scopes": list(self.scopes)}

    # -- dispatch --------------------------------------------------------------------------

    def call(self, name, args, token_ok):
        """``(status, body, headers)`` for one Web API call; ``token_ok`` is the auth check's verdict."""
        headers = {"X-OAuth-Scopes": ",".join(self.scopes), "X-Accepted-OAuth-Scopes": ""}
        try:
            if name not in METHODS:
                raise WebApiError("unknown_method")
            tier, scope = METHODS[name]
            headers["X-Accepted-OAuth-Scopes"] = scope
            if token_ok is not True:
                raise WebApiError(token_ok)
            if scope not in self.scopes:
                raise WebApiError("missing_scope", needed=scope, provided=",".join(self.scopes))
            self._take_token(name, tier)
            with self.lock, self.store.lock:
                body = getattr(self, "_" + name.replace(".", "_"))(args)
            return 200, dict({"ok": True}, **body), headers
        except WebApiError as exc:
            headers.update(exc.headers)
            return exc.status, dict({"ok": False, "error": exc.error}, **exc.extra), headers

    def _take_token(self, name, tier):
        scale = self.limiter.scale
        if not scale:
            return
        per_minute = TIERS[tier] * scale
        with self.lock:
            now = time.monotonic()
            bucket = self.buckets.get(name)
            if bucket is None:
                bucket = self.buckets[name] = _Bucket(per_minute, max(1, int(per_minute)), now)
            wait = bucket.wait_for_token(now)
            if wait > 0:
                raise WebApiError("ratelimited", status=429, headers={"Retry-After": max(1, math.ceil(wait))})
            bucket.tokens -= 1

    # -- helpers ---------------------------------------------------------------------------

    def _connection(self, group_id):
        return self.connections.setdefault(group_id, {"teams": [], "channels": {}})

    def _add_member(self, user_id, team_id, guest=None):
        user = self.store.users.get(user_id) or {}
        is_guest = bool(user.get("guest")) if guest is None else guest
        self.memberships.setdefault(user_id, {})[team_id] = {"guest": is_guest}

    def _channel_team(self, channel_id, team_id):
        channel = self.channels.get(channel_id) or {}
        if team_id and team_id in channel.get("team_ids", []):
            return team_id
        return (channel.get("team_ids") or [None])[0]

    def _team(self, args, key="team_id"):
        team_id = _required(args, key)
        if team_id not in self.teams:
            raise WebApiError("team_not_found")
        return team_id

    def _user(self, args):
        user = self.store.users.get(_required(args, "user_id"))
        if user is None:
            raise WebApiError("user_not_found")
        return user

    def _group(self, args):
        group_id = _required(args, "usergroup_id")
        if group_id not in self.store.groups:
            raise WebApiError("usergroup_not_found")
        return group_id

    # -- admin.teams -----------------------------------------------------------------------

    def _admin_teams_list(self, args):
        teams = [self._render_team(team) for team in self.teams.values()]
        page, next_cursor = _page(teams, args, default=100, maximum=1000)
        return {"teams": page, "response_metadata": {"next_cursor": next_cursor}}

    def _render_team(self, team):
        owner = next((u for u in self.store.users.values() if u.get("accountType") == "primary_owner"), {})
        return {"id": team["id"], "name": team["name"], "discoverability": team["discoverability"],
                "primary_owner": {"user_id": owner.get("id", ""), "email": _email(owner)},
                "team_url": "https://%s.slack.com/" % team["domain"]}

    # -- admin.users -----------------------------------------------------------------------

    def _admin_users_list(self, args):
        team_id = self._team(args) if args.get("team_id") else None
        active = _boolean(args, "is_active", True)
        users = []
        for user in self.store.users.values():
            teams = self.memberships.get(user["id"], {})
            if bool(user.get("active")) is not active or (team_id and team_id not in teams):
                continue
            users.append(self._render_user(user, teams, with_workspaces=team_id is None))
        page, next_cursor = _page(users, args, default=100, maximum=1000)
        return {"users": page, "response_metadata": {"next_cursor": next_cursor}}

    @staticmethod
    def _render_user(user, teams, with_workspaces):
        account = user.get("accountType", "member")
        name = user.get("name") or {}
        rendered = {
            "id": user["id"], "email": _email(user), "username": user.get("userName", ""),
            "full_name": " ".join(p for p in (name.get("givenName"), name.get("familyName")) if p),
            "is_admin": account == "admin", "is_owner": account in ("owner", "primary_owner"),
            "is_primary_owner": account == "primary_owner", "is_restricted": bool(user.get("guest")),
            "is_ultra_restricted": False, "is_bot": _is_bot(user), "is_active": bool(user.get("active")),
            "date_created": int(time.time()), "roles": []}
        if with_workspaces:
            rendered["workspaces"] = sorted(teams)
        return rendered

    def _admin_users_assign(self, args):
        team_id = self._team(args)
        user = self._user(args)
        if _is_bot(user):
            raise WebApiError("user_is_bot")
        as_guest = _boolean(args, "is_restricted", False)
        if _boolean(args, "is_ultra_restricted", False) or as_guest != bool(user.get("guest")):
            raise WebApiError("invalid_role_for_user")
        if team_id in self.memberships.get(user["id"], {}):
            raise WebApiError("user_already_team_member")
        unknown = [c for c in _id_list(args.get("channel_ids")) if team_id not in
                   self.channels.get(c, {}).get("team_ids", [])]
        if unknown:
            raise WebApiError("channel_not_found")
        if not user.get("active"):
            user["active"] = True  # Slack: assigning an org-deactivated user reactivates them
        self._add_member(user["id"], team_id, as_guest)
        return {}

    def _admin_users_remove(self, args):
        team_id = self._team(args)
        user = self._user(args)
        if user.get("accountType") == "primary_owner":
            raise WebApiError("cannot_modify_primary_owner")
        if not user.get("active"):
            raise WebApiError("user_already_deleted")
        if team_id not in self.memberships.get(user["id"], {}):
            raise WebApiError("failed_to_remove_user_from_workspace")
        del self.memberships[user["id"]][team_id]
        return {}

    # -- admin.usergroups ------------------------------------------------------------------

    def _admin_usergroups_addTeams(self, args):
        group_id = self._group(args)
        team_ids = _id_list(args.get("team_ids"))
        if not team_ids:
            raise WebApiError("no_team_ids_given")
        invalid = [team_id for team_id in team_ids if team_id not in self.teams]
        if invalid:
            raise WebApiError("invalid_team_ids", errors=invalid)
        connection = self._connection(group_id)
        for team_id in team_ids:
            if team_id not in connection["teams"]:
                connection["teams"].append(team_id)
            for user_id in self.store.groups[group_id]["members"]:
                if team_id not in self.memberships.get(user_id, {}):
                    self._add_member(user_id, team_id)
        return {}

    def _admin_usergroups_listChannels(self, args):
        group_id = self._group(args)
        team_id = args.get("team_id")
        channels = []
        # A read must not create the group's (empty) connection entry.
        linked = self.connections.get(group_id, {}).get("channels", {})
        for channel_id, linked_team in linked.items():
            if team_id and linked_team != team_id:
                continue
            channel = self.channels[channel_id]
            channels.append({"id": channel_id, "name": channel["name"], "team_id": linked_team,
                             "is_private": channel["is_private"]})
        return {"channels": channels}

    def _admin_usergroups_addChannels(self, args):
        group_id = self._group(args)
        channel_ids = _id_list(_required(args, "channel_ids"))
        if len(channel_ids) > MAX_CHANNELS_PER_GROUP_CALL:
            raise WebApiError("invalid_channels_limit")
        team_id = args.get("team_id")
        connection = self._connection(group_id)
        if team_id and team_id not in connection["teams"]:
            raise WebApiError("usergroup_not_linked_to_team")
        invalid = []
        for channel_id in channel_ids:
            channel = self.channels.get(channel_id)
            if channel is None or _org_wide(channel) or (team_id and team_id not in channel["team_ids"]):
                invalid.append(channel_id)
            elif channel_id not in connection["channels"]:
                connection["channels"][channel_id] = self._channel_team(channel_id, team_id)
        return _partial(invalid)

    def _admin_usergroups_removeChannels(self, args):
        group_id = self._group(args)
        channel_ids = _id_list(_required(args, "channel_ids"))
        if len(channel_ids) > MAX_CHANNELS_PER_GROUP_CALL:
            raise WebApiError("invalid_channels_limit")
        linked = self._connection(group_id)["channels"]
        invalid = [channel_id for channel_id in channel_ids if channel_id not in linked]
        for channel_id in channel_ids:
            linked.pop(channel_id, None)
        return _partial(invalid)

    # -- admin.conversations ---------------------------------------------------------------

    def _admin_conversations_search(self, args):
        query = (args.get("query") or "").strip().lower()
        team_ids = set(_id_list(args.get("team_ids")))
        types = set(_id_list(args.get("search_channel_types")))
        found = []
        for channel in self.channels.values():
            teams = list(self.teams) if _org_wide(channel) else channel["team_ids"]
            if query and query not in channel["name"].lower():
                continue
            if team_ids and not team_ids.intersection(teams):
                continue
            if ("private" in types and not channel["is_private"]) or ("public" in types and channel["is_private"]) \
                    or ("private_exclude" in types and channel["is_private"]) \
                    or ("exclude_archived" in types and channel["is_archived"]) \
                    or ("archived" in types and not channel["is_archived"]):
                continue
            found.append({"id": channel["id"], "name": channel["name"], "is_private": channel["is_private"],
                          "is_archived": channel["is_archived"], "is_org_default": channel["is_org_default"],
                          "is_org_mandatory": channel["is_org_mandatory"],
                          "is_org_shared": _org_wide(channel) or len(teams) > 1, "is_general": False,
                          "internal_team_ids": list(teams), "member_count": 0, "created": 0,
                          "context_team_id": teams[0] if len(teams) == 1 else "E0EMULATED"})
        page, next_cursor = _page(found, args, default=10, maximum=20)
        # Slack answers this method's cursor at the top level, not under response_metadata.
        return {"conversations": page, "next_cursor": next_cursor, "total_count": len(found)}

    # -- usergroups ------------------------------------------------------------------------

    def _usergroups_list(self, args):
        """An org token must name the workspace; its IdP groups are the groups connected to it."""
        team_id = self._team(args)
        groups = []
        for group_id, connection in self.connections.items():
            group = self.store.groups.get(group_id)
            if group is None or team_id not in connection["teams"]:
                continue
            groups.append({"id": group_id, "team_id": team_id, "is_usergroup": True, "is_idp_group": True,
                           "name": group["displayName"], "handle": group["displayName"].lower().replace(" ", "-"),
                           "date_delete": 0, "user_count": len(group["members"]),
                           "prefs": {"channels": sorted(c for c, t in connection["channels"].items() if t == team_id),
                                     "groups": []}})
        return {"usergroups": groups}


# -- argument parsing ------------------------------------------------------------------------


def parse_arguments(query, raw_body, content_type):
    """Arguments from the query string, a form body or a JSON body (Slack accepts all three)."""
    args = {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
    if not raw_body.strip():
        return args
    if "json" in (content_type or ""):
        try:
            body = json.loads(raw_body)
        except ValueError:
            raise WebApiError("invalid_json")
        if not isinstance(body, dict):
            raise WebApiError("invalid_json")
        args.update(body)
    else:
        args.update({key: values[-1] for key, values in
                     parse_qs(raw_body.decode("utf-8", "replace"), keep_blank_values=True).items()})
    return args


def _required(args, key):
    value = args.get(key)
    if value in (None, "", []):
        raise _invalid_arguments("missing required field: %s" % key)
    return value


def _id_list(value):
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item.strip() for item in str(value).split(",") if item.strip()]


def _boolean(args, key, default):
    value = args.get(key)
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true")


def _partial(invalid):
    if invalid:
        raise WebApiError("channel_not_found", invalid_channels=invalid)
    return {}


def _page(items, args, default, maximum):
    """``(items of this page, next cursor)``: ``limit`` items from the offset the cursor encodes."""
    try:
        limit = int(args.get("limit") or default)
    except (TypeError, ValueError):
        raise WebApiError("invalid_limit")
    if not 1 <= limit <= maximum:
        raise WebApiError("invalid_limit")
    offset = 0
    if args.get("cursor"):
        try:
            offset = int(base64.b64decode(str(args["cursor"]).encode(), validate=True).decode().split(":")[1])
        except (ValueError, IndexError, binascii.Error, UnicodeDecodeError):
            raise WebApiError("invalid_cursor")
    end = offset + limit
    next_cursor = base64.b64encode(("offset:%d" % end).encode()).decode() if end < len(items) else ""
    return items[offset:end], next_cursor


def _email(user):
    emails = user.get("emails") or []
    primary = next((e for e in emails if e.get("primary")), emails[0] if emails else {})
    return primary.get("value", "")


def _org_wide(channel):
    """An org-wide channel (everyone is a member): Slack refuses it as an IdP group's default channel."""
    return channel["is_org_default"] or channel["is_org_mandatory"]


def _is_bot(user):
    return str(user.get("userType") or "").lower() == "bot"
