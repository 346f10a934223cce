// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: what real drivers do through the IOMMU, with the device
 * doing the DMA.
 *
 * Video and camera drivers take buffers of dma_alloc_noncontiguous(),
 * block and network drivers hand over lists with highmem pages and map
 * them with DMA_ATTR_SKIP_CPU_SYNC when they sync themselves, and DMA
 * engine clients map a peripheral's FIFO with dma_map_resource().  edu
 * reads and writes each through the SMMU.  The cases need QEMU -machine
 * virt,iommu=smmuv3 -device edu,dma_mask=0xffffffff and skip otherwise.
 */
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include "dma-test-fixtures.h"

static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("arm-dma-iommu-drivers-test", false);

static int drivers_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&edu_binding.driver);
}

static void drivers_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_binding.driver);
}

static int drivers_test_init(struct kunit *test)
{
	return iommu_test_setup(test, &edu_binding);
}

/* The DMA address of byte @off of a mapped table, or DMA_MAPPING_ERROR. */
static dma_addr_t dma_of(struct sg_table *sgt, size_t off)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (off < sg_dma_len(sg))
			return sg_dma_address(sg) + off;
		off -= sg_dma_len(sg);
	}
	return DMA_MAPPING_ERROR;
}

/*
 * A buffer of dma_alloc_noncontiguous(): the device reads what the CPU
 * wrote through the buffer's vmap, and writes what the CPU then reads,
 * each across a page boundary, with the syncs the API asks for.
 */
static void a_noncontiguous_buffer_is_read_and_written_by_the_device(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	size_t size = SZ_64K, in = PAGE_SIZE - 100, out = 5 * PAGE_SIZE - 300;
	void __iomem *regs = edu_start(test);
	struct sg_table *sgt;
	u8 *v;

	sgt = dma_alloc_noncontiguous(t->dev, size, DMA_BIDIRECTIONAL,
				      GFP_KERNEL, 0);
	KUNIT_ASSERT_NOT_NULL(test, sgt);
	v = dma_vmap_noncontiguous(t->dev, size, sgt);
	KUNIT_ASSERT_NOT_NULL(test, v);
	memset(v, 0, size);
	memset(v + in, 0x6b, QEMU_EDU_XFER);
	flush_kernel_vmap_range(v, size);
	dma_sync_sgtable_for_device(t->dev, sgt, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(regs, dma_of(sgt, in), false));
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(regs, dma_of(sgt, out), true));
	dma_sync_sgtable_for_cpu(t->dev, sgt, DMA_BIDIRECTIONAL);
	invalidate_kernel_vmap_range(v, size);
	KUNIT_EXPECT_NULL(test, memchr_inv(v + out, 0x6b, QEMU_EDU_XFER));
	KUNIT_EXPECT_NULL(test, memchr_inv(v + out + QEMU_EDU_XFER, 0, 100));

	dma_vunmap_noncontiguous(t->dev, v);
	dma_free_noncontiguous(t->dev, size, sgt, DMA_BIDIRECTIONAL);
	pci_iounmap(t->pdev, regs);
}

/*
 * A list whose middle page is highmem, as the block layer hands drivers:
 * the device reads the highmem page's bytes, and writes into it, through
 * one mapping, with the list mapped DMA_ATTR_SKIP_CPU_SYNC and synced by
 * the driver itself.
 */
static void a_list_with_highmem_reaches_the_device(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	void __iomem *regs;
	struct page *pages[3];
	struct sg_table sgt;
	unsigned int i;
	u8 *p;

	pages[1] = arm_dma_test_highmem_pages(test, 0);
	pages[0] = alloc_page(GFP_KERNEL);
	pages[2] = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages[0]);
	KUNIT_ASSERT_NOT_NULL(test, pages[2]);
	KUNIT_ASSERT_EQ(test, sg_alloc_table_from_pages(&sgt, pages, 3, 0,
							3 * PAGE_SIZE, GFP_KERNEL), 0);
	for (i = 0; i < 3; i++) {
		p = kmap_local_page(pages[i]);
		memset(p, 0x10 + i, PAGE_SIZE);
		kunmap_local(p);
	}
	KUNIT_ASSERT_EQ(test, dma_map_sgtable(t->dev, &sgt, DMA_BIDIRECTIONAL,
					      DMA_ATTR_SKIP_CPU_SYNC), 0);
	dma_sync_sgtable_for_device(t->dev, &sgt, DMA_BIDIRECTIONAL);

	regs = edu_start(test);
	/* The highmem page's bytes go to edu, then onto the third page. */
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(regs, dma_of(&sgt, PAGE_SIZE + 8), false));
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(regs, dma_of(&sgt, 2 * PAGE_SIZE), true));
	/* And the first page's into the highmem page. */
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(regs, dma_of(&sgt, 0), false));
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(regs, dma_of(&sgt, PAGE_SIZE + 512), true));
	dma_sync_sgtable_for_cpu(t->dev, &sgt, DMA_BIDIRECTIONAL);
	dma_unmap_sgtable(t->dev, &sgt, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
	pci_iounmap(t->pdev, regs);

	p = kmap_local_page(pages[2]);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x11, QEMU_EDU_XFER));
	kunmap_local(p);
	p = kmap_local_page(pages[1]);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x11, 512));
	KUNIT_EXPECT_NULL(test, memchr_inv(p + 512, 0x10, QEMU_EDU_XFER));
	KUNIT_EXPECT_NULL(test, memchr_inv(p + 512 + QEMU_EDU_XFER, 0x11,
					   PAGE_SIZE - 512 - QEMU_EDU_XFER));
	kunmap_local(p);
	sg_free_table(&sgt);
	for (i = 0; i < 3; i++)
		__free_page(pages[i]);
}

