#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: the kernel's own dma_map_benchmark, ours against upstream.

usage: bench.py PROJECT BUILD

Builds, from the same configuration fragment, one kernel from the overlaid
tree (ours) and one from a pristine 6.12 base (upstream), boots each under
the same QEMU command with -icount shift=3,sleep=off -smp 1 (guest time
counts executed instructions, 8 ns each, so figures repeat), binds a device
to dma_map_benchmark from /init (harness/bench.c) and runs streaming
map/unmap for each direction and granule.  Prints one table and writes it
as CSV to BUILD/bench/results.csv.
"""
import csv
import os
import re
import shutil
import subprocess
import sys

HARNESS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HARNESS)
import check      # noqa: E402  (build_kernel)
import upstream   # noqa: E402  (prepare)

ICOUNT = ["-icount", "shift=3,sleep=off", "-smp", "1"]
# QEMU 7.2 hangs at boot with -icount and -smp 2: two threads run on wall
# time, and their figures are noise from run to run.
NOISY = ["-smp", "2"]

# Machines: fragment, QEMU options, kernel arguments.  The upstream kernel
# gets the same fragment less what only exists in ours.
MACHINES = {
    "virt": ("bench-virt.config",
             ["-M", "virt", "-cpu", "cortex-a15", "-m", "1024",
              "-device", "edu"],
             "bench.dev=pci:0000:00:01.0"),
    # Real I/O: virtio-blk-pci and NVMe, both behind the SMMU when it is
    # there; /init times O_DIRECT reads and writes on each (bench.io).
    "virt-io": ("bench-virt.config",
                ["-M", "virt", "-cpu", "cortex-a15", "-m", "1024",
                 "-drive", "if=none,id=d0,format=raw,file={build}/io-vda.img",
                 "-device", "virtio-blk-pci,drive=d0,iommu_platform=on,"
                 "disable-legacy=on",
                 "-drive", "if=none,id=d1,format=raw,file={build}/io-nvme.img",
                 "-device", "nvme,serial=bench,drive=d1"],
                "bench.io=vda,nvme0n1"),
    "vexpress": ("bench-vexpress.config",
                 ["-M", "vexpress-a9", "-m", "1024",
                  "-kernel", "{build}/zImage-noncoherent"],
                 "bench.dev=platform:10013000.virtio_mmio"),
}

# The kernel a machine boots: virt-io is virt with disks.
KERNEL_OF = {"virt-io": "virt"}

# Runs: (label, machine, timing, extra QEMU options, extra kernel
# arguments, kernels).  The alloc/free figures use devices of
# alloc_benchmark.c that no IOMMU translates: the SMMU runs skip them, and
# take map_sg on edu, behind the SMMU (bench.sg=1).
RUNS = [
    ("virt coherent", "virt", ICOUNT, [], "", ("ours", "upstream")),
    ("vexpress non-coherent", "vexpress", ICOUNT, [], "",
     ("ours", "upstream")),
    ("virt SMMU strict", "virt", ICOUNT, ["-machine", "iommu=smmuv3"],
     "bench.maponly=1 bench.sg=1", ("ours", "upstream")),
    ("virt SMMU lazy", "virt", ICOUNT, ["-machine", "iommu=smmuv3"],
     "iommu.strict=0 bench.maponly=1 bench.sg=1", ("ours",)),
    # The SMMU driver with one command per page, as before range
    # invalidation (IDR3.RIL), which QEMU's SMMU has.
    ("virt SMMU strict, page invalidation", "virt", ICOUNT,
     ["-machine", "iommu=smmuv3"],
     "smmu_v3_arm32.range_inv=0 bench.maponly=1 bench.sg=1", ("ours",)),
    # What a real I/O costs through the SMMU, against the same I/O passed
    # through.  Ours only: upstream's arm_iommu_ops cannot bring NVMe up
    # here (its coherent allocations of more than a page map garbage and
    # fail; the probe ends after translation faults and timeouts).
    ("virt I/O, passthrough", "virt-io", ICOUNT,
     ["-machine", "iommu=smmuv3"], "iommu.passthrough=1", ("ours",)),
    ("virt I/O, SMMU strict", "virt-io", ICOUNT,
     ["-machine", "iommu=smmuv3"], "", ("ours",)),
    ("virt I/O, SMMU lazy", "virt-io", ICOUNT,
     ["-machine", "iommu=smmuv3"], "iommu.strict=0", ("ours",)),
    ("virt SMMU lazy, 2 threads (noisy)", "virt", NOISY,
     ["-machine", "iommu=smmuv3"],
     "iommu.strict=0 bench.threads=2 bench.maponly=1", ("ours", "upstream")),
    ("virt coherent, 2 threads (noisy)", "virt", NOISY, [],
     "bench.threads=2 bench.maponly=1", ("ours", "upstream")),
    # What a record of every mapping would cost the direct hot path:
    # DMA_API_DEBUG keeps one (a hash table of entries under bucket locks)
    # and catches what the layer's own checks cannot (double and partial
    # unmaps, wrong direction).  Ours with it, in the ours column.
    ("virt coherent, DMA_API_DEBUG", "virt", ICOUNT, [], "bench.maponly=1",
     ("ours-record",)),
]

# Kernels: the tree each is built from, and what its fragment adds.
KERNELS = {
    "ours": ("linux", ""),
    "ours-record": ("linux", "CONFIG_DMA_API_DEBUG=y\n"),
    "upstream": ("linux-upstream", ""),
}


def build(src, build_dir, kernel, machine):
    fragment, _, _ = MACHINES[machine]
    out = os.path.join(build_dir, "bench", "%s-%s" % (kernel, machine))
    os.makedirs(out, exist_ok=True)
    text = open(os.path.join(HARNESS, fragment)).read()
    if machine == "virt":
        text += open(os.path.join(HARNESS, "bench-upstream-smmu.config"
                                  if kernel == "upstream" else
                                  "bench-ours.config")).read()
    text += KERNELS[kernel][1]
    frag = os.path.join(out, "bench.config")
    with open(frag, "w") as f:
        f.write(text)
    if not check.build_kernel(src, out, frag):
        sys.exit("bench: the %s kernel for %s did not build" % (kernel, machine))
    if machine == "vexpress":
        subprocess.run([os.path.join(HARNESS, "noncoherent-dtb.sh"), out,
                        "vexpress-a9", os.path.join(
                            out, "arch/arm/boot/dts/arm/vexpress-v2p-ca9.dtb")],
                       check=True)
    for disk in ("io-vda.img", "io-nvme.img"):
        with open(os.path.join(out, disk), "wb") as f:
            f.truncate(16 << 20)
    inc = os.path.join(out, "include-bench", "linux")
    os.makedirs(inc, exist_ok=True)
    shutil.copy(os.path.join(src, "include/linux/map_benchmark.h"), inc)
    initrd = os.path.join(out, "bench.cpio.gz")
    subprocess.run([os.path.join(HARNESS, "initramfs.sh"),
                    os.path.join(HARNESS, "bench.c"),
                    os.path.join(out, "usr/gen_init_cpio"), initrd],
                   check=True, env=dict(os.environ, INIT_CFLAGS="-I" +
                                        os.path.dirname(inc)))
    return out


def boot(out, machine, timing, qemu_extra, kargs):
    _, qemu, dev = MACHINES[machine]
    cmd = ["qemu-system-arm", "-nodefaults", "-nographic", "-no-reboot",
           "-serial", "stdio", "-initrd", os.path.join(out, "bench.cpio.gz"),
           "-append", "console=ttyAMA0 panic=-1 %s bench.seconds=1 %s" %
           (dev, kargs)] + timing
    cmd += [a.format(build=out) for a in qemu] + qemu_extra
    if "-kernel" not in cmd:
        cmd += ["-kernel", os.path.join(out, "arch/arm/boot/zImage")]
    print("bench: " + " ".join(cmd), flush=True)
    try:
        console = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True,
                                 errors="replace", timeout=900).stdout
    except subprocess.TimeoutExpired as e:
        console = (e.stdout or b"").decode(errors="replace")
        print("bench: error: %s did not finish in 900 s" % out)
    figures = {}
    for line in console.splitlines():
        m = re.match(r"bench: (\S+) map_100ns=(\d+) unmap_100ns=(\d+)", line)
        if m:
            figures[m.group(1) + " map"] = int(m.group(2)) / 10
            figures[m.group(1) + " unmap"] = int(m.group(3)) / 10
        m = re.match(r"bench: map_sg/(\d+)-entries map_ns=(\d+) unmap_ns=(\d+) "
                     r"segments=(\d+)", line)
        if m:
            n = int(m.group(1))
            figures["map_sg/%d-entries map per entry" % n] = int(m.group(2)) / n / 1000
            figures["map_sg/%d-entries unmap per entry" % n] = int(m.group(3)) / n / 1000
            figures["map_sg/%d-entries DMA segments" % n] = int(m.group(4))
        m = re.match(r"bench: iommu_driver/(\d+)K map_ns=(\d+) unmap_ns=(\d+) "
                     r"clear_ns=(\d+)", line)
        if m:
            figures["iommu_map alone/%sK" % m.group(1)] = int(m.group(2)) / 1000
            figures["iommu_unmap alone/%sK" % m.group(1)] = int(m.group(3)) / 1000
            figures["iommu_unmap_fast alone/%sK" % m.group(1)] = \
                int(m.group(4)) / 1000
        m = re.match(r"bench: zero/4K ns=(\d+)", line)
        if m:
            figures["zeroing a page alone (memset)"] = int(m.group(1)) / 1000
        m = re.match(r"bench: io/(\S+)/(\S+)/(\d+)K ns=(\d+)", line)
        if m:
            figures["O_DIRECT %s %sK on %s" % (m.group(2), m.group(3),
                                              m.group(1))] = int(m.group(4)) / 1000
        m = re.match(r"bench: (\S+) alloc_ns=(\d+) free_ns=(\d+)", line)
        if m:
            figures[m.group(1) + " alloc"] = int(m.group(2)) / 1000
            figures[m.group(1) + " free"] = int(m.group(3)) / 1000
        elif line.startswith("bench: error"):
            print(line)
    if not figures:
        print(console[-3000:])
        sys.exit("bench: no figures from %s" % out)
    return figures


def main():
    project, build_dir = (os.path.abspath(a) for a in sys.argv[1:3])
    upstream.prepare(project, build_dir)

    kernels = {}
    rows = []
    for label, machine, timing, qemu_extra, kargs, which in RUNS:
        results = {}
        for kernel in which:
            key = (kernel, KERNEL_OF.get(machine, machine))
            if key not in kernels:
                src = os.path.join(build_dir, KERNELS[kernel][0])
                kernels[key] = build(src, build_dir, kernel, key[1])
            results[kernel] = boot(kernels[key], machine, timing, qemu_extra,
                                   kargs)
        for figure in results[which[0]]:
            ours = results[which[0]][figure]
            up = results.get("upstream", {}).get(figure)
            rows.append((label, figure, ours, up))

    out = os.path.join(build_dir, "bench", "results.csv")
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["run", "figure", "ours_us", "upstream_us", "ratio"])
        for label, figure, ours, up in rows:
            w.writerow([label, figure, ours, up if up is not None else "",
                        "%.2f" % (ours / up) if up else ""])

    print("\nQEMU 7.2, %s; map_unmap: dma_map_benchmark, 1 thread, 1 s "
          "each (the tool's resolution is 0.1 us); alloc_free: "
          "kernel/dma/alloc_benchmark.c, one page, 200 rounds, freeing among "
          "N live buffers; microseconds per operation\n" % " ".join(ICOUNT))
    print("| run | figure | ours (us) | upstream (us) | ours/upstream |")
    print("|---|---|---:|---:|---:|")
    for label, figure, ours, up in rows:
        print("| %s | %s | %.1f | %s | %s |" % (
            label, figure, ours, "%.1f" % up if up is not None else "n/a",
            "%.2f" % (ours / up) if up else "n/a"))
    goals(rows)
    plot(rows, os.path.join(build_dir, "bench"))
    print("\nbench: results in %s" % out)


def goals(rows):
    """The issue's goals, each figure against its bound; misses pass too."""
    ours = {(label, figure): o for label, figure, o, _ in rows}
    up = {(label, figure): u for label, figure, _, u in rows}

    def total(table, label, *figures):
        values = [table.get((label, f)) for f in figures]
        return None if None in values else sum(values)

    def pair(table, label, figure):
        return total(table, label, figure + " map", figure + " unmap")

    def ratio(a, b):
        return a / b if a is not None and b else None

    mu = "map_unmap/4K/bidir/1-thread"
    free = "alloc_free/sleeping/%d-live free"
    strict, lazy = "virt SMMU strict", "virt SMMU lazy"
    floor = total(ours, strict, "iommu_map alone/4K", "iommu_unmap alone/4K")
    checks = [
        ("coherent map+unmap, ours/upstream", ratio(
            pair(ours, "virt coherent", mu), pair(up, "virt coherent", mu)),
         1.00),
        ("non-coherent map+unmap, ours/upstream", ratio(
            pair(ours, "vexpress non-coherent", mu),
            pair(up, "vexpress non-coherent", mu)), 1.00),
        ("free among 10,000 live, ours/upstream", ratio(
            ours.get(("vexpress non-coherent", free % 10000)),
            up.get(("vexpress non-coherent", free % 10000))), 0.10),
        ("SMMU strict map+unmap, ours/upstream arm_iommu_ops", ratio(
            pair(ours, strict, mu), pair(up, strict, mu)), 0.50),
        ("lazy unmap / strict unmap, ours", ratio(
            ours.get((lazy, mu + " unmap")), ours.get((strict, mu + " unmap"))),
         0.30),
    ]
    checks += smmu_and_io_goals(ours, up, total, ratio)
    print("\nGoals (ours against the bound; a miss does not fail make bench):")
    for text, value, bound in checks:
        if value is None:
            print("  %s: no figure" % text)
        else:
            print("  %s: %.2f, goal <= %.2f: %s" % (
                text, value, bound, "met" if value <= bound else "missed"))
    if floor is not None and pair(up, strict, mu):
        print("  iommu_map+iommu_unmap alone on the same SMMU driver: %.1f us,"
              " %.2f of upstream's map+unmap: no layer over this driver can"
              " go below that" % (floor, floor / pair(up, strict, mu)))
    zeroing_share(ours, up)
    record = pair(ours, "virt coherent, DMA_API_DEBUG", mu)
    if record is not None and pair(ours, "virt coherent", mu):
        plain = pair(ours, "virt coherent", mu)
        print("  a record per mapping (DMA_API_DEBUG): 4K map+unmap %.1f us"
              " against %.1f us without, %.2fx" % (record, plain,
                                                   record / plain))
    clear = ours.get((strict, "iommu_unmap_fast alone/4K"))
    if clear is not None and ours.get((strict, mu + " unmap")):
        print("  iommu_unmap_fast alone (the page table work a lazy unmap"
              " still does): %.1f us, %.2f of our strict unmap" % (
                  clear, clear / ours[(strict, mu + " unmap")]))


