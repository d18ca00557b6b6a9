# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One client per connection options and environment in a worker process, and the kept-alive connection
the items of a loop share."""

from __future__ import annotations

import http.server
import json
import threading
from collections import OrderedDict

import pytest

from ansible_collections.scim.slack.plugins.modules import slack_scim_user
from ansible_collections.scim.slack.plugins.plugin_utils import _client_cache

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN, in_process, page

URL = BASE % "v2"


def user():
    return {"id": "W00001000", "userName": "carly", "nickName": "carly", "active": True,
            "emails": [{"value": "carly@example.com", "primary": True}], "name": {"givenName": "Carly", "familyName": "H"}}


@pytest.fixture
def token_env(monkeypatch):
    for name in ("SLACK_SCIM_TOKEN", "SLACK_ORG_ADMIN_USER_TOKEN", "SLACK_SCIM_API_URL", "SLACK_SCIM_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_SCIM_TOKEN", TOKEN)


OPTIONS = {"token": TOKEN, "api_url": URL, "api_version": "v2", "timeout": 30.0, "validate_certs": True,
           "retries": {"connection_errors": 1, "rate_limited": 5, "server_errors": 2, "max_wait": 120.0}}


@pytest.fixture
def clients(monkeypatch):
    monkeypatch.setattr(_client_cache, "_CLIENTS", OrderedDict())
    return _client_cache._CLIENTS


def test_one_client_per_connection_options_keyed_without_the_token(clients):
    first = _client_cache.shared_client(dict(OPTIONS))
    first.request_count = 7
    again = _client_cache.shared_client(dict(OPTIONS))
    assert again is first and again.request_count == 0
    assert _client_cache.shared_client(dict(OPTIONS, token="xoxp-other")) is not first
    assert _client_cache.shared_client(dict(OPTIONS, timeout=5.0)) is not first
    assert len(clients) == 3
    assert TOKEN not in repr(list(clients)) and TOKEN not in repr(_client_cache.connection_key(OPTIONS))


def test_a_tasks_proxy_and_ca_environment_gets_a_client_of_its_own(clients, monkeypatch):
    for name in _client_cache.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    plain = _client_cache.shared_client(dict(OPTIONS))
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    proxied = _client_cache.shared_client(dict(OPTIONS))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/corp.pem")
    assert proxied is not plain and _client_cache.shared_client(dict(OPTIONS)) not in (plain, proxied)


def test_the_cache_keeps_a_few_clients_and_closes_the_others(clients):
    built = [_client_cache.shared_client(dict(OPTIONS, token="xoxp-%d" % index)) for index in range(_client_cache.MAX_CLIENTS + 2)]
    assert len(clients) == _client_cache.MAX_CLIENTS
    assert built[0] not in clients.values() and built[-1] in clients.values()


class CountingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.connections = 0
        super().__init__(("127.0.0.1", 0), CountingHandler)

    def process_request(self, request, client_address):
        self.connections += 1
        super().process_request(request, client_address)


class CountingHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - http.server's naming
        body = json.dumps(page([user()])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_items_of_a_loop_share_one_kept_alive_connection(clients, token_env):
    server = CountingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = "http://127.0.0.1:%d/scim/v2/" % server.server_address[1]
        for dummy in range(3):
            rc, result, stderr = in_process(slack_scim_user, dict(
                api_url=url, user_name="carly", email="carly@example.com"), _client_cache.shared_client)
            assert rc == 0 and result["changed"] is False, (result, stderr)
        assert server.connections == 1
    finally:
        server.shutdown()
        server.server_close()
