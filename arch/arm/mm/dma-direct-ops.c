// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA without an IOMMU on 32-bit ARM: arm_dma_ops and arm_coherent_dma_ops.
 *
 * A device's DMA addresses are its physical addresses, through its
 * dma-ranges.  The two tables differ in how they allocate (both ask the
 * selector, dma-select.c, one for a device whose accesses snoop the CPU
 * caches, the other for one whose accesses do not) and in map and unmap,
 * which know the coherence of their table; the other streaming members
 * (dma-streaming.c) read the device's coherence themselves.
 *
 * A device that never went through arch_setup_dma_ops() has no ops and is
 * served by dma-direct, which calls the arch_* hooks at the end of this
 * file for a non-coherent device: they lead to the same selector and the
 * same cache maintenance.
 */
#include <linux/device.h>
#include <linux/dma-dev-coherent.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mmap.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/swiotlb.h>
#include <kunit/visibility.h>

#include "dma-internal.h"

static pgprot_t arm_dma_prot(unsigned long attrs, bool coherent)
{
	if (coherent)
		return PAGE_KERNEL;
	if (attrs & DMA_ATTR_WRITE_COMBINE)
		return pgprot_writecombine(PAGE_KERNEL);
	return pgprot_dmacoherent(PAGE_KERNEL);
}

static void *arm_dma_alloc(struct device *dev, size_t size, dma_addr_t *handle,
			   gfp_t gfp, unsigned long attrs)
{
	return __dma_alloc(dev, size, handle, gfp, arm_dma_prot(attrs, false),
			   false, attrs, __builtin_return_address(0));
}

static void *arm_coherent_dma_alloc(struct device *dev, size_t size,
				    dma_addr_t *handle, gfp_t gfp,
				    unsigned long attrs)
{
	return __dma_alloc(dev, size, handle, gfp, arm_dma_prot(attrs, true),
			   true, attrs, __builtin_return_address(0));
}

static void arm_dma_free(struct device *dev, size_t size, void *cpu_addr,
			 dma_addr_t handle, unsigned long attrs)
{
	arm_dma_free_buffer(dev, size, cpu_addr,
			    phys_to_page(dma_to_phys(dev, handle)));
}

/* Whether a live buffer of the selector of at least @size bytes is at @handle. */
static bool arm_dma_holds(struct device *dev, dma_addr_t handle, size_t size)
{
	return arm_dma_buffer_holds(PHYS_PFN(dma_to_phys(dev, handle)), size);
}

static int arm_dma_mmap(struct device *dev, struct vm_area_struct *vma,
			void *cpu_addr, dma_addr_t handle, size_t size,
			unsigned long attrs)
{
	int ret;

	vma->vm_page_prot = dma_pgprot(dev, vma->vm_page_prot, attrs);
	if (dma_mmap_from_dev_coherent(dev, vma, cpu_addr, size, &ret))
		return ret;
	if (!arm_dma_holds(dev, handle, size))
		return -ENXIO;
	return dma_mmap_pfn_range(vma, PHYS_PFN(dma_to_phys(dev, handle)),
				PAGE_ALIGN(size) >> PAGE_SHIFT);
}

static int arm_dma_get_sgtable(struct device *dev, struct sg_table *sgt,
			       void *cpu_addr, dma_addr_t handle, size_t size,
			       unsigned long attrs)
{
	int ret;

	if (dma_get_sgtable_from_dev_coherent(dev, sgt, cpu_addr, size, &ret))
		return ret;
	if (!arm_dma_holds(dev, handle, size))
		return -ENXIO;
	ret = sg_alloc_table(sgt, 1, GFP_KERNEL);
	if (ret)
		return ret;
	sg_set_page(sgt->sgl, phys_to_page(dma_to_phys(dev, handle)),
		    PAGE_ALIGN(size), 0);
	return 0;
}

/*
 * dma_alloc_pages() and kin: lowmem the coherent mask reaches, 1:1; from
 * its restricted pool for a device that has one.
 */
