# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Transport (_transport.py): headers, TLS settings, redirects, redaction, the deadline and the size cap."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import threading
import time
import warnings
from unittest import mock

import pytest
import requests
import urllib3

from ansible_collections.scim.slack.plugins.module_utils import _transport
from ansible_collections.scim.slack.plugins.module_utils._client import SCIMClient
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._version import COLLECTION_VERSION

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN, page, user


# -- headers and construction ---------------------------------------------------------------

def test_sends_bearer_token_user_agent_and_json(mocked, make_client):
    mocked.get(BASE % "v2" + "Users/U1", json=user("U1", "carly"))
    client = make_client()
    assert client.read_user("U1")["userName"] == "carly"
    headers = mocked.calls[0].request.headers
    assert headers["Authorization"] == "Bearer " + TOKEN
    assert headers["User-Agent"].startswith("scim.slack/%s " % COLLECTION_VERSION)
    assert headers["Accept"] == "application/json"


def test_version_constant_matches_galaxy_yml():
    galaxy = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "galaxy.yml")
    with open(galaxy) as handle:
        version = re.search(r"^version:\s*(\S+)", handle.read(), re.M).group(1)
    assert version == COLLECTION_VERSION


def test_tls_verification_is_on_by_default():
    assert SCIMClient(TOKEN)._session.verify is True
    assert SCIMClient(TOKEN, validate_certs=False)._session.verify is False


# -- TLS settings reach every request (issue 14.7) -------------------------------------------------

class RecordingAdapter(requests.adapters.HTTPAdapter):
    """Answers every request with an empty list and records the keyword arguments it was sent with."""

    def __init__(self):
        super().__init__()
        self.sent = []

    def send(self, request, **kwargs):
        self.sent.append(kwargs)
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json"
        response.raw = io.BytesIO(json.dumps(page([], 0)).encode())
        response.url = request.url
        response.request = request
        return response


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_validate_certs_false_wins_over_a_ca_bundle_in_the_environment(monkeypatch, variable):
    monkeypatch.setenv(variable, "/nonexistent/ca-bundle.pem")
    adapter = RecordingAdapter()
    session = requests.Session()
    session.mount("https://", adapter)
    client = SCIMClient(TOKEN, base_url=BASE % "v2", validate_certs=False, session=session,
                        proxy="http://proxy.example:3128")
    client.search_users()
    assert adapter.sent[0]["verify"] is False
    assert adapter.sent[0]["proxies"]["https"] == "http://proxy.example:3128"


