# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures shared by every unit test of the plugins."""

from __future__ import annotations

import pytest
import responses


@pytest.fixture
def mocked():
    """HTTP mocked with responses; every registered answer must be used."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


@pytest.fixture(params=["v1", "v2"])
def api_version(request):
    return request.param
