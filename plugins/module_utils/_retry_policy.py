# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the clients decide a retry, written once for the synchronous and the asynchronous client.

Internal to scim.slack; the API may change.

:func:`retry_steps` holds every rule and does no I/O: it yields what its driver must do (ask a handler,
let a handler prepare, sleep) and the driver sends back the handler's answer.  ``SCIMClient`` drives it
with plain calls, ``AsyncSCIMClient`` with ``await``; neither can skip a rule.

The rules: the client keeps its own count of each handler's retries (never more than its
``max_retry_count``, whatever the handler counts); before a retry it expects the longest of the handler's
``calculate_sleep_duration``, the answer's ``Retry-After`` and what the handler slept by itself last time,
and gives up instead when that would pass ``max_wait``; it times ``prepare_for_next_attempt`` and counts a
handler's own sleeping against ``max_wait``, sleeping only what is left of the duration.
"""

from __future__ import annotations

import math

ASK = "ask"
PREPARE = "prepare"
SLEEP = "sleep"
# A handler that spent longer than this preparing the next attempt has slept by itself.
HANDLER_SLEPT = 0.01


def retry_steps(attempt, handlers, max_wait, clock):
    """A generator of ``(ASK, handler)``, ``(PREPARE, handler)`` and ``(SLEEP, seconds)``; ``send`` it the
    handler's answer after an ASK.  It returns True when the request is to be sent again.

    ``attempt`` is the :class:`Attempt` that failed."""
    state, response = attempt.state, attempt.response
    counts = state.custom_values.setdefault("client_retries", {})
    for handler in handlers:
        done = counts.get(id(handler), 0)
        if done >= max_retries(handler):
            continue
        if not (yield ASK, handler):
            continue
        duration = seconds(handler_duration(handler, attempt))
        expected = max(duration, retry_after(response), state.custom_values.get(("slept", id(handler)), 0.0))
        if state.total_sleep + expected > max_wait:
            state.custom_values["budget_exhausted"] = True
            return False
        started = clock()
        yield PREPARE, handler
        spent = max(0.0, clock() - started)
        if spent > HANDLER_SLEPT:
            state.custom_values[("slept", id(handler))] = spent
        left = duration - spent if spent > HANDLER_SLEPT else duration
        if left > 0:
            yield SLEEP, left
        state.total_sleep += max(duration, spent)
        counts[id(handler)] = done + 1
        # Keep the state's own counters true, whatever the handler did to them.
        state._attempts_by_handler[id(handler)] = done + 1  # pylint: disable=protected-access
        state.current_attempt = sum(counts.values())
        state.next_attempt_requested = True
        return True
    return False


def budget_exhausted(state):
    """Whether the last decision refused a retry because waiting would pass ``max_wait``."""
    return bool(state.custom_values.get("budget_exhausted"))


class Attempt:
    """One failed attempt, as every handler hook is called with it (``handler.can_retry(**attempt.hook_kwargs)``)."""

    def __init__(self, state, request, response, error):
        self.state = state
        self.request = request
        self.response = response
        self.error = error

    @property
    def hook_kwargs(self):
        return dict(state=self.state, request=self.request, response=self.response, error=self.error)


def handler_duration(handler, attempt):
    """What the handler asks to wait (an SDK AsyncRetryHandler has no such hook: no wait of its own)."""
    calculate = getattr(handler, "calculate_sleep_duration", None)
    return calculate(**attempt.hook_kwargs) if calculate is not None else 0.0


def max_retries(handler):
    try:
        return max(0, int(getattr(handler, "max_retry_count", 1)))
    except (TypeError, ValueError):
        return 1


def seconds(value):
    """A sleep duration from a handler: a finite number of seconds, 0 or more."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0


def retry_after(response):
    if response is None or response.status_code != 429:
        return 0.0
    try:
        return seconds(int(str(response.header("Retry-After")).strip()))
    except (TypeError, ValueError):
        return 0.0
