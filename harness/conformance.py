#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The DMA API conformance suites (kernel/dma/conformance/), ours against
the pristine base.

usage: conformance.py PROJECT BUILD upstream   (make conformance-upstream)
       conformance.py PROJECT BUILD table      (make conformance-table)

"upstream" builds the suites into KUnit kernels of the pristine tree
(harness/upstream.py), boots them with the very kernel arguments and QEMU
options of the make check runs marked as reference runs in runs.py, and
writes each case's result per run to harness/conformance-reference.json:
the reference that make check holds the project to.  Regenerate it when
the base moves.

"table" writes the documentation's table of each case on each reference
run, ours (from the last make check) and upstream (the reference), to
Documentation/arch/arm/dma-mapping-conformance.inc.

check.py calls short_of_upstream() after each run: a case that passed on
upstream and did not pass on ours fails the run.
"""
import json
import os
import sys

import runner
import runs
import tables
import upstream as pristine

HARNESS = os.path.dirname(os.path.abspath(__file__))
SUITES = "dma_api_conformance"
REFERENCE = os.path.join(HARNESS, "conformance-reference.json")
TABLE = "Documentation/arch/arm/dma-mapping-conformance.inc"

SETUPS = [r.name for r in runs.KUNIT_RUNS if r.reference]

# The pristine KUnit builds: the suites, what the machine needs, and the
# checkers ours runs with on virt.
UPSTREAM_BUILDS = {
    "virt": runs.Build("armdma_virt.py", [
        "kernel/dma/conformance", "kernel/dma/conformance/pools.kunitconfig",
        os.path.join(HARNESS, "conformance-upstream-virt.kunitconfig")]),
    "vexpress": runs.Build("armdma_vexpress.py", [
        "kernel/dma/conformance",
        os.path.join(HARNESS, "conformance-upstream.kunitconfig")]),
}


def results(path):
    """{case: status} of the conformance suites in a kunit.py JSON file."""
    found = {}

    def walk(group):
        if group.get("name", "").startswith(SUITES):
            for case in group.get("test_cases", []):
                found[case["name"]] = case["status"]
        for sub in group.get("sub_groups", []):
            walk(sub)
    with open(path) as f:
        walk(json.load(f))
    return found


def reference():
    if not os.path.exists(REFERENCE):
        return {}
    with open(REFERENCE) as f:
        return json.load(f)


def short_of_upstream(run, path):
    """Cases upstream passed on @run that ours, in @path, did not."""
    theirs = reference().get(run)
    if not theirs:
        return []
    ours = results(path)
    if not ours:
        # The suites were filtered out of this run.
        return []
    return ["%s (%s)" % (case, ours.get(case, "missing"))
            for case, status in sorted(theirs.items())
            if status == "PASS" and ours.get(case) != "PASS"]


def make_reference(project, build):
    src = pristine.prepare(project, build)
    ref = {}
    for name in SETUPS:
        run = runs.kunit_run(name)
        build_dir = os.path.join(build, "kunit-upstream-" + run.build)
        if not runner.kunit_build(src, build_dir, run.build, UPSTREAM_BUILDS):
            sys.exit("conformance: the pristine %s kernel did not build" %
                     run.build)
        out = os.path.join(build, "conformance-upstream-%s.json" % name)
        runner.kunit_exec(src, build_dir, run.build, run.kargs,
                          runner.qemu_options(build, name, run.qemu),
                          SUITES + "*", out, UPSTREAM_BUILDS)
        ref[name] = results(out) if os.path.exists(out) else {}
        if not ref[name]:
            sys.exit("conformance: no result from the pristine %s run" % name)
    with open(REFERENCE, "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")
    print("conformance: wrote %s" % os.path.relpath(REFERENCE, project))


MARK = {"PASS": "pass", "FAIL": "FAIL", "SKIPPED": "skip", "SKIP": "skip"}


def table(project, build):
    """A row per case, a column per run, "ours / upstream" where they
    differ; written into the documentation."""
    ref = reference()
    ours = {}
    for name in SETUPS:
        path = os.path.join(build, "kunit-%s.json" % name)
        ours[name] = results(path) if os.path.exists(path) else {}
    missing = [name for name in SETUPS if not ours[name]]
    if missing:
        sys.exit("conformance: no result of ours from %s: run make check"
                 " first" % ", ".join(missing))
    cases = []
    for per_run in list(ref.values()) + list(ours.values()):
        cases += [c for c in per_run if c not in cases]
    rows = []
    for case in sorted(cases):
        cells = []
        for name in SETUPS:
            a = MARK.get(ours[name].get(case), "-")
            b = MARK.get(ref.get(name, {}).get(case), "-")
            cells.append(a if a == b else "**%s** / %s" % (a, b))
        rows.append(["``%s``" % case] + cells)
    tables.write(os.path.join(project, TABLE), "make conformance-table",
                 tables.list_table(["case"] + SETUPS, rows))


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in ("upstream", "table"):
        sys.exit(__doc__)
    project, build = (os.path.abspath(a) for a in sys.argv[1:3])
    if sys.argv[3] == "upstream":
        make_reference(project, build)
    else:
        table(project, build)


if __name__ == "__main__":
    main()
