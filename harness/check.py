#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run every KUnit suite of the project under QEMU, on every machine.

usage: check.py SRC BUILD [--only RUN] [--filter GLOB]

SRC is the overlaid kernel tree, BUILD the folder that holds one kunit build
folder per machine.  Each run boots one kernel with its kernel arguments; the
suites come from every .kunitconfig the project owns.  The last line printed
is "N passed, N failed, N skipped" over all runs; the exit status is non-zero
when any case failed or crashed, a run timed out, or a run reported nothing.

The "patches" run applies the make patches series to a fresh base and runs
one suite from the result (harness/patches.py); the driver runs boot real
drivers as clients (BOOT_RUNS).
"""
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import threading

import conformance
import echo
import patches
import qmp
import screen

QEMU_CONFIGS = "tools/testing/kunit/qemu_configs"

# One build per machine: name -> (qemu config, folders of the .kunitconfig
# files whose suites it runs).  Every .kunitconfig of the project must be in
# at least one build.
BUILDS = {
    # virt runs with the kernel's checkers on: KASAN, lockdep, sleeping in
    # atomic context, DMA-API debug (arch/arm/mm/checkers.kunitconfig).
    "virt": ("armdma_virt.py",
             ["arch/arm/mm", "arch/arm/mm/iommu.kunitconfig",
              "arch/arm/mm/checkers.kunitconfig",
              "drivers/iommu/arm/smmu-v3-arm32",
              "kernel/dma/conformance",
              # The restricted pool the device tree of the virt runs
              # describes (harness/virt-dtb.sh dma-pools): needs LPAE's
              # swiotlb, which vexpress does not build.
              "kernel/dma/conformance/pools.kunitconfig"]),
    # vexpress is built as multi_v7_defconfig builds it, with more than
    # one cache model (the Broadcom STB's), so that DMA cache maintenance
    # goes through the cpu_cache table; and writable, for its recorders.
    "vexpress": ("armdma_vexpress.py", ["arch/arm/mm",
                                        "arch/arm/mm/multicache.kunitconfig",
                                        "kernel/dma/conformance"]),
    # As the drivers of ARM_DMA_USE_IOMMU build it: the arm_iommu_* API.
    "virt-legacy": ("armdma_virt.py", ["arch/arm/mm/iommu-legacy.kunitconfig",
                                       "arch/arm/mm/checkers.kunitconfig"]),
}


def dtb(*edits):
    """For a run's QEMU options: "-dtb" and a DTB of the virt machine they
    describe, changed by harness/virt-dtb.sh's EDITS, made when it runs."""
    return ["-dtb", "{dtb:%s}" % ",".join(edits)]


DTB_MARKER = re.compile(r"^\{dtb:([\w,-]+)\}$")
# VIRT_QEMU is what kunit.py and armdma_virt.py give every virt run.
VIRT_QEMU = ["-machine", "virt", "-cpu", "cortex-a15", "-smp", "2",
             "-m", "1024"]

