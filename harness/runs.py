# SPDX-License-Identifier: GPL-2.0
"""Every run of make check, make bench and make boards, as data.

A run is a kernel, its kernel arguments and its QEMU options.  The scripts
that execute runs (runner.py) and those that report on them (check.py,
conformance.py, boards.py, bench.py) import this module; it imports
nothing of the harness.

QEMU options may hold markers that runner.py resolves when the run boots:
{dtb:EDITS} a DTB of the virt machine the options describe, changed by
harness/virt-dtb.sh EDITS; {cut:DTB:NODE|...} a DTB of the build without
those nodes; {build}, {disk} and {echo} the run's build folder, its scratch
disk image and the port of the harness's echo server.
"""
from collections import namedtuple

# A KUnit kernel: its QEMU machine (a kunit.py qemu_config) and the
# .kunitconfig files whose suites it builds.  Every .kunitconfig of the
# project is in at least one build.
Build = namedtuple("Build", "qemu_config kunitconfigs")

# A boot of a KUnit build.  @reference: the conformance suite's results
# here are held to pristine upstream's (conformance.py).
KunitRun = namedtuple("KunitRun", "name build kargs qemu reference")

# A boot of a kernel built from a config fragment of harness/ (or
# kunit:BUILD, a KUnit build) with /init made from @init.
BootRun = namedtuple("BootRun", "name kernel qemu append init")

BUILDS = {
    # virt runs with the kernel's checkers on: KASAN, lockdep, sleeping in
    # atomic context, DMA-API debug (arch/arm/mm/checkers.kunitconfig).
    # conformance-pools: the restricted pool the device tree of the virt
    # runs describes (harness/virt-dtb.sh dma-pools) needs LPAE's swiotlb,
    # which vexpress does not build.
    "virt": Build("armdma_virt.py", [
        "arch/arm/mm", "arch/arm/mm/iommu.kunitconfig",
        "arch/arm/mm/checkers.kunitconfig",
        "arch/arm/mm/cache-model.kunitconfig",
        "drivers/iommu/arm/smmu-v3-arm32",
        "kernel/dma/conformance",
        "kernel/dma/conformance/pools.kunitconfig",
        "kernel/dma/conformance/clients.kunitconfig"]),
    # The virt and vexpress KUnit kernels have the cache model: a PL310 beneath
    # it on vexpress, no outer cache on virt.
    "vexpress": Build("armdma_vexpress.py", [
        "arch/arm/mm", "arch/arm/mm/cache-model.kunitconfig",
        "kernel/dma/conformance"]),
    # As the drivers of ARM_DMA_USE_IOMMU build it: the arm_iommu_* API.
    "virt-legacy": Build("armdma_virt.py", [
        "arch/arm/mm/iommu-legacy.kunitconfig",
        "arch/arm/mm/checkers.kunitconfig"]),
}

# The KUnit builds with the kernel's checkers, and what their boots get:
# DMA-API debug reports every error, not only its first (the hook in
# kernel/dma/debug.c), so that each is counted against what cases announce.
CHECKED_BUILDS = ("virt", "virt-legacy")
CHECKED_KARGS = ["dma_debug_all_errors=1"]

# What kunit.py and armdma_virt.py give every virt run.
VIRT_QEMU = ["-machine", "virt", "-cpu", "cortex-a15", "-smp", "2",
             "-m", "1024"]


def dtb(*edits):
    """QEMU options: a DTB of the virt machine, changed by EDITS."""
    return ["-dtb", "{dtb:%s}" % ",".join(edits)]


EDU = ["-device", "edu,dma_mask=0xffffffff"]
SMMU = ["-machine", "iommu=smmuv3"]

