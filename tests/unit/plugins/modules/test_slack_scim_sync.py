# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync run as a module: what a mistyped directory is told, before any request."""

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.modules import slack_scim_sync


def test_every_invalid_entry_is_named_at_once_by_position(mocked, run_module):
    result = run_module(slack_scim_sync.main,
                        users=[{"user_name": "ok1"}, {"user_name": "OK1", "emial": "ok1@example.com"},
                               {"user_name": "ok2", "state": "gone"}],
                        groups=[{"display_name": "G", "members": ["ok1"]}])
    assert result["failed"] and len(mocked.calls) == 0
    assert result["msg"] == (
        "4 problems: users[1] (OK1): unknown option emial (did you mean email?); users[2] (ok2): value of state "
        "must be one of: present, absent, got: gone; users[0] and users[1] both declare user_name 'ok1'; "
        "groups[0] (G): members must be a dict with the keys add, remove, set, got a list: ['ok1']; to make these "
        "the exact members, write members: {set: ['ok1']}")


def test_a_duplicate_is_named_with_the_other_problems_of_the_entries(mocked, run_module):
    result = run_module(slack_scim_sync.main, users=[{"user_name": "ok1"}, {"user_name": "OK1"},
                                                     {"user_name": "x" * 30}])
    assert result["failed"] and len(mocked.calls) == 0
    assert result["msg"].startswith("2 entries cannot be planned; nothing was changed: ")
    assert "users[2]: user_name" in result["msg"] and "users[0] and users[1] both declare user_name 'ok1'" in \
        result["msg"]


@pytest.mark.parametrize("value, number", [("10", 10), (" +3 ", 3), ("\uff11\uff10", False), ("\u00b2", False)])
def test_limits_take_ascii_digits_only(value, number):
    assert slack_scim_sync.whole_number(value) == number
