# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync's src: the directory from a YAML or JSON file read on the controller, found as copy finds
its src, validated as users and groups are, and converged exactly as the same entries given inline."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from test_execution_modes import masked
from test_sync import sync_task
from test_user import seed_user

USERS = [{"user_name": "grace", "email": "grace@example.com", "given_name": "Grace", "title": "Staff Engineer",
          "enterprise": {"department": "Platform"}},
         {"user_name": "linus", "email": "linus@example.com", "phone_numbers": [{"value": "+1 555 0100"}]},
         {"email": "former@example.com", "state": "absent"}]
GROUPS = [{"display_name": "Staff", "members": {"set": ["grace", "linus@example.com"]}}]
YAML = """\
# The directory, as an HR export would write it
users:
  - user_name: grace
    email: grace@example.com
    given_name: Grace
    title: Staff Engineer
    enterprise: {department: Platform}
  - user_name: linus
    email: linus@example.com
    phone_numbers:
      - value: "+1 555 0100"
  - email: former@example.com
    state: absent
groups:
  - display_name: Staff
    members:
      set: [grace, linus@example.com]
"""


def write(harness, name, text):
    path = os.path.join(harness.workdir, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)
    return path


def test_a_yaml_file_beside_the_playbook_converges_as_the_same_entries_inline(harness, api_version):
    seed_user(harness.emulator, api_version, "former", "former@example.com")
    write(harness, "directory.yml", YAML)
    tasks = [sync_task(src="directory.yml")]
    check = harness.run(tasks, check=True, diff=True, api_version=api_version)
    assert check.changed and check.writes == [] and "grace" not in harness.emulator.users(), check
    first = harness.run(tasks, diff=True, api_version=api_version).result()
    assert first["summary"]["users"] == dict(first["summary"]["users"], created=2, deactivated=1)
    assert first["summary"] == check.result()["summary"]
    rerun = harness.run(tasks, api_version=api_version)
    assert not rerun.changed and rerun.writes == [] and len(rerun.requests) == 2, rerun
    assert sorted(harness.emulator.groups()["Staff"]["members"]) == sorted(
        harness.emulator.users()[name]["id"] for name in ("grace", "linus"))
    # The same entries inline: the same plan, nothing left to do.
    inline = harness.run([sync_task(users=USERS, groups=GROUPS)], check=True, diff=True, api_version=api_version)
    assert not inline.failed and not inline.changed, inline
    again = harness.run([sync_task(src="directory.yml")], check=True, diff=True, api_version=api_version)
    assert masked(again.result()) == masked(inline.result())


def test_a_json_file_in_files_and_an_absolute_path(harness):
    seed_user(harness.emulator, "v2", "former", "former@example.com")
    path = write(harness, "files/directory.json", json.dumps({"users": USERS, "groups": GROUPS}))
    relative = harness.run([sync_task(src="directory.json")], check=True)
    absolute = harness.run([sync_task(src=path)], check=True)
    for run in (relative, absolute):
        assert not run.failed and run.writes == [], run
        assert run.result()["summary"]["users"]["created"] == 2 and run.result()["summary"]["groups"]["created"] == 1


def test_a_vault_encrypted_file_is_decrypted(harness):
    secret = write(harness, "vault-password", "correct horse battery staple\n")
    plain = write(harness, "directory.yml", YAML)
    ansible_vault = os.path.join(os.path.dirname(sys.executable), "ansible-vault")
    subprocess.run([ansible_vault, "encrypt", "--vault-password-file", secret, plain], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(plain) as handle:
        assert handle.read().startswith("$ANSIBLE_VAULT")
    run = harness.run([sync_task(src="directory.yml")], check=True, extra_args=["--vault-password-file", secret])
    assert not run.failed, run
    assert run.result()["summary"]["users"]["created"] == 2


def test_a_file_that_cannot_serve_fails_before_any_request(harness):
    write(harness, "list.yml", "- user_name: grace\n")
    write(harness, "keys.yml", "users: []\npeople: []\n")
    write(harness, "broken.yml", "users: [grace\n")
    write(harness, "entries.yml", "users:\n  - user_name: grace\n    email: grace@example.com\n    bogus: 1\n")
    write(harness, "groups.yml", "groups:\n  - members: {set: []}\n")
    cases = [
        (dict(src="missing.yml"), "Could not find or access 'missing.yml'"),
        (dict(src="list.yml"), "src list.yml must hold a mapping with the keys users and groups, not a list"),
        (dict(src="keys.yml"), "src keys.yml has unknown keys: people; it takes users and groups"),
        (dict(src="broken.yml"), "src broken.yml is neither JSON nor YAML"),
        (dict(src="keys.yml", users=[]), "parameters are mutually exclusive: src|users"),
        (dict(src="entries.yml"), "users[0] (grace): unknown option bogus (an entry takes active, addresses,"),
        (dict(src="groups.yml"), "groups[0]: one of the following is required: id, display_name"),
    ]
    for options, message in cases:
        run = harness.run([sync_task(**options)])
        assert run.failed and run.requests == [], (options, run)
        assert message in run.result()["msg"], (options, run.result()["msg"])


def test_the_file_is_read_on_the_controller_when_the_module_runs_elsewhere(harness):
    """In remote mode the action plugin reads the file and hands its entries to the module: same result."""
    seed_user(harness.emulator, "v2", "former", "former@example.com")
    write(harness, "directory.yml", YAML)
    results = {}
    for mode in ("remote", "controller"):
        run = harness.run([sync_task(src="directory.yml")], check=True, diff=True, mode=mode)
        assert not run.failed, run
        results[mode] = masked(run.result())
        if mode == "remote":
            assert run.module_runs == ["slack_scim_sync"], run.module_runs
    assert results["remote"] == results["controller"]
