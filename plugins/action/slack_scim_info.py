# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""scim.slack.slack_scim_info on the controller: the module's code in-process, one HTTP session for the
items of a loop; on any other host, the module.  Documented in the module."""

from __future__ import annotations

from ansible_collections.scim.slack.plugins.modules import slack_scim_info
from ansible_collections.scim.slack.plugins.plugin_utils._action import ScimAction


class ActionModule(ScimAction):
    MODULE = slack_scim_info
