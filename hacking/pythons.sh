#!/usr/bin/env bash
# Make .venv/pythons/ a folder of links to real interpreters, for ansible-test's PATH, and put
# the offline get-pip stand-in where ansible-test looks for its pip bootstrap script.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$here/.venv/pythons"
for v in "$@"; do ln -sf "$("$here/hacking/find-python" "$v")" "$here/.venv/pythons/python$v"; done
cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
# pip versions ansible-test bootstraps into its venvs: 23.1.2 (2.16, 2.17), 24.2 (2.18, 2.19), 25.2 (2.20 on).
for pip_version in 23_1_2 24_2 25_2; do cp "$here/hacking/get_pip_standin.py" "$cache/get_pip_$pip_version.py"; done
