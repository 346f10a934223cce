#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The DMA API conformance suites (kernel/dma/conformance/), ours against
the pristine base.

usage: conformance.py PROJECT BUILD upstream   (make conformance-upstream)
       conformance.py PROJECT BUILD table      (make conformance-table)

"upstream" builds the suites into KUnit kernels of the pristine tree
(harness/upstream.py), boots them with the very kernel arguments and QEMU
options of the make check runs named in SETUPS, and writes each case's
result per setup to harness/conformance-reference.json: the reference that
make check holds the project to.  Regenerate it when the base moves.

"table" prints the README's table: each case on each setup, ours (from the
last make check) and upstream (the reference).

check.py calls short_of_upstream() after each run: a case that passed on
upstream and did not pass on ours fails the run.
"""
import json
import os
import sys

HARNESS = os.path.dirname(os.path.abspath(__file__))
SUITES = "dma_api_conformance"
REFERENCE = os.path.join(HARNESS, "conformance-reference.json")

# The make check runs (check.RUNS) the suite is compared on.
SETUPS = ["virt", "virt-cma", "virt-2g", "virt-swiotlb", "virt-smmu",
          "virt-smmu-lazy", "virt-noncoherent-pci", "vexpress",
          "vexpress-cma"]

# The pristine KUnit builds: the suite, what the machine needs, and the
# checkers ours runs with on virt.
UPSTREAM_BUILDS = {
    "virt": ("armdma_virt.py",
             ["kernel/dma/conformance",
              "kernel/dma/conformance/pools.kunitconfig",
              os.path.join(HARNESS, "conformance-upstream-virt.kunitconfig")]),
    "vexpress": ("armdma_vexpress.py",
                 ["kernel/dma/conformance",
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


def upstream(project, build):
    import check
    import upstream as pristine

    src = pristine.prepare(project, build)
    runs = {r[0]: r for r in check.RUNS}
    ref = {}
    for name in SETUPS:
        _, build_name, kargs, qemu_extra = runs[name]
        build_dir = os.path.join(build, "kunit-upstream-" + build_name)
        if not check.kunit_build(src, build_dir, build_name, UPSTREAM_BUILDS):
            sys.exit("conformance: the pristine %s kernel did not build" %
                     build_name)
        out = os.path.join(build, "conformance-upstream-%s.json" % name)
        check.kunit_exec(src, build_dir, build_name, kargs,
                         check.qemu_options(build, name, qemu_extra),
                         SUITES + "*",
                         out, UPSTREAM_BUILDS)
        ref[name] = results(out) if os.path.exists(out) else {}
        if not ref[name]:
            sys.exit("conformance: no result from the pristine %s run" % name)
    with open(REFERENCE, "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")
    print("conformance: wrote %s" % os.path.relpath(REFERENCE, project))


MARK = {"PASS": "pass", "FAIL": "FAIL", "SKIPPED": "skip", "SKIP": "skip"}


def table(build):
    """Markdown: a row per case, a column per setup, "ours / upstream"."""
    ref = reference()
    ours = {}
    for name in SETUPS:
        path = os.path.join(build, "kunit-%s.json" % name)
        ours[name] = results(path) if os.path.exists(path) else {}
    cases = []
    for per_run in list(ref.values()) + list(ours.values()):
        cases += [c for c in per_run if c not in cases]
    print("| case | " + " | ".join(SETUPS) + " |")
    print("|---" * (len(SETUPS) + 1) + "|")
    for case in cases:
        cells = []
        for name in SETUPS:
            a = MARK.get(ours[name].get(case), "-")
            b = MARK.get(ref.get(name, {}).get(case), "-")
            cells.append(a if a == b else "**%s** / %s" % (a, b))
        print("| `%s` | %s |" % (case, " | ".join(cells)))


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in ("upstream", "table"):
        sys.exit(__doc__)
    project, build = (os.path.abspath(a) for a in sys.argv[1:3])
    if sys.argv[3] == "upstream":
        upstream(project, build)
    else:
        table(build)


if __name__ == "__main__":
    main()
