# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Constants and small helpers shared by the unit tests."""

from __future__ import annotations

import json

TOKEN = "xoxp-unit-test-secret-0123456789"
BASE = "https://scim.test/scim/%s/"


class NoJitter:
    def recalculate(self, duration):
        return duration


def diff_of(result):
    """A module result's diff, each side parsed back from the text the module returns."""
    diff = result["diff"]
    return dict(diff, before=json.loads(diff["before"]), after=json.loads(diff["after"]))
