# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options, declared once (_connection_options.py): the doc fragment written from the declaration,
the defaults everyone takes from it, and the one check of a task's options."""

from __future__ import annotations

import inspect
import re

import pytest
import yaml

from ansible_collections.scim.slack.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.scim.slack.plugins.module_utils import _connection, _connection_options, _module
from ansible_collections.scim.slack.plugins.module_utils._async_client import AsyncSCIMClient
from ansible_collections.scim.slack.plugins.module_utils._client import SCIMClient
from ansible_collections.scim.slack.plugins.module_utils._connection_options import (
    DEFAULTS,
    OPTIONS,
    RETRY_COUNT_KEYS,
    RETRY_DEFAULTS,
    insecure_url_warning,
    option_docs,
    options_problem,
    options_warning,
    retries_problem,
)
from ansible_collections.scim.slack.plugins.module_utils._sdk_client import SCIMClient as SDKClient

from ansible_collections.scim.slack.tests.unit.scim_test_utils import TOKEN

FIX = "run `python hacking/option_docs.py` to write the declared options into the doc fragment"


# -- one declaration, and what comes from it -------------------------------------------------------------

def test_the_doc_fragment_is_the_declaration():
    assert yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"] == option_docs(), FIX


def test_the_lookup_reads_the_declared_variables_and_environment_last_listed_first():
    assert yaml.safe_load(ModuleDocFragment.PLUGINS)["options"] == option_docs("lookup"), FIX
    token = option_docs("lookup")["token"]
    # ansible-core's configuration lets the last variable of the list win; env_fallback the first.
    assert [source["name"] for source in token["env"]] == ["SLACK_ORG_ADMIN_USER_TOKEN", "SLACK_SCIM_TOKEN"]
    assert _connection_options.ENVIRONMENT["token"] == ("SLACK_SCIM_TOKEN", "SLACK_ORG_ADMIN_USER_TOKEN")
    assert [source["name"] for source in token["vars"]] == ["slack_scim_token"]


def test_the_argument_spec_is_the_declaration():
    spec = _connection.argument_spec()
    assert list(spec) == [option.name for option in OPTIONS]
    assert spec["token"]["no_log"] is True and spec["token"]["required"] is True
    assert spec["token"]["fallback"][1] == ["SLACK_SCIM_TOKEN", "SLACK_ORG_ADMIN_USER_TOKEN"]
    assert spec["api_version"]["choices"] == ["v1", "v2"] and spec["allow_plain_http"]["default"] is False
    assert spec["retries"]["apply_defaults"] is True
    assert dict((key, value["default"]) for key, value in spec["retries"]["options"].items()) == RETRY_DEFAULTS
    for name, entry in spec.items():
        documented = option_docs()[name]
        assert (entry["type"], entry.get("default"), entry.get("choices")) == (
            documented["type"], documented.get("default"), documented.get("choices")), name


@pytest.mark.parametrize("client", [SCIMClient, SDKClient, AsyncSCIMClient])
def test_the_clients_default_to_the_declared_values(client):
    parameters = inspect.signature(client.__init__).parameters
    assert parameters["timeout"].default == DEFAULTS["timeout"]
    assert parameters["validate_certs"].default == DEFAULTS["validate_certs"]
    assert parameters["max_wait"].default == RETRY_DEFAULTS["max_wait"]


def test_the_core_client_speaks_the_declared_api_version_by_default():
    assert SCIMClient(TOKEN).api_version == DEFAULTS["api_version"]


def test_the_retry_counts_are_the_integer_suboptions():
    assert RETRY_COUNT_KEYS == ("connection_errors", "rate_limited", "server_errors")
    assert RETRY_DEFAULTS == {"connection_errors": 1, "rate_limited": 5, "server_errors": 2, "max_wait": 120}


# -- the one check ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("options, message", [
    ({"timeout": float("nan")}, r"timeout must be .* got nan"),
    ({"retries": {"max_wait": -1}}, r"retries.max_wait must be a finite number of seconds, 0 or more, got -1"),
    ({"api_url": "ftp://slack.example.com/scim/v2/"}, r"api_url must be an http\(s\) URL, got 'ftp://"),
    ({"web_api_url": "slack.com/api/"}, r"web_api_url must be an http\(s\) URL, got 'slack.com/api/'"),
    ({"web_api_url": "http://slack.example.com/api/"}, r"^web_api_url http://slack.example.com/api/ is plain http:// "
                                                       r"to slack.example.com.*Refused"),
    ({"api_version": "v1", "api_url": "https://api.slack.com/scim/v2/"}, r"set api_version to"),
])
def test_unusable_options_are_named(options, message):
    problem = options_problem(options)
    assert problem is not None
    assert re.search(message, problem), problem


