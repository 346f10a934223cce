// SPDX-License-Identifier: GPL-2.0
/*
 * What the API says about itself (the largest and the best mapping size,
 * the required mask, the merge boundary, whether a mapping needs syncs) and
 * what it does with masks: a mask is honoured or refused.
 *
 * Part of the DMA API conformance suites: see conformance.h.
 */
#include <kunit/test.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/memblock.h>
#include <linux/scatterlist.h>
#include <linux/swiotlb.h>

#include "conformance.h"

static void a_buffer_of_the_max_mapping_size_can_be_mapped(struct kunit *test)
{
	struct conformance_device *d;

	for (d = conformance_devices; d < conformance_end(); d++) {
		size_t size = min_t(size_t, dma_max_mapping_size(d->dev), SZ_1M);
		unsigned int order = get_order(size);
		dma_addr_t handle;
		struct page *page;

		page = alloc_pages(GFP_KERNEL, order);
		KUNIT_ASSERT_NOT_NULL(test, page);
		handle = dma_map_page(d->dev, page, 0, size, DMA_TO_DEVICE);
		KUNIT_EXPECT_FALSE_MSG(test, dma_mapping_error(d->dev, handle),
				       "%s: %zu bytes, the max mapping size %zu",
				       d->name, size, dma_max_mapping_size(d->dev));
		if (!dma_mapping_error(d->dev, handle))
			dma_unmap_page(d->dev, handle, size, DMA_TO_DEVICE);
		__free_pages(page, order);
	}
}

static void the_optimal_mapping_size_is_within_the_max(struct kunit *test)
{
	struct conformance_device *d;

	for (d = conformance_devices; d < conformance_end(); d++) {
		KUNIT_EXPECT_GE(test, dma_opt_mapping_size(d->dev), PAGE_SIZE);
		KUNIT_EXPECT_LE(test, dma_opt_mapping_size(d->dev),
				dma_max_mapping_size(d->dev));
	}
}

static void the_required_mask_reaches_all_memory(struct kunit *test)
{
	phys_addr_t last = memblock_end_of_DRAM() - 1;
	struct conformance_device *d;

	for (d = conformance_devices; d < conformance_end(); d++) {
		u64 required = dma_get_required_mask(d->dev);

		if (behind_iommu(d->dev))
			continue;
		KUNIT_EXPECT_GE_MSG(test, required, (u64)last,
				    "%s: RAM ends at %pa", d->name, &last);
		/* And it is a mask: all ones below its top bit. */
		KUNIT_EXPECT_EQ(test, required & (required + 1), 0);
	}
}

static void a_mask_short_of_the_required_one_is_limited(struct kunit *test)
{
	struct conformance_device *d;

	for (d = conformance_devices; d < conformance_end(); d++) {
		u64 reach = min_not_zero(dma_get_mask(d->dev),
					 d->dev->bus_dma_limit);
		bool limited = reach < dma_get_required_mask(d->dev);

		/* Both ways: limited exactly when it falls short. */
		KUNIT_EXPECT_EQ_MSG(test, dma_addressing_limited(d->dev), limited,
				    "%s: mask %llx, bus limit %llx, required %llx",
				    d->name, dma_get_mask(d->dev),
				    d->dev->bus_dma_limit,
				    dma_get_required_mask(d->dev));
	}
}

static void segments_merge_only_below_a_declared_merge_boundary(struct kunit *test)
{
	struct conformance_device *d;
	struct scatterlist sgl[4];
	struct page *page;
	int i, n;

	for (d = conformance_devices; d < conformance_end(); d++) {
		page = alloc_pages(GFP_KERNEL, 2);
		KUNIT_ASSERT_NOT_NULL(test, page);
		/* Four page-sized entries, each its own allocation's page. */
		sg_init_table(sgl, ARRAY_SIZE(sgl));
		for (i = 0; i < ARRAY_SIZE(sgl); i++)
			sg_set_page(&sgl[i], nth_page(page, (i * 3) % 4), PAGE_SIZE, 0);
		n = dma_map_sg(d->dev, sgl, ARRAY_SIZE(sgl), DMA_TO_DEVICE);
		KUNIT_EXPECT_GT(test, n, 0);
		/* Without a boundary nothing merges; with one, these do. */
		if (!dma_get_merge_boundary(d->dev))
			KUNIT_EXPECT_EQ_MSG(test, n, ARRAY_SIZE(sgl),
					    "%s declares no merge boundary", d->name);
		else
			KUNIT_EXPECT_LT_MSG(test, n, ARRAY_SIZE(sgl),
					    "%s: page-aligned entries below its merge boundary",
					    d->name);
		if (n > 0)
			dma_unmap_sg(d->dev, sgl, ARRAY_SIZE(sgl), DMA_TO_DEVICE);
		__free_pages(page, 2);
	}
}

