#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run every KUnit suite of the project under QEMU, on every machine.

usage: check.py SRC BUILD [--only RUN] [--filter GLOB]

SRC is the overlaid kernel tree, BUILD the folder that holds one kunit build
folder per machine.  Each run boots one kernel with its kernel arguments; the
suites come from every .kunitconfig the project owns.  The last line printed
is "N passed, N failed, N skipped" over all runs; the exit status is non-zero
when any case failed or crashed, a run timed out, or a run reported nothing.
"""
import json
import os
import subprocess
import sys

QEMU_CONFIGS = "tools/testing/kunit/qemu_configs"

# One build per machine: name -> qemu config.
BUILDS = {
    "virt": "armdma_virt.py",
    "vexpress": "armdma_vexpress.py",
}

# Each run boots one build: (run name, build, extra kernel arguments).
# mem=960M of the 1 GiB QEMU gives hides 64 MiB from the kernel, for the
# per-device pool cases; the -cma runs give the kernel a default CMA area.
RUNS = [
    ("virt", "virt", ["mem=960M"]),
    ("virt-cma", "virt", ["mem=960M", "cma=32M"]),
    ("vexpress", "vexpress", ["mem=960M"]),
    ("vexpress-cma", "vexpress", ["mem=960M", "cma=32M"]),
]

TIMEOUT = 600


def kunitconfigs(project):
    found = []
    for top in ("arch", "drivers", "kernel", "lib", "mm"):
        for dirpath, _, filenames in os.walk(os.path.join(project, top)):
            if ".kunitconfig" in filenames:
                found.append(os.path.relpath(dirpath, project))
    return sorted(found)


def count(group, tally):
    for case in group.get("test_cases", []):
        status = case["status"]
        key = {"PASS": "passed", "SKIP": "skipped"}.get(status, "failed")
        tally[key] += 1
    for sub in group.get("sub_groups", []):
        count(sub, tally)


def kunit(src, build_dir, qemu_config, args, extra):
    cmd = [sys.executable, "tools/testing/kunit/kunit.py"] + args + [
        "--arch=arm", "--cross_compile=arm-linux-gnueabihf-",
        "--build_dir=" + build_dir,
        "--qemu_config=" + os.path.join(QEMU_CONFIGS, qemu_config)] + extra
    env = dict(os.environ, ARMDMA_KUNIT_BUILD=build_dir)
    print("check: " + " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=src, env=env)


def main():
    args = [a for a in sys.argv[1:]]
    only = flt = None
    if "--only" in args:
        i = args.index("--only")
        only = args[i + 1]
        del args[i:i + 2]
    if "--filter" in args:
        i = args.index("--filter")
        flt = args[i + 1]
        del args[i:i + 2]
    src, build = (os.path.abspath(a) for a in args)
    project = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    configs = kunitconfigs(project)
    if not configs:
        sys.exit("check: the project has no .kunitconfig")

    runs = [r for r in RUNS if only is None or r[0] == only]
    if not runs:
        sys.exit("check: no run named %s (runs: %s)" %
                 (only, ", ".join(r[0] for r in RUNS)))
    jobs = str(os.cpu_count() or 2)
    built = {}
    total = {"passed": 0, "failed": 0, "skipped": 0}
    report = []
    for name, build_name, kargs in runs:
        build_dir = os.path.join(build, "kunit-" + build_name)
        qemu_config = BUILDS[build_name]
        if build_name not in built:
            rc = kunit(src, build_dir, qemu_config,
                       ["build", "--jobs=" + jobs] +
                       ["--kunitconfig=" + c for c in configs], [])
            built[build_name] = rc == 0
        tally = {"passed": 0, "failed": 0, "skipped": 0}
        if not built[build_name]:
            tally["failed"] += 1
            report.append((name, tally, "build failed"))
            continue
        out = os.path.join(build, "kunit-%s.json" % name)
        if os.path.exists(out):
            os.remove(out)
        extra = ["--timeout=%d" % TIMEOUT, "--json=" + out]
        extra += ["--kernel_args=" + a for a in kargs]
        if flt:
            extra.append(flt)
        rc = kunit(src, build_dir, qemu_config, ["exec"], extra)
        note = ""
        if os.path.exists(out):
            with open(out) as f:
                count(json.load(f), tally)
        if sum(tally.values()) == 0:
            tally["failed"] += 1
            note = "no test result (crash or timeout?)"
        elif rc != 0 and tally["failed"] == 0:
            tally["failed"] += 1
            note = "kunit.py exited %d" % rc
        report.append((name, tally, note))

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
