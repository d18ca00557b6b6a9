# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Command line: ``python -m slack_scim_emulator [--port 0] [--token T] [--state FILE] ...``"""

import argparse
import os
import signal
import sys
import threading

from . import DEFAULT_TOKEN
from .server import Emulator, EmulatorServer


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="slack_scim_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1); /_control/ answers loopback peers only")
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one (default 8765)")
    parser.add_argument("--token", default=os.environ.get("SLACK_SCIM_EMULATOR_TOKEN", DEFAULT_TOKEN),
                        help="the bearer token to accept (default %s)" % DEFAULT_TOKEN)
    parser.add_argument("--state", help="JSON file: loaded at start if it exists, saved at exit")
    parser.add_argument("--rate-limit-scale", type=float, default=1.0,
                        help="multiply Slack's rate limits by this (0 turns them off; default 1)")
    parser.add_argument("--seed-users", type=int, default=0, help="start with this many synthetic users")
    parser.add_argument("--seed-groups", type=int, default=0, help="start with this many synthetic groups")
    parser.add_argument("--url-file", help="write the base URL to this file once listening")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--nagle", action="store_true",
                        help="keep Nagle's algorithm on, as many servers and proxies do (answers then wait for the "
                             "client's ACK of their headers)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    emulator = Emulator(token=args.token, rate_limit_scale=args.rate_limit_scale, state_file=args.state)
    if args.state and os.path.exists(args.state):
        emulator.load()
    if args.seed_users or args.seed_groups:
        emulator.store.seed(users=args.seed_users, groups=args.seed_groups)
    server = EmulatorServer((args.host, args.port), emulator, verbose=args.verbose, nagle=args.nagle)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    url = server.url
    if args.url_file:
        with open(args.url_file + ".tmp", "w") as handle:
            handle.write(url + "\n")
        os.replace(args.url_file + ".tmp", args.url_file)
    print("Slack SCIM emulator listening on %s  (SCIM v1: %s/scim/v1/  v2: %s/scim/v2/)" % (url, url, url), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if args.state:
            emulator.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
