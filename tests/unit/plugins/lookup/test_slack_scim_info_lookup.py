# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN


@pytest.fixture
def lookup():
    return lookup_loader.get("scim.slack.slack_scim_info")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("SLACK_SCIM_TOKEN", "SLACK_ORG_ADMIN_USER_TOKEN", "SLACK_SCIM_API_URL", "SLACK_SCIM_API_VERSION"):
        monkeypatch.delenv(name, raising=False)


def carly(uid="W00000001"):
    return {"id": uid, "userName": "carly", "emails": [{"value": "carly@example.com", "primary": True}]}


def test_keywords_take_precedence_over_variables(mocked, lookup):
    mocked.get(BASE % "v1" + "Users", json={"Resources": [carly()], "totalResults": 1})
    variables = {"slack_scim_token": "xoxp-from-vars", "slack_scim_api_url": "http://wrong.invalid/"}
    result = lookup.run(["users"], variables, token=TOKEN, api_url=BASE % "v1", api_version="v1",
                        email="carly@example.com")
    assert result == [carly()]
    assert mocked.calls[0].request.headers["Authorization"] == "Bearer " + TOKEN


def test_variables_then_environment(mocked, lookup, monkeypatch):
    monkeypatch.setenv("SLACK_SCIM_TOKEN", "xoxp-from-env")
    monkeypatch.setenv("SLACK_SCIM_API_URL", "http://wrong.invalid/")
    mocked.get(BASE % "v2" + "Users/W00000001", json=carly())
    variables = {"slack_scim_token": TOKEN, "slack_scim_api_url": BASE % "v2"}
    assert lookup.run(["users"], variables, id="W00000001") == [carly()]
    assert mocked.calls[0].request.headers["Authorization"] == "Bearer " + TOKEN


def test_environment_alone(mocked, lookup, monkeypatch):
    monkeypatch.setenv("SLACK_ORG_ADMIN_USER_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_SCIM_API_URL", BASE % "v2")
    mocked.get(BASE % "v2" + "Groups", json={"Resources": [{"id": "S0000001", "displayName": "Eng"}],
                                             "totalResults": 1})
    assert lookup.run(["groups"], {}, display_name="Eng")[0]["id"] == "S0000001"
    assert mocked.calls[0].request.headers["Authorization"] == "Bearer " + TOKEN


def test_several_terms_make_one_flat_list(mocked, lookup):
    mocked.get(BASE % "v2" + "Users", json={"Resources": [carly()], "totalResults": 1})
    mocked.get(BASE % "v2" + "ServiceProviderConfig", json={"patch": {"supported": True}})
    result = lookup.run(["users", "service_provider_config"], {}, token=TOKEN, api_url=BASE % "v2")
    assert result == [carly(), {"patch": {"supported": True}}]


def test_errors_raise_lookup_errors_without_the_token(mocked, lookup):
    rejected = {"Errors": {"description": "invalid_authentication", "code": 401}}
    mocked.get(BASE % "v2" + "Users", status=401, json=rejected)
    with pytest.raises(AnsibleLookupError) as caught:
        lookup.run(["users"], {}, token=TOKEN, api_url=BASE % "v2", retries={"server_errors": 0})
    assert "invalid_authentication" in str(caught.value) and TOKEN not in str(caught.value)


@pytest.mark.parametrize("terms, kwargs, named", [
    (["people"], {}, "resource"),
    (["groups"], {"email": "a@example.com"}, "email"),
    (["users"], {"retries": {"rate_limit": 1}}, "rate_limit"),
    (["users"], {"username": "carly"}, "unknown keyword username"),
    (["users"], {"user_name": "carly", "emial": "x", "act1ve": True}, "unknown keywords act1ve, emial"),
])
def test_bad_input_raises_before_any_request(mocked, lookup, terms, kwargs, named):
    with pytest.raises(AnsibleLookupError, match=named):
        lookup.run(terms, {}, token=TOKEN, api_url=BASE % "v2", **kwargs)
    assert len(mocked.calls) == 0


def test_missing_token_is_explained(lookup):
    with pytest.raises(Exception) as caught:
        lookup.run(["users"], {}, api_url=BASE % "v2")
    assert "token" in str(caught.value)


class RecordingTemplar:
    """Stands for the play's templar: renders "{{ name }}" from its variables, and records what it rendered."""

    def __init__(self, variables):
        self.variables = variables
        self.rendered = []

    def template(self, value):
        self.rendered.append(value)
        name = value.strip("{} ")
        return self.variables[name] if value.startswith("{{") else value


def test_options_from_variables_are_templated(mocked, lookup):
    variables = {"slack_scim_token": "{{ vault_token }}", "slack_scim_api_url": "{{ scim_url }}",
                 "vault_token": TOKEN, "scim_url": BASE % "v2"}
    lookup._templar = RecordingTemplar(variables)
    mocked.get(BASE % "v2" + "Users", json={"Resources": [carly()], "totalResults": 1})
    assert lookup.run(["users"], variables) == [carly()]
    assert mocked.calls[0].request.headers["Authorization"] == "Bearer " + TOKEN
    assert sorted(lookup._templar.rendered) == ["{{ scim_url }}", "{{ vault_token }}"]


def test_keywords_and_environment_are_not_templated_again(mocked, lookup, monkeypatch):
    monkeypatch.setenv("SLACK_SCIM_API_URL", BASE % "v2")
    lookup._templar = RecordingTemplar({})
    mocked.get(BASE % "v2" + "Users", json={"Resources": [carly()], "totalResults": 1})
    lookup.run(["users"], {"unrelated": 1}, token=TOKEN)
    assert lookup._templar.rendered == []


def test_plain_http_to_another_host_fails_unless_allowed_then_warns(mocked, lookup, monkeypatch):
    shown = []
    monkeypatch.setattr("ansible.utils.display.Display.warning", lambda self, msg, *a, **k: shown.append(msg))
    with pytest.raises(AnsibleLookupError, match="allow_plain_http: true"):
        lookup.run(["users"], {}, token=TOKEN, api_url="http://scim.example.net/scim/v2/")
    assert len(mocked.calls) == 0
    mocked.get("http://scim.example.net/scim/v2/Users", json={"Resources": [carly()], "totalResults": 1})
    lookup.run(["users"], {"slack_scim_allow_plain_http": True}, token=TOKEN, api_url="http://scim.example.net/scim/v2/")
    assert len(shown) == 1 and "clear text" in shown[0] and TOKEN not in shown[0]


def test_plain_http_to_loopback_does_not_warn(mocked, lookup, monkeypatch):
    shown = []
    monkeypatch.setattr("ansible.utils.display.Display.warning", lambda self, msg, *a, **k: shown.append(msg))
    mocked.get("http://127.0.0.1:8765/scim/v2/Users", json={"Resources": [carly()], "totalResults": 1})
    lookup.run(["users"], {}, token=TOKEN, api_url="http://127.0.0.1:8765/scim/v2/")
    assert shown == []


def test_no_term_fails_naming_the_terms_and_sends_nothing(mocked, lookup):
    with pytest.raises(AnsibleLookupError) as caught:
        lookup.run([], {}, token=TOKEN, api_url=BASE % "v2", user_name="erin")
    assert str(caught.value) == ("slack_scim_info: no term, so nothing to read; give one of users, groups, "
                                 "workspaces, channels, service_provider_config first, for example "
                                 "query('scim.slack.slack_scim_info', 'users', user_name='erin')")
    assert len(mocked.calls) == 0
