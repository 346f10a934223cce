// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: streaming DMA on ARM.
 *
 * What the CPU and a device read through the caches is the cache data
 * suite's (dma-cache-data-test.c).  Here the cache log (the layer's
 * requests) proves only what the caches cannot show: a coherent device
 * and an MMIO resource get no maintenance at all.  The bounce
 * cases need memory the device cannot reach: they narrow a device's mask
 * below the top of RAM (boot with -m 2048 on virt: RAM then ends at
 * 0xbfffffff, beyond a 31-bit mask), or boot with swiotlb=force.
 */
#include <linux/dma-direct.h>
#include <linux/highmem.h>
#include <linux/memblock.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include "dma-test-fixtures.h"

struct streaming_test {
	struct device *dev[2];		/* [0] non-coherent, [1] coherent */
	struct arm_dma_cache_log *log;
};

static struct streaming_test *ctx(struct kunit *test)
{
	return test->priv;
}

static void expect_calls(struct kunit *test,
			 const struct arm_dma_cache_call *want, unsigned int n)
{
	arm_dma_expect_cache_calls(test, ctx(test)->log, want, n);
}

static int streaming_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct streaming_test),
				   GFP_KERNEL);
	if (!test->priv)
		return -ENOMEM;
	ctx(test)->dev[0] = arm_dma_test_device(test, "stream-noncoherent",
						false);
	ctx(test)->dev[1] = arm_dma_test_device(test, "stream-coherent", true);
	ctx(test)->log = arm_dma_log_cache_calls(test);
	return 0;
}

static void skip_if_swiotlb_forced(struct kunit *test, struct device *dev)
{
	if (is_swiotlb_force_bounce(dev))
		kunit_skip(test, "swiotlb=force: every map bounces");
}

static void a_coherent_device_gets_no_cache_maintenance(struct kunit *test)
{
	struct device *dev = ctx(test)->dev[1];
	u8 *buf = arm_dma_test_buffer(test, 512);
	dma_addr_t dma;

	skip_if_swiotlb_forced(test, dev);
	dma = dma_map_single(dev, buf, 512, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_EQ(test, dma, phys_to_dma(dev, virt_to_phys(buf)));
	dma_sync_single_for_cpu(dev, dma, 512, DMA_BIDIRECTIONAL);
	dma_sync_single_for_device(dev, dma, 512, DMA_BIDIRECTIONAL);
	dma_unmap_single(dev, dma, 512, DMA_BIDIRECTIONAL);
	expect_calls(test, NULL, 0);
}

static void unmap_marks_whole_pages_the_device_wrote_dcache_clean(struct kunit *test)
{
	struct device *dev = ctx(test)->dev[0];
	struct page *page = alloc_pages(GFP_KERNEL, 1);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, page);
	skip_if_swiotlb_forced(test, dev);
	clear_bit(PG_dcache_clean, &page_folio(page)->flags);
	clear_bit(PG_dcache_clean, &page_folio(page + 1)->flags);

	/* The first page whole, the second only in part. */
	dma = dma_map_page(dev, page, 0, PAGE_SIZE + 64, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	dma_unmap_page(dev, dma, PAGE_SIZE + 64, DMA_FROM_DEVICE);

	KUNIT_EXPECT_TRUE(test, test_bit(PG_dcache_clean, &page_folio(page)->flags));
	KUNIT_EXPECT_FALSE(test, test_bit(PG_dcache_clean,
					  &page_folio(page + 1)->flags));
	__free_pages(page, 1);
}

static void map_resource_does_no_cache_work_and_checks_the_mask(struct kunit *test)
{
	struct device *dev = ctx(test)->dev[0];
	phys_addr_t mmio = 0x09000000;	/* virt's UART: any MMIO will do */
	dma_addr_t dma;

	dma = dma_map_resource(dev, mmio, SZ_4K, DMA_BIDIRECTIONAL, 0);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_EQ(test, dma, phys_to_dma(dev, mmio));
	expect_calls(test, NULL, 0);
	dma_unmap_resource(dev, dma, SZ_4K, DMA_BIDIRECTIONAL, 0);

	*dev->dma_mask = DMA_BIT_MASK(24);
	dma = dma_map_resource(dev, mmio, SZ_4K, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_EQ(test, dma, DMA_MAPPING_ERROR);
}

/*
 * A page above what a 31-bit mask reaches, or NULL.  The page allocator
 * hands out high pages first, so a bounded search finds one quickly.
 */
static struct page *page_above(struct kunit *test, phys_addr_t limit,
			       struct list_head *held)
{
	unsigned int tries;

	for (tries = 0; tries < 4096; tries++) {
		struct page *page = alloc_page(GFP_HIGHUSER | __GFP_NOWARN);

		if (!page)
			return NULL;
		if (page_to_phys(page) > limit)
			return page;
		list_add(&page->lru, held);
	}
	return NULL;
}

static void free_held(struct list_head *held)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, held, lru)
		__free_page(page);
}

