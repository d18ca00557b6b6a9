# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options, defined once (_connection.py) and documented once (the connection doc fragment)."""

from __future__ import annotations

import pytest
import requests
import yaml

from ansible_collections.scim.slack.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.scim.slack.plugins.module_utils import _connection
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError

from ansible_collections.scim.slack.tests.unit.scim_test_utils import TOKEN


def documented(spec):
    """An argument spec as its documentation states it: type, default, choices, required, suboptions."""
    shown = {}
    for name, option in spec.items():
        entry = {key: option[key] for key in ("type", "default", "choices", "required") if key in option}
        if "options" in option:
            entry["options"] = documented(option["options"])
        if "suboptions" in option:
            entry["options"] = documented(option["suboptions"])
        shown[name] = entry
    return shown


def test_the_doc_fragment_documents_the_argument_spec():
    docs = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    assert documented(docs) == documented(_connection.argument_spec())
    assert sorted(docs) == sorted(_connection.NAMES)


def test_the_lookup_reads_the_same_environment_variables():
    plugins = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]
    for name in _connection.NAMES:
        # ansible-core's configuration lets the last variable of the list win; env_fallback the first.
        listed = [source["name"] for source in plugins[name].get("env") or []]
        assert list(reversed(listed)) == list(_connection.ENVIRONMENT.get(name, ())), name
        assert [source["name"] for source in plugins[name]["vars"]] == [_connection.VARIABLES[name]]


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
    assert client.api_version == _connection.DEFAULTS["api_version"]
    assert client.timeout == _connection.DEFAULTS["timeout"] and client._session.verify is True
    assert client.max_wait == 120 and [h.max_retry_count for h in client.retry_handlers][:3] == [1, 5, 2]


@pytest.mark.parametrize("options, message", [
    ({"timeout": float("nan")}, r"timeout must be .* got nan"),
    ({"retries": {"max_wait": -1}}, r"retries.max_wait must be a finite number of seconds, 0 or more, got -1"),
    ({"api_url": "ftp://slack.example.com/scim/v2/"}, r"api_url must be an http\(s\) URL, got 'ftp://"),
    ({"web_api_url": "slack.com/api/"}, r"web_api_url must be an http\(s\) URL, got 'slack.com/api/'"),
    ({"web_api_url": "http://slack.example.com/api/"}, r"^web_api_url http://slack.example.com/api/ is plain http:// "
                                                       r"to slack.example.com.*Refused"),
    ({"api_version": "v1", "api_url": "https://api.slack.com/scim/v2/"}, r"set api_version to"),
])
def test_unusable_options_fail_naming_the_option_before_any_request(options, message):
    assert _connection.options_problem(options) is not None
    with pytest.raises(ScimError, match=message) as caught:
        _connection.client_from_options(dict(options, token=TOKEN))
    assert caught.value.request_sent is False


def test_a_timeout_of_an_hour_is_the_longest_allowed():
    assert _connection.client_from_options({"token": TOKEN, "timeout": 3600}).timeout == 3600


def test_clear_text_to_another_host_is_refused_unless_allowed():
    assert _connection.options_problem({"api_url": "http://api.slack.com/scim/v2/"}) == (
        "api_url http://api.slack.com/scim/v2/ is plain http:// to api.slack.com, which is not this machine: the "
        "token travels in clear text and anyone on the network can read it; use https://. Refused: use https://, "
        "or set allow_plain_http: true for a test endpoint on a network you trust")
    with pytest.raises(ScimError, match="allow_plain_http") as caught:
        _connection.client_from_options({"token": TOKEN, "api_url": "http://api.slack.com/scim/v2/"})
    assert caught.value.request_sent is False
    allowed = {"api_url": "http://scim.example.com/scim/v2/", "allow_plain_http": True}
    assert _connection.options_problem(allowed) is None
    assert "clear text" in _connection.options_warning(allowed)
    assert _connection.options_warning({"api_url": "http://127.0.0.1:8765/scim/v2/"}) is None
    assert _connection.options_warning({"api_url": None}) is None
    web_allowed = {"web_api_url": "http://web.example.com/api/", "allow_plain_http": True}
    assert _connection.options_problem(web_allowed) is None
    assert _connection.options_warning(web_allowed).startswith("web_api_url http://web.example.com/api/")


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
