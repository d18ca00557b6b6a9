# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make bench, part 2: one directory converged three ways, side by side.

    python hacking/bench_sync.py --users 10000 --groups 100 --collections DIR --sdk-python PYTHON

(a) a loop of slack_scim_user (and slack_scim_group) tasks, (b) a script on the Python Slack
SDK's SCIMClient (searching each user by userName, as its docs show), (c) one slack_scim_sync
task; (a), (b) and (c) on SCIM v1 (the SDK speaks only v1), (c) on v2 as well.  Each runs
twice from the same seeded state: a no-op, and a run where 1% of the users changed.  The
emulator's rate limits are off, so wall time is each tool's own cost; the last column is the
least time Slack's published limits would allow for the same requests.  ``--loop-users``
caps (a), which costs about a quarter of a second per task: its per-user numbers are then
scaled to N and marked so.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "e2e"))

from harness import TOKEN, EmulatorProcess, Harness  # noqa: E402  pylint: disable=wrong-import-position

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def slack_floor(reads, writes):
    """Least seconds Slack's limits allow: 1,000 reads a minute (burst 1,000), 180 writes (burst 20)."""
    return max(max(0, reads - 1000) / 1000.0, max(0, writes - 20) / 180.0) * 60


def directory(emulator, users, groups, changed):
    state = emulator.state()
    ids = [user["id"] for user in state["users"]]
    declared = []
    for index, user in enumerate(state["users"][:users]):
        entry = {"user_name": user["userName"], "email": user["emails"][0]["value"],
                 "given_name": user["name"]["givenName"], "family_name": user["name"]["familyName"],
                 "display_name": user["displayName"]}
        if changed and index % 100 == 0:
            entry["title"] = "Changed"
        declared.append(entry)
    declared_groups = [{"display_name": group["displayName"], "members": {"set": list(group["members"])}}
                       for group in state["groups"][:groups]]
    return {"users": declared, "groups": declared_groups, "ids": ids}


def seed(emulator, args):
    emulator.reset()
    emulator.control("POST", "seed", {"users": args.users, "groups": args.groups,
                                      "members_per_group": args.members})


def run_loop(harness, data, api_version, count, scale):
    """The user loop over ``count`` users (scaled by ``scale``) plus the group loop over every group."""
    users = harness.run([{"name": "users", "scim.slack.slack_scim_user": {
        "user_name": "{{ item.user_name }}", "email": "{{ item.email }}", "given_name": "{{ item.given_name }}",
        "family_name": "{{ item.family_name }}", "display_name": "{{ item.display_name }}",
        "title": "{{ item.title | default(omit) }}"},
        "loop": data["users"][:count], "loop_control": {"label": "{{ item.user_name }}"}}],
        api_version=api_version, measure_memory=True)
    groups = harness.run([{"name": "groups", "scim.slack.slack_scim_group": {
        "display_name": "{{ item.display_name }}", "members": "{{ item.members }}"},
        "loop": data["groups"], "loop_control": {"label": "{{ item.display_name }}"}}],
        api_version=api_version, measure_memory=True)
    for run in (users, groups):
        if run.failed:
            raise SystemExit("bench: the loop failed:\n%s" % run.output[-3000:])
    seconds = users.seconds * scale + groups.seconds
    made = users.requests * int(round(scale)) + groups.requests
    return seconds, made, max(users.peak_rss_kb or 0, groups.peak_rss_kb or 0)


def run_sync(harness, data, api_version):
    task = {"name": "sync", "scim.slack.slack_scim_sync": {
        "users": data["users"], "groups": data["groups"], "write_rate": 0}}
    return harness.run([task], api_version=api_version, measure_memory=True)