static void mapped_segments_respect_size_and_boundary(struct kunit *test)
{
	struct conformance_device *d;
	struct scatterlist sgl[16], *sg;
	struct page *page;
	int i, n;

	for (d = conformance_devices; d < conformance_end(); d++) {
		unsigned int old_size = dma_get_max_seg_size(d->dev);
		unsigned long old_boundary = dma_get_seg_boundary(d->dev);
		const unsigned int max = 2 * PAGE_SIZE;
		const unsigned long boundary = 4 * PAGE_SIZE - 1;

		if (!d->dev->dma_parms)
			continue;
		dma_set_max_seg_size(d->dev, max);
		dma_set_seg_boundary(d->dev, boundary);
		page = alloc_pages(GFP_KERNEL, 4);
		KUNIT_ASSERT_NOT_NULL(test, page);
		/* Contiguous entries of odd sizes: they invite merging. */
		sg_init_table(sgl, ARRAY_SIZE(sgl));
		for (i = 0; i < ARRAY_SIZE(sgl); i++)
			sg_set_page(&sgl[i], nth_page(page, i), i % 3 ? PAGE_SIZE : 1536,
				    0);
		n = dma_map_sg(d->dev, sgl, ARRAY_SIZE(sgl), DMA_TO_DEVICE);
		KUNIT_EXPECT_GT(test, n, 0);
		for_each_sg(sgl, sg, n, i) {
			dma_addr_t start = sg_dma_address(sg);
			dma_addr_t end = start + sg_dma_len(sg) - 1;

			KUNIT_EXPECT_LE_MSG(test, sg_dma_len(sg), max,
					    "%s: segment %d", d->name, i);
			KUNIT_EXPECT_EQ_MSG(test, start & ~(dma_addr_t)boundary,
					    end & ~(dma_addr_t)boundary,
					    "%s: segment %d at %pad, %u bytes",
					    d->name, i, &start, sg_dma_len(sg));
		}
		if (n > 0)
			dma_unmap_sg(d->dev, sgl, ARRAY_SIZE(sgl), DMA_TO_DEVICE);
		__free_pages(page, 4);
		dma_set_max_seg_size(d->dev, old_size);
		dma_set_seg_boundary(d->dev, old_boundary);
	}
}

static void a_mask_below_memory_is_refused(struct kunit *test)
{
	phys_addr_t first = memblock_start_of_DRAM();
	struct conformance_device *d;

	if (first < SZ_16M)
		kunit_skip(test, "RAM starts below 16 MiB");
	for (d = conformance_devices; d < conformance_end(); d++) {
		u64 mask = dma_get_mask(d->dev);

		if (behind_iommu(d->dev))
			continue;
		KUNIT_EXPECT_NE_MSG(test, dma_set_mask(d->dev, DMA_BIT_MASK(24)), 0,
				    "%s: RAM starts at %pa", d->name, &first);
		KUNIT_EXPECT_EQ(test, dma_get_mask(d->dev), mask);
		KUNIT_ASSERT_EQ(test, dma_set_mask(d->dev, mask), 0);
	}
}

/* A page above @mask, from among a few allocations; NULL if none is. */
static struct page *page_above(struct kunit *test, u64 mask)
{
	struct page *pages[64], *found = NULL;
	int i, n;

	for (n = 0; n < ARRAY_SIZE(pages); n++) {
		pages[n] = alloc_page(GFP_HIGHUSER);
		if (!pages[n] || page_to_phys(pages[n]) > mask)
			break;
	}
	if (n < ARRAY_SIZE(pages) && pages[n])
		found = pages[n];
	for (i = 0; i < n; i++)
		__free_page(pages[i]);
	return found;
}

/*
 * A mask the kernel accepts lets every page be mapped, directly or
 * bounced through memory the mask reaches; otherwise dma_set_mask() must
 * fail, so that the driver can choose.
 */
