# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The SDK-shaped responses (_responses.py) and the synchronous SDK-shaped client (_sdk_client.py) over
mocked HTTP: what the SDK's users read (status_code, headers, body, raw_body, snake_cased_body, users,
user, total_results, ...), the endpoint chosen, and that every request goes through the modules' client."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.scim.slack.plugins.module_utils import _responses, _sdk_client
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._models import Group, GroupMember, User, UserName
from ansible_collections.scim.slack.plugins.module_utils._retry import RateLimitErrorRetryHandler
from ansible_collections.scim.slack.plugins.module_utils._sdk_client import SCIMClient, sdk_endpoint

from ansible_collections.scim.slack.tests.unit.plugins.module_utils.test_models import V1_USER, V2_GROUP, V2_USER
from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN, NoJitter, body_of, page, query_of

V1 = BASE % "v1"
V2 = BASE % "v2"


@pytest.fixture
def no_environment(monkeypatch):
    monkeypatch.delenv("SLACK_SCIM_API_URL", raising=False)
    monkeypatch.delenv("SLACK_SCIM_API_VERSION", raising=False)


def client(base_url=V1, **kwargs):
    return SCIMClient(token=TOKEN, base_url=base_url, sleep=lambda seconds: None, **kwargs)


# -- the response objects ----------------------------------------------------------------------------

def test_snake_cased_body_converts_keys_at_every_depth():
    body = page([V2_USER], total=1373)
    response = _responses.SearchUsersResponse(url=V2 + "Users", status_code=200, headers={}, raw_body=json.dumps(body),
                                              body=body)
    snake = response.snake_cased_body
    assert snake["total_results"] == 1373 and snake["items_per_page"] == 1
    assert snake["resources"][0]["user_name"] == "carly"
    assert snake["resources"][0]["phone_numbers"][0] == {"value": None, "type": "mobile"}
    assert response.body == body, "the body stays as Slack sent it"


def test_a_page_reads_its_envelope_and_its_items():
    body = page([V2_USER], total=1373, start=2)
    response = _responses.SearchUsersResponse(url=V2 + "Users", status_code=200, headers={}, raw_body="", body=body)
    assert (response.total_results, response.start_index, response.items_per_page) == (1373, 2, 1)
    assert response.users == [User.from_dict(V2_USER)]
    groups = _responses.SearchGroupsResponse(url=V2 + "Groups", status_code=200, headers={}, raw_body="",
                                             body=page([V2_GROUP]))
    assert groups.groups == [Group.from_dict(V2_GROUP)]


def test_a_response_without_a_body_has_no_resource():
    response = _responses.GroupPatchResponse(url=V1 + "Groups/S1", status_code=204, headers={}, raw_body="", body=None)
    assert response.group is None and response.snake_cased_body is None
    assert _responses.UserPatchResponse.from_response(response).user is None


# -- the synchronous client: the SDK page's calls ------------------------------------------------------

def test_search_users_answers_the_sdk_shape(mocked):
    mocked.get(V1 + "Users", json=page([V1_USER], total=3), headers={"X-Slack-Req": "1"})
    response = client().search_users(filter='userName Eq "bot-user"', start_index=1, count=100)
    assert response.status_code == 200 and response.headers["X-Slack-Req"] == "1"
    assert response.url.startswith(V1 + "Users?")
    assert json.loads(response.raw_body) == response.body == page([V1_USER], total=3)
    assert [user.user_name for user in response.users] == ["bot-user"] and response.total_results == 3
    assert query_of(mocked.calls[0]) == {"filter": 'userName Eq "bot-user"', "startIndex": "1", "count": "100"}


def test_create_patch_update_delete_as_the_sdk_page_writes_them(mocked):
    created = dict(V1_USER, id="W222", userName="cal")
    mocked.post(V1 + "Users", status=201, json=created)
    mocked.patch(V1 + "Users/W222", json=dict(created, userName="chenderson"))
    mocked.put(V1 + "Users/W222", json=dict(created, userName="chenderson", name={"givenName": "Cal"}))
    mocked.delete(V1 + "Users/W222", status=200, body="")
    scim = client()
    creation = scim.create_user(User(user_name="cal", name=UserName(given_name="C", family_name="Henderson")))
    patch = scim.patch_user(id=creation.user.id, partial_user=User(user_name="chenderson"))
    user = patch.user
    user.name = UserName(given_name="Cal", family_name="Henderson")
    update = scim.update_user(user=user)
    deletion = scim.delete_user(user.id)
    assert [creation.status_code, patch.status_code, update.status_code, deletion.status_code] == [201, 200, 200, 200]
    assert creation.user.id == "W222" and update.user.name.given_name == "Cal"
    assert deletion.body is None and deletion.raw_body == ""
    sent = [body_of(call) for call in mocked.calls[:3]]
    assert sent[0]["userName"] == "cal" and sent[0]["schemas"] == ["urn:scim:schemas:core:1.0"]
    assert sent[1] == {"schemas": ["urn:scim:schemas:core:1.0"], "userName": "chenderson"}
    assert sent[2]["name"] == {"givenName": "Cal", "familyName": "Henderson"} and "meta" not in sent[2]


