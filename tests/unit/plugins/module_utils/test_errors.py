# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest
import requests

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError, parse_error_body, redact
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
    ({"Errors": {"description": "long_username (user=W0123ABC)", "code": 400}},
     ("long_username", "long_username (user=W0123ABC)")),
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
    assert str(error).startswith("POST /Users failed: HTTP 409 email_taken existing_user=W0123ABC.")
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


# -- Slack's real error strings get a hint (issue 12.8) ------------------------------------------------

@pytest.mark.parametrize("description, error, hint", [
    ("long_username (user=W0123ABC)", "long_username", "21 characters: shorten user_name"),
    ("username_not_allowed", "username_not_allowed", "choose another user_name"),
    ("invalid_name_specials (user=W1)", "invalid_name_specials", "display_name contains characters"),
    ("invalid_starts_with_at", "invalid_starts_with_at", "must not start with @"),
    ("invalid_emoji_not_allowed", "invalid_emoji_not_allowed", "emoji"),
    ("invalid_reserved_word", "invalid_reserved_word", "reserves"),
    ("no_such_group_members (members=U1,U2)", "no_such_group_members", "not a user of this org"),
    ("missing_schema_element", "missing_schema_element", "check that api_version matches api_url"),
    ("truncation_error", "truncation_error", "distinct user_name"),
    ("invited_user_not_created", "invited_user_not_created", "run the task again"),
    ("unable_to_create_team_profile_fields", "unable_to_create_team_profile_fields", "profile fields"),
    ("invalid_display_name", "invalid_display_name", "stop managing display_name"),
    ("cannot_make_user_guest", "cannot_make_user_guest", "cannot be guests"),
    ("bad_endpoint", "bad_endpoint", "api_url must end in /scim/v2/ (or /scim/v1/ with api_version v1)"),
])
@pytest.mark.parametrize("shape", ["v1", "v2"])
def test_slack_error_strings_get_their_hint(mocked, make_client, description, error, hint, shape):
    body = {"Errors": {"description": description, "code": 400}} if shape == "v1" else \
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "detail": description, "status": 400}
    mocked.post(URL, status=400 if error != "bad_endpoint" else 404, json=body)
    with pytest.raises(ScimError) as caught:
        make_client(retry_handlers=[]).create_user({"userName": "carly"})
    assert caught.value.error == error and caught.value.detail == description
    assert hint in str(caught.value)
    assert ("HTTP %d %s" % (caught.value.status, description)) in str(caught.value)
    assert str(caught.value).count(error) == 1 + caught.value.hint.count(error)


def test_errors_are_keyed_on_the_string_never_on_the_status_alone(mocked, make_client):
    mocked.post(URL, status=409, json={"detail": "something_else", "status": 409})
    with pytest.raises(ScimError) as caught:
        make_client().create_user({"userName": "carly"})
    assert caught.value.error == "something_else" and caught.value.hint is None
    assert "reactivate" not in str(caught.value)


@pytest.mark.parametrize("status, error, limited", [
    (429, None, True), (400, "too_many_requests", True), (200, "ratelimited", True), (400, "rate_limited", True),
    (429, "resource_locked", True), (400, "email_taken", False), (503, None, False),
])
def test_is_rate_limited(status, error, limited):
    assert ScimError("x", status=status, error=error).is_rate_limited is limited


def test_a_429_without_a_body_still_says_what_to_raise():
    assert "retries.rate_limited" in str(ScimError("GET /Users failed: HTTP 429", status=429))


# -- redaction (issue 14.6) ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Authorization: Bearer %s" % TOKEN, "Authorization: Bearer <redacted>"),
    ("token=%s&x=1" % TOKEN, "token=<redacted>&x=1"),
    ("a different xoxb-1111-2222-abcdef token", "a different <redacted> token"),
    ("invalid_request_payload (authorization=Bearer %s)" % TOKEN, "invalid_request_payload (authorization=Bearer <redacted>)"),
    ("(authorization=Bearer abc.def)", "(authorization=Bearer <redacted>)"),
    ('{"authorization": "bearer abc.def"}', '{"authorization": "bearer <redacted>"}'),
    ("nothing secret", "nothing secret"),
])
def test_redact_removes_the_token_and_token_shaped_text(text, expected):
    assert redact(text, (TOKEN,)) == expected


