// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: every device is given the DMA coherence that its device tree
 * node describes, and the test machines have the caches we rely on.
 *
 * This is the harness's smoke suite: it asserts facts about the running
 * kernel that both QEMU machines (virt and vexpress-a9) must satisfy.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/platform_device.h>
#include <asm/outercache.h>

struct coherence_census {
	struct kunit *test;
	unsigned int coherent;
	unsigned int noncoherent;
};

static int census_one(struct device *dev, void *data)
{
	struct coherence_census *census = data;
	bool described;

	/* Only a probed device has been through of_dma_configure(). */
	if (!dev->of_node || !dev->driver)
		return 0;

	described = of_dma_is_coherent(dev->of_node);
	KUNIT_EXPECT_EQ_MSG(census->test, dev_is_dma_coherent(dev), described,
			    "%s: device tree says %scoherent", dev_name(dev),
			    described ? "" : "non-");
	if (dev_is_dma_coherent(dev))
		census->coherent++;
	else
		census->noncoherent++;
	return 0;
}

static struct coherence_census take_census(struct kunit *test)
{
	struct coherence_census census = { .test = test };

	bus_for_each_dev(&platform_bus_type, NULL, &census, census_one);
	kunit_info(test, "%u coherent, %u non-coherent bound platform devices\n",
		   census.coherent, census.noncoherent);
	return census;
}

static bool machine_is_virt(void)
{
	return of_machine_is_compatible("linux,dummy-virt");
}

static bool machine_is_vexpress(void)
{
	return of_machine_is_compatible("arm,vexpress");
}

static void bound_devices_have_the_coherence_the_device_tree_describes(struct kunit *test)
{
	struct coherence_census census = take_census(test);

	KUNIT_EXPECT_GT(test, census.coherent + census.noncoherent, 0);
}

/* QEMU's own virt tree marks its PCIe host dma-coherent. */
static void virt_has_a_coherent_bound_device(struct kunit *test)
{
	struct device_node *host;
	bool coherent;

	if (!machine_is_virt())
		kunit_skip(test, "not QEMU virt");
	host = of_find_compatible_node(NULL, NULL, "pci-host-ecam-generic");
	coherent = of_dma_is_coherent(host);
	of_node_put(host);
	if (!coherent)
		kunit_skip(test, "booted with a tree whose PCIe host does not snoop");

	KUNIT_EXPECT_GT(test, take_census(test).coherent, 0);
}

static void vexpress_has_only_noncoherent_devices(struct kunit *test)
{
	struct coherence_census census;

	if (!machine_is_vexpress())
		kunit_skip(test, "not QEMU vexpress");

	census = take_census(test);
	KUNIT_EXPECT_EQ(test, census.coherent, 0);
	KUNIT_EXPECT_GT(test, census.noncoherent, 0);
}

static void vexpress_has_an_outer_cache(struct kunit *test)
{
	if (!machine_is_vexpress())
		kunit_skip(test, "not QEMU vexpress");

#ifdef CONFIG_OUTER_CACHE
	KUNIT_EXPECT_NOT_NULL(test, outer_cache.inv_range);
	KUNIT_EXPECT_NOT_NULL(test, outer_cache.clean_range);
	KUNIT_EXPECT_NOT_NULL(test, outer_cache.flush_range);
#else
	KUNIT_FAIL(test, "kernel built without CONFIG_OUTER_CACHE");
#endif
}

static void virt_runs_an_lpae_kernel(struct kunit *test)
{
	if (!machine_is_virt())
		kunit_skip(test, "not QEMU virt");

	KUNIT_EXPECT_TRUE(test, IS_ENABLED(CONFIG_ARM_LPAE));
	KUNIT_EXPECT_EQ(test, sizeof(phys_addr_t), sizeof(u64));
}

static struct kunit_case arm_dma_coherence_cases[] = {
	KUNIT_CASE(bound_devices_have_the_coherence_the_device_tree_describes),
	KUNIT_CASE(virt_has_a_coherent_bound_device),
	KUNIT_CASE(vexpress_has_only_noncoherent_devices),
	KUNIT_CASE(vexpress_has_an_outer_cache),
	KUNIT_CASE(virt_runs_an_lpae_kernel),
	{}
};

static struct kunit_suite arm_dma_coherence_suite = {
	.name = "arm_dma_coherence",
	.test_cases = arm_dma_coherence_cases,
};

kunit_test_suite(arm_dma_coherence_suite);

MODULE_DESCRIPTION("KUnit: ARM devices get the DMA coherence their device tree describes");
MODULE_LICENSE("GPL");