# mem=960M of the 1 GiB kunit.py gives QEMU hides 64 MiB from the kernel,
# for the per-device pool cases; the -cma runs give the kernel a default
# CMA area; virt-2g has RAM beyond a 31-bit mask, for bouncing.
KUNIT_RUNS = [
    # Reserved-memory pools and devices that use them: virt-dtb.sh.
    KunitRun("virt", "virt", ["mem=960M"], EDU + dtb("dma-pools"), True),
    KunitRun("virt-cma", "virt", ["mem=960M", "cma=32M"],
             EDU + dtb("dma-pools"), True),
    # The conformance suite gives edu a 31-bit mask here: pages beyond it
    # must bounce.
    KunitRun("virt-2g", "virt", ["api_conformance_test.edu_mask_bits=31"],
             ["-m", "2048"] + EDU, True),
    # edu, a coherent PCI device, bouncing too.
    KunitRun("virt-swiotlb", "virt", ["swiotlb=force"], EDU, True),
    KunitRun("virt-smmu", "virt", ["mem=960M"],
             SMMU + EDU + dtb("v2m-frames", "pci-dma-hole"), True),
    # Two edus: one buffer shared by both, as dma-buf attachments share.
    KunitRun("virt-smmu-lazy", "virt", ["mem=960M", "iommu.strict=0"],
             SMMU + EDU + EDU, True),
    # GICv3 with an ITS: MSIs go to GITS_TRANSLATER, 64 KiB past the ITS's
    # control frame.
    KunitRun("virt-smmu-its", "virt", ["mem=960M"],
             ["-machine", "iommu=smmuv3,gic-version=3,its=on"] + EDU, False),
    # A command queue of 4 entries: every invalidation batch fills it.  A
    # linear stream table, edu beyond bus 0 (stream ID above 8 bits).
    KunitRun("virt-smmu-tinyq", "virt",
             ["mem=960M", "smmu_v3_arm32.cmdq_log2n=2",
              "smmu_v3_arm32.two_level=0"],
             SMMU + ["-device", "pcie-pci-bridge,id=br,bus=pcie.0,addr=5",
                     "-device", "edu,dma_mask=0xffffffff,bus=br,addr=1"],
             False),
    # edu with a second function: both in one IOMMU group.
    KunitRun("virt-smmu-legacy", "virt-legacy", ["mem=960M"], SMMU + [
        "-device", "edu,dma_mask=0xffffffff,addr=7.0,multifunction=on",
        "-device", "edu,dma_mask=0xffffffff,addr=7.1"], False),
    # The same API on non-coherent masters, as the SoCs whose IOMMU drivers
    # select ARM_DMA_USE_IOMMU have them.
    KunitRun("virt-smmu-legacy-noncoherent", "virt-legacy", ["mem=960M"],
             SMMU + ["-device", "edu,dma_mask=0xffffffff,addr=7.0,"
                     "multifunction=on",
                     "-device", "edu,dma_mask=0xffffffff,addr=7.1"] +
             dtb("noncoherent-pci"), False),
    # The PCIe host described as not snooping (its DTB without
    # dma-coherent): edu is a non-coherent PCI device of arm_dma_ops.
    KunitRun("virt-noncoherent-pci", "virt", ["mem=960M"],
             EDU + dtb("noncoherent-pci"), True),
    # The same host behind the SMMU: edu is a non-coherent master of
    # arm_iommu_dma_ops, as display, video and camera masters of SoCs are.
    KunitRun("virt-smmu-noncoherent", "virt", ["mem=960M"],
             SMMU + EDU + dtb("noncoherent-pci"), False),
    # The SMMU itself not snooping: its tables and queues must be made
    # visible to it.
    KunitRun("virt-smmu-walk", "virt", ["mem=960M"],
             SMMU + EDU + dtb("noncoherent-smmu"), False),
    KunitRun("vexpress", "vexpress", ["mem=960M"], [], True),
    KunitRun("vexpress-cma", "vexpress", ["mem=960M", "cma=32M"], [], True),
]