ODD = 'tok/en "with" spaces+&=\u00e9'  # a token (or a gateway's credential) that encoding changes


@pytest.mark.parametrize("text", [
    "Bearer  %s" % TOKEN.replace("xoxp-", "secret-"),  # two spaces: the fallback once stopped there
    "Bearer\t%s" % TOKEN.replace("xoxp-", "secret-"),
    "authorization=Bearer%%20%s&next=1" % TOKEN.replace("xoxp-", "secret-"),
    "authorization=Bearer+%s" % TOKEN.replace("xoxp-", "secret-"),
    '{"authorization": "Bearer\\u0020%s"}' % TOKEN.replace("xoxp-", "secret-"),
    '{"authorization": "Bearer \\n  %s"}' % TOKEN.replace("xoxp-", "secret-"),
])
def test_the_fallback_redacts_a_credential_after_any_white_space(text):
    assert "secret-unit" not in redact(text), redact(text)
    assert "<redacted>" in redact(text)


@pytest.mark.parametrize("form", [quote(ODD, safe=""), quote_plus(ODD), json.dumps(ODD)[1:-1],
                                  json.dumps(ODD, ensure_ascii=False)[1:-1], ODD])
def test_the_token_is_redacted_url_encoded_and_json_escaped(form):
    redacted = redact("echoed: [%s] done" % form, (ODD,))
    assert redacted == "echoed: [<redacted>] done", redacted


def test_scim_error_redact_scrubs_every_text():
    error = ScimError("GET /x failed: %s" % TOKEN, detail="echo %s" % TOKEN, path="/x")
    error.redact((TOKEN,))
    assert TOKEN not in str(error) and TOKEN not in repr(error) and TOKEN not in repr(error.to_dict())
    assert TOKEN not in repr(error.args)


def test_a_404_on_a_collection_without_slack_error_points_at_api_url(mocked, make_client):
    mocked.get(URL, status=404, body="<html>Not Found</html>", content_type="text/html")
    with pytest.raises(ScimError) as caught:
        make_client().search_users()
    assert str(caught.value) == ("GET /Users failed: HTTP 404 Not Found: no SCIM API there; api_url must end in "
                                 "/scim/v2/ (or /scim/v1/ with api_version v1)")


def test_a_404_on_one_user_is_not_found_not_a_wrong_url(mocked, make_client):
    mocked.get(URL + "/U1", status=404, body="")
    with pytest.raises(ScimError) as caught:
        make_client().read_user("U1")
    assert caught.value.is_not_found and "api_url" not in str(caught.value)


# -- a write whose answer was lost (issue 23.6) -----------------------------------------------------------------

@pytest.mark.parametrize("method, status, request_sent, unknown", [
    ("PATCH", None, True, True), ("PUT", None, True, True), ("DELETE", None, True, True),
    ("PATCH", None, False, False), ("PATCH", 500, True, False), ("GET", None, True, False),
])
def test_a_write_without_an_answer_has_an_unknown_outcome(method, status, request_sent, unknown):
    error = ScimError("%s /Users/U1 failed: no complete answer within the timeout of 3 seconds" % method,
                      method=method, path="/Users/U1", status=status, request_sent=request_sent)
    assert error.outcome_unknown is unknown
    assert ("outcome is unknown: run the task again" in str(error)) is unknown
    assert error.to_dict()["outcome"] == ("unknown" if unknown else None)


@pytest.mark.parametrize("value, expected", [
    ("short", "'short'"),
    ("x" * 300, "'" + "x" * 156 + "..."),
])
def test_snippet_quotes_at_most_the_limit(value, expected):
    from ansible_collections.scim.slack.plugins.module_utils._errors import SNIPPET_LIMIT, snippet
    assert snippet(value) == expected
    assert len(snippet(value)) <= SNIPPET_LIMIT
