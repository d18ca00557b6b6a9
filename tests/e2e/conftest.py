# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures: one emulator process per test session, reset before each test.

SCIM_SLACK_COLLECTIONS names the folder holding ansible_collections/scim/slack (the Makefile
passes its staging folder); the tests run ansible-playbook from the same venv as pytest.
SCIM_SLACK_E2E_MODE chooses how the modules run (see harness.py): ``controller`` (the default, the
action plugins run them in-process) or ``remote`` (the action plugins fall back to module execution).
SCIM_SLACK_E2E_DIALECTS (``v2,v1`` by default) chooses the SCIM dialects of the scenarios that take both.
"""

from __future__ import annotations

import os

import pytest

from harness import TOTALS, EmulatorProcess, Harness, e2e_mode


def pytest_report_header(config):
    return "scim.slack end-to-end mode: %s (SCIM_SLACK_E2E_MODE)" % e2e_mode()


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line("end-to-end totals (%s mode): %s" % (
        e2e_mode(), ", ".join("%s %d" % item for item in TOTALS.items())))


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    with EmulatorProcess(str(tmp_path_factory.mktemp("emulator"))) as process:
        yield process


@pytest.fixture
def harness(emulator, tmp_path):
    collections = os.environ.get("SCIM_SLACK_COLLECTIONS")
    if not collections:
        raise RuntimeError("set SCIM_SLACK_COLLECTIONS to the folder holding ansible_collections/scim/slack")
    emulator.reset()
    emulator.control("POST", "config", {"rate_limit_scale": 0, "write_hold": 0, "token_user": "UE0TOKEN01"})
    return Harness(emulator, collections, str(tmp_path))


# SCIM_SLACK_E2E_DIALECTS=v2 runs the dialect-parametrized scenarios on v2 only: the dialects live in the
# collection's own code, so `make test` runs both on the newest ansible-core line and one on the others.
DIALECTS = [name for name in os.environ.get("SCIM_SLACK_E2E_DIALECTS", "v2,v1").split(",") if name]


@pytest.fixture(params=DIALECTS)
def api_version(request):
    return request.param
