# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the emulator's own tests: one in-process emulator per test, on a free port.

Run with ``tools/`` on PYTHONPATH (the Makefile does).
"""

from __future__ import annotations

import threading

import pytest
import requests
from slack_scim_emulator.server import Emulator, EmulatorServer

TOKEN = "xoxp-emulator-test"


class Api:
    """A thin HTTP helper bound to one dialect of a running emulator."""

    def __init__(self, base, version):
        self.base = base
        self.version = version
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer " + TOKEN

    def url(self, path):
        return "%s/scim/%s/%s" % (self.base, self.version, path)

    def call(self, method, path, body=None, **kwargs):
        return self.session.request(method, self.url(path), json=body, **kwargs)

    def schema(self):
        return ["urn:scim:schemas:core:1.0"] if self.version == "v1" else \
            ["urn:ietf:params:scim:schemas:core:2.0:User"]

    def group_schema(self):
        return ["urn:scim:schemas:core:1.0"] if self.version == "v1" else \
            ["urn:ietf:params:scim:schemas:core:2.0:Group"]

    def create_user(self, user_name, email=None, **extra):
        body = dict(schemas=self.schema(), userName=user_name,
                    emails=[{"value": email or "%s@example.com" % user_name, "primary": True}], **extra)
        response = self.call("POST", "Users", body)
        assert response.status_code == 201, response.text
        return response.json()

    def create_group(self, name, members=()):
        body = {"schemas": self.group_schema(), "displayName": name, "members": [{"value": m} for m in members]}
        response = self.call("POST", "Groups", body)
        assert response.status_code == 201, response.text
        return response.json()

    def control(self, method, route, body=None):
        response = requests.request(method, "%s/_control/%s" % (self.base, route), json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def emulator():
    instance = Emulator(token=TOKEN, rate_limit_scale=0)
    server = EmulatorServer(("127.0.0.1", 0), instance)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(params=["v1", "v2"])
def api(request, emulator):
    return Api(emulator.url, request.param)


@pytest.fixture
def v1(emulator):
    return Api(emulator.url, "v1")


@pytest.fixture
def v2(emulator):
    return Api(emulator.url, "v2")