# Real drivers as clients: each boots a kernel built from a config fragment
# of harness/ with /init from harness/disktest.c, which writes, reads back
# and compares every disk it is told of and prints KTAP.
#
# The drivers-virt runs boot the virt KUnit kernel, checkers and all, its
# drivers from kernel/dma/conformance/clients.kunitconfig, with its suites
# off (kunit.enable=0).
#
# drivers-vexpress boots with its device tree appended to the kernel and
# dma-coherent taken off the virtio transports (harness/noncoherent-dtb.sh),
# so the virtio disk is a non-coherent device, as a real one on that board.
# The drivers-virt runs put a virtio-blk PCI disk, an NVMe disk and an e1000
# NIC (pinging QEMU's user-network gateway) behind the SMMUv3 driver:
# passed through (iommu.passthrough=1: the IOMMU core's identity domain,
# direct ops), or translated by arm_iommu_dma_ops with strict or lazy
# (iommu.strict=0) invalidation.
VIRT_CONSOLE = "console=ttyAMA0 kunit.enable=0 "
VIRT_SMMU_DISKS = [
    "-M", "virt,iommu=smmuv3", "-cpu", "cortex-a15", "-smp", "2", "-m", "1024",
    "-drive", "if=none,id=d0,format=raw,file={disk}",
    "-device", "virtio-blk-pci,drive=d0,iommu_platform=on,disable-legacy=on",
    "-drive", "if=none,id=d1,format=raw,file={disk}.nvme",
    "-device", "nvme,serial=armdma,drive=d1",
    "-netdev", "user,id=n0", "-device", "e1000,netdev=n0,romfile="]
# eth0 gets QEMU's user network; its gateway answers pings.
VIRT_NET = " ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off disktest.ping=10.0.2.2"


def group_nets():
    """IOMMU groups of several devices: two e1000 behind a PCIe-to-PCI
    bridge (QEMU gives their DMA the bridge's requester ID, so one stream
    ID) and the two functions of a multifunction e1000 (no ACS: one group),
    each NIC on a user network of its own.  QEMU options, and /init's
    list of NICs."""
    qemu, nets = [], []
    where = ["bus=pcie.0,addr=6.0,multifunction=on", "bus=pcie.0,addr=6.1",
             "bus=br,addr=1", "bus=br,addr=2"]
    for i, bus in enumerate(where):
        qemu += ["-netdev", "user,id=g%d,net=10.0.%d.0/24" % (i, i + 3),
                 "-device", "e1000,netdev=g%d,romfile=,%s" % (i, bus)]
        nets.append("eth%d/10.0.%d.15/10.0.%d.2" % (i, i + 3, i + 3))
    return qemu, ",".join(nets)


# After all four NICs ping, the first one behind the bridge is unbound (the
# other keeps pinging) and bound again.  The machine has a GICv3 ITS:
# virtio-blk's MSI-X writes go through the SMMU to GITS_TRANSLATER.
GROUP_QEMU, GROUP_NETS = group_nets()
VIRT_SMMU_GROUPS = [
    "-M", "virt,iommu=smmuv3,gic-version=3,its=on", "-cpu", "cortex-a15",
    "-smp", "2", "-m", "1024",
    "-drive", "if=none,id=d0,format=raw,file={disk}",
    "-device", "virtio-blk-pci,drive=d0,iommu_platform=on,disable-legacy=on",
    "-device", "pcie-pci-bridge,id=br,bus=pcie.0,addr=5"] + GROUP_QEMU

# Two edus behind the SMMU, bound to the kernel's dma-api-edu driver
# through sysfs by harness/edutest.c: the first leaks a mapping and a
# buffer, is unbound and bound again; both import one dma-buf at once.
# Then the same as non-coherent masters.
EDUS_SMMU = ["-M", "virt,iommu=smmuv3", "-cpu", "cortex-a15", "-smp", "2",
             "-m", "1024",
             "-device", "edu,dma_mask=0xffffffff,addr=3",
             "-device", "edu,dma_mask=0xffffffff,addr=4"]
EDUTEST = VIRT_CONSOLE + "edutest.devs=0000:00:03.0,0000:00:04.0"

# Faults: the virt KUnit kernel (with its checkers) boots with /init from
# harness/faulttest.c, which reruns arm_dma_stress through debugfs with
# failslab, fail_page_alloc and fail_arm_iova failing 5% of the load's
# allocations (task-filter: only the load's threads), then without; the
# SMMU and edu give it the IOMMU cases.  At boot only that suite runs.
FAULTS_VIRT = ["-M", "virt,iommu=smmuv3", "-cpu", "cortex-a15", "-smp", "2",
               "-m", "1024"] + EDU

