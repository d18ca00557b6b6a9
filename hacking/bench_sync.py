# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make bench, part 2: one directory converged several ways, side by side.

    python hacking/bench_sync.py --users 10000 --groups 100 --collections DIR --sdk-python PYTHON

Three scenarios: a no-op (the directory as Slack has it), 1% of the users changed (a new title),
and creating the whole directory in an empty organization.  Ways: (a) loops of slack_scim_user and
slack_scim_group tasks on the controller, (b) a script on the Python Slack SDK's SCIMClient (one
userName search per declared user, as its docs show), (c) one slack_scim_sync task reading the
directory from a file (``src``); (a), (b) and (c) on SCIM v1 (the SDK speaks only v1), (c) on v2 as
well.  The no-op also shows slack_scim_sync with the directory inline in the task, in-process and as a
module (the way before ``src`` and the action plugin); the 1% change also shows (c) paced at Slack's
write limit (``write_rate`` 180).  Every other run has pacing off (``write_rate`` 0).

The emulator's rate limits are off, so wall time is each tool's own cost plus the emulator's.  The
emulator logs how long it spent on every request: client-side time is wall time minus that.  The
last columns are the least time Slack's published limits allow for the same requests, and the
client-side time as a share of it.  ``--loop-users`` caps (a) (its user loop's numbers are then scaled
to N, marked *).

Goal 2 of issue 18, on the no-op, v1: (c) needs at least 4x less client-side time than (b), with a
peak memory of at most 100 MiB; at 10,000 users and 100 groups or more the script exits 1 when it
misses.  There too, (c)'s client-side time stays below the Slack-limit floor of the 1%-changed and
create rows: against Slack, the floor is the only limit.
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
GOAL_USERS, GOAL_GROUPS = 10000, 100
GOAL_RATIO, GOAL_PEAK_MIB = 4.0, 100
SCENARIOS = ("no-op", "1% changed", "create from empty")


def slack_floor(reads, writes):
    """Least seconds Slack's limits allow: 1,000 reads a minute (burst 1,000), 180 writes (burst 20)."""
    return max(max(0, reads - 1000) / 1000.0, max(0, writes - 20) / 180.0) * 60


def server_seconds(made):
    return sum(entry.get("duration_ms") or 0 for entry in made) / 1000.0


def existing_directory(emulator, users, groups, changed):
    """The seeded organization as a directory file declares it (1% of the titles changed if asked)."""
    state = emulator.state()
    names = {user["id"]: user["userName"] for user in state["users"]}
    declared = []
    for index, user in enumerate(state["users"][:users]):
        entry = {"user_name": user["userName"], "email": user["emails"][0]["value"],
                 "given_name": user["name"]["givenName"], "family_name": user["name"]["familyName"],
                 "display_name": user["displayName"]}
        if changed and index % 100 == 0:
            entry["title"] = "Changed"
        declared.append(entry)
    declared_groups = [{"display_name": group["displayName"],
                        "members": {"set": sorted(names[member] for member in group["members"])}}
                       for group in state["groups"][:groups]]
    return {"users": declared, "groups": declared_groups}


def new_directory(users, groups, members):
    declared = [{"user_name": "new%05d" % index, "email": "new%05d@example.com" % index, "given_name": "New",
                 "family_name": "%05d" % index, "display_name": "New %05d" % index} for index in range(users)]
    names = [entry["user_name"] for entry in declared[:members]]
    return {"users": declared, "groups": [{"display_name": "new-group-%03d" % index, "members": {"set": names}}
                                          for index in range(groups)]}


def prepare(emulator, args, scenario):
    emulator.reset()
    if scenario == "create from empty":
        return new_directory(args.users, args.groups, args.members)
    emulator.control("POST", "seed", {"users": args.users, "groups": args.groups,
                                      "members_per_group": args.members})
    return existing_directory(emulator, args.users, args.groups, scenario == "1% changed")


class Result:
    def __init__(self, seconds, made, peak_kb, scaled=False):
        self.seconds, self.made, self.peak_kb, self.scaled = seconds, made, peak_kb or 0, scaled
        self.server = server_seconds(made)
        self.writes = sum(1 for entry in made if entry["method"] != "GET")
        self.reads = len(made) - self.writes

    @property
    def client(self):
        return self.seconds - self.server

    @property
    def floor(self):
        return slack_floor(self.reads, self.writes)


def checked(run, label):
    if run.failed:
        raise SystemExit("bench: %s failed:\n%s" % (label, run.output[-3000:]))
    return run


