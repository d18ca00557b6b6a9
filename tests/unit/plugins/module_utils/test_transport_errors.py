# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The words of a failed request (_transport_errors.py): what happened, and what to change.  The messages of
failures met through the client, with their retries, are in test_retry.py."""

from __future__ import annotations

import pytest
import requests
import urllib3

from ansible_collections.scim.slack.plugins.module_utils import _transport, _transport_errors
from ansible_collections.scim.slack.plugins.module_utils._retry import HttpResponse, RetryState


def failure(response=None, error=None, path="/Users"):
    return _transport_errors.request_failure(
        "GET", path, response, error, RetryState(), timeout=30, max_wait=120,
        api_url_named="api_url (https://scim.example/scim/v2/)", secrets=("xoxp-secret",))


def test_the_size_cap_message_speaks_mib():
    assert _transport_errors.size_text(_transport.MAX_BODY_BYTES) == "64 MiB"


def test_the_innermost_reason_of_a_transport_failure_is_named():
    reason = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: [Errno 111] refused")
    error = requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/scim/v2/Users", reason))
    assert _transport_errors.describe_transport_error(error) == "[Errno 111] refused"


def test_a_404_without_a_slack_error_says_there_is_no_scim_api():
    error = failure(HttpResponse(404, {}, None, b"<html>not found</html>"))
    assert str(error) == ("GET /Users failed: HTTP 404 Not Found: no SCIM API there; api_url must end in /scim/v2/ "
                          "(or /scim/v1/ with api_version v1)")
    assert error.status == 404 and error.retries == 0


@pytest.mark.parametrize("timeout_error, said", [
    (requests.exceptions.ConnectTimeout("connect"), "could not connect within the timeout of 30 seconds"),
    (requests.exceptions.ReadTimeout("read"), "no complete answer within the timeout of 30 seconds"),
])
def test_a_timeout_names_the_timeout_and_the_url(timeout_error, said):
    message = str(failure(error=timeout_error))
    assert said in message and "api_url (https://scim.example/scim/v2/)" in message


def test_a_detail_echoing_the_token_is_redacted():
    error = failure(HttpResponse(400, {}, {"detail": "bad token xoxp-secret", "status": 400}, b"{}"), path="/Users/U1")
    assert "xoxp-secret" not in str(error)