# The 64 KiB strict unmap through the SMMU before range invalidation.
UNMAP_64K_BEFORE = 21.8


def smmu_and_io_goals(ours, up, total, ratio):
    """Goals of the SMMU's speed, the allocation path and real I/O."""
    strict = "virt SMMU strict"
    unmap64 = ours.get((strict, "map_unmap/64K/bidir/1-thread unmap"))
    sg = "map_sg/256-entries map per entry"
    coherent = "alloc_free/coherent/0-live"
    checks = [
        ("64K strict unmap through the SMMU, against %.1f us before" %
         UNMAP_64K_BEFORE, ratio(unmap64, UNMAP_64K_BEFORE), 0.60),
        ("map_sg per entry through the SMMU (256 entries), ours/upstream",
         ratio(ours.get((strict, sg)), up.get((strict, sg))), 0.85),
        ("coherent alloc+free, ours/upstream", ratio(
            total(ours, "virt coherent", coherent + " alloc", coherent + " free"),
            total(up, "virt coherent", coherent + " alloc", coherent + " free")),
         1.10),
    ]
    for disk in ("vda", "nvme0n1"):
        read = "O_DIRECT read 4K on " + disk
        direct = ours.get(("virt I/O, passthrough", read))
        for mode, bound in (("strict", 1.15), ("lazy", 1.05)):
            checks.append(("4K O_DIRECT read on %s, SMMU %s / passthrough" %
                           (disk, mode),
                           ratio(ours.get(("virt I/O, SMMU " + mode, read)),
                                 direct), bound))
    direct_paths = [(label, figure) for (label, figure) in ours
                    if label in ("virt coherent", "vexpress non-coherent")
                    and figure.startswith("map_unmap/")
                    and up.get((label, figure))]
    worst = max((ours[k] / up[k] for k in direct_paths), default=None)
    checks.append(("worst direct-path map or unmap, ours/upstream", worst,
                   1.00))
    return checks


