# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A user's Enterprise Grid workspaces: the ``workspaces`` option of slack_scim_user.

Internal to scim.slack; the API may change.  No Ansible imports.

Everything is read and checked before the first write: the workspaces named (one ``admin.teams.list``),
the user (the SCIM plan), and the user's workspaces (one ``admin.users.list`` of the organization).
Then the SCIM write, if any, and one ``admin.users.assign`` or ``admin.users.remove`` per workspace that
differs.
"""

from __future__ import annotations

from ansible_collections.scim.slack.plugins.module_utils._finders import ClientFinder
from ansible_collections.scim.slack.plugins.module_utils._user_plan import apply_user, converge_user, plan_user
from ansible_collections.scim.slack.plugins.module_utils._user_values import is_guest
from ansible_collections.scim.slack.plugins.module_utils._webapi import (
    UnknownWorkspaceError,
    WebApiClient,
    WorkspaceIndex,
    describe_workspace,
)

KEYS = ("add", "remove", "set")


def workspaces_argument_spec():
    return dict(type="dict", options={key: dict(type="list", elements="str") for key in KEYS})


class WorkspacesError(ValueError):
    """Invalid ``workspaces``, or a change Slack would not make as asked; nothing was changed."""


class WorkspacesSpec:
    """The ``workspaces`` option: workspace IDs or names to ``add``, ``remove``, or the exact ``set``."""

    def __init__(self, value):
        value = {"set": value} if isinstance(value, list) else value or {}
        self.add = list(value.get("add") or [])
        self.remove = list(value.get("remove") or [])
        self.set = value.get("set")
        if self.set is not None and (self.add or self.remove):
            raise WorkspacesError("workspaces.set cannot be combined with workspaces.add or workspaces.remove")
        for key in KEYS:
            for entry in value.get(key) or []:
                if not isinstance(entry, str) or not entry.strip():
                    raise WorkspacesError("workspaces.%s has an empty entry: %r" % (key, entry))

    @property
    def manages(self):
        return self.set is not None or bool(self.add) or bool(self.remove)

    def resolve(self, index):
        """``{key: [workspace]}`` with every entry resolved by ``index``; an unknown or doubly named one fails."""
        resolved = {}
        for key in KEYS:
            entries = getattr(self, key)
            try:
                resolved[key] = None if entries is None else \
                    [index.resolve(entry, option="workspaces.%s entry" % key) for entry in entries]
            except UnknownWorkspaceError as exc:
                raise WorkspacesError(str(exc))
        both = {team["id"] for team in resolved["add"]} & {team["id"] for team in resolved["remove"]}
        if both:
            raise WorkspacesError("workspaces.add and workspaces.remove both name %s" % ", ".join(
                describe_workspace(team) for team in resolved["add"] if team["id"] in both))
        return resolved


class WorkspacePlan:
    """The workspaces to assign the user to and remove it from, and the diff views (sorted labels)."""

    def __init__(self, current, wanted, index):
        labels = {team["id"]: describe_workspace(team) for team in index.teams}
        current = set(current)
        if wanted["set"] is not None:
            target = {team["id"] for team in wanted["set"]}
        else:
            target = (current | {team["id"] for team in wanted["add"]}) - {team["id"] for team in wanted["remove"]}
        self.add = sorted(target - current)
        self.remove = sorted(current - target)
        self.before = sorted(labels.get(team_id, team_id) for team_id in current)
        self.after = sorted(labels.get(team_id, team_id) for team_id in target)
        self.labels = labels

    @property
    def methods(self):
        """The Web API methods applying the plan calls."""
        return (["admin.users.assign"] if self.add else []) + (["admin.users.remove"] if self.remove else [])

    @property
    def changed(self):
        return bool(self.add or self.remove)

    def described(self, team_ids):
        return [self.labels.get(team_id, team_id) for team_id in team_ids]


def converge_user_with_workspaces(client, spec, workspaces, check_mode=False):
    """Converge one user (``converge_user``) and, when ``workspaces`` manages any, its workspaces.

    Returns ``(outcome, plan)``; ``plan`` is None when no workspace is managed.
    """
    if not workspaces.manages:
        return converge_user(client, spec, check_mode), None
    check_present(spec)
    web = WebApiClient(client)
    index = WorkspaceIndex(web.teams())
    wanted = workspaces.resolve(index)
    outcome = plan_user(ClientFinder(client), spec, check_mode)
    user = outcome.resource or {}
    current, entry = current_workspaces(web.org_users, outcome, user)
    plan = WorkspacePlan(current, wanted, index)
    check_slack_allows(plan, entry, user)
    web.require_scopes(plan.methods)
    if not check_mode:
        outcome = apply_user(client, spec, outcome)
        user = outcome.resource or user
        apply_workspaces(web, user["id"], plan, is_guest(user, spec.dialect))
    return merged(outcome, plan), plan


def check_present(spec):
    if spec.state == "absent":
        raise WorkspacesError("workspaces cannot be used with state: absent (deactivating a user keeps Slack from "
                              "assigning it; remove the workspaces in a task with state: present first)")


def current_workspaces(org_users, outcome, user):
    """(the workspace IDs the user is in, its entry of ``org_users()``, the organization's ``admin.users.list``);
    a user to be created has none, and a deactivated one is refused before the listing."""
    name = "user %s (%s)" % (user.get("id"), user.get("userName"))
    if outcome.action == "create":
        return [], None
    if not user.get("active") or "active" in outcome.changed_attributes:
        raise WorkspacesError(
            "%s is deactivated (or this task changes whether it is active); Slack's admin.users.assign reactivates a "
            "deactivated user by itself, so workspaces are managed only for active users: reactivate it "
            "(active: true) in a task before this one; nothing was changed" % name)
    entry = org_users().get(user.get("id"))
    if entry is None:
        raise WorkspacesError("%s is active, but Slack's admin.users.list does not list it, so its workspaces "
                              "cannot be read; nothing was changed" % name)
    return list(entry.get("workspaces") or []), entry


def check_slack_allows(plan, entry, user):
    """Refuse, before any write, what Slack would refuse halfway: a bot assigned, the primary owner removed."""
    name = "user %s (%s)" % (user.get("id"), user.get("userName"))
    if entry and entry.get("is_bot") and plan.add:
        raise WorkspacesError("%s is a bot; Slack does not assign bots to workspaces (%s); nothing was changed"
                              % (name, ", ".join(plan.described(plan.add))))
    if entry and entry.get("is_primary_owner") and plan.remove:
        raise WorkspacesError("%s is the organization's primary owner; Slack does not remove it from a workspace "
                              "(%s); nothing was changed" % (name, ", ".join(plan.described(plan.remove))))


def apply_workspaces(web, user_id, plan, guest, before_each=lambda: None):
    """Assign the user to ``plan.add`` and remove it from ``plan.remove``; ``before_each`` paces the writes."""
    for team_id in plan.add:
        before_each()
        web.assign_user(team_id, user_id, guest=guest)
    for team_id in plan.remove:
        before_each()
        web.remove_user(team_id, user_id)


def merged(outcome, plan):
    """The user's outcome with the workspace changes: changed, diffed and named."""
    if not plan.changed:
        return outcome
    outcome.action = outcome.action or "update"
    outcome.changed_attributes.append("workspaces")
    outcome.before["workspaces"] = plan.before
    outcome.after["workspaces"] = plan.after
    return outcome
