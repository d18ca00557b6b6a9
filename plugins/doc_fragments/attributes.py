# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Use together with ansible.builtin.action_common_attributes.
    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/scim.slack.slack_scim) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - scim.slack.slack_scim
"""

    # For read-only modules.
    INFO_MODULE = r"""
attributes:
  check_mode:
    support: full
    details: This module only reads; it runs the same in check mode.
  diff_mode:
    support: N/A
    details: This module never changes anything.
"""