static void fill_page(struct page *page, u8 value)
{
	void *va = kmap_local_page(page);

	memset(va, value, PAGE_SIZE);
	kunmap_local(va);
}

static bool page_holds(struct page *page, u8 value)
{
	void *va = kmap_local_page(page);
	bool same = !memchr_inv(va, value, PAGE_SIZE);

	kunmap_local(va);
	return same;
}

static void bounce_one_way(struct kunit *test, struct device *dev,
			   struct page *page)
{
	phys_addr_t tlb;
	dma_addr_t dma;

	/* What the CPU wrote is in the bounce buffer the device reads. */
	fill_page(page, 0x11);
	dma = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_LE(test, (u64)dma + PAGE_SIZE - 1, *dev->dma_mask);
	tlb = dma_to_phys(dev, dma);
	KUNIT_EXPECT_NOT_NULL(test, swiotlb_find_pool(dev, tlb));
	KUNIT_EXPECT_TRUE(test, page_holds(phys_to_page(tlb), 0x11));
	dma_unmap_page(dev, dma, PAGE_SIZE, DMA_TO_DEVICE);

	/* What the device wrote to the bounce buffer reaches the page. */
	dma = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	tlb = dma_to_phys(dev, dma);
	fill_page(phys_to_page(tlb), 0x22);
	dma_unmap_page(dev, dma, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_EXPECT_TRUE(test, page_holds(page, 0x22));
}

static void a_page_beyond_the_mask_is_bounced_below_it(struct kunit *test)
{
	struct device *dev = ctx(test)->dev[0];
	phys_addr_t limit = DMA_BIT_MASK(31);
	struct streaming_test *t = ctx(test);
	struct page *page;
	LIST_HEAD(held);
	unsigned int i;

	if (memblock_end_of_DRAM() - 1 <= limit)
		kunit_skip(test, "all RAM is below 2 GiB: boot with -m 2048");
	if (!IS_ENABLED(CONFIG_SWIOTLB))
		kunit_skip(test, "no swiotlb in this kernel");
	KUNIT_ASSERT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(31)), 0);
	KUNIT_ASSERT_EQ(test, dma_set_mask(ctx(test)->dev[1], DMA_BIT_MASK(31)), 0);
	KUNIT_ASSERT_TRUE_MSG(test, is_swiotlb_active(dev),
			      "a narrow mask must get a bounce pool");

	page = page_above(test, limit, &held);
	free_held(&held);
	KUNIT_ASSERT_NOT_NULL(test, page);

	bounce_one_way(test, dev, page);
	/* The cache work was on the bounce buffer, not on the page. */
	KUNIT_EXPECT_GT(test, t->log->n, 0);
	for (i = 0; i < t->log->n; i++)
		KUNIT_EXPECT_TRUE(test, !t->log->calls[i].outer ||
				  t->log->calls[i].start <= limit);
	bounce_one_way(test, ctx(test)->dev[1], page);
	__free_page(page);
}

/*
 * With nothing to bounce through, a page beyond the mask could only fail
 * to map: the mask itself is refused, so the driver can choose.
 */
static void without_swiotlb_a_mask_short_of_ram_is_refused(struct kunit *test)
{
	struct device *dev = ctx(test)->dev[0];
	u64 old = dma_get_mask(dev);

	if (IS_ENABLED(CONFIG_SWIOTLB))
		kunit_skip(test, "this kernel has swiotlb to bounce through");
	if (memblock_end_of_DRAM() - 1 <= DMA_BIT_MASK(31))
		kunit_skip(test, "all RAM is below 2 GiB");
	KUNIT_EXPECT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(31)), -EIO);
	KUNIT_EXPECT_EQ(test, dma_get_mask(dev), old);
	expect_calls(test, NULL, 0);
}