def test_a_user_read_and_written_back_leaves_out_slacks_blank_manager(mocked):
    """Slack answers "no manager" as a manager with a blank managerId, and refuses it back."""
    mocked.put(V1 + "Users/W111", json=V1_USER)
    client().update_user(User.from_dict(V1_USER))
    assert body_of(mocked.calls[0])["urn:scim:schemas:extension:enterprise:1.0"] == {"employeeNumber": ""}


def test_groups_take_models_and_v1s_member_removal(mocked):
    mocked.post(V2 + "Groups", status=201, json=V2_GROUP)
    mocked.patch(V2 + "Groups/S123ABC456", json=V2_GROUP)
    scim = client(V2)
    created = scim.create_group(Group(display_name="Some Group Name", members=[GroupMember(value="U123ABC456")]))
    removal = Group(members=[GroupMember(value="U123ABC456", operation="delete")])
    scim.patch_group(created.group.id, partial_group=removal)
    assert body_of(mocked.calls[0])["members"] == [{"value": "U123ABC456"}]
    assert body_of(mocked.calls[1])["Operations"] == [
        {"op": "remove", "path": "members", "value": [{"value": "U123ABC456"}]}]


def test_failures_raise_scim_error_without_the_token(mocked):
    mocked.get(V1 + "Users/W1", status=404, json={"Errors": {"description": "no_such_user %s" % TOKEN, "code": 404}})
    with pytest.raises(ScimError) as raised:
        client().read_user("W1")
    assert raised.value.status == 404 and TOKEN not in str(raised.value)


def test_retry_handlers_is_the_list_the_client_consults(mocked):
    """The SDK page appends a handler to ``client.retry_handlers``: it must take effect."""
    mocked.get(V1 + "Users", status=429, headers={"Retry-After": "1"}, json={})
    mocked.get(V1 + "Users", json=page([]))
    scim = client()
    scim.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1, jitter=NoJitter()))
    assert scim.search_users(start_index=1, count=10).status_code == 200
    assert len(mocked.calls) == 2


def test_iter_users_pages_the_whole_listing_as_models(mocked):
    first = dict(V1_USER, id="W1")
    second = dict(V1_USER, id="W2")
    mocked.get(V1 + "Users", json=page([first], total=2))
    mocked.get(V1 + "Users", json=page([second], total=2, start=2))
    assert [user.id for user in client().iter_users(count=1)] == ["W1", "W2"]


# -- the endpoint ----------------------------------------------------------------------------------

def test_a_v1_base_url_speaks_v1_and_v2_is_one_keyword_away(no_environment):
    assert sdk_endpoint("https://api.slack.com/scim/v1/") == ("https://api.slack.com/scim/v1/", "v1")
    assert sdk_endpoint() == ("https://api.slack.com/scim/v1/", "v1")
    assert sdk_endpoint(api_version="v2") == ("https://api.slack.com/scim/v2/", "v2")
    assert client(V1).api_version == "v1" and client(V2).api_version == "v2"
    with pytest.raises(ScimError, match="api_version is v2 but api_url .* ends in /scim/v1/"):
        client(V1, api_version="v2")


def test_the_environment_chooses_the_endpoint_as_for_the_modules(no_environment, monkeypatch):
    monkeypatch.setenv("SLACK_SCIM_API_URL", V2)
    assert SCIMClient(token=TOKEN).base_url == V2 and SCIMClient(token=TOKEN).api_version == "v2"
    monkeypatch.setenv("SLACK_SCIM_API_URL", "https://gateway.test/slack/")
    monkeypatch.setenv("SLACK_SCIM_API_VERSION", "v2")
    assert (SCIMClient(token=TOKEN).base_url, SCIMClient(token=TOKEN).api_version) == ("https://gateway.test/slack/",
                                                                                       "v2")
    assert SCIMClient(token=TOKEN, base_url=V1).api_version == "v1", "an explicit base_url wins"


def test_one_client_underneath():
    """The SDK-shaped client sends through the modules' client: no transport of its own."""
    scim = client()
    assert isinstance(scim._client, _sdk_client._CoreClient)  # pylint: disable=protected-access
    assert not [name for name in vars(SCIMClient) if name in ("_send", "_api_call", "_retry", "pages")]


def test_ssl_context_is_mounted_for_https(mocked):
    import ssl

    context = ssl.create_default_context()
    scim = client(ssl=context)
    adapter = scim._client._session.get_adapter("https://scim.test/")  # pylint: disable=protected-access
    assert adapter._context is context  # pylint: disable=protected-access
    assert isinstance(adapter, requests.adapters.HTTPAdapter)
