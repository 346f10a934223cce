// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: DMA through an IOMMU on 32-bit ARM (arm_iommu_dma_ops).
 *
 * The suite binds QEMU's edu PCI device to a driver of its own, so that
 * its DMA is configured as any driver's would be, and then holds what the
 * DMA API gives that device against the IOMMU's page tables: every DMA
 * address is an IOVA that translates to the CPU's pages, and nothing is
 * left mapped after an unmap.  It needs QEMU -machine virt,iommu=smmuv3
 * -device edu,dma_mask=0xffffffff and skips otherwise.
 */
#include <kunit/qemu_edu.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-map-ops.h>
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/dma-iommu.h>

#include "dma-internal.h"
#include "dma-test.h"

static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("arm-dma-iommu-test", false);

static int iommu_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&edu_binding.driver);
}

static void iommu_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_binding.driver);
}

struct iommu_test {
	struct device *dev;
	struct iommu_domain *domain;
	unsigned long fault_iova;
	int faults;
	int map_calls, fail_at;
	unsigned long mapped[8];
	struct dma_iommu_mapping *saved, *mine;
};

static int iommu_test_init(struct kunit *test)
{
	struct iommu_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	test->priv = t;
	if (!edu_binding.pdev)
		kunit_skip(test, "no edu device: QEMU -device edu");
	t->dev = &edu_binding.pdev->dev;
	if (!device_iommu_mapped(t->dev))
		kunit_skip(test, "edu is not behind an IOMMU: -machine iommu=smmuv3");
	t->domain = iommu_get_domain_for_dev(t->dev);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(t->dev, DMA_BIT_MASK(32)), 0);
	return 0;
}

/* The page the IOMMU translates @iova to, or NULL. */
static struct page *translated(struct iommu_test *t, dma_addr_t iova)
{
	phys_addr_t phys = iommu_iova_to_phys(t->domain, iova);

	return phys ? phys_to_page(phys) : NULL;
}

static void expect_in_aperture(struct kunit *test, struct iommu_test *t,
			       dma_addr_t iova, size_t size)
{
	KUNIT_EXPECT_GE(test, iova, t->domain->geometry.aperture_start);
	KUNIT_EXPECT_LE(test, (u64)iova + size - 1,
			min_t(u64, t->domain->geometry.aperture_end,
			      dma_get_mask(t->dev)));
}

static void a_device_behind_the_iommu_gets_its_own_paging_domain(struct kunit *test)
{
	struct iommu_test *t = test->priv;

	KUNIT_EXPECT_PTR_EQ(test, get_dma_ops(t->dev), &arm_iommu_dma_ops);
	KUNIT_EXPECT_TRUE(test, t->domain->type & __IOMMU_DOMAIN_PAGING);
	KUNIT_EXPECT_NOT_NULL(test, t->domain->iova_cookie);
}

/*
 * A buffer of @size bytes allocated with @gfp and @attrs: its DMA address is
 * an IOVA in the aperture, each of its pages translates to the page the CPU
 * sees, and what the CPU writes is what the device would read.
 */
static void expect_translated_buffer(struct kunit *test, gfp_t gfp,
				     unsigned long attrs, size_t size)
{
	struct iommu_test *t = test->priv;
	dma_addr_t iova;
	size_t off;
	u8 *cpu;

	cpu = dma_alloc_attrs(t->dev, size, &iova, gfp, attrs);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	expect_in_aperture(test, t, iova, size);
	memset(cpu, 0xc3, size);
	for (off = 0; off < size; off += PAGE_SIZE) {
		struct page *cpu_page = is_vmalloc_addr(cpu + off) ?
					vmalloc_to_page(cpu + off) :
					virt_to_page(cpu + off);
		struct page *dev_page = translated(t, iova + off);
		u8 *seen;

		KUNIT_ASSERT_PTR_EQ(test, dev_page, cpu_page);
		seen = kmap_local_page(dev_page);
		KUNIT_EXPECT_NULL(test, memchr_inv(seen, 0xc3, PAGE_SIZE));
		kunmap_local(seen);
	}
	dma_free_attrs(t->dev, size, cpu, iova, attrs);
	KUNIT_EXPECT_NULL(test, translated(t, iova));
}

static void a_sleeping_allocation_is_gathered_pages_behind_one_iova_range(struct kunit *test)
{
	expect_translated_buffer(test, GFP_KERNEL, 0, SZ_64K + PAGE_SIZE);
}

