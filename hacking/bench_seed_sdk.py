# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark baseline (b): converge users and groups with the Python Slack SDK's SCIMClient.

    python hacking/bench_seed_sdk.py <scim v1 base url> <token> <directory.json>

Does what the SDK's SCIM page shows: one search per user by userName, then a PATCH where the
declared title differs (or a POST when the user is missing); one search per group by
displayName, then a PATCH with the member difference (or a POST when the group is missing).
Group members are declared by user name; the script knows their IDs from its own searches and
creations.  Prints a JSON line with the counts and the peak memory.  Benchmark-only: the
collection never imports slack_sdk.
"""

import json
import resource
import sys
import time

from slack_sdk.scim import SCIMClient


def main():
    base_url, token, directory_file = sys.argv[1:4]
    with open(directory_file) as handle:
        directory = json.load(handle)
    client = SCIMClient(token=token, base_url=base_url)
    started = time.monotonic()
    writes = 0
    ids = {}
    for spec in directory["users"]:
        found = client.search_users(filter='userName eq "%s"' % spec["user_name"], start_index=1, count=1).users
        if not found:
            created = client.create_user({"user_name": spec["user_name"],
                                          "emails": [{"value": spec["email"], "primary": True}],
                                          "title": spec.get("title")})
            ids[spec["user_name"]] = created.user.id
            writes += 1
            continue
        ids[spec["user_name"]] = found[0].id
        if spec.get("title") and found[0].title != spec["title"]:
            client.patch_user(found[0].id, {"title": spec["title"]})
            writes += 1
    for spec in directory["groups"]:
        found = client.search_groups(filter='displayName eq "%s"' % spec["display_name"], start_index=1,
                                     count=1).groups
        wanted = {ids[name] for name in spec["members"]["set"]}
        if not found:
            client.create_group({"display_name": spec["display_name"],
                                 "members": [{"value": uid} for uid in sorted(wanted)]})
            writes += 1
            continue
        current = {member.value for member in found[0].members or []}
        if current != wanted:
            members = [{"value": uid} for uid in sorted(wanted - current)]
            members += [{"value": uid, "operation": "delete"} for uid in sorted(current - wanted)]
            client.patch_group(found[0].id, {"members": members})
            writes += 1
    print(json.dumps({"seconds": time.monotonic() - started, "writes": writes,
                      "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


if __name__ == "__main__":
    main()