/* edu's liveness register: reads back the complement of what it was given. */
#define EDU_LIVENESS	0x04

/*
 * dma_map_resource() of MMIO: the device's write lands in the resource.
 * The resource is edu's own liveness register, whose read shows the
 * write arrived: a DMA engine writing a peripheral's FIFO, in small.
 */
static void a_mapped_resource_is_reached_by_the_device(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	phys_addr_t bar = pci_resource_start(t->pdev, 0);
	void __iomem *regs = edu_start(test);
	dma_addr_t res, in;
	__le32 *word;

	word = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, word);
	*word = cpu_to_le32(0x0ff1ce00);
	in = dma_map_single(t->dev, word, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, in));
	res = dma_map_resource(t->dev, bar + EDU_LIVENESS, sizeof(u32),
			       DMA_FROM_DEVICE, 0);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, res));
	/* The IOVA keeps the register's offset in its page. */
	KUNIT_EXPECT_EQ(test, res & ~PAGE_MASK, (bar + EDU_LIVENESS) & ~PAGE_MASK);

	writel(0, regs + EDU_LIVENESS);
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma_len(regs, in, false, sizeof(u32)));
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma_len(regs, res, true, sizeof(u32)));
	KUNIT_EXPECT_EQ(test, readl(regs + EDU_LIVENESS), ~0x0ff1ce00u);

	dma_unmap_resource(t->dev, res, sizeof(u32), DMA_FROM_DEVICE, 0);
	dma_unmap_single(t->dev, in, PAGE_SIZE, DMA_TO_DEVICE);
	pci_iounmap(t->pdev, regs);
}

/* A second driver for edu that keeps both edus of a machine that has two. */
static struct pci_dev *edus[2];

static int two_edus_bind(struct pci_dev *pdev, const struct pci_device_id *id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(edus); i++) {
		if (!edus[i]) {
			edus[i] = pdev;
			return 0;
		}
	}
	return -EBUSY;
}

static void two_edus_unbind(struct pci_dev *pdev)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(edus); i++)
		if (edus[i] == pdev)
			edus[i] = NULL;
}

static struct pci_driver two_edus_driver = {
	.name		= "arm-dma-iommu-two-edus-test",
	.id_table	= qemu_edu_ids,
	.probe		= two_edus_bind,
	.remove		= two_edus_unbind,
};

/*
 * The edus go back to the suite's driver.  One that could not bind before
 * (a function whose group another function's own domain holds, in the
 * arm_iommu_* runs) cannot now either: that is not this case's to judge.
 */
static void two_edus_done(void)
{
	struct pci_dev *pdev = NULL;

	pci_unregister_driver(&two_edus_driver);
	while ((pdev = pci_get_device(QEMU_EDU_VENDOR, QEMU_EDU_DEVICE, pdev)))
		if (device_attach(&pdev->dev) < 0)
			dev_info(&pdev->dev, "not bound again\n");
}

/* edu copies QEMU_EDU_XFER bytes from DMA address @from to @to. */
static void edu_copy(struct kunit *test, void __iomem *regs,
		     dma_addr_t from, dma_addr_t to)
{
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(regs, from, false));
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(regs, to, true));
}

static void __iomem *edu_of(struct kunit *test, struct pci_dev *pdev)
{
	void __iomem *regs;

	KUNIT_ASSERT_EQ(test, pci_enable_device(pdev), 0);
	pci_set_master(pdev);
	regs = pci_iomap(pdev, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, regs);
	return regs;
}

/*
 * One buffer mapped by two devices, each through its own table of the same
 * pages and DMA_ATTR_SKIP_CPU_SYNC, as a dma-buf exporter maps each
 * attachment and syncs around each device's access: what one device
 * writes the other reads, and one device's unmap leaves the other's
 * mapping whole.
 */
