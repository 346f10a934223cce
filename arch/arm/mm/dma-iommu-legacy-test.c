// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: the arm_iommu_* API of <asm/dma-iommu.h>, as the drivers of
 * CONFIG_ARM_DMA_USE_IOMMU use it.  In each case edu is detached from the
 * mapping it started out in, attached to one of the case's own, and given
 * its first mapping back at the end.
 */
#include <linux/dma-map-ops.h>
#include <linux/sizes.h>
#include <asm/dma-iommu.h>

#include "dma-test-fixtures.h"

static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("arm-dma-iommu-legacy-test", false);

static int legacy_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&edu_binding.driver);
}

static void legacy_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_binding.driver);
}

static int legacy_test_init(struct kunit *test)
{
	return iommu_test_setup(test, &edu_binding);
}

static void legacy_test_exit(struct kunit *test)
{
	struct iommu_test *t = test->priv;

	if (!t->saved)
		return;
	if (to_dma_iommu_mapping(t->dev))
		arm_iommu_detach_device(t->dev);
	arm_iommu_release_mapping(t->mine);
	WARN_ON(arm_iommu_attach_device(t->dev, t->saved));
}

static void take_edu_out_of_its_mapping(struct kunit *test)
{
	struct iommu_test *t = test->priv;

	t->saved = to_dma_iommu_mapping(t->dev);
	KUNIT_ASSERT_NOT_NULL(test, t->saved);
	arm_iommu_detach_device(t->dev);
}

/* Put edu into a new mapping of [@base, @base + @size). */
static struct dma_iommu_mapping *
put_edu_into_a_new_mapping(struct kunit *test, dma_addr_t base, u64 size)
{
	struct iommu_test *t = test->priv;
	struct dma_iommu_mapping *mapping;

	take_edu_out_of_its_mapping(test);
	mapping = arm_iommu_create_mapping(t->dev, base, size);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mapping));
	t->mine = mapping;
	KUNIT_ASSERT_EQ(test, arm_iommu_attach_device(t->dev, mapping), 0);
	t->domain = mapping->domain;
	return mapping;
}

static void a_device_starts_out_in_a_mapping_of_its_own(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct dma_iommu_mapping *mapping = to_dma_iommu_mapping(t->dev);

	KUNIT_ASSERT_NOT_NULL(test, mapping);
	KUNIT_EXPECT_PTR_EQ(test, mapping->domain, t->domain);
	KUNIT_EXPECT_PTR_EQ(test, get_dma_ops(t->dev), &arm_iommu_dma_ops);
	/* Its creator's reference and its attachment's, both the device's. */
	KUNIT_EXPECT_EQ(test, kref_read(&mapping->kref), 2);
}

static void a_detached_device_is_back_on_the_direct_ops(struct kunit *test)
{
	struct iommu_test *t = test->priv;

	take_edu_out_of_its_mapping(test);
	KUNIT_EXPECT_NULL(test, to_dma_iommu_mapping(t->dev));
	KUNIT_EXPECT_PTR_EQ(test, get_dma_ops(t->dev),
			    dev_is_dma_coherent(t->dev) ?
			    &arm_coherent_dma_ops : &arm_dma_ops);
	KUNIT_EXPECT_EQ(test, kref_read(&t->saved->kref), 1);

	/* A second detach finds nothing to detach and changes nothing. */
	arm_iommu_detach_device(t->dev);
	KUNIT_EXPECT_EQ(test, kref_read(&t->saved->kref), 1);
	KUNIT_EXPECT_NULL(test, to_dma_iommu_mapping(t->dev));
}

static void a_mapping_beyond_4g_or_of_no_size_is_refused(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	unsigned int domains = arm_iommu_nr_domains();

	KUNIT_EXPECT_EQ(test, PTR_ERR(arm_iommu_create_mapping(t->dev, 0,
							       SZ_4G + SZ_4K)),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(arm_iommu_create_mapping(t->dev, 0, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, arm_iommu_nr_domains(), domains);
}

static void attaching_a_device_twice_is_refused(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct dma_iommu_mapping *mapping, *first;

	first = to_dma_iommu_mapping(t->dev);
	mapping = arm_iommu_create_mapping(t->dev, SZ_1G, SZ_1M);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mapping));
	KUNIT_EXPECT_EQ(test, arm_iommu_attach_device(t->dev, mapping), -EBUSY);
	KUNIT_EXPECT_EQ(test, kref_read(&mapping->kref), 1);
	KUNIT_EXPECT_PTR_EQ(test, to_dma_iommu_mapping(t->dev), first);
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev(t->dev),
			    first->domain);
	arm_iommu_release_mapping(mapping);
}

static void a_drivers_mapping_holds_the_dma_in_its_window(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	void __iomem *regs;
	dma_addr_t dma;
	u8 *buf;

	put_edu_into_a_new_mapping(test, SZ_1G, SZ_16M);
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev(t->dev), t->domain);
	KUNIT_EXPECT_PTR_EQ(test, get_dma_ops(t->dev), &arm_iommu_dma_ops);

	buf = dma_alloc_coherent(t->dev, SZ_64K, &dma, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_GE(test, dma, SZ_1G);
	KUNIT_EXPECT_LE(test, (u64)dma + SZ_64K, SZ_1G + SZ_16M);
	KUNIT_EXPECT_NOT_NULL(test, translated(t, dma));
	dma_free_coherent(t->dev, SZ_64K, buf, dma);

	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	regs = edu_start(test);
	dma = edu_round_trip(test, regs, buf);
	KUNIT_EXPECT_GE(test, dma, SZ_1G);
	KUNIT_EXPECT_LT(test, dma, SZ_1G + SZ_16M);
	KUNIT_EXPECT_NULL(test, translated(t, dma));
	pci_iounmap(t->pdev, regs);
}

