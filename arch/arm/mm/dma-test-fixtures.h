/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the KUnit suites of the ARM DMA layer share: devices of a test's
 * own, a log of the cache maintenance the layer asks for, and QEMU's edu
 * device behind an IOMMU.  Only the suites include it.
 */
#ifndef __ARM_MM_DMA_TEST_FIXTURES_H
#define __ARM_MM_DMA_TEST_FIXTURES_H

#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/kmsg_dump.h>
#include <linux/string.h>

#include "dma-internal.h"
#include "dma-test.h"

/* Devices */

/*
 * A device of the test's own, with 32-bit masks and the direct ops its
 * coherence calls for.
 */
static inline struct device *arm_dma_test_device(struct kunit *test,
						 const char *name,
						 bool coherent)
{
	struct device *dev = kunit_device_register(test, name);
	u64 *mask;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	mask = kunit_kzalloc(test, sizeof(*mask), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mask);
	*mask = DMA_BIT_MASK(32);
	dev->dma_mask = mask;
	dev->coherent_dma_mask = DMA_BIT_MASK(32);
	arch_setup_dma_ops(dev, coherent);
	return dev;
}

/* A zeroed kmalloc() buffer of @size bytes, freed when the test ends. */
static inline void *arm_dma_test_buffer(struct kunit *test, size_t size)
{
	void *buf = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	return buf;
}

/* What the kernel prints */

/* From now on, for arm_dma_test_logged(). */
static inline void arm_dma_test_log_start(struct kmsg_dump_iter *iter)
{
	kmsg_dump_rewind(iter);
	iter->cur_seq = iter->next_seq;
}

/* Whether @dev said something containing @text since the last look. */
static inline bool arm_dma_test_logged(struct kmsg_dump_iter *iter,
				       struct device *dev, const char *text)
{
	static char line[512];
	bool found = false;
	size_t len;

	while (kmsg_dump_get_line(iter, false, line, sizeof(line) - 1, &len)) {
		line[len] = '\0';
		if (strstr(line, dev_name(dev)) && strstr(line, text))
			found = true;
	}
	return found;
}

/* The cache maintenance the layer asks for */

/* One request: inner ones by kernel address, outer ones by physical. */
struct arm_dma_cache_call {
	bool outer;
	enum arm_dma_cache_op op;
	u64 start;
	size_t size;
};

#define ARM_DMA_CACHE_LOG_MAX	64

struct arm_dma_cache_log {
	struct arm_dma_cache_call calls[ARM_DMA_CACHE_LOG_MAX];
	unsigned int n;
};

/* Where this file's stubs write: set by arm_dma_log_cache_calls(). */
static struct arm_dma_cache_log *arm_dma_cache_log __maybe_unused;

static inline void arm_dma_cache_log_add(bool outer, enum arm_dma_cache_op op,
					 u64 start, size_t size)
{
	struct arm_dma_cache_log *log = arm_dma_cache_log;

	if (log->n < ARM_DMA_CACHE_LOG_MAX)
		log->calls[log->n++] = (struct arm_dma_cache_call) {
			.outer = outer, .op = op, .start = start, .size = size,
		};
}

static inline void arm_dma_log_inner(enum arm_dma_cache_op op,
				     const void *start, size_t size)
{
	arm_dma_cache_log_add(false, op, (unsigned long)start, size);
}

static inline void arm_dma_log_outer(enum arm_dma_cache_op op,
				     phys_addr_t start, size_t size)
{
	arm_dma_cache_log_add(true, op, start, size);
}

/*
 * From now until the test ends, every cache operation the layer asks for
 * is logged instead of done (QEMU has no data cache to do it to).
 */
static inline struct arm_dma_cache_log *
arm_dma_log_cache_calls(struct kunit *test)
{
	struct arm_dma_cache_log *log = kunit_kzalloc(test, sizeof(*log),
						      GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, log);
	arm_dma_cache_log = log;
	kunit_activate_static_stub(test, arm_dma_inner_op, arm_dma_log_inner);
	kunit_activate_static_stub(test, arm_dma_outer_op, arm_dma_log_outer);
	return log;
}

/* The log holds exactly @want, @n calls, in order; then it is emptied. */
static inline void arm_dma_expect_cache_calls(struct kunit *test,
					      struct arm_dma_cache_log *log,
					      const struct arm_dma_cache_call *want,
					      unsigned int n)
{
	static const char *const names[] = {
		[ARM_DMA_NO_OP] = "none", [ARM_DMA_CLEAN] = "clean",
		[ARM_DMA_INVALIDATE] = "invalidate", [ARM_DMA_FLUSH] = "flush",
	};
	unsigned int i;

	KUNIT_EXPECT_EQ_MSG(test, log->n, n, "cache operations recorded");
	for (i = 0; i < min(n, log->n); i++) {
		const struct arm_dma_cache_call *got = &log->calls[i];

		KUNIT_EXPECT_TRUE_MSG(test, got->outer == want[i].outer &&
				      got->op == want[i].op &&
				      got->start == want[i].start &&
				      got->size == want[i].size,
				      "call %u: got %s %s %#llx+%zu, want %s %s %#llx+%zu",
				      i, got->outer ? "outer" : "inner",
				      names[got->op], got->start, got->size,
				      want[i].outer ? "outer" : "inner",
				      names[want[i].op], want[i].start,
				      want[i].size);
	}
	log->n = 0;
}

