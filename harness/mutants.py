#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make mutants: break the layer on purpose, one small bug at a time.

usage: mutants.py SRC BUILD [--only NAME]

Each mutant below is a change a careful reviewer could let through, most of
them a bug the project once had.  For each, the change is made to the
overlaid tree (SRC), the make check run that should see it is run (with a
KUnit filter when one suite is enough), and the file is put back.  A mutant
is killed when that run fails; it survives when the run passes.  A table
of the results goes to Documentation/arch/arm/dma-mapping-mutants.inc.
Not part of make check: each mutant rebuilds a kernel.
"""
import argparse
import json
import os
import re
import sys
import time
from collections import namedtuple

import check
import runner
import runs

# @old must occur exactly once in @path; @run is a run of make check,
# @filter a kunit filter_glob for a KUnit run (or None).
Mutant = namedtuple("Mutant", "name path old new run filter")

SG = "arch/arm/mm/dma-iommu-sg.c"
MAP = "arch/arm/mm/dma-iommu-map.c"
DOMAIN = "arch/arm/mm/dma-iommu-domain.c"
SMMU = "drivers/iommu/arm/smmu-v3-arm32/"

CACHE = "arch/arm/mm/dma-cache.c"
STREAM = "arch/arm/mm/dma-streaming.c"
# The cache mutants are judged by the data the CPU and a device read
# through the cache model, on vexpress (an outer cache, highmem).
DATA = ("vexpress", "arm_dma_cache_data")


def cache_mutant(name, path, old, new):
    return Mutant(name, path, old, new, *DATA)


MUTANTS = [
    # A receive buffer's dirty lines left in the cache at map: an eviction
    # lands on what the device wrote.
    cache_mutant("cache-from-device-map-keeps-dirty-lines", CACHE,
                 "\t[DMA_TO_DEVICE]\t\t= ARM_DMA_CLEAN,\n"
                 "\t[DMA_FROM_DEVICE]\t= ARM_DMA_INVALIDATE,",
                 "\t[DMA_TO_DEVICE]\t\t= ARM_DMA_CLEAN,\n"
                 "\t[DMA_FROM_DEVICE]\t= ARM_DMA_NO_OP,"),
    # No invalidate when the CPU takes a receive buffer back.
    cache_mutant("cache-from-device-unmap-no-invalidate", CACHE,
                 "\t[DMA_TO_DEVICE]\t\t= ARM_DMA_NO_OP,\n"
                 "\t[DMA_FROM_DEVICE]\t= ARM_DMA_INVALIDATE,",
                 "\t[DMA_TO_DEVICE]\t\t= ARM_DMA_NO_OP,\n"
                 "\t[DMA_FROM_DEVICE]\t= ARM_DMA_NO_OP,"),
    cache_mutant("cache-bidirectional-unmap-no-invalidate", CACHE,
                 "arm_dma_for_cpu_op[] = {\n"
                 "\t[DMA_BIDIRECTIONAL]\t= ARM_DMA_INVALIDATE,",
                 "arm_dma_for_cpu_op[] = {\n"
                 "\t[DMA_BIDIRECTIONAL]\t= ARM_DMA_NO_OP,"),
    # What the CPU wrote is thrown away instead of written back.
    cache_mutant("cache-to-device-invalidates", CACHE,
                 "[DMA_TO_DEVICE]\t\t= ARM_DMA_CLEAN,",
                 "[DMA_TO_DEVICE]\t\t= ARM_DMA_INVALIDATE,"),
    cache_mutant("cache-bidirectional-map-invalidates", CACHE,
                 "[DMA_BIDIRECTIONAL]\t= ARM_DMA_FLUSH,",
                 "[DMA_BIDIRECTIONAL]\t= ARM_DMA_INVALIDATE,"),
    # Towards the device the outer level first: the inner one's write-back
    # stops in it.
    cache_mutant("cache-outer-first-towards-device", CACHE,
                 "\tif (!for_cpu)\n\t\tarm_dma_inner_range(op, phys, size);\n"
                 "\tarm_dma_outer_op(op, phys, size);\n",
                 "\tarm_dma_outer_op(op, phys, size);\n"
                 "\tif (!for_cpu)\n\t\tarm_dma_inner_range(op, phys, size);\n"),
    # Towards the CPU the inner level first: it refills from a stale
    # outer line.
    cache_mutant("cache-inner-first-towards-cpu", CACHE,
                 "\tarm_dma_outer_op(op, phys, size);\n\tif (for_cpu) {\n"
                 "\t\tarm_dma_inner_range(op, phys, size);\n",
                 "\tif (for_cpu)\n\t\tarm_dma_inner_range(op, phys, size);\n"
                 "\tarm_dma_outer_op(op, phys, size);\n\tif (for_cpu) {\n"),
    cache_mutant("cache-no-outer-clean", CACHE,
                 "\t\touter_clean_range(start, start + size);",
                 "\t\t/* no outer clean */"),
    cache_mutant("cache-no-outer-invalidate", CACHE,
                 "\t\touter_inv_range(start, start + size);",
                 "\t\t/* no outer invalidate */"),
    # Highmem pages left out of the inner maintenance.
    cache_mutant("cache-highmem-skipped", CACHE,
                 "\t\t\tarm_dma_inner_highmem(op, phys_to_page(phys),\n"
                 "\t\t\t\t\t      offset_in_page(phys), len);",
                 "\t\t\t/* highmem skipped */"),
    # A highmem page maintained from its start, not the buffer's.
    cache_mutant("cache-highmem-offset-lost", CACHE,
                 "arm_dma_inner_op(op, vaddr + offset, len);\n"
                 "\tkunmap_local(vaddr);",
                 "arm_dma_inner_op(op, vaddr, len);\n\tkunmap_local(vaddr);"),
    # Only the first page of a lowmem buffer maintained.
    cache_mutant("cache-lowmem-first-page-only", CACHE,
                 "arm_dma_inner_op(op, phys_to_virt(phys), len);",
                 "arm_dma_inner_op(op, phys_to_virt(phys), "
                 "min_t(size_t, len, PAGE_SIZE));"),
    # Whole lines maintained: an invalidate drops the CPU's bytes around
    # the buffer.
    cache_mutant("cache-range-rounded-to-lines", CACHE,
                 "\tarm_dma_maintain(arm_dma_for_device_op[dir], phys, size, "
                 "false);",
                 "\tarm_dma_maintain(arm_dma_for_device_op[dir], "
                 "ALIGN_DOWN(phys, 64),\n\t\t\t ALIGN(size + (phys & 63), "
                 "64), false);"),
    # Zeroes left in the CPU's caches: the device reads old data.
    cache_mutant("cache-zeroes-not-flushed", CACHE,
                 "\tif (!coherent)\n\t\tarm_dma_maintain(ARM_DMA_FLUSH",
                 "\tif (0)\n\t\tarm_dma_maintain(ARM_DMA_FLUSH"),
    cache_mutant("unmap-sg-first-entry-only", STREAM,
                 "for_each_sg(sgl, sg, nents, i)\n\t\tarm_dma_unmap_phys(",
                 "for_each_sg(sgl, sg, 1, i)\n\t\tarm_dma_unmap_phys("),
    cache_mutant("sync-sg-first-entry-only", STREAM,
                 "for_each_sg(sgl, sg, nents, i) {\n\t\tif (for_device)",
                 "for_each_sg(sgl, sg, 1, i) {\n\t\tif (for_device)"),
    # An unmap that was told to skip the sync invalidates anyway, over
    # what the CPU wrote after its own sync.
    cache_mutant("unmap-ignores-skip-cpu-sync", STREAM,
                 "\tif (!arm_dma_check_handle(dev, \"unmap\", dma, size))\n"
                 "\t\treturn;\n\tif (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))",
                 "\tif (!arm_dma_check_handle(dev, \"unmap\", dma, size))\n"
                 "\t\treturn;\n\tif (1)"),
    # A strict unmap frees the IOVA without waiting for the IOTLB: the
    # device still reaches the page through a cached translation.
    Mutant("strict-unmap-no-iotlb-sync", "arch/arm/mm/dma-iova.h",
           "\tiommu_iotlb_sync(cookie->domain, gather);\n"
           "\tarm_iova_free(cookie, iova, size);",
           "\tarm_iova_free(cookie, iova, size);",
           "virt-smmu", "arm_dma_iommu"),
    # A page the device's mask cannot reach is handed to it anyway.
    Mutant("streaming-mask-ignored", STREAM,
           "if (unlikely(!dma_capable(dev, dma, size, true) ||\n"
           "\t\t     is_swiotlb_force_bounce(dev)))",
           "if (unlikely(is_swiotlb_force_bounce(dev)))",
           "virt-2g", "arm_dma_streaming"),
    # A coherent buffer larger than the coherent mask can ever hold.
    Mutant("coherent-mask-not-checked", "arch/arm/mm/dma-select.c",
           "if (!req.size || !arm_dma_mask_can_hold(dev, mask, req.size))",
           "if (!req.size)",
           "virt", "arm_dma_alloc*"),
    # A zero-length entry followed by boundary padding maps the page
    # before the entry.
    Mutant("sg-empty-entry-maps", SG,
           "\t\tif (len)\n\t\t\tlast = sg_phys(sg)",
           "\t\tif (1)\n\t\t\tlast = sg_phys(sg)",
           "virt-smmu", "arm_dma_iommu"),
    # Non-coherent masters behind the IOMMU: no clean before the device
    # reads.
    Mutant("iommu-map-page-no-clean", MAP,
           "if (dma != DMA_MAPPING_ERROR && !coherent &&",
           "if (dma != DMA_MAPPING_ERROR && coherent &&",
           "virt-smmu-noncoherent", "arm_dma_cache_data"),
    # After one failed step, later STE updates go without invalidation.
    Mutant("strtab-stops-invalidating", SMMU + "smmu-v3-strtab.c",
           "err = smmu_ste_sync(smmu, cmds, n);\n\t\t\t\tif (step == 2 || "
           "err == -ETIMEDOUT)",
           "err = ret ?: smmu_ste_sync(smmu, cmds, n);\n\t\t\t\tif (1)",
           "virt-smmu", "smmu_v3*"),
    # A command-fetch abort handled as an illegal command: the TLBI is lost.
    Mutant("cmdq-abort-not-retried", SMMU + "smmu-v3-queue.c",
           "if (cerror == CMDQ_CERROR_ABT && retries++",
           "if (0 && cerror == CMDQ_CERROR_ABT && retries++",
           "virt-smmu", "smmu_v3*"),
    # The IOVA space freed at the last unbind, before its domain.
    Mutant("iova-space-dies-at-unbind", "arch/arm/mm/dma-mapping.c",
           "\t/* A group domain keeps its IOVA space: what was left mapped "
           "stays. */\n",
           "\tif (!IS_ENABLED(CONFIG_ARM_DMA_USE_IOMMU) && get_dma_ops(dev) "
           "== &arm_iommu_dma_ops)\n\t\tarm_iommu_put_dma_cookie("
           "iommu_get_dma_domain(dev));\n",
           "drivers-virt-edu", None),
    # A device whose DMA domain cannot be made falls back to the direct
    # ops behind a translating domain.
    Mutant("direct-ops-behind-smmu", "arch/arm/mm/dma-mapping.c",
           "\tif (!arm_dma_translated(dev)) {", "\tif (1) {",
           "virt-smmu", "arm_dma_iommu_lifetime"),
    # A linear stream table capped at 8 SID bits.
    Mutant("linear-strtab-capped", SMMU + "smmu-v3.c",
           "max_bits = smmu->two_level ? SMMU_2LVL_MAX_BITS : "
           "SMMU_LINEAR_MAX_BITS;",
           "max_bits = smmu->two_level ? SMMU_2LVL_MAX_BITS : "
           "SMMU_LINEAR_BEST_BITS;",
           "virt-smmu-tinyq", None),
    # Only the first GICv2m frame's doorbell mapped.
    Mutant("one-gicv2m-doorbell", DOMAIN,
           "if (!db->frames || !np->parent)", "if (1)",
           "virt-smmu", "arm_dma_iommu_msi"),
    # IOVAs handed out in the PCI host bridge's windows.
    Mutant("iova-in-pci-window", DOMAIN,
           "\t\tif (resource_type(e->res) == IORESOURCE_MEM)\n"
           "\t\t\tarm_iova_reserve",
           "\t\tif (0)\n\t\t\tarm_iova_reserve",
           "virt-smmu", "arm_dma_iommu_pci"),
    # IOVAs handed out in the holes between dma-ranges windows.
    Mutant("iova-in-dma-ranges-hole", DOMAIN,
           "\tarm_iommu_reserve_dma_holes(bridge, cookie);\n",
           "\t/* no holes */\n",
           "virt-smmu", "arm_dma_iommu_pci"),
    # A master's domain changed without the lock the event thread reports
    # under.
    Mutant("fault-report-unlocked", SMMU + "smmu-v3-strtab.c",
           "\tmutex_lock(&master->smmu->streams_lock);\n"
           "\tmaster->domain = domain;\n"
           "\tmutex_unlock(&master->smmu->streams_lock);",
           "\tWRITE_ONCE(master->domain, domain);",
           "virt-smmu", "smmu_v3*"),
]

INC = "Documentation/arch/arm/dma-mapping-mutants.inc"


def failed_cases(group):
    """The names of the failed cases of a kunit.py JSON report."""
    found = [c["name"] for c in group.get("test_cases", [])
             if c["status"] not in ("PASS", "SKIP")]
    for sub in group.get("sub_groups", []):
        found += failed_cases(sub)
    return found


def killers(build, run):
    """What failed in the last @run: cases, or /init's KTAP lines."""
    report = os.path.join(build, "kunit-%s.json" % run)
    if os.path.exists(report):
        with open(report) as f:
            return failed_cases(json.load(f))
    log = os.path.join(build, run + ".log")
    if not os.path.exists(log):
        return []
    with open(log, errors="replace") as f:
        return [m.group(1) for m in
                re.finditer(r"^not ok \d+ (.*)$", f.read(), re.M)]


