# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The query options of the slack_scim_info module and lookup.
    DOCUMENTATION = r"""
options:
  id:
    description:
      - The Slack ID of one user (V(U...) or V(W...)) or group (V(S...)); one C(GET). Not found returns nothing.
      - For V(workspaces), the ID of one workspace (V(T...)), picked from the listing of workspaces.
    type: str
  user_name:
    description: Users whose user name equals this (case-insensitive); one filtered search.
    type: str
  email:
    description: Users with this email address (case-insensitive); one filtered search.
    type: str
  display_name:
    description: Groups whose name equals this (case-insensitive); one filtered search.
    type: str
  filter:
    description:
      - A raw SCIM filter passed to Slack as it is, for example V(userName sw "contractor-"). Slack documents
        filtering users by C(userName) and C(email) (v1) and groups by C(displayName); other filters may be
        refused (HTTP 400).
      - Slack documents no C(and)-combined filters, so at most one condition goes to Slack. With this option,
        O(user_name), O(email) and O(display_name) are checked on the client, on what it returns; without it,
        the first of O(user_name), O(email) is sent and the other is checked on the client.
    type: str
  active:
    description:
      - Only users that are active (V(true)) or deactivated (V(false)). Slack cannot filter on this, so it is
        applied to what the other options return.
    type: bool
  guest:
    version_added: 0.2.0
    description:
      - Only multi-channel guests (V(true)) or full members (V(false)). Applied on the client, like O(active).
    type: bool
  expand_members:
    version_added: 0.2.0
    description:
      - With groups, give each member its user (C(members[].user)), read from one listing of the users, so a
        roster costs the group query plus ceil(users / 1000) requests instead of one C(GET) per member.
    type: bool
    default: false
  grid:
    version_added: 0.2.0
    description:
      - Enterprise Grid's side of the users or groups found, through Slack's Web API (see C(docs/grid.md)).
      - Each user gets C(workspaces), its workspace IDs, from one listing of the organization's users
        (C(admin.users.list), ceil(users / 100) requests, scope C(admin.users:read)); V(null) for a deactivated
        user, which Slack does not list.
      - Each group gets C(workspaces), the IDs of the workspaces it is connected to (one C(usergroups.list) per
        workspace, scopes C(admin.teams:read) and C(usergroups:read)), and C(channels), its default channels as
        C(id), C(name) and C(workspace) (one C(admin.usergroups.listChannels) per group, scope
        C(admin.usergroups:read); only channels the token's user can see).
    type: bool
    default: false
  name:
    version_added: 0.2.0
    description:
      - For V(workspaces), the workspace whose name or domain equals this (case-insensitive).
      - For V(channels), the channels named exactly this (case-insensitive, a leading V(#) ignored),
        found with Slack's channel search.
    type: str
  query:
    version_added: 0.2.0
    description:
      - For V(channels), the text Slack's channel search (C(admin.conversations.search)) matches channel
        names with; every channel it answers is returned.
    type: str
  workspace:
    version_added: 0.2.0
    description:
      - For V(channels), only channels of this workspace, by ID (V(T...)) or by name or domain. An
        unknown workspace fails, naming the close matches.
    type: str
  private:
    version_added: 0.2.0
    description:
      - For V(channels), only private (V(true)) or public (V(false)) channels.
    type: bool
  count:
    description:
      - Page size of each SCIM list request (Slack's maximum is 1000). The Web API queries (V(workspaces) and
        V(channels)) use the largest page each method allows.
    type: int
    default: 1000
  limit:
    description: Return at most this many resources; the listing stops once it has them. Default is all.
    type: int
"""
