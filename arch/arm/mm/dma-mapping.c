// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which DMA ops a device of 32-bit ARM gets: the one place that decides.
 *
 * A device behind an IOMMU whose DMA is to be translated gets a DMA domain
 * and arm_iommu_dma_ops: a mapping of the arm_iommu_* API when the kernel
 * has drivers of that API (ARM_DMA_USE_IOMMU), else its IOMMU group's
 * default domain.
 * Every other device gets the direct ops its coherence calls for.
 */
#define pr_fmt(fmt) "arm-dma: " fmt
#define dev_fmt pr_fmt

#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/iommu.h>
#include <asm/xen/xen-ops.h>

#include "dma-internal.h"

/* Whether the IOMMU translates @dev's DMA as things stand. */
static bool arm_dma_translated(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && (domain->type & __IOMMU_DOMAIN_PAGING);
}

/*
 * Put @dev behind its IOMMU; false leaves it on the direct ops.  When its
 * DMA domain cannot be set up but its IOMMU translates anyway, the direct
 * ops would hand it physical addresses for IOVAs: it gets no DMA at all.
 */
static bool arm_dma_setup_iommu(struct device *dev)
{
	int ret;

	if (!IS_ENABLED(CONFIG_ARM_DMA_IOMMU) || !arm_iommu_wants_domain(dev))
		return false;
	if (IS_ENABLED(CONFIG_ARM_DMA_USE_IOMMU))
		ret = arm_iommu_legacy_setup(dev);
	else
		ret = arm_iommu_group_domain_setup(dev);
	if (!ret) {
		set_dma_ops(dev, &arm_iommu_dma_ops);
		return true;
	}
	if (!arm_dma_translated(dev)) {
		dev_warn(dev, "no DMA domain (%d): the IOMMU passes DMA through\n",
			 ret);
		return false;
	}
	dev_err(dev, "no DMA domain (%d) behind a translating IOMMU: DMA refused\n",
		ret);
	set_dma_ops(dev, &dma_dummy_ops);
	return true;
}

/**
 * arch_setup_dma_ops() - give a device the DMA ops it needs
 * @dev:	the device being configured from its firmware description
 * @coherent:	the firmware says the device snoops the CPU caches
 */
void arch_setup_dma_ops(struct device *dev, bool coherent)
{
	/*
	 * Some platforms mark devices coherent from a bus notifier before
	 * this runs (mvebu, highbank): only ever set the flag here.
	 */
	if (coherent)
		dev->dma_coherent = true;

	if (dev->dma_ops)
		return;
	dev->archdata.dma_ops_setup = true;
	if (arm_dma_setup_iommu(dev))
		return;
	set_dma_ops(dev, arm_dma_direct_ops(dev));
	dev_dbg(dev, "%s\n", dev->dma_coherent ?
		"coherent, arm_coherent_dma_ops" : "non-coherent, arm_dma_ops");
	xen_setup_dma_ops(dev);
}

/**
 * arch_teardown_dma_ops() - undo arch_setup_dma_ops()
 * @dev:	the device, its driver gone
 */
void arch_teardown_dma_ops(struct device *dev)
{
	if (!dev->archdata.dma_ops_setup)
		return;
	/* A group domain keeps its IOVA space: what was left mapped stays. */
	if (IS_ENABLED(CONFIG_ARM_DMA_USE_IOMMU) &&
	    get_dma_ops(dev) == &arm_iommu_dma_ops)
		arm_iommu_legacy_teardown(dev);
	/* A later probe configures the device again from scratch. */
	set_dma_ops(dev, NULL);
	dev->archdata.dma_ops_setup = false;
}
