#!/usr/bin/env bash
# make demo: build and install the collection the way a user does, start the emulator, run
# examples/demo.yml twice, and show that the second run changed nothing.
# It runs in .venv/core-demo (hacking/venv.sh demo 3.12): ansible-core and requests only, pinned in
# tests/requirements/core-demo.txt. The development toolchain is `make test`'s business.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/.venv/core-demo"
[ -x "$venv/bin/ansible-playbook" ] || { echo "demo: $venv is missing; run 'make demo'" >&2; exit 1; }
# The venv must hold exactly the pinned packages: a dependency missing from the pins would have been
# installed unpinned.
pinned="$(grep -v '^#' "$here/tests/requirements/core-demo.txt" | tr 'A-Z_' 'a-z-' | sort)"
installed="$("$venv/bin/python" -m pip freeze --disable-pip-version-check 2>/dev/null | tr 'A-Z_' 'a-z-' | sort)"
[ "$pinned" = "$installed" ] || {
  echo "demo: $venv does not hold exactly tests/requirements/core-demo.txt:" >&2
  diff <(echo "$pinned") <(echo "$installed") >&2 || true
  exit 1
}
work="$here/.build/demo"
# Bold headings on a terminal only: a log or a pipe gets plain text.
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
say() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }

rm -rf "$work" && mkdir -p "$work/dist" "$work/collections"
say "Building the collection (ansible-galaxy collection build)"
"$venv/bin/ansible-galaxy" collection build "$here" --output-path "$work/dist" --force
tarball="$(ls "$work"/dist/scim-slack-*.tar.gz)"
say "Installing $(basename "$tarball") into a fresh collections path"
ANSIBLE_COLLECTIONS_PATH="$work/collections" "$venv/bin/ansible-galaxy" collection install "$tarball" \
  -p "$work/collections" --force

say "Starting the Slack SCIM emulator on a free local port"
PYTHONPATH="$here/tools" "$venv/bin/python" -m slack_scim_emulator --port 0 --url-file "$work/emulator.url" \
  > "$work/emulator.log" 2>&1 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$work/emulator.url" ] && break; sleep 0.1; done
url="$(cat "$work/emulator.url")"
echo "emulator at $url (SCIM v2 at $url/scim/v2/)"

export ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_PYTHON_INTERPRETER="$venv/bin/python"
export ANSIBLE_NOCOLOR="${ANSIBLE_NOCOLOR:-}" ANSIBLE_RETRY_FILES_ENABLED=0
export SLACK_SCIM_TOKEN=xoxp-emulator-token SLACK_SCIM_API_URL="$url/scim/v2/"
playbook() { "$venv/bin/ansible-playbook" -i localhost, "$here/examples/demo.yml" "$@" | tee "$work/last-run.txt"; }
# "<writes> <requests>" the emulator has logged so far
requests_so_far() {
  "$venv/bin/python" -c 'import json, sys, urllib.request
log = json.load(urllib.request.urlopen(sys.argv[1] + "/_control/log"))["requests"]
print(sum(r["method"] != "GET" for r in log), len(log))' "$url"
}

say "First run: creates three users and a group"
playbook
grep -Eq 'changed=[1-9]' "$work/last-run.txt" || { echo "demo: the first run changed nothing" >&2; exit 1; }

read -r first_writes first_requests < <(requests_so_far)
echo "first run: $first_requests requests to Slack, $first_writes of them writes"

say "Second run: the same playbook again must change nothing"
playbook
grep -Eq 'localhost +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$work/last-run.txt" \
  || { echo "demo: the second run was not a no-op" >&2; exit 1; }
read -r all_writes all_requests < <(requests_so_far)
second_writes=$((all_writes - first_writes))
echo "second run: $((all_requests - first_requests)) requests to Slack, $second_writes of them writes"
[ "$second_writes" -eq 0 ] || { echo "demo: the second run sent writes" >&2; exit 1; }
say "Done: the second run changed nothing and sent no write. The emulator has stopped."
