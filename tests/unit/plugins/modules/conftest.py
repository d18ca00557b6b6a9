# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.module_utils import basic

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, TOKEN, module_args


class Exit(Exception):
    def __init__(self, result, failed):
        super().__init__(result)
        self.result = result
        self.failed = failed


@pytest.fixture
def run_module(monkeypatch):
    """Run a module's main() with args; return its result dict (``failed`` set on fail_json)."""
    warnings = []

    def exit_json(self, **kwargs):
        raise Exit(kwargs, False)

    def fail_json(self, **kwargs):
        raise Exit(kwargs, True)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, msg: warnings.append(msg))

    def runner(main, api_version="v2", check_mode=False, diff=False, **args):
        args = dict(args)
        args.setdefault("token", TOKEN)
        args.setdefault("api_url", BASE % api_version)
        args.setdefault("api_version", api_version)
        args.setdefault("retries", {"max_wait": 0})
        if check_mode:
            args["_ansible_check_mode"] = True
        if diff:
            args["_ansible_diff"] = True
        with module_args(args):
            with pytest.raises(Exit) as caught:
                main()
        result = dict(caught.value.result)
        result["failed"] = caught.value.failed
        result["warnings"] = list(warnings)
        warnings.clear()
        return result

    return runner
