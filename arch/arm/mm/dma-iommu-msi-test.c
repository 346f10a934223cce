// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: MSIs through the IOMMU.
 *
 * Without IOMMU_DMA the GIC drivers put the doorbell's physical address in
 * MSI messages: the layer maps each doorbell page of a device's MSI
 * controller at that address in its DMA domain, and nothing else of the
 * controller.  The cases need QEMU -machine virt,iommu=smmuv3 -device
 * edu,dma_mask=0xffffffff and skip otherwise; the frames case needs a
 * second GICv2m frame (harness/virt-dtb.sh v2m-frames).
 */
#include <linux/delay.h>
#include <linux/dma-map-ops.h>
#include <linux/interrupt.h>
#include <linux/msi.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/sizes.h>

#include "dma-test-fixtures.h"

static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("arm-dma-iommu-msi-test", false);

static int msi_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&edu_binding.driver);
}

static void msi_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_binding.driver);
}

static int msi_test_init(struct kunit *test)
{
	return iommu_test_setup(test, &edu_binding);
}

/* edu's interrupt registers: status, raise, acknowledge. */
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64

struct edu_irq {
	void __iomem *regs;
	atomic_t seen;
};

static irqreturn_t edu_irq_handler(int irq, void *data)
{
	struct edu_irq *e = data;

	writel(readl(e->regs + EDU_IRQ_STATUS), e->regs + EDU_IRQ_ACK);
	atomic_inc(&e->seen);
	return IRQ_HANDLED;
}

/* The pages mapped in the 1 MiB around @addr. */
static unsigned int pages_mapped_around(struct iommu_test *t, phys_addr_t addr)
{
	phys_addr_t at = addr & ~(phys_addr_t)(SZ_1M - 1);
	unsigned int n = 0, i;

	for (i = 0; i < SZ_1M / PAGE_SIZE; i++)
		n += !!iommu_iova_to_phys(t->domain, at + i * PAGE_SIZE);
	return n;
}

/*
 * edu's MSIs are writes through the SMMU: they arrive, because the page of
 * its MSI controller's doorbell is mapped at the address the MSI message
 * carries.  Nothing else of the interrupt controller is (on QEMU virt its
 * frames, GICv2m's or the ITS's, lie in the 1 MiB around the doorbell),
 * so edu's DMA to the page before the doorbell's (GICv2m's neighbour, or
 * the ITS's control frame) faults.
 */
static void msis_arrive_and_only_the_doorbell_page_is_mapped(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct edu_irq *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	phys_addr_t doorbell, page;
	unsigned int waited;
	struct msi_msg msg;
	int irq;

	KUNIT_ASSERT_NOT_NULL(test, e);
	e->regs = edu_start(test);
	if (pci_alloc_irq_vectors(t->pdev, 1, 1, PCI_IRQ_MSI) != 1)
		kunit_skip(test, "edu got no MSI: no MSI controller");
	irq = pci_irq_vector(t->pdev, 0);
	KUNIT_ASSERT_EQ(test, request_irq(irq, edu_irq_handler, 0, "edu-msi", e), 0);

	writel(1, e->regs + EDU_IRQ_RAISE);
	for (waited = 0; waited < 1000 && !atomic_read(&e->seen); waited += 20)
		msleep(20);
	KUNIT_EXPECT_GT_MSG(test, atomic_read(&e->seen), 0,
			    "edu's MSI did not arrive through the IOMMU");

	get_cached_msi_msg(irq, &msg);
	doorbell = ((u64)msg.address_hi << 32) | msg.address_lo;
	page = doorbell & PAGE_MASK;
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(t->domain, doorbell), doorbell);
	KUNIT_EXPECT_EQ(test, pages_mapped_around(t, doorbell), 1);

	/* The device's own write there faults and reaches nothing. */
	t->faults = 0;
	iommu_set_fault_handler(t->domain, count_fault, t);
	KUNIT_EXPECT_TRUE(test, qemu_edu_dma(e->regs, page - PAGE_SIZE, true));
	for (waited = 0; waited < 1000 && !t->faults; waited += 20)
		msleep(20);
	KUNIT_EXPECT_GT(test, t->faults, 0);
	KUNIT_EXPECT_EQ(test, t->fault_iova & PAGE_MASK, page - PAGE_SIZE);
	iommu_set_fault_handler(t->domain, NULL, NULL);

	free_irq(irq, e);
	pci_free_irq_vectors(t->pdev);
	pci_iounmap(t->pdev, e->regs);
}

/* GICv2m's doorbell, MSI_SETSPI_NS, from its frame's registers. */
#define V2M_SETSPI	0x40

/*
 * A GICv2m may have several frames; its IRQ domain names only the first,
 * and a device's MSI goes to whichever frame has a free SPI.  Every
 * frame's doorbell page is mapped in the device's domain, where the
 * device's MSI message will point when its vector lands on that frame.
 */
static void every_gicv2m_frame_has_its_doorbell_mapped(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device_node *np = NULL;
	unsigned int frames = 0;
	struct resource res;
	phys_addr_t doorbell;

	while ((np = of_find_compatible_node(np, NULL, "arm,gic-v2m-frame"))) {
		if (!of_device_is_available(np) ||
		    of_address_to_resource(np, 0, &res))
			continue;
		frames++;
		doorbell = res.start + V2M_SETSPI;
		if (doorbell > t->domain->geometry.aperture_end)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, iommu_iova_to_phys(t->domain, doorbell),
				    doorbell, "doorbell of %pOF", np);
	}
	if (frames < 2)
		kunit_skip(test, "%u GICv2m frame: boot with a second (virt-dtb.sh v2m-frames)",
			   frames);
}

static struct kunit_case arm_dma_iommu_msi_cases[] = {
	KUNIT_CASE(msis_arrive_and_only_the_doorbell_page_is_mapped),
	KUNIT_CASE(every_gicv2m_frame_has_its_doorbell_mapped),
	{}
};

static struct kunit_suite arm_dma_iommu_msi_suite = {
	.name = "arm_dma_iommu_msi",
	.suite_init = msi_suite_init,
	.suite_exit = msi_suite_exit,
	.init = msi_test_init,
	.test_cases = arm_dma_iommu_msi_cases,
};

kunit_test_suite(arm_dma_iommu_msi_suite);

MODULE_DESCRIPTION("KUnit: MSIs through an IOMMU on 32-bit ARM");
MODULE_LICENSE("GPL");
