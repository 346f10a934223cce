// SPDX-License-Identifier: GPL-2.0
/*
 * The devices the conformance cases run on, set up afresh for each suite:
 * edu, bound to a driver of the suite's as a driver would bind it, and a
 * platform device configured from the device tree.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_device.h>
#include <linux/pci.h>
#include <linux/platform_device.h>

#include "conformance.h"

struct conformance_device conformance_devices[MAX_CONFORMANCE_DEVICES];
unsigned int nr_conformance_devices;
struct platform_device *conformance_platform;

/* What a driver would set for edu: QEMU's dma_mask property must match. */
static unsigned int edu_mask_bits = 32;
module_param(edu_mask_bits, uint, 0444);
MODULE_PARM_DESC(edu_mask_bits, "DMA mask the suite sets for edu, in bits");

static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("dma-api-conformance", false);

static int add_platform_device(void)
{
	struct platform_device_info info = {
		.name		= "dma-api-conformance",
		.id		= PLATFORM_DEVID_NONE,
		.dma_mask	= DMA_BIT_MASK(32),
	};
	int ret;

	conformance_platform = platform_device_register_full(&info);
	if (IS_ERR(conformance_platform)) {
		ret = PTR_ERR(conformance_platform);
		conformance_platform = NULL;
		return ret;
	}
	/* What the platform bus does for a device the tree describes. */
	ret = of_dma_configure(&conformance_platform->dev, of_root, true);
	if (ret) {
		platform_device_unregister(conformance_platform);
		conformance_platform = NULL;
		return ret;
	}
	conformance_devices[nr_conformance_devices++] = (struct conformance_device) {
		.name = "platform device", .dev = &conformance_platform->dev,
	};
	return 0;
}

static int add_edu(void)
{
	struct pci_dev *pdev = edu_binding.pdev;
	void __iomem *regs;
	int ret;

	if (!IS_ENABLED(CONFIG_PCI) || !pdev)
		return 0;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	/* A kernel may refuse a narrow mask: then edu sits the suite out. */
	if (dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(edu_mask_bits))) {
		pr_info("dma_api_conformance: %s refuses a %u-bit mask\n",
			pci_name(pdev), edu_mask_bits);
		return 0;
	}
	regs = pcim_iomap(pdev, 0, 0);
	if (!regs)
		return -ENOMEM;
	conformance_devices[nr_conformance_devices++] = (struct conformance_device) {
		.name = "edu", .dev = &pdev->dev, .edu = regs,
	};
	return 0;
}

/**
 * conformance_devices_init() - set up the devices for a suite
 * @suite:	the suite, whose .suite_init this is
 *
 * Return: 0, or a negative errno.
 */
int conformance_devices_init(struct kunit_suite *suite)
{
	int ret;

	nr_conformance_devices = 0;
	ret = pci_register_driver(&edu_binding.driver);
	if (ret)
		return ret;
	ret = add_edu();
	if (!ret)
		ret = add_platform_device();
	if (ret)
		pci_unregister_driver(&edu_binding.driver);
	return ret;
}

/**
 * conformance_devices_exit() - undo conformance_devices_init()
 * @suite:	the suite, whose .suite_exit this is
 */
void conformance_devices_exit(struct kunit_suite *suite)
{
	if (conformance_platform)
		platform_device_unregister(conformance_platform);
	conformance_platform = NULL;
	pci_unregister_driver(&edu_binding.driver);
	nr_conformance_devices = 0;
}

MODULE_DESCRIPTION("The DMA API's contract, on the devices of the machine");
MODULE_LICENSE("GPL");
