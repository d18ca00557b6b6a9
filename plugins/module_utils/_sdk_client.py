# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``SCIMClient`` as the Python Slack SDK's users write it: methods return responses
(``response.users``, ``response.user``, ``response.status_code``) and take models or dicts.

Internal to scim.slack; the API may change (the names are public through ``scim_client.py``).

A thin layer: every request goes through the modules' own client (``_client.SCIMClient``), with its
transport, retries, paging, dialects, limits and errors.  This file only chooses the endpoint the SDK's
way and wraps the answers.

The endpoint: ``base_url`` if given, else ``SLACK_SCIM_API_URL`` (as the modules read it), else Slack's
SCIM API.  The API version: ``api_version`` if given, else the one ``base_url`` ends in (``/scim/v1/``),
else ``SLACK_SCIM_API_VERSION``, else ``v1``, as the SDK speaks.
"""

from __future__ import annotations

import os

from ansible_collections.scim.slack.plugins.module_utils._client import SCIMClient as _CoreClient, default_api_url
from ansible_collections.scim.slack.plugins.module_utils._connection_options import DEFAULTS, ENVIRONMENT, RETRY_DEFAULTS
from ansible_collections.scim.slack.plugins.module_utils._dialect import url_dialect
from ansible_collections.scim.slack.plugins.module_utils._listing import MAX_PAGE_SIZE
from ansible_collections.scim.slack.plugins.module_utils._models import Group, User
from ansible_collections.scim.slack.plugins.module_utils._responses import (
    GroupCreateResponse,
    GroupDeleteResponse,
    GroupPatchResponse,
    GroupUpdateResponse,
    ReadGroupResponse,
    ReadUserResponse,
    SCIMResponse,
    SearchGroupsResponse,
    SearchUsersResponse,
    UserCreateResponse,
    UserDeleteResponse,
    UserPatchResponse,
    UserUpdateResponse,
)

try:
    from requests.adapters import HTTPAdapter
except ImportError:  # the client reports the missing library
    HTTPAdapter = object

SDK_API_VERSION = "v1"
# The environment variables the modules read too (the first of each option's).
API_URL_VARIABLE = ENVIRONMENT["api_url"][0]
API_VERSION_VARIABLE = ENVIRONMENT["api_version"][0]


def sdk_endpoint(base_url=None, api_version=None, environ=None):
    """``(base_url, api_version)`` chosen as this module's docstring says."""
    environ = os.environ if environ is None else environ
    base_url = base_url or environ.get(API_URL_VARIABLE) or None
    api_version = api_version or url_dialect(base_url) or environ.get(API_VERSION_VARIABLE) or SDK_API_VERSION
    return base_url or default_api_url(api_version), api_version


class _SSLContextAdapter(HTTPAdapter):
    """Connections made with the caller's ``ssl.SSLContext`` (the SDK's ``ssl`` argument)."""

    def __init__(self, context):
        self._context = context
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["ssl_context"] = self._context
        return super().init_poolmanager(*args, **kwargs)


class _RecordingClient(_CoreClient):
    """The modules' client, keeping the last answer it read so that a response can show it."""

    last_answer = None

    def _send(self, *args, **kwargs):
        answer, error = super()._send(*args, **kwargs)
        self.last_answer = answer
        return answer, error


def response_fields(url, status_code, headers, raw_body, body):
    return dict(url=url, status_code=status_code, headers=dict(headers), raw_body=raw_body, body=body)


def sdk_body(resource):
    """A model or a dict, as the JSON object to send."""
    return resource.to_dict() if hasattr(resource, "to_dict") else dict(resource)


def sdk_user_body(user, dialect):
    """A whole user (POST, PUT) as the JSON object to send.  A manager with no ``managerId`` is what Slack
    answers for "no manager" (``""`` on v1), and what it refuses back (``improper_enterprise_schema_format``):
    it is left out, so that a user read, changed and written back (the SDK's own example) is accepted."""
    body = sdk_body(user)
    enterprise = body.get(dialect.enterprise_urn)
    if isinstance(enterprise, dict) and isinstance(enterprise.get("manager"), dict) and \
            not any(value not in (None, "") for value in enterprise["manager"].values()):
        body[dialect.enterprise_urn] = {key: value for key, value in enterprise.items() if key != "manager"}
    return body