def test_a_task_checks_its_connection_options_once(monkeypatch):
    calls = []
    checked = _connection_options.timeout_problem

    def counted(timeout):
        calls.append(timeout)
        return checked(timeout)

    monkeypatch.setattr(_connection_options, "timeout_problem", counted)
    params = {"token": TOKEN, "timeout": 7, "api_url": "https://api.slack.com/scim/v2/"}

    class Module:
        def __init__(self):
            self.params = params
            self.failed = self.warned = None

        def fail_json(self, msg):
            self.failed = msg

        def warn(self, warning):
            self.warned = warning

    module = Module()
    _module.check_connection_options(module)
    client = _connection.client_from_options(params)
    assert module.failed is None and client.timeout == 7
    assert calls == [7]
    SCIMClient(TOKEN, timeout=7)  # a Python caller's client checks what it is given
    assert calls == [7, 7]


def test_a_timeout_of_an_hour_is_the_longest_allowed():
    assert options_problem({"timeout": 3600}) is None
    assert options_problem({"timeout": 3601}).startswith("timeout must be a number of seconds")


def test_clear_text_to_another_host_is_refused_unless_allowed():
    assert options_problem({"api_url": "http://api.slack.com/scim/v2/"}) == (
        "api_url http://api.slack.com/scim/v2/ is plain http:// to api.slack.com, which is not this machine: the "
        "token travels in clear text and anyone on the network can read it; use https://. Refused: use https://, "
        "or set allow_plain_http: true for a test endpoint on a network you trust")
    allowed = {"api_url": "http://scim.example.com/scim/v2/", "allow_plain_http": True}
    assert options_problem(allowed) is None
    assert "clear text" in options_warning(allowed)
    assert options_warning({"api_url": "http://127.0.0.1:8765/scim/v2/"}) is None
    assert options_warning({"api_url": None}) is None
    web_allowed = {"web_api_url": "http://web.example.com/api/", "allow_plain_http": True}
    assert options_problem(web_allowed) is None
    assert options_warning(web_allowed).startswith("web_api_url http://web.example.com/api/")


@pytest.mark.parametrize("retries, problem", [
    ({"max_wait": float("nan")}, "retries.max_wait must be a finite number of seconds, 0 or more, got nan"),
    ({"max_wait": float("inf")}, "retries.max_wait must be a finite number of seconds, 0 or more, got inf"),
    ({"max_wait": -1}, "retries.max_wait must be a finite number of seconds, 0 or more, got -1"),
    ({"rate_limited": -2}, "retries.rate_limited must be a whole number of retries, 0 or more, got -2"),
    ({"server_errors": 1.5}, "retries.server_errors must be a whole number of retries, 0 or more, got 1.5"),
    ("5", "retries must be a dictionary, got '5'"),
    # Digits are ASCII: int() takes full-width digits, and "\u00b2".isdigit() is true but int() refuses it.
    ({"rate_limited": "\u00b2"}, "retries.rate_limited must be a whole number of retries, 0 or more, got '\u00b2'"),
    ({"server_errors": "\uff13"}, "retries.server_errors must be a whole number of retries, 0 or more, got '\uff13'"),
])
def test_unusable_retries_are_named(retries, problem):
    assert retries_problem(retries) == problem
    assert options_problem({"retries": retries}) == problem


@pytest.mark.parametrize("retries", [None, {}, {"max_wait": 0}, {"max_wait": "30"}, {"rate_limited": "3"},
                                     {"connection_errors": 0, "max_wait": 3600.5}])
def test_usable_retries_pass(retries):
    assert retries_problem(retries) is None


# -- the URLs the token is sent to -----------------------------------------------------------------------

@pytest.mark.parametrize("url, warned", [
    ("http://scim.example.com/scim/v2/", True),
    ("HTTP://10.0.0.5:8080/scim/v2/", True),
    ("http://localhost:8765/scim/v2/", False),
    ("http://127.0.0.1:8765/scim/v2/", False),
    ("http://127.8.9.10/scim/v2/", False),
    ("http://[::1]:8765/scim/v2/", False),
    ("https://scim.example.com/scim/v2/", False),
    (None, False),
])
def test_cleartext_warning_for_plain_http_off_this_machine(url, warned):
    warning = insecure_url_warning(url)
    assert bool(warning) is warned
    if warned:
        assert "clear text" in warning and "https://" in warning
        assert SCIMClient(TOKEN, base_url=url).cleartext_warning == warning.replace(url, url.rstrip("/") + "/")


def test_cleartext_warning_never_repeats_credentials_in_the_url():
    warning = insecure_url_warning("http://admin:hunter2@scim.example.com/scim/v2/")
    assert "hunter2" not in warning and "scim.example.com" in warning