# Each run boots one build: (run name, build, kernel arguments, QEMU
# options).  mem=960M of the 1 GiB kunit.py gives QEMU hides 64 MiB from
# the kernel, for the per-device pool cases; the -cma runs give the kernel
# a default CMA area; virt-2g has RAM beyond a 31-bit mask, for bouncing.
EDU = ["-device", "edu,dma_mask=0xffffffff"]
RUNS = [
    # Reserved-memory pools and devices that use them: harness/virt-dtb.sh.
    ("virt", "virt", ["mem=960M"], EDU + dtb("dma-pools")),
    ("virt-cma", "virt", ["mem=960M", "cma=32M"], EDU + dtb("dma-pools")),
    # The conformance suite gives edu a 31-bit mask here: pages beyond it
    # must bounce.
    ("virt-2g", "virt", ["api_conformance_test.edu_mask_bits=31"],
     ["-m", "2048"] + EDU),
    # edu, a coherent PCI device, bouncing too.
    ("virt-swiotlb", "virt", ["swiotlb=force"],
     ["-device", "edu,dma_mask=0xffffffff"]),
    ("virt-smmu", "virt", ["mem=960M"],
     ["-machine", "iommu=smmuv3", "-device", "edu,dma_mask=0xffffffff"]),
    ("virt-smmu-lazy", "virt", ["mem=960M", "iommu.strict=0"],
     ["-machine", "iommu=smmuv3", "-device", "edu,dma_mask=0xffffffff"]),
    # GICv3 with an ITS: MSIs go to GITS_TRANSLATER, 64 KiB past the
    # ITS's control frame.
    ("virt-smmu-its", "virt", ["mem=960M"],
     ["-machine", "iommu=smmuv3,gic-version=3,its=on",
      "-device", "edu,dma_mask=0xffffffff"]),
    # A command queue of 4 entries: every invalidation batch fills it.
    ("virt-smmu-tinyq", "virt", ["mem=960M", "smmu_v3_arm32.cmdq_log2n=2"],
     ["-machine", "iommu=smmuv3", "-device", "edu,dma_mask=0xffffffff"]),
    # edu with a second function: both in one IOMMU group.
    ("virt-smmu-legacy", "virt-legacy", ["mem=960M"],
     ["-machine", "iommu=smmuv3",
      "-device", "edu,dma_mask=0xffffffff,addr=7.0,multifunction=on",
      "-device", "edu,dma_mask=0xffffffff,addr=7.1"]),
    # The PCIe host described as not snooping (its DTB without
    # dma-coherent): edu is a non-coherent PCI device of arm_dma_ops.
    ("virt-noncoherent-pci", "virt", ["mem=960M"],
     EDU + dtb("noncoherent-pci")),
    ("vexpress", "vexpress", ["mem=960M"], []),
    ("vexpress-cma", "vexpress", ["mem=960M", "cma=32M"], []),
]

TIMEOUT = 600

# What the kernel's checkers print when they find something: any of these
# in a run's console fails the run, whichever case was running.
CHECKER_REPORTS = re.compile(
    r"BUG: KASAN|"
    r"WARNING: (inconsistent lock state|possible circular locking|"
    r"possible recursive locking|bad unlock balance|suspicious RCU usage|"
    r"lock held when returning|held lock freed)|"
    r"INFO: possible irq lock inversion|"
    r"BUG: (sleeping function called|scheduling while atomic|spinlock|"
    r"workqueue leaked lock|soft lockup)|"
    r"INFO: task .* blocked for more than|"
    r"ODEBUG: ")

# A WARN fails a run too, unless the KUnit case running announced it: a
# case that makes a call the DMA API forbids says "expects a warning"
# first (arm_dma_expect_warning()), and the layer or DMA-API debug may WARN
# about that call until the case's result line.
WARNING = re.compile(r"WARNING: CPU: \d+ PID: \d+ at ")
EXPECTS_WARNING = re.compile(r"# [\w.]+: expects a warning")
RESULT = re.compile(r"^\s*(not )?ok \d+ ")


def reports_in(lines):
    """Checker reports and unannounced WARNs in a console, in order."""
    reports, expected = [], False
    for line in lines:
        if EXPECTS_WARNING.search(line):
            expected = True
        elif RESULT.match(line):
            expected = False
        elif CHECKER_REPORTS.search(line) or \
                (WARNING.search(line) and not expected):
            reports.append(line.strip())
    return reports

# Real drivers as clients: each boots a kernel built from a config fragment
# of harness/ with /init from harness/disktest.c, which writes, reads back
# and compares every disk it is told of and prints KTAP.  {build} is the
# run's build folder, {disk} a scratch disk image of 16 MiB.
#
# drivers-vexpress boots with its device tree appended to the kernel and
# dma-coherent taken off the virtio transports (harness/noncoherent-dtb.sh),
# so the virtio disk is a non-coherent device, as a real one on that board.
# The drivers-virt runs put a virtio-blk PCI disk, an NVMe disk and an e1000
# NIC (pinging QEMU's user-network gateway) behind
# the SMMUv3 driver: passed through (iommu.passthrough=1: the IOMMU core's
# identity domain, direct ops), or translated by arm_iommu_dma_ops with
# strict or lazy (iommu.strict=0) invalidation.
VIRT_SMMU_DISKS = [
    "-M", "virt,iommu=smmuv3", "-cpu", "cortex-a15", "-smp", "2", "-m", "1024",
    "-drive", "if=none,id=d0,format=raw,file={disk}",
    "-device", "virtio-blk-pci,drive=d0,iommu_platform=on,disable-legacy=on",
    "-drive", "if=none,id=d1,format=raw,file={disk}.nvme",
    "-device", "nvme,serial=armdma,drive=d1",
    "-netdev", "user,id=n0", "-device", "e1000,netdev=n0,romfile="]
