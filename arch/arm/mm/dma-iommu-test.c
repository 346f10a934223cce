// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: DMA through an IOMMU on 32-bit ARM (arm_iommu_dma_ops).
 *
 * Every DMA address edu gets is an IOVA that translates to the CPU's
 * pages, and nothing is left mapped after an unmap.
 */
#include <kunit/static_stub.h>
#include <linux/delay.h>
#include <linux/dma-map-ops.h>
#include <linux/highmem.h>
#include <linux/iova.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

#include "dma-test-fixtures.h"

static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("arm-dma-iommu-test", false);

static int iommu_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&edu_binding.driver);
}

static void iommu_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_binding.driver);
}

static int iommu_test_init(struct kunit *test)
{
	return iommu_test_setup(test, &edu_binding);
}

static void expect_in_aperture(struct kunit *test, struct iommu_test *t,
			       dma_addr_t iova, size_t size)
{
	KUNIT_EXPECT_GE(test, iova, t->domain->geometry.aperture_start);
	KUNIT_EXPECT_LE(test, (u64)iova + size - 1,
			min_t(u64, t->domain->geometry.aperture_end,
			      dma_get_mask(t->dev)));
}

static void a_device_behind_the_iommu_translates_through_its_groups_domain(struct kunit *test)
{
	struct iommu_test *t = test->priv;

	KUNIT_EXPECT_PTR_EQ(test, get_dma_ops(t->dev), &arm_iommu_dma_ops);
	KUNIT_EXPECT_TRUE(test, t->domain->type & __IOMMU_DOMAIN_PAGING);
	KUNIT_EXPECT_NOT_NULL(test, t->domain->iova_cookie);
	if (!IS_ENABLED(CONFIG_ARM_DMA_USE_IOMMU))
		KUNIT_EXPECT_PTR_EQ(test, t->domain,
				    iommu_group_default_domain(t->dev->iommu_group));
}

/*
 * A buffer of @size bytes allocated with @gfp and @attrs: its DMA address is
 * an IOVA in the aperture, each of its pages translates to the page the CPU
 * sees, and what the CPU writes is what the device would read.
 */
static void expect_translated_buffer(struct kunit *test, gfp_t gfp,
				     unsigned long attrs, size_t size)
{
	struct iommu_test *t = test->priv;
	dma_addr_t iova;
	size_t off;
	u8 *cpu;

	cpu = dma_alloc_attrs(t->dev, size, &iova, gfp, attrs);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	expect_in_aperture(test, t, iova, size);
	memset(cpu, 0xc3, size);
	for (off = 0; off < size; off += PAGE_SIZE) {
		struct page *cpu_page = is_vmalloc_addr(cpu + off) ?
					vmalloc_to_page(cpu + off) :
					virt_to_page(cpu + off);
		struct page *dev_page = translated(t, iova + off);
		u8 *seen;

		KUNIT_ASSERT_PTR_EQ(test, dev_page, cpu_page);
		seen = kmap_local_page(dev_page);
		KUNIT_EXPECT_NULL(test, memchr_inv(seen, 0xc3, PAGE_SIZE));
		kunmap_local(seen);
	}
	dma_free_attrs(t->dev, size, cpu, iova, attrs);
	KUNIT_EXPECT_NULL(test, translated(t, iova));
}

static void a_sleeping_allocation_is_gathered_pages_behind_one_iova_range(struct kunit *test)
{
	expect_translated_buffer(test, GFP_KERNEL, 0, SZ_64K + PAGE_SIZE);
}

static void a_contiguous_allocation_is_mapped_at_one_iova_range(struct kunit *test)
{
	expect_translated_buffer(test, GFP_KERNEL, DMA_ATTR_FORCE_CONTIGUOUS,
				 SZ_32K);
}

static void an_atomic_allocation_is_mapped_at_one_iova_range(struct kunit *test)
{
	expect_translated_buffer(test, GFP_ATOMIC, 0, SZ_8K);
}

