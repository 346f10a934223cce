// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: what the IOMMU ops do with calls the DMA API forbids.
 *
 * A free or unmap must name one whole mapping: its start, its size, and
 * still mapped.  Anything else is refused before any of it is unmapped, so
 * that no IOVA stays mapped to memory the caller gets back, and no other
 * buffer loses its mapping.  The page tables are the record: each case
 * reads them back after the bad call.
 */
#include <linux/dma-map-ops.h>
#include <linux/gfp.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

#include "dma-test-fixtures.h"

static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("arm-dma-iommu-misuse-test", false);

static int misuse_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&edu_binding.driver);
}

static void misuse_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_binding.driver);
}

static int misuse_test_init(struct kunit *test)
{
	arm_dma_expect_warning(test, "through an IOMMU");
	arm_dma_expect_warning(test, "bad free of a coherent DMA buffer");
	return iommu_test_setup(test, &edu_binding);
}

/*
 * DMA-API debug reports a bad free or unmap as @what and forgets the
 * buffer, so it reports the right free after it as well.
 */
static void expect_forgotten_after(struct kunit *test, const char *what)
{
	arm_dma_expect_dma_debug_error(test, what);
	arm_dma_expect_dma_debug_error(test, "free DMA memory it has not allocated");
}

/* Each of @pages pages from @iova translates to what the CPU sees at @cpu. */
static void expect_mapped(struct kunit *test, dma_addr_t iova, void *cpu,
			  unsigned int pages)
{
	struct iommu_test *t = test->priv;
	unsigned int i;

	for (i = 0; i < pages; i++) {
		void *va = cpu + i * PAGE_SIZE;
		struct page *page = is_vmalloc_addr(va) ? vmalloc_to_page(va) :
							  virt_to_page(va);

		KUNIT_EXPECT_PTR_EQ_MSG(test, translated(t, iova + i * PAGE_SIZE),
					page, "page %u of %u", i, pages);
	}
}

static void expect_unmapped(struct kunit *test, dma_addr_t iova,
			    unsigned int pages)
{
	struct iommu_test *t = test->priv;
	unsigned int i;

	for (i = 0; i < pages; i++)
		KUNIT_EXPECT_NULL_MSG(test, translated(t, iova + i * PAGE_SIZE),
				      "page %u of %u", i, pages);
}

/*
 * A map of no bytes is refused, and leaves the IOVA space as it was: the
 * IOVA library must never see a request of no size, after which it would
 * refuse every request below 4 GiB.
 */
static void a_map_of_no_bytes_is_refused_and_harms_nothing(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist sg;
	dma_addr_t dma;
	void *cpu;
	u8 *buf;

	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = dma_map_single(t->dev, buf, 0, DMA_TO_DEVICE);
	KUNIT_EXPECT_TRUE(test, dma_mapping_error(t->dev, dma));
	sg_init_one(&sg, buf, 0);
	KUNIT_EXPECT_EQ(test, dma_map_sg(t->dev, &sg, 1, DMA_TO_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, dma_map_sg(t->dev, &sg, 0, DMA_TO_DEVICE), 0);

	/* Maps and allocations of every size still work. */
	dma = dma_map_single(t->dev, buf, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	KUNIT_EXPECT_PTR_EQ(test, translated(t, dma), virt_to_page(buf));
	dma_unmap_single(t->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	cpu = dma_alloc_coherent(t->dev, 4 * PAGE_SIZE, &dma, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	dma_free_coherent(t->dev, 4 * PAGE_SIZE, cpu, dma);
}

static void unmapping_an_address_never_mapped_is_refused(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct page *page = alloc_page(GFP_KERNEL);
	dma_addr_t live;

	KUNIT_ASSERT_NOT_NULL(test, page);
	live = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, live));

	/* Inside the reserved MSI window: never handed out, never mapped. */
	arm_dma_expect_dma_debug_error(test, "free DMA memory it has not allocated");
	dma_unmap_page(t->dev, SZ_128M + SZ_256K, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_PTR_EQ(test, translated(t, live), page);

	dma_unmap_page(t->dev, live, PAGE_SIZE, DMA_TO_DEVICE);
	__free_page(page);
}

static void a_buffer_freed_as_smaller_stays_whole(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(iommu_test_kinds); k++) {
		dma_addr_t iova;
		void *cpu;

		cpu = dma_alloc_attrs(t->dev, 4 * PAGE_SIZE, &iova,
				      iommu_test_kinds[k].gfp, iommu_test_kinds[k].attrs);
		KUNIT_ASSERT_NOT_NULL(test, cpu);
		expect_forgotten_after(test, "with different size");
		dma_free_attrs(t->dev, PAGE_SIZE, cpu, iova, iommu_test_kinds[k].attrs);
		expect_mapped(test, iova, cpu, 4);

		dma_free_attrs(t->dev, 4 * PAGE_SIZE, cpu, iova, iommu_test_kinds[k].attrs);
		expect_unmapped(test, iova, 4);
	}
}

/* Two live buffers of two pages of kind @k, the lower IOVA first. */
struct buffer_pair {
	void *cpu[2];
	dma_addr_t iova[2];
};

static void alloc_pair(struct kunit *test, unsigned int k,
		       struct buffer_pair *p)
{
	struct iommu_test *t = test->priv;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		p->cpu[i] = dma_alloc_attrs(t->dev, 2 * PAGE_SIZE, &p->iova[i],
					    iommu_test_kinds[k].gfp, iommu_test_kinds[k].attrs);
		KUNIT_ASSERT_NOT_NULL(test, p->cpu[i]);
	}
	if (p->iova[0] > p->iova[1]) {
		swap(p->cpu[0], p->cpu[1]);
		swap(p->iova[0], p->iova[1]);
	}
}

static void expect_pair_mapped(struct kunit *test, struct buffer_pair *p)
{
	expect_mapped(test, p->iova[0], p->cpu[0], 2);
	expect_mapped(test, p->iova[1], p->cpu[1], 2);
}

/* The right frees still work, and leave nothing of either mapped. */
static void free_pair(struct kunit *test, unsigned int k,
		      struct buffer_pair *p)
{
	struct iommu_test *t = test->priv;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		dma_free_attrs(t->dev, 2 * PAGE_SIZE, p->cpu[i], p->iova[i],
			       iommu_test_kinds[k].attrs);
		expect_unmapped(test, p->iova[i], 2);
	}
}

