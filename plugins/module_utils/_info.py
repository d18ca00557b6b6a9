# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Queries for the slack_scim_info module and lookup: one GET, one filtered search, or a listing.

Internal to scim.slack; the API may change.  No Ansible imports.
"""

from __future__ import annotations

import re

from ansible_collections.scim.slack.plugins.module_utils._client import MAX_PAGE_SIZE
from ansible_collections.scim.slack.plugins.module_utils._group import SLACK_GROUP_ID
from ansible_collections.scim.slack.plugins.module_utils._user_attributes import user_params_from_resource
from ansible_collections.scim.slack.plugins.module_utils._user_values import folded, is_bot, is_guest, is_user_id
from ansible_collections.scim.slack.plugins.module_utils._webapi import (
    UnknownWorkspaceError,
    WebApiClient,
    WorkspaceIndex,
)

RESOURCES = ("users", "groups", "workspaces", "channels", "service_provider_config")
QUERY_OPTIONS = ("id", "user_name", "email", "display_name", "filter", "active", "guest", "expand_members", "grid",
                 "name", "query", "workspace", "private", "count", "limit")
# The query options each resource takes (count and limit aside).
RESOURCE_OPTIONS = {
    "users": ("id", "user_name", "email", "filter", "active", "guest", "grid"),
    "groups": ("id", "display_name", "filter", "expand_members", "grid"),
    "workspaces": ("id", "name"),
    "channels": ("name", "query", "workspace", "private"),
    "service_provider_config": (),
}
# Options that are false by default: false is the same as not given.
FLAGS = ("expand_members", "grid")
WORKSPACE_ID = re.compile(r"^T[A-Z0-9]{2,}$")


class QueryError(ValueError):
    """Invalid query options; the message names the option and the value."""


class InfoQuery:
    def __init__(self, resource, options):
        self.resource = resource
        self.options = {key: options.get(key) for key in QUERY_OPTIONS}
        self.count = self.options["count"] if self.options["count"] is not None else MAX_PAGE_SIZE
        self.limit = self.options["limit"]
        self.dialect = None  # known once run() has a client
        self._validate()

    def _validate(self):
        resource, options = self.resource, self.options
        if resource not in RESOURCES:
            raise QueryError("resource must be one of %s, got %r" % (", ".join(RESOURCES), resource))
        given = [key for key in QUERY_OPTIONS if options[key] is not None and key not in ("count", "limit")
                 and not (key in FLAGS and options[key] is False)]
        wrong = [key for key in given if key not in RESOURCE_OPTIONS[resource]]
        if wrong:
            raise QueryError("%s cannot be used with resource %s" % (wrong[0], resource))
        if not isinstance(self.count, int) or not 1 <= self.count <= MAX_PAGE_SIZE:
            raise QueryError("count must be between 1 and %d, got %r" % (MAX_PAGE_SIZE, self.count))
        if self.limit is not None and (not isinstance(self.limit, int) or self.limit < 1):
            raise QueryError("limit must be 1 or more, got %r" % (self.limit,))
        resource_id = options["id"]
        if resource_id is not None:
            pattern = {"groups": SLACK_GROUP_ID, "workspaces": WORKSPACE_ID}.get(resource)
            valid = is_user_id(resource_id) if resource == "users" else \
                isinstance(resource_id, str) and pattern.match(resource_id)
            if not valid:
                raise QueryError("id %r is not a Slack %s ID" % (resource_id, resource[:-1]))
        for key in ("user_name", "email", "display_name", "filter", "name", "query", "workspace"):
            if options[key] is not None and (not isinstance(options[key], str) or not options[key].strip()):
                raise QueryError("%s must be a non-empty string, got %r" % (key, options[key]))
        for key in ("active", "guest", "private") + FLAGS:
            if options[key] is not None and not isinstance(options[key], bool):
                raise QueryError("%s must be true or false, got %r" % (key, options[key]))

    def server_filter(self, dialect):
        """The one SCIM filter sent to Slack; every other condition is checked on the client.

        Slack documents single ``attribute eq value`` filters (users by userName or email, groups
        by displayName), not ``and``-combined ones, so at most one condition goes to the server:
        the raw ``filter`` if given, else the most selective identity.
        """
        if self.options["filter"]:
            return self.options["filter"]
        if self.options["user_name"]:
            return dialect.eq_filter("userName", self.options["user_name"])
        if self.options["email"]:
            return dialect.eq_filter(dialect.email_filter_attribute, self.options["email"])
        if self.options["display_name"]:
            return dialect.eq_filter("displayName", self.options["display_name"])
        return None

    def matches(self, item):
        """Client-side checks: exact (case-insensitive) identities, and ``active``."""
        options = self.options
        if options["active"] is not None and bool(item.get("active")) is not options["active"]:
            return False
        if options["guest"] is not None and is_guest(item, self.dialect) is not options["guest"]:
            return False
        if options["user_name"] and folded(item.get("userName", "")) != folded(options["user_name"]):
            return False
        if options["email"] and not any(folded(e.get("value", "")) == folded(options["email"])
                                        for e in item.get("emails") or []):
            return False
        if options["display_name"] and folded(item.get("displayName", "")) != folded(options["display_name"]):
            return False
        return True

    def run(self, client):
        """(resources, total_results) or, for service_provider_config, (config, None)."""
        self.dialect = client.dialect
        found, total = self._run(client)
        if self.options["expand_members"] and found:
            expand_members(client, found)
        if self.options["grid"] and found:
            add_grid_details(WebApiClient(client), self.resource, found)
        return found, total

    def _run(self, client):
        if self.resource == "service_provider_config":
            return client.service_provider_config(), None
        if self.resource == "workspaces":
            return self._limited(self._workspaces(WebApiClient(client)))
        if self.resource == "channels":
            return self._channels(WebApiClient(client))
        path = "Users" if self.resource == "users" else "Groups"
        if self.options["id"]:
            item = client.get_user(self.options["id"]) if path == "Users" else client.get_group(self.options["id"])
            found = [item] if item is not None and self.matches(item) else []
            return found, len(found)
        items, seen, total = [], set(), None
        conditions = [key for key in ("user_name", "email", "display_name", "filter") if self.options[key]]
        client_side_only = self.options["active"] is not None or self.options["guest"] is not None or \
            len(conditions) > 1
        for page in client.pages(path, filter=self.server_filter(client.dialect), count=self.count):
            if total is None:
                total = page.get("totalResults")
            for item in page.get("Resources") or []:  # each with an id: the client checks every page
                if item["id"] in seen or not self.matches(item):
                    continue
                seen.add(item["id"])
                items.append(item)
                if self.limit is not None and len(items) >= self.limit:
                    return items, len(items) if client_side_only else total
        if client_side_only or total is None:
            total = len(items)
        return items, total

    def _limited(self, found):
        """(at most ``limit`` of ``found``, how many matched)."""
        return found[:self.limit] if self.limit is not None else found, len(found)

    def _workspaces(self, web):
        """The organization's workspaces from one ``admin.teams.list`` listing, as ``id``, ``name``, ``domain``."""
        teams = WorkspaceIndex(web.teams()).teams
        wanted_id, wanted_name = self.options["id"], self.options["name"]
        if wanted_id:
            teams = [team for team in teams if team["id"] == wanted_id]
        if wanted_name:
            wanted = folded(wanted_name)
            teams = [team for team in teams if wanted in (folded(team["name"]), folded(team["domain"] or ""))]
        return teams

    def _channels(self, web):
        """A channel search (``admin.conversations.search``): ``name`` exactly, or ``query`` as Slack matches it,
        in one ``workspace`` (ID or name) if given; ``private`` narrows it to private or public channels."""
        options = self.options
        team_ids = None
        if options["workspace"]:
            try:
                team_ids = [WorkspaceIndex(web.teams()).resolve(options["workspace"])["id"]]
            except UnknownWorkspaceError as exc:
                raise QueryError(str(exc))
        types = None if options["private"] is None else ["private" if options["private"] else "public"]
        name = folded(options["name"].lstrip("#")) if options["name"] else None
        found = []
        for channel in web.search_channels(query=name or options["query"], team_ids=team_ids, channel_types=types):
            if name is None or folded(channel.get("name", "")) == name:
                found.append(channel)
                if self.limit is not None and len(found) >= self.limit:
                    break
        return found, len(found)


