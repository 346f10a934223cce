// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suites for the SMMUv3 driver of 32-bit ARM.
 *
 * smmu_v3_encoding holds each structure the driver writes against the
 * field layout of the SMMUv3 specification, written out here bit by bit.
 *
 * smmu_v3_edu makes QEMU's edu PCI device (1234:11e8) do real DMA through
 * the SMMU: edu copies between its 4 KiB buffer at 0x40000 and a bus
 * address it is given.  It needs -machine virt,iommu=smmuv3 -device edu
 * and skips otherwise.
 */
#include <kunit/qemu_edu.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "smmu-v3-internal.h"

static void an_abort_ste_is_valid_with_config_abort(struct kunit *test)
{
	u64 ste[STE_DWORDS];

	memset(ste, 0xff, sizeof(ste));
	smmu_ste_abort(ste);
	KUNIT_EXPECT_EQ(test, ste[0], 0x1ULL);		/* V, Config 0b000 */
	KUNIT_EXPECT_EQ(test, ste[1], 0ULL);
	KUNIT_EXPECT_EQ(test, ste[7], 0ULL);
}

static void a_bypass_ste_uses_incoming_shareability(struct kunit *test)
{
	u64 ste[STE_DWORDS];

	smmu_ste_bypass(ste);
	KUNIT_EXPECT_EQ(test, ste[0], 0x9ULL);		/* V, Config 0b100 */
	KUNIT_EXPECT_EQ(test, ste[1], 1ULL << 44);	/* SHCFG incoming */
}

static void a_stage1_ste_points_at_one_context_descriptor(struct kunit *test)
{
	u64 ste[STE_DWORDS];

	smmu_ste_s1(ste, 0x4012345680ULL, true);
	/* V, Config 0b101, S1Fmt 0, S1ContextPtr[51:6], S1CDMax 0 */
	KUNIT_EXPECT_EQ(test, ste[0], 0x4012345680ULL | 0xb);
	/* S1CIR and S1COR write-back, S1CSH inner shareable */
	KUNIT_EXPECT_EQ(test, ste[1], (1ULL << 2) | (1ULL << 4) | (3ULL << 6));

	smmu_ste_s1(ste, 0x1000, false);
	KUNIT_EXPECT_EQ(test, ste[0], 0x1000ULL | 0xb);
	KUNIT_EXPECT_EQ(test, ste[1], 3ULL << 6);
}

static void a_context_descriptor_describes_the_io_pgtable(struct kunit *test)
{
	struct io_pgtable_cfg cfg = {};
	u64 cd[CD_DWORDS];

	cfg.arm_lpae_s1_cfg.ttbr = 0x4000123000ULL;
	cfg.arm_lpae_s1_cfg.mair = 0x0004040404ff44ffULL;
	cfg.arm_lpae_s1_cfg.tcr.tsz = 32;
	cfg.arm_lpae_s1_cfg.tcr.tg = 0;
	cfg.arm_lpae_s1_cfg.tcr.irgn = 1;
	cfg.arm_lpae_s1_cfg.tcr.orgn = 1;
	cfg.arm_lpae_s1_cfg.tcr.sh = 3;
	cfg.arm_lpae_s1_cfg.tcr.ips = 2;
	smmu_cd_s1(cd, 5, &cfg);

	KUNIT_EXPECT_EQ(test, cd[0],
			32ULL |			/* T0SZ */
			(1ULL << 8) |		/* IR0 write-back */
			(1ULL << 10) |		/* OR0 write-back */
			(3ULL << 12) |		/* SH0 inner shareable */
			(1ULL << 30) |		/* EPD1: no TTB1 walks */
			(1ULL << 31) |		/* V */
			(2ULL << 32) |		/* IPS 40 bits */
			(1ULL << 41) |		/* AA64 */
			(1ULL << 45) |		/* R: record faults */
			(1ULL << 46) |		/* A: abort faulting accesses */
			(1ULL << 47) |		/* ASET: not the CPUs' ASIDs */
			(5ULL << 48));		/* ASID */
	KUNIT_EXPECT_EQ(test, cd[1], 0x4000123000ULL);	/* TTB0 */
	KUNIT_EXPECT_EQ(test, cd[2], 0ULL);
	KUNIT_EXPECT_EQ(test, cd[3], 0x0004040404ff44ffULL);	/* MAIR */
}

static void an_entry_reads_only_the_fields_of_its_config(struct kunit *test)
{
	u64 ste[STE_DWORDS], used[STE_DWORDS];

	smmu_ste_abort(ste);
	smmu_ste_used(ste, used);
	KUNIT_EXPECT_EQ(test, used[0], 0xfULL);		/* V, Config */
	KUNIT_EXPECT_EQ(test, used[1], 0ULL);

	smmu_ste_bypass(ste);
	smmu_ste_used(ste, used);
	KUNIT_EXPECT_EQ(test, used[0], 0xfULL);
	KUNIT_EXPECT_EQ(test, used[1], 3ULL << 44);	/* SHCFG */

	smmu_ste_s1(ste, 0x1000, true);
	smmu_ste_used(ste, used);
	/* V, Config, S1Fmt, S1ContextPtr, S1CDMax */
	KUNIT_EXPECT_EQ(test, used[0], GENMASK_ULL(51, 0) | GENMASK_ULL(63, 59));
	KUNIT_EXPECT_EQ(test, used[1], 0xfcULL);	/* S1CIR, S1COR, S1CSH */
	KUNIT_EXPECT_EQ(test, used[2], 0ULL);

	ste[0] &= ~STE0_V;
	smmu_ste_used(ste, used);
	KUNIT_EXPECT_EQ(test, used[0], 1ULL);		/* V alone */
}

