# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What converging one user or group decides: the outcome of a plan, and the one write it sends.

Internal to scim.slack; the API may change.  No Ansible imports.
"""

from __future__ import annotations

from collections import namedtuple

# The one request a plan sends.  ``kind`` is create, patch, put or delete (users), create, update or
# delete (groups); ``id`` the resource's ID (None for a create); ``body`` the request body (a create's
# resource, a patch's partial resource, a put's full resource); for groups, ``add`` and ``remove`` the
# member IDs of an update (``add``: of a create, the members past the first batch) and ``rename`` a new
# display name.
Write = namedtuple("Write", "kind id body add remove rename", defaults=(None, None, (), (), None))


class Outcome:
    """What converging one resource does (or, in check mode, would do).

    ``action`` is None when nothing changes; ``resource`` the user or group as it is (or will be) after the
    write; ``before`` and ``after`` the user-facing diff views; ``write`` the :data:`Write` to send, if any.
    Groups also report the member IDs added and removed.
    """

    def __init__(self, action, resource, before=None, after=None, changed_attributes=(), warnings=(), write=None,
                 members_added=(), members_removed=()):
        self.action = action
        self.resource = resource
        self.before = before if before is not None else {}
        self.after = after if after is not None else {}
        self.changed_attributes = list(changed_attributes)
        self.warnings = list(warnings)
        self.write = write
        self.members_added = list(members_added)
        self.members_removed = list(members_removed)

    @property
    def changed(self):
        return self.action is not None

    # The modules and the sync report name the resource by what it is.
    user = group = property(lambda self: self.resource, lambda self, value: setattr(self, "resource", value))
