# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The release steps that edit or guard files (CONTRIBUTING.md, "Releasing", has the whole procedure).

    python hacking/release.py version X.Y.Z [--root DIR]  # write X.Y.Z wherever the version is declared
    python hacking/release.py check [GALAXY_YML]          # exit 1, naming the keys, while galaxy.yml's
                                                          # links are missing or placeholders

`make release VERSION=X.Y.Z` runs the first, `make release-check` and `make publish` the second.
"""

import argparse
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLACEHOLDER = "CHANGE-ME"
# galaxy.yml's links: the first three must be real before a release is published; homepage only if present.
REQUIRED_LINKS = ("repository", "documentation", "issues")
OPTIONAL_LINKS = ("homepage",)
# Where the version is written: the declarations (galaxy.yml, and the User-Agent's constant, needed at run time
# where galaxy.yml is absent; tests/unit/plugins/module_utils/test_client.py holds them equal) and the AWX guide's
# image tag and tarball name (tests/e2e/test_docs_plays.py holds them equal to galaxy.yml).  Each pattern has
# three groups: the text before the version, the version, the text after it.
_MENTIONED = re.compile(r"(slack-scim-ee:|scim-slack-)(\d[\w.+-]*?)(\.tar\.gz|(?![\w.+-]))")
VERSION_WRITTEN = (
    ("galaxy.yml", re.compile(r"^(version:[ \t]*)(\S+)([ \t]*)$", re.M)),
    ("plugins/module_utils/_version.py", re.compile(r'^(COLLECTION_VERSION = ")([^"]*)("[ \t]*)$', re.M)),
    ("docs/awx.md", _MENTIONED),
    ("examples/awx/execution-environment.yml", _MENTIONED),
)
SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


def unfinished_links(galaxy):
    """The link keys of a parsed galaxy.yml that are missing, empty or still hold the placeholder."""
    present_optional = [key for key in OPTIONAL_LINKS if key in galaxy]
    return [key for key in REQUIRED_LINKS + tuple(present_optional)
            if not galaxy.get(key) or PLACEHOLDER in str(galaxy[key])]


def check(galaxy_path):
    with open(galaxy_path, encoding="utf-8") as handle:
        galaxy = yaml.safe_load(handle) or {}
    keys = unfinished_links(galaxy)
    if keys:
        sys.stderr.write(
            "release check: not publishing: %s in %s must point at the public repository "
            "(missing, empty or still %s): %s\n" % (
                "this key" if len(keys) == 1 else "these keys", galaxy_path, PLACEHOLDER, ", ".join(keys)))
        return 1
    print("release check: %s in %s are set" % (", ".join(REQUIRED_LINKS), galaxy_path))
    return 0


def with_version(text, pattern, version, path):
    new, count = pattern.subn(lambda match: match.group(1) + version + match.group(3), text)
    if not count:
        raise ValueError("%s: no version matching %r; update VERSION_WRITTEN in hacking/release.py"
                         % (path, pattern.pattern))
    return new


def set_version(root, version):
    if not SEMVER.match(version):
        sys.stderr.write("release version: %r is not a semantic version (X.Y.Z)\n" % version)
        return 1
    updated = {}
    for rel, pattern in VERSION_WRITTEN:
        path = os.path.join(root, rel)
        with open(path, encoding="utf-8") as handle:
            try:
                updated[path] = with_version(handle.read(), pattern, version, rel)
            except ValueError as error:
                sys.stderr.write("release version: %s\n" % error)
                return 1
    for path, text in updated.items():
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    print("release version: %s in %s" % (version, ", ".join(rel for rel, _pattern in VERSION_WRITTEN)))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    version = commands.add_parser("version", help="write the version wherever it is declared")
    version.add_argument("version")
    version.add_argument("--root", default=ROOT, help="the collection's root (default: this checkout)")
    galaxy = commands.add_parser("check", help="refuse while galaxy.yml's links are placeholders")
    galaxy.add_argument("galaxy_yml", nargs="?", default=os.path.join(ROOT, "galaxy.yml"))
    args = parser.parse_args(argv)
    if args.command == "version":
        return set_version(args.root, args.version)
    return check(args.galaxy_yml)


if __name__ == "__main__":
    sys.exit(main())