def run_loop(harness, data, api_version, count, scale, startup):
    """The user loop over ``count`` users (its cost per item scaled by ``scale``, one start-up) plus the group
    loop over every group."""
    users = checked(harness.run([{"name": "users", "scim.slack.slack_scim_user": {
        "user_name": "{{ item.user_name }}", "email": "{{ item.email }}", "given_name": "{{ item.given_name }}",
        "family_name": "{{ item.family_name }}", "display_name": "{{ item.display_name }}",
        "title": "{{ item.title | default(omit) }}"},
        "loop": data["users"][:count], "loop_control": {"label": "{{ item.user_name }}"}}],
        api_version=api_version, measure_memory=True), "the user loop")
    groups = checked(harness.run([{"name": "groups", "scim.slack.slack_scim_group": {
        "display_name": "{{ item.display_name }}", "members": "{{ item.members }}"},
        "loop": data["groups"], "loop_control": {"label": "{{ item.display_name }}"}}],
        api_version=api_version, measure_memory=True), "the group loop")
    made = users.requests * int(round(scale)) + groups.requests
    result = Result(0, made, max(users.peak_rss_kb or 0, groups.peak_rss_kb or 0), scaled=scale > 1)
    result.seconds = startup + (users.seconds - startup) * scale + groups.seconds
    result.server = server_seconds(users.requests) * scale + server_seconds(groups.requests)
    return result


def run_sync(harness, data, api_version, path, how="src", mode="controller", write_rate=0):
    if how == "src":
        options = {"src": path}
    else:
        options = {"users": data["users"], "groups": data["groups"]}
    options["write_rate"] = write_rate
    run = checked(harness.run([{"name": "sync", "scim.slack.slack_scim_sync": options}], api_version=api_version,
                              measure_memory=True, mode=mode), "slack_scim_sync")
    return Result(run.seconds, run.requests, run.peak_rss_kb)


def run_sdk(emulator, sdk_python, path):
    since = len(emulator.log())
    started = time.monotonic()
    output = subprocess.check_output([sdk_python, os.path.join(ROOT, "hacking", "bench_seed_sdk.py"),
                                      emulator.base_url("v1"), TOKEN, path])
    seconds = time.monotonic() - started
    made = emulator.control("GET", "log?since=%d" % since)["requests"]
    return Result(seconds, made, json.loads(output.decode().strip().splitlines()[-1])["peak_rss_kb"])


def cases(scenario):
    rows = [("(a) user and group loops", "v1", None), ("(b) seed SDK script", "v1", None),
            ("(c) slack_scim_sync src", "v1", None), ("(c) slack_scim_sync src", "v2", None)]
    if scenario == "no-op":
        rows += [("(c) sync inline", "v1", "controller"), ("(c) sync inline, as module", "v1", "remote")]
    if scenario == "1% changed":
        rows += [("(c) sync src, write_rate 180", "v1", None)]
    return rows


def measure(harness, emulator, args, scenario, label, api_version, mode, loop_users, workdir, startup):
    data = prepare(emulator, args, scenario)
    path = os.path.join(workdir, "directory.json")
    with open(path, "w") as handle:
        json.dump(data, handle)
    if label.startswith("(a)"):
        return run_loop(harness, data, api_version, loop_users, args.users / float(loop_users), startup)
    if label.startswith("(b)"):
        return run_sdk(emulator, args.sdk_python, path)
    if "inline" in label:
        return run_sync(harness, data, api_version, path, how="inline", mode=mode)
    return run_sync(harness, data, api_version, path, write_rate=180 if "write_rate 180" in label else 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=GOAL_USERS)
    parser.add_argument("--groups", type=int, default=GOAL_GROUPS)
    parser.add_argument("--members", type=int, default=10, help="members per group")
    parser.add_argument("--loop-users", type=int, help="cap the slack_scim_user loop at this many users")
    parser.add_argument("--collections", required=True)
    parser.add_argument("--sdk-python", required=True, help="a Python with slack_sdk installed")
    args = parser.parse_args()
    loop_users = min(args.loop_users or args.users, args.users)
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        with EmulatorProcess(workdir) as emulator:
            harness = Harness(emulator, args.collections, workdir, mode="controller")
            startup = checked(harness.run([{"name": "start-up", "ansible.builtin.debug": {"msg": "x"}}]),
                              "a one-task play").seconds
            for scenario in SCENARIOS:
                for label, api_version, mode in cases(scenario):
                    result = measure(harness, emulator, args, scenario, label, api_version, mode, loop_users,
                                     workdir, startup)
                    rows.append((label, api_version, scenario, result))
    print("\nN = %d users, %d groups of %d members; emulator rate limits off; slack_scim_sync write_rate 0 unless "
          "shown" % (args.users, args.groups, args.members))
    if loop_users < args.users:
        print("(a) looped over %d users (and all groups); numbers marked * scale its user loop's cost per item "
              "to N = %d" % (loop_users, args.users))
    header = ("case", "API", "scenario", "wall (s)", "server (s)", "client (s)", "requests", "writes", "peak MiB",
              "Slack-limit floor (s)", "client / floor")
    widths = (29, 3, 17, 9, 10, 10, 8, 6, 8, 21, 14)
    print("| %-29s | %-3s | %-17s | %9s | %10s | %10s | %8s | %6s | %8s | %21s | %14s |" % header)
    print("|%s|" % "|".join("-" * (width + 2) for width in widths))
    for label, api_version, scenario, result in rows:
        mark = "*" if result.scaled else " "
        share = "%13.2f%%" % (100.0 * result.client / result.floor) if result.floor else "%14s" % "-"
        print("| %-29s | %-3s | %-17s | %8.1f%s | %9.1f%s | %9.1f%s | %7d%s | %5d%s | %8.0f | %20.0f%s | %s |" % (
            label, api_version, scenario, result.seconds, mark, result.server, mark, result.client, mark,
            len(result.made), mark, result.writes, mark, result.peak_kb / 1024.0, result.floor, mark, share))
    return verdict(rows, args)