def run_sdk(emulator, sdk_python, data, workdir):
    path = os.path.join(workdir, "directory.json")
    with open(path, "w") as handle:
        json.dump(data, handle)
    since = len(emulator.log())
    started = time.monotonic()
    output = subprocess.check_output([sdk_python, os.path.join(ROOT, "hacking", "bench_seed_sdk.py"),
                                      emulator.base_url("v1"), TOKEN, path])
    seconds = time.monotonic() - started
    made = emulator.control("GET", "log?since=%d" % since)["requests"]
    return seconds, made, json.loads(output.decode().strip().splitlines()[-1])["peak_rss_kb"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--members", type=int, default=10, help="members per group")
    parser.add_argument("--loop-users", type=int, help="cap the slack_scim_user loop at this many users")
    parser.add_argument("--collections", required=True)
    parser.add_argument("--sdk-python", required=True, help="a Python with slack_sdk installed")
    args = parser.parse_args()
    loop_users = min(args.loop_users or args.users, args.users)
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        with EmulatorProcess(workdir) as emulator:
            harness = Harness(emulator, args.collections, workdir)
            for scenario, changed in (("no-op", False), ("1% changed", True)):
                cases = [("(a) slack_scim_user loop", "v1"), ("(b) seed SDK script", "v1"),
                         ("(c) slack_scim_sync", "v1"), ("(c) slack_scim_sync", "v2")]
                for label, api_version in cases:
                    seed(emulator, args)
                    data = directory(emulator, args.users, args.groups, changed)
                    scaled = False
                    if label.startswith("(a)"):
                        scaled = loop_users < args.users
                        seconds, made, peak = run_loop(harness, data, api_version, loop_users,
                                                       args.users / float(loop_users))
                        failed = False
                    elif label.startswith("(b)"):
                        seconds, made, peak = run_sdk(emulator, args.sdk_python, data, workdir)
                        failed = False
                    else:
                        run = run_sync(harness, data, api_version)
                        seconds, made, peak, failed = run.seconds, run.requests, run.peak_rss_kb, run.failed
                    if failed:
                        raise SystemExit("bench: %s %s failed:\n%s" % (label, scenario, run.output[-3000:]))
                    writes = sum(1 for r in made if r["method"] != "GET")
                    reads = len(made) - writes
                    rows.append((label, api_version, scenario, seconds, len(made), writes, peak, scaled,
                                 slack_floor(reads, writes)))
    print("\nN = %d users, %d groups of %d members; emulator rate limits off; slack_scim_sync write_rate 0"
          % (args.users, args.groups, args.members))
    if loop_users < args.users:
        print("(a) looped over %d users (and all groups); numbers marked * scale its user loop to N = %d"
              % (loop_users, args.users))
    header = ("case", "API", "scenario", "wall time (s)", "requests", "writes", "peak MiB", "Slack-limit floor (s)")
    print("| %-26s | %-3s | %-10s | %13s | %8s | %6s | %8s | %21s |" % header)
    print("|%s|" % "|".join("-" * (width + 2) for width in (26, 3, 10, 13, 8, 6, 8, 21)))
    for label, api_version, scenario, seconds, requests_made, writes, peak, scaled, floor in rows:
        mark = "*" if scaled else " "
        print("| %-26s | %-3s | %-10s | %12.1f%s | %7d%s | %5d%s | %8.0f | %20.0f%s |" % (
            label, api_version, scenario, seconds, mark, requests_made, mark, writes, mark, (peak or 0) / 1024.0,
            floor, mark))
    bound = math.ceil(args.users / 1000.0) + math.ceil(args.groups / 1000.0) + 2
    for label, api_version, scenario, seconds, requests_made, writes, peak, scaled, floor in rows:
        if label.startswith("(c)") and requests_made > bound + writes:
            raise SystemExit("bench: %s %s %s sent %d requests, more than ceil(N/1000) + ceil(G/1000) + writes + 2"
                             % (label, api_version, scenario, requests_made))
    print("(c) stayed within ceil(N/1000) + ceil(groups/1000) + writes + 2 = %d + writes requests" % bound)
    return 0


if __name__ == "__main__":
    sys.exit(main())
