# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every option of a group, declared once: the table the argspec and the modules' documentation come from.

Internal to scim.slack; the API may change.  No imports.  One :class:`Option` row per option of
slack_scim_group (and key of each slack_scim_sync groups entry) carries its spec and documentation.  From the
table come ``group_argument_spec()`` and the documented options (``option_docs()``, written into both modules
by hacking/option_docs.py).  The Enterprise Grid connections (``CONNECTIONS``) are documented here too; their
argspec is ``connections_argument_spec()`` of _group_connections.py in slack_scim_group, and ``raw`` in
slack_scim_sync's entries (a dict or a plain list, checked by the planner), held equal to these rows by
tests/unit/plugins/module_utils/test_group_options.py.
"""

from __future__ import annotations

from collections import namedtuple

LOOKUP_FAILURE_ACTIONS = ("fail", "warn", "ignore")
# The type slack_scim_sync's entries take the connections as.
IN_SYNC_TYPE = "raw"

# One option.  ``description``: a text, or a tuple of paragraphs.  ``suboptions``: rows of its own.  ``in_sync``:
# the description of the option in slack_scim_sync's entries, when they take it otherwise than the module
# (as IN_SYNC_TYPE); without it they describe it by reference to the module's.
Option = namedtuple("Option", "option type elements choices default version_added description suboptions in_sync",
                    defaults=(None, None, None, None, None, (), None))


def _add_remove_set(add, remove, exact):
    """The suboptions of a dict of lists of references to add, to remove, or to be the exact set."""
    return tuple(Option(key, type="list", elements="str", description=text)
                 for key, text in (("add", add), ("remove", remove), ("set", exact)))


GROUP_OPTIONS = (
    Option(
        "state", type="str", choices=("present", "absent"), default="present",
        description=("V(present) creates the group if needed, renames it and changes its members as declared.",
                     "V(absent) deletes the group (its members stay in Slack). A missing group is left alone.")),
    Option(
        "display_name", type="str",
        description=("The group's name. Without O(id), the group is found by it (case-insensitive).",
                     "With O(id), the group found by id is renamed to it.",
                     "Slack keeps group names unique; renaming to the name of another group fails before any "
                     "write.")),
    Option("id", type="str", description=("The Slack group ID (V(S...)).",)),
    Option(
        "members", type="dict",
        description=("Who is in the group. Each entry is a Slack user ID (V(U...) or V(W...)), an email address "
                     "(contains V(@)), or a user name (anything else).",
                     "An entry of the ID shape (V(U) or V(W) followed by 8 to 10 capitals or digits) is tried as an "
                     "ID first, then as a user name.",
                     "Entries are resolved to users before any write. Deactivated users cannot be members; "
                     "multi-channel guests can.",
                     "O(members.add) and O(members.remove) naming one user (for example by user name and by "
                     "email) fail before any write, naming both entries."),
        suboptions=_add_remove_set(
            "Users to add; members not listed stay.",
            "Users to remove; members not listed stay.",
            ("The exact membership; members not listed are removed. V([]) empties the group.",
             "Cannot be combined with O(members.add) or O(members.remove)."))),
    Option(
        "lookup_failure_action", type="str", choices=LOOKUP_FAILURE_ACTIONS, default="fail",
        description=("What to do about a member entry that resolves to no user, or (when adding) to a deactivated "
                     "user.",
                     "V(fail) fails the task before any write, naming every such entry. V(warn) skips them with a "
                     "warning. V(ignore) skips them silently.",
                     "A lookup failure never removes a current member. Under V(warn) or V(ignore), when an entry of "
                     "O(members.set) does not resolve, no member is removed (a warning says so), since the entry "
                     "may name one of them.")),
)

CONNECTIONS = (
    Option(
        "workspaces", type="dict", version_added="0.2.0",
        description=("On Enterprise Grid, the workspaces the IdP group is connected to (its members join them), "
                     "each by ID (V(T...)) or by name or domain. Through Slack's Web API "
                     "(C(admin.usergroups.addTeams)); see C(docs/grid.md) for the scopes.",
                     "The task reads the workspaces (one C(admin.teams.list)) and the group's connections (one "
                     "C(usergroups.list) per workspace of the organization, as Slack has no method that lists a "
                     "group's workspaces) before any write, and connects only the workspaces missing.",
                     "B(Slack offers no way to disconnect an IdP group from a workspace) through its API (only the "
                     "org dashboard does). O(workspaces.remove) naming, or O(workspaces.set) leaving out, a "
                     "workspace the group is connected to fails before any write; naming one it is not connected to "
                     "changes nothing."),
        suboptions=_add_remove_set(
            "Workspaces to connect the group to; the others are left alone.",
            "Workspaces the group must not be connected to; fails when it is (see above).",
            ("The exact workspaces; fails when the group is connected to another (see above). Cannot be "
             "combined with the others.",)),
        in_sync=("On Enterprise Grid, the workspaces the IdP group is connected to, each by ID (V(T...)) or by "
                 "name or domain, as a dict with the keys C(add), C(remove) and C(set), or as a plain list, which "
                 "means the exact set.",
                 "Read for all group entries at once, with one C(usergroups.list) per workspace of the "
                 "organization (and the one C(admin.teams.list) the users share); then one "
                 "C(admin.usergroups.addTeams) per group that differs.",
                 "Slack offers no way to disconnect an IdP group from a workspace, so a plan that would (a "
                 "workspace left out of C(set), or named in C(remove)) fails the task before any write, naming the "
                 "group and the workspace.")),
    Option(
        "channels", type="dict", version_added="0.2.0",
        description=("On Enterprise Grid, the IdP group's default channels (its members join them), each by ID "
                     "(V(C...)) or by name (a leading V(#) is optional). Through "
                     "C(admin.usergroups.listChannels), C(addChannels) and C(removeChannels).",
                     "A name is looked up with C(admin.conversations.search) unless it is one of the group's "
                     "channels already; a name found in several of the group's workspaces fails, naming each "
                     "channel with its workspace (use the ID); an unknown name fails naming the close matches. An "
                     "ID that is not one of the group's channels costs one search of every channel the token can "
                     "find (20 a request).",
                     "A channel is linked in its workspace, which the group must be connected to, or be connected "
                     "to by O(workspaces) in the same task; otherwise the task fails before any write. Org-wide "
                     "default channels are refused by Slack (everyone is a member anyway), so naming one to add "
                     "fails before any write.",
                     "Slack lists only the channels the token's user can see, so a default channel the user cannot "
                     "see is neither shown nor removed by O(channels.set).",
                     "Should Slack still refuse some channels while adding or removing (a partial success, "
                     "C(invalid_channels)), the others are applied, and the task fails with V(changed=true) naming "
                     "the refused ones."),
        suboptions=_add_remove_set(
            "Channels to make default channels of the group; the others are left alone.",
            "Channels that must not be default channels of the group.",
            "The exact default channels; the others are removed. Cannot be combined with the others."),
        in_sync=("On Enterprise Grid, the IdP group's default channels, each by ID (V(C...)) or by name, in the "
                 "same shapes as O(groups[].workspaces). A channel must be in a workspace the group is (or will be) "
                 "connected to; an org-wide default channel is refused, before any write.",
                 "Read with one C(admin.usergroups.listChannels) per existing group that declares channels (Slack "
                 "lists only the channels the token's user can see); channel names are looked up with "
                 "C(admin.conversations.search), once per name for all groups.",
                 "Removals count under O(max_workspace_removals).")),
)

OPTIONS = GROUP_OPTIONS + CONNECTIONS


def _typing(row):
    """What the argspec and the docs both say of an option: its type, elements, choices and default."""
    typing = dict(type=row.type)
    for key, value in (("elements", row.elements), ("choices", row.choices), ("default", row.default)):
        if value is not None:
            typing[key] = list(value) if key == "choices" else value
    return typing


def _spec(row):
    spec = _typing(row)
    if row.suboptions:
        spec["options"] = dict((sub.option, _spec(sub)) for sub in row.suboptions)
    return spec


def group_argument_spec():
    """The options of slack_scim_group, also the keys of each entry of slack_scim_sync's groups (the modules
    add the Enterprise Grid connections)."""
    return dict((row.option, _spec(row)) for row in GROUP_OPTIONS)


def _paragraphs(description):
    return list(description) if isinstance(description, tuple) else description


def _doc(row, reference=None, path=None):
    doc = dict(version_added=row.version_added) if row.version_added else {}
    if reference and row.in_sync:
        return dict(doc, description=_paragraphs(row.in_sync), type=IN_SYNC_TYPE)
    doc["description"] = "As O(%s:%s)." % (reference, path) if reference else _paragraphs(row.description)
    doc.update(_typing(row))
    if row.suboptions:
        doc["suboptions"] = dict((sub.option, _doc(sub, reference, "%s.%s" % (path, sub.option)))
                                 for sub in row.suboptions)
    return doc


def option_docs(reference=None):
    """The documented options of slack_scim_group (DOCUMENTATION's ``options``), or, with ``reference`` (its
    FQCN with ``#module``), as each entry of slack_scim_sync's groups documents them: by reference to the
    module's, or with their ``in_sync`` description."""
    return dict((row.option, _doc(row, reference, row.option)) for row in OPTIONS)
