#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The pristine 6.12 tree that make bench and make conformance-upstream
compare against: build/linux-upstream, unpacked from the same tarball as the
project's tree, with nothing of the layer in it.

What it gets is the least the comparisons need: the alloc/free benchmark;
our SMMUv3 driver (upstream has none for ARM32), under upstream's own legacy
arm_iommu DMA path; and the DMA API conformance suite with the QEMU
machines kunit.py boots it on.  These are test clients and a driver, never a
file of the layer.
"""
import os

import overlay

HARNESS = os.path.dirname(os.path.abspath(__file__))

SMMU = "drivers/iommu/arm/smmu-v3-arm32"

# Project files and folders copied as they are (but the SMMU driver's
# Kconfig, which gets harness/bench-upstream-smmu.Kconfig).
COPIED = [
    "kernel/dma/alloc_benchmark.c",
    "kernel/dma/conformance",
    "include/kunit/qemu_edu.h",
    "tools/testing/kunit/qemu_configs/armdma_virt.py",
    "tools/testing/kunit/qemu_configs/armdma_vexpress.py",
    SMMU,
]

# Lines appended to upstream files.
APPENDED = [
    ("kernel/dma/Makefile",
     "obj-$(CONFIG_DMA_MAP_BENCHMARK) += alloc_benchmark.o"),
    ("kernel/dma/Makefile",
     "obj-$(CONFIG_DMA_API_CONFORMANCE_KUNIT_TEST) += conformance/"),
    ("lib/Kconfig.debug", 'source "kernel/dma/conformance/Kconfig"'),
    ("drivers/iommu/arm/Makefile",
     "obj-$(CONFIG_ARM_SMMU_V3_ARM32) += smmu-v3-arm32/"),
    ("drivers/iommu/Kconfig", 'source "%s/Kconfig"' % SMMU),
]


def files(project, path):
    """@path, or the files of folder @path, relative to @project."""
    full = os.path.join(project, path)
    if not os.path.isdir(full):
        return [path]
    return [os.path.join(path, name) for name in sorted(os.listdir(full))
            if os.path.isfile(os.path.join(full, name)) and
            (path, name) != (SMMU, "Kconfig")]


def copy_if_changed(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    overlay.write_if_changed(dst, overlay.read(src))


def append_once(path, line):
    if line + "\n" not in open(path).read():
        with open(path, "a") as f:
            f.write(line + "\n")


def prepare(project, build_dir):
    """Unpack (once) and complete the pristine tree; return its path."""
    src = os.path.join(build_dir, "linux-upstream")
    overlay.unpack(src)
    for path in COPIED:
        for name in files(project, path):
            copy_if_changed(os.path.join(project, name),
                            os.path.join(src, name))
    copy_if_changed(os.path.join(HARNESS, "bench-upstream-smmu.Kconfig"),
                    os.path.join(src, SMMU, "Kconfig"))
    for path, line in APPENDED:
        append_once(os.path.join(src, path), line)
    return src
