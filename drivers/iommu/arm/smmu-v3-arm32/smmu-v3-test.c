// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the SMMUv3 driver of 32-bit ARM, as a device behind it sees it.
 *
 * smmu_v3_edu makes QEMU's edu PCI device (1234:11e8) do real DMA through
 * the SMMU: edu copies between its 4 KiB buffer at 0x40000 and a bus
 * address it is given.  It needs -machine virt,iommu=smmuv3 -device edu
 * and skips otherwise.
 */
#include <kunit/qemu_edu.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/of.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "smmu-v3-internal.h"

#define IOVA_IN			0x100000	/* below edu's 28-bit mask */
#define IOVA_OUT		0x200000
#define IOVA_TOP		0xfffff000	/* the last page below 4 GiB */

struct edu_test {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct iommu_domain *domain;
	struct page *in, *out;
	atomic_t faults;
	unsigned long fault_iova;
};

static struct smmu_device *smmu_of(struct device *dev)
{
	struct smmu_master *master = dev_iommu_priv_get(dev);

	return master->smmu;
}

static bool edu_dma(struct edu_test *t, u64 bus, bool to_ram)
{
	return qemu_edu_dma(t->regs, bus, to_ram);
}

static void fill(struct page *page, u8 value)
{
	memset(page_address(page), value, PAGE_SIZE);
}

/* The bytes a transfer covers hold @value. */
static bool holds(struct page *page, u8 value)
{
	return !memchr_inv(page_address(page), value, QEMU_EDU_XFER);
}

/*
 * The suite binds edu to a driver of its own, so that the device is
 * configured for DMA (and put behind the SMMU) as any driver's would be.
 * It manages DMA ownership itself, so the test may also claim the group.
 */
static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("smmu-v3-edu-test", true);

static int edu_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&edu_binding.driver);
}

static void edu_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_binding.driver);
}

static int edu_test_init(struct kunit *test)
{
	struct edu_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	test->priv = t;
	if (!edu_binding.pdev)
		kunit_skip(test, "no edu device: QEMU -device edu");
	t->pdev = pci_dev_get(edu_binding.pdev);
	if (!device_iommu_mapped(&t->pdev->dev))
		kunit_skip(test, "edu is not behind an SMMU: -machine iommu=smmuv3");
	KUNIT_ASSERT_EQ(test, pci_enable_device(t->pdev), 0);
	pci_set_master(t->pdev);
	t->regs = pci_iomap(t->pdev, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, t->regs);
	KUNIT_ASSERT_EQ(test, readl(t->regs + QEMU_EDU_ID) & 0xffff, 0xed);

	t->in = alloc_page(GFP_KERNEL);
	t->out = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->in);
	KUNIT_ASSERT_NOT_NULL(test, t->out);
	return 0;
}

static void edu_test_exit(struct kunit *test)
{
	struct edu_test *t = test->priv;

	if (!t || !t->pdev)
		return;
	if (t->domain) {
		iommu_detach_device(t->domain, &t->pdev->dev);
		iommu_domain_free(t->domain);
	}
	if (t->regs)
		pci_iounmap(t->pdev, t->regs);
	if (t->in)
		__free_page(t->in);
	if (t->out)
		__free_page(t->out);
	pci_dev_put(t->pdev);
}

static void attach_paging_domain(struct kunit *test, struct edu_test *t)
{
	t->domain = iommu_paging_domain_alloc(&t->pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->domain));
	KUNIT_ASSERT_EQ(test, iommu_attach_device(t->domain, &t->pdev->dev), 0);
}

