// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: IOVAs where a PCI device's host bridge takes them.
 *
 * A PCI device's DMA address is a bus address before the IOMMU sees it.
 * One in the host bridge's memory windows is routed by a switch without
 * ACS to a peer's BAR, never to the IOMMU; one in a hole between the
 * bridge's inbound ranges (dma-ranges) is not passed on at all.  QEMU
 * routes every DMA to the IOMMU, so the cases hold the IOVAs the DMA API
 * gives edu against the bridge's description: each picks a DMA mask whose
 * top lies in a window or a hole, so that an IOVA space which hands out
 * its highest free range first would give one there.  They need QEMU
 * -machine virt,iommu=smmuv3 -device edu,dma_mask=0xffffffff; the hole
 * case needs dma-ranges with a hole (harness/virt-dtb.sh pci-dma-hole).
 */
#include <linux/dma-mapping.h>
#include <linux/list.h>
#include <linux/pci.h>

#include "dma-test-fixtures.h"

static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("arm-dma-iommu-pci-test", false);

static int pci_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&edu_binding.driver);
}

static void pci_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_binding.driver);
}

static int pci_test_init(struct kunit *test)
{
	return iommu_test_setup(test, &edu_binding);
}

/* Whether bus address @at lies in one of @list's resources. */
static bool in_list(struct list_head *list, dma_addr_t at, bool mem_only)
{
	struct resource_entry *e;

	resource_list_for_each_entry(e, list) {
		if (mem_only && resource_type(e->res) != IORESOURCE_MEM)
			continue;
		if (at >= e->res->start - e->offset &&
		    at <= e->res->end - e->offset)
			return true;
	}
	return false;
}

/* The narrowest mask from 16 bits up whose top @bad says is wrong, or 0. */
static u64 mask_ending_in(struct pci_host_bridge *b,
			  bool (*bad)(struct pci_host_bridge *b, dma_addr_t at))
{
	unsigned int bits;

	for (bits = 16; bits <= 32; bits++)
		if (bad(b, DMA_BIT_MASK(bits)))
			return DMA_BIT_MASK(bits);
	return 0;
}

/*
 * An eighth of the space under the mask, mapped from MMIO (the bridge's
 * own window: no RAM needed).  Too large for the IOVA caches, and for the
 * room under wherever the IOVA library's search hint happens to be, so
 * the range comes from a search of the space from the mask down.
 */
static size_t span_under(u64 mask)
{
	return (mask + 1) / 8;
}

/* Map @span bytes of MMIO under @mask for edu; the IOVA, or an error. */
static dma_addr_t map_under(struct kunit *test, struct pci_host_bridge *b,
			    u64 mask, size_t span)
{
	struct iommu_test *t = test->priv;
	struct resource_entry *e;
	dma_addr_t iova;

	resource_list_for_each_entry(e, &b->windows)
		if (resource_type(e->res) == IORESOURCE_MEM &&
		    resource_size(e->res) >= span)
			break;
	KUNIT_ASSERT_FALSE(test, list_entry_is_head(e, &b->windows, node));
	KUNIT_ASSERT_EQ(test, dma_set_mask(t->dev, mask), 0);
	iova = dma_map_resource(t->dev, e->res->start, span,
				DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_FALSE(test, dma_mapping_error(t->dev, iova));
	return iova;
}

static void unmap(struct kunit *test, dma_addr_t iova, size_t span)
{
	struct iommu_test *t = test->priv;

	if (!dma_mapping_error(t->dev, iova))
		dma_unmap_resource(t->dev, iova, span, DMA_BIDIRECTIONAL, 0);
	dma_set_mask(t->dev, DMA_BIT_MASK(32));
}

static bool in_window(struct pci_host_bridge *b, dma_addr_t at)
{
	return in_list(&b->windows, at, true);
}

static void no_iova_lies_in_a_host_bridge_window(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct pci_host_bridge *b = pci_find_host_bridge(t->pdev->bus);
	dma_addr_t iova;
	size_t span;
	u64 mask;

	mask = mask_ending_in(b, in_window);
	if (!mask)
		kunit_skip(test, "no window of the host bridge below 4 GiB holds a mask's top");
	span = span_under(mask);
	iova = map_under(test, b, mask, span);
	if (!dma_mapping_error(t->dev, iova)) {
		KUNIT_EXPECT_LE(test, iova + span - 1, mask);
		KUNIT_EXPECT_FALSE_MSG(test, in_window(b, iova),
				       "IOVA %pad in a window", &iova);
		KUNIT_EXPECT_FALSE(test, in_window(b, iova + span - 1));
	}
	unmap(test, iova, span);
}

static bool in_hole(struct pci_host_bridge *b, dma_addr_t at)
{
	return !in_list(&b->dma_ranges, at, false);
}

static void no_iova_lies_in_a_hole_of_the_inbound_ranges(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct pci_host_bridge *b = pci_find_host_bridge(t->pdev->bus);
	dma_addr_t iova;
	size_t span;
	u64 mask = 0;

	if (!list_empty(&b->dma_ranges))
		mask = mask_ending_in(b, in_hole);
	if (!mask)
		kunit_skip(test, "no hole in dma-ranges below 4 GiB: virt-dtb.sh pci-dma-hole");
	span = span_under(mask);
	iova = map_under(test, b, mask, span);
	if (!dma_mapping_error(t->dev, iova)) {
		KUNIT_EXPECT_FALSE_MSG(test, in_hole(b, iova),
				       "IOVA %pad in a hole", &iova);
		KUNIT_EXPECT_FALSE(test, in_hole(b, iova + span - 1));
	}
	unmap(test, iova, span);
}

static struct kunit_case arm_dma_iommu_pci_cases[] = {
	KUNIT_CASE(no_iova_lies_in_a_host_bridge_window),
	KUNIT_CASE(no_iova_lies_in_a_hole_of_the_inbound_ranges),
	{}
};

static struct kunit_suite arm_dma_iommu_pci_suite = {
	.name = "arm_dma_iommu_pci",
	.suite_init = pci_suite_init,
	.suite_exit = pci_suite_exit,
	.init = pci_test_init,
	.test_cases = arm_dma_iommu_pci_cases,
};

kunit_test_suite(arm_dma_iommu_pci_suite);

MODULE_DESCRIPTION("KUnit: IOVAs and the PCI host bridge on 32-bit ARM");
MODULE_LICENSE("GPL");