static void one_buffer_is_shared_by_two_devices(struct kunit *test)
{
	struct page *pages[2], *src, *dst;
	struct sg_table sa, sb;
	void __iomem *ra, *rb;
	dma_addr_t s, d, a0;
	struct pci_dev *pdev = NULL;
	struct device *a, *b;
	unsigned int i;
	u8 *p;

	/* The suite's driver has both: hand them to one that keeps both. */
	while ((pdev = pci_get_device(QEMU_EDU_VENDOR, QEMU_EDU_DEVICE, pdev)))
		device_release_driver(&pdev->dev);
	KUNIT_ASSERT_EQ(test, pci_register_driver(&two_edus_driver), 0);
	if (!edus[0] || !edus[1]) {
		two_edus_done();
		kunit_skip(test, "one edu: QEMU -device edu twice");
	}
	a = &edus[0]->dev;
	b = &edus[1]->dev;
	if (!device_iommu_mapped(a) || a->iommu_group == b->iommu_group) {
		two_edus_done();
		kunit_skip(test, "the edus are not behind an IOMMU in groups of their own");
	}
	for (i = 0; i < 2; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
	}
	src = alloc_page(GFP_KERNEL);
	dst = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, src);
	KUNIT_ASSERT_NOT_NULL(test, dst);
	memset(page_address(src), 0x77, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, sg_alloc_table_from_pages(&sa, pages, 2, 0,
							2 * PAGE_SIZE, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, sg_alloc_table_from_pages(&sb, pages, 2, 0,
							2 * PAGE_SIZE, GFP_KERNEL), 0);
	/* As exporters map attachments: the caches are theirs to sync. */
	KUNIT_ASSERT_EQ(test, dma_map_sgtable(a, &sa, DMA_BIDIRECTIONAL,
					      DMA_ATTR_SKIP_CPU_SYNC), 0);
	KUNIT_ASSERT_EQ(test, dma_map_sgtable(b, &sb, DMA_BIDIRECTIONAL,
					      DMA_ATTR_SKIP_CPU_SYNC), 0);
	dma_sync_sgtable_for_device(a, &sa, DMA_BIDIRECTIONAL);
	ra = edu_of(test, edus[0]);
	rb = edu_of(test, edus[1]);

	/* a writes the shared buffer; b reads it out to a page of its own. */
	s = dma_map_page(a, src, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(a, s));
	edu_copy(test, ra, s, dma_of(&sa, PAGE_SIZE + 64));
	dma_unmap_page(a, s, PAGE_SIZE, DMA_TO_DEVICE);
	dma_sync_sgtable_for_cpu(a, &sa, DMA_BIDIRECTIONAL);
	a0 = sg_dma_address(sa.sgl);
	dma_unmap_sgtable(a, &sa, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(iommu_get_dma_domain(a), a0), 0);

	dma_sync_sgtable_for_device(b, &sb, DMA_BIDIRECTIONAL);
	d = dma_map_page(b, dst, 0, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(b, d));
	edu_copy(test, rb, dma_of(&sb, PAGE_SIZE + 64), d);
	dma_unmap_page(b, d, PAGE_SIZE, DMA_FROM_DEVICE);
	dma_sync_sgtable_for_cpu(b, &sb, DMA_BIDIRECTIONAL);
	dma_unmap_sgtable(b, &sb, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);

	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(dst), 0x77, QEMU_EDU_XFER));
	p = page_address(pages[1]);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, 64));
	KUNIT_EXPECT_NULL(test, memchr_inv(p + 64, 0x77, QEMU_EDU_XFER));

	pci_iounmap(edus[0], ra);
	pci_iounmap(edus[1], rb);
	two_edus_done();
	sg_free_table(&sa);
	sg_free_table(&sb);
	for (i = 0; i < 2; i++)
		__free_page(pages[i]);
	__free_page(src);
	__free_page(dst);
}

static struct kunit_case arm_dma_iommu_drivers_cases[] = {
	KUNIT_CASE(a_noncontiguous_buffer_is_read_and_written_by_the_device),
	KUNIT_CASE(a_list_with_highmem_reaches_the_device),
	KUNIT_CASE(a_mapped_resource_is_reached_by_the_device),
	KUNIT_CASE(one_buffer_is_shared_by_two_devices),
	{}
};

static struct kunit_suite arm_dma_iommu_drivers_suite = {
	.name = "arm_dma_iommu_drivers",
	.suite_init = drivers_suite_init,
	.suite_exit = drivers_suite_exit,
	.init = drivers_test_init,
	.test_cases = arm_dma_iommu_drivers_cases,
};

kunit_test_suite(arm_dma_iommu_drivers_suite);

MODULE_DESCRIPTION("KUnit: drivers' DMA through an IOMMU on 32-bit ARM");
MODULE_LICENSE("GPL");
