// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: the DMA API under load, on whichever ops a device has.
 *
 * A kthread on each of CPUs 0 and 1 (or on CPU 0 alone), a BH work item
 * and a hard interrupt timer on each CPU use one device at once for a bounded number of rounds:
 * coherent buffers of random sizes and kinds, written and read back;
 * streaming maps of single buffers and scatterlists in random directions,
 * with syncs; atomic buffers allocated in hard interrupts and threads and
 * freed in softirqs.  Afterwards every count must be where it started:
 * each allocator's live bytes, the atomic pool, the refused frees and,
 * behind an IOMMU, the IOVA ranges held.  The same load runs again with each
 * allocator of the selector failing one call in three, and behind an
 * IOMMU with one IOVA allocation in three failing (fail_arm_iova): a
 * failure must come back as NULL or DMA_MAPPING_ERROR, and nothing may
 * leak.
 *
 * With the faults parameter set, the load's threads fail where failslab
 * and fail_page_alloc say: every case then expects failures, and still
 * that nothing leaks (harness/faulttest.c runs it so, from debugfs).
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/debug_locks.h>
#include <linux/dma-map-ops.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "dma-test-fixtures.h"

#if IS_ENABLED(CONFIG_PCI)
#define STRESS_PCI	1
#else
#define STRESS_PCI	0
#endif

#if IS_ENABLED(CONFIG_ARM_DMA_IOMMU) && STRESS_PCI
#include "dma-iova.h"
#define STRESS_IOMMU	1
#else
#define STRESS_IOMMU	0
#endif

#define STRESS_ROUNDS		300
#define STRESS_RING		32
#define STRESS_SG		4
#define STRESS_TICK_NS		(300 * NSEC_PER_USEC)

struct stress;

/* One CPU's share: its ring of atomic buffers, its BH work and timer. */
struct stress_cpu {
	struct stress *s;
	spinlock_t lock;		/* guards head, tail and ring */
	unsigned int head, tail;
	struct {
		void *cpu;
		dma_addr_t dma;
	} ring[STRESS_RING];
	struct work_struct bh;
	struct hrtimer tick;
	void *tick_buf;
	unsigned long ticks, bh_frees;
};

struct stress {
	struct device *dev;
	atomic_t wrong;		/* data that did not read back */
	atomic_t failed;	/* allocations and maps that failed */
	bool faults;		/* the threads take injected faults */
	struct stress_cpu cpu[2];
	struct completion done[2];
};

