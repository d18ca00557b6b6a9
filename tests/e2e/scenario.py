# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shape every module scenario must pass: check, apply, rerun, recheck."""

from __future__ import annotations

import collections

Converged = collections.namedtuple("Converged", "check first second")


# The four phases, as the plays of one ansible-playbook run (its start-up costs more than most scenarios).
PHASES = [{"check_mode": True, "diff": True}, {"diff": True}, {}, {"check_mode": True, "diff": True}]


def converge_twice(harness, tasks, api_version="v2", reads_on_rerun=None):
    """Run ``tasks`` in check mode, for real, again, and in check mode again.

    Asserts: check mode reports the change and sends no write (so leaves the state as it was);
    its diff equals the real run's diff; the real run writes; the rerun and the second check
    report no change and send no write.  ``reads_on_rerun`` (default: one per task) bounds the
    requests of the no-op rerun.  Returns the three runs as ``Converged(check, first, second)``.
    """
    check, first, second, recheck = harness.run(tasks, api_version=api_version, phases=PHASES)
    assert not check.failed, check
    assert check.results, check
    assert check.changed, check
    assert check.writes == [], check.writes

    assert not first.failed, first
    assert first.changed, first
    assert first.writes, "the first run sent no write"
    for check_result, first_result in zip(check.results, first.results):
        assert check_result["result"].get("diff") == first_result["result"].get("diff"), (
            "check mode predicted another diff than the real run made", check_result, first_result)
        assert check_result["result"].get("changed") == first_result["result"].get("changed")

    assert not second.failed, second
    assert not second.changed, second
    assert second.writes == [], second.writes
    expected_reads = len(tasks) if reads_on_rerun is None else reads_on_rerun
    assert len(second.reads) <= expected_reads, (second.reads, expected_reads)

    assert not recheck.failed and not recheck.changed and recheck.writes == [], recheck
    return Converged(check, first, second)


def each_fails_before_any_write(harness, cases, nothing_read=False):
    """Run the ``(task, message)`` cases as the tasks of one playbook (one ansible-playbook start-up for them all;
    a failure does not stop the next) and assert that each failed naming ``message`` and that nothing was written,
    or, with ``nothing_read``, that no request was sent at all.  Returns the run."""
    tasks = [dict(task, name="case %d" % index, ignore_errors=True) for index, (task, dummy) in enumerate(cases)]
    run = harness.run(tasks)
    for index, (task, message) in enumerate(cases):
        result = run.result("case %d" % index)
        assert result.get("failed") and message in result.get("msg", ""), (task, result)
        assert not result.get("changed"), (task, result)
    assert run.writes == [], run.writes
    if nothing_read:
        assert run.requests == [], run.requests
    return run