class SDKMethods:
    """The SDK's methods, written once for both clients: each asks the modules' client (``self._client``) for
    its request and wraps the answer in the SDK's response.  ``_respond`` sends: the synchronous client
    returns the response, the asynchronous one a coroutine of it."""

    _client = None

    def __repr__(self):
        return "%s(base_url=%r, api_version=%r)" % (type(self).__name__, self.base_url, self.api_version)

    @property
    def base_url(self):
        return self._client.base_url

    @property
    def api_version(self):
        return self._client.api_version

    @property
    def timeout(self):
        return self._client.timeout

    @property
    def max_wait(self):
        return self._client.max_wait

    def _respond(self, response_class, call, *args, **kwargs):
        raise NotImplementedError()

    def api_call(self, *, http_verb, path, query_params=None, body_params=None):
        """Any request to the SCIM API (``path`` below ``base_url``), as a :class:`SCIMResponse`."""
        return self._respond(SCIMResponse, self._client.api_call, http_verb, path, query_params=query_params,
                             body=body_params)

    def search_users(self, *, count=MAX_PAGE_SIZE, start_index=1, filter=None):
        return self._respond(SearchUsersResponse, self._client.search_users, filter=filter,
                             start_index=start_index, count=count)

    def read_user(self, id):
        return self._respond(ReadUserResponse, self._client.read_user, id)

    def create_user(self, user):
        return self._respond(UserCreateResponse, self._client.create_user, sdk_user_body(user, self._client.dialect))

    def patch_user(self, id, partial_user):
        return self._respond(UserPatchResponse, self._client.patch_user, id, sdk_body(partial_user))

    def update_user(self, user):
        return self._respond(UserUpdateResponse, self._client.update_user, sdk_user_body(user, self._client.dialect))

    def delete_user(self, id):
        return self._respond(UserDeleteResponse, self._client.delete_user, id)

    def search_groups(self, *, count=MAX_PAGE_SIZE, start_index=1, filter=None):
        return self._respond(SearchGroupsResponse, self._client.search_groups, filter=filter,
                             start_index=start_index, count=count)

    def read_group(self, id):
        return self._respond(ReadGroupResponse, self._client.read_group, id)

    def create_group(self, group):
        return self._respond(GroupCreateResponse, self._client.create_group, sdk_body(group))

    def patch_group(self, id, partial_group):
        return self._respond(GroupPatchResponse, self._client.patch_group, id, sdk_body(partial_group))

    def update_group(self, group):
        return self._respond(GroupUpdateResponse, self._client.update_group, sdk_body(group))

    def delete_group(self, id):
        return self._respond(GroupDeleteResponse, self._client.delete_group, id)


class SCIMClient(SDKMethods):
    """A client for one Slack org's SCIM API, shaped like the Python Slack SDK's.

    Failures raise ``ScimError`` (with ``status``, ``error`` and ``detail``, never the token) instead
    of returning an error response.  ``retry_handlers`` is the list the client consults (append to it,
    as the SDK's page does); ``max_wait`` caps the waiting between retries of one request; ``timeout``
    is a deadline for one attempt, the whole answer read.
    """

    def __init__(self, token, *, base_url=None, api_version=None, timeout=DEFAULTS["timeout"], ssl=None, proxy=None,
                 validate_certs=DEFAULTS["validate_certs"], retry_handlers=None, max_wait=RETRY_DEFAULTS["max_wait"],
                 user_agent_suffix=None, session=None, sleep=None, clock=None):
        base_url, api_version = sdk_endpoint(base_url, api_version)
        self._client = _RecordingClient(
            token, api_version=api_version, base_url=base_url, timeout=timeout, validate_certs=validate_certs,
            retry_handlers=retry_handlers, max_wait=max_wait, proxy=proxy, user_agent_suffix=user_agent_suffix,
            session=session, sleep=sleep, clock=clock)
        if ssl is not None:
            self._client._session.mount("https://", _SSLContextAdapter(ssl))  # pylint: disable=protected-access

    @property
    def retry_handlers(self):
        return self._client.retry_handlers

    @retry_handlers.setter
    def retry_handlers(self, handlers):
        self._client.retry_handlers = list(handlers)

    def close(self):
        self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _respond(self, response_class, call, *args, **kwargs):
        self._client.last_answer = None
        body = call(*args, **kwargs)
        answer = self._client.last_answer
        return response_class(**response_fields(answer.url, answer.status_code, answer.headers, answer.text, body))

    def iter_users(self, *, filter=None, count=MAX_PAGE_SIZE, limit=None):
        """Every user matching ``filter``, as :class:`User`, each once, the whole listing checked."""
        for item in self._client.iter_users(filter=filter, count=count, limit=limit):
            yield User.from_dict(item)

    def iter_groups(self, *, filter=None, count=MAX_PAGE_SIZE, limit=None):
        """Every group matching ``filter``, as :class:`Group`, each once, the whole listing checked."""
        for item in self._client.iter_groups(filter=filter, count=count, limit=limit):
            yield Group.from_dict(item)