# eth0 (the e1000) gets QEMU's user network; its gateway answers pings.
VIRT_NET = " ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off disktest.ping=10.0.2.2"

# IOMMU groups of several devices: two e1000 behind a PCIe-to-PCI bridge
# (QEMU gives their DMA the bridge's requester ID, so one stream ID) and
# the two functions of a multifunction e1000 (no ACS: one group).  Each
# NIC has a user network of its own; after all four ping, the first one
# behind the bridge is unbound (the other keeps pinging) and bound again.
# The machine has a GICv3 ITS: virtio-blk's MSI-X writes go through the
# SMMU to GITS_TRANSLATER.
def group_nets():
    qemu, nets = [], []
    where = ["bus=pcie.0,addr=6.0,multifunction=on", "bus=pcie.0,addr=6.1",
             "bus=br,addr=1", "bus=br,addr=2"]
    for i, bus in enumerate(where):
        qemu += ["-netdev", "user,id=g%d,net=10.0.%d.0/24" % (i, i + 3),
                 "-device", "e1000,netdev=g%d,romfile=,%s" % (i, bus)]
        nets.append("eth%d/10.0.%d.15/10.0.%d.2" % (i, i + 3, i + 3))
    return qemu, ",".join(nets)


GROUP_QEMU, GROUP_NETS = group_nets()
VIRT_SMMU_GROUPS = [
    "-M", "virt,iommu=smmuv3,gic-version=3,its=on", "-cpu", "cortex-a15", "-smp", "2", "-m", "1024",
    "-drive", "if=none,id=d0,format=raw,file={disk}",
    "-device", "virtio-blk-pci,drive=d0,iommu_platform=on,disable-legacy=on",
    "-device", "pcie-pci-bridge,id=br,bus=pcie.0,addr=5"] + GROUP_QEMU

# Faults: the virt KUnit kernel (with its checkers) boots with /init from
# harness/faulttest.c, which reruns arm_dma_stress through debugfs with
# failslab, fail_page_alloc and fail_arm_iova failing 5% of the load's
# allocations (task-filter: only the load's threads), then without; the
# SMMU and edu give it the IOMMU cases.  At boot only that suite runs.
FAULTS_VIRT = [
    "-M", "virt,iommu=smmuv3", "-cpu", "cortex-a15", "-smp", "2", "-m", "1024",
    "-device", "edu,dma_mask=0xffffffff"]

# The TCP workload's far end: harness/echo.py's server on the host's
# loopback, which {echo} names the port of.
ECHO = "tcp:127.0.0.1:{echo}"


# Real SoCs QEMU models, booted with their own device trees from the
# kernel tree, their drivers as clients: on Zynq-7000 (Cortex-A9, PL310)
# the Arasan SDHCI (ADMA2) with an SD card, the Cadence GEM (macb) on
# QEMU's user network (and 4 MiB over TCP to ECHO, through a guestfwd),
# and dmatest on the PL330's channels.  The console is the second UART;
# QEMU cannot power the board off, so /init resets it.
def board(machine, dtb, *devices, cut=()):
    """A board's QEMU options: its DTB from the kernel tree (without the
    nodes @cut names, see cut_dtb()), console on the second UART, and
    @devices."""
    tree = ("{cut:%s:%s}" % (dtb, "|".join(cut)) if cut else
            "{build}/arch/arm/boot/dts/" + dtb)
    return ["-M", machine, "-m", "1024", "-serial", "null",
            "-serial", "mon:stdio", "-dtb", tree] + list(devices)


CUT_MARKER = re.compile(r"^\{cut:([^:]+):(.+)\}$")


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


