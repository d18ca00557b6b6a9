# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests mirror the code: every plugins/module_utils/<name>.py and plugins/plugin_utils/<name>.py has its
tests/unit/plugins/<folder>/test_<name without the leading _>.py, but for the files named below."""

from __future__ import annotations

import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIRRORED = ("plugins/module_utils", "plugins/plugin_utils")

# The one list of files without a test file of their own, each with the reason.  Shrink it: a file that gets its
# test file, or goes, must leave it (test_every_exception_is_still_one fails until it does).
WITHOUT_TEST_FILE = {
    "plugins/module_utils/_version.py": "one constant; tests/unit/hacking/test_release.py holds it equal to galaxy.yml",
    "plugins/module_utils/scim_client.py": "re-exports only; its test is the public API's, test_public_api.py",
    "plugins/module_utils/_async_retry.py": "the async client's retry handlers, tested with it in test_async_client.py",
    "plugins/module_utils/_sdk_client.py": "a thin layer tested with the answers it gives, in test_responses.py",
    "plugins/module_utils/_retry_policy.py": "tested through both clients' retries (test_retry.py, test_async_client.py)",
    "plugins/module_utils/_outcome.py": "a value class, tested through its planners (test_group.py, test_sync_apply.py)",
    "plugins/plugin_utils/_lookup.py": "the lookup's options, tested through tests/unit/plugins/lookup/",
}


def mirror_of(source):
    """tests/unit/plugins/module_utils/test_client.py for plugins/module_utils/_client.py."""
    folder, name = os.path.split(source)
    return os.path.join("tests", "unit", folder, "test_%s" % name.lstrip("_"))


def sources(root):
    """The mirrored files of a collection at ``root``, relative to it."""
    found = []
    for folder in MIRRORED:
        names = os.listdir(os.path.join(root, folder)) if os.path.isdir(os.path.join(root, folder)) else []
        found += ["%s/%s" % (folder, name) for name in names if name.endswith(".py") and name != "__init__.py"]
    return sorted(found)


def without_tests(root, exceptions):
    """The mirrored files of ``root`` with no test file that ``exceptions`` does not name."""
    return [source for source in sources(root)
            if source not in exceptions and not os.path.isfile(os.path.join(root, mirror_of(source)))]


def test_every_file_has_its_test_file():
    missing = without_tests(ROOT, WITHOUT_TEST_FILE)
    assert missing == [], "no test file for %s: write %s (or name it, with the reason, in WITHOUT_TEST_FILE)" % (
        ", ".join(missing), ", ".join(mirror_of(source) for source in missing))


def test_every_exception_is_still_one():
    stale = [source for source in WITHOUT_TEST_FILE
             if source not in sources(ROOT) or os.path.isfile(os.path.join(ROOT, mirror_of(source)))]
    assert stale == [], "remove from WITHOUT_TEST_FILE (gone, or tested now): %s" % ", ".join(stale)


def test_a_file_without_its_test_file_is_named(tmp_path):
    for path in ("plugins/module_utils/_a.py", "plugins/module_utils/_b.py", "plugins/plugin_utils/_c.py",
                 "plugins/plugin_utils/__init__.py", "tests/unit/plugins/module_utils/test_a.py"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    assert without_tests(str(tmp_path), {}) == ["plugins/module_utils/_b.py", "plugins/plugin_utils/_c.py"]
    assert without_tests(str(tmp_path), {"plugins/plugin_utils/_c.py": "why"}) == ["plugins/module_utils/_b.py"]


def imports_ansible(path):
    """Whether a module_utils file imports ansible-core (its tests then run on every line of the matrix)."""
    with open(path) as handle:
        return any(line.startswith(("from ansible.", "import ansible")) for line in handle)


def units_per_core(makefile):
    """The test paths of the Makefile's UNITS_PER_CORE (the unit tests every ansible-core line runs)."""
    with open(makefile) as handle:
        text = handle.read().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("UNITS_PER_CORE :="))
    return line.split(":=", 1)[1].split()


def test_every_line_runs_the_tests_of_the_code_that_imports_ansible_core():
    """`make units` runs all of module_utils' tests on a few lines only: those of files that import ansible-core
    must be in UNITS_PER_CORE, which every line runs."""
    every_line = units_per_core(os.path.join(ROOT, "Makefile"))
    missing = [mirror_of(source) for source in sources(ROOT) if source.startswith("plugins/module_utils/")
               and imports_ansible(os.path.join(ROOT, source)) and mirror_of(source) not in every_line]
    assert missing == [], "add to UNITS_PER_CORE in the Makefile: %s" % ", ".join(missing)
    assert all(os.path.exists(os.path.join(ROOT, path)) for path in every_line), every_line
