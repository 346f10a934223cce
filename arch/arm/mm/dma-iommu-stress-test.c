// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: lazy IOMMU unmaps from two CPUs at once.  (The load from
 * threads and interrupts together, on these ops as on the others, is the
 * arm_dma_stress suite's.)
 */
#include <linux/kthread.h>
#include <linux/ktime.h>

#include "dma-test-fixtures.h"

static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("arm-dma-iommu-stress-test", false);

static int stress_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&edu_binding.driver);
}

static void stress_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_binding.driver);
}

static int stress_test_init(struct kunit *test)
{
	if (num_online_cpus() < 2 || !cpu_online(0) || !cpu_online(1))
		kunit_skip(test, "needs CPUs 0 and 1 online: QEMU -smp 2");
	return iommu_test_setup(test, &edu_binding);
}

/* Start @fn on CPUs 0 and 1, each with its own completion in @done. */
static void run_on_two_cpus(struct kunit *test, int (*fn)(void *), void *data,
			    struct completion *done)
{
	unsigned int cpu;

	for (cpu = 0; cpu < 2; cpu++) {
		struct task_struct *task;

		init_completion(&done[cpu]);
		task = kthread_create(fn, data, "arm-dma-stress/%u", cpu);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		kthread_bind(task, cpu);
		wake_up_process(task);
	}
	for (cpu = 0; cpu < 2; cpu++)
		wait_for_completion(&done[cpu]);
}

/*
 * Two CPUs map and unmap a page each, lazily, as fast as they can.  An
 * IOVA a CPU is still returning from unmapping must not be handed out to
 * the other one: @held marks each IOVA page from the moment its map
 * returns until its owner has finished with the unmap (30 us after the
 * unmap returns, as DMA-API debug is still dropping its record then).
 */
struct iova_race {
	struct device *dev;
	unsigned long *held;
	unsigned int iterations;
	atomic_t clashes;
	atomic_t failures;
	struct completion done[2];
};

#define IOVA_RACE_PAGES		(1UL << (32 - PAGE_SHIFT))

/* Stay busy on this CPU, as a caller still updating its records would. */
static void iova_race_busy(unsigned int us)
{
	ktime_t until = ktime_add_us(ktime_get(), us);

	while (ktime_before(ktime_get(), until))
		cpu_relax();
}

static int iova_race_thread(void *data)
{
	struct iova_race *r = data;
	unsigned int cpu = raw_smp_processor_id(), i;
	struct page *page = alloc_page(GFP_KERNEL);

	for (i = 0; page && i < r->iterations; i++) {
		dma_addr_t dma = dma_map_page(r->dev, page, 0, PAGE_SIZE,
					      DMA_TO_DEVICE);
		unsigned long idx = dma >> PAGE_SHIFT;

		if (dma_mapping_error(r->dev, dma) || idx >= IOVA_RACE_PAGES) {
			atomic_inc(&r->failures);
			continue;
		}
		if (test_and_set_bit(idx, r->held))
			atomic_inc(&r->clashes);
		dma_unmap_page(r->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
		iova_race_busy(30);
		clear_bit(idx, r->held);
	}
	if (!page)
		atomic_inc(&r->failures);
	else
		__free_page(page);
	complete(&r->done[cpu]);
	return 0;
}

static void lazy_unmaps_on_two_cpus_never_share_an_iova(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct iova_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->held = kunit_kzalloc(test, BITS_TO_LONGS(IOVA_RACE_PAGES) *
				sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->held);
	r->dev = t->dev;
	r->iterations = 40000;
	arm_iommu_set_lazy(t->dev, true);
	run_on_two_cpus(test, iova_race_thread, r, r->done);
	arm_iommu_set_lazy(t->dev, false);

	KUNIT_EXPECT_EQ(test, atomic_read(&r->failures), 0);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->clashes), 0,
			    "an IOVA was handed out before its unmap had returned");
	KUNIT_EXPECT_EQ(test, arm_iommu_fq_pending(t->dev), 0);
}

static struct kunit_case arm_dma_iommu_stress_cases[] = {
	KUNIT_CASE(lazy_unmaps_on_two_cpus_never_share_an_iova),
	{}
};

static struct kunit_suite arm_dma_iommu_stress_suite = {
	.name = "arm_dma_iommu_stress",
	.suite_init = stress_suite_init,
	.suite_exit = stress_suite_exit,
	.init = stress_test_init,
	.test_cases = arm_dma_iommu_stress_cases,
};

kunit_test_suite(arm_dma_iommu_stress_suite);

MODULE_DESCRIPTION("KUnit: the IOMMU ops of 32-bit ARM under load");
MODULE_LICENSE("GPL");
