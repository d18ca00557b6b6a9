# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Constants and small helpers shared by the unit tests."""

from __future__ import annotations

import contextlib
import json
from urllib.parse import parse_qs, urlparse

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    patch_module_args = None

TOKEN = "xoxp-unit-test-secret-0123456789"
BASE = "https://scim.test/scim/%s/"


class NoJitter:
    def recalculate(self, duration):
        return duration


def page(resources, total=None, start=1):
    """One page of a SCIM listing; ``total`` defaults to the resources given."""
    return {"Resources": list(resources), "totalResults": len(resources) if total is None else total,
            "startIndex": start, "itemsPerPage": len(resources)}


def body_of(call):
    """The JSON body of a request responses recorded."""
    return json.loads(call.request.body)


def query_of(call):
    """The query parameters of a request responses recorded, one value each."""
    return {key: values[0] for key, values in parse_qs(urlparse(call.request.url).query).items()}


def writes(mocked):
    """The requests responses recorded that are not reads."""
    return [call for call in mocked.calls if call.request.method != "GET"]


def diff_of(result):
    """A module result's diff, each side parsed back from the text the module returns."""
    diff = result["diff"]
    return dict(diff, before=json.loads(diff["before"]), after=json.loads(diff["after"]))


# AnsibleModule reads its arguments from stdin (or, from 2.19, through a testing hook): give it ``args``.
@contextlib.contextmanager
def module_args(args):
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    saved = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved


def in_process(module, args, client_factory=None):
    """A module's code run in-process (plugin_utils/_in_process.py): its exit code and the result it gave,
    before the controller parses it (None when it printed none), and its stderr."""
    from ansible_collections.scim.slack.plugins.plugin_utils import _in_process
    rc, stdout, stderr = _in_process.run(module.run_module, module.module_kwargs(), json.loads(json.dumps(args)),
                                         client_factory)
    return rc, (json.loads(stdout) if stdout.strip() else None), stderr


def user(uid, name, email=None, active=True):
    """A SCIM user as Slack answers it, with one primary email."""
    return {"id": uid, "userName": name, "active": active,
            "emails": [{"value": email or "%s@example.com" % name, "primary": True}]}