static void swiotlb_force_bounces_every_page(struct kunit *test)
{
	struct device *dev = ctx(test)->dev[0];
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	if (!is_swiotlb_force_bounce(dev)) {
		__free_page(page);
		kunit_skip(test, "boot with swiotlb=force");
	}
	bounce_one_way(test, dev, page);
	__free_page(page);
}

static void an_exhausted_swiotlb_fails_the_map_and_recovers(struct kunit *test)
{
	struct device *dev = ctx(test)->dev[1];
	size_t chunk = SZ_128K, limit = SZ_128M;
	unsigned int n, max = limit / chunk;
	dma_addr_t *dmas;
	void *buf;

	if (!is_swiotlb_force_bounce(dev))
		kunit_skip(test, "boot with swiotlb=force");
	buf = arm_dma_test_buffer(test, chunk);
	dmas = kunit_kcalloc(test, max, sizeof(*dmas), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dmas);

	for (n = 0; n < max; n++) {
		dmas[n] = dma_map_single_attrs(dev, buf, chunk, DMA_TO_DEVICE,
					       DMA_ATTR_NO_WARN);
		if (dma_mapping_error(dev, dmas[n]))
			break;
	}
	KUNIT_EXPECT_LT_MSG(test, n, max, "swiotlb held %zu bytes", limit);
	while (n--)
		dma_unmap_single(dev, dmas[n], chunk, DMA_TO_DEVICE);

	dmas[0] = dma_map_single(dev, buf, chunk, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_mapping_error(dev, dmas[0]));
	if (!dma_mapping_error(dev, dmas[0]))
		dma_unmap_single(dev, dmas[0], chunk, DMA_TO_DEVICE);
}

/*
 * dma_max_mapping_size() is what drivers size their requests by: where
 * maps may bounce it is what one bounce can take, and a map of that size
 * goes through; where nothing bounces, there is no limit.
 */
static void max_mapping_size_is_what_a_bounce_can_take(struct kunit *test)
{
	struct device *dev = ctx(test)->dev[1];
	phys_addr_t last = memblock_end_of_DRAM() - 1;
	struct page *page;
	dma_addr_t dma;
	size_t max;

	if (!is_swiotlb_force_bounce(dev) && last > DMA_BIT_MASK(31) &&
	    IS_ENABLED(CONFIG_SWIOTLB))
		KUNIT_ASSERT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(31)), 0);
	if (!is_swiotlb_force_bounce(dev) && dma_get_mask(dev) >= last) {
		KUNIT_EXPECT_EQ(test, dma_max_mapping_size(dev), SIZE_MAX);
		return;
	}
	max = dma_max_mapping_size(dev);
	KUNIT_ASSERT_LE(test, max, swiotlb_max_mapping_size(dev));
	page = alloc_pages(GFP_KERNEL, get_order(max));
	KUNIT_ASSERT_NOT_NULL(test, page);
	dma = dma_map_page(dev, page, 0, max, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_mapping_error(dev, dma));
	if (!dma_mapping_error(dev, dma))
		dma_unmap_page(dev, dma, max, DMA_TO_DEVICE);
	__free_pages(page, get_order(max));
}

static struct kunit_case arm_dma_streaming_cases[] = {
	KUNIT_CASE(a_coherent_device_gets_no_cache_maintenance),
	KUNIT_CASE(unmap_marks_whole_pages_the_device_wrote_dcache_clean),
	KUNIT_CASE(map_resource_does_no_cache_work_and_checks_the_mask),
	KUNIT_CASE(a_page_beyond_the_mask_is_bounced_below_it),
	KUNIT_CASE(without_swiotlb_a_mask_short_of_ram_is_refused),
	KUNIT_CASE(swiotlb_force_bounces_every_page),
	KUNIT_CASE(an_exhausted_swiotlb_fails_the_map_and_recovers),
	KUNIT_CASE(max_mapping_size_is_what_a_bounce_can_take),
	{}
};

static struct kunit_suite arm_dma_streaming_suite = {
	.name = "arm_dma_streaming",
	.init = streaming_test_init,
	.test_cases = arm_dma_streaming_cases,
};

kunit_test_suite(arm_dma_streaming_suite);

MODULE_DESCRIPTION("KUnit: streaming DMA on ARM");
MODULE_LICENSE("GPL");