def execute(src, build, m):
    """Run @m's run on the mutated tree; returns its tally and note."""
    kunit_runs = {r.name: r for r in runs.KUNIT_RUNS}
    if m.run in kunit_runs:
        return check.kunit_run(src, build, kunit_runs[m.run], m.filter)
    boot = {r.name: r for r in runs.BOOT_RUNS}[m.run]
    return runner.boot_run(src, build, boot)


def try_mutant(src, build, m):
    """Apply @m, run, put the file back: (verdict, by what)."""
    path = os.path.join(src, m.path)
    with open(path) as f:
        text = f.read()
    if text.count(m.old) != 1:
        return "stale", "the code it changes is not there once"
    with open(path, "w") as f:
        f.write(text.replace(m.old, m.new))
    runner.KUNIT_BUILT.clear()  # build again, with the mutant
    try:
        tally, note = execute(src, build, m)
    finally:
        with open(path, "w") as f:
            f.write(text)
    if not tally["failed"]:
        return "survived", ""
    by = killers(build, m.run)
    return "killed", "; ".join(by[:3]) or note


def write_table(project, results, minutes):
    lines = [".. Written by make mutants; do not edit.", "",
             "``make mutants`` took %d min for %d mutants." %
             (minutes, len(results)), "",
             ".. list-table::", "   :header-rows: 1", "",
             "   * - mutant", "     - run", "     - verdict",
             "     - failed"]
    for m, verdict, by in results:
        lines += ["   * - ``%s``" % m.name, "     - ``%s``" % m.run,
                  "     - %s" % verdict,
                  "     - %s" % (by.replace("*", "\\*") or "")]
    with open(os.path.join(project, INC), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("build")
    ap.add_argument("--only", choices=[m.name for m in MUTANTS])
    args = ap.parse_args()
    src, build = os.path.abspath(args.src), os.path.abspath(args.build)
    project = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    start, results = time.time(), []
    for m in MUTANTS:
        if args.only not in (None, m.name):
            continue
        verdict, by = try_mutant(src, build, m)
        print("mutants: %-28s %-8s %s" % (m.name, verdict, by), flush=True)
        results.append((m, verdict, by))
    minutes = round((time.time() - start) / 60)
    if not args.only:
        write_table(project, results, minutes)
    alive = [m.name for m, v, _ in results if v != "killed"]
    print("mutants: %d killed of %d in %d min%s" %
          (len(results) - len(alive), len(results), minutes,
           "; not killed: " + ", ".join(alive) if alive else ""))
    sys.exit(1 if alive else 0)


if __name__ == "__main__":
    main()