/* Pages of highmem, or the case is skipped: the boot has none to give. */
static inline struct page *arm_dma_test_highmem_pages(struct kunit *test,
						      unsigned int order)
{
	struct page *page = alloc_pages(GFP_HIGHUSER | __GFP_NOWARN, order);

	if (!page)
		kunit_skip(test, "no highmem pages to be had");
	if (!PageHighMem(page)) {
		__free_pages(page, order);
		kunit_skip(test, "no highmem in this boot");
	}
	return page;
}

/* QEMU's edu device behind an IOMMU */

#if IS_ENABLED(CONFIG_PCI)
#include <kunit/qemu_edu.h>
#include <linux/pci.h>

struct dma_iommu_mapping;

/*
 * The IOMMU suites bind edu to a driver of their own, so that its DMA is
 * set up as any driver's would be, and hold what the DMA API gives it
 * against the IOMMU's page tables.  They need QEMU -machine
 * virt,iommu=smmuv3 -device edu,dma_mask=0xffffffff and skip otherwise.
 */
struct iommu_test {
	struct pci_dev *pdev;
	struct device *dev;
	struct iommu_domain *domain;
	unsigned long fault_iova;
	int faults;
	int map_calls, fail_at;
	unsigned long mapped[8];
	struct dma_iommu_mapping *saved, *mine;
};

/*
 * A case's view of @edu: skipped when QEMU gave no edu, or put it outside
 * an IOMMU; otherwise with a 32-bit mask.
 */
static inline int iommu_test_setup(struct kunit *test,
				   struct qemu_edu_binding *edu)
{
	struct iommu_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	test->priv = t;
	if (!edu->pdev)
		kunit_skip(test, "no edu device: QEMU -device edu");
	t->pdev = edu->pdev;
	t->dev = &edu->pdev->dev;
	if (!device_iommu_mapped(t->dev))
		kunit_skip(test, "edu is not behind an IOMMU: -machine iommu=smmuv3");
	t->domain = iommu_get_domain_for_dev(t->dev);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(t->dev, DMA_BIT_MASK(32)), 0);
	return 0;
}

/* The page the IOMMU translates @iova to, or NULL. */
static inline struct page *translated(struct iommu_test *t, dma_addr_t iova)
{
	phys_addr_t phys = iommu_iova_to_phys(t->domain, iova);

	return phys ? phys_to_page(phys) : NULL;
}

/* An IOMMU fault handler: counts @t's faults and keeps the last IOVA. */
static inline int count_fault(struct iommu_domain *domain, struct device *dev,
			      unsigned long iova, int flags, void *token)
{
	struct iommu_test *t = token;

	t->fault_iova = iova;
	t->faults++;
	return 0;
}

static inline void __iomem *edu_start(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	void __iomem *regs;

	KUNIT_ASSERT_EQ(test, pci_enable_device(t->pdev), 0);
	pci_set_master(t->pdev);
	regs = pci_iomap(t->pdev, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, regs);
	return regs;
}

/*
 * edu copies a page of 0x3e in through one streaming map and back out
 * through another, to @b.  Returns the DMA address @b had.
 */
static inline dma_addr_t edu_round_trip(struct kunit *test,
					void __iomem *regs, u8 *b)
{
	struct iommu_test *t = test->priv;
	dma_addr_t in, out;
	u8 *a;

	a = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	memset(a, 0x3e, PAGE_SIZE);
	in = dma_map_single(t->dev, a, PAGE_SIZE, DMA_TO_DEVICE);
	out = dma_map_single(t->dev, b, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, in));
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, out));
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(regs, in, false));
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(regs, out, true));
	dma_unmap_single(t->dev, in, PAGE_SIZE, DMA_TO_DEVICE);
	dma_unmap_single(t->dev, out, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0x3e, QEMU_EDU_XFER));
	return out;
}

/* The coherent buffers a driver can have: gathered, contiguous, atomic. */
static const struct {
	gfp_t gfp;
	unsigned long attrs;
} iommu_test_kinds[] __maybe_unused = {
	{ GFP_KERNEL, 0 },
	{ GFP_KERNEL, DMA_ATTR_FORCE_CONTIGUOUS },
	{ GFP_ATOMIC, 0 },
};
#endif /* CONFIG_PCI */

#endif /* __ARM_MM_DMA_TEST_FIXTURES_H */
