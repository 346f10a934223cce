/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files of arm_iommu_dma_ops share, and nothing else.
 *
 *   dma-iommu.c		the ops table, and what the ops say of themselves
 *   dma-iommu-coherent.c	coherent buffers: allocated, freed, exported
 *   dma-iommu-sg.c		scatterlists at one IOVA range
 *   dma-iommu-map.c		one buffer's IOVA range: mapped, claimed,
 *				unmapped; the single-buffer streaming members
 *
 * Each calls only the files below it, then the IOVA space (dma-iova.h),
 * the selector and the cache maintenance (dma-internal.h).
 */
#ifndef __ARM_MM_DMA_IOMMU_OPS_H
#define __ARM_MM_DMA_IOMMU_OPS_H

#include <linux/dma-mapping.h>
#include <linux/iommu.h>

#include "dma-iova.h"

struct scatterlist;
struct sg_table;
struct vm_area_struct;

/* What the device may do to the memory it is given. */
static inline int arm_iommu_prot(enum dma_data_direction dir, bool coherent,
				 unsigned long attrs)
{
	static const int dir_prot[] = {
		[DMA_BIDIRECTIONAL]	= IOMMU_READ | IOMMU_WRITE,
		[DMA_TO_DEVICE]		= IOMMU_READ,
		[DMA_FROM_DEVICE]	= IOMMU_WRITE,
		[DMA_NONE]		= 0,
	};

	return dir_prot[dir] | (coherent ? IOMMU_CACHE : 0) |
	       (attrs & DMA_ATTR_PRIVILEGED ? IOMMU_PRIV : 0);
}

/* The granules @size bytes at @addr take, with @addr's offset in its own. */
static inline size_t arm_iommu_span(struct iommu_dma_cookie *cookie, u64 addr,
				    size_t size)
{
	return iova_align(&cookie->iovad,
			  size + iova_offset(&cookie->iovad, addr));
}

/* dma-iommu-map.c: one buffer's IOVA range */
bool arm_iommu_claim(struct device *dev, struct iommu_domain *domain,
		     dma_addr_t dma, size_t size, phys_addr_t *phys);
void arm_iommu_unmap_range(struct device *dev, struct iommu_domain *domain,
			   dma_addr_t dma, size_t size);
dma_addr_t arm_iommu_map_phys(struct device *dev, struct iommu_domain *domain,
			      phys_addr_t phys, size_t size, int prot,
			      u64 mask);
dma_addr_t arm_iommu_map_page(struct device *dev, struct page *page,
			      unsigned long offset, size_t size,
			      enum dma_data_direction dir, unsigned long attrs);
void arm_iommu_unmap_page(struct device *dev, dma_addr_t dma, size_t size,
			  enum dma_data_direction dir, unsigned long attrs);
void arm_iommu_sync_single_for_cpu(struct device *dev, dma_addr_t dma,
				   size_t size, enum dma_data_direction dir);
void arm_iommu_sync_single_for_device(struct device *dev, dma_addr_t dma,
				      size_t size, enum dma_data_direction dir);
dma_addr_t arm_iommu_map_resource(struct device *dev, phys_addr_t phys,
				  size_t size, enum dma_data_direction dir,
				  unsigned long attrs);
void arm_iommu_unmap_resource(struct device *dev, dma_addr_t dma, size_t size,
			      enum dma_data_direction dir, unsigned long attrs);

/* dma-iommu-sg.c: scatterlists */
int arm_iommu_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
		     enum dma_data_direction dir, unsigned long attrs);
void arm_iommu_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir, unsigned long attrs);
void arm_iommu_sync_sg_for_cpu(struct device *dev, struct scatterlist *sgl,
			       int nents, enum dma_data_direction dir);
void arm_iommu_sync_sg_for_device(struct device *dev, struct scatterlist *sgl,
				  int nents, enum dma_data_direction dir);

/* dma-iommu-coherent.c: coherent buffers */
void *arm_iommu_alloc(struct device *dev, size_t size, dma_addr_t *handle,
		      gfp_t gfp, unsigned long attrs);
void arm_iommu_free(struct device *dev, size_t size, void *cpu_addr,
		    dma_addr_t handle, unsigned long attrs);
struct page *arm_iommu_alloc_pages_op(struct device *dev, size_t size,
				      dma_addr_t *handle,
				      enum dma_data_direction dir, gfp_t gfp);
int arm_iommu_mmap(struct device *dev, struct vm_area_struct *vma,
		   void *cpu_addr, dma_addr_t handle, size_t size,
		   unsigned long attrs);
int arm_iommu_get_sgtable(struct device *dev, struct sg_table *sgt,
			  void *cpu_addr, dma_addr_t handle, size_t size,
			  unsigned long attrs);

#endif /* __ARM_MM_DMA_IOMMU_OPS_H */