static void a_buffer_freed_as_larger_leaves_its_neighbour_alone(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct buffer_pair p;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(iommu_test_kinds); k++) {
		alloc_pair(test, k, &p);
		/* The lower one is freed as if it ran into the other. */
		expect_forgotten_after(test, "with different size");
		dma_free_attrs(t->dev, p.iova[1] + 2 * PAGE_SIZE - p.iova[0],
			       p.cpu[0], p.iova[0], iommu_test_kinds[k].attrs);
		expect_pair_mapped(test, &p);
		free_pair(test, k, &p);
	}
}

static void a_free_with_another_buffers_handle_frees_neither(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct buffer_pair p;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(iommu_test_kinds); k++) {
		alloc_pair(test, k, &p);
		expect_forgotten_after(test, "with different CPU address");
		expect_forgotten_after(test, "with different CPU address");
		dma_free_attrs(t->dev, 2 * PAGE_SIZE, p.cpu[0], p.iova[1],
			       iommu_test_kinds[k].attrs);
		dma_free_attrs(t->dev, 2 * PAGE_SIZE, p.cpu[1], p.iova[0],
			       iommu_test_kinds[k].attrs);
		expect_pair_mapped(test, &p);
		free_pair(test, k, &p);
	}
}

static void a_buffer_freed_twice_is_freed_once(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	dma_addr_t iova, again;
	void *cpu, *other;

	cpu = dma_alloc_coherent(t->dev, PAGE_SIZE, &iova, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	dma_free_coherent(t->dev, PAGE_SIZE, cpu, iova);
	arm_dma_expect_dma_debug_error(test, "free DMA memory it has not allocated");
	dma_free_coherent(t->dev, PAGE_SIZE, cpu, iova);

	/* The IOVA space and the allocator still hand out working buffers. */
	other = dma_alloc_coherent(t->dev, PAGE_SIZE, &again, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other);
	expect_mapped(test, again, other, 1);
	dma_free_coherent(t->dev, PAGE_SIZE, other, again);
}

static void a_partial_unmap_unmaps_nothing(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	void *buf = kunit_kzalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(buf));
	dma = dma_map_single(t->dev, buf, 2 * PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));

	expect_forgotten_after(test, "with different size");
	arm_dma_expect_dma_debug_error(test, "free DMA memory it has not allocated");
	dma_unmap_single(t->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	expect_mapped(test, dma, buf, 2);
	dma_unmap_single(t->dev, dma + PAGE_SIZE, PAGE_SIZE, DMA_TO_DEVICE);
	expect_mapped(test, dma, buf, 2);

	dma_unmap_single(t->dev, dma, 2 * PAGE_SIZE, DMA_TO_DEVICE);
	expect_unmapped(test, dma, 2);
}

