/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ARM32 arm_iommu_* API: an IOVA space that drivers create, share
 * between their devices and attach them to.  It lives on for the drivers
 * of CONFIG_ARM_DMA_USE_IOMMU, over the IOMMU DMA ops of
 * arch/arm/mm/dma-iommu.c.
 */
#ifndef __ASM_ARM_DMA_IOMMU_H
#define __ASM_ARM_DMA_IOMMU_H

#include <linux/kref.h>
#include <linux/types.h>

struct device;
struct iommu_domain;

/**
 * struct dma_iommu_mapping - an IOVA space devices can be attached to
 * @domain:	the paging domain behind it
 * @kref:	one reference for its creator and one per attached device
 */
struct dma_iommu_mapping {
	struct iommu_domain	*domain;
	struct kref		kref;
};

/* A mapping's life: create, attach devices, detach them, release. */
struct dma_iommu_mapping *arm_iommu_create_mapping(struct device *dev,
						   dma_addr_t base, u64 size);
int arm_iommu_attach_device(struct device *dev, struct dma_iommu_mapping *m);
void arm_iommu_detach_device(struct device *dev);
void arm_iommu_release_mapping(struct dma_iommu_mapping *m);

#endif /* __ASM_ARM_DMA_IOMMU_H */