static void a_mapped_page_translates_and_an_unmapped_one_does_not(struct kunit *test)
{
	struct edu_test *t = test->priv;
	phys_addr_t phys = page_to_phys(t->in);

	attach_paging_domain(test, t);
	KUNIT_ASSERT_EQ(test, iommu_map(t->domain, IOVA_IN, phys, PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(t->domain, IOVA_IN + 0x123),
			phys + 0x123);
	KUNIT_EXPECT_EQ(test, iommu_unmap(t->domain, IOVA_IN, PAGE_SIZE),
			PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(t->domain, IOVA_IN), 0);
}

static void device_dma_reaches_mapped_pages_through_the_smmu(struct kunit *test)
{
	struct edu_test *t = test->priv;

	attach_paging_domain(test, t);
	KUNIT_ASSERT_EQ(test, iommu_map(t->domain, IOVA_IN,
					page_to_phys(t->in), PAGE_SIZE,
					IOMMU_READ, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, iommu_map(t->domain, IOVA_OUT,
					page_to_phys(t->out), PAGE_SIZE,
					IOMMU_WRITE, GFP_KERNEL), 0);
	fill(t->in, 0x5a);
	fill(t->out, 0);

	KUNIT_ASSERT_TRUE(test, edu_dma(t, IOVA_IN, false));
	KUNIT_ASSERT_TRUE(test, edu_dma(t, IOVA_OUT, true));
	KUNIT_EXPECT_TRUE(test, holds(t->out, 0x5a));

	iommu_unmap(t->domain, IOVA_IN, PAGE_SIZE);
	iommu_unmap(t->domain, IOVA_OUT, PAGE_SIZE);
}

static bool wait_for_event(struct smmu_device *smmu, unsigned int id, int old)
{
	unsigned int waited;

	for (waited = 0; waited < 1000; waited += 20) {
		if (atomic_read(&smmu->events[id]) > old)
			return true;
		msleep(20);
	}
	return false;
}

/*
 * Map @iova, let edu read through it (which fills the SMMU's TLB) and
 * write back through it, then unmap it: edu's next write there must fault
 * and leave memory alone.
 */
static void expect_a_fault_after_unmap(struct kunit *test, unsigned long iova)
{
	struct edu_test *t = test->priv;
	struct smmu_device *smmu = smmu_of(&t->pdev->dev);
	int faults;

	KUNIT_ASSERT_EQ(test, iommu_map(t->domain, iova, page_to_phys(t->out),
					PAGE_SIZE, IOMMU_READ | IOMMU_WRITE,
					GFP_KERNEL), 0);
	fill(t->out, 0x11);
	KUNIT_ASSERT_TRUE(test, edu_dma(t, iova, false));
	fill(t->out, 0);
	KUNIT_ASSERT_TRUE(test, edu_dma(t, iova, true));
	KUNIT_ASSERT_TRUE_MSG(test, holds(t->out, 0x11),
			      "edu cannot reach IOVA %#lx: is its dma_mask 32 bits?",
			      iova);
	KUNIT_ASSERT_EQ(test, iommu_unmap(t->domain, iova, PAGE_SIZE),
			PAGE_SIZE);

	fill(t->out, 0);
	faults = atomic_read(&smmu->events[EVT_F_TRANSLATION]);
	KUNIT_ASSERT_TRUE(test, edu_dma(t, iova, true));
	KUNIT_EXPECT_TRUE_MSG(test, wait_for_event(smmu, EVT_F_TRANSLATION, faults),
			      "no translation fault: a stale TLB entry translated it");
	KUNIT_EXPECT_TRUE_MSG(test, holds(t->out, 0),
			      "the unmapped page was written");
}

static void dma_after_unmap_faults_and_leaves_memory_alone(struct kunit *test)
{
	attach_paging_domain(test, test->priv);
	expect_a_fault_after_unmap(test, IOVA_OUT);
}

/*
 * The range of the last page below 4 GiB ends at 4 GiB itself, which an
 * unsigned long cannot hold: its unmap must still reach the SMMU's TLB.
 * (Needs -device edu,dma_mask=0xffffffff.)
 */
static void dma_to_the_top_page_faults_after_unmap(struct kunit *test)
{
	attach_paging_domain(test, test->priv);
	expect_a_fault_after_unmap(test, IOVA_TOP);
}

/*
 * Map @pages pages from @iova, let edu read through some of them (the
 * first two, the middle, the last two), unmap them all in one call: a
 * write to each of those pages must fault and leave memory alone.
 */
static void expect_a_range_invalidated(struct kunit *test, unsigned long iova,
				       unsigned int pages)
{
	struct edu_test *t = test->priv;
	struct smmu_device *smmu = smmu_of(&t->pdev->dev);
	const unsigned int probes[] = { 0, 1, pages / 2, pages - 2, pages - 1 };
	unsigned int i;
	int faults;

	for (i = 0; i < pages; i++)
		KUNIT_ASSERT_EQ(test, iommu_map(t->domain, iova + i * PAGE_SIZE,
						page_to_phys(t->out), PAGE_SIZE,
						IOMMU_READ | IOMMU_WRITE,
						GFP_KERNEL), 0);
	fill(t->out, 0x22);
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		KUNIT_ASSERT_TRUE(test, qemu_edu_dma_len(t->regs,
							 iova + probes[i] * PAGE_SIZE,
							 false, 16));
	KUNIT_ASSERT_EQ(test, iommu_unmap(t->domain, iova, pages * PAGE_SIZE),
			pages * PAGE_SIZE);

	fill(t->out, 0);
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		unsigned long at = iova + probes[i] * PAGE_SIZE;

		faults = atomic_read(&smmu->events[EVT_F_TRANSLATION]);
		KUNIT_ASSERT_TRUE(test, qemu_edu_dma_len(t->regs, at, true, 16));
		KUNIT_EXPECT_TRUE_MSG(test,
				      wait_for_event(smmu, EVT_F_TRANSLATION, faults),
				      "%s invalidation of %u pages: page %u (IOVA %#lx) still translates",
				      smmu->ril ? "range" : "page", pages,
				      probes[i], at);
	}
	KUNIT_EXPECT_TRUE(test, holds(t->out, 0));
}

struct ril_setting {
	struct smmu_device *smmu;
	bool ril;
};

/* Range invalidation as the driver had it, after a case that hid it. */
static void restore_ril(void *setting)
{
	struct ril_setting *was = setting;

	WRITE_ONCE(was->smmu->ril, was->ril);
}

/*
 * An unmap invalidates every page it took away, with range commands where
 * the SMMU takes them and page by page (or the whole ASID, for a large
 * range) where it does not: each way is tried on the same SMMU.
 */
static void every_page_of_an_unmapped_range_faults(struct kunit *test)
{
	struct edu_test *t = test->priv;
	struct smmu_device *smmu = smmu_of(&t->pdev->dev);
	struct ril_setting *was = kunit_kmalloc(test, sizeof(*was), GFP_KERNEL);
	bool ril = smmu->ril;
	int pass;

	KUNIT_ASSERT_NOT_NULL(test, was);
	*was = (struct ril_setting) { .smmu = smmu, .ril = ril };
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, restore_ril, was),
			0);
	attach_paging_domain(test, t);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0 && !ril) {
			kunit_info(test, "this SMMU has no range invalidation (IDR3.RIL)");
			continue;
		}
		WRITE_ONCE(smmu->ril, pass == 0);
		/* 37 pages from an odd page: several range commands. */
		expect_a_range_invalidated(test, IOVA_OUT + 3 * PAGE_SIZE, 37);
		/* Beyond what page commands cover: a range, or the ASID. */
		expect_a_range_invalidated(test, IOVA_IN, 300);
	}
}

