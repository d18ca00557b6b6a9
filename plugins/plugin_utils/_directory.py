# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync's ``src``: the directory file, read on the controller.

Internal to scim.slack; the API may change.  The file's entries are data, never templates: they are parsed here (JSON, else YAML with PyYAML's C
loader when it is there) and handed to the module's argument validation as ``users`` and ``groups``.

A directory file decides who keeps an account, so what a parser would quietly forgive fails here, before any
request: a key repeated in one mapping (JSON and YAML parsers keep the last value and drop the others: a second
``users:`` block would drop the first and let a purge deactivate those people), and a file past the limits below
(an alias bomb expands a few hundred bytes into billions of values).  No message quotes the directory's values.
"""

from __future__ import annotations

import json
from json import scanner as json_scanner
from json.decoder import JSONObject

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # PyYAML without libyaml
    from yaml import SafeLoader

KEYS = ("users", "groups")
READ_CHUNK = 1024 * 1024
MAX_SRC_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 200000  # in users, and again in groups
MAX_ALIASES = 10000
MAX_ALIAS_VALUES = 200000  # the values all the aliases together add to the document
MERGE_TAG = "tag:yaml.org,2002:merge"


class RepeatedKey(Exception):
    """A mapping of the file names ``key`` twice, on lines ``first`` and ``second``."""

    def __init__(self, key, first, second):
        super(RepeatedKey, self).__init__(key, first, second)
        self.key, self.first, self.second = key, first, second

    def message(self, name):
        where = "lines %d and %d" % (self.first, self.second) if self.first != self.second else "line %d" % self.first
        return ("src %s repeats the key %s in one mapping (%s); a parser would keep the last value and silently "
                "drop the other: merge them into one" % (name, _quoted(self.key), where))


class OverLimit(Exception):
    """The file goes past one of the limits on what ``src`` may expand to."""

    def message(self, name):
        return "src %s %s" % (name, self.args[0])


def _quoted(key):
    text = to_text(key)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _line_of(text, position):
    return text.count("\n", 0, position) + 1


# -- JSON ----------------------------------------------------------------------------------------------


def _refuse_repeated_pairs(pairs):
    """``object_pairs_hook`` for the fast pass: a dict, or ``RepeatedKey`` (lines found by the slow pass)."""
    result = dict(pairs)
    if len(result) != len(pairs):
        raise RepeatedKey(None, 0, 0)
    return result


class _LocatingDecoder(json.JSONDecoder):
    """A JSON decoder that knows where each object's values start, to name the lines of a repeated key.

    Python's pure scanner calls ``parse_object`` for every object and ``scan_once`` for every value in it,
    with the value's position; the C scanner does neither, so this one is used only once a key is known to repeat.
    """

    def __init__(self, text):
        super(_LocatingDecoder, self).__init__()
        self.text = text
        self.parse_object = self._parse_object
        self.scan_once = json_scanner.py_make_scanner(self)

    def _parse_object(self, s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        starts = []

        def recording(string, index):
            starts.append(index)
            return scan_once(string, index)

        def pairs_hook(pairs):
            lines = {}
            for (key, dummy), start in zip(pairs, starts):
                line = _line_of(self.text, start)
                if key in lines:
                    raise RepeatedKey(key, lines[key], line)
                lines[key] = line
            return dict(pairs)

        return JSONObject(s_and_end, strict, recording, object_hook, pairs_hook, memo)


def _load_json(text):
    """The parsed JSON, or ``None`` when ``text`` is not JSON; ``RepeatedKey`` names a repeated key's lines."""
    try:
        return json.loads(text, object_pairs_hook=_refuse_repeated_pairs)
    except RepeatedKey:
        _LocatingDecoder(text).decode(text)
        raise  # pragma: no cover - the locating pass raises with the lines
    except ValueError:
        return None  # a YAML flow mapping, perhaps


# -- YAML ----------------------------------------------------------------------------------------------


