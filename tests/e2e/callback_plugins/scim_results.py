# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only callback: write every task result as one JSON line to $SCIM_RESULTS_FILE, with the name of its
play; and, as each play starts, a line with its name and the time (the harness splits a run by play)."""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: scim_results
type: aggregate
short_description: Write task results as JSON lines (for the end-to-end tests)
description:
  - Appends one JSON object per task result to the file named by E(SCIM_RESULTS_FILE).
requirements:
  - enable in configuration
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "scim_results"
    CALLBACK_NEEDS_ENABLED = True
    play = None

    def _append(self, entry):
        path = os.environ.get("SCIM_RESULTS_FILE")
        if path:
            with open(path, "a") as handle:
                handle.write(json.dumps(entry, default=str) + "\n")

    def _write(self, status, result):
        outcome = dict(result._result)
        if status in ("failed", "item_failed"):
            outcome["failed"] = True  # newer cores keep this out of _result
        self._append({"task": result._task.get_name(), "status": status, "result": outcome, "play": self.play})

    def v2_playbook_on_play_start(self, play):
        self.play = play.get_name()
        self._append({"play_start": self.play, "time": time.time()})

    def v2_runner_on_ok(self, result):
        self._write("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write("failed", result)

    def v2_runner_on_skipped(self, result):
        self._write("skipped", result)

    def v2_runner_item_on_ok(self, result):
        self._write("item_ok", result)

    def v2_runner_item_on_failed(self, result):
        self._write("item_failed", result)
