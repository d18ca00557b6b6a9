# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
import requests

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError, parse_error_body
from ansible_collections.scim.slack.plugins.module_utils._retry import ConnectionErrorRetryHandler

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN

URL = BASE % "v2" + "Users"


@pytest.mark.parametrize("body, expected", [
    ({"Errors": {"description": "no_filters (is_aggregate_call=1)", "code": 400}},
     ("no_filters", "no_filters (is_aggregate_call=1)")),
    ({"Errors": [{"description": "email_taken", "code": 409}]}, ("email_taken", "email_taken")),
    ({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "detail": "missing_schema_element",
      "status": 400}, ("missing_schema_element", "missing_schema_element")),
    ({"ok": False, "error": "ratelimited"}, ("ratelimited", "ratelimited")),
    ({"id": "U1"}, (None, None)),
    (None, (None, None)),
    ("text", (None, None)),
])
def test_parse_error_body_reads_every_shape(body, expected):
    assert parse_error_body(body) == expected


def test_error_carries_status_method_path_and_slack_error(mocked, make_client):
    mocked.post(URL, status=409, json={"Errors": {"description": "email_taken existing_user=W0123ABC", "code": 409}})
    with pytest.raises(ScimError) as caught:
        make_client().create_user({"userName": "carly"})
    error = caught.value
    assert (error.status, error.method, error.path, error.error) == (409, "POST", "/Users", "email_taken")
    assert error.existing_user == "W0123ABC"
    assert str(error).startswith("POST /Users failed: HTTP 409 email_taken (email_taken existing_user=W0123ABC)")
    assert "reactivate" in str(error)
    assert error.to_dict()["error"] == "email_taken"


def test_html_from_a_proxy_on_success_is_a_clear_error(mocked, make_client):
    mocked.get(URL, body="<html><body>Login required</body></html>", content_type="text/html")
    with pytest.raises(ScimError) as caught:
        make_client().search_users()
    message = str(caught.value)
    assert "not JSON" in message and "text/html" in message and "api_url" in message


def test_truncated_json_is_a_clear_error(mocked, make_client):
    mocked.get(URL, body='{"Resources": [{"id": "U1"', content_type="application/json")
    with pytest.raises(ScimError, match="not JSON"):
        make_client().search_users()


def test_error_status_with_html_body_still_reports_status(mocked, make_client):
    mocked.get(URL, status=403, body="<html>Forbidden</html>", content_type="text/html")
    with pytest.raises(ScimError) as caught:
        make_client().search_users()
    assert caught.value.status == 403 and "HTTP 403 Forbidden" in str(caught.value)


@pytest.mark.parametrize("error, hint", [
    ("invalid_authentication", "token"),
    ("non_org_teams_only", "Enterprise organization"),
    ("permission_denied", "Owner or Admin"),
])
def test_permission_errors_explain_the_fix(mocked, make_client, error, hint):
    mocked.get(URL, status=403 if error != "invalid_authentication" else 401,
               json={"Errors": {"description": error, "code": 403}})
    with pytest.raises(ScimError) as caught:
        make_client().search_users()
    assert hint in str(caught.value)


def test_token_never_appears_in_errors_or_reprs(mocked, make_client):
    mocked.get(URL, status=401, json={"Errors": {"description": "invalid_authentication", "code": 401}})
    mocked.get(URL, body=requests.exceptions.ConnectionError("reset by peer"))
    mocked.get(URL, body=requests.exceptions.ReadTimeout("timed out"))
    client = make_client(retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=0)])
    texts = [repr(client)]
    for dummy in range(3):
        with pytest.raises(ScimError) as caught:
            client.search_users()
        texts.extend([str(caught.value), repr(caught.value), repr(caught.value.to_dict())])
    assert len(texts) == 10
    assert all(TOKEN not in text for text in texts)


@pytest.mark.parametrize("body", [{}, {"userName": "carly"}, [], "text"])
def test_a_resource_without_id_is_a_clear_error(mocked, make_client, body):
    mocked.get(URL + "/U1", json=body)
    with pytest.raises(ScimError, match="GET /Users/U1 succeeded, but the answer has no resource with an id"):
        make_client().read_user("U1")


@pytest.mark.parametrize("body", [{"Resources": "nope"}, {"Resources": [1, 2]}, []])
def test_a_malformed_list_is_a_clear_error(mocked, make_client, body):
    mocked.get(URL, json=body)
    with pytest.raises(ScimError, match="is not a SCIM list response"):
        make_client().search_users()


def test_an_empty_204_is_fine_where_slack_sends_one(mocked, make_client):
    mocked.patch(URL + "/U1", status=204)
    assert make_client().patch_user("U1", {"title": "x"}) is None