static int count_fault(struct iommu_domain *domain, struct device *dev,
		       unsigned long iova, int flags, void *token)
{
	struct edu_test *t = token;

	WRITE_ONCE(t->fault_iova, iova);
	atomic_inc(&t->faults);
	return 0;
}

/*
 * QEMU records a fault for each 4-byte access: one stray 1 KiB DMA is 256
 * events, more than the event queue holds.  The driver says so once, and
 * the faults of the next stray DMA still reach the domain's handler.
 */
static void faults_after_a_full_event_queue_are_still_reported(struct kunit *test)
{
	struct edu_test *t = test->priv;
	struct smmu_device *smmu = smmu_of(&t->pdev->dev);
	unsigned int waited;
	int lost, seen;

	attach_paging_domain(test, t);
	iommu_set_fault_handler(t->domain, count_fault, t);
	lost = atomic_read(&smmu->q.events_lost);
	KUNIT_ASSERT_TRUE(test, edu_dma(t, IOVA_OUT, true));
	for (waited = 0; waited < 1000 && atomic_read(&t->faults) <
	     (1 << smmu->q.evtq.log2n); waited += 20)
		msleep(20);
	msleep(100);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&smmu->q.events_lost), lost + 1,
			    "one loss of events, reported once");

	seen = atomic_read(&t->faults);
	KUNIT_ASSERT_TRUE(test, qemu_edu_dma_len(t->regs, IOVA_IN, true, 16));
	for (waited = 0; waited < 1000 && atomic_read(&t->faults) < seen + 4;
	     waited += 20)
		msleep(20);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&t->faults), seen + 4,
			    "the four faults of a 16-byte DMA after the loss");
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->fault_iova) & PAGE_MASK, IOVA_IN);
	KUNIT_EXPECT_EQ(test, atomic_read(&smmu->q.events_lost), lost + 1);
}

