#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make boards: the real SoC runs of make check, ours and pristine 6.12.

usage: boards.py PROJECT BUILD

Builds the boards kernel (harness/boards.config) from the overlaid tree and
from the pristine base, boots each board run of runs.BOOT_RUNS (the ones
named "board-*") with the very same QEMU command and kernel arguments (but
disktest.upstream=1 on upstream, which tells /init not to look for the
layer, whose absence fails a run on ours), and writes one table per board,
each workload as /init (harness/disktest.c) reported it on ours and on
upstream, to Documentation/arch/arm/dma-mapping-boards.inc.  Exits
non-zero when a workload upstream passes does not pass on ours.
"""
import os
import re
import sys

import runner
import runs
import tables
import upstream

TABLES = "Documentation/arch/arm/dma-mapping-boards.inc"


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
    trees = {"ours": (os.path.join(build, "linux"), build, ""),
             "upstream": (upstream.prepare(project, build),
                          os.path.join(build, "upstream-boards"),
                          " disktest.upstream=1")}
    short, lines = [], []
    for run in runs.BOOT_RUNS:
        if not run.name.startswith("board-"):
            continue
        seen = {}
        for which, (src, out, extra) in trees.items():
            os.makedirs(out, exist_ok=True)
            tally, note = runner.boot_run(src, out, run, extra)
            print("boards: %s on %s: %d passed, %d failed %s" % (
                run.name, which, tally["passed"], tally["failed"], note))
            seen[which] = workloads(os.path.join(out, run.name + ".log"))
        rows = []
        for w in list(seen["ours"]) + [w for w in seen["upstream"]
                                        if w not in seen["ours"]]:
            ours, theirs = seen["ours"].get(w, "-"), seen["upstream"].get(w, "-")
            rows.append([w, ours, theirs])
            if theirs == "pass" and ours != "pass":
                short.append("%s: %s" % (run.name, w))
        lines += tables.list_table(["%s workload" % run.name, "ours",
                                    "upstream"], rows) + [""]
    tables.write(os.path.join(project, TABLES), "make boards", lines)
    if short:
        print("boards: ours falls short of upstream on: " + "; ".join(short))
        sys.exit(1)


if __name__ == "__main__":
    main()