BOARD_ZYNQ = board("xilinx-zynq-a9", "xilinx/zynq-zc702.dtb",
                   "-drive", "if=sd,format=raw,file={disk}",
                   "-nic", "user,guestfwd=tcp:10.0.2.100:7777-" + ECHO)

# i.MX6Q sabrelite (Cortex-A9, PL310): the uSDHC with an SD card (the board
# has a drive named sd0 already) and the FEC on QEMU's user network, with
# the same TCP echo as Zynq.  QEMU does not model the i.MX SDMA engine:
# no dmatest.
BOARD_SABRELITE = board("sabrelite", "nxp/imx/imx6q-sabrelite.dtb",
                        "-drive", "if=none,id=card,format=raw,file={disk}",
                        "-device", "sd-card,drive=card,bus=sd-bus",
                        "-nic", "user,guestfwd=tcp:10.0.2.100:7777-" + ECHO)

# Versatile Express with its CA9 core tile: the PL111 on the tile scans out
# a framebuffer its driver allocates with dma_alloc_wc(), through the
# SiI9022 DVI transmitter on the motherboard's I2C; the MMCI and the
# LAN9118 Ethernet (which have no DMA channel there: PIO).
# The kernel's DTB gives the transmitter a second input port, the
# motherboard's CLCD, which its driver takes for the next bridge of the
# chain and waits for forever: pristine 6.12 never gets a framebuffer
# with it.  Cut that port out (the same DTB for ours and upstream).
# vexpress-a9's power-off (and restart) handler takes a regmap mutex in
# the atomic notifier chain, which lockdep reports on the pristine base
# too: the vexpress runs end with the host stopping QEMU instead.
DVI_MB_PORT = ("/bus@40000000/motherboard-bus@40000000/iofpga@7,00000000/"
               "i2c@16000/dvi-transmitter@39/ports/port@1")
BOARD_VEXPRESS = board("vexpress-a9", "arm/vexpress-v2p-ca9.dtb",
                       "-drive", "if=sd,format=raw,file={disk}",
                       "-nic", "user,guestfwd=tcp:10.0.2.100:7777-" + ECHO,
                       cut=[DVI_MB_PORT])

BOOT_RUNS = [
    ("drivers-vexpress", "boards.config",
     ["-M", "vexpress-a9", "-m", "1024",
      "-kernel", "{build}/zImage-noncoherent",
      "-global", "virtio-mmio.force-legacy=false",
      "-drive", "if=none,id=d0,format=raw,file={disk}",
      "-device", "virtio-blk-device,drive=d0,iommu_platform=on"],
     "console=ttyAMA0 disktest.devs=vda disktest.mib=4 disktest.end=host"),
    ("drivers-virt-passthrough", "drivers-virt.config", VIRT_SMMU_DISKS,
     "console=ttyAMA0 iommu.passthrough=1 disktest.devs=vda,nvme0n1 "
     "disktest.mib=4 disktest.iommu=identity" + VIRT_NET),
    ("drivers-virt-iommu", "drivers-virt.config", VIRT_SMMU_DISKS,
     "console=ttyAMA0 disktest.devs=vda,nvme0n1 disktest.mib=4 "
     "disktest.iommu=translated" + VIRT_NET),
    ("drivers-virt-iommu-lazy", "drivers-virt.config", VIRT_SMMU_DISKS,
     "console=ttyAMA0 iommu.strict=0 disktest.devs=vda,nvme0n1 "
     "disktest.mib=4 disktest.iommu=translated-lazy" + VIRT_NET),
    ("drivers-virt-groups", "drivers-virt.config", VIRT_SMMU_GROUPS,
     "console=ttyAMA0 disktest.devs=vda disktest.mib=1 "
     "disktest.iommu=translated disktest.nets=" + GROUP_NETS +
     " disktest.rebind=0000:01:01.0"),
    ("board-zynq", "boards.config", BOARD_ZYNQ,
     "console=ttyPS0,115200 disktest.devs=mmcblk0 disktest.mib=4 "
     "disktest.dmatest=20 disktest.reset=1 disktest.tcp=10.0.2.100:7777" +
     VIRT_NET),
    ("board-vexpress", "boards.config", BOARD_VEXPRESS,
     "console=ttyAMA1 disktest.devs=mmcblk0 disktest.mib=4 disktest.fb=fb0 "
     "disktest.end=host disktest.tcp=10.0.2.100:7777" + VIRT_NET),
    ("board-sabrelite", "boards.config", BOARD_SABRELITE,
     "console=ttymxc1 disktest.devs=mmcblk1 disktest.mib=4 disktest.reset=1 "
     "disktest.tcp=10.0.2.100:7777" + VIRT_NET),
    ("faults-virt", "kunit:virt", FAULTS_VIRT,
     "console=ttyAMA0 mem=960M kunit.filter_glob=arm_dma_stress "
     "faulttest.percent=5", "faulttest.c"),
]
BOOT_TIMEOUT = 300


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