/* Keep an atomic buffer for this CPU's BH work to free; false: full. */
static bool stress_push(struct stress_cpu *c, void *cpu, dma_addr_t dma)
{
	unsigned long flags;
	bool room;

	spin_lock_irqsave(&c->lock, flags);
	room = c->head - c->tail < STRESS_RING;
	if (room) {
		c->ring[c->head % STRESS_RING].cpu = cpu;
		c->ring[c->head % STRESS_RING].dma = dma;
		c->head++;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return room;
}

static bool stress_room(struct stress_cpu *c)
{
	return READ_ONCE(c->head) - READ_ONCE(c->tail) < STRESS_RING;
}

/*
 * An atomic buffer of a page, written, then kept for the BH work.  Only
 * this CPU touches its ring: in a hard interrupt nothing else of it runs,
 * so a ring with room takes the buffer; a thread finding it full (the
 * timer came in between) frees the buffer itself.
 */
static void stress_atomic_buffer(struct stress_cpu *c)
{
	struct stress *s = c->s;
	dma_addr_t dma;
	void *cpu;

	if (!stress_room(c))
		return;
	cpu = dma_alloc_coherent(s->dev, PAGE_SIZE, &dma, GFP_ATOMIC);
	if (!cpu) {
		atomic_inc(&s->failed);
		return;
	}
	memset(cpu, 0x5a, PAGE_SIZE);
	if (!stress_push(c, cpu, dma) && !WARN_ON_ONCE(in_hardirq()))
		dma_free_coherent(s->dev, PAGE_SIZE, cpu, dma);
}

/* Softirq context: free what the ring holds, reading each back first. */
static void stress_bh(struct work_struct *work)
{
	struct stress_cpu *c = container_of(work, struct stress_cpu, bh);
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	while (c->tail != c->head) {
		unsigned int slot = c->tail++ % STRESS_RING;
		void *cpu = c->ring[slot].cpu;
		dma_addr_t dma = c->ring[slot].dma;

		spin_unlock_irqrestore(&c->lock, flags);
		if (memchr_inv(cpu, 0x5a, PAGE_SIZE))
			atomic_inc(&c->s->wrong);
		dma_free_coherent(c->s->dev, PAGE_SIZE, cpu, dma);
		c->bh_frees++;
		spin_lock_irqsave(&c->lock, flags);
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

/* Hard interrupt context: a streaming map and unmap, an atomic buffer. */
static enum hrtimer_restart stress_tick(struct hrtimer *timer)
{
	struct stress_cpu *c = container_of(timer, struct stress_cpu, tick);
	struct device *dev = c->s->dev;
	dma_addr_t dma;

	dma = dma_map_single(dev, c->tick_buf, 256, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, dma))
		atomic_inc(&c->s->failed);
	else
		dma_unmap_single(dev, dma, 256, DMA_TO_DEVICE);
	stress_atomic_buffer(c);
	c->ticks++;
	hrtimer_forward_now(timer, ns_to_ktime(STRESS_TICK_NS));
	return HRTIMER_RESTART;
}

static const unsigned long stress_attrs[] = {
	0, DMA_ATTR_FORCE_CONTIGUOUS, DMA_ATTR_WRITE_COMBINE,
};

/* A coherent buffer of random size and kind, written and read back. */
static void stress_coherent(struct stress *s)
{
	size_t size = 1 + get_random_u32_below(SZ_64K);
	unsigned long attrs = stress_attrs[get_random_u32_below(ARRAY_SIZE(stress_attrs))];
	u8 fill = get_random_u8();
	dma_addr_t dma;
	void *cpu;

	cpu = dma_alloc_attrs(s->dev, size, &dma, GFP_KERNEL, attrs);
	if (!cpu) {
		atomic_inc(&s->failed);
		return;
	}
	memset(cpu, fill, size);
	if (memchr_inv(cpu, fill, size))
		atomic_inc(&s->wrong);
	dma_free_attrs(s->dev, size, cpu, dma, attrs);
}

static const enum dma_data_direction stress_dirs[] = {
	DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL,
};

/*
 * A streaming map of @len bytes of @buf, synced both ways.  What the CPU
 * wrote must still be there unless the device was allowed to write.
 */
static void stress_single(struct stress *s, u8 *buf, size_t len)
{
	enum dma_data_direction dir = stress_dirs[get_random_u32_below(ARRAY_SIZE(stress_dirs))];
	u8 fill = get_random_u8();
	dma_addr_t dma;

	memset(buf, fill, len);
	dma = dma_map_single(s->dev, buf, len, dir);
	if (dma_mapping_error(s->dev, dma)) {
		atomic_inc(&s->failed);
		return;
	}
	dma_sync_single_for_cpu(s->dev, dma, len, dir);
	dma_sync_single_for_device(s->dev, dma, len, dir);
	dma_unmap_single(s->dev, dma, len, dir);
	if (dir == DMA_TO_DEVICE && memchr_inv(buf, fill, len))
		atomic_inc(&s->wrong);
}

static void stress_sg(struct stress *s, struct scatterlist *sgl)
{
	enum dma_data_direction dir = stress_dirs[get_random_u32_below(ARRAY_SIZE(stress_dirs))];
	int count = dma_map_sg(s->dev, sgl, STRESS_SG, dir);

	if (count <= 0) {
		atomic_inc(&s->failed);
		return;
	}
	dma_sync_sg_for_cpu(s->dev, sgl, STRESS_SG, dir);
	dma_sync_sg_for_device(s->dev, sgl, STRESS_SG, dir);
	dma_unmap_sg(s->dev, sgl, STRESS_SG, dir);
}

/*
 * Set (dma_stress_test.faults=1, or in /sys/module) while failslab and
 * fail_page_alloc are on with their task-filter: the load's threads then
 * take the faults, and the KUnit machinery around them does not.
 */
static bool stress_faults;
module_param_named(faults, stress_faults, bool, 0644);
MODULE_PARM_DESC(faults, "the load's threads fail where the fault injectors say");

static void stress_fail_here(bool fail)
{
#ifdef CONFIG_FAULT_INJECTION
	current->make_it_fail = fail;
#endif
}

static int stress_thread(void *data)
{
	struct stress *s = data;
	unsigned int me = raw_smp_processor_id(), i;
	struct stress_cpu *c = &s->cpu[me];
	struct scatterlist sgl[STRESS_SG];
	u8 *buf = kmalloc(SZ_16K, GFP_KERNEL);
	void *pages[STRESS_SG] = { };

	sg_init_table(sgl, STRESS_SG);
	for (i = 0; i < STRESS_SG; i++) {
		pages[i] = kmalloc(PAGE_SIZE, GFP_KERNEL);
		if (pages[i])
			sg_set_buf(&sgl[i], pages[i], PAGE_SIZE);
	}
	if (!buf || !pages[STRESS_SG - 1]) {
		atomic_inc(&s->wrong);
		goto out;
	}
	hrtimer_start(&c->tick, ns_to_ktime(STRESS_TICK_NS),
		      HRTIMER_MODE_REL_PINNED_HARD);
	stress_fail_here(s->faults);
	for (i = 0; i < STRESS_ROUNDS; i++) {
		stress_coherent(s);
		stress_single(s, buf, 1 + get_random_u32_below(SZ_16K));
		stress_sg(s, sgl);
		stress_atomic_buffer(c);
		queue_work_on(me, system_bh_wq, &c->bh);
	}
	stress_fail_here(false);
	hrtimer_cancel(&c->tick);
	flush_work(&c->bh);
	/* The timer may have queued more after the last run of the work. */
	queue_work_on(me, system_bh_wq, &c->bh);
	flush_work(&c->bh);
out:
	for (i = 0; i < STRESS_SG; i++)
		kfree(pages[i]);
	kfree(buf);
	complete(&s->done[me]);
	return 0;
}

/* What must be back where it was once the load is over. */
struct stress_counts {
	long live[8];
	size_t pool_used;
	long refused;
	long iova_held;
	long bounce_slots;
};

/* IOVA ranges @dev's domain holds, those waiting to be flushed aside. */
static long stress_iova_held(struct device *dev)
{
#if STRESS_IOMMU
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	if (domain && domain->iova_cookie)
		return arm_iommu_iova_live(dev) - arm_iommu_fq_pending(dev);
#endif
	return 0;
}

static long stress_bounce_slots(struct device *dev)
{
#if IS_ENABLED(CONFIG_SWIOTLB) && IS_ENABLED(CONFIG_DEBUG_FS)
	if (dev->dma_io_tlb_mem)
		return atomic_long_read(&dev->dma_io_tlb_mem->total_used);
#endif
	return 0;
}

static void stress_count(struct device *dev, struct stress_counts *n)
{
	struct arm_dma_pool_usage pool;
	unsigned int i;

	for (i = 0; i < arm_dma_nr_allocators && i < ARRAY_SIZE(n->live); i++)
		n->live[i] = atomic_long_read(&arm_dma_allocators[i]->stats.live_bytes);
	arm_dma_pool_usage(&pool);
	n->pool_used = pool.used;
	n->refused = arm_dma_nr_refused_frees();
	n->iova_held = stress_iova_held(dev);
	n->bounce_slots = stress_bounce_slots(dev);
}

/*
 * Run the load on @dev; @may_fail: allocation failures are expected.
 * Return: how many allocations and maps failed.
 */
static int stress_run(struct kunit *test, struct device *dev, bool may_fail)
{
	struct stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	/* Both CPUs where there are two (QEMU -smp 2), else the one. */
	unsigned int cpus = cpu_online(1) ? 2 : 1, cpu;
	bool lockdep_was_on = debug_locks;
	struct stress_counts before, after;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->dev = dev;
	s->faults = READ_ONCE(stress_faults);
	may_fail |= s->faults;
	stress_count(dev, &before);
	for (cpu = 0; cpu < cpus; cpu++) {
		struct stress_cpu *c = &s->cpu[cpu];
		struct task_struct *task;

		c->s = s;
		spin_lock_init(&c->lock);
		INIT_WORK(&c->bh, stress_bh);
		hrtimer_init(&c->tick, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		c->tick.function = stress_tick;
		c->tick_buf = kunit_kzalloc(test, 256, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c->tick_buf);
		init_completion(&s->done[cpu]);
		task = kthread_create(stress_thread, s, "arm-dma-stress/%u", cpu);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		kthread_bind(task, cpu);
		wake_up_process(task);
	}
	for (cpu = 0; cpu < cpus; cpu++)
		wait_for_completion(&s->done[cpu]);
	stress_count(dev, &after);

	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->wrong), 0,
			    "data did not read back as written");
	if (!may_fail)
		KUNIT_EXPECT_EQ(test, atomic_read(&s->failed), 0);
	for (cpu = 0; cpu < cpus; cpu++) {
		KUNIT_EXPECT_EQ(test, s->cpu[cpu].head, s->cpu[cpu].tail);
		KUNIT_EXPECT_GT(test, s->cpu[cpu].ticks, 0);
		KUNIT_EXPECT_GT(test, s->cpu[cpu].bh_frees, 0);
	}
	for (cpu = 0; cpu < arm_dma_nr_allocators && cpu < ARRAY_SIZE(before.live); cpu++)
		KUNIT_EXPECT_EQ_MSG(test, after.live[cpu], before.live[cpu],
				    "%s holds bytes the load did not give back",
				    arm_dma_allocators[cpu]->name);
	KUNIT_EXPECT_EQ(test, after.pool_used, before.pool_used);
	KUNIT_EXPECT_EQ(test, after.refused, before.refused);
	KUNIT_EXPECT_EQ_MSG(test, after.iova_held, before.iova_held,
			    "IOVA ranges the load did not give back");
	KUNIT_EXPECT_EQ_MSG(test, after.bounce_slots, before.bounce_slots,
			    "swiotlb slots the load did not give back");
	if (s->faults)
		KUNIT_EXPECT_GT_MSG(test, atomic_read(&s->failed), 0,
				    "faults were injected and none reached the load");
	/* Lockdep turns itself off at its first report. */
	if (IS_ENABLED(CONFIG_PROVE_LOCKING))
		KUNIT_EXPECT_EQ_MSG(test, debug_locks, lockdep_was_on,
				    "lockdep reported a problem (see the log)");
	kunit_info(test, "%s: %lu+%lu timer ticks, %lu+%lu softirq frees, %d failures\n",
		   dev_name(dev), s->cpu[0].ticks, s->cpu[1].ticks,
		   s->cpu[0].bh_frees, s->cpu[1].bh_frees,
		   atomic_read(&s->failed));
	return atomic_read(&s->failed);
}

static struct device *stress_device(struct kunit *test, bool coherent)
{
	return arm_dma_test_device(test, coherent ? "arm-dma-stress-coherent" :
						    "arm-dma-stress-noncoherent",
				   coherent);
}

static void a_coherent_device_under_load_gives_everything_back(struct kunit *test)
{
	stress_run(test, stress_device(test, true), false);
}

static void a_noncoherent_device_under_load_gives_everything_back(struct kunit *test)
{
	stress_run(test, stress_device(test, false), false);
}

/* Each allocator in turn fails one call in three, under the load. */
static struct page *(*stress_real_alloc)(const struct arm_dma_request *req,
					 void **vaddr);
static atomic_t stress_alloc_calls;

static struct page *stress_failing_alloc(const struct arm_dma_request *req,
					 void **vaddr)
{
	if (atomic_inc_return(&stress_alloc_calls) % 3 == 0)
		return NULL;
	return stress_real_alloc(req, vaddr);
}

static void failing_allocators_under_load_leak_nothing(struct kunit *test)
{
	struct device *devs[] = {
		stress_device(test, true), stress_device(test, false),
	};
	unsigned int i, d;

	for (i = 0; i < arm_dma_nr_allocators; i++) {
		struct arm_dma_allocator *a = arm_dma_allocators[i];
		int failed = 0;

		atomic_set(&stress_alloc_calls, 0);
		stress_real_alloc = a->alloc;
		WRITE_ONCE(a->alloc, stress_failing_alloc);
		for (d = 0; d < ARRAY_SIZE(devs); d++)
			failed += stress_run(test, devs[d], true);
		WRITE_ONCE(a->alloc, stress_real_alloc);
		kunit_info(test, "%s: %d calls\n", a->name,
			   atomic_read(&stress_alloc_calls));
		if (atomic_read(&stress_alloc_calls) < 3 || READ_ONCE(stress_faults))
			continue;
		if (a == &arm_dma_cma_allocator)
			/* Remapped pages serve what an exhausted CMA cannot. */
			KUNIT_EXPECT_EQ_MSG(test, failed, 0, "%s failed, and nothing took over",
					    a->name);
		else
			/* Nothing after it suits: the caller sees the failure. */
			KUNIT_EXPECT_GT_MSG(test, failed, 0, "%s failed, and no caller saw it",
					    a->name);
	}
}

#if STRESS_PCI
static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("arm-dma-stress-test", false);

/*
 * edu as a PCI device of the direct ops: coherent behind virt's PCIe host,
 * non-coherent where the device tree says the host does not snoop (the
 * virt-noncoherent-pci run).
 */
static void a_pci_device_under_load_gives_everything_back(struct kunit *test)
{
	struct device *dev;

	if (!edu_binding.pdev)
		kunit_skip(test, "no edu device: QEMU -device edu");
	dev = &edu_binding.pdev->dev;
	if (device_iommu_mapped(dev))
		kunit_skip(test, "edu is behind an IOMMU: the IOMMU cases load it");
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32)), 0);
	kunit_info(test, "%s: %s\n", dev_name(dev),
		   dev_is_dma_coherent(dev) ? "coherent" : "non-coherent");
	stress_run(test, dev, false);
}
#endif

