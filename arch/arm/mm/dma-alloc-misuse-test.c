// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: what dma_free_coherent() on ARM refuses.
 *
 * Every buffer the selector hands out is recorded, so a free of memory it
 * never handed out, a second free and a free of the wrong size are refused:
 * nothing is freed, the memory is left as it was, and the refusal counted.
 */
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dma-test-fixtures.h"

struct free_test {
	struct device *coherent;
	struct device *noncoherent;
	long refused;		/* refused frees, when the case began */
};

static struct free_test *ctx(struct kunit *test)
{
	return test->priv;
}

static long live_bytes(const struct arm_dma_allocator *a)
{
	return atomic_long_read(&a->stats.live_bytes);
}

static long frees_of(const struct arm_dma_allocator *a)
{
	return atomic_long_read(&a->stats.frees);
}

static int free_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct free_test), GFP_KERNEL);
	if (!test->priv)
		return -ENOMEM;
	ctx(test)->coherent = arm_dma_test_device(test, "arm-dma-coherent", true);
	ctx(test)->noncoherent = arm_dma_test_device(test, "arm-dma-noncoherent",
						     false);
	ctx(test)->refused = arm_dma_nr_refused_frees();
	return 0;
}

static void freeing_memory_never_allocated_is_refused(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	u8 *foreign = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);

	arm_dma_expect_warning(test, "bad free of a coherent DMA buffer");
	arm_dma_expect_dma_debug_error(test, "free DMA memory it has not allocated");

	KUNIT_ASSERT_NOT_NULL(test, foreign);
	memset(foreign, 0x5a, PAGE_SIZE);

	dma_free_coherent(dev, PAGE_SIZE, foreign,
			  phys_to_dma(dev, virt_to_phys(foreign)));
	KUNIT_EXPECT_EQ(test, arm_dma_nr_refused_frees(), ctx(test)->refused + 1);
	KUNIT_EXPECT_NULL(test, memchr_inv(foreign, 0x5a, PAGE_SIZE));
}

static void freeing_a_buffer_twice_is_refused(struct kunit *test)
{
	struct device *dev = ctx(test)->coherent;
	long frees = frees_of(&arm_dma_simple_allocator);
	dma_addr_t handle;
	void *vaddr;

	arm_dma_expect_warning(test, "bad free of a coherent DMA buffer");
	arm_dma_expect_dma_debug_error(test, "free DMA memory it has not allocated");

	vaddr = dma_alloc_coherent(dev, PAGE_SIZE, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vaddr);
	dma_free_coherent(dev, PAGE_SIZE, vaddr, handle);
	dma_free_coherent(dev, PAGE_SIZE, vaddr, handle);

	KUNIT_EXPECT_EQ(test, frees_of(&arm_dma_simple_allocator), frees + 1);
	KUNIT_EXPECT_EQ(test, arm_dma_nr_refused_frees(), ctx(test)->refused + 1);
}

static void freeing_with_the_wrong_size_is_refused_and_keeps_the_buffer(struct kunit *test)
{
	struct device *dev = ctx(test)->coherent;
	long live = live_bytes(&arm_dma_simple_allocator);
	dma_addr_t handle;
	u8 *vaddr;

	arm_dma_expect_warning(test, "bad free of a coherent DMA buffer");
	/* DMA-API debug forgets the buffer at the refused free. */
	arm_dma_expect_dma_debug_error(test, "different size");
	arm_dma_expect_dma_debug_error(test, "free DMA memory it has not allocated");

	vaddr = dma_alloc_coherent(dev, 2 * PAGE_SIZE, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vaddr);
	memset(vaddr, 0xa5, 2 * PAGE_SIZE);

	dma_free_coherent(dev, 3 * PAGE_SIZE, vaddr, handle);
	KUNIT_EXPECT_EQ(test, arm_dma_nr_refused_frees(), ctx(test)->refused + 1);
	KUNIT_EXPECT_EQ(test, live_bytes(&arm_dma_simple_allocator),
			live + 2 * PAGE_SIZE);
	KUNIT_EXPECT_NULL(test, memchr_inv(vaddr, 0xa5, 2 * PAGE_SIZE));

	dma_free_coherent(dev, 2 * PAGE_SIZE, vaddr, handle);
	KUNIT_EXPECT_EQ(test, live_bytes(&arm_dma_simple_allocator), live);
}

static struct kunit_case arm_dma_alloc_misuse_cases[] = {
	KUNIT_CASE(freeing_memory_never_allocated_is_refused),
	KUNIT_CASE(freeing_a_buffer_twice_is_refused),
	KUNIT_CASE(freeing_with_the_wrong_size_is_refused_and_keeps_the_buffer),
	{}
};

static struct kunit_suite arm_dma_alloc_misuse_suite = {
	.name = "arm_dma_alloc_misuse",
	.init = free_test_init,
	.test_cases = arm_dma_alloc_misuse_cases,
};

kunit_test_suite(arm_dma_alloc_misuse_suite);

MODULE_DESCRIPTION("KUnit: what coherent DMA frees on ARM refuse");
MODULE_LICENSE("GPL");