/*
 * A command the SMMU cannot execute stops its queue.  The driver reports
 * it once, puts a CMD_SYNC in its place and lets the queue go on: later
 * commands complete, and an unmap still invalidates what edu cached.
 */
static void a_refused_command_is_skipped_and_the_queue_goes_on(struct kunit *test)
{
	struct edu_test *t = test->priv;
	struct smmu_device *smmu = smmu_of(&t->pdev->dev);
	u64 bad[CMD_DWORDS] = { FIELD_PREP(CMD0_OP, 0xff), 0 };
	int errors = atomic_read(&smmu->q.cmdq_errors);
	int timeouts = atomic_read(&smmu->q.sync_timeouts);

	KUNIT_EXPECT_EQ(test, smmu_cmdq_issue_sync(&smmu->q, bad, 1), -EIO);
	KUNIT_EXPECT_EQ(test, atomic_read(&smmu->q.cmdq_errors), errors + 1);
	KUNIT_EXPECT_EQ(test, smmu_cmdq_issue_sync(&smmu->q, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, smmu_cmdq_issue_sync(&smmu->q, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&smmu->q.cmdq_errors), errors + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&smmu->q.sync_timeouts), timeouts);

	dma_after_unmap_faults_and_leaves_memory_alone(test);
}

/* What CONS.ERR reads as once a fetch "aborted", and what it held. */
static struct {
	u64 cmd[CMD_DWORDS];
	bool aborted;
} fetch;

/*
 * Stands in for CONS.ERR: the first stop reads as a fetch abort, and then
 * the slot holds @fetch.cmd, as memory that reads right again would.
 */
static u32 a_fetch_that_aborts_once(struct smmu_queues *qs)
{
	struct smmu_queue *q = &qs->cmdq;
	u64 *slot = q->base + (q->cons & ((1 << q->log2n) - 1)) * q->dwords;

	if (fetch.aborted)
		return FIELD_GET(CMDQ_CONS_ERR, q->cons);
	fetch.aborted = true;
	WRITE_ONCE(slot[0], fetch.cmd[0]);
	WRITE_ONCE(slot[1], fetch.cmd[1]);
	dma_wmb();
	return CMDQ_CERROR_ABT;
}

/*
 * A command whose fetch aborted is fetched again, not dropped: here the
 * invalidation of a page edu has in the SMMU's TLB and the page table no
 * longer maps.  Were it lost, edu would still reach the page.
 */
static void an_aborted_invalidation_is_fetched_again(struct kunit *test)
{
	struct edu_test *t = test->priv;
	struct smmu_device *smmu = smmu_of(&t->pdev->dev);
	u64 bad[CMD_DWORDS] = { FIELD_PREP(CMD0_OP, 0xff), 0 };
	int errors = atomic_read(&smmu->q.cmdq_errors);
	struct iommu_iotlb_gather gather;
	struct io_pgtable_ops *pgtbl;
	int faults;

	attach_paging_domain(test, t);
	pgtbl = container_of(t->domain, struct smmu_domain, domain)->pgtbl;
	KUNIT_ASSERT_EQ(test, iommu_map(t->domain, IOVA_OUT, page_to_phys(t->out),
					PAGE_SIZE, IOMMU_READ | IOMMU_WRITE,
					GFP_KERNEL), 0);
	fill(t->out, 0x33);
	KUNIT_ASSERT_TRUE(test, edu_dma(t, IOVA_OUT, false));
	/* Out of the page table, not out of the TLB. */
	iommu_iotlb_gather_init(&gather);
	KUNIT_ASSERT_EQ(test, pgtbl->unmap_pages(pgtbl, IOVA_OUT, PAGE_SIZE, 1,
						 &gather), PAGE_SIZE);

	smmu_cmd_tlbi_va(fetch.cmd,
			 container_of(t->domain, struct smmu_domain, domain)->asid,
			 IOVA_OUT, true);
	fetch.aborted = false;
	kunit_activate_static_stub(test, smmu_cmdq_cerror,
				   a_fetch_that_aborts_once);
	KUNIT_EXPECT_EQ(test, smmu_cmdq_issue_sync(&smmu->q, bad, 1), 0);
	kunit_deactivate_static_stub(test, smmu_cmdq_cerror);
	KUNIT_EXPECT_TRUE(test, fetch.aborted);
	KUNIT_EXPECT_EQ(test, atomic_read(&smmu->q.cmdq_errors), errors);

	fill(t->out, 0);
	faults = atomic_read(&smmu->events[EVT_F_TRANSLATION]);
	KUNIT_ASSERT_TRUE(test, edu_dma(t, IOVA_OUT, true));
	KUNIT_EXPECT_TRUE_MSG(test, wait_for_event(smmu, EVT_F_TRANSLATION, faults),
			      "the invalidation was lost: edu still reaches the page");
	KUNIT_EXPECT_TRUE(test, holds(t->out, 0));
}

