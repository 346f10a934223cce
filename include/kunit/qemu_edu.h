/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's "edu" PCI device (1234:11e8) as a DMA master for KUnit tests: it
 * copies between its 4 KiB buffer at device address 0x40000 and a bus
 * address it is given, 100 ms (virtual time) after it is started.
 */
#ifndef _KUNIT_QEMU_EDU_H
#define _KUNIT_QEMU_EDU_H

#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/sizes.h>

#define QEMU_EDU_VENDOR		0x1234
#define QEMU_EDU_DEVICE		0x11e8
#define QEMU_EDU_ID		0x00
#define QEMU_EDU_DMA_SRC	0x80
#define QEMU_EDU_DMA_DST	0x88
#define QEMU_EDU_DMA_COUNT	0x90
#define QEMU_EDU_DMA_CMD	0x98
#define  QEMU_EDU_DMA_RUN	BIT(0)
#define  QEMU_EDU_DMA_TO_RAM	BIT(1)
#define QEMU_EDU_BUFFER		0x40000
/* edu refuses a transfer that ends at the end of its buffer: stay short. */
#define QEMU_EDU_XFER		SZ_1K

/**
 * qemu_edu_dma_len() - copy bytes between edu and a bus address
 * @regs:	edu's BAR 0
 * @bus:	the DMA address on the RAM side (below 4 GiB)
 * @to_ram:	from edu's buffer to @bus, else from @bus to the buffer
 * @len:	bytes, at most QEMU_EDU_XFER
 *
 * Return: true when the transfer finished within two seconds.
 */
static inline bool qemu_edu_dma_len(void __iomem *regs, u64 bus, bool to_ram,
				    u32 len)
{
	unsigned int waited;

	writel(to_ram ? QEMU_EDU_BUFFER : lower_32_bits(bus),
	       regs + QEMU_EDU_DMA_SRC);
	writel(to_ram ? lower_32_bits(bus) : QEMU_EDU_BUFFER,
	       regs + QEMU_EDU_DMA_DST);
	writel(len, regs + QEMU_EDU_DMA_COUNT);
	writel(QEMU_EDU_DMA_RUN | (to_ram ? QEMU_EDU_DMA_TO_RAM : 0),
	       regs + QEMU_EDU_DMA_CMD);
	for (waited = 0; waited < 2000; waited += 20) {
		if (!(readl(regs + QEMU_EDU_DMA_CMD) & QEMU_EDU_DMA_RUN))
			return true;
		msleep(20);
	}
	return false;
}

/**
 * qemu_edu_dma() - copy QEMU_EDU_XFER bytes between edu and a bus address
 * @regs:	edu's BAR 0
 * @bus:	the DMA address on the RAM side (below 4 GiB)
 * @to_ram:	from edu's buffer to @bus, else from @bus to the buffer
 *
 * Return: true when the transfer finished within two seconds.
 */
static inline bool qemu_edu_dma(void __iomem *regs, u64 bus, bool to_ram)
{
	return qemu_edu_dma_len(regs, bus, to_ram, QEMU_EDU_XFER);
}

/**
 * struct qemu_edu_binding - a test's driver for edu, and the edu it bound
 * @driver:	registered by the suite, so that edu's DMA is configured as
 *		any driver's would be
 * @pdev:	the bound edu, or NULL
 */
struct qemu_edu_binding {
	struct pci_driver driver;
	struct pci_dev *pdev;
};

static inline struct qemu_edu_binding *qemu_edu_binding_of(struct pci_dev *pdev)
{
	return container_of(to_pci_driver(pdev->dev.driver),
			    struct qemu_edu_binding, driver);
}

static inline int qemu_edu_bind(struct pci_dev *pdev,
				const struct pci_device_id *id)
{
	qemu_edu_binding_of(pdev)->pdev = pdev;
	return 0;
}

static inline void qemu_edu_unbind(struct pci_dev *pdev)
{
	qemu_edu_binding_of(pdev)->pdev = NULL;
}

static const struct pci_device_id qemu_edu_ids[] = {
	{ PCI_DEVICE(QEMU_EDU_VENDOR, QEMU_EDU_DEVICE) },
	{ }
};

/* A binding named @drv_name; @managed: the test manages DMA ownership. */
#define QEMU_EDU_BINDING(drv_name, managed) {				\
	.driver = {							\
		.name			= drv_name,			\
		.id_table		= qemu_edu_ids,			\
		.probe			= qemu_edu_bind,		\
		.remove			= qemu_edu_unbind,		\
		.driver_managed_dma	= managed,			\
	},								\
}

#endif /* _KUNIT_QEMU_EDU_H */
