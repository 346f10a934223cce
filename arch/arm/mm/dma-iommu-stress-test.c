// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: the IOMMU ops under load from two CPUs and from interrupts.
 *
 * The DMA API lets drivers map and unmap from any context, and free
 * coherent buffers wherever interrupts are enabled: from a NAPI poll, a
 * timer or a tasklet while the same CPU is in the middle of another
 * allocation.  These cases do that as hard as they can; with lockdep on,
 * a lock taken in the wrong context shows here even when it never
 * deadlocks.
 */
#include <linux/debug_locks.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/workqueue.h>

#include "dma-internal.h"
#include "dma-iommu-test.h"
#include "dma-test.h"

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

/*
 * Each CPU allocates: a gathered buffer (vmapped, with the vmap lock taken
 * in process context) and an atomic one, which a BH work item on the same
 * CPU frees in softirq context.  Meanwhile a hard interrupt timer on each
 * CPU maps and unmaps a page.
 */
#define IRQ_STRESS_ROUNDS	3000
#define IRQ_STRESS_RING		16

struct irq_stress_cpu {
	struct irq_stress *s;
	spinlock_t lock;		/* guards the ring */
	unsigned int head, tail;
	struct {
		void *cpu;
		dma_addr_t dma;
	} ring[IRQ_STRESS_RING];
	struct work_struct free_work;
	struct hrtimer tick;
	unsigned long tick_maps;
	unsigned long bh_frees;
};

struct irq_stress {
	struct device *dev;
	struct page *page;
	atomic_t failures;
	struct irq_stress_cpu cpu[2];
	struct completion done[2];
};

/* Softirq context: free what this CPU's ring holds. */
static void irq_stress_free(struct work_struct *work)
{
	struct irq_stress_cpu *c = container_of(work, struct irq_stress_cpu,
						free_work);
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	while (c->tail != c->head) {
		unsigned int slot = c->tail++ % IRQ_STRESS_RING;
		void *cpu = c->ring[slot].cpu;
		dma_addr_t dma = c->ring[slot].dma;

		spin_unlock_irqrestore(&c->lock, flags);
		if (!in_serving_softirq())
			atomic_inc(&c->s->failures);
		dma_free_coherent(c->s->dev, PAGE_SIZE, cpu, dma);
		c->bh_frees++;
		spin_lock_irqsave(&c->lock, flags);
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

/* Hard interrupt context: a streaming map and unmap. */
static enum hrtimer_restart irq_stress_tick(struct hrtimer *timer)
{
	struct irq_stress_cpu *c = container_of(timer, struct irq_stress_cpu,
						tick);
	dma_addr_t dma;

	dma = dma_map_page(c->s->dev, c->s->page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(c->s->dev, dma) || !in_hardirq())
		atomic_inc(&c->s->failures);
	else
		dma_unmap_page(c->s->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	c->tick_maps++;
	hrtimer_forward_now(timer, ns_to_ktime(200 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static bool irq_stress_push(struct irq_stress_cpu *c, void *cpu,
			    dma_addr_t dma)
{
	unsigned long flags;
	bool room;

	spin_lock_irqsave(&c->lock, flags);
	room = c->head - c->tail < IRQ_STRESS_RING;
	if (room) {
		c->ring[c->head % IRQ_STRESS_RING].cpu = cpu;
		c->ring[c->head % IRQ_STRESS_RING].dma = dma;
		c->head++;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return room;
}

static int irq_stress_thread(void *data)
{
	struct irq_stress *s = data;
	unsigned int me = raw_smp_processor_id(), i;
	struct irq_stress_cpu *c = &s->cpu[me];

	hrtimer_start(&c->tick, ns_to_ktime(200 * NSEC_PER_USEC), HRTIMER_MODE_REL_PINNED_HARD);
	for (i = 0; i < IRQ_STRESS_ROUNDS; i++) {
		dma_addr_t dma;
		void *cpu;

		cpu = dma_alloc_coherent(s->dev, 2 * PAGE_SIZE, &dma, GFP_KERNEL);
		if (!cpu) {
			atomic_inc(&s->failures);
			break;
		}
		dma_free_coherent(s->dev, 2 * PAGE_SIZE, cpu, dma);

		cpu = dma_alloc_coherent(s->dev, PAGE_SIZE, &dma, GFP_ATOMIC);
		if (!cpu) {
			atomic_inc(&s->failures);
			break;
		}
		if (!irq_stress_push(c, cpu, dma))
			dma_free_coherent(s->dev, PAGE_SIZE, cpu, dma);
		queue_work_on(me, system_bh_wq, &c->free_work);
	}
	hrtimer_cancel(&c->tick);
	flush_work(&c->free_work);
	complete(&s->done[me]);
	return 0;
}

static void coherent_frees_in_softirqs_and_unmaps_in_hardirqs_take_no_wrong_lock(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct irq_stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	bool lockdep_was_on = debug_locks;
	unsigned int cpu;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->dev = t->dev;
	s->page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->page);
	for (cpu = 0; cpu < 2; cpu++) {
		struct irq_stress_cpu *c = &s->cpu[cpu];

		c->s = s;
		spin_lock_init(&c->lock);
		INIT_WORK(&c->free_work, irq_stress_free);
		hrtimer_init(&c->tick, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		c->tick.function = irq_stress_tick;
	}
	run_on_two_cpus(test, irq_stress_thread, s, s->done);
	__free_page(s->page);

	KUNIT_EXPECT_EQ(test, atomic_read(&s->failures), 0);
	for (cpu = 0; cpu < 2; cpu++) {
		KUNIT_EXPECT_EQ(test, s->cpu[cpu].head, s->cpu[cpu].tail);
		KUNIT_EXPECT_GT_MSG(test, s->cpu[cpu].bh_frees, 0,
				    "CPU %u freed nothing in softirq context", cpu);
		KUNIT_EXPECT_GT_MSG(test, s->cpu[cpu].tick_maps, 0,
				    "CPU %u mapped nothing in hardirq context", cpu);
	}
	if (IS_ENABLED(CONFIG_PROVE_LOCKING))
		KUNIT_EXPECT_EQ_MSG(test, debug_locks, lockdep_was_on,
				    "lockdep reported a problem (see the log)");
}

static struct kunit_case arm_dma_iommu_stress_cases[] = {
	KUNIT_CASE(lazy_unmaps_on_two_cpus_never_share_an_iova),
	KUNIT_CASE(coherent_frees_in_softirqs_and_unmaps_in_hardirqs_take_no_wrong_lock),
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
