// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: what the direct ops' streaming members refuse.
 *
 * Mistakes the direct ops catch without DMA_API_DEBUG: each is refused with
 * a message that names the device, and no cache operation, on a
 * non-coherent and on a coherent device alike.
 */
#include <linux/dma-direct.h>
#include <linux/highmem.h>
#include <linux/kmsg_dump.h>
#include <linux/memblock.h>
#include <linux/ratelimit.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "dma-test-fixtures.h"

struct misuse_test {
	struct device *dev[2];		/* [0] non-coherent, [1] coherent */
	struct arm_dma_cache_log *cache;
	struct kmsg_dump_iter log;	/* what the kernel printed since */
};

static struct misuse_test *ctx(struct kunit *test)
{
	return test->priv;
}

static int streaming_misuse_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct misuse_test),
				   GFP_KERNEL);
	if (!test->priv)
		return -ENOMEM;
	ctx(test)->dev[0] = arm_dma_test_device(test, "stream-noncoherent",
						false);
	ctx(test)->dev[1] = arm_dma_test_device(test, "stream-coherent", true);
	ctx(test)->cache = arm_dma_log_cache_calls(test);
	ratelimit_state_init(&arm_dma_refusals, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	arm_dma_test_log_start(&ctx(test)->log);
	return 0;
}

static bool logged(struct kunit *test, struct device *dev, const char *text)
{
	return arm_dma_test_logged(&ctx(test)->log, dev, text);
}

/* Refused: said so, naming the device, and asked no cache for anything. */
static void expect_refusal(struct kunit *test, struct device *dev,
			   const char *text)
{
	KUNIT_EXPECT_TRUE_MSG(test, logged(test, dev, text),
			      "%s did not log \"%s\"", dev_name(dev), text);
	arm_dma_expect_cache_calls(test, ctx(test)->cache, NULL, 0);
}

static void mapping_null_is_refused(struct kunit *test)
{
	unsigned int i;

	if (pfn_valid(virt_to_pfn(NULL)))
		kunit_skip(test, "NULL's page frame is RAM in this boot");
	for (i = 0; i < 2; i++) {
		struct device *dev = ctx(test)->dev[i];

		arm_dma_expect_dma_debug_error(test, "maps memory from invalid area");
		KUNIT_EXPECT_EQ(test, dma_map_single(dev, NULL, 64, DMA_TO_DEVICE),
				DMA_MAPPING_ERROR);
		expect_refusal(test, dev, "refusing to map 64 bytes");
	}
}

static void mapping_a_kmap_address_is_refused(struct kunit *test)
{
	struct page *page = arm_dma_test_highmem_pages(test, 0);
	u8 *addr = kmap_local_page(page);
	unsigned int i;

	memset(addr, 0x3c, PAGE_SIZE);
	if (pfn_valid(virt_to_pfn(addr))) {
		kunmap_local(addr);
		__free_page(page);
		kunit_skip(test, "kmap addresses alias RAM in this boot");
	}
	for (i = 0; i < 2; i++) {
		struct device *dev = ctx(test)->dev[i];

		arm_dma_expect_dma_debug_error(test, "maps memory from invalid area");
		KUNIT_EXPECT_EQ(test, dma_map_single(dev, addr, 128,
						     DMA_FROM_DEVICE),
				DMA_MAPPING_ERROR);
		expect_refusal(test, dev, "refusing to map 128 bytes");
	}
	KUNIT_EXPECT_NULL(test, memchr_inv(addr, 0x3c, PAGE_SIZE));
	kunmap_local(addr);
	__free_page(page);
}

/* The first page frame past the memory map: memblock ends in whole blocks. */
static phys_addr_t first_phys_beyond_ram(struct kunit *test)
{
	phys_addr_t end = ALIGN(memblock_end_of_DRAM(),
				PAGE_SIZE << pageblock_order);

	if (end < memblock_end_of_DRAM() || pfn_valid(PHYS_PFN(end)))
		kunit_skip(test, "no page frame beyond RAM to name");
	return end;
}

static void mapping_beyond_ram_is_refused(struct kunit *test)
{
	struct page *beyond = pfn_to_page(PHYS_PFN(first_phys_beyond_ram(test)));
	struct page *last = pfn_to_page(PHYS_PFN(memblock_end_of_DRAM()) - 1);
	struct scatterlist sgl[2];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct device *dev = ctx(test)->dev[i];

		KUNIT_EXPECT_EQ(test, dma_map_page(dev, beyond, 0, PAGE_SIZE,
						   DMA_TO_DEVICE),
				DMA_MAPPING_ERROR);
		expect_refusal(test, dev, "there is no memory there");

		/* Begins in RAM, ends beyond it. */
		if (IS_ALIGNED(memblock_end_of_DRAM(),
			       PAGE_SIZE << pageblock_order)) {
			KUNIT_EXPECT_EQ(test,
					dma_map_page(dev, last, 0, 2 * PAGE_SIZE,
						     DMA_TO_DEVICE),
					DMA_MAPPING_ERROR);
			expect_refusal(test, dev, "there is no memory there");
		}

		/* One bad entry fails the list; the good one is unmapped. */
		sg_init_table(sgl, 2);
		sg_set_buf(&sgl[0], arm_dma_test_buffer(test, 64), 64);
		sg_set_page(&sgl[1], beyond, 64, 0);
		KUNIT_EXPECT_EQ(test, dma_map_sg_attrs(dev, sgl, 2, DMA_TO_DEVICE,
						       DMA_ATTR_SKIP_CPU_SYNC), 0);
		expect_refusal(test, dev, "refusing to map 64 bytes");
	}
}

