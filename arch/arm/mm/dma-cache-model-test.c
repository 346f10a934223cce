// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite of the cache model itself (dma-cache-model.c): before the
 * DMA layer's data cases trust it, it must behave as two write-back,
 * write-allocate levels do, driven by the kernel's own cache calls.
 */
#include <kunit/test.h>
#include <linux/dma-direction.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <asm/cacheflush.h>
#include <asm/outercache.h>

#include "dma.h"
#include "dma-cache-model.h"

#define LEN	256

struct model_page {
	struct page *page;
	phys_addr_t phys;
	u8 *va;			/* lowmem: the linear map */
	u8 dev[LEN];		/* what the device last read */
};

static void untrack(void *data)
{
	struct model_page *p = data;

	arm_dma_model_untrack(p->phys);
	__free_page(p->page);
}

/* A page in the model's caches, none of its lines held; no random events. */
static struct model_page *model_page(struct kunit *test, gfp_t gfp)
{
	struct model_page *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->page = alloc_page(gfp | __GFP_ZERO | __GFP_NOWARN);
	if (!p->page)
		kunit_skip(test, "no page of the kind the case needs");
	p->phys = page_to_phys(p->page);
	p->va = PageHighMem(p->page) ? NULL : page_address(p->page);
	arm_dma_model_reset(0, 0);
	KUNIT_ASSERT_EQ(test, arm_dma_model_track(p->phys, PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, untrack, p), 0);
	return p;
}

static bool device_sees(struct model_page *p, unsigned int off, u8 c)
{
	unsigned int i;

	arm_dma_model_device_read(p->phys + off, p->dev, LEN);
	for (i = 0; i < LEN; i++)
		if (p->dev[i] != c)
			return false;
	return true;
}

static bool cpu_sees(const u8 *va, u8 c)
{
	return !memchr_inv(va, c, LEN);
}

static void a_cpu_write_reaches_memory_only_when_both_levels_are_cleaned(struct kunit *test)
{
	struct model_page *p = model_page(test, GFP_KERNEL);

	memset(p->va, 0xa1, LEN);
	KUNIT_EXPECT_TRUE_MSG(test, device_sees(p, 0, 0),
			      "a dirty line reached memory by itself");
	dmac_map_area(p->va, LEN, DMA_TO_DEVICE);
	KUNIT_EXPECT_TRUE_MSG(test, device_sees(p, 0, 0),
			      "an inner clean went past the outer level");
	outer_clean_range(p->phys, p->phys + LEN);
	KUNIT_EXPECT_TRUE(test, device_sees(p, 0, 0xa1));
	KUNIT_EXPECT_TRUE(test, cpu_sees(p->va, 0xa1));
}

static void a_held_line_hides_what_the_device_wrote_until_invalidated(struct kunit *test)
{
	struct model_page *p = model_page(test, GFP_KERNEL);

	arm_dma_model_fill_all();
	arm_dma_model_device_fill(p->phys, 0xb2, LEN);
	KUNIT_EXPECT_TRUE_MSG(test, cpu_sees(p->va, 0),
			      "a held line showed the device's write");
	outer_inv_range(p->phys, p->phys + LEN);
	KUNIT_EXPECT_TRUE_MSG(test, cpu_sees(p->va, 0),
			      "the inner line was dropped by the outer invalidate");
	dmac_unmap_area(p->va, LEN, DMA_FROM_DEVICE);
	KUNIT_EXPECT_TRUE(test, cpu_sees(p->va, 0xb2));
}

static void invalidating_the_inner_level_first_shows_the_stale_outer_line(struct kunit *test)
{
	struct model_page *p = model_page(test, GFP_KERNEL);

	arm_dma_model_fill_all();
	arm_dma_model_device_fill(p->phys, 0xc3, LEN);
	dmac_unmap_area(p->va, LEN, DMA_FROM_DEVICE);
	KUNIT_EXPECT_TRUE_MSG(test, cpu_sees(p->va, 0),
			      "the inner level refilled from memory, not the outer level");
	outer_inv_range(p->phys, p->phys + LEN);
	KUNIT_EXPECT_TRUE_MSG(test, cpu_sees(p->va, 0xc3),
			      "no inner line held: the CPU reads memory");
}

