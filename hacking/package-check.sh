#!/usr/bin/env bash
# Prove the release path: build the tarball, check it holds no local artefacts, install it into an
# empty collections path, read every plugin's docs from the installed copy, and check the
# execution-environment metadata with ansible-builder.  (make demo then runs a playbook from an
# installed copy against the emulator.)
#   hacking/package-check.sh <ansible-core line>    `make package-check` passes the Makefile's NEWEST
set -euo pipefail
core="${1:?usage: hacking/package-check.sh <ansible-core line, e.g. 2.21> (make package-check passes NEWEST)}"
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/.venv/core-$core"
[ -x "$venv/bin/ansible-galaxy" ] || { echo "package-check: no venv for ansible-core $core at $venv (make venvs)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$venv/bin/ansible-galaxy" collection build "$here" --output-path "$work/dist" >/dev/null
tarball="$(ls "$work"/dist/scim-slack-*.tar.gz)"
listing="$(tar tzf "$tarball")"
echo "built $(basename "$tarball"): $(echo "$listing" | wc -l) entries"
if echo "$listing" | grep -E '(^|/)(\.venv|\.build|\.ansible|\.git|\.pytest_cache|__pycache__|hacking)(/|$)|tests/output|\.pyc$|\.tar\.gz$'; then
  echo "package-check: the tarball holds local artefacts (listed above); extend build_ignore in galaxy.yml" >&2
  exit 1
fi
for required in MANIFEST.json FILES.json meta/runtime.yml meta/execution-environment.yml meta/ee-requirements.txt \
                plugins/modules/slack_scim_user.py plugins/lookup/slack_scim_info.py LICENSE README.md; do
  echo "$listing" | grep -qx "$required" || { echo "package-check: $required is missing from the tarball" >&2; exit 1; }
done

mkdir -p "$work/collections"
export ANSIBLE_COLLECTIONS_PATH="$work/collections"
"$venv/bin/ansible-galaxy" collection install "$tarball" -p "$work/collections" >/dev/null
installed="$("$venv/bin/ansible-galaxy" collection list scim.slack -p "$work/collections" 2>/dev/null | grep scim.slack)"
echo "installed: $installed"
modules="$("$venv/bin/ansible-doc" -t module -l scim.slack | awk '{print $1}' | sort | tr '\n' ' ')"
[ "$modules" = "scim.slack.slack_scim_group scim.slack.slack_scim_info scim.slack.slack_scim_sync scim.slack.slack_scim_user " ] \
  || { echo "package-check: ansible-doc lists modules: '$modules'" >&2; exit 1; }
for plugin in slack_scim_user slack_scim_group slack_scim_info slack_scim_sync; do
  doc="$("$venv/bin/ansible-doc" -t module "scim.slack.$plugin")"
  echo "$doc" | grep -q "scim.slack.$plugin" \
    || { echo "package-check: ansible-doc scim.slack.$plugin failed" >&2; exit 1; }
done
doc="$("$venv/bin/ansible-doc" -t lookup scim.slack.slack_scim_info)"
echo "$doc" | grep -q "LOOKUP" \
  || { echo "package-check: ansible-doc -t lookup scim.slack.slack_scim_info failed" >&2; exit 1; }
echo "ansible-doc: $modules+ lookup scim.slack.slack_scim_info, all from the installed copy"

introspect="$("$venv/bin/ansible-builder" introspect --sanitize "$work/collections")"
echo "$introspect" | grep -q "requests>=2.28.*scim.slack" \
  || { echo "package-check: ansible-builder introspect did not report requests for scim.slack:" >&2; echo "$introspect" >&2; exit 1; }
echo "ansible-builder introspect: $(echo "$introspect" | grep 'scim.slack' | head -1 | sed 's/^ *//')"