def add_grid_details(web, resource, found):
    """Enterprise Grid's side of users and groups, read once for all of ``found``.

    A user gets ``workspaces`` (its workspace IDs, from one ``admin.users.list`` of the organization; None for
    a user that listing leaves out, a deactivated one).  A group gets ``workspaces`` (the IDs of the
    workspaces it is connected to, from one ``usergroups.list`` per workspace) and ``channels`` (its default
    channels, one ``admin.usergroups.listChannels`` each, as ``id``, ``name`` and ``workspace``).
    """
    if resource == "users":
        listed = web.org_users()
        for user in found:
            entry = listed.get(user.get("id"))
            user["workspaces"] = None if entry is None else list(entry.get("workspaces") or [])
        return
    connected = web.connected_groups([team["id"] for team in web.teams()])
    for group in found:
        group["workspaces"] = sorted(team_id for team_id, groups in connected.items() if group.get("id") in groups)
        group["channels"] = [{"id": channel["id"], "name": channel.get("name"), "workspace": channel.get("team_id")}
                             for channel in web.group_channels(group["id"])]


def expand_members(client, groups):
    """Give every member of ``groups`` its user (``member["user"]``), from one listing of the users."""
    users = {user["id"]: user for user in client.iter_users()}
    for group in groups:
        for member in group.get("members") or []:
            if isinstance(member, dict):
                member["user"] = users.get(member.get("value"))


