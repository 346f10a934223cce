# SPDX-License-Identifier: GPL-2.0
"""Build the kernels of the runs in runs.py, boot them, and read what they
said: a tally of passed, failed and skipped cases, and a note.

check.py, conformance.py, boards.py and bench.py call this; it calls only
runs.py (the data), echo.py, qmp.py and screen.py.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

import echo
import qmp
import runs
import screen

HARNESS = os.path.dirname(os.path.abspath(__file__))
QEMU_CONFIGS = "tools/testing/kunit/qemu_configs"
TIMEOUT = 600
BOOT_TIMEOUT = 300

# What the kernel's checkers print when they find something, or when one
# turns itself off: any of these in a run's console fails the run,
# whichever case was running.
CHECKER_REPORTS = re.compile(
    r"BUG: KASAN|"
    r"WARNING: (inconsistent lock state|possible circular locking|"
    r"possible recursive locking|bad unlock balance|suspicious RCU usage|"
    r"lock held when returning|held lock freed)|"
    r"INFO: possible irq lock inversion|"
    r"BUG: (sleeping function called|scheduling while atomic|spinlock|"
    r"workqueue leaked lock|soft lockup)|"
    r"INFO: task .* blocked for more than|"
    r"ODEBUG: |"
    r"DMA-API: (cacheline tracking ENOMEM|debugging out of memory)")

# A WARN fails a run too, unless the KUnit case running announced it by
# name: a case that makes a call the DMA API forbids says first "expects a
# warning: TEXT" (arm_dma_expect_warning()), and until its result line a
# WARN whose report (its WARNING line and the message after it) holds TEXT
# is expected.  DMA-API debug's reports (dma_debug_all_errors=1 shows them
# all) are counted as well: each case must have exactly as many as it
# announced with "expects a DMA-API error: TEXT", one line each.
WARNING = re.compile(r"WARNING: CPU: \d+ PID: \d+ at (\S+)")
EXPECTS = re.compile(r"# [\w.]+: expects (a warning|a DMA-API error): "
                     r"(.*?)\s*$")
RESULT = re.compile(r"^\s*(not )?ok \d+ (\S+)")
DMA_DEBUG_ON = re.compile(r"DMA-API: (preallocated|debugging enabled)")


def new_tally(failed=0):
    return {"passed": 0, "failed": failed, "skipped": 0}


class Console:
    """A run's console, read: the reports that fail it, and DMA-API debug's
    errors against what the cases announced."""

    def __init__(self, lines):
        self.reports, self.dma_debug = [], False
        self.dma_errors = self.dma_announced = 0
        lines = list(lines)
        warnings, errors, seen = [], [], 0
        for i, line in enumerate(lines):
            expects = EXPECTS.search(line)
            result = RESULT.match(line)
            warning = WARNING.search(line)
            if DMA_DEBUG_ON.search(line):
                self.dma_debug = True
            if expects:
                (warnings if expects.group(1) == "a warning"
                 else errors).append(expects.group(2))
                self.dma_announced += expects.group(1) != "a warning"
            elif result:
                if seen != len(errors):
                    self.reports.append("%s: %d DMA-API errors, %d announced"
                                        % (result.group(2), seen,
                                           len(errors)))
                warnings, errors, seen = [], [], 0
            elif CHECKER_REPORTS.search(line):
                self.reports.append(line.strip())
            elif warning:
                report = line.strip() + " " + (
                    lines[i + 1].strip() if i + 1 < len(lines) else "")
                from_dma_debug = "kernel/dma/debug.c:" in warning.group(1)
                seen += from_dma_debug
                self.dma_errors += from_dma_debug
                if not any(t in report for t in
                           (errors if from_dma_debug else warnings)):
                    self.reports.append(report)

    def note(self):
        """DMA-API debug's count beside the announced one, where it runs."""
        if not self.dma_debug:
            return ""
        return "DMA-API errors %d, announced %d" % (self.dma_errors,
                                                     self.dma_announced)


