#!/usr/bin/env bash
# Create (or refresh) the dev venv for one ansible-core line from its pinned requirements.
#   hacking/venv.sh <core> <python X.Y>     e.g. hacking/venv.sh 2.21 3.12
# The venv is rebuilt only when its requirements file changed.
set -euo pipefail
core="$1" py="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/.venv/core-$core"
req="$here/tests/requirements/core-$core.txt"
stamp="$venv/.requirements.sha"
sum="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then exit 0; fi
python="$("$here/hacking/find-python" "$py")"
echo ">>> creating $venv with $python (ansible-core $core)"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$sum" > "$stamp"