static void a_contiguous_allocation_is_mapped_at_one_iova_range(struct kunit *test)
{
	expect_translated_buffer(test, GFP_KERNEL, DMA_ATTR_FORCE_CONTIGUOUS,
				 SZ_32K);
}

static void an_atomic_allocation_is_mapped_at_one_iova_range(struct kunit *test)
{
	expect_translated_buffer(test, GFP_ATOMIC, 0, SZ_8K);
}

static void get_sgtable_lists_the_pages_of_each_kind(struct kunit *test)
{
	static const unsigned long kinds[] = { 0, DMA_ATTR_FORCE_CONTIGUOUS };
	struct iommu_test *t = test->priv;
	struct scatterlist *sg;
	struct sg_table sgt;
	unsigned int k, i;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		size_t size = SZ_16K, seen = 0;
		dma_addr_t iova;
		u8 *cpu;

		cpu = dma_alloc_attrs(t->dev, size, &iova, GFP_KERNEL, kinds[k]);
		KUNIT_ASSERT_NOT_NULL(test, cpu);
		KUNIT_ASSERT_EQ(test, dma_get_sgtable_attrs(t->dev, &sgt, cpu, iova,
							    size, kinds[k]), 0);
		for_each_sgtable_sg(&sgt, sg, i) {
			unsigned int off;

			for (off = 0; off < sg->length; off += PAGE_SIZE)
				KUNIT_EXPECT_PTR_EQ(test,
						    nth_page(sg_page(sg), off >> PAGE_SHIFT),
						    translated(t, iova + seen + off));
			seen += sg->length;
		}
		KUNIT_EXPECT_EQ(test, seen, size);
		sg_free_table(&sgt);
		dma_free_attrs(t->dev, size, cpu, iova, kinds[k]);
	}
}

static struct scatterlist *page_list(struct kunit *test, unsigned int n,
				     unsigned int offset, unsigned int len)
{
	struct scatterlist *sgl = kunit_kcalloc(test, n, sizeof(*sgl), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, sgl);
	sg_init_table(sgl, n);
	for (i = 0; i < n; i++) {
		/* Every other page: the list is physically scattered. */
		void *two = kunit_kzalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, two);
		sg_set_buf(&sgl[i], PTR_ALIGN(two, PAGE_SIZE) + offset, len);
	}
	return sgl;
}

static void map_sg_gives_a_list_of_pages_one_contiguous_iova_range(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist *sgl = page_list(test, 8, 0, PAGE_SIZE), *sg;
	dma_addr_t start;
	int n, i;

	n = dma_map_sg(t->dev, sgl, 8, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_EQ(test, n, 1);
	start = sg_dma_address(sgl);
	KUNIT_EXPECT_EQ(test, sg_dma_len(sgl), 8 * PAGE_SIZE);
	expect_in_aperture(test, t, start, 8 * PAGE_SIZE);
	for_each_sg(sgl, sg, 8, i)
		KUNIT_EXPECT_PTR_EQ(test, translated(t, start + i * PAGE_SIZE),
				    sg_page(sg));

	dma_unmap_sg(t->dev, sgl, 8, DMA_BIDIRECTIONAL);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_NULL(test, translated(t, start + i * PAGE_SIZE));
}

static void map_sg_keeps_within_the_max_segment_size(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist *sgl = page_list(test, 8, 0, PAGE_SIZE), *sg;
	unsigned int old = dma_get_max_seg_size(t->dev);
	int n, i;

	KUNIT_ASSERT_NOT_NULL(test, t->dev->dma_parms);
	dma_set_max_seg_size(t->dev, 2 * PAGE_SIZE);
	n = dma_map_sg(t->dev, sgl, 8, DMA_TO_DEVICE);
	dma_set_max_seg_size(t->dev, old);
	KUNIT_ASSERT_EQ(test, n, 4);
	for_each_sg(sgl, sg, n, i) {
		KUNIT_EXPECT_EQ(test, sg_dma_len(sg), 2 * PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, sg_dma_address(sg),
				sg_dma_address(sgl) + i * 2 * PAGE_SIZE);
	}
	dma_unmap_sg(t->dev, sgl, 8, DMA_TO_DEVICE);
}

static void unaligned_entries_keep_their_offsets_in_their_own_segments(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist *sgl = page_list(test, 3, 100, 500), *sg;
	int n, i;

	n = dma_map_sg(t->dev, sgl, 3, DMA_FROM_DEVICE);
	KUNIT_ASSERT_EQ(test, n, 3);
	for_each_sg(sgl, sg, 3, i) {
		KUNIT_EXPECT_EQ(test, sg_dma_address(sg) % PAGE_SIZE, 100);
		KUNIT_EXPECT_EQ(test, sg_dma_len(sg), 500);
		KUNIT_EXPECT_PTR_EQ(test, translated(t, sg_dma_address(sg)),
				    sg_page(sg));
	}
	dma_unmap_sg(t->dev, sgl, 3, DMA_FROM_DEVICE);
}

static void running_out_of_iova_space_fails_cleanly_and_recovers(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	unsigned int n, max = 512;
	dma_addr_t *dmas = kunit_kcalloc(test, max, sizeof(*dmas), GFP_KERNEL);
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dmas);
	KUNIT_ASSERT_NOT_NULL(test, page);
	/* A 1 MiB IOVA space holds at most 256 pages. */
	KUNIT_ASSERT_EQ(test, dma_set_mask(t->dev, DMA_BIT_MASK(20)), 0);
	for (n = 0; n < max; n++) {
		dmas[n] = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
		if (dma_mapping_error(t->dev, dmas[n]))
			break;
		KUNIT_EXPECT_LE(test, dmas[n] + PAGE_SIZE - 1, DMA_BIT_MASK(20));
	}
	KUNIT_EXPECT_LT(test, n, 256);
	KUNIT_EXPECT_GT(test, n, 0);
	while (n--)
		dma_unmap_page(t->dev, dmas[n], PAGE_SIZE, DMA_TO_DEVICE);

	dmas[0] = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_mapping_error(t->dev, dmas[0]));
	if (!dma_mapping_error(t->dev, dmas[0]))
		dma_unmap_page(t->dev, dmas[0], PAGE_SIZE, DMA_TO_DEVICE);
	dma_set_mask(t->dev, DMA_BIT_MASK(32));
	__free_page(page);
}