# The TCP workload's far end: harness/echo.py's server on the host's
# loopback, reached by the guest as 10.0.2.100:7777 only.
ECHO_NIC = ["-nic", "user,guestfwd=tcp:10.0.2.100:7777-tcp:127.0.0.1:{echo}"]


def board(machine, tree, *devices, cut=()):
    """A board's QEMU options: its DTB from the kernel tree (without the
    nodes @cut names), console on the second UART, and @devices."""
    where = ("{cut:%s:%s}" % (tree, "|".join(cut)) if cut else
             "{build}/arch/arm/boot/dts/" + tree)
    return ["-M", machine, "-m", "1024", "-serial", "null",
            "-serial", "mon:stdio", "-dtb", where] + list(devices)


# Zynq-7000 (Cortex-A9, PL310): the Arasan SDHCI (ADMA2) with an SD card,
# the Cadence GEM (macb) on QEMU's user network, and dmatest on the PL330's
# channels.  QEMU cannot power the board off, so /init resets it.
BOARD_ZYNQ = board("xilinx-zynq-a9", "xilinx/zynq-zc702.dtb",
                   "-drive", "if=sd,format=raw,file={disk}", *ECHO_NIC)

# i.MX6Q sabrelite (Cortex-A9, PL310): the uSDHC with an SD card (the board
# has a drive named sd0 already) and the FEC.  QEMU does not model the
# i.MX SDMA engine: no dmatest.
BOARD_SABRELITE = board("sabrelite", "nxp/imx/imx6q-sabrelite.dtb",
                        "-drive", "if=none,id=card,format=raw,file={disk}",
                        "-device", "sd-card,drive=card,bus=sd-bus",
                        *ECHO_NIC)

# Versatile Express with its CA9 core tile: the PL111 on the tile scans out
# a framebuffer its driver allocates with dma_alloc_wc(), through the
# SiI9022 DVI transmitter on the motherboard's I2C; the MMCI and the
# LAN9118 (no DMA channel there: PIO).  The kernel's DTB gives the
# transmitter a second input port, the motherboard's CLCD, which its driver
# takes for the next bridge of the chain and waits for forever: pristine
# 6.12 never gets a framebuffer with it.  Cut that port out (the same DTB
# for ours and upstream).  vexpress-a9's power-off handler takes a regmap
# mutex in the atomic notifier chain, which lockdep reports on the pristine
# base too: the vexpress runs end with the host stopping QEMU instead.
DVI_MB_PORT = ("/bus@40000000/motherboard-bus@40000000/iofpga@7,00000000/"
               "i2c@16000/dvi-transmitter@39/ports/port@1")
BOARD_VEXPRESS = board("vexpress-a9", "arm/vexpress-v2p-ca9.dtb",
                       "-drive", "if=sd,format=raw,file={disk}", *ECHO_NIC,
                       cut=[DVI_MB_PORT])

DISKTEST = "disktest.c"
TCP = " disktest.tcp=10.0.2.100:7777"