/* dma_alloc_noncoherent(): zeroed lowmem, each page at its IOVA. */
static void a_noncoherent_allocation_is_lowmem_at_one_iova_range(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	size_t size = 3 * PAGE_SIZE, off;
	dma_addr_t iova;
	u8 *cpu;

	cpu = dma_alloc_noncoherent(t->dev, size, &iova, DMA_BIDIRECTIONAL,
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	KUNIT_EXPECT_TRUE(test, virt_addr_valid(cpu));
	KUNIT_EXPECT_NULL(test, memchr_inv(cpu, 0, size));
	expect_in_aperture(test, t, iova, size);
	for (off = 0; off < size; off += PAGE_SIZE)
		KUNIT_EXPECT_PTR_EQ(test, translated(t, iova + off),
				    virt_to_page(cpu + off));
	dma_free_noncoherent(t->dev, size, cpu, iova, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_NULL(test, translated(t, iova));
}

/* Coherent buffers live below the coherent mask, whatever the streaming one. */
static void coherent_buffers_stay_below_the_coherent_mask(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	u64 mask = t->dev->coherent_dma_mask;
	unsigned int i;
	dma_addr_t iova;
	void *cpu;

	KUNIT_ASSERT_EQ(test, dma_set_coherent_mask(t->dev, DMA_BIT_MASK(24)), 0);
	for (i = 0; i < ARRAY_SIZE(iommu_test_kinds); i++) {
		cpu = dma_alloc_attrs(t->dev, SZ_16K, &iova,
				      iommu_test_kinds[i].gfp,
				      iommu_test_kinds[i].attrs);
		KUNIT_EXPECT_NOT_NULL(test, cpu);
		if (!cpu)
			continue;
		KUNIT_EXPECT_LE_MSG(test, iova + SZ_16K - 1, DMA_BIT_MASK(24),
				    "kind %u", i);
		dma_free_attrs(t->dev, SZ_16K, cpu, iova,
			       iommu_test_kinds[i].attrs);
	}
	dma_set_coherent_mask(t->dev, mask);
}

/*
 * The block layer plans merges by dma_get_merge_boundary() and NVMe sizes
 * its requests by dma_opt_mapping_size(): say what map_sg and the IOVA
 * caches do.
 */
static void the_ops_tell_their_merge_boundary_and_cached_size(struct kunit *test)
{
	struct iommu_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, dma_get_merge_boundary(t->dev), PAGE_SIZE - 1);
	KUNIT_EXPECT_EQ(test, dma_opt_mapping_size(t->dev), iova_rcache_range());
}

static void get_sgtable_lists_the_pages_of_each_kind(struct kunit *test)
{
	static const unsigned long kinds[] = { 0, DMA_ATTR_FORCE_CONTIGUOUS };
	struct iommu_test *t = test->priv;
	struct scatterlist *sg;
	struct sg_table sgt;
	unsigned int k, i;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		size_t size = SZ_16K, seen = 0;
		dma_addr_t iova;
		u8 *cpu;

		cpu = dma_alloc_attrs(t->dev, size, &iova, GFP_KERNEL, kinds[k]);
		KUNIT_ASSERT_NOT_NULL(test, cpu);
		KUNIT_ASSERT_EQ(test, dma_get_sgtable_attrs(t->dev, &sgt, cpu, iova,
							    size, kinds[k]), 0);
		for_each_sgtable_sg(&sgt, sg, i) {
			unsigned int off;

			for (off = 0; off < sg->length; off += PAGE_SIZE)
				KUNIT_EXPECT_PTR_EQ(test,
						    nth_page(sg_page(sg), off >> PAGE_SHIFT),
						    translated(t, iova + seen + off));
			seen += sg->length;
		}
		KUNIT_EXPECT_EQ(test, seen, size);
		sg_free_table(&sgt);
		dma_free_attrs(t->dev, size, cpu, iova, kinds[k]);
	}
}

static struct scatterlist *page_list(struct kunit *test, unsigned int n,
				     unsigned int offset, unsigned int len)
{
	struct scatterlist *sgl = kunit_kcalloc(test, n, sizeof(*sgl), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, sgl);
	sg_init_table(sgl, n);
	for (i = 0; i < n; i++) {
		/* Every other page: the list is physically scattered. */
		void *two = kunit_kzalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, two);
		sg_set_buf(&sgl[i], PTR_ALIGN(two, PAGE_SIZE) + offset, len);
	}
	return sgl;
}