/*
 * A map of no bytes is refused, and leaves the IOVA space as it was: the
 * IOVA library must never see a request of no size, after which it would
 * refuse every request below 4 GiB.
 */
static void a_map_of_no_bytes_is_refused_and_harms_nothing(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist sg;
	dma_addr_t dma;
	void *cpu;
	u8 *buf;

	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = dma_map_single(t->dev, buf, 0, DMA_TO_DEVICE);
	KUNIT_EXPECT_TRUE(test, dma_mapping_error(t->dev, dma));
	sg_init_one(&sg, buf, 0);
	KUNIT_EXPECT_EQ(test, dma_map_sg(t->dev, &sg, 1, DMA_TO_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, dma_map_sg(t->dev, &sg, 0, DMA_TO_DEVICE), 0);

	/* Maps and allocations of every size still work. */
	dma = dma_map_single(t->dev, buf, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	KUNIT_EXPECT_PTR_EQ(test, translated(t, dma), virt_to_page(buf));
	dma_unmap_single(t->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	cpu = dma_alloc_coherent(t->dev, 4 * PAGE_SIZE, &dma, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	dma_free_coherent(t->dev, 4 * PAGE_SIZE, cpu, dma);
}

static int failing_map_one(struct iommu_domain *domain, unsigned long iova,
			   phys_addr_t phys, size_t size, int prot)
{
	struct iommu_test *t = kunit_get_current_test()->priv;

	if (++t->map_calls == t->fail_at)
		return -ENOMEM;
	t->mapped[t->map_calls - 1] = iova;
	return iommu_map(domain, iova, phys, size, prot, GFP_ATOMIC);
}

static void a_failure_half_way_through_a_list_unmaps_what_was_mapped(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct scatterlist *sgl = page_list(test, 5, 0, PAGE_SIZE), *sg;
	int i;

	t->fail_at = 4;
	kunit_activate_static_stub(test, arm_iommu_map_one, failing_map_one);
	/* dma_map_sg() reports the ops' error as no entries mapped. */
	KUNIT_EXPECT_EQ(test, dma_map_sg(t->dev, sgl, 5, DMA_TO_DEVICE), 0);
	kunit_deactivate_static_stub(test, arm_iommu_map_one);

	KUNIT_EXPECT_EQ(test, t->map_calls, 4);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_NULL(test, translated(t, t->mapped[i]));
	for_each_sg(sgl, sg, 5, i)
		KUNIT_EXPECT_EQ(test, sg_dma_len(sg), 0);

	/* Nothing leaked: the whole list maps again. */
	KUNIT_EXPECT_EQ(test, dma_map_sg(t->dev, sgl, 5, DMA_TO_DEVICE), 1);
	dma_unmap_sg(t->dev, sgl, 5, DMA_TO_DEVICE);
}

static void unmapping_an_address_never_mapped_is_refused(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct page *page = alloc_page(GFP_KERNEL);
	dma_addr_t live;

	KUNIT_ASSERT_NOT_NULL(test, page);
	live = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, live));

	/* Inside the reserved MSI window: never handed out, never mapped. */
	dma_unmap_page(t->dev, SZ_128M + SZ_256K, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_PTR_EQ(test, translated(t, live), page);

	dma_unmap_page(t->dev, live, PAGE_SIZE, DMA_TO_DEVICE);
	__free_page(page);
}

static void strict_unmap_leaves_nothing_queued(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct page *page = alloc_page(GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, page);
	arm_iommu_set_lazy(t->dev, false);
	dma = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_unmap_page(t->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, arm_iommu_fq_pending(t->dev), 0);
	KUNIT_EXPECT_NULL(test, translated(t, dma));
	__free_page(page);
}

static void lazy_unmap_queues_the_iova_until_a_flush(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned int waited;
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, page);
	arm_iommu_set_lazy(t->dev, true);
	dma = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_unmap_page(t->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	/* Out of the page tables at once; the IOVA waits for the flush. */
	KUNIT_EXPECT_NULL(test, translated(t, dma));
	KUNIT_EXPECT_EQ(test, arm_iommu_fq_pending(t->dev), 1);
	for (waited = 0; waited < 500 && arm_iommu_fq_pending(t->dev);
	     waited += 20)
		msleep(20);
	KUNIT_EXPECT_EQ(test, arm_iommu_fq_pending(t->dev), 0);
	arm_iommu_set_lazy(t->dev, false);
	__free_page(page);
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
	unsigned int cpu;

	if (num_online_cpus() < 2 || !cpu_online(0) || !cpu_online(1))
		kunit_skip(test, "needs CPUs 0 and 1 online: QEMU -smp 2");
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->held = kunit_kzalloc(test, BITS_TO_LONGS(IOVA_RACE_PAGES) *
				sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->held);
	r->dev = t->dev;
	r->iterations = 40000;
	arm_iommu_set_lazy(t->dev, true);
	for (cpu = 0; cpu < 2; cpu++) {
		struct task_struct *task;

		init_completion(&r->done[cpu]);
		task = kthread_create(iova_race_thread, r, "iova-race/%u", cpu);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		kthread_bind(task, cpu);
		wake_up_process(task);
	}
	for (cpu = 0; cpu < 2; cpu++)
		wait_for_completion(&r->done[cpu]);
	arm_iommu_set_lazy(t->dev, false);

	KUNIT_EXPECT_EQ(test, atomic_read(&r->failures), 0);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->clashes), 0,
			    "an IOVA was handed out before its unmap had returned");
	KUNIT_EXPECT_EQ(test, arm_iommu_fq_pending(t->dev), 0);
}

static int count_fault(struct iommu_domain *domain, struct device *dev,
		       unsigned long iova, int flags, void *token)
{
	struct iommu_test *t = token;

	t->fault_iova = iova;
	t->faults++;
	return 0;
}

static void __iomem *edu_start(struct kunit *test)
{
	void __iomem *regs;

	KUNIT_ASSERT_EQ(test, pci_enable_device(edu_binding.pdev), 0);
	pci_set_master(edu_binding.pdev);
	regs = pci_iomap(edu_binding.pdev, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, regs);
	return regs;
}

/*
 * edu copies a page of 0x3e in through one streaming map and back out
 * through another, to @b.  Returns the DMA address @b had.
 */
static dma_addr_t edu_round_trip(struct kunit *test, void __iomem *regs,
				 u8 *b)
{
	struct iommu_test *t = test->priv;
	dma_addr_t in, out;
	u8 *a;

	a = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	memset(a, 0x3e, PAGE_SIZE);
	in = dma_map_single(t->dev, a, PAGE_SIZE, DMA_TO_DEVICE);
	out = dma_map_single(t->dev, b, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, in));
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, out));
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(regs, in, false));
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(regs, out, true));
	dma_unmap_single(t->dev, in, PAGE_SIZE, DMA_TO_DEVICE);
	dma_unmap_single(t->dev, out, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0x3e, QEMU_EDU_XFER));
	return out;
}