BOOT_RUNS = [
    BootRun("drivers-vexpress", "boards.config",
            ["-M", "vexpress-a9", "-m", "1024",
             "-kernel", "{build}/zImage-noncoherent",
             "-global", "virtio-mmio.force-legacy=false",
             "-drive", "if=none,id=d0,format=raw,file={disk}",
             "-device", "virtio-blk-device,drive=d0,iommu_platform=on"],
            "console=ttyAMA0 disktest.devs=vda disktest.mib=4 "
            "disktest.end=host", DISKTEST),
    BootRun("drivers-virt-passthrough", "kunit:virt",
            VIRT_SMMU_DISKS,
            VIRT_CONSOLE + "iommu.passthrough=1 disktest.devs=vda,nvme0n1 "
            "disktest.mib=4 disktest.iommu=identity" + VIRT_NET, DISKTEST),
    BootRun("drivers-virt-iommu", "kunit:virt", VIRT_SMMU_DISKS,
            VIRT_CONSOLE + "disktest.devs=vda,nvme0n1 disktest.mib=4 "
            "disktest.iommu=translated" + VIRT_NET, DISKTEST),
    # The same drivers as non-coherent masters behind the SMMU: the PCIe
    # host's DTB without dma-coherent, as on SoCs whose masters do not
    # snoop.
    BootRun("drivers-virt-noncoherent", "kunit:virt",
            VIRT_SMMU_DISKS + dtb("noncoherent-pci"),
            VIRT_CONSOLE + "disktest.devs=vda,nvme0n1 disktest.mib=4 "
            "disktest.iommu=translated" + VIRT_NET, DISKTEST),
    BootRun("drivers-virt-iommu-lazy", "kunit:virt",
            VIRT_SMMU_DISKS,
            VIRT_CONSOLE + "iommu.strict=0 disktest.devs=vda,nvme0n1 "
            "disktest.mib=4 disktest.iommu=translated-lazy" + VIRT_NET,
            DISKTEST),
    BootRun("drivers-virt-groups", "kunit:virt", VIRT_SMMU_GROUPS,
            VIRT_CONSOLE + "disktest.devs=vda disktest.mib=1 "
            "disktest.iommu=translated disktest.nets=" + GROUP_NETS +
            " disktest.rebind=0000:01:01.0", DISKTEST),
    BootRun("drivers-virt-edu", "kunit:virt", EDUS_SMMU, EDUTEST,
            "edutest.c"),
    BootRun("drivers-virt-edu-noncoherent", "kunit:virt",
            EDUS_SMMU + dtb("noncoherent-pci"), EDUTEST, "edutest.c"),
    BootRun("board-zynq", "boards.config", BOARD_ZYNQ,
            "console=ttyPS0,115200 disktest.devs=mmcblk0 disktest.mib=4 "
            "disktest.dmatest=20 disktest.reset=1" + TCP + VIRT_NET,
            DISKTEST),
    BootRun("board-vexpress", "boards.config", BOARD_VEXPRESS,
            "console=ttyAMA1 disktest.devs=mmcblk0 disktest.mib=4 "
            "disktest.fb=fb0 disktest.end=host" + TCP + VIRT_NET, DISKTEST),
    BootRun("board-sabrelite", "boards.config", BOARD_SABRELITE,
            "console=ttymxc1 disktest.devs=mmcblk1 disktest.mib=4 "
            "disktest.reset=1" + TCP + VIRT_NET, DISKTEST),
    BootRun("faults-virt", "kunit:virt", FAULTS_VIRT,
            "console=ttyAMA0 mem=960M kunit.filter_glob=arm_dma_stress "
            "faulttest.percent=5", "faulttest.c"),
]

# The runs of make check, in their order: the KUnit runs, the patch series
# (patches.py), the boot runs, and the check of the tree's layering.
CHECK_RUNS = ([r.name for r in KUNIT_RUNS] + ["patches"] +
              [r.name for r in BOOT_RUNS] + ["layering"])


def kunit_run(name):
    return next(r for r in KUNIT_RUNS if r.name == name)


# make bench

ICOUNT = ["-icount", "shift=3,sleep=off", "-smp", "1"]
# QEMU 7.2 hangs at boot with -icount and -smp 2: two threads run on wall
# time, and their figures are noise from run to run.
NOISY = ["-smp", "2"]

# A bench machine: config fragment, QEMU options, kernel arguments.  The
# upstream kernel gets the same fragment less what only exists in ours.
BenchMachine = namedtuple("BenchMachine", "fragment qemu kargs kernel")

