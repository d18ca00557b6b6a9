# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An IdP group's Enterprise Grid connections: the workspaces it is connected to and its default channels.

Internal to scim.slack; the API may change.  No Ansible imports.

The interface, for slack_scim_group (one group) and slack_scim_sync (many):

``ConnectionSpec.parse(value, option)``
    One option, ``workspaces`` or ``channels``: the ``add``/``remove``/``set`` dict or a plain list (the exact
    set), or None (not managed).  Bad input raises :class:`ConnectionsError` naming the option, the entry and
    its value; ``option`` (``groups[2].channels`` in the sync) names it in the planning's errors too.
    ``GroupConnections(workspaces=..., channels=...)`` holds a group's two specs (``.manages``,
    ``.manages_channels``); ``connections_argument_spec()`` is the argspec of either option.
``ConnectionReader(web)``
    ``.index``: the organization's workspaces (one ``admin.teams.list``, read once).
    ``.read(group_ids, channels_of=())``: ``{group id: Connections}`` (``.workspaces``, a set of IDs;
    ``.channels``, ``{channel id: {"id", "name", "team_id"}}`` or None when not read), from one
    ``usergroups.list`` per workspace for all the groups, plus one ``admin.usergroups.listChannels`` per group
    in ``channels_of``.  ``Connections.none()`` is what a group to be created has: it is not read.
``ConnectionResolver(web, index)``
    Turns workspace and channel entries into workspaces and channels; each channel search
    (``admin.conversations.search``) is made once for all the groups planned with it.