class _NodeAudit(object):
    """One walk over a composed YAML document, before anything is constructed: repeated keys, aliases
    (every use of an anchor after the first, wherever it is) and the values they expand to."""

    def __init__(self, constructor):
        self.constructor = constructor
        self.sizes = {}
        self.open = set()
        self.aliases = 0
        self.alias_values = 0

    def size(self, node):
        """The number of values ``node`` expands to."""
        key = id(node)
        if key in self.sizes:
            self._alias(self.sizes[key])
            return self.sizes[key]
        if key in self.open:
            raise OverLimit("has an alias inside the node it refers to (line %d); a directory cannot refer to "
                            "itself" % (node.start_mark.line + 1))
        self.open.add(key)
        total = 1
        if isinstance(node, MappingNode):
            self._refuse_repeated_keys(node)
            total += sum(self.size(key_node) + self.size(value) for key_node, value in node.value)
        elif isinstance(node, SequenceNode):
            total += sum(self.size(item) for item in node.value)
        self.open.discard(key)
        self.sizes[key] = total
        return total

    def _alias(self, values):
        self.aliases += 1
        self.alias_values += values
        if self.aliases > MAX_ALIASES:
            raise OverLimit("uses more than %d aliases, the limit on aliases in src" % MAX_ALIASES)
        if self.alias_values > MAX_ALIAS_VALUES:
            raise OverLimit("has aliases that expand to more than %d values, the limit on what aliases may add to "
                            "src" % MAX_ALIAS_VALUES)

    def _refuse_repeated_keys(self, node):
        lines = {}
        for key_node, dummy in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == MERGE_TAG:
                continue
            key = self.constructor.construct_object(key_node)
            line = key_node.start_mark.line + 1
            try:
                if key in lines:
                    raise RepeatedKey(key, lines[key], line)
            except TypeError:
                continue  # an unhashable key: construction names it
            lines[key] = line


class _AuditingLoader(SafeLoader):  # pylint: disable=too-many-ancestors
    """PyYAML's safe loader, refusing repeated keys and alias expansion past the limits before it constructs."""

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        _NodeAudit(self).size(node)
        return self.construct_document(node)


def _load_yaml(text):
    loader = _AuditingLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# -- the directory ---------------------------------------------------------------------------------------


def parse_directory(data, name):
    """The ``users`` and ``groups`` of a directory file's bytes, as given (validation is the module's)."""
    if len(data) > MAX_SRC_BYTES:
        raise AnsibleActionFail("src %s is larger than %d MiB, the limit on src files" % (name, MAX_SRC_BYTES // 1048576))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnsibleActionFail("src %s is not UTF-8 text: %s" % (name, exc))
    try:
        directory = _parse_text(text, name)
    except (RepeatedKey, OverLimit) as exc:
        raise AnsibleActionFail(exc.message(name))
    except RecursionError:
        raise AnsibleActionFail("src %s nests its values too deeply" % name)
    return _users_and_groups(directory, name)


def _parse_text(text, name):
    directory = _load_json(text) if text.lstrip().startswith("{") else None
    if directory is None:
        try:
            directory = _load_yaml(text)
        except yaml.YAMLError as exc:
            raise AnsibleActionFail("src %s is neither JSON nor YAML: %s" % (name, to_text(exc)))
    return {} if directory is None else directory


def _users_and_groups(directory, name):
    if not isinstance(directory, dict):
        raise AnsibleActionFail("src %s must hold a mapping with the keys users and groups, not a %s"
                                % (name, type(directory).__name__))
    unknown = sorted(str(key) for key in directory if key not in KEYS)
    if unknown:
        listed = ", ".join(_quoted(key)[1:-1] for key in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise AnsibleActionFail("src %s has unknown keys: %s; it takes users and groups" % (name, listed))
    for key in KEYS:
        if isinstance(directory.get(key), list) and len(directory[key]) > MAX_ENTRIES:
            raise AnsibleActionFail("src %s has %d entries in %s, more than %d, the limit on entries in src"
                                    % (name, len(directory[key]), key, MAX_ENTRIES))
    return dict((key, directory[key]) for key in KEYS if key in directory)


def _read_at_most(handle, limit):
    """Up to ``limit`` bytes of ``handle``, a chunk at a time (``read(limit)`` would allocate all of them
    up front, 64 MiB for a file of a few)."""
    chunks, size = [], 0
    while size < limit:
        chunk = handle.read(min(READ_CHUNK, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_directory(loader, path, name):
    """``parse_directory`` of the file at ``path``, decrypted if Ansible Vault encrypted it."""
    real = loader.get_real_file(path, decrypt=True)
    try:
        with open(real, "rb") as handle:
            data = _read_at_most(handle, MAX_SRC_BYTES + 1)
    finally:
        loader.cleanup_tmp_file(real)
    return parse_directory(data, name)