static void map_sg_gives_a_list_of_pages_one_contiguous_iova_range(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist *sgl = page_list(test, 8, 0, PAGE_SIZE), *sg;
	dma_addr_t start;
	int n, i;

	n = dma_map_sg(t->dev, sgl, 8, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_EQ(test, n, 1);
	start = sg_dma_address(sgl);
	KUNIT_EXPECT_EQ(test, sg_dma_len(sgl), 8 * PAGE_SIZE);
	expect_in_aperture(test, t, start, 8 * PAGE_SIZE);
	for_each_sg(sgl, sg, 8, i)
		KUNIT_EXPECT_PTR_EQ(test, translated(t, start + i * PAGE_SIZE),
				    sg_page(sg));

	dma_unmap_sg(t->dev, sgl, 8, DMA_BIDIRECTIONAL);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_NULL(test, translated(t, start + i * PAGE_SIZE));
}

/* A list mapped in part: the entries past @nents are the caller's. */
static void map_sg_touches_no_entry_past_nents(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist *sgl = page_list(test, 8, 0, PAGE_SIZE), *sg;
	int n, i;

	for_each_sg(sgl, sg, 8, i) {
		sg_dma_address(sg) = 0x1234000;
		sg_dma_len(sg) = 77;
	}
	n = dma_map_sg(t->dev, sgl, 4, DMA_TO_DEVICE);
	KUNIT_ASSERT_EQ(test, n, 1);
	for_each_sg(sgl, sg, 8, i) {
		if (i < 4)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, sg_dma_address(sg), 0x1234000, "entry %d", i);
		KUNIT_EXPECT_EQ_MSG(test, sg_dma_len(sg), 77, "entry %d", i);
	}
	dma_unmap_sg(t->dev, sgl, 4, DMA_TO_DEVICE);
}

static void map_sg_keeps_within_the_max_segment_size(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist *sgl = page_list(test, 8, 0, PAGE_SIZE), *sg;
	unsigned int old = dma_get_max_seg_size(t->dev);
	int n, i;

	KUNIT_ASSERT_NOT_NULL(test, t->dev->dma_parms);
	dma_set_max_seg_size(t->dev, 2 * PAGE_SIZE);
	n = dma_map_sg(t->dev, sgl, 8, DMA_TO_DEVICE);
	dma_set_max_seg_size(t->dev, old);
	KUNIT_ASSERT_EQ(test, n, 4);
	for_each_sg(sgl, sg, n, i) {
		KUNIT_EXPECT_EQ(test, sg_dma_len(sg), 2 * PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, sg_dma_address(sg),
				sg_dma_address(sgl) + i * 2 * PAGE_SIZE);
	}
	dma_unmap_sg(t->dev, sgl, 8, DMA_TO_DEVICE);
}

/*
 * No DMA segment straddles the device's segment boundary: an entry that
 * would is moved on to the boundary, and the gap before it maps the page
 * before it again.  Here a 1-page entry, then 2-page ones, against 16 KiB.
 */
static void map_sg_keeps_each_segment_within_the_boundary(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist *sgl = page_list(test, 6, 2048, PAGE_SIZE), *sg;
	unsigned long old = dma_get_seg_boundary(t->dev);
	unsigned long boundary = 4 * PAGE_SIZE - 1;
	dma_addr_t first, last;
	int n, i;

	sg_set_buf(&sgl[0], sg_virt(&sgl[0]) - 2048, 1024);
	KUNIT_ASSERT_NOT_NULL(test, t->dev->dma_parms);
	dma_set_seg_boundary(t->dev, boundary);
	n = dma_map_sg(t->dev, sgl, 6, DMA_TO_DEVICE);
	dma_set_seg_boundary(t->dev, old);
	KUNIT_ASSERT_GT(test, n, 0);
	for_each_sg(sgl, sg, n, i) {
		first = sg_dma_address(sg);
		last = first + sg_dma_len(sg) - 1;
		KUNIT_EXPECT_EQ_MSG(test, (first ^ last) & ~(dma_addr_t)boundary, 0,
				    "segment %d: %pad+%u", i, &first, sg_dma_len(sg));
	}
	for_each_sg(sgl, sg, 6, i)
		KUNIT_EXPECT_PTR_EQ(test, translated(t, sg_dma_address(sg)),
				    sg_page(sg));

	dma_set_seg_boundary(t->dev, boundary);
	dma_unmap_sg(t->dev, sgl, 6, DMA_TO_DEVICE);
	dma_set_seg_boundary(t->dev, old);
	for_each_sg(sgl, sg, 6, i)
		KUNIT_EXPECT_NULL(test, translated(t, sg_dma_address(sg)));
}

