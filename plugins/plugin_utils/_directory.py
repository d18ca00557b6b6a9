# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slack_scim_sync's ``src``: the directory file, read on the controller.

Internal to scim.slack; the API may change.  The file's entries are data, never templates: they are parsed here (JSON, else YAML with PyYAML's C
loader when it is there) and handed to the module's argument validation as ``users`` and ``groups``.
"""

from __future__ import annotations

import json

import yaml

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # PyYAML without libyaml
    from yaml import SafeLoader

KEYS = ("users", "groups")


def parse_directory(data, name):
    """The ``users`` and ``groups`` of a directory file's bytes, as given (validation is the module's)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnsibleActionFail("src %s is not UTF-8 text: %s" % (name, exc))
    directory = None
    if text.lstrip().startswith("{"):
        try:
            directory = json.loads(text)
        except ValueError:
            directory = None  # a YAML flow mapping, perhaps
    if directory is None:
        try:
            directory = yaml.load(text, Loader=SafeLoader)  # nosec B506 - SafeLoader  # noqa: S506
        except yaml.YAMLError as exc:
            raise AnsibleActionFail("src %s is neither JSON nor YAML: %s" % (name, to_text(exc)))
    if directory is None:
        directory = {}
    if not isinstance(directory, dict):
        raise AnsibleActionFail("src %s must hold a mapping with the keys users and groups, not a %s"
                                % (name, type(directory).__name__))
    unknown = sorted(str(key) for key in directory if key not in KEYS)
    if unknown:
        raise AnsibleActionFail("src %s has unknown keys: %s; it takes users and groups" % (name, ", ".join(unknown)))
    return dict((key, directory[key]) for key in KEYS if key in directory)


def read_directory(loader, path, name):
    """``parse_directory`` of the file at ``path``, decrypted if Ansible Vault encrypted it."""
    real = loader.get_real_file(path, decrypt=True)
    try:
        with open(real, "rb") as handle:
            data = handle.read()
    finally:
        loader.cleanup_tmp_file(real)
    return parse_directory(data, name)
