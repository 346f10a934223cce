#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make boards: the real SoC runs of make check, ours and pristine 6.12.

usage: boards.py PROJECT BUILD

Builds the boards kernel (harness/boards.config) from the overlaid tree and
from the pristine base, boots each board run of check.BOOT_RUNS (the ones
named "board-*") with the very same QEMU command and kernel arguments (but
disktest.upstream=1 on upstream, which tells /init not to look for the
layer, whose absence fails a run on ours), and prints one line per workload: what /init (harness/disktest.c) reported on
ours and on upstream.  Exits non-zero when a workload upstream passes does
not pass on ours.
"""
import os
import re
import sys

HARNESS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HARNESS)
import check      # noqa: E402
import upstream   # noqa: E402


def workloads(log):
    """{workload: "pass" | "FAIL" | "skip"} from a run's console log."""
    found = {}
    if not os.path.exists(log):
        return found
    for line in open(log, errors="replace"):
        m = re.match(r"^(not )?ok (?:\d+|-) (.*?)( # .*)?$", line.rstrip())
        if m:
            skip = m.group(3) and m.group(3).startswith(" # SKIP")
            found[m.group(2)] = "skip" if skip else \
                ("FAIL" if m.group(1) else "pass")
    return found


def main():
    project, build = (os.path.abspath(a) for a in sys.argv[1:3])
    trees = {"ours": os.path.join(build, "linux"),
             "upstream": upstream.prepare(project, build)}
    short = []
    for name, kernel, qemu, append, *init in check.BOOT_RUNS:
        if not name.startswith("board-"):
            continue
        seen = {}
        for which, src in trees.items():
            out = build if which == "ours" else os.path.join(build, "upstream-boards")
            os.makedirs(out, exist_ok=True)
            args = append + (" disktest.upstream=1" if which == "upstream"
                             else "")
            tally, note = check.boot_run(src, out, name, kernel, qemu, args,
                                         *init)
            print("boards: %s on %s: %d passed, %d failed %s" % (
                name, which, tally["passed"], tally["failed"], note))
            seen[which] = workloads(os.path.join(out, name + ".log"))
        print("\n| %s workload | ours | upstream |\n|---|---|---|" % name)
        for w in list(seen["ours"]) + [w for w in seen["upstream"]
                                        if w not in seen["ours"]]:
            ours, theirs = seen["ours"].get(w, "-"), seen["upstream"].get(w, "-")
            print("| %s | %s | %s |" % (w, ours, theirs))
            if theirs == "pass" and ours != "pass":
                short.append("%s: %s" % (name, w))
        print()
    if short:
        print("boards: ours falls short of upstream on: " + "; ".join(short))
        sys.exit(1)


if __name__ == "__main__":
    main()
