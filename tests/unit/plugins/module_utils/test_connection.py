# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client built from a task's connection options (_connection.py); the options themselves are declared and
checked in _connection_options.py (test_connection_options.py)."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.scim.slack.plugins.module_utils import _connection
from ansible_collections.scim.slack.plugins.module_utils._connection_options import DEFAULTS
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError

from ansible_collections.scim.slack.tests.unit.scim_test_utils import TOKEN


def test_the_client_takes_every_option():
    client = _connection.client_from_options({
        "token": TOKEN, "api_version": "v1", "api_url": None, "timeout": 5, "validate_certs": False,
        "retries": {"connection_errors": 0, "rate_limited": 3, "server_errors": 1, "max_wait": 10},
        "web_api_url": "https://gateway.example/slack-web"})
    assert client.base_url == "https://api.slack.com/scim/v1/" and client.api_version == "v1"
    assert client.web_api_url("auth.test") == "https://gateway.example/slack-web/auth.test"
    assert [(type(h).__name__, h.max_retry_count) for h in client.retry_handlers] == [
        ("RateLimitErrorRetryHandler", 3), ("ServerErrorRetryHandler", 1), ("TransientCreateErrorRetryHandler", 1)]
    assert client.max_wait == 10 and client.timeout == 5 and client._session.verify is False


def test_options_left_out_take_the_documented_defaults():
    client = _connection.client_from_options({"token": TOKEN, "api_version": None, "timeout": None,
                                              "validate_certs": None})
    assert client.api_version == DEFAULTS["api_version"]
    assert client.timeout == DEFAULTS["timeout"] and client._session.verify is True
    assert client.max_wait == 120 and [h.max_retry_count for h in client.retry_handlers][:3] == [1, 5, 2]


@pytest.mark.parametrize("api_url, named", [
    ("", "api_url (https://api.slack.com/scim/v2/, the default: api_url and SLACK_SCIM_API_URL are unset or empty)"),
    ("https://scim.example.invalid/scim/v2/", "api_url (https://scim.example.invalid/scim/v2/)"),
])
def test_a_network_error_names_the_url_tried_and_whether_it_is_the_default(mocked, api_url, named):
    url = (api_url or "https://api.slack.com/scim/v2/") + "Users/W1"
    mocked.get(url, body=requests.exceptions.ConnectionError("Failed to resolve host ([Errno -2] Name or service "
                                                             "not known)"))
    client = _connection.client_from_options({"token": TOKEN, "api_url": api_url, "retries": {"connection_errors": 0}})
    with pytest.raises(ScimError) as caught:
        client.read_user("W1")
    assert str(caught.value).endswith("Check the host name in %s, and DNS" % named), str(caught.value)