static void unaligned_entries_keep_their_offsets_in_their_own_segments(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist *sgl = page_list(test, 3, 100, 500), *sg;
	int n, i;

	n = dma_map_sg(t->dev, sgl, 3, DMA_FROM_DEVICE);
	KUNIT_ASSERT_EQ(test, n, 3);
	for_each_sg(sgl, sg, 3, i) {
		KUNIT_EXPECT_EQ(test, sg_dma_address(sg) % PAGE_SIZE, 100);
		KUNIT_EXPECT_EQ(test, sg_dma_len(sg), 500);
		KUNIT_EXPECT_PTR_EQ(test, translated(t, sg_dma_address(sg)),
				    sg_page(sg));
	}
	dma_unmap_sg(t->dev, sgl, 3, DMA_FROM_DEVICE);
}

/*
 * An entry of no bytes maps nothing.  Padding up to a segment boundary
 * after it repeats the last page an entry did map, never the page before
 * the empty entry's, which the list does not hold.
 */
static void an_empty_entry_lends_no_page_to_the_padding(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist *sgl = page_list(test, 3, 0, PAGE_SIZE);
	unsigned long old = dma_get_seg_boundary(t->dev);
	struct page *pair = alloc_pages(GFP_KERNEL, 1);
	dma_addr_t start;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, pair);
	sg_set_page(&sgl[1], pair + 1, 0, 0);
	/* Two pages from the second page on: they go on to a boundary. */
	sg_set_buf(&sgl[2], sg_virt(&sgl[2]), 2 * PAGE_SIZE);
	dma_set_seg_boundary(t->dev, 2 * PAGE_SIZE - 1);
	n = dma_map_sg(t->dev, sgl, 3, DMA_TO_DEVICE);
	dma_set_seg_boundary(t->dev, old);
	if (n > 0) {
		start = sg_dma_address(sgl);
		KUNIT_EXPECT_PTR_EQ_MSG(test, translated(t, start + PAGE_SIZE),
					sg_page(&sgl[0]),
					"the padding maps a page the list does not hold");
		KUNIT_EXPECT_PTR_NE(test, translated(t, start + PAGE_SIZE), pair);
		dma_set_seg_boundary(t->dev, 2 * PAGE_SIZE - 1);
		dma_unmap_sg(t->dev, sgl, 3, DMA_TO_DEVICE);
		dma_set_seg_boundary(t->dev, old);
	}
	__free_pages(pair, 1);
	KUNIT_EXPECT_GT(test, n, 0);
}

static void running_out_of_iova_space_fails_cleanly_and_recovers(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	unsigned int n, max = 512;
	dma_addr_t *dmas = kunit_kcalloc(test, max, sizeof(*dmas), GFP_KERNEL);
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dmas);
	KUNIT_ASSERT_NOT_NULL(test, page);
	/* A 1 MiB IOVA space holds at most 256 pages. */
	KUNIT_ASSERT_EQ(test, dma_set_mask(t->dev, DMA_BIT_MASK(20)), 0);
	for (n = 0; n < max; n++) {
		dmas[n] = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
		if (dma_mapping_error(t->dev, dmas[n]))
			break;
		KUNIT_EXPECT_LE(test, dmas[n] + PAGE_SIZE - 1, DMA_BIT_MASK(20));
	}
	KUNIT_EXPECT_LT(test, n, 256);
	KUNIT_EXPECT_GT(test, n, 0);
	while (n--)
		dma_unmap_page(t->dev, dmas[n], PAGE_SIZE, DMA_TO_DEVICE);

	dmas[0] = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_mapping_error(t->dev, dmas[0]));
	if (!dma_mapping_error(t->dev, dmas[0]))
		dma_unmap_page(t->dev, dmas[0], PAGE_SIZE, DMA_TO_DEVICE);
	dma_set_mask(t->dev, DMA_BIT_MASK(32));
	__free_page(page);
}

