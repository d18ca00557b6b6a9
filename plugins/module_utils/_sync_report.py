# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync's result: the summary counts, the changes and the diff of a plan as it was carried out.

Internal to scim.slack; the API may change.  No Ansible imports.
"""

from __future__ import annotations

USER_COUNTS = {"create": "created", "update": "updated", "reactivate": "reactivated", "deactivate": "deactivated"}
GROUP_COUNTS = {"create": "created", "update": "updated", "delete": "deleted"}


def report(plan):
    """(summary, changes, diff) in the shape slack_scim_sync returns; failed writes count as failed only.

    ``diff`` is a list with one {before_header, after_header, before, after} per changed resource.
    """
    summary = {"users": dict.fromkeys(("created", "updated", "deactivated", "reactivated", "unchanged", "failed",
                                       "to_guest", "to_member", "workspaces_added", "workspaces_removed"), 0),
               "groups": dict.fromkeys(("created", "updated", "deleted", "unchanged", "failed", "members_added",
                                        "members_removed", "workspaces_connected", "channels_added",
                                        "channels_removed"), 0)}
    changes, diff = [], []
    for entry in plan.users:
        outcome = entry.outcome
        if not _counted(summary["users"], entry, entry.transition, USER_COUNTS):
            continue
        if "guest" in outcome.changed_attributes and entry.transition != "create":
            summary["users"]["to_guest" if outcome.after.get("guest") else "to_member"] += 1
        changes.append({"resource": "user", "id": entry.user_id, "name": (outcome.user or {}).get("userName") or
                        entry.name, "action": entry.transition, "attributes": sorted(outcome.changed_attributes)})
        diff.append(_diff(entry.headers, outcome))
    for change in plan.user_workspaces:
        if change.entry.failure is None:
            summary["users"]["workspaces_added"] += len(change.plan.add)
            summary["users"]["workspaces_removed"] += len(change.plan.remove)
    connections = {id(change.entry): change for change in plan.group_connections}
    for entry in plan.groups:
        outcome = entry.outcome
        if not _counted(summary["groups"], entry, outcome.action, GROUP_COUNTS):
            continue
        connection = connections.get(id(entry))
        if connection is not None:
            summary["groups"]["workspaces_connected"] += len(connection.plan.connect)
            summary["groups"]["channels_added"] += len(connection.plan.channels_added)
            summary["groups"]["channels_removed"] += len(connection.plan.remove_channels)
        summary["groups"]["members_added"] += len(outcome.members_added)
        summary["groups"]["members_removed"] += len(outcome.members_removed)
        attributes = []
        if outcome.after and outcome.before.get("display_name") not in (None, outcome.after.get("display_name")):
            attributes.append("display_name")
        if outcome.members_added or outcome.members_removed:
            attributes.append("members")
        if connection is not None:
            attributes.extend(connection.attributes)
        changes.append({"resource": "group", "id": entry.group_id, "name": entry.name, "action": outcome.action,
                        "attributes": attributes})
        diff.append(_diff(entry.headers, outcome))
    return summary, changes, diff


def _counted(counts, entry, action, names):
    """Count an entry under ``failed``, ``unchanged`` or the name of its action; whether it changed."""
    key = "failed" if entry.failure is not None else "unchanged" if action is None else names[action]
    counts[key] += 1
    return key == names.get(action)


def _diff(headers, outcome):
    return {"before_header": headers[0], "after_header": headers[1], "before": outcome.before,
            "after": outcome.after}
