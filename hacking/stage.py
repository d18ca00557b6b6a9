# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Mirror the collection into <collections dir>/ansible_collections/scim/slack/.

    python hacking/stage.py <collections dir>

ansible-test only works from a path ending in ansible_collections/<namespace>/<name>/, and
only outside any git checkout that ignores it (it would see no files), so the Makefile
mirrors the clone to a folder under ~/.cache: the files git tracks plus the untracked ones
it does not ignore, exactly as in the working tree.  Files that vanished are removed;
tests/output (the test caches) is kept.
"""

import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEEP = ("tests/output/",)


def source_files():
    out = subprocess.check_output(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT)
    return sorted(p for p in out.decode("utf-8").split("\0") if p and os.path.isfile(os.path.join(ROOT, p)))


def main():
    dest = os.path.join(os.path.abspath(sys.argv[1]), "ansible_collections", "scim", "slack")
    wanted = set(source_files())
    copied = 0
    for rel in wanted:
        src, dst = os.path.join(ROOT, rel), os.path.join(dest, rel)
        st = os.stat(src)
        try:
            dt = os.stat(dst)
            if dt.st_size == st.st_size and int(dt.st_mtime) == int(st.st_mtime) and dt.st_mode == st.st_mode:
                continue
        except FileNotFoundError:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
        copied += 1
    removed = 0
    for dirpath, dirnames, filenames in os.walk(dest, topdown=False):
        for name in filenames:
            rel = os.path.relpath(os.path.join(dirpath, name), dest)
            if rel not in wanted and not rel.startswith(KEEP):
                os.remove(os.path.join(dirpath, name))
                removed += 1
        if dirpath != dest and not os.listdir(dirpath):
            os.rmdir(dirpath)
    print("staged %d files in %s (%d copied, %d removed)" % (len(wanted), dest, copied, removed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
