// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: a master that does not snoop, behind the IOMMU.
 *
 * On ARM32 SoCs the masters behind an IOMMU (display, video, camera, GPU)
 * do not snoop the CPU caches: the IOMMU ops must do for them the cache
 * maintenance the direct ops do, on the CPU's pages, whatever IOVA the
 * device is given.  QEMU has no data cache, so the cases log what the
 * layer asks the caches to do (dma-test-fixtures.h).  They need edu as a
 * non-coherent PCI device behind the SMMU (make check's
 * virt-smmu-noncoherent run) and skip elsewhere.
 */
#include <linux/dma-map-ops.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include "dma-test-fixtures.h"

static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("arm-dma-iommu-cache-test", false);

static int cache_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&edu_binding.driver);
}

static void cache_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_binding.driver);
}

static int cache_test_init(struct kunit *test)
{
	struct iommu_test *t;
	int ret = iommu_test_setup(test, &edu_binding);

	if (ret)
		return ret;
	t = test->priv;
	if (dev_is_dma_coherent(t->dev))
		kunit_skip(test, "edu snoops here: boot with a PCIe host without dma-coherent");
	return 0;
}

/* Calls expected: inner ones by kernel address, outer ones by physical. */
#define INNER_OP(op, va, len)	{ false, (op), (unsigned long)(va), (len) }
#define OUTER_OP(op, pa, len)	{ true, (op), (pa), (len) }
#define INNER(o, va, len)	INNER_OP(ARM_DMA_##o, va, len)
#define OUTER(o, pa, len)	OUTER_OP(ARM_DMA_##o, pa, len)

/*
 * Map, then unmap, 300 bytes in @dir: the CPU's lines are cleaned or
 * invalidated as the direct ops do it, inner level first towards the
 * device and outer first towards the CPU, and the device gets an IOVA
 * that translates to the buffer.
 */
static void map_unmap_expect(struct kunit *test, enum dma_data_direction dir,
			     enum arm_dma_cache_op map_op,
			     enum arm_dma_cache_op unmap_op)
{
	struct iommu_test *t = test->priv;
	struct arm_dma_cache_log *log = arm_dma_log_cache_calls(test);
	u8 *buf = arm_dma_test_buffer(test, 512) + 100;
	phys_addr_t phys = virt_to_phys(buf);
	const struct arm_dma_cache_call map_calls[] = {
		INNER_OP(map_op, buf, 300), OUTER_OP(map_op, phys, 300),
	};
	const struct arm_dma_cache_call unmap_calls[] = {
		OUTER_OP(unmap_op, phys, 300), INNER_OP(unmap_op, buf, 300),
	};
	dma_addr_t dma;

	dma = dma_map_single(t->dev, buf, 300, dir);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	KUNIT_EXPECT_PTR_EQ(test, translated(t, dma), virt_to_page(buf));
	arm_dma_expect_cache_calls(test, log, map_calls,
				   map_op == ARM_DMA_NO_OP ? 0 : 2);
	dma_unmap_single(t->dev, dma, 300, dir);
	arm_dma_expect_cache_calls(test, log, unmap_calls,
				   unmap_op == ARM_DMA_NO_OP ? 0 : 2);
}

static void to_device_is_cleaned_on_map_and_left_on_unmap(struct kunit *test)
{
	map_unmap_expect(test, DMA_TO_DEVICE, ARM_DMA_CLEAN, ARM_DMA_NO_OP);
}

static void from_device_is_invalidated_on_map_and_on_unmap(struct kunit *test)
{
	map_unmap_expect(test, DMA_FROM_DEVICE, ARM_DMA_INVALIDATE,
			 ARM_DMA_INVALIDATE);
}

static void bidirectional_is_flushed_on_map_and_invalidated_on_unmap(struct kunit *test)
{
	map_unmap_expect(test, DMA_BIDIRECTIONAL, ARM_DMA_FLUSH,
			 ARM_DMA_INVALIDATE);
}

