# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Python API against the emulator: the Python Slack SDK's own SCIM page, and our migration guide.

1. The SDK's documentation page (https://docs.slack.dev/tools/python-slack-sdk/scim/, its code blocks below
   as the page has them, completed where the seed copy elides an argument, as the SDK's own tests do) runs
   with only its import lines changed to the collection's public module, synchronously and with asyncio,
   on both SCIM versions (``SLACK_SCIM_API_URL`` chooses the version, as for the modules).
2. Every Python block of docs/migrating-from-slack-sdk.md that imports the collection runs as written
   (this is the docs test of that page's Python; tests/e2e/test_docs_plays.py runs its YAML), each beside
   the SDK block it replaces, which it must equal but for its imports and ``base_url``; and with
   ``SLACK_SCIM_API_URL`` unset each stops before any request instead of reaching Slack.
"""

from __future__ import annotations

import ast
import asyncio
import os
import re
import sys

import pytest

from harness import ROOT, TOKEN

sys.path.insert(0, os.environ.get("SCIM_SLACK_COLLECTIONS", ""))

PUBLIC = "ansible_collections.scim.slack.plugins.module_utils.scim_client"
SDK_IMPORT = re.compile(r"^from slack_sdk[\w.]* import", re.M)
MIGRATING = os.path.join(ROOT, "docs", "migrating-from-slack-sdk.md")

# The SDK page's code blocks, in the page's order (each block continues the ones before it).
SDK_PAGE_SEARCH_USERS = '''
import os
from slack_sdk.scim import SCIMClient

client = SCIMClient(token=os.environ["SLACK_ORG_ADMIN_USER_TOKEN"])

response = client.search_users(
    start_index=1,
    count=100,
    filter='userName Eq "Carly"',
)
response.users  # List[User]
'''

SDK_PAGE_SEARCH_GROUPS = '''
response = client.search_groups(
    start_index=1,
    count=10,
)
response.groups  # List[Group]
'''

SDK_PAGE_WRITES = '''
from slack_sdk.scim.v1.user import User, UserName, UserEmail

# POST /Users
user = User(
    user_name="cal",
    name=UserName(given_name="C", family_name="Henderson"),
    emails=[UserEmail(value="your-unique-name@example.com")],
)
creation_result = client.create_user(user)

# PATCH /Users/{user_id}
patch_result = client.patch_user(
    id=creation_result.user.id,
    partial_user=User(user_name="chenderson"),
)

# PUT /Users/{user_id}
user_to_update = patch_result.user
user_to_update.name = UserName(given_name="Cal", family_name="Henderson")
update_result = client.update_user(user=user_to_update)

# DELETE /Users/{user_id}
delete_result = client.delete_user(user_to_update.id)
'''

SDK_PAGE_ASYNC = '''
import asyncio
import os
from slack_sdk.scim.async_client import AsyncSCIMClient

client = AsyncSCIMClient(token=os.environ["SLACK_ORG_ADMIN_USER_TOKEN"])

async def main():
    response = await client.search_groups(start_index=1, count=2)
    print(response.groups)

asyncio.run(main())
'''

SDK_PAGE_RATE_LIMIT_HANDLER = '''
import os
from slack_sdk.scim import SCIMClient
client = SCIMClient(token=os.environ["SLACK_ORG_ADMIN_USER_TOKEN"])

# This handler does retries when HTTP status 429 is returned
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
rate_limit_handler = RateLimitErrorRetryHandler(max_retry_count=1)

# Enable rate limited error retries as well
client.retry_handlers.append(rate_limit_handler)
'''

SDK_PAGE_CUSTOM_HANDLER = '''
import socket
from typing import Optional
from slack_sdk.http_retry import (RetryHandler, RetryState, HttpRequest, HttpResponse)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import RandomJitter

class MyRetryHandler(RetryHandler):
    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: Optional[HttpResponse] = None,
        error: Optional[Exception] = None
    ) -> bool:
        # [Errno 104] Connection reset by peer
        return error is not None and isinstance(error, socket.error) and error.errno == 104

client = SCIMClient(
    token=os.environ["SLACK_ORG_ADMIN_USER_TOKEN"],
    retry_handlers=[MyRetryHandler(
        max_retry_count=1,
        interval_calculator=BackoffRetryIntervalCalculator(
            backoff_factor=0.5,
            jitter=RandomJitter(),
        ),
    )],
)
'''


def ours(sdk_code):
    """The SDK's code with only its import lines changed: every ``from slack_sdk... import`` names our module."""
    changed = SDK_IMPORT.sub("from %s import" % PUBLIC, sdk_code)
    assert _without_imports(changed) == _without_imports(sdk_code)
    return changed


def _without_imports(code):
    return [line for line in code.splitlines() if not line.startswith(("from ", "import "))]


def run_code(code, namespace, name):
    exec(compile(code, name, "exec"), namespace)  # pylint: disable=exec-used
    return namespace


@pytest.fixture
def reader_env(emulator, monkeypatch):
    """What a reader sets: the token, and the emulator's address in SLACK_SCIM_API_URL."""
    emulator.reset()
    monkeypatch.setenv("SLACK_ORG_ADMIN_USER_TOKEN", TOKEN)
    monkeypatch.delenv("SLACK_SCIM_API_VERSION", raising=False)

    def point_at(api_version):
        monkeypatch.setenv("SLACK_SCIM_API_URL", emulator.base_url(api_version))
    return point_at


def scim_paths(emulator):
    return {entry["path"].split("/")[2] for entry in emulator.log() if entry["path"].startswith("/scim/")}


# -- 1. the SDK's page, its imports changed ------------------------------------------------------------

def test_the_sdk_pages_code_runs_with_only_its_imports_changed(emulator, reader_env, api_version):
    reader_env(api_version)
    namespace = {"__name__": "sdk_page"}
    run_code(ours(SDK_PAGE_SEARCH_USERS), namespace, "search_users")
    assert namespace["response"].status_code == 200 and namespace["response"].users == []
    assert namespace["client"].api_version == api_version
    run_code(ours(SDK_PAGE_SEARCH_GROUPS), namespace, "search_groups")
    assert namespace["response"].groups == [] and namespace["response"].total_results == 0
    run_code(ours(SDK_PAGE_WRITES), namespace, "writes")

    assert namespace["creation_result"].status_code == 201
    assert namespace["patch_result"].status_code == 200
    assert namespace["patch_result"].user.user_name == "chenderson"
    assert namespace["update_result"].user.name.given_name == "Cal"
    assert namespace["delete_result"].status_code == (200 if api_version == "v1" else 204)
    stored = emulator.users()["chenderson"]
    assert stored["name"]["givenName"] == "Cal" and stored["name"]["familyName"] == "Henderson"
    assert stored["active"] is False, "DELETE deactivates"
    assert stored["emails"][0]["value"] == "your-unique-name@example.com"
    assert scim_paths(emulator) == {api_version}


def test_the_sdk_pages_asyncio_code_runs(emulator, reader_env, api_version, capsys):
    reader_env(api_version)
    from ansible_collections.scim.slack.plugins.module_utils.scim_client import Group, SCIMClient

    SCIMClient(TOKEN, base_url=emulator.base_url(api_version)).create_group(Group(display_name="Eng"))
    capsys.readouterr()
    namespace = run_code(ours(SDK_PAGE_ASYNC), {"__name__": "sdk_page_async"}, "async")
    printed = capsys.readouterr().out
    assert printed.startswith("[Group(") and "'displayName': 'Eng'" in printed
    assert namespace["client"].api_version == api_version
    assert [entry["method"] for entry in emulator.log()] == ["POST", "GET"]


def test_the_sdk_pages_retry_handlers_work(emulator, reader_env):
    reader_env("v1")
    namespace = run_code(ours(SDK_PAGE_RATE_LIMIT_HANDLER), {"__name__": "sdk_page_retry"}, "rate_limit")
    emulator.control("POST", "faults", {"status": 429, "retry_after": 1, "method": "GET"})
    assert namespace["client"].search_users(start_index=1, count=1).status_code == 200
    assert [entry["status"] for entry in emulator.log()] == [429, 200]

    run_code(ours(SDK_PAGE_CUSTOM_HANDLER), namespace, "custom_handler")
    client = namespace["client"]
    assert [type(handler).__name__ for handler in client.retry_handlers] == ["MyRetryHandler"]
    assert client.search_users(start_index=1, count=1).status_code == 200


# -- 2. the migration guide's Python ---------------------------------------------------------------

def python_blocks():
    with open(MIGRATING, encoding="utf-8") as handle:
        return re.findall(r"^```python\n(.*?)^```", handle.read(), re.M | re.S)


def runnable_blocks():
    return [block for block in python_blocks() if PUBLIC in block]


def normalised(code):
    """The code's syntax tree without its imports and without ``base_url=`` arguments."""
    tree = ast.parse(code)
    tree.body = [node for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            node.keywords = [keyword for keyword in node.keywords if keyword.arg != "base_url"]
    return ast.dump(tree)


def test_each_block_of_ours_stands_beside_the_sdk_block_it_replaces():
    blocks = python_blocks()
    pairs = [(sdk, mine) for sdk, mine in zip(blocks, blocks[1:]) if "slack_sdk" in sdk and PUBLIC in mine]
    assert len(pairs) == 3, "the sync client, the async client and a custom retry handler, side by side"
    for sdk, mine in pairs:
        assert normalised(sdk) == normalised(mine)


def test_every_client_in_the_guide_names_its_base_url_from_the_environment():
    for block in runnable_blocks():
        calls = [node for node in ast.walk(ast.parse(block)) if isinstance(node, ast.Call)
                 and getattr(node.func, "id", None) in ("SCIMClient", "AsyncSCIMClient")]
        assert calls
        for call in calls:
            base_url = [keyword.value for keyword in call.keywords if keyword.arg == "base_url"]
            assert base_url and ast.unparse(base_url[0]) == "os.environ['SLACK_SCIM_API_URL']", ast.unparse(call)


@pytest.mark.parametrize("index", range(len(runnable_blocks())))
def test_without_slack_scim_api_url_a_block_stops_before_any_request(index, monkeypatch):
    monkeypatch.setenv("SLACK_ORG_ADMIN_USER_TOKEN", TOKEN)
    monkeypatch.delenv("SLACK_SCIM_API_URL", raising=False)
    with pytest.raises(KeyError, match="SLACK_SCIM_API_URL"):
        run_code(runnable_blocks()[index], {"__name__": "guide"}, "guide block %d" % index)


def test_the_guides_blocks_run_as_written(emulator, reader_env, capsys):
    reader_env("v1")
    blocks = runnable_blocks()
    assert len(blocks) == 4
    outputs = []
    for index, block in enumerate(blocks):
        run_code(block, {"__name__": "guide"}, "guide block %d" % index)
        outputs.append(capsys.readouterr().out)
    cal = emulator.users()["cal"]
    assert cal["title"] == "CEO" and cal["emails"][0]["value"] == "cal@example.com"
    assert outputs[1] == "[]\n" and outputs[2] == "1\n" and outputs[3] == "1\n"
    assert scim_paths(emulator) == {"v1"}
    writes = [entry for entry in emulator.log() if entry["method"] != "GET"]
    run_code(blocks[0], {"__name__": "guide"}, "guide block 0, again")
    assert [entry for entry in emulator.log() if entry["method"] != "GET"] == writes, "run again, it writes nothing"


# -- 3. AsyncSCIMClient against the emulator's faults ------------------------------------------------

def test_async_client_rides_out_a_dropped_connection_and_a_rate_limit(emulator, reader_env):
    reader_env("v2")
    from ansible_collections.scim.slack.plugins.module_utils.scim_client import (
        AsyncConnectionErrorRetryHandler, AsyncRateLimitErrorRetryHandler, AsyncSCIMClient, User)

    client = AsyncSCIMClient(token=TOKEN, base_url=os.environ["SLACK_SCIM_API_URL"], retry_handlers=[
        AsyncConnectionErrorRetryHandler(max_retry_count=1), AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
    emulator.control("POST", "faults", [{"action": "drop", "method": "GET"},
                                        {"status": 429, "retry_after": 1, "method": "POST"}])

    async def main():
        search = await client.search_users(start_index=1, count=10)
        created = await client.create_user(User(user_name="carly", emails=[{"value": "carly@example.com"}]))
        return search, created

    search, created = asyncio.run(main())
    assert search.status_code == 200 and created.status_code == 201 and created.user.user_name == "carly"
    log = emulator.log()
    assert [(entry["method"], entry.get("fault")) for entry in log] == [
        ("GET", "drop"), ("GET", None), ("POST", "status"), ("POST", None)], log
    assert [entry["status"] for entry in log[1:]] == [200, 429, 201]
    assert list(emulator.users()) == ["carly"]


def test_async_listing_is_complete_or_an_error(emulator, reader_env):
    reader_env("v2")
    from ansible_collections.scim.slack.plugins.module_utils.scim_client import (
        AsyncSCIMClient, IncompleteListingError)

    emulator.control("POST", "seed", {"users": 25})
    client = AsyncSCIMClient(token=TOKEN, base_url=os.environ["SLACK_SCIM_API_URL"])

    async def ids():
        return [user.id async for user in client.iter_users(count=10)]

    listed = asyncio.run(ids())
    assert len(listed) == len(set(listed)) == 25
    emulator.control("POST", "faults", {"action": "empty_page", "method": "GET", "query": {"startIndex": "11"},
                                        "count": 2})
    with pytest.raises(IncompleteListingError, match="10 of 25 users received"):
        asyncio.run(ids())