/* The stubs record where each call maps, and fail the t->fail_at'th. */
static bool fail_now(struct iommu_test *t, unsigned long iova)
{
	t->mapped[t->map_calls] = iova;
	return ++t->map_calls == t->fail_at;
}

static int failing_map_entries(struct iommu_domain *domain, unsigned long iova,
			       struct scatterlist *sgl, unsigned int n, int prot)
{
	if (fail_now(kunit_get_current_test()->priv, iova))
		return -ENOMEM;
	return iommu_map_sg(domain, iova, sgl, n, prot, GFP_ATOMIC) < 0 ?
	       -ENOMEM : 0;
}

static int failing_map_one(struct iommu_domain *domain, unsigned long iova,
			   phys_addr_t phys, size_t size, int prot)
{
	if (fail_now(kunit_get_current_test()->priv, iova))
		return -ENOMEM;
	return iommu_map(domain, iova, phys, size, prot, GFP_ATOMIC);
}

/*
 * Six entries under a 4-page segment boundary map as two runs with a
 * page of padding between them (the first two entries take three pages,
 * the third would straddle the boundary): fail the second run, then the
 * padding, and nothing may stay mapped, nor the list be left changed.
 */
#define PADDING_AT	(3 * PAGE_SIZE)
static void a_failure_half_way_through_a_list_unmaps_what_was_mapped(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	unsigned long old = dma_get_seg_boundary(t->dev);
	struct scatterlist *sgl = page_list(test, 6, 2048, PAGE_SIZE), *sg;
	int pass, i;

	sg_set_buf(&sgl[0], sg_virt(&sgl[0]) - 2048, 1024);
	KUNIT_ASSERT_NOT_NULL(test, t->dev->dma_parms);
	dma_set_seg_boundary(t->dev, 4 * PAGE_SIZE - 1);
	for (pass = 0; pass < 2; pass++) {
		unsigned long first;

		t->map_calls = 0;
		t->fail_at = pass == 0 ? 2 : 1;
		if (pass == 0)
			kunit_activate_static_stub(test, arm_iommu_map_entries,
						   failing_map_entries);
		else
			kunit_activate_static_stub(test, arm_iommu_map_one,
						   failing_map_one);
		/* dma_map_sg() reports the ops' error as no entries mapped. */
		KUNIT_EXPECT_EQ(test, dma_map_sg(t->dev, sgl, 6, DMA_TO_DEVICE), 0);
		kunit_deactivate_static_stub(test, pass == 0 ?
					     (void *)arm_iommu_map_entries :
					     (void *)arm_iommu_map_one);

		KUNIT_ASSERT_EQ_MSG(test, t->map_calls, t->fail_at, "pass %d", pass);
		/* The first run (three pages), and the padding after it. */
		first = t->mapped[0] - (pass == 0 ? 0 : PADDING_AT);
		KUNIT_EXPECT_EQ(test, t->mapped[t->fail_at - 1],
				first + (pass == 0 ? 4 * PAGE_SIZE : PADDING_AT));
		for (i = 0; i < 4; i++)
			KUNIT_EXPECT_NULL_MSG(test, translated(t, first + i * PAGE_SIZE),
					      "pass %d: page %d", pass, i);
		for_each_sg(sgl, sg, 6, i) {
			KUNIT_EXPECT_EQ(test, sg_dma_len(sg), 0);
			KUNIT_EXPECT_EQ(test, sg->offset, i ? 2048 : 0);
			KUNIT_EXPECT_EQ(test, sg->length, i ? PAGE_SIZE : 1024);
		}
	}

	/* Nothing leaked: the whole list maps again. */
	KUNIT_EXPECT_GT(test, dma_map_sg(t->dev, sgl, 6, DMA_TO_DEVICE), 0);
	dma_unmap_sg(t->dev, sgl, 6, DMA_TO_DEVICE);
	dma_set_seg_boundary(t->dev, old);
}

static void strict_unmap_leaves_nothing_queued(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct page *page = alloc_page(GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, page);
	arm_iommu_set_lazy(t->dev, false);
	dma = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_unmap_page(t->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, arm_iommu_fq_pending(t->dev), 0);
	KUNIT_EXPECT_NULL(test, translated(t, dma));
	__free_page(page);
}

