# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hacking/release.py on copies of the files it reads: its main() in-process, and once as `make publish` runs it."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest
import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
SCRIPT = os.path.join(ROOT, "hacking", "release.py")
LINKS = ("repository", "documentation", "issues")
REAL = {
    "repository": "https://github.com/example-org/scim.slack",
    "documentation": "https://github.com/example-org/scim.slack/tree/main/docs",
    "issues": "https://github.com/example-org/scim.slack/issues",
}
# The files `release.py version` writes, and how each names the version.
VERSIONED = {
    "galaxy.yml": "version: %s",
    "plugins/module_utils/_version.py": 'COLLECTION_VERSION = "%s"',
    "docs/awx.md": "slack-scim-ee:%s",
    "examples/awx/execution-environment.yml": "slack-scim-ee:%s",
}


def load_script():
    spec = importlib.util.spec_from_file_location("release_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RELEASE = load_script()


@pytest.fixture
def release(capsys):
    def run(*args):
        returncode = RELEASE.main(list(args))
        out, err = capsys.readouterr()
        return SimpleNamespace(returncode=returncode, stdout=out, stderr=err)
    return run


def with_link(key, value):
    links = dict(REAL)
    links[key] = value
    return links


def galaxy_with(tmp_path, **links):
    """This collection's galaxy.yml with its links replaced (None drops a key)."""
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        galaxy = yaml.safe_load(handle)
    for key, value in links.items():
        galaxy.pop(key, None)
        if value is not None:
            galaxy[key] = value
    path = tmp_path / "galaxy.yml"
    path.write_text(yaml.safe_dump(galaxy), encoding="utf-8")
    return str(path)


def test_the_script_refuses_placeholders_with_exit_status_1(tmp_path):
    placeholders = {key: "https://github.com/CHANGE-ME/scim.slack/" + key for key in LINKS}
    result = subprocess.run([sys.executable, SCRIPT, "check", galaxy_with(tmp_path, **placeholders)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "not publishing" in result.stderr and "repository, documentation, issues" in result.stderr


def test_check_passes_once_every_link_is_filled(release, tmp_path):
    result = release("check", galaxy_with(tmp_path, **REAL))
    assert result.returncode == 0, result.stderr
    assert "repository, documentation, issues" in result.stdout


@pytest.mark.parametrize("left", LINKS)
def test_check_names_the_one_placeholder_left(release, tmp_path, left):
    result = release("check", galaxy_with(tmp_path, **with_link(left, "https://github.com/CHANGE-ME/scim.slack")))
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith("this key in %s must point at the public repository "
                                           "(missing, empty or still CHANGE-ME): %s" % (tmp_path / "galaxy.yml", left))


@pytest.mark.parametrize("value", [None, ""], ids=["missing", "empty"])
def test_check_refuses_a_missing_or_empty_link(release, tmp_path, value):
    result = release("check", galaxy_with(tmp_path, **with_link("issues", value)))
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith(": issues")


def test_check_names_a_placeholder_homepage_only_when_present(release, tmp_path):
    result = release("check", galaxy_with(tmp_path, **with_link("homepage", "https://CHANGE-ME.example")))
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith(": homepage")


def copy_versioned_files(tmp_path):
    for rel in VERSIONED:
        os.makedirs(os.path.dirname(str(tmp_path / rel)), exist_ok=True)
        shutil.copy(os.path.join(ROOT, rel), str(tmp_path / rel))


def current_version():
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["version"]


def test_version_is_written_wherever_it_is_named(release, tmp_path):
    copy_versioned_files(tmp_path)
    old = current_version()
    result = release("version", "10.20.30", "--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for rel, form in VERSIONED.items():
        text = (tmp_path / rel).read_text(encoding="utf-8")
        assert form % "10.20.30" in text and form % old not in text, rel
    awx = (tmp_path / "docs/awx.md").read_text(encoding="utf-8")
    assert "scim-slack-10.20.30.tar.gz" in awx
    assert yaml.safe_load((tmp_path / "galaxy.yml").read_text(encoding="utf-8"))["version"] == "10.20.30"


def test_version_changes_nothing_but_the_version(release, tmp_path):
    copy_versioned_files(tmp_path)
    old = current_version()
    assert release("version", "10.20.30", "--root", str(tmp_path)).returncode == 0
    for rel in VERSIONED:
        with open(os.path.join(ROOT, rel), encoding="utf-8") as handle:
            original = handle.read()
        assert (tmp_path / rel).read_text(encoding="utf-8").replace("10.20.30", old) == original, rel


@pytest.mark.parametrize("version", ["1.2", "v1.2.3", "1.2.3 "])
def test_version_refuses_what_is_not_semver_and_writes_nothing(release, tmp_path, version):
    copy_versioned_files(tmp_path)
    result = release("version", version, "--root", str(tmp_path))
    assert result.returncode == 1 and "not a semantic version" in result.stderr
    assert current_version() in (tmp_path / "galaxy.yml").read_text(encoding="utf-8")


def test_version_writes_nothing_when_a_declaration_moved(release, tmp_path):
    copy_versioned_files(tmp_path)
    (tmp_path / "docs/awx.md").write_text("no image tag here\n", encoding="utf-8")
    result = release("version", "10.20.30", "--root", str(tmp_path))
    assert result.returncode == 1 and "docs/awx.md" in result.stderr
    assert "version: %s" % current_version() in (tmp_path / "galaxy.yml").read_text(encoding="utf-8")
