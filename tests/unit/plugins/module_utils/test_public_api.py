# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The supported Python API (plugins/module_utils/scim_client.py), and the docs that teach it.

The Python blocks of docs/migrating-from-slack-sdk.md that import the collection must import only the
public module; its custom retry handler is run here against mocked HTTP (tests/e2e/test_python_api.py
runs every block against the emulator).
"""

from __future__ import annotations

import ast
import errno
import importlib
import os
import re
import time

import pytest
import requests

from ansible_collections.scim.slack.plugins.module_utils import (
    _async_client,
    _async_retry,
    _client,
    _errors,
    _models,
    _responses,
    _retry,
    _sdk_client,
    scim_client,
)

from ansible_collections.scim.slack.tests.unit.scim_test_utils import TOKEN

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..")
MODULE_UTILS = os.path.join(ROOT, "plugins", "module_utils")
MIGRATING = os.path.join(ROOT, "docs", "migrating-from-slack-sdk.md")
PUBLIC = "ansible_collections.scim.slack.plugins.module_utils.scim_client"
COLLECTION = "ansible_collections.scim.slack"

# The supported names, and the internal module each one lives in.  Semantic versioning: a name
# leaves this table only in a major release (after a deprecation); new names join in minor ones.
API = {
    "SCIMClient": _sdk_client,
    "AsyncSCIMClient": _async_client,
    "AsyncRetryHandler": _async_retry,
    "AsyncConnectionErrorRetryHandler": _async_retry,
    "AsyncRateLimitErrorRetryHandler": _async_retry,
    "AsyncServerErrorRetryHandler": _async_retry,
    "AsyncTransientCreateErrorRetryHandler": _async_retry,
    "ScimError": _errors,
    "IncompleteListingError": _errors,
    "RetryHandler": _retry,
    "RetryState": _retry,
    "HttpRequest": _retry,
    "HttpResponse": _retry,
    "ConnectionErrorRetryHandler": _retry,
    "RateLimitErrorRetryHandler": _retry,
    "ServerErrorRetryHandler": _retry,
    "TransientCreateErrorRetryHandler": _retry,
    "RetryIntervalCalculator": _retry,
    "FixedValueRetryIntervalCalculator": _retry,
    "BackoffRetryIntervalCalculator": _retry,
    "Jitter": _retry,
    "RandomJitter": _retry,
    "User": _models,
    "UserName": _models,
    "UserEmail": _models,
    "UserPhoneNumber": _models,
    "UserAddress": _models,
    "UserPhoto": _models,
    "UserRole": _models,
    "UserGroup": _models,
    "UserMeta": _models,
    "Group": _models,
    "GroupMember": _models,
    "GroupMeta": _models,
    "SCIMResponse": _responses,
    "SearchUsersResponse": _responses,
    "ReadUserResponse": _responses,
    "UserCreateResponse": _responses,
    "UserPatchResponse": _responses,
    "UserUpdateResponse": _responses,
    "UserDeleteResponse": _responses,
    "SearchGroupsResponse": _responses,
    "ReadGroupResponse": _responses,
    "GroupCreateResponse": _responses,
    "GroupPatchResponse": _responses,
    "GroupUpdateResponse": _responses,
    "GroupDeleteResponse": _responses,
}


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


# -- (a) the public module names exactly the supported objects -----------------------------------------

def test_all_is_exactly_the_supported_api():
    assert len(scim_client.__all__) == len(set(scim_client.__all__)), "a name is listed twice in __all__"
    assert sorted(scim_client.__all__) == sorted(API)


@pytest.mark.parametrize("name", sorted(API))
def test_each_name_is_the_internal_object_itself(name):
    public = importlib.import_module(PUBLIC)
    assert getattr(public, name) is getattr(API[name], name)


def test_star_import_gives_the_api_and_nothing_else():
    namespace = {}
    exec("from %s import *" % PUBLIC, namespace)  # pylint: disable=exec-used
    assert sorted(name for name in namespace if name != "__builtins__") == sorted(API)


def test_public_module_only_imports_and_names():
    """No logic, no copies: a docstring, imports from the internal modules and ``__all__``."""
    path = os.path.join(MODULE_UTILS, "scim_client.py")
    tree = ast.parse(read(path))
    docstring = ast.get_docstring(tree)
    assert "semantic versioning" in docstring and "major release" in docstring and "minor release" in docstring
    assert "internal" in docstring
    for node in tree.body[1:]:
        if isinstance(node, ast.ImportFrom):
            assert node.module == "__future__" or node.module.startswith(COLLECTION + ".plugins.module_utils._")
        else:
            assert isinstance(node, ast.Assign) and [target.id for target in node.targets] == ["__all__"], \
                "scim_client.py line %d is neither an import nor __all__" % node.lineno


def test_only_scim_client_is_public():
    """A new module_utils file is internal (``_`` prefix) unless it joins the supported API on purpose."""
    public = sorted(name for name in os.listdir(MODULE_UTILS)
                    if name.endswith(".py") and not name.startswith("_"))
    assert public == ["scim_client.py"]


# -- (b) the docs' Python imports only the public module, and its handler retries what it says ----------

def python_blocks():
    return re.findall(r"^```python\n(.*?)^```", read(MIGRATING), re.M | re.S)


def collection_blocks():
    return [block for block in python_blocks() if COLLECTION in block]


def test_docs_blocks_import_only_the_public_module():
    assert len(collection_blocks()) >= 3
    for block in collection_blocks():
        imported = []
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
                assert not [m for m in modules if m.startswith(COLLECTION)], "use 'from %s import ...'" % PUBLIC
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(COLLECTION):
                assert node.module == PUBLIC, "the docs import from %s, which is internal" % node.module
                imported.extend(alias.name for alias in node.names)
        assert imported, "a docs block imports nothing from %s" % PUBLIC
        assert sorted(set(imported) - set(scim_client.__all__)) == []


def handler_block():
    blocks = [block for block in collection_blocks() if "class ConnectionResetHandler(RetryHandler)" in block]
    assert len(blocks) == 1, "docs/migrating-from-slack-sdk.md must hold one synchronous custom handler"
    return blocks[0]


@pytest.fixture
def ran_handler_example(mocked, monkeypatch):
    """Run the docs' handler example against mocked HTTP: a reset connection, then a 429, each retried."""
    sleeps = []
    monkeypatch.setenv("SLACK_ORG_ADMIN_USER_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_SCIM_API_URL", _client.default_api_url("v1"))
    monkeypatch.setattr(time, "sleep", sleeps.append)
    base = _client.default_api_url("v1")
    reset = ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")
    mocked.get(base + "Users", body=requests.exceptions.ConnectionError(reset))
    mocked.get(base + "Users", status=429, headers={"Retry-After": "2"},
               json={"Errors": {"description": "too_many_requests", "code": 429}})
    mocked.get(base + "Users", json={"Resources": [], "totalResults": 0, "startIndex": 1, "itemsPerPage": 0})
    namespace = {"__name__": "docs_example"}
    exec(compile(handler_block(), MIGRATING, "exec"), namespace)  # pylint: disable=exec-used
    return namespace, mocked.calls, sleeps