def count(group, tally):
    for case in group.get("test_cases", []):
        status = case["status"]
        key = {"PASS": "passed", "SKIP": "skipped"}.get(status, "failed")
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


# Each KUnit build is made once per make check, whichever runs boot it.
KUNIT_BUILT = {}


def kunit_build(src, build_dir, build_name, builds=BUILDS):
    key = (src, build_dir)
    if key not in KUNIT_BUILT:
        qemu_config, configs = builds[build_name]
        KUNIT_BUILT[key] = kunit(
            src, build_dir, qemu_config,
            ["build", "--jobs=%d" % (os.cpu_count() or 2)] +
            ["--kunitconfig=" + c for c in configs], []) == 0
    return KUNIT_BUILT[key]


def kunit_exec(src, build_dir, build_name, kargs, qemu_extra, flt, out,
               builds=BUILDS):
    """Boot a KUnit build; returns its tally and a note."""
    tally = {"passed": 0, "failed": 0, "skipped": 0}
    if os.path.exists(out):
        os.remove(out)
    extra = ["--timeout=%d" % TIMEOUT, "--json=" + out]
    extra += ["--kernel_args=" + a for a in kargs]
    if flt:
        extra.append(flt)
    rc = kunit(src, build_dir, builds[build_name][0], ["exec"], extra,
               qemu_extra)
    note = ""
    if os.path.exists(out):
        with open(out) as f:
            count(json.load(f), tally)
    # kunit.py writes each boot's console to test.log: keep it per run.
    log = os.path.splitext(out)[0] + ".log"
    reports = []
    if os.path.exists(os.path.join(build_dir, "test.log")):
        shutil.copyfile(os.path.join(build_dir, "test.log"), log)
        with open(log, errors="replace") as f:
            reports = reports_in(f)
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


def qemu_options(build, name, qemu_extra):
    """A run's QEMU options, with the DTB they may name made for it."""
    marked = [a for a in qemu_extra if DTB_MARKER.match(a)]
    if not marked:
        return qemu_extra
    out = os.path.join(build, name + ".dtb")
    same = [a for a in qemu_extra if a not in ["-dtb"] + marked]
    subprocess.run([os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 "virt-dtb.sh"), out,
                    DTB_MARKER.match(marked[0]).group(1)] + VIRT_QEMU + same,
                   check=True)
    return [out if a in marked else a for a in qemu_extra]


def patches_suite(tree, build_dir, suite, build):
    """One suite of the virt build, from the tree the patch series made."""
    if not kunit_build(tree, build_dir, "virt"):
        return {"passed": 0, "failed": 1, "skipped": 0}, "build failed"
    return kunit_exec(tree, build_dir, "virt", ["mem=960M"], [], suite,
                      os.path.join(build, "kunit-patches.json"))


