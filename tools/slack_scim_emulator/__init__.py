# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A local emulator of Slack's SCIM API (v1 and v2), standard library only.

Run it with ``python -m slack_scim_emulator --port 0`` (with ``tools/`` on ``PYTHONPATH``).
It answers as Slack does where Slack answers differently from what it was sent (user-name
normalisation, re-hosted photos, profile-field placeholders, inverted phone types, guests,
deactivate-instead-of-delete, PUT blanking omitted fields, Slack's error strings, rate limits,
resource locking); docs/emulator.md lists each behaviour with its source.  A control API under
``/_control/`` (loopback peers only) injects faults, reads the request log, resets and seeds state.
"""

DEFAULT_TOKEN = "xoxp-emulator-token"
