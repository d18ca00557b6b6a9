# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.scim.slack.plugins.module_utils._client import SCIMClient

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def make_client(sleeps):
    """Clients whose clock moves only when they sleep: a loaded machine cannot make a handler's
    ``prepare_for_next_attempt`` look like a handler that slept by itself."""
    now = [0.0]

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    def factory(api_version="v2", **kwargs):
        kwargs.setdefault("base_url", BASE % api_version)
        kwargs.setdefault("clock", lambda: now[0])
        return SCIMClient(TOKEN, api_version=api_version, sleep=sleep, **kwargs)

    return factory