#if STRESS_IOMMU
static struct device *stress_edu(struct kunit *test)
{
	struct iommu_test *t;

	iommu_test_setup(test, &edu_binding);
	t = test->priv;
	return t->dev;
}

static void a_device_behind_the_iommu_under_load_gives_everything_back(struct kunit *test)
{
	struct device *dev = stress_edu(test);

	arm_iommu_set_lazy(dev, false);
	stress_run(test, dev, false);
	KUNIT_EXPECT_EQ(test, arm_iommu_fq_pending(dev), 0);
}

static void lazy_unmaps_under_load_give_everything_back(struct kunit *test)
{
	struct device *dev = stress_edu(test);

	arm_iommu_set_lazy(dev, true);
	stress_run(test, dev, false);
	arm_iommu_set_lazy(dev, false);
	KUNIT_EXPECT_EQ(test, arm_iommu_fq_pending(dev), 0);
}

#ifdef CONFIG_ARM_DMA_FAIL_IOVA
/* One IOVA allocation in three fails, strict and lazy, under the load. */
static void failing_iova_allocations_under_load_leak_nothing(struct kunit *test)
{
	struct fault_attr *attr = &arm_iova_fail;
	struct device *dev = stress_edu(test);
	unsigned long verbose = attr->verbose;
	int times = atomic_read(&attr->times), failed = 0;
	bool task_filter = attr->task_filter;

	/* Every task, interrupts too: not only those that asked for faults. */
	attr->task_filter = false;
	attr->verbose = 0;
	attr->interval = 1;
	atomic_set(&attr->times, -1);
	WRITE_ONCE(attr->probability, 33);
	arm_iommu_set_lazy(dev, false);
	failed += stress_run(test, dev, true);
	arm_iommu_set_lazy(dev, true);
	failed += stress_run(test, dev, true);
	arm_iommu_set_lazy(dev, false);
	WRITE_ONCE(attr->probability, 0);
	atomic_set(&attr->times, times);
	attr->verbose = verbose;
	attr->task_filter = task_filter;

	KUNIT_EXPECT_GT_MSG(test, failed, 0, "IOVA allocations failed, and no caller saw it");
	KUNIT_EXPECT_EQ(test, arm_iommu_fq_pending(dev), 0);
}
#endif
#endif

