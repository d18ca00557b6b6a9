# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync's safety limits: the plan fails, before the first write, when it changes more than they allow.

Internal to scim.slack; the API may change.  No Ansible imports.
"""

from __future__ import annotations

from ansible_collections.scim.slack.plugins.module_utils._sync_plan import SyncError

# The safety limits and their defaults; None (null) means no limit.
DEFAULT_LIMITS = {"max_deactivations": 10, "max_group_deletions": 0, "max_member_removals": 50,
                  "max_workspace_removals": 50}

# How many resources a limit failure names before it abbreviates.
SHOWN = 50


def _limit(params, option):
    return params[option] if option in params else DEFAULT_LIMITS[option]


def _shown(items, total):
    return ", ".join(items[:SHOWN]) + (" and %d more" % (total - SHOWN) if total > SHOWN else "")


def _member_name(plan, user_id):
    user = plan.index.by_id(user_id) if plan.index else None
    return "%s (%s)" % (user.get("userName"), user_id) if user else user_id


def check_limits(plan, params):
    """Fail (SyncError, with the plan) when the plan goes beyond one of the limits ``params`` set."""
    deactivations = plan.deactivations()
    limit = _limit(params, "max_deactivations")
    if limit is not None and len(deactivations) > limit:
        names = ["%s (%s) by %s" % (e.name, e.user_id, e.cause) for e in deactivations]
        raise SyncError("the plan deactivates %d users, more than max_deactivations=%d; nothing was changed. "
                        "Planned: %s" % (len(deactivations), limit, _shown(names, len(names))), plan)
    deletions = plan.group_deletions()
    limit = _limit(params, "max_group_deletions")
    if limit is not None and len(deletions) > limit:
        names = ["%s (%s)" % (e.name, e.group_id) for e in deletions]
        raise SyncError("the plan deletes %d groups, more than max_group_deletions=%d; nothing was changed. "
                        "Planned: %s" % (len(deletions), limit, _shown(names, len(names))), plan)
    removals = plan.member_removals()
    total = sum(len(ids) for _entry, ids in removals)
    limit = _limit(params, "max_member_removals")
    if limit is not None and total > limit:
        shown, budget = [], SHOWN
        for entry, ids in removals:
            if budget <= 0:
                break
            names = [_member_name(plan, uid) for uid in ids[:budget]]
            rest = len(ids) - len(names)
            shown.append("%s (%s) loses %s%s" % (entry.name, entry.group_id, ", ".join(names),
                                                 " and %d more" % rest if rest else ""))
            budget -= len(names)
        more = len(removals) - len(shown)
        raise SyncError("the plan removes %d group memberships, more than max_member_removals=%d; nothing was "
                        "changed. Planned: %s%s" % (total, limit, "; ".join(shown),
                                                    "; and %d more groups" % more if more else ""), plan)
    removals = plan.workspace_removals()
    limit = _limit(params, "max_workspace_removals")
    if limit is not None and len(removals) > limit:
        raise SyncError("the plan makes %d workspace removals (users from workspaces, default channels from groups), "
                        "more than max_workspace_removals=%d; nothing was changed. Planned: %s"
                        % (len(removals), limit, _shown(removals, len(removals))), plan)
