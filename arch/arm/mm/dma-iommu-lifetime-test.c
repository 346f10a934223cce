// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: a device's DMA domain across its driver going and coming
 * back.
 *
 * A driver that goes away may leave mappings behind; a driver that comes
 * back must still get DMA that works, and a device whose DMA domain cannot
 * be set up must get no DMA rather than DMA the IOMMU misreads.  The cases
 * unbind and bind edu again; they need QEMU -machine virt,iommu=smmuv3
 * -device edu,dma_mask=0xffffffff and skip otherwise.
 */
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/dma-map-ops.h>
#include <linux/mm.h>
#include <kunit/static_stub.h>

#include "dma-test-fixtures.h"

static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("arm-dma-iommu-lifetime-test", false);

static int lifetime_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&edu_binding.driver);
}

static void lifetime_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_binding.driver);
}

static int lifetime_test_init(struct kunit *test)
{
	return iommu_test_setup(test, &edu_binding);
}

/* edu's driver goes and comes back, as with sysfs unbind and bind. */
static void rebind(struct kunit *test)
{
	struct iommu_test *t = test->priv;

	device_release_driver(t->dev);
	KUNIT_ASSERT_NULL(test, edu_binding.pdev);
	KUNIT_ASSERT_EQ(test, device_attach(t->dev), 1);
	KUNIT_ASSERT_PTR_EQ(test, edu_binding.pdev, t->pdev);
}

/*
 * A mask of 14 bits leaves the IOVAs of three pages: 0x1000 to 0x3000.  An
 * IOVA space hands out its highest free range first.
 */
#define TINY_MASK	DMA_BIT_MASK(14)

/*
 * What a driver leaves mapped when it goes stays mapped, as its IOVA space
 * stays with the domain: the driver that comes back gets another IOVA
 * (a new space would hand out the same one again, onto the page table
 * entry left behind), maps as before, and can still unmap what was left.
 */
static void what_a_driver_leaves_mapped_stays_allocated(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct page *left, *next;
	dma_addr_t l, n;

	if (IS_ENABLED(CONFIG_ARM_DMA_USE_IOMMU))
		kunit_skip(test, "an arm_iommu_* mapping goes with the driver that had it");
	left = alloc_page(GFP_KERNEL);
	next = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, left);
	KUNIT_ASSERT_NOT_NULL(test, next);
	KUNIT_ASSERT_EQ(test, dma_set_mask(t->dev, TINY_MASK), 0);
	l = dma_map_page(t->dev, left, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, l));

	arm_dma_expect_dma_debug_error(test, "pending DMA allocations while released");
	rebind(test);
	KUNIT_EXPECT_PTR_EQ(test, translated(t, l), left);

	KUNIT_ASSERT_EQ(test, dma_set_mask(t->dev, TINY_MASK), 0);
	n = dma_map_page(t->dev, next, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_mapping_error(t->dev, n));
	if (!dma_mapping_error(t->dev, n)) {
		KUNIT_EXPECT_NE(test, n, l);
		KUNIT_EXPECT_PTR_EQ(test, translated(t, n), next);
		dma_unmap_page(t->dev, n, PAGE_SIZE, DMA_TO_DEVICE);
	}
	KUNIT_EXPECT_PTR_EQ(test, translated(t, l), left);
	dma_unmap_page(t->dev, l, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_NULL(test, translated(t, l));
	KUNIT_EXPECT_EQ(test, dma_set_mask(t->dev, DMA_BIT_MASK(32)), 0);
	__free_page(left);
	__free_page(next);
}

/* Where setting up a device's DMA domain starts, in this kernel. */
#ifdef CONFIG_ARM_DMA_USE_IOMMU
#define DMA_DOMAIN_SETUP	arm_iommu_legacy_setup
#else
#define DMA_DOMAIN_SETUP	arm_iommu_group_domain_setup
#endif

static int no_domain(struct device *dev)
{
	return -ENOMEM;
}

/*
 * A device whose DMA domain cannot be made (no memory for its IOVA space,
 * a doorbell that will not map) while its IOMMU translates gets no DMA:
 * the direct ops would give it physical addresses, which the IOMMU takes
 * for IOVAs.  Its next probe tries again.
 */
static void a_device_without_its_dma_domain_gets_no_dma(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct iommu_domain *domain;
	void __iomem *regs;
	dma_addr_t handle;
	void *cpu;
	u8 *b;

	b = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	kunit_activate_static_stub(test, DMA_DOMAIN_SETUP, no_domain);
	rebind(test);
	kunit_deactivate_static_stub(test, DMA_DOMAIN_SETUP);
	domain = iommu_get_domain_for_dev(t->dev);
	if (!domain || !(domain->type & __IOMMU_DOMAIN_PAGING)) {
		rebind(test);
		kunit_skip(test, "edu's IOMMU passes its DMA through without a DMA domain");
	}

	KUNIT_EXPECT_NE(test, dma_set_mask_and_coherent(t->dev, DMA_BIT_MASK(32)), 0);
	handle = dma_map_single(t->dev, b, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_TRUE(test, dma_mapping_error(t->dev, handle));
	if (!dma_mapping_error(t->dev, handle))
		dma_unmap_single(t->dev, handle, PAGE_SIZE, DMA_TO_DEVICE);
	cpu = dma_alloc_coherent(t->dev, PAGE_SIZE, &handle, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, cpu);
	if (cpu)
		dma_free_coherent(t->dev, PAGE_SIZE, cpu, handle);

	rebind(test);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(t->dev, DMA_BIT_MASK(32)), 0);
	regs = edu_start(test);
	edu_round_trip(test, regs, b);
	pci_iounmap(t->pdev, regs);
}

static struct kunit_case arm_dma_iommu_lifetime_cases[] = {
	KUNIT_CASE(what_a_driver_leaves_mapped_stays_allocated),
	KUNIT_CASE(a_device_without_its_dma_domain_gets_no_dma),
	{}
};

static struct kunit_suite arm_dma_iommu_lifetime_suite = {
	.name = "arm_dma_iommu_lifetime",
	.suite_init = lifetime_suite_init,
	.suite_exit = lifetime_suite_exit,
	.init = lifetime_test_init,
	.test_cases = arm_dma_iommu_lifetime_cases,
};

kunit_test_suite(arm_dma_iommu_lifetime_suite);

MODULE_DESCRIPTION("KUnit: a DMA domain across unbind and bind on 32-bit ARM");
MODULE_LICENSE("GPL");
