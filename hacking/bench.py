# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make bench: what N users cost through a slack_scim_user loop, and through one listing.

    python hacking/bench.py --users 1000 --collections <dir holding ansible_collections>

Starts the emulator (rate limits off, so the numbers are the collection's own cost), then
runs, each as one ansible-playbook: a loop of N slack_scim_user tasks that creates the users,
the same loop again (no-op), and one slack_scim_info listing of all users.  Prints wall time,
HTTP requests (total, writes, per user) from the emulator's request log.
"""

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "e2e"))

from harness import EmulatorProcess, Harness  # noqa: E402  pylint: disable=wrong-import-position


def user_loop(count):
    people = [{"user_name": "bench%05d" % i, "email": "bench%05d@example.com" % i, "title": "Engineer"}
              for i in range(count)]
    return [{"name": "users", "scim.slack.slack_scim_user": {
        "user_name": "{{ item.user_name }}", "email": "{{ item.email }}", "title": "{{ item.title }}"},
        "loop": people, "loop_control": {"label": "{{ item.user_name }}"}}]


def measure(harness, label, tasks, users):
    started = time.monotonic()
    run = harness.run(tasks)
    seconds = time.monotonic() - started
    if run.failed:
        raise SystemExit("bench: %s failed:\n%s" % (label, run.output[-3000:]))
    changed = sum(1 for result in run.results if result["result"].get("changed"))
    return (label, seconds, len(run.requests), len(run.writes), len(run.requests) / float(users), changed)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--collections", required=True)
    parser.add_argument("--api-version", default="v2", choices=["v1", "v2"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        with EmulatorProcess(workdir) as emulator:
            harness = Harness(emulator, args.collections, workdir)
            tasks = user_loop(args.users)
            rows = [
                measure(harness, "slack_scim_user loop, creating", tasks, args.users),
                measure(harness, "slack_scim_user loop, no-op", tasks, args.users),
                measure(harness, "slack_scim_info listing", [{"name": "list", "scim.slack.slack_scim_info": {}}],
                        args.users),
            ]
    print("\nN = %d users, SCIM %s, emulator rate limits off\n" % (args.users, args.api_version))
    header = ("run", "wall time (s)", "requests", "writes", "requests/user", "changed")
    print("| %-34s | %13s | %8s | %6s | %13s | %7s |" % header)
    print("|%s|%s|%s|%s|%s|%s|" % ("-" * 36, "-" * 15, "-" * 10, "-" * 8, "-" * 15, "-" * 9))
    for label, seconds, requests_made, writes, per_user, changed in rows:
        print("| %-34s | %13.1f | %8d | %6d | %13.3f | %7s |" % (label, seconds, requests_made, writes, per_user,
                                                                 "yes" if changed else "no"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
