# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync's src file (plugin_utils/_directory.py): parsing it, reading it, its limits."""

from __future__ import annotations

import datetime
import json
import sys
from unittest import mock

import pytest
from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.scim.slack.plugins.plugin_utils import _directory
from ansible_collections.scim.slack.plugins.plugin_utils._directory import parse_directory, read_directory

USERS = [{"user_name": "grace", "email": "grace@example.com", "start_date": "2024-04-10"}]


@pytest.mark.parametrize("text", [
    json.dumps({"users": USERS, "groups": []}),
    "users:\n  - user_name: grace\n    email: grace@example.com\n    start_date: '2024-04-10'\ngroups: []\n",
    "{users: [{user_name: grace, email: grace@example.com, start_date: '2024-04-10'}], groups: []}",
    "\ufeff" + json.dumps({"users": USERS, "groups": []}),
])
def test_json_yaml_and_a_yaml_flow_mapping(text):
    assert parse_directory(text.encode("utf-8"), "d") == {"users": USERS, "groups": []}


def test_a_key_left_out_is_left_out_and_an_empty_file_declares_nothing():
    assert parse_directory(b"groups: []\n", "d") == {"groups": []}
    assert parse_directory(b"", "d") == {}
    assert parse_directory(b"users:\n", "d") == {"users": None}


def test_yaml_dates_stay_dates_for_the_json_round_trip_to_turn_into_text():
    assert parse_directory(b"users: [{start_date: 2024-04-10}]", "d") == {"users": [{"start_date":
                                                                                     datetime.date(2024, 4, 10)}]}


@pytest.mark.parametrize("data, message", [
    (b"- a\n", "src d must hold a mapping with the keys users and groups, not a list"),
    (b"users: []\nteams: []\n", "src d has unknown keys: teams; it takes users and groups"),
    (b"users: [a\n", "src d is neither JSON nor YAML"),
    (b"\xff\xfe", "src d is not UTF-8 text"),
])
def test_a_file_that_cannot_serve_names_why(data, message):
    with pytest.raises(AnsibleActionFail) as caught:
        parse_directory(data, "d")
    assert message in str(caught.value)


def test_a_vault_encrypted_file_is_read_decrypted(tmp_path):
    secret = VaultSecret(b"correct horse")
    loader = DataLoader()
    loader.set_vault_secrets([("default", secret)])
    path = tmp_path / "directory.yml"
    path.write_bytes(VaultLib([("default", secret)]).encrypt(b"users: [{user_name: grace}]\n"))
    assert read_directory(loader, str(path), "directory.yml") == {"users": [{"user_name": "grace"}]}


def test_a_file_is_read_a_chunk_at_a_time_up_to_one_byte_past_the_limit(tmp_path):
    """read(limit) would allocate the whole 64 MiB limit for a file of a few."""
    path = tmp_path / "directory.json"
    path.write_bytes(b"x" * (_directory.READ_CHUNK * 2 + 5))
    with open(path, "rb") as handle:
        assert len(_directory._read_at_most(handle, _directory.READ_CHUNK * 2 + 3)) == _directory.READ_CHUNK * 2 + 3
    with open(path, "rb") as handle:
        assert _directory._read_at_most(handle, _directory.READ_CHUNK * 3) == b"x" * (_directory.READ_CHUNK * 2 + 5)
    with mock.patch.object(_directory, "MAX_SRC_BYTES", 7):
        with pytest.raises(AnsibleActionFail, match="larger than"):
            read_directory(DataLoader(), str(path), "directory.json")


# -- what a parser would forgive: repeated keys, and files past the limits --------------------------------

HR_AND_CONTRACTORS = """\
users:
  - user_name: grace
    email: grace@example.com
groups: []
users:
  - user_name: linus
    email: linus@example.com
"""


@pytest.mark.parametrize("data, key, lines", [
    (HR_AND_CONTRACTORS, "users", "lines 1 and 5"),
    ("users:\n  - user_name: grace\n    active: true\n    active: false\n", "active", "lines 3 and 4"),
    ("users:\n  - user_name: grace\n    enterprise:\n      department: A\n      department: B\n", "department",
     "lines 4 and 5"),
    ("{users: [{user_name: grace, active: true, active: false}]}", "active", "line 1"),
    ('{"users": [\n  {"user_name": "grace",\n   "active": true,\n   "active": false}\n]}', "active", "lines 3 and 4"),
    ('{"users": [],\n "groups": [],\n "users": []}', "users", "lines 1 and 3"),
])
def test_a_repeated_key_at_any_depth_fails_naming_the_key_and_both_lines(data, key, lines):
    with pytest.raises(AnsibleActionFail) as caught:
        parse_directory(data.encode("utf-8"), "d")
    assert "src d repeats the key '%s' in one mapping (%s)" % (key, lines) in str(caught.value)


def test_a_yaml_merge_key_overridden_by_the_entry_is_no_repeat():
    data = b"users:\n  - &grace {user_name: grace, email: grace@example.com}\n  - <<: *grace\n    user_name: ada\n"
    assert parse_directory(data, "d")["users"][1] == {"user_name": "ada", "email": "grace@example.com"}


def alias_bomb(levels, width=9):
    lines = ['l0: &l0 ["%s"]' % '", "'.join(["secret-person"] * width)]
    for level in range(1, levels):
        lines.append("l%d: &l%d [%s]" % (level, level, ", ".join(["*l%d" % (level - 1)] * width)))
    return ("\n".join(lines) + "\nusers: *l%d\n" % (levels - 1)).encode("utf-8")


@pytest.mark.parametrize("data, limit", [
    (alias_bomb(9), "has aliases that expand to more than 200000 values, the limit on what aliases may add to src"),
    (b"users:\n" + b"".join(b"  - {user_name: u%d, enterprise: *d}\n" % n for n in range(10002)).replace(
        b"*d}", b"&d {department: x}}", 1), "uses more than 10000 aliases, the limit on aliases in src"),
    (b"users: &loop [*loop]\n", "has an alias inside the node it refers to (line 1)"),
    (b'{"users": [%s]}' % b", ".join([b"{}"] * 200001), "has 200001 entries in users, more than 200000"),
    (b"users: [" + b" " * (64 * 1024 * 1024) + b"]", "is larger than 64 MiB, the limit on src files"),
])
def test_a_file_past_a_limit_fails_naming_the_limit_and_quoting_no_value(data, limit):
    with pytest.raises(AnsibleActionFail) as caught:
        parse_directory(data, "d")
    assert limit in str(caught.value)
    assert "secret-person" not in str(caught.value) and "user_name" not in str(caught.value)


def test_a_bomb_is_refused_without_expanding_it():
    """Twelve levels of nine aliases would expand to 9**12 values: refusing them visits each node once."""
    visits = []
    audit = sys.modules[parse_directory.__module__]._NodeAudit  # pylint: disable=protected-access
    size = audit.size

    def counted(audit, node):
        visits.append(node)
        return size(audit, node)

    with mock.patch.object(audit, "size", counted):
        with pytest.raises(AnsibleActionFail) as caught:
            parse_directory(alias_bomb(12), "d")
    assert "the limit on what aliases may add to src" in str(caught.value)
    assert len(visits) < 200, len(visits)


def test_unknown_keys_are_named_at_most_five():
    data = json.dumps(dict(("k%02d" % n, 1) for n in range(40))).encode("utf-8")
    with pytest.raises(AnsibleActionFail) as caught:
        parse_directory(data, "d")
    assert str(caught.value).endswith("unknown keys: k00, k01, k02, k03, k04, ...; it takes users and groups")
