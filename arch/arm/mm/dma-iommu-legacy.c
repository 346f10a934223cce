// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arm_iommu_* API of <asm/dma-iommu.h>, for the drivers that select
 * CONFIG_ARM_DMA_USE_IOMMU (Exynos, Tegra, OMAP, Renesas, MediaTek v1).
 *
 * A mapping is a DMA domain of dma-iommu-domain.c with an IOVA window; its
 * devices get arm_iommu_dma_ops, the same ops as any device behind an
 * IOMMU.  Each device starts out attached to a mapping of its own, as it
 * always did on ARM32; drivers that want their devices to share one IOVA
 * space detach them and attach them to a mapping they created.
 */
#define pr_fmt(fmt) "arm-iommu: " fmt
#define dev_fmt pr_fmt

#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/iommu.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <asm/dma-iommu.h>
#include <kunit/static_stub.h>

#include "dma-internal.h"

/**
 * arm_iommu_create_mapping() - create an IOVA space for devices to share
 * @dev:	a device behind the IOMMU the mapping will serve
 * @base:	the lowest IOVA of the space
 * @size:	its bytes, at most 4 GiB
 *
 * The caller holds one reference, dropped with arm_iommu_release_mapping().
 *
 * Return: the mapping, ERR_PTR(-ERANGE) when @size is beyond 4 GiB, or
 * another ERR_PTR() when the domain cannot be had.
 */
struct dma_iommu_mapping *
arm_iommu_create_mapping(struct device *dev, dma_addr_t base, u64 size)
{
	struct dma_iommu_mapping *mapping;
	struct iommu_domain *domain;

	if (size > SZ_4G) {
		dev_err(dev, "a mapping of %llu bytes is beyond 4 GiB\n",
			size);
		return ERR_PTR(-ERANGE);
	}
	mapping = kzalloc(sizeof(*mapping), GFP_KERNEL);
	if (!mapping)
		return ERR_PTR(-ENOMEM);
	domain = arm_iommu_domain_alloc(dev, base, size);
	if (IS_ERR(domain)) {
		kfree(mapping);
		return ERR_CAST(domain);
	}
	mapping->domain = domain;
	kref_init(&mapping->kref);
	return mapping;
}
EXPORT_SYMBOL_GPL(arm_iommu_create_mapping);

static void arm_iommu_mapping_free(struct kref *kref)
{
	struct dma_iommu_mapping *mapping =
		container_of(kref, struct dma_iommu_mapping, kref);

	iommu_domain_free(mapping->domain);
	kfree(mapping);
}

/**
 * arm_iommu_release_mapping() - drop the creator's reference to a mapping
 * @mapping:	the mapping, or NULL
 *
 * The mapping goes when its last device is detached.
 */
void arm_iommu_release_mapping(struct dma_iommu_mapping *mapping)
{
	if (!IS_ERR_OR_NULL(mapping))
		kref_put(&mapping->kref, arm_iommu_mapping_free);
}
EXPORT_SYMBOL_GPL(arm_iommu_release_mapping);

/**
 * arm_iommu_attach_device() - put a device's DMA into a mapping
 * @dev:	the device, attached to no mapping
 * @mapping:	the mapping, which may serve other devices too
 *
 * The device gets arm_iommu_dma_ops: its DMA addresses become IOVAs of the
 * mapping's window.
 *
 * Return: 0, -EBUSY when @dev is attached to a mapping already, or the
 * error of the IOMMU core.
 */
int arm_iommu_attach_device(struct device *dev,
			    struct dma_iommu_mapping *mapping)
{
	int ret;

	if (dev->archdata.mapping) {
		dev_err(dev, "attached to a mapping already\n");
		return -EBUSY;
	}
	ret = arm_iommu_domain_attach(dev, mapping->domain);
	if (ret)
		return ret;
	kref_get(&mapping->kref);
	dev->archdata.mapping = mapping;
	set_dma_ops(dev, &arm_iommu_dma_ops);
	return 0;
}
EXPORT_SYMBOL_GPL(arm_iommu_attach_device);

/**
 * arm_iommu_detach_device() - take a device out of its mapping
 * @dev:	the device, with no DMA in flight
 *
 * The device goes back to the direct DMA ops and the IOMMU's default
 * domain, and drops its reference to the mapping.
 */
void arm_iommu_detach_device(struct device *dev)
{
	struct dma_iommu_mapping *mapping = dev->archdata.mapping;

	if (!mapping) {
		dev_warn(dev, "detach, but attached to no mapping\n");
		return;
	}
	arm_iommu_domain_detach(dev, mapping->domain);
	set_dma_ops(dev, arm_dma_direct_ops(dev));
	dev->archdata.mapping = NULL;
	kref_put(&mapping->kref, arm_iommu_mapping_free);
}
EXPORT_SYMBOL_GPL(arm_iommu_detach_device);

/**
 * arm_iommu_legacy_setup() - a device's own mapping, as its DMA is set up
 * @dev:	a device for which arm_iommu_wants_domain()
 *
 * The mapping's window is the device's dma-ranges, else 4 GiB.  The device
 * holds both the creator's and the attachment's reference, so a driver
 * that detaches and releases it frees it.
 *
 * Return: 0 or an error.
 */
int arm_iommu_legacy_setup(struct device *dev)
{
	struct dma_iommu_mapping *mapping;
	dma_addr_t base;
	u64 size;
	int ret;

	/* The tests fail it as running out of memory would. */
	KUNIT_STATIC_STUB_REDIRECT(arm_iommu_legacy_setup, dev);
	arm_iommu_dma_window(dev, &base, &size);
	mapping = arm_iommu_create_mapping(dev, base, min_t(u64, size, SZ_4G));
	if (IS_ERR(mapping))
		return PTR_ERR(mapping);
	ret = arm_iommu_attach_device(dev, mapping);
	if (ret)
		arm_iommu_release_mapping(mapping);
	return ret;
}

/**
 * arm_iommu_legacy_teardown() - undo arm_iommu_legacy_setup()
 * @dev:	the device, its driver gone
 *
 * Drops whichever mapping the device is attached to at the time, with both
 * the references arm_iommu_legacy_setup() took.
 */
void arm_iommu_legacy_teardown(struct device *dev)
{
	struct dma_iommu_mapping *mapping = dev->archdata.mapping;

	if (!mapping)
		return;
	arm_iommu_detach_device(dev);
	arm_iommu_release_mapping(mapping);
}