def test_validate_certs_true_still_honours_the_ca_bundle(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/corp/ca.pem")
    adapter = RecordingAdapter()
    session = requests.Session()
    session.mount("https://", adapter)
    SCIMClient(TOKEN, base_url=BASE % "v2", session=session).search_users()
    assert adapter.sent[0]["verify"] == "/etc/corp/ca.pem"


def test_a_ca_bundle_that_does_not_exist_fails_cleanly_without_sending(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca-bundle.pem")
    client = SCIMClient(TOKEN, base_url="https://scim.invalid/scim/v2/", retry_handlers=[])
    with pytest.raises(ScimError) as caught:
        client.search_users()
    assert "REQUESTS_CA_BUNDLE" in str(caught.value) and "/nonexistent/ca-bundle.pem" in str(caught.value)
    assert caught.value.request_sent is False and TOKEN not in str(caught.value)


# -- redirects (issue 14.5) ----------------------------------------------------------------------------

@pytest.mark.parametrize("method, call", [
    ("PATCH", lambda c: c.patch_user("U1", {"active": False})),
    ("DELETE", lambda c: c.delete_user("U1")),
    ("PUT", lambda c: c.update_user({"id": "U1", "userName": "a"})),
])
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_writes_never_follow_a_redirect(mocked, make_client, method, call, status):
    mocked.add(method, BASE % "v2" + "Users/U1", status=status, headers={"Location": "https://elsewhere.example/x"})
    with pytest.raises(ScimError) as caught:
        call(make_client())
    assert len(mocked.calls) == 1
    message = str(caught.value)
    assert "%s /Users/U1 answered HTTP %d redirecting to elsewhere.example" % (method, status) in message
    assert "api_url is probably wrong" in message and caught.value.status == status


def test_a_post_redirected_to_the_same_host_is_not_followed_either(mocked, make_client):
    mocked.post(BASE % "v2" + "Users", status=307, headers={"Location": BASE % "v2" + "Users2"})
    with pytest.raises(ScimError, match="POST /Users answered HTTP 307 redirecting to scim.test"):
        make_client().create_user({"userName": "a"})
    assert len(mocked.calls) == 1


def test_a_read_follows_a_same_host_redirect_with_the_token(mocked, make_client):
    mocked.get(BASE % "v2" + "Users/U1", status=301, headers={"Location": "/scim/v2/Users/U1/"})
    mocked.get(BASE % "v2" + "Users/U1/", json=user("U1", "carly"))
    assert make_client().read_user("U1")["id"] == "U1"
    assert [c.request.headers["Authorization"] for c in mocked.calls] == ["Bearer " + TOKEN] * 2


def test_a_read_redirected_to_another_host_fails_naming_it(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", status=302, headers={"Location": "https://login.example.net/sso?next=1"})
    with pytest.raises(ScimError) as caught:
        make_client().search_users()
    message = str(caught.value)
    assert "GET /Users answered HTTP 302 redirecting to login.example.net (another host)" in message
    assert "token" in message and "set the token option" not in message
    assert len(mocked.calls) == 1


def test_a_read_redirected_to_plain_http_is_refused(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", status=301, headers={"Location": "http://scim.test/scim/v2/Users"})
    with pytest.raises(ScimError, match=r"redirecting to scim.test \(plain http\)"):
        make_client().search_users()


def test_redirect_loops_end(mocked, make_client):
    url = BASE % "v2" + "Users/U1"
    mocked.get(url, status=302, headers={"Location": url})
    with pytest.raises(ScimError, match="redirected more than 5 times"):
        make_client().read_user("U1")
    assert len(mocked.calls) == 6


# -- the token never leaves in an error text (issue 14.6) -----------------------------------------

def test_a_gateway_echoing_the_authorization_header_is_redacted(mocked, make_client):
    echo = "upstream refused request with headers Authorization: Bearer %s; Accept: */*" % TOKEN
    mocked.get(BASE % "v2" + "Users", status=502, json={"detail": echo, "status": 502})
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[]).search_users()
    texts = [str(caught.value), repr(caught.value), repr(caught.value.to_dict()), caught.value.detail]
    assert all(TOKEN not in text and "xoxp-" not in text for text in texts)
    assert "Authorization: Bearer <redacted>" in str(caught.value)


@pytest.mark.parametrize("prefix", ["", "x" * 90, "y" * 110])
def test_a_non_json_body_echoing_the_token_is_redacted_before_it_is_cut(mocked, make_client, prefix):
    # Cut at 120 characters, the token would otherwise leak in part.
    mocked.get(BASE % "v2" + "Users", body="<html>%s Authorization: Bearer %s</html>" % (prefix, TOKEN),
               content_type="text/html")
    with pytest.raises(ScimError) as caught:
        make_client().search_users()
    assert "not JSON" in str(caught.value)
    assert "xoxp-unit" not in str(caught.value) and TOKEN[-10:] not in str(caught.value)


# -- total deadline and size cap (issue 14.8) -------------------------------------------------------

def test_the_timeout_is_a_deadline_for_the_whole_answer(mocked, make_client):
    ticks = iter(range(0, 1000, 2))  # every look at the clock is two seconds later

    mocked.get(BASE % "v2" + "Users/U1", json=user("U1", "carly"))
    client = make_client(timeout=3, clock=lambda: float(next(ticks)), retry_handlers=[])
    with pytest.raises(ScimError) as caught:
        client.read_user("U1")
    assert "no complete answer within the timeout of 3 seconds" in str(caught.value)
    assert "Raise timeout" in str(caught.value)


def test_an_answer_over_the_size_cap_is_refused(mocked, make_client, monkeypatch):
    assert _transport.MAX_BODY_BYTES == 64 * 1024 * 1024
    monkeypatch.setattr(_transport, "MAX_BODY_BYTES", 100 * 1024)
    mocked.get(BASE % "v2" + "Users", body=b"[" + b" " * (200 * 1024) + b"]", content_type="application/json")
    with pytest.raises(ScimError) as caught:
        make_client().search_users()
    assert "answer larger than 100 KiB" in str(caught.value)


def test_a_server_dripping_its_answer_is_cut_at_the_deadline():
    """A real socket: one byte every 0.1 s of a 100-byte answer would take 10 s; timeout 0.5 s ends it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve():
        conn, dummy = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
        for dummy in range(100):
            if stop.is_set():
                break
            try:
                conn.sendall(b" ")
            except OSError:
                break
            time.sleep(0.1)
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client = SCIMClient(TOKEN, base_url="http://127.0.0.1:%d/scim/v2/" % port, timeout=0.5, retry_handlers=[])
    started = time.monotonic()
    try:
        with pytest.raises(ScimError, match="no complete answer within the timeout of 0.5 seconds"):
            client.read_user("U1")
        waited = time.monotonic() - started
        # The answer dribbles for 10 s; a wide margin over the 0.5 s deadline, for a loaded machine.
        assert waited < 7, "the client waited %.1f s for an answer that its 0.5 s deadline had cut" % waited
    finally:
        stop.set()
        thread.join(5)
        listener.close()
        client.close()


class RecordingSocket:
    def __init__(self):
        self.calls = []

    def settimeout(self, seconds):
        self.calls.append(("timeout", seconds))

    def setsockopt(self, level, option, value):
        self.calls.append((level, option, value))


def test_every_read_acknowledges_at_once_so_nagles_algorithm_on_the_server_costs_nothing():
    """A server that writes headers and body separately with Nagle on holds the body until the client ACKs
    the headers; a delayed ACK costs 40 ms an answer (make bench measures it against `--nagle`).  Linux has
    TCP_QUICKACK; elsewhere only the timeout is set."""
    assert _transport.QUICKACK == getattr(socket, "TCP_QUICKACK", None)
    sock = RecordingSocket()
    raw = mock.Mock(connection=mock.Mock(sock=sock))
    _transport._set_socket_timeout(raw, 5)
    _transport._set_socket_timeout(raw, 4)
    quick = [(socket.IPPROTO_TCP, _transport.QUICKACK, 1)] if _transport.QUICKACK is not None else []
    assert sock.calls == [("timeout", 5)] + quick + [("timeout", 4)] + quick


# -- urllib3's InsecureRequestWarning stays out of stderr (issue 23.6) ----------------------------------------------

@pytest.mark.parametrize("validate_certs, escaped", [(False, []), (True, ["Unverified HTTPS request"])])
def test_insecure_request_warning_is_silenced_only_without_verification(mocked, make_client, validate_certs, escaped):
    mocked.get(BASE % "v2" + "Users", json=page([]))
    client = make_client(validate_certs=validate_certs)
    request = client._session.request  # pylint: disable=protected-access

    def warning_request(*args, **kwargs):
        warnings.warn("Unverified HTTPS request", urllib3.exceptions.InsecureRequestWarning)
        return request(*args, **kwargs)

    client._session.request = warning_request  # pylint: disable=protected-access
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.search_users()
    assert [str(w.message) for w in caught if w.category is urllib3.exceptions.InsecureRequestWarning] == escaped