def verdict(rows, args):
    """Print the goals' ratios; the exit status (1: a goal missed at full N)."""
    def row(label, scenario, api_version="v1"):
        return next(r for l, a, s, r in rows if l == label and s == scenario and a == api_version)

    problems = []
    bound = math.ceil(args.users / 1000.0) + math.ceil(args.groups / 1000.0) + 2
    for label, api_version, scenario, result in rows:
        if label.startswith("(c)") and scenario != "create from empty" and len(result.made) > bound + result.writes:
            problems.append("%s %s %s sent %d requests, more than ceil(N/1000) + ceil(G/1000) + writes + 2"
                            % (label, api_version, scenario, len(result.made)))
    sdk, sync = row("(b) seed SDK script", "no-op"), row("(c) slack_scim_sync src", "no-op")
    ratio = sdk.client / sync.client if sync.client > 0 else float("inf")
    peak = sync.peak_kb / 1024.0
    print("\ngoal 2, no-op, v1: client-side time %.1f s (SDK script) / %.1f s (slack_scim_sync src) = %.1fx "
          "(at least %.0fx); peak memory %.0f MiB (at most %d MiB); wall time %.1fx"
          % (sdk.client, sync.client, ratio, GOAL_RATIO, peak, GOAL_PEAK_MIB,
             sdk.seconds / sync.seconds if sync.seconds else float("inf")))
    full = args.users >= GOAL_USERS and args.groups >= GOAL_GROUPS
    goals = []
    if ratio < GOAL_RATIO:
        goals.append("slack_scim_sync's client-side time is only %.1fx less than the SDK script's" % ratio)
    if peak > GOAL_PEAK_MIB:
        goals.append("slack_scim_sync's peak memory is %.0f MiB" % peak)
    for scenario in ("1% changed", "create from empty"):
        for api_version in ("v1", "v2"):
            result = row("(c) slack_scim_sync src", scenario, api_version)
            print("floor, %s, %s: slack_scim_sync's client-side time %.1f s against a Slack-limit floor of %.0f s"
                  % (scenario, api_version, result.client, result.floor))
            if result.floor and result.client >= result.floor:
                goals.append("slack_scim_sync's own time (%.1f s) is not below the Slack-limit floor (%.0f s), %s, %s"
                             % (result.client, result.floor, scenario, api_version))
    paced = row("(c) sync src, write_rate 180", "1% changed")
    print("paced at write_rate 180, 1%% changed: %.1f s for %d writes (evenly spaced: %.1f s; Slack-limit floor "
          "%.0f s, which counts a burst of 20)" % (paced.seconds, paced.writes, max(0, paced.writes - 1) / 3.0,
                                                   paced.floor))
    if problems:
        print("bench: " + "\n  ".join(problems))
        return 1
    if goals and full:
        print("bench: goal missed at full N:\n  " + "\n  ".join(goals))
        return 1
    if goals:
        print("(goals are checked at %d users and %d groups or more; reported only:)\n  %s"
              % (GOAL_USERS, GOAL_GROUPS, "\n  ".join(goals)))
    elif full:
        print("goal 2 met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