def build_kernel(src, out, fragment):
    """Build zImage and DTBs in out from a config fragment; True when built."""
    harness = os.path.dirname(os.path.abspath(__file__))
    frag = os.path.join(harness, fragment)
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
             [os.path.join(harness, "config-check.sh"), frag,
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
# is not what the run tests (see BOARD_VEXPRESS).
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


def boot_run(src, build, name, kernel, qemu, append, init="disktest.c"):
    """Boot a run with a /init of harness/; returns its tally and a note.

    kernel is a config fragment of harness/ (one build per fragment: runs
    that share it boot the same build) or kunit:BUILD, a KUnit build.
    """
    harness = os.path.dirname(os.path.abspath(__file__))
    tally = {"passed": 0, "failed": 0, "skipped": 0}
    if kernel.startswith("kunit:"):
        out = os.path.join(build, "kunit-" + kernel[len("kunit:"):])
        ok = kunit_build(src, out, kernel[len("kunit:"):])
    else:
        out = os.path.join(build, os.path.splitext(kernel)[0])
        ok = build_kernel(src, out, kernel)
    if not ok:
        tally["failed"] = 1
        return tally, "build failed"
    if "{build}/zImage-noncoherent" in qemu:
        subprocess.run([os.path.join(harness, "noncoherent-dtb.sh"), out,
                        "vexpress-a9",
                        os.path.join(out, "arch/arm/boot/dts/arm/vexpress-v2p-ca9.dtb")],
                       check=True)
    initrd = os.path.join(out, os.path.splitext(init)[0] + ".cpio.gz")
    subprocess.run([os.path.join(harness, "initramfs.sh"),
                    os.path.join(harness, init),
                    os.path.join(out, "usr/gen_init_cpio"), initrd],
                   check=True)
    disk = os.path.join(build, name + "-disk.img")
    for image in (disk, disk + ".nvme"):
        with open(image, "wb") as f:
            f.truncate(16 << 20)
    cmd = ["qemu-system-arm", "-nodefaults", "-nographic", "-no-reboot",
           "-initrd", initrd, "-append", append + " panic=-1"]
    # A board whose console is not its first UART names its serial ports.
    if "-serial" not in qemu:
        cmd += ["-serial", "stdio"]
    if "-kernel" not in qemu:
        cmd += ["-kernel", os.path.join(out, "arch/arm/boot/zImage")]
    server = echo.start()
    cmd += [cut_dtb(out, a).format(build=out, disk=disk,
                                   echo=server.getsockname()[1])
            for a in qemu]
    print("check: " + " ".join(cmd), flush=True)
    console, timed_out = run_console(cmd, os.path.join(build, name))
    server.close()
    if timed_out:
        tally["failed"] += 1
    with open(os.path.join(build, name + ".log"), "w") as f:
        f.write(console)
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
    note = ""
    reports = reports_in(console.splitlines())
    if not planned:
        tally["failed"] += 1
        note = "did not finish; see %s.log" % name
    elif reports:
        tally["failed"] += 1
        note = "checker report: %s (see %s.log)" % (reports[0].strip(), name)
    return tally, note


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
    unused = set(kunitconfigs(project)) - {
        c for _, dirs in BUILDS.values() for c in dirs}
    if unused:
        sys.exit("check: no build runs the suites of %s" %
                 ", ".join(sorted(unused)))

    runs = [r for r in RUNS if only is None or r[0] == only]
    names = [r[0] for r in RUNS + BOOT_RUNS] + ["patches"]
    if only is not None and only not in names:
        sys.exit("check: no run named %s (runs: %s)" %
                 (only, ", ".join(names)))
    total = {"passed": 0, "failed": 0, "skipped": 0}
    report = []
    for name, build_name, kargs, qemu_extra in runs:
        build_dir = os.path.join(build, "kunit-" + build_name)
        if not kunit_build(src, build_dir, build_name):
            report.append((name, {"passed": 0, "failed": 1, "skipped": 0},
                           "build failed"))
            continue
        out = os.path.join(build, "kunit-%s.json" % name)
        tally, note = kunit_exec(src, build_dir, build_name, kargs,
                                 qemu_options(build, name, qemu_extra), flt,
                                 out)
        if os.path.exists(out):
            short = conformance.short_of_upstream(name, out)
            if short:
                tally["failed"] += 1
                note = (note + " " if note else "") + (
                    "short of upstream: %s" % ", ".join(short))
        report.append((name, tally, note))

    if only is None or only == "patches":
        report.append(("patches",) + patches.verify(
            project, build, src, lambda tree, build_dir, suite:
            patches_suite(tree, build_dir, suite, build)))

    for run in BOOT_RUNS:
        if only is None or only == run[0]:
            tally, note = boot_run(src, build, *run)
            report.append((run[0], tally, note))

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