``plan_connections(resolver, connections, current, group="the group")``
    The :class:`ConnectionPlan` (``.changed``, ``.removals``, ``.before``/``.after`` for the diff, ``.connect``,
    ``.add_channels`` ``{team id: [channel ids]}``, ``.remove_channels``, and ``described(...)`` labels such
    as ``Engineering (T…)`` and ``#eng-deploys (C…)``).  Everything Slack would refuse or cannot do raises
    :class:`ConnectionsError` here, before any write: a disconnection (Slack has no method for it), an
    org-wide default channel, a channel in a workspace the group will not be connected to, an unknown
    or ambiguous entry.
``apply_connections(web, group_id, plan)``
    ``admin.usergroups.addTeams``, ``addChannels`` (per workspace, 100 a call), ``removeChannels``.  A partial
    success (``invalid_channels``) raises :class:`PartialConnectionsError` once every call was sent.
``ConnectionPlan.methods``
    The Web API methods applying the plan calls, for ``WebApiClient.require_scopes`` (before the first write).
``converge_group_with_connections(client, spec, connections, check_mode)``
    slack_scim_group's task: the SCIM plan and the connection plan, both before any write, then the SCIM write,
    then ``apply_connections``.  An error after a write carries ``applied = True``.
"""

from __future__ import annotations

import difflib
import itertools
import re

from ansible_collections.scim.slack.plugins.module_utils._finders import ClientFinder
from ansible_collections.scim.slack.plugins.module_utils._group import (
    MemberResolver,
    apply_group,
    converge_group,
    find_group,
    plan_group,
)
from ansible_collections.scim.slack.plugins.module_utils._user_values import same_text
from ansible_collections.scim.slack.plugins.module_utils._user_workspaces import KEYS, workspaces_argument_spec
from ansible_collections.scim.slack.plugins.module_utils._webapi import (
    CHANNELS_PER_CALL,
    UnknownWorkspaceError,
    WebApiClient,
    WebApiError,
    WorkspaceIndex,
    describe_workspace,
)

CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")
# A name that matches nothing is compared with this many channels of a broader search, for close matches.
CLOSE_MATCH_POOL = 100
WRITE_METHODS = ("admin.usergroups.addTeams", "admin.usergroups.addChannels", "admin.usergroups.removeChannels")
NO_DISCONNECT = ("Slack offers no way to disconnect an IdP group from a workspace (no Web API method; only the "
                 "org dashboard does it)")


def connections_argument_spec():
    """The argspec of ``workspaces`` and ``channels``: the add/remove/set dict a user's ``workspaces`` takes."""
    return workspaces_argument_spec()


class ConnectionsError(ValueError):
    """Invalid ``workspaces`` or ``channels``, or a change Slack would not make; nothing was changed."""


class PartialConnectionsError(ConnectionsError):
    """Slack applied some of the channels and refused others (``invalid_channels``)."""


class ConnectionSpec:
    """One option: entries to ``add``, to ``remove``, or the exact ``set`` (None: not declared)."""

    def __init__(self, option, add=(), remove=(), exact=None):
        self.option = option
        self.add = list(add)
        self.remove = list(remove)
        self.set = None if exact is None else list(exact)

    @classmethod
    def parse(cls, value, option):
        """The spec of ``value``: the add/remove/set dict, a plain list (the exact set) or None."""
        if value is None:
            return cls(option)
        if isinstance(value, (list, tuple)):
            value = {"set": list(value)}
        if not isinstance(value, dict):
            raise ConnectionsError("%s must be a list or a dict with the keys add, remove and set, not %r"
                                   % (option, value))
        unknown = sorted(str(key) for key in value if key not in KEYS)
        if unknown:
            raise ConnectionsError("%s has the unknown key(s) %s; the keys are add, remove and set"
                                   % (option, ", ".join(unknown)))
        for key in KEYS:
            entries = value.get(key)
            if entries is not None and not isinstance(entries, (list, tuple)):
                raise ConnectionsError("%s.%s must be a list, not %r" % (option, key, entries))
            for position, entry in enumerate(entries or []):
                if not isinstance(entry, str) or not entry.strip():
                    raise ConnectionsError("%s.%s entry %d is empty or not a string: %r" % (option, key, position + 1,
                                                                                            entry))
        if value.get("set") is not None and (value.get("add") or value.get("remove")):
            raise ConnectionsError("%s.set cannot be combined with %s.add or %s.remove" % (option, option, option))
        return cls(option, value.get("add") or (), value.get("remove") or (), value.get("set"))

    @property
    def manages(self):
        return self.set is not None or bool(self.add) or bool(self.remove)

    def target(self, current, resolved):
        """The IDs wanted, given the ``current`` IDs and ``resolved`` ``{key: [ids]}``."""
        if self.set is not None:
            return set(resolved["set"])
        return (set(current) | set(resolved["add"])) - set(resolved["remove"])


class GroupConnections:
    """A group's ``workspaces`` and ``channels`` specs."""

    def __init__(self, workspaces=None, channels=None):
        self.workspaces = workspaces if isinstance(workspaces, ConnectionSpec) else \
            ConnectionSpec.parse(workspaces, "workspaces")
        self.channels = channels if isinstance(channels, ConnectionSpec) else \
            ConnectionSpec.parse(channels, "channels")

    @property
    def manages(self):
        return self.workspaces.manages or self.channels.manages

    @property
    def manages_channels(self):
        return self.channels.manages


class Connections:
    """What a group has: the workspace IDs it is connected to, its default channels (None: not read)."""

    def __init__(self, workspaces=(), channels=None):
        self.workspaces = set(workspaces)
        self.channels = None if channels is None else dict(channels)

    @classmethod
    def none(cls):
        """A group that does not exist yet: connected nowhere, no channels."""
        return cls((), {})


class ConnectionReader:
    """Reads the connections of many groups from as few listings as Slack allows."""

    def __init__(self, web):
        self.web = web
        self._index = None

    @property
    def index(self):
        if self._index is None:
            self._index = WorkspaceIndex(self.web.teams())
        return self._index

    def read(self, group_ids, channels_of=()):
        """``{group id: Connections}``: one ``usergroups.list`` per workspace for all of ``group_ids``, one
        ``admin.usergroups.listChannels`` for each group of ``channels_of``."""
        group_ids = list(dict.fromkeys(group_ids))
        if not group_ids:
            return {}
        connected = self.web.connected_groups([team["id"] for team in self.index.teams])
        wanted_channels = set(channels_of)
        result = {}
        for group_id in group_ids:
            workspaces = {team_id for team_id, groups in connected.items() if group_id in groups}
            channels = None
            if group_id in wanted_channels:
                channels = {channel["id"]: {"id": channel["id"], "name": channel.get("name") or "",
                                            "team_id": channel.get("team_id")}
                            for channel in self.web.group_channels(group_id)}
            result[group_id] = Connections(workspaces, channels)
        return result


def describe_channel(channel):
    return "#%s (%s)" % (channel.get("name") or "?", channel["id"])


def _channel_teams(found):
    """The workspaces a channel of a search belongs to (``internal_team_ids``, else its context workspace)."""
    teams = [team for team in found.get("internal_team_ids") or [] if team]
    if not teams:
        teams = [team for team in (found.get("context_team_id"), found.get("internal_team_ids_sample_team")) if team]
    return sorted(set(teams))


def _from_search(found):
    return {"id": found["id"], "name": found.get("name") or "", "teams": _channel_teams(found),
            "org_wide": bool(found.get("is_org_default") or found.get("is_org_mandatory"))}


class ConnectionResolver:
    """Workspace and channel entries to workspaces and channels, each channel search made once."""

    def __init__(self, web, index):
        self.web = web
        self.index = index
        self._searches = {}
        self._everything = None

    def workspace(self, entry, option):
        try:
            return self.index.resolve(entry, option=option)
        except UnknownWorkspaceError as exc:
            raise ConnectionsError(str(exc))

    def _search(self, query):
        if query not in self._searches:
            self._searches[query] = [_from_search(found) for found in self.web.search_channels(query=query)]
        return self._searches[query]

    def _all_channels(self):
        """Every channel the token can find, for IDs that are not among a group's channels (one paged search)."""
        if self._everything is None:
            self._everything = {found["id"]: _from_search(found) for found in self.web.search_channels()}
        return self._everything

    def channel(self, entry, option, linked, workspaces):
        """The channel ``entry`` names: from the group's ``linked`` channels when it is one of them, else
        from a search; a name is looked for in ``workspaces`` (the group's, after the plan) first."""
        entry = entry.strip()
        if CHANNEL_ID.match(entry):
            return self._by_id(entry, option, linked)
        name = entry.lstrip("#")
        among_linked = [dict(channel, teams=[channel.get("team_id")]) for channel in linked.values()
                        if same_text(channel["name"], name)]
        found = among_linked or [channel for channel in self._search(name) if same_text(channel["name"], name)]
        if not found:
            raise ConnectionsError("%s %r is no channel the token can find%s" % (
                option, entry, self._close_matches(entry.lstrip("#"))))
        inside = [channel for channel in found if set(channel["teams"]) & workspaces]
        candidates = inside or found
        if len(candidates) > 1:
            raise ConnectionsError("%s %r names %d channels: %s; use the channel ID" % (
                option, entry, len(candidates), "; ".join(
                    "%s in %s" % (describe_channel(channel), self._workspaces_of(channel)) for channel in candidates)))
        return candidates[0]

    def _by_id(self, channel_id, option, linked):
        if channel_id in linked:
            channel = linked[channel_id]
            return dict(channel, teams=[channel.get("team_id")])
        channel = self._all_channels().get(channel_id)
        if channel is None:
            raise ConnectionsError("%s %r is no channel the token can find (admin.conversations.search does not "
                                   "list it)" % (option, channel_id))
        return channel

    def _close_matches(self, name):
        pool = self._search(name) or self._search(name[:3])
        names = sorted({channel["name"] for channel in itertools.islice(pool, CLOSE_MATCH_POOL)})
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        if not close:
            return ""
        by_name = {}
        for channel in pool:
            by_name.setdefault(channel["name"], []).append(channel)
        return "; close matches: %s" % ", ".join(describe_channel(channel) for label in close
                                                 for channel in by_name[label])

    def _workspaces_of(self, channel):
        labels = {team["id"]: describe_workspace(team) for team in self.index.teams}
        return ", ".join(labels.get(team, team) for team in channel.get("teams") or []) or "no workspace"

    def describe_workspaces(self, team_ids):
        return self._workspaces_of({"teams": sorted(team_ids)})


class ConnectionPlan:
    """What bringing one group's connections to the declared state writes, and the diff views."""

    def __init__(self, connect=(), add_channels=None, remove_channels=(), before=None, after=None, labels=None):
        self.connect = sorted(connect)
        self.add_channels = {team: sorted(ids) for team, ids in sorted((add_channels or {}).items()) if ids}
        self.remove_channels = sorted(remove_channels)
        self.before = before or {}
        self.after = after or {}
        self.labels = labels or {}

    @property
    def changed(self):
        return bool(self.connect or self.add_channels or self.remove_channels)

    @property
    def removals(self):
        """How many connections the plan removes (only channels: Slack cannot disconnect a workspace)."""
        return len(self.remove_channels)

    @property
    def channels_added(self):
        return sorted(channel for ids in self.add_channels.values() for channel in ids)

    def described(self, ids):
        return sorted(self.labels.get(item, item) for item in ids)

    @property
    def methods(self):
        """The Web API methods applying the plan calls."""
        return [method for method, needed in zip(WRITE_METHODS, (self.connect, self.add_channels,
                                                                 self.remove_channels)) if needed]


def _resolve_workspaces(resolver, spec):
    resolved = {}
    for key in KEYS:
        entries = getattr(spec, key)
        resolved[key] = [] if entries is None else \
            [resolver.workspace(entry, "%s.%s entry" % (spec.option, key))["id"] for entry in entries]
    both = set(resolved["add"]) & set(resolved["remove"])
    if both:
        raise ConnectionsError("%s.add and %s.remove both name %s" % (
            spec.option, spec.option, resolver.describe_workspaces(both)))
    return resolved


def _plan_workspaces(resolver, spec, current, group):
    """The target workspace IDs; a connected workspace the spec would drop fails (Slack cannot disconnect)."""
    if not spec.manages:
        return set(current)
    target = spec.target(current, _resolve_workspaces(resolver, spec))
    dropped = set(current) - target
    if dropped:
        asked = "%s.%s" % (spec.option, "set leaves out" if spec.set is not None else "remove names")
        raise ConnectionsError("%s %s, which %s is connected to: %s; remove it in the org dashboard, or keep it in "
                               "workspaces; nothing was changed" % (asked, resolver.describe_workspaces(dropped),
                                                                    group, NO_DISCONNECT))
    return target


def _plan_channels(resolver, spec, linked, workspaces):
    """``(target {id: channel}, resolved {key: [channel]})``; org-wide channels to add fail."""
    resolved = {}
    for key in KEYS:
        entries = getattr(spec, key)
        resolved[key] = [] if entries is None else \
            [resolver.channel(entry, "%s.%s entry" % (spec.option, key), linked, workspaces) for entry in entries]
    both = {c["id"] for c in resolved["add"]} & {c["id"] for c in resolved["remove"]}
    if both:
        raise ConnectionsError("%s.add and %s.remove both name %s" % (
            spec.option, spec.option, ", ".join(describe_channel(c) for c in resolved["add"] if c["id"] in both)))
    adding = resolved["set"] if spec.set is not None else resolved["add"]
    org_wide = [channel for channel in adding if channel.get("org_wide") and channel["id"] not in linked]
    if org_wide:
        raise ConnectionsError("%s: %s %s an org-wide default channel; Slack refuses to make org-wide channels "
                               "default channels of an IdP group (everyone is a member anyway); nothing was changed"
                               % (spec.option, ", ".join(describe_channel(c) for c in org_wide),
                                  "is" if len(org_wide) == 1 else "are each"))
    by_id = {channel["id"]: channel for key in KEYS for channel in resolved[key]}
    by_id.update({channel_id: dict(channel, teams=[channel.get("team_id")]) for channel_id, channel in linked.items()})
    target = spec.target(linked, {key: [c["id"] for c in resolved[key]] for key in KEYS})
    return {channel_id: by_id[channel_id] for channel_id in target}


def _channel_workspace(resolver, channel, workspaces, group, connections):
    """The workspace to link ``channel`` in: one of the group's (the first by ID) that has it."""
    inside = sorted(set(channel.get("teams") or []) & workspaces)
    if not inside:
        raise ConnectionsError(
            "%s: %s is in %s, which %s will not be connected to; Slack answers usergroup_not_linked_to_team: add the "
            "workspace to %s; nothing was changed" % (
                connections.channels.option, describe_channel(channel),
                resolver.describe_workspaces(channel.get("teams") or []), group, connections.workspaces.option))
    return inside[0]


def plan_connections(resolver, connections, current, group="the group"):
    """The :class:`ConnectionPlan` bringing ``current`` (a :class:`Connections`) to ``connections``.

    ``current.channels`` must have been read when ``connections`` manages channels.  Raises
    :class:`ConnectionsError` for whatever Slack would refuse or cannot do, before any write.
    """
    labels = {team["id"]: describe_workspace(team) for team in resolver.index.teams}
    workspaces = _plan_workspaces(resolver, connections.workspaces, current.workspaces, group)
    before, after = {}, {}
    if connections.workspaces.manages:
        before["workspaces"] = sorted(labels.get(team, team) for team in current.workspaces)
        after["workspaces"] = sorted(labels.get(team, team) for team in workspaces)
    add_channels, remove_channels = {}, []
    if connections.manages_channels:
        linked = current.channels or {}
        target = _plan_channels(resolver, connections.channels, linked, workspaces)
        for channel_id, channel in target.items():
            labels[channel_id] = describe_channel(channel)
            if channel_id not in linked:
                team = _channel_workspace(resolver, channel, workspaces, group, connections)
                add_channels.setdefault(team, []).append(channel_id)
        remove_channels = [channel_id for channel_id in linked if channel_id not in target]
        labels.update({channel_id: describe_channel(channel) for channel_id, channel in linked.items()})
        before["channels"] = sorted(labels[channel_id] for channel_id in linked)
        after["channels"] = sorted(labels[channel_id] for channel_id in target)
    connect = workspaces - current.workspaces
    return ConnectionPlan(connect, add_channels, remove_channels, before, after, labels)


def apply_connections(web, group_id, plan):
    """Send the plan: connect first (a channel is linked only in a connected workspace), then the channels.

    A partial success does not stop the other calls; it raises :class:`PartialConnectionsError` at the end,
    naming the channels Slack refused and saying the rest was applied.  Any other error stops at once; its
    ``applied`` says whether an earlier call of the plan had been applied."""
    calls = [("admin.usergroups.addTeams", web.connect_group, plan.connect, {})] if plan.connect else []
    calls += [("admin.usergroups.addChannels", web.add_group_channels, ids[start:start + CHANNELS_PER_CALL],
               {"team_id": team})
              for team, ids in plan.add_channels.items() for start in range(0, len(ids), CHANNELS_PER_CALL)]
    calls += [("admin.usergroups.removeChannels", web.remove_group_channels,
               plan.remove_channels[start:start + CHANNELS_PER_CALL], {})
              for start in range(0, len(plan.remove_channels), CHANNELS_PER_CALL)]
    refused = []
    for position, (method, send, ids, extra) in enumerate(calls):
        try:
            send(group_id, ids, **extra)
        except WebApiError as exc:
            if not exc.invalid or method == "admin.usergroups.addTeams":
                exc.applied = position > 0
                raise
            refused.append((method, exc.error, exc.invalid))
    if refused:
        raise PartialConnectionsError("Slack refused some channels of group %s, and applied the others: %s" % (
            group_id, "; ".join("%s: %s for %s" % (method, error, ", ".join(plan.described(ids)))
                                for method, error, ids in refused)))


def converge_group_with_connections(client, spec, connections, check_mode=False):
    """Converge one group (``converge_group``) and, when ``connections`` manages any, its connections.

    Everything is read and checked first: the workspaces (``admin.teams.list``), the group (SCIM), its
    connections (``usergroups.list`` per workspace, ``listChannels`` when channels are managed; nothing for a
    group to be created), the channels named.  Then the SCIM write, then the connections.  Returns
    ``(outcome, plan)``; ``plan`` is None when no connection is managed.
    """
    if not connections.manages:
        return converge_group(client, spec, check_mode), None
    if spec.state == "absent":
        raise ConnectionsError("workspaces and channels cannot be used with state: absent (a deleted group has no "
                               "connections); nothing was changed")
    web = WebApiClient(client)
    reader = ConnectionReader(web)
    finder = ClientFinder(client)
    group = find_group(finder, spec)
    outcome = plan_group(finder, MemberResolver(client), spec, group, check_mode=check_mode)
    if group is None:
        current, name = Connections.none(), "the new group %s" % spec.display_name
    else:
        channels_of = [group["id"]] if connections.manages_channels else ()
        current = reader.read([group["id"]], channels_of=channels_of)[group["id"]]
        name = "group %s (%s)" % (group["id"], group.get("displayName"))
    plan = plan_connections(ConnectionResolver(web, reader.index), connections, current, name)
    web.require_scopes(plan.methods)
    if not check_mode:
        outcome = apply_group(client, outcome)
        try:
            apply_connections(web, outcome.group["id"], plan)
        except WebApiError as exc:
            exc.applied = getattr(exc, "applied", False) or outcome.changed
            raise
    return merged(outcome, plan), plan


def merged(outcome, plan):
    """The group's outcome with the connection changes: changed, and in the diff."""
    if not plan.changed:
        return outcome
    outcome.action = outcome.action or "update"
    outcome.before = dict(outcome.before, **plan.before)
    outcome.after = dict(outcome.after, **plan.after)
    return outcome
