// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA through an IOMMU on 32-bit ARM: arm_iommu_dma_ops.
 *
 * A device with these ops sits in a DMA domain of dma-iommu-domain.c; its
 * DMA addresses are IOVAs of that domain's IOVA space (dma-iova.c).  The
 * members live in the files named for what they do (dma-iommu-ops.h);
 * this one puts them together, and answers what the generic layer asks of
 * the ops themselves.
 */
#include <linux/dma-map-ops.h>
#include <linux/iommu.h>
#include <kunit/visibility.h>

#include "dma-internal.h"
#include "dma-iommu-ops.h"

/* What map_sg merges at: one IOMMU page. */
static unsigned long arm_iommu_get_merge_boundary(struct device *dev)
{
	struct iommu_domain *domain = arm_iommu_dma_domain(dev);

	return iova_mask(&domain->iova_cookie->iovad);
}

/* Up to this size, IOVA ranges come from the per-CPU caches, no lock. */
static size_t arm_iommu_opt_mapping_size(void)
{
	return iova_rcache_range();
}

/* No bouncing here: only a device that does not snoop needs its syncs. */
static bool arm_iommu_need_sync(struct device *dev, dma_addr_t handle)
{
	return !dev_is_dma_coherent(dev);
}

/*
 * arm_iommu_dma_ops: DMA operations for devices behind an IOMMU
 */
const struct dma_map_ops arm_iommu_dma_ops = {
	.alloc			= arm_iommu_alloc,
	.free			= arm_iommu_free,
	.alloc_pages_op		= arm_iommu_alloc_pages_op,
	.free_pages		= dma_common_free_pages,
	.mmap			= arm_iommu_mmap,
	.get_sgtable		= arm_iommu_get_sgtable,
	.map_page		= arm_iommu_map_page,
	.unmap_page		= arm_iommu_unmap_page,
	.map_sg			= arm_iommu_map_sg,
	.unmap_sg		= arm_iommu_unmap_sg,
	.map_resource		= arm_iommu_map_resource,
	.unmap_resource		= arm_iommu_unmap_resource,
	.sync_single_for_cpu	= arm_iommu_sync_single_for_cpu,
	.sync_single_for_device	= arm_iommu_sync_single_for_device,
	.sync_sg_for_cpu	= arm_iommu_sync_sg_for_cpu,
	.sync_sg_for_device	= arm_iommu_sync_sg_for_device,
	.need_sync		= arm_iommu_need_sync,
	.get_merge_boundary	= arm_iommu_get_merge_boundary,
	.opt_mapping_size	= arm_iommu_opt_mapping_size,
};
EXPORT_SYMBOL_IF_KUNIT(arm_iommu_dma_ops);