static int ste_syncs;

/* Stands in for the first sync of an STE update: its CFGI_STE skipped. */
static int a_first_ste_sync_that_fails(struct smmu_device *smmu,
				       const u64 *cmds, unsigned int n)
{
	if (!ste_syncs++)
		return -EIO;
	return smmu_cmdq_issue_sync(&smmu->q, cmds, n);
}

/*
 * An STE update whose first invalidation was lost (a command the SMMU
 * skipped, maybe another CPU's) still reaches the SMMU, which had the old
 * entry cached: the later steps invalidate again, and edu's DMA goes where
 * the new domain says.
 */
static void an_ste_update_goes_on_after_a_failed_sync(struct kunit *test)
{
	struct edu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	int ret;

	/* The default domain maps nothing there, but the SMMU caches its STE. */
	KUNIT_ASSERT_TRUE(test, qemu_edu_dma_len(t->regs, IOVA_IN, false, 16));
	msleep(20);

	t->domain = iommu_paging_domain_alloc(dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->domain));
	KUNIT_ASSERT_EQ(test, iommu_map(t->domain, IOVA_IN, page_to_phys(t->in),
					PAGE_SIZE, IOMMU_READ, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, iommu_map(t->domain, IOVA_OUT,
					page_to_phys(t->out), PAGE_SIZE,
					IOMMU_WRITE, GFP_KERNEL), 0);
	ste_syncs = 0;
	kunit_activate_static_stub(test, smmu_ste_sync,
				   a_first_ste_sync_that_fails);
	ret = iommu_attach_device(t->domain, dev);
	kunit_deactivate_static_stub(test, smmu_ste_sync);
	if (ret) {
		iommu_domain_free(t->domain);
		t->domain = NULL;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);

	fill(t->in, 0x44);
	fill(t->out, 0);
	KUNIT_ASSERT_TRUE(test, edu_dma(t, IOVA_IN, false));
	KUNIT_ASSERT_TRUE(test, edu_dma(t, IOVA_OUT, true));
	KUNIT_EXPECT_TRUE_MSG(test, holds(t->out, 0x44),
			      "edu's DMA did not go through the new domain");
}

struct cmdq_flood {
	struct smmu_device *smmu;
	atomic_t failures;
	struct completion done[2];
};

static int cmdq_flood_thread(void *data)
{
	struct cmdq_flood *f = data;
	unsigned int cpu = raw_smp_processor_id(), i, j;
	u64 cmds[16 * CMD_DWORDS];

	/* Sixteen invalidations of an ASID no domain has, and a sync. */
	for (j = 0; j < 16; j++)
		smmu_cmd_tlbi_va(cmds + j * CMD_DWORDS, 0, j * SZ_4K, true);
	for (i = 0; i < 2000; i++)
		if (smmu_cmdq_issue_sync(&f->smmu->q, cmds, 1 + i % 16))
			atomic_inc(&f->failures);
	complete(&f->done[cpu]);
	return 0;
}

/*
 * Two CPUs issue batches of up to 17 commands at once.  With a command
 * queue smaller than a batch (smmu_v3_arm32.cmdq_log2n=2: 4 entries), the
 * queue fills in the middle of each: nothing may be lost or overwritten.
 */
static void the_command_queue_takes_batches_from_two_cpus(struct kunit *test)
{
	struct edu_test *t = test->priv;
	struct cmdq_flood *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	int timeouts, errors;
	unsigned int cpu;

	if (!cpu_online(0) || !cpu_online(1))
		kunit_skip(test, "needs CPUs 0 and 1 online: QEMU -smp 2");
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->smmu = smmu_of(&t->pdev->dev);
	kunit_info(test, "command queue of %u entries\n", 1U << f->smmu->q.cmdq.log2n);
	timeouts = atomic_read(&f->smmu->q.sync_timeouts);
	errors = atomic_read(&f->smmu->q.cmdq_errors);
	for (cpu = 0; cpu < 2; cpu++) {
		struct task_struct *task;

		init_completion(&f->done[cpu]);
		task = kthread_create(cmdq_flood_thread, f, "cmdq-flood/%u", cpu);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		kthread_bind(task, cpu);
		wake_up_process(task);
	}
	for (cpu = 0; cpu < 2; cpu++)
		wait_for_completion(&f->done[cpu]);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->failures), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->smmu->q.sync_timeouts), timeouts);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->smmu->q.cmdq_errors), errors);

	/* Invalidation still reaches the SMMU's TLB. */
	dma_after_unmap_faults_and_leaves_memory_alone(test);
}