def test_docs_example_runs_and_retries(ran_handler_example):
    namespace, calls, sleeps = ran_handler_example
    assert namespace["client"].api_version == "v1"
    assert [call.request.method for call in calls] == ["GET", "GET", "GET"]
    assert all(call.request.headers["Authorization"] == "Bearer %s" % TOKEN for call in calls)
    # The custom handler's fixed 0.5 s, then Retry-After plus the built-in handler's jitter (under 1 s).
    assert sleeps[0] == 0.5 and 2 <= sleeps[1] < 3 and len(sleeps) == 2


def test_docs_handler_retries_only_a_reset_connection(ran_handler_example):
    namespace = ran_handler_example[0]
    handlers = [value for value in namespace.values()
                if isinstance(value, type) and issubclass(value, scim_client.RetryHandler)
                and value.__module__ == "docs_example"]
    assert len(handlers) == 1
    handler = handlers[0](max_retry_count=1)
    request = scim_client.HttpRequest("GET", "https://api.slack.com/scim/v1/Users/W1")

    def can_retry(response=None, error=None):
        return handler.can_retry(state=scim_client.RetryState(), request=request, response=response, error=error)

    reset = ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")
    assert can_retry(error=requests.exceptions.ConnectionError(reset))
    assert can_retry(error=reset)
    assert not can_retry(error=requests.exceptions.ConnectionError(ConnectionRefusedError(errno.ECONNREFUSED, "no")))
    assert not can_retry(error=requests.exceptions.ReadTimeout("slow"))
    assert not can_retry(response=scim_client.HttpResponse(429, {"Retry-After": "1"}))


# -- (c) every other module_utils file says it is internal ---------------------------------------------

PRIVATE = sorted(name for name in os.listdir(MODULE_UTILS) if name.startswith("_") and name.endswith(".py")
                 and name != "__init__.py")


def test_there_are_internal_files():
    assert "_client.py" in PRIVATE and "_retry.py" in PRIVATE and "_errors.py" in PRIVATE


@pytest.mark.parametrize("name", PRIVATE)
def test_internal_file_says_so(name):
    docstring = ast.get_docstring(ast.parse(read(os.path.join(MODULE_UTILS, name)))) or ""
    assert re.search(r"\binternal to scim\.slack\b", docstring, re.I), \
        "%s: its module docstring must say it is internal (e.g. 'Internal to scim.slack; the API may change.')" % name
