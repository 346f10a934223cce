#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: the kernel's own dma_map_benchmark, ours against upstream.

usage: bench.py PROJECT BUILD [table]

Builds, from the same configuration fragment, one kernel from the overlaid
tree (ours) and one from a pristine 6.12 base (upstream), boots each under
the same QEMU command with -icount shift=3,sleep=off -smp 1 (guest time
counts executed instructions, 8 ns each, so figures repeat), binds a device
to dma_map_benchmark from /init (harness/bench.c) and runs streaming
map/unmap for each direction and granule; the runs are runs.BENCH_RUNS.
Writes every figure as CSV to BUILD/bench/results.csv, and the table and
the goals to Documentation/arch/arm/dma-mapping-bench.inc.  With "table",
only writes the documentation again from the last run's CSV.
"""
import csv
import os
import re
import shutil
import subprocess
import sys

import runner
import runs
import tables
import upstream

HARNESS = os.path.dirname(os.path.abspath(__file__))
TABLE = "Documentation/arch/arm/dma-mapping-bench.inc"


def build(src, build_dir, kernel, machine):
    fragment = runs.BENCH_MACHINES[machine].fragment
    out = os.path.join(build_dir, "bench", "%s-%s" % (kernel, machine))
    os.makedirs(out, exist_ok=True)
    text = open(os.path.join(HARNESS, fragment)).read()
    if machine == "virt":
        text += open(os.path.join(HARNESS, "bench-upstream-smmu.config"
                                  if kernel == "upstream" else
                                  "bench-ours.config")).read()
    text += runs.BENCH_KERNELS[kernel][1]
    frag = os.path.join(out, "bench.config")
    with open(frag, "w") as f:
        f.write(text)
    if not runner.build_kernel(src, out, frag):
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


def per_entry(field, n):
    return int(field) / int(n) / 1000


# What /init prints, and the figures (microseconds) each line gives.
FIGURES = [
    (r"bench: (\S+) map_100ns=(\d+) unmap_100ns=(\d+)",
     lambda m: {m[1] + " map": int(m[2]) / 10,
                m[1] + " unmap": int(m[3]) / 10}),
    (r"bench: map_sg/(\d+)-entries map_ns=(\d+) unmap_ns=(\d+) "
     r"segments=(\d+)",
     lambda m: {"map_sg/%s-entries map per entry" % m[1]: per_entry(m[2], m[1]),
                "map_sg/%s-entries unmap per entry" % m[1]:
                per_entry(m[3], m[1]),
                "map_sg/%s-entries DMA segments" % m[1]: int(m[4])}),
    (r"bench: iommu_driver/(\d+)K map_ns=(\d+) unmap_ns=(\d+) "
     r"clear_ns=(\d+)",
     lambda m: {"iommu_map alone/%sK" % m[1]: int(m[2]) / 1000,
                "iommu_unmap alone/%sK" % m[1]: int(m[3]) / 1000,
                "iommu_unmap_fast alone/%sK" % m[1]: int(m[4]) / 1000}),
    (r"bench: zero/4K ns=(\d+)",
     lambda m: {"zeroing a page alone (memset)": int(m[1]) / 1000}),
    (r"bench: io/(\S+)/(\S+)/(\d+)K ns=(\d+)",
     lambda m: {"O_DIRECT %s %sK on %s" % (m[2], m[3], m[1]):
                int(m[4]) / 1000}),
    (r"bench: (\S+) alloc_ns=(\d+) free_ns=(\d+)",
     lambda m: {m[1] + " alloc": int(m[2]) / 1000,
                m[1] + " free": int(m[3]) / 1000}),
]


def boot(out, run):
    machine = runs.BENCH_MACHINES[run.machine]
    cmd = ["qemu-system-arm", "-nodefaults", "-nographic", "-no-reboot",
           "-serial", "stdio", "-initrd", os.path.join(out, "bench.cpio.gz"),
           "-append", "console=ttyAMA0 panic=-1 %s bench.seconds=1 %s" %
           (machine.kargs, run.kargs)] + run.timing
    cmd += [a.format(build=out) for a in machine.qemu] + run.qemu
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
        for pattern, read in FIGURES:
            m = re.match(pattern, line)
            if m:
                figures.update(read(m))
        if line.startswith("bench: error"):
            print(line)
    if not figures:
        print(console[-3000:])
        sys.exit("bench: no figures from %s" % out)
    return figures


def write_csv(rows, out):
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["run", "figure", "ours_us", "upstream_us", "ratio"])
        for label, figure, ours, up in rows:
            w.writerow([label, figure, ours, up if up is not None else "",
                        "%.2f" % (ours / up) if up else ""])


def read_csv(path):
    with open(path, newline="") as f:
        return [(r["run"], r["figure"], float(r["ours_us"]),
                 float(r["upstream_us"]) if r["upstream_us"] else None)
                for r in csv.DictReader(f)]


def write_table(project, rows):
    """Print the table and the goals, and write them into the docs."""
    cells = [[label, figure, "%.1f" % ours,
              "%.1f" % up if up is not None else "n/a",
              "%.2f" % (ours / up) if up else "n/a"]
             for label, figure, ours, up in rows]
    said = goals(rows)
    print("\n".join(["", "| run | figure | ours (us) | upstream (us) |"
                      " ours/upstream |"] +
                     ["| %s |" % " | ".join(c) for c in cells] + [""] + said))
    tables.write(os.path.join(project, TABLE), "make bench",
                 ["QEMU 7.2, ``%s``; microseconds per operation." %
                  " ".join(runs.ICOUNT), ""] +
                 tables.list_table(["run", "figure", "ours (us)",
                                    "upstream (us)", "ours/upstream"], cells) +
                 ["", "::", ""] + ["    " + s for s in said])


def main():
    project, build_dir = (os.path.abspath(a) for a in sys.argv[1:3])
    out = os.path.join(build_dir, "bench", "results.csv")
    if sys.argv[3:] == ["table"]:
        write_table(project, read_csv(out))
        return
    upstream.prepare(project, build_dir)

    kernels = {}
    rows = []
    for run in runs.BENCH_RUNS:
        results = {}
        for kernel in run.kernels:
            key = (kernel, runs.BENCH_MACHINES[run.machine].kernel)
            if key not in kernels:
                src = os.path.join(build_dir, runs.BENCH_KERNELS[kernel][0])
                kernels[key] = build(src, build_dir, kernel, key[1])
            results[kernel] = boot(kernels[key], run)
        for figure in results[run.kernels[0]]:
            ours = results[run.kernels[0]][figure]
            up = results.get("upstream", {}).get(figure)
            rows.append((run.label, figure, ours, up))

    write_csv(rows, out)
    write_table(project, rows)
    plot(rows, os.path.join(build_dir, "bench"))
    print("\nbench: results in %s" % out)


def goals(rows):
    """The goals, each figure against its bound (a miss does not fail make
    bench), and what the figures say: lines of text."""
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
    said = ["Goals (ours against the bound; a miss does not fail make bench):"]
    for text, value, bound in checks:
        if value is None:
            said.append("  %s: no figure" % text)
        else:
            said.append("  %s: %.2f, goal <= %.2f: %s" % (
                text, value, bound, "met" if value <= bound else "missed"))
    if floor is not None and pair(up, strict, mu):
        said.append("  iommu_map+iommu_unmap alone on the same SMMU driver: %.1f us,"
              " %.2f of upstream's map+unmap: no layer over this driver can"
              " go below that" % (floor, floor / pair(up, strict, mu)))
    said += zeroing_share(ours, up)
    record = pair(ours, "virt coherent, DMA_API_DEBUG", mu)
    if record is not None and pair(ours, "virt coherent", mu):
        plain = pair(ours, "virt coherent", mu)
        said.append("  a record per mapping (DMA_API_DEBUG): 4K map+unmap %.1f us"
              " against %.1f us without, %.2fx" % (record, plain,
                                                   record / plain))
    clear = ours.get((strict, "iommu_unmap_fast alone/4K"))
    if clear is not None and ours.get((strict, mu + " unmap")):
        said.append("  iommu_unmap_fast alone (the page table work a lazy unmap"
              " still does): %.1f us, %.2f of our strict unmap" % (
                  clear, clear / ours[(strict, mu + " unmap")]))
    return said


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
    said = []
    zero = ours.get(("virt coherent", "zeroing a page alone (memset)"))
    if zero is None:
        return said
    for path in ("coherent", "sleeping", "atomic"):
        figure = "alloc_free/%s/0-live alloc" % path
        for label in ("virt coherent", "vexpress non-coherent"):
            alloc, theirs = ours.get((label, figure)), up.get((label, figure))
            if alloc:
                said.append("  zeroing a page (%.1f us) is %.0f%% of our %s"
                            " allocation on %s (%.1f us; upstream %s)" % (
                                zero, 100 * zero / alloc, path, label, alloc,
                                "%.1f us" % theirs if theirs else "n/a"))
    return said


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