static void a_map_of_no_bytes_is_refused(struct kunit *test)
{
	u8 *buf = arm_dma_test_buffer(test, 64);
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct device *dev = ctx(test)->dev[i];

		KUNIT_EXPECT_EQ(test, dma_map_single(dev, buf, 0, DMA_TO_DEVICE),
				DMA_MAPPING_ERROR);
		expect_refusal(test, dev, "a mapping needs at least one byte");
	}
}

static void unmapping_or_syncing_no_bytes_is_refused(struct kunit *test)
{
	u8 *buf = arm_dma_test_buffer(test, 64);
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct device *dev = ctx(test)->dev[i];
		dma_addr_t dma = dma_map_single(dev, buf, 64, DMA_FROM_DEVICE);

		KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
		ctx(test)->cache->n = 0;
		dma_sync_single_for_cpu(dev, dma, 0, DMA_FROM_DEVICE);
		expect_refusal(test, dev, "refusing to sync 0 bytes");
		/*
		 * DMA-API debug forgets the mapping at the refused unmap, so
		 * it reports the right one too.
		 */
		arm_dma_expect_dma_debug_error(test, "with different size");
		arm_dma_expect_dma_debug_error(test, "free DMA memory it has not allocated");
		dma_unmap_single(dev, dma, 0, DMA_FROM_DEVICE);
		expect_refusal(test, dev, "refusing to unmap 0 bytes");
		dma_unmap_single(dev, dma, 64, DMA_FROM_DEVICE);
	}
}

static void unmapping_dma_mapping_error_is_refused(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct device *dev = ctx(test)->dev[i];

		arm_dma_expect_dma_debug_error(test, "free an invalid DMA memory address");
		arm_dma_expect_dma_debug_error(test, "sync DMA memory it has not allocated");
		dma_unmap_single(dev, DMA_MAPPING_ERROR, 64, DMA_TO_DEVICE);
		expect_refusal(test, dev, "it is DMA_MAPPING_ERROR");
		dma_sync_single_for_device(dev, DMA_MAPPING_ERROR, 64,
					   DMA_TO_DEVICE);
		expect_refusal(test, dev, "it is DMA_MAPPING_ERROR");
	}
}

static void a_handle_beyond_the_mask_is_refused(struct kunit *test)
{
	dma_addr_t beyond = DMA_BIT_MASK(31) + 1;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct device *dev = ctx(test)->dev[i];

		/* Narrowed behind dma_set_mask()'s back: no bounce set-up. */
		*dev->dma_mask = DMA_BIT_MASK(31);
		arm_dma_expect_dma_debug_error(test, "sync DMA memory it has not allocated");
		arm_dma_expect_dma_debug_error(test, "free DMA memory it has not allocated");
		dma_sync_single_for_cpu(dev, beyond, 64, DMA_FROM_DEVICE);
		expect_refusal(test, dev, "DMA mask and bus limit do not reach it");
		dma_unmap_page(dev, beyond - 32, 64, DMA_FROM_DEVICE);
		expect_refusal(test, dev, "DMA mask and bus limit do not reach it");
	}
}

static void a_handle_with_no_memory_behind_it_is_refused(struct kunit *test)
{
	phys_addr_t beyond = first_phys_beyond_ram(test);
	struct scatterlist sg;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct device *dev = ctx(test)->dev[i];
		dma_addr_t dma = phys_to_dma(dev, beyond);

		if (!dma_capable(dev, dma, PAGE_SIZE, true))
			kunit_skip(test, "the mask does not reach past RAM");
		arm_dma_expect_dma_debug_error(test, "free DMA memory it has not allocated");
		arm_dma_expect_dma_debug_error(test, "sync DMA memory it has not allocated");
		dma_unmap_page(dev, dma, PAGE_SIZE, DMA_BIDIRECTIONAL);
		expect_refusal(test, dev, "there is no memory there");
		dma_sync_single_for_cpu(dev, dma, PAGE_SIZE, DMA_BIDIRECTIONAL);
		expect_refusal(test, dev, "there is no memory there");

		sg_init_table(&sg, 1);
		sg_dma_address(&sg) = dma;
		sg_dma_len(&sg) = PAGE_SIZE;
		dma_sync_sg_for_device(dev, &sg, 1, DMA_BIDIRECTIONAL);
		expect_refusal(test, dev, "refusing to sync 4096 bytes");
	}
}

static struct kunit_case arm_dma_streaming_misuse_cases[] = {
	KUNIT_CASE(mapping_null_is_refused),
	KUNIT_CASE(mapping_a_kmap_address_is_refused),
	KUNIT_CASE(mapping_beyond_ram_is_refused),
	KUNIT_CASE(a_map_of_no_bytes_is_refused),
	KUNIT_CASE(unmapping_or_syncing_no_bytes_is_refused),
	KUNIT_CASE(unmapping_dma_mapping_error_is_refused),
	KUNIT_CASE(a_handle_beyond_the_mask_is_refused),
	KUNIT_CASE(a_handle_with_no_memory_behind_it_is_refused),
	{}
};

static struct kunit_suite arm_dma_streaming_misuse_suite = {
	.name = "arm_dma_streaming_misuse",
	.init = streaming_misuse_init,
	.test_cases = arm_dma_streaming_misuse_cases,
};

kunit_test_suite(arm_dma_streaming_misuse_suite);

MODULE_DESCRIPTION("KUnit: what streaming DMA on ARM refuses");
MODULE_LICENSE("GPL");