def zeroing_share(ours, up):
    """What zeroing a page costs, against each one-page allocation."""
    zero = ours.get(("virt coherent", "zeroing a page alone (memset)"))
    if zero is None:
        return
    for path in ("coherent", "sleeping", "atomic"):
        figure = "alloc_free/%s/0-live alloc" % path
        for label in ("virt coherent", "vexpress non-coherent"):
            alloc, theirs = ours.get((label, figure)), up.get((label, figure))
            if alloc:
                print("  zeroing a page (%.1f us) is %.0f%% of our %s %s"
                      " allocation (%.1f us; upstream %s)" % (
                          zero, 100 * zero / alloc, label, path, alloc,
                          "%.1f us" % theirs if theirs else "n/a"))


def plot(rows, folder):
    """free cost against live buffers, ours and upstream, as a PNG."""
    points = []
    for label, figure, ours, up in rows:
        m = re.match(r"alloc_free/sleeping/(\d+)-live free", figure)
        if m and label.startswith("vexpress") and up is not None:
            points.append((int(m.group(1)), ours, up))
    if not points or not shutil.which("gnuplot"):
        return
    data = os.path.join(folder, "free-scaling.dat")
    with open(data, "w") as f:
        for live, ours, up in sorted(points):
            f.write("%d %f %f\n" % (max(live, 1), ours, up))
    png = os.path.join(folder, "free-scaling.png")
    script = """set terminal png size 800,500 noenhanced
set output '%s'
set title 'dma_free_coherent() of a page among N live buffers (vexpress-a9, non-coherent, icount)'
set xlabel 'live buffers'
set ylabel 'microseconds per free'
set logscale x
set key top left
plot '%s' using 1:3 with linespoints title 'upstream 6.12', '%s' using 1:2 with linespoints title 'ours'
""" % (png, data, data)
    subprocess.run(["gnuplot"], input=script, text=True, check=False)
    print("bench: plot in %s" % png)


if __name__ == "__main__":
    main()
