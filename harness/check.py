#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make check: every run of runs.CHECK_RUNS, and one line of results.

usage: check.py SRC BUILD [--only RUN] [--filter GLOB]

SRC is the overlaid kernel tree, BUILD the folder that holds the builds.
The KUnit runs boot a KUnit build each (their suites come from every
.kunitconfig the project owns), then the patch series is checked
(patches.py), then the boot runs boot real drivers as clients, and last
the tree's layering is checked (layering.py) over the objects the runs
built.  The last line printed is "N passed, N failed, N skipped" over all
runs; the exit status is non-zero when any case failed or crashed, a run
timed out, or a run reported nothing.
"""
import argparse
import os
import sys

import conformance
import layering
import patches
import runner
import runs


def kunitconfigs(project):
    found = []
    for top in ("arch", "drivers", "kernel", "lib", "mm"):
        for dirpath, _, filenames in os.walk(os.path.join(project, top)):
            rel = os.path.relpath(dirpath, project)
            for name in filenames:
                if name == ".kunitconfig":
                    found.append(rel)
                elif name.endswith(".kunitconfig"):
                    found.append(os.path.join(rel, name))
    return sorted(found)


def unbuilt_suites(project):
    """The .kunitconfig files no build runs the suites of."""
    built = {c for b in runs.BUILDS.values() for c in b.kunitconfigs}
    return sorted(set(kunitconfigs(project)) - built)


def kunit_run(src, build, run, flt):
    """One KUnit run; a case upstream passed that ours did not fails it."""
    build_dir = os.path.join(build, "kunit-" + run.build)
    if not runner.kunit_build(src, build_dir, run.build):
        return runner.new_tally(failed=1), "build failed"
    out = os.path.join(build, "kunit-%s.json" % run.name)
    tally, note = runner.kunit_exec(
        src, build_dir, run.build, run.kargs,
        runner.qemu_options(build, run.name, run.qemu), flt, out)
    short = os.path.exists(out) and conformance.short_of_upstream(run.name,
                                                                   out)
    if short:
        tally["failed"] += 1
        note = (note + " " if note else "") + (
            "short of upstream: %s" % ", ".join(short))
    return tally, note


def patches_run(project, src, build):
    """The series applied to a fresh base, and one suite run from it."""
    def suite(tree, build_dir, name):
        if not runner.kunit_build(tree, build_dir, "virt"):
            return runner.new_tally(failed=1), "build failed"
        return runner.kunit_exec(tree, build_dir, "virt", ["mem=960M"], [],
                                 name,
                                 os.path.join(build, "kunit-patches.json"))
    return patches.verify(project, build, src, suite)


def layering_run(project, src, build):
    """No circle in the tree, over the objects of every KUnit build."""
    dirs = []
    for name in runs.BUILDS:
        build_dir = os.path.join(build, "kunit-" + name)
        if not runner.kunit_build(src, build_dir, name):
            return runner.new_tally(failed=1), "build failed"
        dirs.append(build_dir)
    dirs += [os.path.join(build, os.path.splitext(r.kernel)[0])
             for r in runs.BOOT_RUNS if not r.kernel.startswith("kunit:")]
    return layering.check(project, [d for d in dirs if os.path.isdir(d)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("build")
    ap.add_argument("--only", choices=runs.CHECK_RUNS, metavar="RUN")
    ap.add_argument("--filter")
    args = ap.parse_args()
    src, build = os.path.abspath(args.src), os.path.abspath(args.build)
    project = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    unused = unbuilt_suites(project)
    if unused:
        sys.exit("check: no build runs the suites of %s" % ", ".join(unused))

    kunit_runs = {r.name: r for r in runs.KUNIT_RUNS}
    boot_runs = {r.name: r for r in runs.BOOT_RUNS}
    report = []
    for name in runs.CHECK_RUNS:
        if args.only not in (None, name):
            continue
        if name in kunit_runs:
            result = kunit_run(src, build, kunit_runs[name], args.filter)
        elif name in boot_runs:
            result = runner.boot_run(src, build, boot_runs[name])
        elif name == "patches":
            result = patches_run(project, src, build)
        else:
            result = layering_run(project, src, build)
        report.append((name,) + tuple(result))

    total = runner.new_tally()
    print()
    for name, tally, note in report:
        print("check: %-12s %3d passed, %3d failed, %3d skipped  %s" %
              (name, tally["passed"], tally["failed"], tally["skipped"], note))
        for k in total:
            total[k] += tally[k]
    print("%d passed, %d failed, %d skipped" %
          (total["passed"], total["failed"], total["skipped"]))
    sys.exit(1 if total["failed"] else 0)


if __name__ == "__main__":
    main()
