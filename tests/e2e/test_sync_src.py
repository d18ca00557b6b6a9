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

from scenario import each_fails_before_any_write
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
    each_fails_before_any_write(harness, [(sync_task(**options), message) for options, message in cases], nothing_read=True)


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


# -- issue 23: what a parser would forgive fails before any request ---------------------------------------

HR_EXPORT = "users:\n" + "".join("  - {user_name: staff%d, email: staff%d@example.com}\n" % (n, n) for n in range(4))
CONTRACTORS = "users:\n  - {user_name: contractor0, email: contractor0@example.com}\n"


def test_a_repeated_key_fails_before_any_request_naming_the_key_and_both_lines(harness, api_version):
    """Two users: blocks (a contractors' export appended to the HR export), and active: true then false in one
    entry: a parser keeps the last value, and the purge would deactivate the four people of the first block."""
    for n in range(4):
        seed_user(harness.emulator, api_version, "staff%d" % n)
    seed_user(harness.emulator, api_version, "contractor0")
    write(harness, "appended.yml", HR_EXPORT + "groups: []\n" + CONTRACTORS)
    write(harness, "entry.json", '{"users": [\n {"user_name": "staff0",\n  "active": true,\n  "active": false}\n]}')
    before = harness.emulator.state()
    cases = [("appended.yml", "repeats the key 'users' in one mapping (lines 1 and 7)"),
             ("entry.json", "repeats the key 'active' in one mapping (lines 3 and 4)")]
    tasks = [dict(sync_task(src=src, purge_users=True), name=src, ignore_errors=True) for src, dummy in cases]
    for check in (True, False):
        run = harness.run(tasks, check=check, api_version=api_version)
        assert run.requests == [] and harness.emulator.state() == before, run.requests
        for src, message in cases:
            result = run.result(src)
            assert result.get("failed") and not result.get("changed"), result
            assert "src %s %s" % (src, message) in result["msg"], result["msg"]
    assert all(user["active"] for user in harness.emulator.users().values())


def test_an_alias_bomb_fails_at_once_naming_the_limit_and_quoting_nothing(harness, api_version):
    """476 bytes that expand to a billion values once hung the controller past 120 s."""
    levels = ['a: &a ["person@example.com","person@example.com","person@example.com"]']
    for level in "bcdefghijklmnopqrs":
        previous = levels[-1].split("&", 1)[1][0]
        levels.append("%s: &%s [%s]" % (level, level, ",".join(["*" + previous] * 3)))
    write(harness, "bomb.yml", "\n".join(levels) + "\nusers: *s\n")
    run = harness.run([sync_task(src="bomb.yml", purge_users=True)], api_version=api_version)
    assert run.failed and run.requests == [], run
    message = run.result()["msg"]
    assert "the limit on what aliases may add to src" in message, message
    assert "person@example.com" not in run.output and len(message) < 300, message
    assert run.seconds < 60, run.seconds  # ansible-playbook start-up included; the bomb alone ran past 120 s