static void lazy_unmap_queues_the_iova_until_a_flush(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned int waited;
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, page);
	arm_iommu_set_lazy(t->dev, true);
	dma = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_unmap_page(t->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	/* Out of the page tables at once; the IOVA waits for the flush. */
	KUNIT_EXPECT_NULL(test, translated(t, dma));
	KUNIT_EXPECT_EQ(test, arm_iommu_fq_pending(t->dev), 1);
	for (waited = 0; waited < 500 && arm_iommu_fq_pending(t->dev);
	     waited += 20)
		msleep(20);
	KUNIT_EXPECT_EQ(test, arm_iommu_fq_pending(t->dev), 0);
	arm_iommu_set_lazy(t->dev, false);
	__free_page(page);
}

/*
 * A space full but for ranges waiting in the flush queue is not full: the
 * next map invalidates and takes them back, without waiting for the timer.
 */
static void a_full_space_takes_back_what_the_flush_queue_holds(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	unsigned int n, max = 512, tries;
	dma_addr_t *dmas = kunit_kcalloc(test, max, sizeof(*dmas), GFP_KERNEL);
	struct page *page = alloc_page(GFP_KERNEL);
	bool reclaimed = false;

	KUNIT_ASSERT_NOT_NULL(test, dmas);
	KUNIT_ASSERT_NOT_NULL(test, page);
	arm_iommu_set_lazy(t->dev, true);
	KUNIT_ASSERT_EQ(test, dma_set_mask(t->dev, DMA_BIT_MASK(20)), 0);
	for (n = 0; n < max; n++) {
		dmas[n] = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
		if (dma_mapping_error(t->dev, dmas[n]))
			break;
	}
	KUNIT_ASSERT_LT(test, n, max);
	KUNIT_ASSERT_GT(test, n, 0);
	/*
	 * Queue one range and map at once; should the flush timer give it
	 * back first (10 ms), nothing is proven: queue the next one.
	 */
	for (tries = 0; tries < 8 && n && !reclaimed; tries++) {
		dma_unmap_page(t->dev, dmas[--n], PAGE_SIZE, DMA_TO_DEVICE);
		if (arm_iommu_fq_pending(t->dev) != 1) {
			/* The timer did it: the space has room again. */
			dmas[n] = dma_map_page(t->dev, page, 0, PAGE_SIZE,
					       DMA_TO_DEVICE);
			KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dmas[n++]));
			continue;
		}
		dmas[n] = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
		KUNIT_EXPECT_FALSE(test, dma_mapping_error(t->dev, dmas[n]));
		if (dma_mapping_error(t->dev, dmas[n]))
			break;
		KUNIT_EXPECT_EQ(test, arm_iommu_fq_pending(t->dev), 0);
		n++;
		reclaimed = true;
	}
	while (n--)
		dma_unmap_page(t->dev, dmas[n], PAGE_SIZE, DMA_TO_DEVICE);
	arm_iommu_set_lazy(t->dev, false);
	dma_set_mask(t->dev, DMA_BIT_MASK(32));
	__free_page(page);
	if (!reclaimed && !test->status)
		kunit_skip(test, "the flush timer beat every try");
}

static void edu_dmas_through_the_ops_and_faults_after_unmap(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	void __iomem *regs = edu_start(test);
	unsigned int waited;
	dma_addr_t out;
	u8 *b;

	b = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	iommu_set_fault_handler(t->domain, count_fault, t);
	out = edu_round_trip(test, regs, b);

	/* The mapping is gone: the device's write faults, memory stays. */
	memset(b, 0, PAGE_SIZE);
	KUNIT_ASSERT_TRUE(test, qemu_edu_dma(regs, out, true));
	for (waited = 0; waited < 1000 && !t->faults; waited += 20)
		msleep(20);
	KUNIT_EXPECT_GT(test, t->faults, 0);
	KUNIT_EXPECT_EQ(test, t->fault_iova & PAGE_MASK, out & PAGE_MASK);
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0, PAGE_SIZE));

	iommu_set_fault_handler(t->domain, NULL, NULL);
	pci_iounmap(t->pdev, regs);
}

/* The page behind a CPU address the DMA API gave, linear or vmapped. */
static struct page *cpu_page_of(const void *cpu)
{
	return is_vmalloc_addr(cpu) ? vmalloc_to_page(cpu) : virt_to_page(cpu);
}