static void edu_dmas_through_the_ops_and_faults_after_unmap(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	void __iomem *regs = edu_start(test);
	unsigned int waited;
	dma_addr_t out;
	u8 *b;

	b = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	iommu_set_fault_handler(t->domain, count_fault, t);
	out = edu_round_trip(test, regs, b);

	/* The mapping is gone: the device's write faults, memory stays. */
	memset(b, 0, PAGE_SIZE);
	KUNIT_ASSERT_TRUE(test, qemu_edu_dma(regs, out, true));
	for (waited = 0; waited < 1000 && !t->faults; waited += 20)
		msleep(20);
	KUNIT_EXPECT_GT(test, t->faults, 0);
	KUNIT_EXPECT_EQ(test, t->fault_iova & PAGE_MASK, out & PAGE_MASK);
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0, PAGE_SIZE));

	iommu_set_fault_handler(t->domain, NULL, NULL);
	pci_iounmap(edu_binding.pdev, regs);
}

static struct kunit_case arm_dma_iommu_cases[] = {
	KUNIT_CASE(a_device_behind_the_iommu_gets_its_own_paging_domain),
	KUNIT_CASE(a_sleeping_allocation_is_gathered_pages_behind_one_iova_range),
	KUNIT_CASE(a_contiguous_allocation_is_mapped_at_one_iova_range),
	KUNIT_CASE(an_atomic_allocation_is_mapped_at_one_iova_range),
	KUNIT_CASE(get_sgtable_lists_the_pages_of_each_kind),
	KUNIT_CASE(map_sg_gives_a_list_of_pages_one_contiguous_iova_range),
	KUNIT_CASE(map_sg_keeps_within_the_max_segment_size),
	KUNIT_CASE(unaligned_entries_keep_their_offsets_in_their_own_segments),
	KUNIT_CASE(running_out_of_iova_space_fails_cleanly_and_recovers),
	KUNIT_CASE(a_map_of_no_bytes_is_refused_and_harms_nothing),
	KUNIT_CASE(a_failure_half_way_through_a_list_unmaps_what_was_mapped),
	KUNIT_CASE(unmapping_an_address_never_mapped_is_refused),
	KUNIT_CASE(strict_unmap_leaves_nothing_queued),
	KUNIT_CASE(lazy_unmap_queues_the_iova_until_a_flush),
	KUNIT_CASE(lazy_unmaps_on_two_cpus_never_share_an_iova),
	KUNIT_CASE(edu_dmas_through_the_ops_and_faults_after_unmap),
	{}
};