def export_directory(client, grid=False):
    """The organization as slack_scim_sync's input: ``{"users": [...], "groups": [...]}``.

    Active users other than bots, every group with its members by user name; with ``grid``, Enterprise
    Grid's side too (``add_grid_details``): each user's ``workspaces``, each group's ``workspaces`` and
    ``channels``, all by ID (a channel name may repeat across workspaces).  A sync of it changes nothing.
    """
    users = list(client.iter_users())
    names = {user["id"]: user.get("userName") for user in users}
    exported = [dict(user) for user in users if user.get("active") and not is_bot(user)]  # grid details go on copies
    groups = [dict(group) for group in client.iter_groups()]
    web = WebApiClient(client) if grid else None
    if grid and exported:
        add_grid_details(web, "users", exported)
    if grid and groups:
        add_grid_details(web, "groups", groups)
    exported_users = [_exported_user(user, client.dialect) for user in exported]
    exported_groups = [_exported_group(group, names) for group in groups]
    return {"users": sorted(exported_users, key=lambda user: user["user_name"]),
            "groups": sorted(exported_groups, key=lambda group: folded(group["display_name"]))}


def _exported_user(user, dialect):
    params = user_params_from_resource(user, dialect)
    if user.get("workspaces") is not None:  # a user Slack's admin.users.list leaves out keeps them unmanaged
        params["workspaces"] = sorted(user["workspaces"])
    return params


def _exported_group(group, names):
    members = sorted(names.get(m.get("value")) or m.get("value") for m in group.get("members") or []
                     if isinstance(m, dict) and m.get("value"))
    exported = {"display_name": group.get("displayName"), "members": {"set": members}}
    if "workspaces" in group:
        exported["workspaces"] = list(group["workspaces"])
        exported["channels"] = sorted(channel["id"] for channel in group["channels"])
    return exported