/*
 * A driver may attach a domain of its own (remoteproc, DRM drivers do) and
 * still call the DMA API: what it gets is mapped in the device's DMA
 * domain, as iommu-dma does, and that domain translates the device's DMA
 * again once the driver detaches its own.
 */
static void a_domain_the_driver_attaches_leaves_the_dma_api_working(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct iommu_domain *mine;
	void __iomem *regs;
	dma_addr_t handle;
	void *cpu;
	u8 *b;
	int ret;

	mine = iommu_paging_domain_alloc(t->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mine));
	ret = iommu_attach_device(mine, t->dev);
	if (ret) {
		iommu_domain_free(mine);
		kunit_skip(test, "edu shares its IOMMU group: no domain of a driver's own (%d)",
			   ret);
	}
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev(t->dev), mine);

	cpu = dma_alloc_coherent(t->dev, SZ_16K, &handle, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, cpu);
	if (cpu) {
		KUNIT_EXPECT_PTR_EQ(test, translated(t, handle), cpu_page_of(cpu));
		dma_free_coherent(t->dev, SZ_16K, cpu, handle);
	}
	b = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	handle = dma_map_single(t->dev, b, PAGE_SIZE, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_FALSE(test, dma_mapping_error(t->dev, handle));
	if (!dma_mapping_error(t->dev, handle)) {
		KUNIT_EXPECT_PTR_EQ(test, translated(t, handle), virt_to_page(b));
		dma_unmap_single(t->dev, handle, PAGE_SIZE, DMA_BIDIRECTIONAL);
	}
	iommu_detach_device(mine, t->dev);
	iommu_domain_free(mine);

	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev(t->dev), t->domain);
	regs = edu_start(test);
	edu_round_trip(test, regs, b);
	pci_iounmap(t->pdev, regs);
}

static struct kunit_case arm_dma_iommu_cases[] = {
	KUNIT_CASE(a_device_behind_the_iommu_translates_through_its_groups_domain),
	KUNIT_CASE(a_sleeping_allocation_is_gathered_pages_behind_one_iova_range),
	KUNIT_CASE(a_contiguous_allocation_is_mapped_at_one_iova_range),
	KUNIT_CASE(an_atomic_allocation_is_mapped_at_one_iova_range),
	KUNIT_CASE(a_noncoherent_allocation_is_lowmem_at_one_iova_range),
	KUNIT_CASE(coherent_buffers_stay_below_the_coherent_mask),
	KUNIT_CASE(the_ops_tell_their_merge_boundary_and_cached_size),
	KUNIT_CASE(get_sgtable_lists_the_pages_of_each_kind),
	KUNIT_CASE(map_sg_gives_a_list_of_pages_one_contiguous_iova_range),
	KUNIT_CASE(map_sg_touches_no_entry_past_nents),
	KUNIT_CASE(map_sg_keeps_within_the_max_segment_size),
	KUNIT_CASE(map_sg_keeps_each_segment_within_the_boundary),
	KUNIT_CASE(unaligned_entries_keep_their_offsets_in_their_own_segments),
	KUNIT_CASE(an_empty_entry_lends_no_page_to_the_padding),
	KUNIT_CASE(running_out_of_iova_space_fails_cleanly_and_recovers),
	KUNIT_CASE(a_full_space_takes_back_what_the_flush_queue_holds),
	KUNIT_CASE(a_failure_half_way_through_a_list_unmaps_what_was_mapped),
	KUNIT_CASE(strict_unmap_leaves_nothing_queued),
	KUNIT_CASE(lazy_unmap_queues_the_iova_until_a_flush),
	KUNIT_CASE(edu_dmas_through_the_ops_and_faults_after_unmap),
	KUNIT_CASE(a_domain_the_driver_attaches_leaves_the_dma_api_working),
	{}
};

static struct kunit_suite arm_dma_iommu_suite = {
	.name = "arm_dma_iommu",
	.suite_init = iommu_suite_init,
	.suite_exit = iommu_suite_exit,
	.init = iommu_test_init,
	.test_cases = arm_dma_iommu_cases,
};

kunit_test_suite(arm_dma_iommu_suite);

MODULE_DESCRIPTION("KUnit: DMA through an IOMMU on 32-bit ARM");
MODULE_LICENSE("GPL");
