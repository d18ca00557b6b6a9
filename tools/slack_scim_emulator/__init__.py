# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A local emulator of Slack's SCIM API (v1 and v2), standard library only.

Run it with ``python -m slack_scim_emulator --port 0`` (with ``tools/`` on ``PYTHONPATH``).
It mimics the Slack behaviours that break naive clients: user-name normalisation,
deactivate-instead-of-delete, PUT blanking omitted fields, 204 without a body, two emails at
most, rate limits with Retry-After, and resource locking.  A control API under ``/_control/``
injects faults, reads the request log, resets and seeds state.
"""

DEFAULT_TOKEN = "xoxp-emulator-token"
