/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the IOMMU suites share.  Each binds QEMU's edu device to a driver
 * of its own, so that edu's DMA is set up as any driver's would be, and
 * holds what the DMA API gives it against the IOMMU's page tables.  They
 * need QEMU -machine virt,iommu=smmuv3 -device edu,dma_mask=0xffffffff
 * and skip otherwise.
 */
#ifndef __ARM_MM_DMA_IOMMU_TEST_H
#define __ARM_MM_DMA_IOMMU_TEST_H

#include <kunit/qemu_edu.h>
#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/string.h>

struct dma_iommu_mapping;

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

#endif /* __ARM_MM_DMA_IOMMU_TEST_H */