/* The syncs hand the buffer over as the map and the unmap do. */
static void syncs_maintain_the_pages_behind_the_iova(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct arm_dma_cache_log *log = arm_dma_log_cache_calls(test);
	u8 *buf = arm_dma_test_buffer(test, PAGE_SIZE);
	phys_addr_t phys = virt_to_phys(buf);
	const struct arm_dma_cache_call for_cpu[] = {
		OUTER(INVALIDATE, phys, 256), INNER(INVALIDATE, buf, 256),
	};
	const struct arm_dma_cache_call for_device[] = {
		INNER(INVALIDATE, buf, 256), OUTER(INVALIDATE, phys, 256),
	};
	dma_addr_t dma;

	dma = dma_map_single(t->dev, buf, 256, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	log->n = 0;
	dma_sync_single_for_cpu(t->dev, dma, 256, DMA_FROM_DEVICE);
	arm_dma_expect_cache_calls(test, log, for_cpu, ARRAY_SIZE(for_cpu));
	dma_sync_single_for_device(t->dev, dma, 256, DMA_FROM_DEVICE);
	arm_dma_expect_cache_calls(test, log, for_device,
				   ARRAY_SIZE(for_device));
	dma_unmap_single(t->dev, dma, 256, DMA_FROM_DEVICE);
}

/* Every entry of a list is maintained on map, both syncs and unmap. */
static void every_entry_of_a_list_is_maintained(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct arm_dma_cache_log *log = arm_dma_log_cache_calls(test);
	u8 *a = arm_dma_test_buffer(test, PAGE_SIZE);
	u8 *b = arm_dma_test_buffer(test, PAGE_SIZE);
	const struct arm_dma_cache_call to_device[] = {
		INNER(FLUSH, a, 200), OUTER(FLUSH, virt_to_phys(a), 200),
		INNER(FLUSH, b, 300), OUTER(FLUSH, virt_to_phys(b), 300),
	};
	const struct arm_dma_cache_call to_cpu[] = {
		OUTER(INVALIDATE, virt_to_phys(a), 200), INNER(INVALIDATE, a, 200),
		OUTER(INVALIDATE, virt_to_phys(b), 300), INNER(INVALIDATE, b, 300),
	};
	struct scatterlist sgl[2];
	int n;

	sg_init_table(sgl, 2);
	sg_set_buf(&sgl[0], a, 200);
	sg_set_buf(&sgl[1], b, 300);
	n = dma_map_sg(t->dev, sgl, 2, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_GT(test, n, 0);
	arm_dma_expect_cache_calls(test, log, to_device, ARRAY_SIZE(to_device));
	dma_sync_sg_for_cpu(t->dev, sgl, 2, DMA_BIDIRECTIONAL);
	arm_dma_expect_cache_calls(test, log, to_cpu, ARRAY_SIZE(to_cpu));
	dma_sync_sg_for_device(t->dev, sgl, 2, DMA_BIDIRECTIONAL);
	arm_dma_expect_cache_calls(test, log, to_device, ARRAY_SIZE(to_device));
	dma_unmap_sg(t->dev, sgl, 2, DMA_BIDIRECTIONAL);
	arm_dma_expect_cache_calls(test, log, to_cpu, ARRAY_SIZE(to_cpu));
}

/* DMA_ATTR_SKIP_CPU_SYNC leaves the caches to the driver, map and unmap. */
static void skip_cpu_sync_leaves_the_caches_alone(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct arm_dma_cache_log *log = arm_dma_log_cache_calls(test);
	u8 *buf = arm_dma_test_buffer(test, PAGE_SIZE);
	struct scatterlist sg;
	dma_addr_t dma;

	dma = dma_map_single_attrs(t->dev, buf, 128, DMA_BIDIRECTIONAL,
				   DMA_ATTR_SKIP_CPU_SYNC);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_unmap_single_attrs(t->dev, dma, 128, DMA_BIDIRECTIONAL,
			       DMA_ATTR_SKIP_CPU_SYNC);
	sg_init_one(&sg, buf, 128);
	KUNIT_ASSERT_EQ(test, dma_map_sg_attrs(t->dev, &sg, 1, DMA_TO_DEVICE,
					       DMA_ATTR_SKIP_CPU_SYNC), 1);
	dma_unmap_sg_attrs(t->dev, &sg, 1, DMA_TO_DEVICE,
			   DMA_ATTR_SKIP_CPU_SYNC);
	arm_dma_expect_cache_calls(test, log, NULL, 0);
}

static struct kunit_case arm_dma_iommu_cache_cases[] = {
	KUNIT_CASE(to_device_is_cleaned_on_map_and_left_on_unmap),
	KUNIT_CASE(from_device_is_invalidated_on_map_and_on_unmap),
	KUNIT_CASE(bidirectional_is_flushed_on_map_and_invalidated_on_unmap),
	KUNIT_CASE(syncs_maintain_the_pages_behind_the_iova),
	KUNIT_CASE(every_entry_of_a_list_is_maintained),
	KUNIT_CASE(skip_cpu_sync_leaves_the_caches_alone),
	{}
};

static struct kunit_suite arm_dma_iommu_cache_suite = {
	.name = "arm_dma_iommu_cache",
	.suite_init = cache_suite_init,
	.suite_exit = cache_suite_exit,
	.init = cache_test_init,
	.test_cases = arm_dma_iommu_cache_cases,
};

kunit_test_suite(arm_dma_iommu_cache_suite);

MODULE_DESCRIPTION("KUnit: cache maintenance of a non-coherent master behind an IOMMU");
MODULE_LICENSE("GPL");