BENCH_MACHINES = {
    "virt": BenchMachine("bench-virt.config",
                         ["-M", "virt", "-cpu", "cortex-a15", "-m", "1024",
                          "-device", "edu"],
                         "bench.dev=pci:0000:00:01.0", "virt"),
    # Real I/O: virtio-blk-pci and NVMe, both behind the SMMU when it is
    # there; /init times O_DIRECT reads and writes on each (bench.io).  It
    # boots the virt kernel.
    "virt-io": BenchMachine(
        "bench-virt.config",
        ["-M", "virt", "-cpu", "cortex-a15", "-m", "1024",
         "-drive", "if=none,id=d0,format=raw,file={build}/io-vda.img",
         "-device", "virtio-blk-pci,drive=d0,iommu_platform=on,"
         "disable-legacy=on",
         "-drive", "if=none,id=d1,format=raw,file={build}/io-nvme.img",
         "-device", "nvme,serial=bench,drive=d1"],
        "bench.io=vda,nvme0n1", "virt"),
    "vexpress": BenchMachine("bench-vexpress.config",
                             ["-M", "vexpress-a9", "-m", "1024",
                              "-kernel", "{build}/zImage-noncoherent"],
                             "bench.dev=platform:10013000.virtio_mmio",
                             "vexpress"),
}

# A bench run: label, machine, timing, extra QEMU options, extra kernel
# arguments, the kernels it boots (ours first).  The alloc/free figures
# use devices of alloc_benchmark.c that no IOMMU translates: the SMMU runs
# skip them, and take map_sg on edu, behind the SMMU (bench.sg=1).
BenchRun = namedtuple("BenchRun", "label machine timing qemu kargs kernels")

BENCH_RUNS = [
    BenchRun("virt coherent", "virt", ICOUNT, [], "", ("ours", "upstream")),
    BenchRun("vexpress non-coherent", "vexpress", ICOUNT, [], "",
             ("ours", "upstream")),
    BenchRun("virt SMMU strict", "virt", ICOUNT, SMMU,
             "bench.maponly=1 bench.sg=1", ("ours", "upstream")),
    BenchRun("virt SMMU lazy", "virt", ICOUNT, SMMU,
             "iommu.strict=0 bench.maponly=1 bench.sg=1", ("ours",)),
    # The SMMU driver with one command per page, as before range
    # invalidation (IDR3.RIL), which QEMU's SMMU has.
    BenchRun("virt SMMU strict, page invalidation", "virt", ICOUNT, SMMU,
             "smmu_v3_arm32.range_inv=0 bench.maponly=1 bench.sg=1",
             ("ours",)),
    # What a real I/O costs through the SMMU, against the same I/O passed
    # through.  Ours only: upstream's arm_iommu_ops cannot bring NVMe up
    # here (its coherent allocations of more than a page map garbage and
    # fail; the probe ends after translation faults and timeouts).
    BenchRun("virt I/O, passthrough", "virt-io", ICOUNT, SMMU,
             "iommu.passthrough=1", ("ours",)),
    BenchRun("virt I/O, SMMU strict", "virt-io", ICOUNT, SMMU, "", ("ours",)),
    BenchRun("virt I/O, SMMU lazy", "virt-io", ICOUNT, SMMU, "iommu.strict=0",
             ("ours",)),
    BenchRun("virt SMMU lazy, 2 threads (noisy)", "virt", NOISY, SMMU,
             "iommu.strict=0 bench.threads=2 bench.maponly=1",
             ("ours", "upstream")),
    BenchRun("virt coherent, 2 threads (noisy)", "virt", NOISY, [],
             "bench.threads=2 bench.maponly=1", ("ours", "upstream")),
    # What a record of every mapping would cost the direct hot path:
    # DMA_API_DEBUG keeps one (a hash table of entries under bucket locks)
    # and catches what the layer's own checks cannot (double and partial
    # unmaps, wrong direction).  Ours with it, in the ours column.
    BenchRun("virt coherent, DMA_API_DEBUG", "virt", ICOUNT, [],
             "bench.maponly=1", ("ours-record",)),
]

# Bench kernels: the tree each is built from, and what its fragment adds.
BENCH_KERNELS = {
    "ours": ("linux", ""),
    "ours-record": ("linux", "CONFIG_DMA_API_DEBUG=y\n"),
    "upstream": ("linux-upstream", ""),
}