static int stress_suite_init(struct kunit_suite *suite)
{
#if STRESS_PCI
	return pci_register_driver(&edu_binding.driver);
#else
	return 0;
#endif
}

static void stress_suite_exit(struct kunit_suite *suite)
{
#if STRESS_PCI
	pci_unregister_driver(&edu_binding.driver);
#endif
}

static struct kunit_case arm_dma_stress_cases[] = {
	KUNIT_CASE_SLOW(a_coherent_device_under_load_gives_everything_back),
	KUNIT_CASE_SLOW(a_noncoherent_device_under_load_gives_everything_back),
	KUNIT_CASE_SLOW(failing_allocators_under_load_leak_nothing),
#if STRESS_PCI
	KUNIT_CASE_SLOW(a_pci_device_under_load_gives_everything_back),
#endif
#if STRESS_IOMMU
	KUNIT_CASE_SLOW(a_device_behind_the_iommu_under_load_gives_everything_back),
	KUNIT_CASE_SLOW(lazy_unmaps_under_load_give_everything_back),
#ifdef CONFIG_ARM_DMA_FAIL_IOVA
	KUNIT_CASE_SLOW(failing_iova_allocations_under_load_leak_nothing),
#endif
#endif
	{}
};

static struct kunit_suite arm_dma_stress_suite = {
	.name = "arm_dma_stress",
	.suite_init = stress_suite_init,
	.suite_exit = stress_suite_exit,
	.test_cases = arm_dma_stress_cases,
};

kunit_test_suite(arm_dma_stress_suite);

MODULE_DESCRIPTION("KUnit: the ARM DMA layer under load");
MODULE_LICENSE("GPL");