def count(group, tally):
    for case in group.get("test_cases", []):
        key = {"PASS": "passed", "SKIP": "skipped"}.get(case["status"],
                                                        "failed")
        tally[key] += 1
    for sub in group.get("sub_groups", []):
        count(sub, tally)


def kunit(src, build_dir, qemu_config, args, extra, qemu_extra=()):
    cmd = [sys.executable, "tools/testing/kunit/kunit.py"] + args + [
        "--arch=arm", "--cross_compile=arm-linux-gnueabihf-",
        "--build_dir=" + build_dir,
        "--qemu_config=" + os.path.join(QEMU_CONFIGS, qemu_config)] + extra
    env = dict(os.environ, ARMDMA_KUNIT_BUILD=build_dir)
    if qemu_extra:
        env["ARMDMA_QEMU_EXTRA"] = " ".join(
            [env.get("ARMDMA_QEMU_EXTRA", "")] + list(qemu_extra))
    print("check: " + " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=src, env=env)


# Each KUnit build is made once per invocation, whichever runs boot it.
KUNIT_BUILT = {}


def kunit_build(src, build_dir, build_name, builds=runs.BUILDS):
    key = (src, build_dir)
    if key not in KUNIT_BUILT:
        build = builds[build_name]
        KUNIT_BUILT[key] = kunit(
            src, build_dir, build.qemu_config,
            ["build", "--jobs=%d" % (os.cpu_count() or 2)] +
            ["--kunitconfig=" + c for c in build.kunitconfigs], []) == 0
    return KUNIT_BUILT[key]


def kunit_exec(src, build_dir, build_name, kargs, qemu_extra, flt, out,
               builds=runs.BUILDS):
    """Boot a KUnit build; returns its tally and a note."""
    tally = new_tally()
    if os.path.exists(out):
        os.remove(out)
    extra = ["--timeout=%d" % TIMEOUT, "--json=" + out]
    if build_name in runs.CHECKED_BUILDS:
        kargs = list(kargs) + runs.CHECKED_KARGS
    extra += ["--kernel_args=" + a for a in kargs]
    if flt:
        extra.append(flt)
    rc = kunit(src, build_dir, builds[build_name].qemu_config, ["exec"],
               extra, qemu_extra)
    if os.path.exists(out):
        with open(out) as f:
            count(json.load(f), tally)
    # kunit.py writes each boot's console to test.log: keep it per run.
    log = os.path.splitext(out)[0] + ".log"
    console = Console([])
    if os.path.exists(os.path.join(build_dir, "test.log")):
        shutil.copyfile(os.path.join(build_dir, "test.log"), log)
        with open(log, errors="replace") as f:
            console = Console(f)
    reports = console.reports
    note = console.note()
    if sum(tally.values()) == 0:
        tally["failed"] += 1
        note = "no test result (crash or timeout?)"
    elif reports:
        tally["failed"] += 1
        note = "checker report: %s (see %s)" % (reports[0], log)
    elif rc != 0 and tally["failed"] == 0:
        tally["failed"] += 1
        note = "kunit.py exited %d" % rc
    return tally, note


DTB_MARKER = re.compile(r"^\{dtb:([\w,-]+)\}$")
CUT_MARKER = re.compile(r"^\{cut:([^:]+):(.+)\}$")


def qemu_options(build, name, qemu_extra, machine=runs.VIRT_QEMU):
    """A run's QEMU options, with the DTB they may name made for it: the
    DTB QEMU gives the machine of @machine and the options, edited."""
    marked = [a for a in qemu_extra if DTB_MARKER.match(a)]
    if not marked:
        return qemu_extra
    out = os.path.join(build, name + ".dtb")
    same = [a for a in qemu_extra if a not in ["-dtb"] + marked]
    subprocess.run([os.path.join(HARNESS, "virt-dtb.sh"), out,
                    DTB_MARKER.match(marked[0]).group(1)] +
                   machine + same, check=True)
    return [out if a in marked else a for a in qemu_extra]


def machine_of(qemu):
    """The options of a boot run that its DTB depends on: machine, CPUs and
    memory (PCI devices are found by enumeration, not in the DTB)."""
    out = []
    for i, a in enumerate(qemu[:-1]):
        if a in ("-M", "-machine", "-cpu", "-smp", "-m"):
            out += qemu[i:i + 2]
    return out


def cut_dtb(out, arg):
    """@arg, or for a {cut:DTB:NODE|...} marker, DTB of the build in @out
    with those nodes taken out (fdtput -r), made now."""
    m = CUT_MARKER.match(arg)
    if not m:
        return arg
    made = os.path.join(out, os.path.basename(m.group(1))[:-4] + "-cut.dtb")
    shutil.copyfile(os.path.join(out, "arch/arm/boot/dts", m.group(1)), made)
    for node in m.group(2).split("|"):
        subprocess.run(["fdtput", "-r", made, node], check=True)
    return made


def build_kernel(src, out, fragment):
    """Build zImage and DTBs in out from a config fragment (a path, or a
    name in harness/); True when built."""
    frag = os.path.join(HARNESS, fragment)
    os.makedirs(out, exist_ok=True)
    kmake = ["make", "-C", src, "O=" + out, "ARCH=arm",
             "CROSS_COMPILE=arm-linux-gnueabihf-",
             "-j%d" % (os.cpu_count() or 2)]
    saved = os.path.join(out, ".fragment")
    with open(frag) as f:
        want = f.read()
    if not os.path.exists(saved) or open(saved).read() != want:
        with open(os.path.join(out, ".config"), "w") as f:
            f.write(want)
        with open(saved, "w") as f:
            f.write(want)
    steps = [kmake + ["olddefconfig"],
             [os.path.join(HARNESS, "config-check.sh"), frag,
              os.path.join(out, ".config")],
             kmake + ["zImage", "dtbs"]]
    print("check: building %s from %s" % (out, frag), flush=True)
    for step in steps:
        proc = subprocess.run(step, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        # A compiler warning fails the build as an error would.
        warnings = [l for l in proc.stderr.splitlines() if "warning:" in l]
        if proc.returncode or warnings:
            print(proc.stderr[-4000:])
            return False
    return True


# /init's last line when told disktest.end=host: the board's own way down
# is not what the run tests (see runs.BOARD_VEXPRESS).
STOP_REQUEST = "# disktest: the host stops QEMU"


def run_console(cmd, stem):
    """Run QEMU's @cmd to its end or BOOT_TIMEOUT: (console, timed out).

    It gets a QMP socket; when /init announces a picture on its display, a
    screendump (stem.ppm) is checked against it, the verdict added to the
    console as a KTAP line of its own (screen.py), and /init told to go on
    with a newline on the console's input.  When /init asks the host to
    stop QEMU, it does (qmp.py)."""
    sockdir = tempfile.mkdtemp(prefix="qmp-")
    sock = os.path.join(sockdir, "qmp")
    proc = subprocess.Popen(cmd + ["-qmp", "unix:%s,server=on,wait=off" % sock],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    timer = threading.Timer(BOOT_TIMEOUT, proc.kill)
    timer.start()
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.strip() == STOP_REQUEST:
            try:
                qmp.run(sock, "quit")
            except (OSError, ValueError):
                pass    # QEMU may be gone before it answers
        verdict = screen.check(sock, line, stem + ".ppm")
        if verdict:
            lines.append(verdict + "\n")
            try:
                proc.stdin.write("\n")
                proc.stdin.flush()
            except BrokenPipeError:
                pass
    proc.wait()
    timed_out = not timer.is_alive() and proc.returncode < 0
    timer.cancel()
    shutil.rmtree(sockdir, ignore_errors=True)
    return "".join(lines), timed_out


def boot_kernel(src, build, run):
    """The build folder of a boot run's kernel, built; None if it failed."""
    if run.kernel.startswith("kunit:"):
        name = run.kernel[len("kunit:"):]
        out = os.path.join(build, "kunit-" + name)
        return out if kunit_build(src, out, name) else None
    out = os.path.join(build, os.path.splitext(run.kernel)[0])
    return out if build_kernel(src, out, run.kernel) else None


def tally_console(name, console, qemu, tally):
    """Count a boot run's KTAP lines; True when /init planned its tests."""
    planned = False
    for line in console.splitlines():
        m = re.match(r"^(not )?ok (?:\d+|-) (.*)", line)
        if m:
            print("[%s] %s" % (name, line))
            tally["failed" if m.group(1) else "passed"] += 1
        elif line.startswith("1.."):
            planned = True
        elif "DMA-API:" in line or "Kernel panic" in line:
            print("[%s] %s" % (name, line))
    # /init powers off with the drivers' DMA still mapped: the SMMU's
    # .shutdown must turn translation off on the way down.
    if any("iommu=smmuv3" in a for a in qemu):
        down = re.search(r"smmuv3: disabled for shutdown", console)
        print("[%s] %s the SMMU was disabled on the way down" %
              (name, "ok -" if down else "not ok -"))
        tally["passed" if down else "failed"] += 1
    return planned


def boot_run(src, build, run, append_extra=""):
    """Boot a BootRun with its /init; returns its tally and a note."""
    out = boot_kernel(src, build, run)
    if not out:
        return new_tally(failed=1), "build failed"
    if "{build}/zImage-noncoherent" in run.qemu:
        subprocess.run([os.path.join(HARNESS, "noncoherent-dtb.sh"), out,
                        "vexpress-a9",
                        os.path.join(out, "arch/arm/boot/dts/arm/vexpress-v2p-ca9.dtb")],
                       check=True)
    initrd = os.path.join(out, os.path.splitext(run.init)[0] + ".cpio.gz")
    subprocess.run([os.path.join(HARNESS, "initramfs.sh"),
                    os.path.join(HARNESS, run.init),
                    os.path.join(out, "usr/gen_init_cpio"), initrd],
                   check=True)
    disk = os.path.join(build, run.name + "-disk.img")
    for image in (disk, disk + ".nvme"):
        with open(image, "wb") as f:
            f.truncate(16 << 20)
    cmd = ["qemu-system-arm", "-nodefaults", "-nographic", "-no-reboot",
           "-initrd", initrd,
           "-append", run.append + append_extra + " panic=-1"]
    # A board whose console is not its first UART names its serial ports.
    if "-serial" not in run.qemu:
        cmd += ["-serial", "stdio"]
    if "-kernel" not in run.qemu:
        cmd += ["-kernel", os.path.join(out, "arch/arm/boot/zImage")]
    qemu = [qemu_options(build, run.name, ["-dtb", a],
                         machine_of(run.qemu))[1]
            if DTB_MARKER.match(a) else a for a in run.qemu]
    server = echo.start()
    cmd += [cut_dtb(out, a).format(build=out, disk=disk,
                                   echo=server.getsockname()[1])
            for a in qemu]
    print("check: " + " ".join(cmd), flush=True)
    console, timed_out = run_console(cmd, os.path.join(build, run.name))
    server.close()
    tally = new_tally(failed=1 if timed_out else 0)
    with open(os.path.join(build, run.name + ".log"), "w") as f:
        f.write(console)
    planned = tally_console(run.name, console, run.qemu, tally)
    note = ""
    reports = Console(console.splitlines()).reports
    if not planned:
        tally["failed"] += 1
        note = "did not finish; see %s.log" % run.name
    elif reports:
        tally["failed"] += 1
        note = "checker report: %s (see %s.log)" % (reports[0].strip(),
                                                    run.name)
    return tally, note