static void the_window_bounds_the_iova_space(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	dma_addr_t dma[17];
	unsigned int i, mapped;
	u8 *buf;

	/* Sixteen pages of IOVA space at 2 GiB, for one page each. */
	put_edu_into_a_new_mapping(test, SZ_2G, 16 * PAGE_SIZE);
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (mapped = 0; mapped < ARRAY_SIZE(dma); mapped++) {
		dma[mapped] = dma_map_single(t->dev, buf, PAGE_SIZE,
					     DMA_TO_DEVICE);
		if (dma_mapping_error(t->dev, dma[mapped]))
			break;
		KUNIT_EXPECT_GE(test, dma[mapped], SZ_2G);
		KUNIT_EXPECT_LT(test, dma[mapped], SZ_2G + 16 * PAGE_SIZE);
	}
	KUNIT_EXPECT_EQ(test, mapped, 16);
	for (i = 0; i < mapped; i++)
		dma_unmap_single(t->dev, dma[i], PAGE_SIZE, DMA_TO_DEVICE);

	/* What was given back can be had again. */
	dma[0] = dma_map_single(t->dev, buf, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma[0]));
	dma_unmap_single(t->dev, dma[0], PAGE_SIZE, DMA_TO_DEVICE);
}

static void a_released_mapping_lives_until_its_last_device_leaves(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	unsigned int domains = arm_iommu_nr_domains();
	struct dma_iommu_mapping *mapping;
	dma_addr_t dma;
	u8 *buf;

	mapping = put_edu_into_a_new_mapping(test, SZ_1G, SZ_1M);
	KUNIT_EXPECT_EQ(test, arm_iommu_nr_domains(), domains + 1);
	arm_iommu_release_mapping(mapping);
	t->mine = NULL;
	KUNIT_EXPECT_EQ(test, arm_iommu_nr_domains(), domains + 1);

	/* The device still maps through it. */
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = dma_map_single(t->dev, buf, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	KUNIT_EXPECT_PTR_EQ(test, translated(t, dma), virt_to_page(buf));
	dma_unmap_single(t->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);

	arm_iommu_detach_device(t->dev);
	KUNIT_EXPECT_EQ(test, arm_iommu_nr_domains(), domains);
}

static int count_device(struct device *dev, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

/*
 * Two functions of one device share an IOMMU group (QEMU: -device
 * edu,addr=7.0,multifunction=on -device edu,addr=7.1).  Detaching the one
 * in a mapping takes the whole group off it, so the mapping's domain can
 * be freed with nothing walking it.
 */
static void detaching_a_device_takes_its_whole_group_off_the_mapping(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct iommu_group *group = iommu_group_get(t->dev);
	unsigned int devices = 0;

	KUNIT_ASSERT_NOT_NULL(test, group);
	iommu_group_for_each_dev(group, &devices, count_device);
	if (devices < 2) {
		iommu_group_put(group);
		kunit_skip(test, "edu is alone in its group: give it a second function");
	}
	KUNIT_EXPECT_PTR_NE(test, iommu_get_domain_for_dev(t->dev),
			    iommu_group_default_domain(group));
	take_edu_out_of_its_mapping(test);
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev(t->dev),
			    iommu_group_default_domain(group));

	/* And a mapping takes the whole group again. */
	t->mine = arm_iommu_create_mapping(t->dev, SZ_1G, SZ_1M);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->mine));
	KUNIT_ASSERT_EQ(test, arm_iommu_attach_device(t->dev, t->mine), 0);
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev(t->dev),
			    t->mine->domain);
	iommu_group_put(group);
}

static struct kunit_case arm_dma_iommu_legacy_cases[] = {
	KUNIT_CASE(a_device_starts_out_in_a_mapping_of_its_own),
	KUNIT_CASE(a_detached_device_is_back_on_the_direct_ops),
	KUNIT_CASE(a_mapping_beyond_4g_or_of_no_size_is_refused),
	KUNIT_CASE(attaching_a_device_twice_is_refused),
	KUNIT_CASE(a_drivers_mapping_holds_the_dma_in_its_window),
	KUNIT_CASE(the_window_bounds_the_iova_space),
	KUNIT_CASE(a_released_mapping_lives_until_its_last_device_leaves),
	KUNIT_CASE(detaching_a_device_takes_its_whole_group_off_the_mapping),
	{}
};

static struct kunit_suite arm_dma_iommu_legacy_suite = {
	.name = "arm_dma_iommu_legacy",
	.suite_init = legacy_suite_init,
	.suite_exit = legacy_suite_exit,
	.init = legacy_test_init,
	.exit = legacy_test_exit,
	.test_cases = arm_dma_iommu_legacy_cases,
};

kunit_test_suite(arm_dma_iommu_legacy_suite);

MODULE_DESCRIPTION("KUnit: the arm_iommu_* API on 32-bit ARM");
MODULE_LICENSE("GPL");
