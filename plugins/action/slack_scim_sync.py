# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""scim.slack.slack_scim_sync: reads ``src`` on the controller; on the controller, runs the module's code
in-process, elsewhere the module.  Documented in the module."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.scim.slack.plugins.modules import slack_scim_sync
from ansible_collections.scim.slack.plugins.plugin_utils._action import ScimAction
from ansible_collections.scim.slack.plugins.plugin_utils._directory import read_directory


class ActionModule(ScimAction):
    MODULE = slack_scim_sync

    def task_arguments(self):
        """The task's arguments, with the ``users`` and ``groups`` of ``src`` in place of ``src``.

        With ``users`` or ``groups`` given too, the arguments go on as they are, and validation names the
        options that exclude each other, as for any other pair."""
        args = self._task.args
        src = args.get("src")
        if src is None or "users" in args or "groups" in args:
            return args
        try:
            path = self._find_needle("files", to_text(src))
            directory = read_directory(self._loader, path, to_text(src))
        except AnsibleActionFail:
            raise
        except AnsibleError as exc:
            raise AnsibleActionFail(to_text(exc))
        arguments = dict((key, value) for key, value in args.items() if key != "src")
        arguments.update(directory)
        return arguments