/*
 * Ranges above the IOVA library's caches (32 pages) come from its tree, top
 * down: of four such maps, two lie back to back.
 */
#define BIG_ORDER	6

static void an_unmap_past_the_end_leaves_the_next_mapping(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	size_t size = PAGE_SIZE << BIG_ORDER;
	struct page *block = alloc_pages(GFP_KERNEL, BIG_ORDER);
	dma_addr_t dma[4], lo = 0, hi = 0;
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, block);
	for (i = 0; i < ARRAY_SIZE(dma); i++) {
		dma[i] = dma_map_page(t->dev, block, 0, size, DMA_TO_DEVICE);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma[i]));
	}
	for (i = 0; i < ARRAY_SIZE(dma); i++)
		for (j = 0; j < ARRAY_SIZE(dma); j++)
			if (dma[j] == dma[i] + size) {
				lo = dma[i];
				hi = dma[j];
			}
	KUNIT_EXPECT_NE_MSG(test, hi, 0, "no two ranges back to back");

	if (hi) {
		expect_forgotten_after(test, "with different size");
		dma_unmap_page(t->dev, lo, 2 * size, DMA_TO_DEVICE);
		KUNIT_EXPECT_PTR_EQ(test, translated(t, lo), block);
		KUNIT_EXPECT_PTR_EQ(test, translated(t, hi), block);
	}
	for (i = 0; i < ARRAY_SIZE(dma); i++) {
		dma_unmap_page(t->dev, dma[i], size, DMA_TO_DEVICE);
		KUNIT_EXPECT_NULL(test, translated(t, dma[i]));
	}
	__free_pages(block, BIG_ORDER);
}

/* Four scattered pages, which map_sg merges into one DMA segment. */
static void unmap_sg_with_the_count_map_sg_returned_unmaps_nothing(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist sgl[4];
	void *pages[4];
	dma_addr_t start;
	int i, count;

	sg_init_table(sgl, 4);
	for (i = 0; i < 4; i++) {
		/* Every other page: the list is physically scattered. */
		pages[i] = kunit_kzalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		pages[i] = PTR_ALIGN(pages[i], PAGE_SIZE);
		sg_set_buf(&sgl[i], pages[i], PAGE_SIZE);
	}
	count = dma_map_sg(t->dev, sgl, 4, DMA_TO_DEVICE);
	KUNIT_ASSERT_EQ(test, count, 1);
	start = sg_dma_address(sgl);

	/*
	 * Then the right unmap: the segment is forgotten, and the other
	 * three entries hold no DMA address.
	 */
	expect_forgotten_after(test, "with different entry count");
	for (i = 1; i < 4; i++)
		arm_dma_expect_dma_debug_error(test, "free an invalid DMA memory address");
	dma_unmap_sg(t->dev, sgl, count, DMA_TO_DEVICE);
	for (i = 0; i < 4; i++)
		expect_mapped(test, start + i * PAGE_SIZE, pages[i], 1);

	dma_unmap_sg(t->dev, sgl, 4, DMA_TO_DEVICE);
	expect_unmapped(test, start, 4);
}

static struct kunit_case arm_dma_iommu_misuse_cases[] = {
	KUNIT_CASE(a_map_of_no_bytes_is_refused_and_harms_nothing),
	KUNIT_CASE(unmapping_an_address_never_mapped_is_refused),
	KUNIT_CASE(a_buffer_freed_as_smaller_stays_whole),
	KUNIT_CASE(a_buffer_freed_as_larger_leaves_its_neighbour_alone),
	KUNIT_CASE(a_free_with_another_buffers_handle_frees_neither),
	KUNIT_CASE(a_buffer_freed_twice_is_freed_once),
	KUNIT_CASE(a_partial_unmap_unmaps_nothing),
	KUNIT_CASE(an_unmap_past_the_end_leaves_the_next_mapping),
	KUNIT_CASE(unmap_sg_with_the_count_map_sg_returned_unmaps_nothing),
	{}
};

static struct kunit_suite arm_dma_iommu_misuse_suite = {
	.name = "arm_dma_iommu_misuse",
	.suite_init = misuse_suite_init,
	.suite_exit = misuse_suite_exit,
	.init = misuse_test_init,
	.test_cases = arm_dma_iommu_misuse_cases,
};

kunit_test_suite(arm_dma_iommu_misuse_suite);

MODULE_DESCRIPTION("KUnit: bad calls to the IOMMU ops of 32-bit ARM");
MODULE_LICENSE("GPL");