static struct kunit_suite arm_dma_iommu_suite = {
	.name = "arm_dma_iommu",
	.suite_init = iommu_suite_init,
	.suite_exit = iommu_suite_exit,
	.init = iommu_test_init,
	.test_cases = arm_dma_iommu_cases,
};

kunit_test_suite(arm_dma_iommu_suite);

#if IS_ENABLED(CONFIG_ARM_DMA_IOMMU_LEGACY_KUNIT_TEST)
/*
 * The arm_iommu_* API, as the drivers of CONFIG_ARM_DMA_USE_IOMMU use it:
 * edu is detached from the mapping it started out in, attached to one of
 * the case's own, and given its first mapping back at the end.
 */

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
	pci_iounmap(edu_binding.pdev, regs);
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

static struct kunit_case arm_dma_iommu_legacy_cases[] = {
	KUNIT_CASE(a_device_starts_out_in_a_mapping_of_its_own),
	KUNIT_CASE(a_detached_device_is_back_on_the_direct_ops),
	KUNIT_CASE(a_mapping_beyond_4g_or_of_no_size_is_refused),
	KUNIT_CASE(attaching_a_device_twice_is_refused),
	KUNIT_CASE(a_drivers_mapping_holds_the_dma_in_its_window),
	KUNIT_CASE(the_window_bounds_the_iova_space),
	KUNIT_CASE(a_released_mapping_lives_until_its_last_device_leaves),
	{}
};

static struct kunit_suite arm_dma_iommu_legacy_suite = {
	.name = "arm_dma_iommu_legacy",
	.suite_init = iommu_suite_init,
	.suite_exit = iommu_suite_exit,
	.init = iommu_test_init,
	.exit = legacy_test_exit,
	.test_cases = arm_dma_iommu_legacy_cases,
};

kunit_test_suite(arm_dma_iommu_legacy_suite);
#endif /* CONFIG_ARM_DMA_IOMMU_LEGACY_KUNIT_TEST */

MODULE_DESCRIPTION("KUnit: DMA through an IOMMU on 32-bit ARM");
MODULE_LICENSE("GPL");