static struct page *arm_dma_alloc_pages_op(struct device *dev, size_t size,
					   dma_addr_t *handle,
					   enum dma_data_direction dir,
					   gfp_t gfp)
{
	u64 limit = min_not_zero(dev->coherent_dma_mask, dev->bus_dma_limit);
	struct page *page;

	if (is_swiotlb_for_alloc(dev)) {
		page = swiotlb_alloc(dev, size);
		if (page)
			memset(page_address(page), 0, size);
	} else {
		if (limit < DMA_BIT_MASK(32) && IS_ENABLED(CONFIG_ZONE_DMA))
			gfp |= GFP_DMA;
		page = arm_dma_alloc_lowmem(dev, size, gfp, limit);
	}
	if (page)
		*handle = phys_to_dma(dev, page_to_phys(page));
	return page;
}

/* Nothing was mapped: the pages go back where they came from. */
static void arm_dma_free_pages_op(struct device *dev, size_t size,
				  struct page *page, dma_addr_t handle,
				  enum dma_data_direction dir)
{
	if (!swiotlb_free(dev, page, size))
		dma_free_contiguous(dev, page, size);
}

/* Everything but .alloc, .map_page and .unmap_page: what both share. */
#define ARM_DMA_DIRECT_MEMBERS						\
	.free			= arm_dma_free,				\
	.alloc_pages_op		= arm_dma_alloc_pages_op,		\
	.free_pages		= arm_dma_free_pages_op,		\
	.mmap			= arm_dma_mmap,				\
	.get_sgtable		= arm_dma_get_sgtable,			\
	.map_sg			= arm_dma_map_sg,			\
	.unmap_sg		= arm_dma_unmap_sg,			\
	.map_resource		= arm_dma_map_resource,			\
	.sync_single_for_cpu	= arm_dma_sync_single_for_cpu,		\
	.sync_single_for_device	= arm_dma_sync_single_for_device,	\
	.sync_sg_for_cpu	= arm_dma_sync_sg_for_cpu,		\
	.sync_sg_for_device	= arm_dma_sync_sg_for_device,		\
	.need_sync		= arm_dma_need_sync,			\
	.dma_supported		= arm_dma_supported,			\
	.get_required_mask	= arm_dma_get_required_mask,		\
	.max_mapping_size	= arm_dma_max_mapping_size

/* For devices that do not snoop the CPU caches: uncached buffers. */
const struct dma_map_ops arm_dma_ops = {
	.alloc			= arm_dma_alloc,
	.map_page		= arm_dma_map_page,
	.unmap_page		= arm_dma_unmap_page,
	ARM_DMA_DIRECT_MEMBERS,
};
EXPORT_SYMBOL_IF_KUNIT(arm_dma_ops);

/* For cache-coherent devices: buffers in the cacheable linear map. */
const struct dma_map_ops arm_coherent_dma_ops = {
	.alloc			= arm_coherent_dma_alloc,
	.map_page		= arm_coherent_dma_map_page,
	.unmap_page		= arm_coherent_dma_unmap_page,
	ARM_DMA_DIRECT_MEMBERS,
};
EXPORT_SYMBOL_IF_KUNIT(arm_coherent_dma_ops);

/**
 * arm_dma_direct_ops() - the ops of a device that is not behind an IOMMU
 * @dev:	the device
 *
 * Return: arm_coherent_dma_ops for a coherent device, else arm_dma_ops.
 */
const struct dma_map_ops *arm_dma_direct_ops(struct device *dev)
{
	return dev->dma_coherent ? &arm_coherent_dma_ops : &arm_dma_ops;
}

void arch_sync_dma_for_device(phys_addr_t paddr, size_t size,
			      enum dma_data_direction dir)
{
	arm_dma_sync_for_device(paddr, size, dir);
}

void arch_sync_dma_for_cpu(phys_addr_t paddr, size_t size,
			   enum dma_data_direction dir)
{
	arm_dma_sync_for_cpu(paddr, size, dir);
}

void *arch_dma_alloc(struct device *dev, size_t size, dma_addr_t *dma_handle,
		     gfp_t gfp, unsigned long attrs)
{
	return arm_dma_alloc(dev, size, dma_handle, gfp, attrs);
}

void arch_dma_free(struct device *dev, size_t size, void *cpu_addr,
		   dma_addr_t dma_handle, unsigned long attrs)
{
	arm_dma_free(dev, size, cpu_addr, dma_handle, attrs);
}