struct held_fault {
	struct completion entered, release;
	atomic_t calls;
};

/* A fault handler that holds the first fault until the case lets it go. */
static int hold_fault(struct iommu_domain *domain, struct device *dev,
		      unsigned long iova, int flags, void *token)
{
	struct held_fault *h = token;

	if (atomic_inc_return(&h->calls) == 1) {
		complete(&h->entered);
		wait_for_completion_timeout(&h->release, 5 * HZ);
	}
	return 0;
}

struct detach_work {
	struct work_struct work;
	struct iommu_domain *domain;
	struct device *dev;
	struct completion done;
};

static void detach_fn(struct work_struct *work)
{
	struct detach_work *d = container_of(work, struct detach_work, work);

	iommu_detach_device(d->domain, d->dev);
	complete(&d->done);
}

/*
 * A driver detaches its domain and frees it while the SMMU reports a fault
 * of its device: the detach waits until the domain's fault handler has
 * returned, so the handler never runs on a domain being freed.
 */
static void a_domain_is_not_detached_under_its_fault_handler(struct kunit *test)
{
	struct edu_test *t = test->priv;
	struct held_fault *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct detach_work *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	bool early;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, d);
	init_completion(&h->entered);
	init_completion(&h->release);
	init_completion(&d->done);
	attach_paging_domain(test, t);
	iommu_set_fault_handler(t->domain, hold_fault, h);

	/* Nothing is mapped at IOVA_IN: edu's read faults. */
	KUNIT_ASSERT_TRUE(test, edu_dma(t, IOVA_IN, false));
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&h->entered, 2 * HZ),
			      "no fault reached the domain's handler");

	d->domain = t->domain;
	d->dev = &t->pdev->dev;
	INIT_WORK(&d->work, detach_fn);
	schedule_work(&d->work);
	early = wait_for_completion_timeout(&d->done, msecs_to_jiffies(300));
	complete(&h->release);
	KUNIT_EXPECT_FALSE_MSG(test, early, "detached while the handler ran");
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&d->done, 5 * HZ));
	flush_work(&d->work);
	iommu_domain_free(t->domain);
	t->domain = NULL;
}

static void a_blocked_device_cannot_reach_memory(struct kunit *test)
{
	struct edu_test *t = test->priv;
	struct iommu_group *group = iommu_group_get(&t->pdev->dev);
	u64 in = page_to_phys(t->in), bus = page_to_phys(t->out);

	KUNIT_ASSERT_NOT_NULL(test, group);
	/* Through a domain that maps both pages the device reaches them... */
	attach_paging_domain(test, t);
	KUNIT_ASSERT_EQ(test, iommu_map(t->domain, in, in, PAGE_SIZE,
					IOMMU_READ, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, iommu_map(t->domain, bus, bus, PAGE_SIZE,
					IOMMU_WRITE, GFP_KERNEL), 0);
	fill(t->in, 0x77);
	fill(t->out, 0);
	KUNIT_ASSERT_TRUE(test, edu_dma(t, in, false));
	KUNIT_ASSERT_TRUE(test, edu_dma(t, bus, true));
	KUNIT_EXPECT_TRUE(test, holds(t->out, 0x77));
	iommu_detach_device(t->domain, &t->pdev->dev);
	iommu_domain_free(t->domain);
	t->domain = NULL;

	/* ...and claiming it for a user blocks it. */
	fill(t->out, 0);
	KUNIT_ASSERT_EQ(test, iommu_group_claim_dma_owner(group, t), 0);
	KUNIT_EXPECT_TRUE(test, edu_dma(t, bus, true));
	KUNIT_EXPECT_TRUE_MSG(test, holds(t->out, 0),
			      "a blocked device wrote to memory");
	iommu_group_release_dma_owner(group);
	iommu_group_put(group);
}

static void the_msi_doorbell_window_is_reserved(struct kunit *test)
{
	struct edu_test *t = test->priv;
	struct iommu_resv_region *r;
	bool found = false;
	LIST_HEAD(regions);

	iommu_get_resv_regions(&t->pdev->dev, &regions);
	list_for_each_entry(r, &regions, list)
		found |= r->type == IOMMU_RESV_SW_MSI && r->length >= SZ_1M;
	iommu_put_resv_regions(&t->pdev->dev, &regions);
	KUNIT_EXPECT_TRUE(test, found);
}

/* Whether @pdev's host bridge sends its requests to an IOMMU. */
static bool pci_routed_to_iommu(struct pci_dev *pdev)
{
	struct pci_host_bridge *bridge = pci_find_host_bridge(pdev->bus);

	return bridge->dev.parent &&
	       of_property_present(bridge->dev.parent->of_node, "iommu-map");
}

static struct qemu_edu_binding streams_binding =
	QEMU_EDU_BINDING("smmu-v3-streams-test", true);

static int streams_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&streams_binding.driver);
}