static void an_accepted_mask_maps_every_page(struct kunit *test)
{
	phys_addr_t first = memblock_start_of_DRAM();
	u64 mask = DMA_BIT_MASK(fls64(first));
	struct conformance_device *d;
	unsigned int tried = 0;

	if (mask >= memblock_end_of_DRAM() - 1)
		kunit_skip(test, "a %d-bit mask reaches all of RAM here", fls64(first));
	for (d = conformance_devices; d < conformance_end(); d++) {
		u64 old = dma_get_mask(d->dev);
		struct page *page;
		dma_addr_t handle;

		if (behind_iommu(d->dev) || mask >= old)
			continue;
		if (dma_set_mask(d->dev, mask)) {
			tried++;
			KUNIT_EXPECT_EQ(test, dma_get_mask(d->dev), old);
			continue;
		}
		page = page_above(test, mask);
		if (page) {
			phys_addr_t phys = page_to_phys(page);

			tried++;
			handle = dma_map_page(d->dev, page, 0, PAGE_SIZE,
					      DMA_TO_DEVICE);
			KUNIT_EXPECT_FALSE_MSG(test, dma_mapping_error(d->dev, handle),
					       "%s: a page at %pa under mask %#llx",
					       d->name, &phys, mask);
			if (!dma_mapping_error(d->dev, handle)) {
				KUNIT_EXPECT_LE(test, handle + PAGE_SIZE - 1, mask);
				dma_unmap_page(d->dev, handle, PAGE_SIZE, DMA_TO_DEVICE);
			}
			__free_page(page);
		}
		KUNIT_ASSERT_EQ(test, dma_set_mask(d->dev, old), 0);
	}
	if (!tried)
		kunit_skip(test, "no device here could try a %d-bit mask", fls64(first));
}

static void a_narrowed_coherent_mask_bounds_coherent_buffers(struct kunit *test)
{
	static const unsigned int bits[] = { 24, 28, 31 };
	struct conformance_device *d;
	unsigned int i, tried = 0;

	for (d = conformance_devices; d < conformance_end(); d++) {
		u64 old = coherent_mask(d->dev);

		for (i = 0; i < ARRAY_SIZE(bits); i++) {
			u64 mask = DMA_BIT_MASK(bits[i]);
			dma_addr_t handle;
			void *buf;

			if (mask >= old || dma_set_coherent_mask(d->dev, mask))
				continue;
			tried++;
			buf = dma_alloc_coherent(d->dev, SZ_64K, &handle, GFP_KERNEL);
			KUNIT_EXPECT_NOT_NULL_MSG(test, buf, "%s: %u bits", d->name,
						  bits[i]);
			if (buf) {
				KUNIT_EXPECT_TRUE_MSG(test, in_reach(handle, SZ_64K, mask),
						      "%s: %pad for %u bits", d->name,
						      &handle, bits[i]);
				dma_free_coherent(d->dev, SZ_64K, buf, handle);
			}
			break;
		}
		KUNIT_ASSERT_EQ(test, dma_set_coherent_mask(d->dev, old), 0);
	}
	if (!tried)
		kunit_skip(test, "no device takes a narrower coherent mask");
}

/*
 * A coherent device whose mapping did not bounce needs no syncs: callers
 * such as page_pool skip them on that answer.
 */
static void a_coherent_mapping_that_did_not_bounce_needs_no_sync(struct kunit *test)
{
	struct conformance_device *d;
	unsigned int tried = 0;
	dma_addr_t handle;
	struct page *page;

	for (d = conformance_devices; d < conformance_end(); d++) {
		if (!dev_is_dma_coherent(d->dev) || behind_iommu(d->dev) ||
		    is_swiotlb_force_bounce(d->dev))
			continue;
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		handle = dma_map_page(d->dev, page, 0, PAGE_SIZE, DMA_FROM_DEVICE);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(d->dev, handle));
		if (handle == page_to_phys(page)) {
			tried++;
			KUNIT_EXPECT_FALSE_MSG(test, dma_need_sync(d->dev, handle),
					       "%s", d->name);
		}
		dma_unmap_page(d->dev, handle, PAGE_SIZE, DMA_FROM_DEVICE);
		__free_page(page);
	}
	if (!tried)
		kunit_skip(test, "no coherent device maps without bouncing here");
}

static struct kunit_case limits_cases[] = {
	KUNIT_CASE(a_buffer_of_the_max_mapping_size_can_be_mapped),
	KUNIT_CASE(the_optimal_mapping_size_is_within_the_max),
	KUNIT_CASE(the_required_mask_reaches_all_memory),
	KUNIT_CASE(a_mask_short_of_the_required_one_is_limited),
	KUNIT_CASE(segments_merge_only_below_a_declared_merge_boundary),
	KUNIT_CASE(mapped_segments_respect_size_and_boundary),
	KUNIT_CASE(a_mask_below_memory_is_refused),
	KUNIT_CASE(an_accepted_mask_maps_every_page),
	KUNIT_CASE(a_narrowed_coherent_mask_bounds_coherent_buffers),
	KUNIT_CASE(a_coherent_mapping_that_did_not_bounce_needs_no_sync),
	{}
};

static struct kunit_suite limits_suite = {
	.name		= "dma_api_conformance_limits",
	.suite_init	= conformance_devices_init,
	.suite_exit	= conformance_devices_exit,
	.test_cases	= limits_cases,
};

kunit_test_suite(limits_suite);