static void a_level1_descriptor_spans_its_level2_table(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, smmu_l1_desc(0x4000001000ULL, 8),
			0x4000001000ULL | 9);
}

static void commands_carry_opcode_and_operands_where_specified(struct kunit *test)
{
	u64 cmd[CMD_DWORDS];

	smmu_cmd_cfgi_ste(cmd, 0x10);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x03ULL | (0x10ULL << 32));
	KUNIT_EXPECT_EQ(test, cmd[1], 1ULL);			/* Leaf */

	smmu_cmd_cfgi_all(cmd);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x04ULL);
	KUNIT_EXPECT_EQ(test, cmd[1], 31ULL);			/* Range */

	smmu_cmd_tlbi_asid(cmd, 0x1234);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x11ULL | (0x1234ULL << 48));
	KUNIT_EXPECT_EQ(test, cmd[1], 0ULL);

	smmu_cmd_tlbi_va(cmd, 7, 0x12345000, true);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x12ULL | (7ULL << 48));
	KUNIT_EXPECT_EQ(test, cmd[1], 0x12345000ULL | 1);

	smmu_cmd_tlbi_va(cmd, 7, 0x12345fff, false);
	KUNIT_EXPECT_EQ(test, cmd[1], 0x12345000ULL);

	/* NUM 1, SCALE 4: 32 pages; TG 4K, TTL level 3. */
	smmu_cmd_tlbi_range(cmd, 7, 0x12345000, 4, 1, 3, true);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x12ULL | (1ULL << 12) | (4ULL << 20) |
			(7ULL << 48));
	KUNIT_EXPECT_EQ(test, cmd[1], 0x12345000ULL | (1ULL << 10) |
			(3ULL << 8) | 1);

	smmu_cmd_tlbi_all(cmd);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x30ULL);

	smmu_cmd_sync(cmd);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x46ULL);			/* CS none */
	KUNIT_EXPECT_EQ(test, cmd[1], 0ULL);
}

/*
 * A range of pages takes a few range commands, which together cover it
 * exactly, each within the fields' widths: NUM + 1 up to 32 units of
 * 2^SCALE pages.
 */
static void range_commands_cover_exactly_the_pages(struct kunit *test)
{
	static const unsigned long counts[] = {
		1, 2, 3, 16, 17, 31, 32, 33, 37, 64, 65, 300, 511, 512, 513,
		0xfffff, 0x100000,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		unsigned long left = counts[i], covered = 0, step;
		unsigned int scale, num, commands = 0;

		while (left && commands < 8) {
			step = smmu_tlbi_range_step(left, &scale, &num);
			KUNIT_EXPECT_LE(test, num, 31);
			KUNIT_EXPECT_LE(test, scale, 31);
			KUNIT_EXPECT_EQ(test, step, (unsigned long)(num + 1) << scale);
			KUNIT_ASSERT_LE(test, step, left);
			covered += step;
			left -= step;
			commands++;
		}
		KUNIT_EXPECT_EQ_MSG(test, covered, counts[i], "%lu pages", counts[i]);
		KUNIT_EXPECT_LE_MSG(test, commands, 5, "%lu pages", counts[i]);
	}
}

static void events_have_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, smmu_event_name(0x10), "translation fault");
	KUNIT_EXPECT_STREQ(test, smmu_event_name(0x13), "permission fault");
	KUNIT_EXPECT_STREQ(test, smmu_event_name(0xff), "unknown event");
}

static struct kunit_case smmu_v3_encoding_cases[] = {
	KUNIT_CASE(an_abort_ste_is_valid_with_config_abort),
	KUNIT_CASE(a_bypass_ste_uses_incoming_shareability),
	KUNIT_CASE(a_stage1_ste_points_at_one_context_descriptor),
	KUNIT_CASE(a_context_descriptor_describes_the_io_pgtable),
	KUNIT_CASE(an_entry_reads_only_the_fields_of_its_config),
	KUNIT_CASE(a_level1_descriptor_spans_its_level2_table),
	KUNIT_CASE(commands_carry_opcode_and_operands_where_specified),
	KUNIT_CASE(range_commands_cover_exactly_the_pages),
	KUNIT_CASE(events_have_names),
	{}
};

static struct kunit_suite smmu_v3_encoding_suite = {
	.name = "smmu_v3_encoding",
	.test_cases = smmu_v3_encoding_cases,
};

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

static struct kunit_case smmu_v3_edu_cases[] = {
	KUNIT_CASE(the_msi_doorbell_window_is_reserved),
	KUNIT_CASE(a_mapped_page_translates_and_an_unmapped_one_does_not),
	KUNIT_CASE(device_dma_reaches_mapped_pages_through_the_smmu),
	KUNIT_CASE(dma_after_unmap_faults_and_leaves_memory_alone),
	KUNIT_CASE(dma_to_the_top_page_faults_after_unmap),
	KUNIT_CASE(every_page_of_an_unmapped_range_faults),
	KUNIT_CASE(faults_after_a_full_event_queue_are_still_reported),
	KUNIT_CASE(a_refused_command_is_skipped_and_the_queue_goes_on),
	KUNIT_CASE(the_command_queue_takes_batches_from_two_cpus),
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

kunit_test_suites(&smmu_v3_encoding_suite, &smmu_v3_edu_suite);

MODULE_DESCRIPTION("KUnit: SMMUv3 driver for 32-bit ARM");
MODULE_LICENSE("GPL");