static void an_invalidate_drops_dirty_lines_but_cleans_partial_ones(struct kunit *test)
{
	struct model_page *p = model_page(test, GFP_KERNEL);
	u8 *va = p->va;

	memset(va, 0xd4, 2 * ARM_DMA_MODEL_INNER_LINE);
	/* The first line wholly inside, the second only partly. */
	dmac_map_area(va, ARM_DMA_MODEL_INNER_LINE + 8, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ_MSG(test, va[0], 0, "a dirty line survived an invalidate");
	KUNIT_EXPECT_EQ_MSG(test, va[ARM_DMA_MODEL_INNER_LINE], 0xd4,
			    "a partly covered line lost the CPU's bytes");
	outer_clean_range(p->phys, p->phys + LEN);
	arm_dma_model_device_read(p->phys, p->dev, LEN);
	KUNIT_EXPECT_EQ(test, p->dev[0], 0);
	KUNIT_EXPECT_EQ(test, p->dev[ARM_DMA_MODEL_INNER_LINE], 0xd4);
}

static void an_eviction_lands_a_dirty_line_over_the_devices_data(struct kunit *test)
{
	struct model_page *p = model_page(test, GFP_KERNEL);

	memset(p->va, 0xe5, LEN);
	arm_dma_model_device_fill(p->phys, 0x5e, LEN);
	arm_dma_model_evict_all();
	KUNIT_EXPECT_TRUE(test, device_sees(p, 0, 0xe5));
}

static void where_no_line_is_held_the_cpu_reads_what_the_device_wrote(struct kunit *test)
{
	struct model_page *p = model_page(test, GFP_KERNEL);

	arm_dma_model_device_fill(p->phys, 0xf6, LEN);
	KUNIT_EXPECT_TRUE(test, cpu_sees(p->va, 0xf6));
}

static void a_highmem_page_is_reached_through_any_of_its_kmaps(struct kunit *test)
{
	struct model_page *p = model_page(test, GFP_HIGHUSER);
	u8 *first, *second;

	if (!PageHighMem(p->page))
		kunit_skip(test, "the boot has no highmem");
	first = kmap_local_page(p->page);
	memset(first, 0x17, LEN);
	second = kmap_local_page(p->page);
	KUNIT_EXPECT_PTR_NE(test, first, second);
	dmac_map_area(second, LEN, DMA_TO_DEVICE);
	kunmap_local(second);
	kunmap_local(first);
	outer_clean_range(p->phys, p->phys + LEN);
	KUNIT_EXPECT_TRUE(test, device_sees(p, 0, 0x17));
}

static void the_generator_replays_from_its_seed(struct kunit *test)
{
	struct model_page *p = model_page(test, GFP_KERNEL);
	struct arm_dma_model_stats first, again;
	int round, i;

	for (round = 0; round < 2; round++) {
		memset(p->va, 0xff, PAGE_SIZE);
		arm_dma_model_evict_all();
		arm_dma_model_reset(42, 4);
		for (i = 0; i < 8; i++) {
			memset(p->va, i, PAGE_SIZE);
			arm_dma_model_tick();
		}
		arm_dma_model_stats(round ? &again : &first);
	}
	KUNIT_EXPECT_GT(test, first.evictions, 0);
	KUNIT_EXPECT_GT(test, first.fills, 0);
	KUNIT_EXPECT_GT(test, first.writebacks, 0);
	KUNIT_EXPECT_EQ(test, first.cpu_writes, again.cpu_writes);
	KUNIT_EXPECT_EQ(test, first.evictions, again.evictions);
	KUNIT_EXPECT_EQ(test, first.fills, again.fills);
	KUNIT_EXPECT_EQ(test, first.writebacks, again.writebacks);
}

static void regions_may_not_cross(struct kunit *test)
{
	struct model_page *p = model_page(test, GFP_KERNEL);

	KUNIT_EXPECT_EQ(test, arm_dma_model_track(p->phys + 64, 64), -EINVAL);
	KUNIT_EXPECT_EQ(test, arm_dma_model_track(p->phys, 0), -EINVAL);
}

static struct kunit_case arm_dma_cache_model_cases[] = {
	KUNIT_CASE(a_cpu_write_reaches_memory_only_when_both_levels_are_cleaned),
	KUNIT_CASE(a_held_line_hides_what_the_device_wrote_until_invalidated),
	KUNIT_CASE(invalidating_the_inner_level_first_shows_the_stale_outer_line),
	KUNIT_CASE(an_invalidate_drops_dirty_lines_but_cleans_partial_ones),
	KUNIT_CASE(an_eviction_lands_a_dirty_line_over_the_devices_data),
	KUNIT_CASE(where_no_line_is_held_the_cpu_reads_what_the_device_wrote),
	KUNIT_CASE(a_highmem_page_is_reached_through_any_of_its_kmaps),
	KUNIT_CASE(the_generator_replays_from_its_seed),
	KUNIT_CASE(regions_may_not_cross),
	{}
};

static struct kunit_suite arm_dma_cache_model_suite = {
	.name = "arm_dma_cache_model",
	.test_cases = arm_dma_cache_model_cases,
};

kunit_test_suite(arm_dma_cache_model_suite);