static void streams_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&streams_binding.driver);
}

/*
 * An edu that a driver takes (here the suite's) is put behind the SMMU its
 * host bridge routes it to, beyond bus 0 too (a stream ID above 8 bits),
 * whatever the stream table: smmu_v3_arm32.two_level=0 makes it linear.
 */
static void a_device_beyond_bus_0_is_behind_the_smmu(struct kunit *test)
{
	struct pci_dev *pdev = NULL;
	unsigned int wide = 0;

	while ((pdev = pci_get_device(QEMU_EDU_VENDOR, QEMU_EDU_DEVICE, pdev))) {
		if (pdev->bus->number == 0 || !pci_routed_to_iommu(pdev))
			continue;
		wide++;
		KUNIT_EXPECT_TRUE_MSG(test, pdev->dev.driver &&
				      device_iommu_mapped(&pdev->dev),
				      "%s (requester ID %#x) did not bind behind the SMMU",
				      pci_name(pdev), pci_dev_id(pdev));
	}
	if (!wide)
		kunit_skip(test, "no edu beyond bus 0 routed to an SMMU: put one behind a bridge");
}

static struct kunit_case smmu_v3_streams_cases[] = {
	KUNIT_CASE(a_device_beyond_bus_0_is_behind_the_smmu),
	{}
};

static struct kunit_suite smmu_v3_streams_suite = {
	.name = "smmu_v3_streams",
	.suite_init = streams_suite_init,
	.suite_exit = streams_suite_exit,
	.test_cases = smmu_v3_streams_cases,
};

static struct kunit_case smmu_v3_edu_cases[] = {
	KUNIT_CASE(the_msi_doorbell_window_is_reserved),
	KUNIT_CASE(a_mapped_page_translates_and_an_unmapped_one_does_not),
	KUNIT_CASE(device_dma_reaches_mapped_pages_through_the_smmu),
	KUNIT_CASE(dma_after_unmap_faults_and_leaves_memory_alone),
	KUNIT_CASE(dma_to_the_top_page_faults_after_unmap),
	KUNIT_CASE(every_page_of_an_unmapped_range_faults),
	KUNIT_CASE(faults_after_a_full_event_queue_are_still_reported),
	KUNIT_CASE(a_refused_command_is_skipped_and_the_queue_goes_on),
	KUNIT_CASE(an_aborted_invalidation_is_fetched_again),
	KUNIT_CASE(an_ste_update_goes_on_after_a_failed_sync),
	KUNIT_CASE(the_command_queue_takes_batches_from_two_cpus),
	KUNIT_CASE(a_domain_is_not_detached_under_its_fault_handler),
	KUNIT_CASE(a_blocked_device_cannot_reach_memory),
	{}
};

static struct kunit_suite smmu_v3_edu_suite = {
	.name = "smmu_v3_edu",
	.suite_init = edu_suite_init,
	.suite_exit = edu_suite_exit,
	.init = edu_test_init,
	.exit = edu_test_exit,
	.test_cases = smmu_v3_edu_cases,
};

kunit_test_suites(&smmu_v3_streams_suite, &smmu_v3_edu_suite);

MODULE_DESCRIPTION("KUnit: SMMUv3 driver for 32-bit ARM");
MODULE_LICENSE("GPL");
