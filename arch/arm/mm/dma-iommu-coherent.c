// SPDX-License-Identifier: GPL-2.0-only
/*
 * Coherent buffers through an IOMMU: memory from the selector, contiguous
 * (dma-select.c), or gathered page by page (dma-alloc.c), mapped at one
 * IOVA range of the device's domain; freed only when the handle and the
 * address name the same buffer; exported to user space and as tables.
 */
#define pr_fmt(fmt) "arm-iommu: " fmt
#define dev_fmt pr_fmt

#include <linux/dma-dev-coherent.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mmap.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/vmalloc.h>

#include "dma-internal.h"
#include "dma-iommu-ops.h"

/*
 * Contiguous memory from the selector (the atomic pool when the caller
 * cannot sleep), mapped at one IOVA range.  The device's mask limits the
 * IOVA, not the memory.
 */
static void *arm_iommu_alloc_contiguous(struct device *dev, size_t size,
					dma_addr_t *handle, gfp_t gfp,
					unsigned long attrs)
{
	bool coherent = dev_is_dma_coherent(dev);
	struct arm_dma_request req = {
		.dev		= dev,
		.size		= size,
		.gfp		= gfp & ~(__GFP_ZERO | GFP_DMA | __GFP_DMA32),
		.prot		= dma_pgprot(dev, PAGE_KERNEL, attrs),
		.attrs		= attrs,
		.coherent	= coherent,
		.caller		= __builtin_return_address(0),
		.limit		= PHYS_ADDR_MAX,
	};
	struct page *page;
	void *cookie;

	page = arm_dma_alloc_buffer(&req, &cookie);
	if (!page)
		return NULL;
	*handle = arm_iommu_map_phys(dev, arm_iommu_dma_domain(dev),
				     page_to_phys(page), size,
				     arm_iommu_prot(DMA_BIDIRECTIONAL, coherent, attrs),
				     dev->coherent_dma_mask);
	if (*handle == DMA_MAPPING_ERROR) {
		arm_dma_free_buffer(dev, size, cookie, page);
		return NULL;
	}
	return cookie;
}

/*
 * Pages from anywhere at one IOVA range for the device, and one vmap for
 * the CPU unless the caller wants no kernel mapping: then what it gets,
 * and gives back to free, mmap and get_sgtable, is the array of pages.
 */
static void *arm_iommu_alloc_gathered(struct device *dev, size_t size,
				      dma_addr_t *handle, gfp_t gfp,
				      unsigned long attrs)
{
	struct iommu_domain *domain = arm_iommu_dma_domain(dev);
	struct iommu_dma_cookie *cookie = domain->iova_cookie;
	bool coherent = dev_is_dma_coherent(dev);
	int prot = arm_iommu_prot(DMA_BIDIRECTIONAL, coherent, attrs);
	unsigned int i, run, count = size >> PAGE_SHIFT;
	struct page **pages;
	dma_addr_t iova;
	void *vaddr;

	pages = arm_dma_alloc_pages(size, (gfp & ~(__GFP_ZERO | GFP_DMA)) |
				    __GFP_HIGHMEM, coherent);
	if (!pages)
		return NULL;
	iova = arm_iova_alloc(dev, cookie, size, dev->coherent_dma_mask);
	if (!iova)
		goto fail_pages;
	/* The gatherer hands out runs of contiguous pages: one map each. */
	for (i = 0; i < count; i += run) {
		for (run = 1; i + run < count &&
		     page_to_phys(pages[i + run]) ==
		     page_to_phys(pages[i]) + run * PAGE_SIZE; run++)
			;
		if (iommu_map(domain, iova + i * PAGE_SIZE,
			      page_to_phys(pages[i]), run * PAGE_SIZE, prot, gfp))
			goto fail_unmap;
	}
	if (attrs & DMA_ATTR_NO_KERNEL_MAPPING)
		vaddr = pages;
	else
		vaddr = dma_common_pages_remap(pages, size,
					       dma_pgprot(dev, PAGE_KERNEL, attrs),
					       __builtin_return_address(0));
	if (!vaddr)
		goto fail_unmap;
	*handle = iova;
	return vaddr;

fail_unmap:
	if (i)
		iommu_unmap(domain, iova, i * PAGE_SIZE);
	arm_iova_free(cookie, iova, size);
fail_pages:
	arm_dma_free_pages(pages, size);
	return NULL;
}

/* dma_alloc_pages() and kin: lowmem from anywhere, at a new IOVA range. */
struct page *arm_iommu_alloc_pages_op(struct device *dev, size_t size,
				      dma_addr_t *handle,
				      enum dma_data_direction dir,
				      gfp_t gfp)
{
	struct page *page = arm_dma_alloc_lowmem(dev, size, gfp,
						 DMA_MAPPING_ERROR);

	if (!page)
		return NULL;
	*handle = arm_iommu_map_page(dev, page, 0, size, dir,
				     DMA_ATTR_SKIP_CPU_SYNC);
	if (*handle == DMA_MAPPING_ERROR) {
		dma_free_contiguous(dev, page, size);
		return NULL;
	}
	return page;
}

void *arm_iommu_alloc(struct device *dev, size_t size,
		      dma_addr_t *handle, gfp_t gfp, unsigned long attrs)
{
	size = PAGE_ALIGN(size);
	*handle = DMA_MAPPING_ERROR;
	if (!size)
		return NULL;
	if (!gfpflags_allow_blocking(gfp) || (attrs & DMA_ATTR_FORCE_CONTIGUOUS))
		return arm_iommu_alloc_contiguous(dev, size, handle, gfp, attrs);
	return arm_iommu_alloc_gathered(dev, size, handle, gfp, attrs);
}

/*
 * A buffer from the selector: its record says whether @cpu_addr is that
 * buffer, without the vmap lock, so this works in any context the DMA API
 * allows a free in.
 */
static void arm_iommu_free_contiguous(struct device *dev,
				      struct iommu_domain *domain, size_t size,
				      void *cpu_addr, dma_addr_t handle,
				      phys_addr_t phys)
{
	struct arm_dma_buffer *buf;

	buf = arm_dma_claim_buffer(dev, size, cpu_addr, PHYS_PFN(phys));
	if (!buf)
		return;
	arm_iommu_unmap_range(dev, domain, handle, size);
	arm_dma_release_buffer(dev, buf, phys_to_page(phys));
}

/*
 * The pages of a gathered buffer whose IOVA range starts at @phys: behind
 * its vmap, or the cookie itself when it has no kernel mapping.  NULL when
 * @cpu_addr is neither (a contiguous buffer, or a wrong address).
 */
static struct page **arm_iommu_gathered_pages(void *cpu_addr,
					      unsigned long attrs,
					      phys_addr_t phys)
{
	struct page **pages = NULL;

	if (!phys || arm_dma_buffer_holds(PHYS_PFN(phys), 0))
		return NULL;
	if (attrs & DMA_ATTR_NO_KERNEL_MAPPING) {
		if (virt_addr_valid(cpu_addr) || is_vmalloc_addr(cpu_addr))
			pages = cpu_addr;
	} else if (is_vmalloc_addr(cpu_addr)) {
		pages = dma_common_find_pages(cpu_addr);
	}
	if (!pages || page_to_phys(pages[0]) != phys)
		return NULL;
	return pages;
}

/* Gathered pages, maybe behind a vmap: only a sleeping context frees them. */
static void arm_iommu_free_gathered(struct device *dev,
				    struct iommu_domain *domain, size_t size,
				    void *cpu_addr, dma_addr_t handle,
				    phys_addr_t phys, unsigned long attrs)
{
	struct page **pages;

	if (in_interrupt()) {
		dev_err(dev, "refusing to free %p in interrupt context: its pages were gathered\n",
			cpu_addr);
		WARN_ONCE(1, "free of a gathered DMA buffer in interrupt context\n");
		return;
	}
	pages = arm_iommu_gathered_pages(cpu_addr, attrs, phys);
	if (!pages) {
		dev_err(dev, "refusing to free %p: IOVA %pad is not its buffer\n",
			cpu_addr, &handle);
		WARN_ONCE(1, "bad free of a coherent DMA buffer\n");
		return;
	}
	arm_iommu_unmap_range(dev, domain, handle, size);
	if (!(attrs & DMA_ATTR_NO_KERNEL_MAPPING))
		dma_common_free_remap(cpu_addr, size);
	arm_dma_free_pages(pages, size);
}

void arm_iommu_free(struct device *dev, size_t size, void *cpu_addr,
		    dma_addr_t handle, unsigned long attrs)
{
	struct iommu_domain *domain = arm_iommu_dma_domain(dev);
	phys_addr_t phys;

	size = PAGE_ALIGN(size);
	if (!arm_iommu_claim(dev, domain, handle, size, &phys))
		return;
	if (arm_dma_buffer_holds(PHYS_PFN(phys), 0))
		arm_iommu_free_contiguous(dev, domain, size, cpu_addr, handle,
					  phys);
	else
		arm_iommu_free_gathered(dev, domain, size, cpu_addr, handle,
					phys, attrs);
}

int arm_iommu_mmap(struct device *dev, struct vm_area_struct *vma,
		   void *cpu_addr, dma_addr_t handle, size_t size,
		   unsigned long attrs)
{
	unsigned long count = PAGE_ALIGN(size) >> PAGE_SHIFT;
	struct page **pages;
	phys_addr_t phys;
	int ret;

	vma->vm_page_prot = dma_pgprot(dev, vma->vm_page_prot, attrs);
	/* A pool buffer's handle is no IOVA: the pool knows its pages. */
	if (dma_mmap_from_dev_coherent(dev, vma, cpu_addr, size, &ret))
		return ret;
	phys = iommu_iova_to_phys(arm_iommu_dma_domain(dev), handle);
	pages = arm_iommu_gathered_pages(cpu_addr, attrs, phys);
	if (pages)
		return vm_map_pages(vma, pages, count);
	if (!phys)
		return -ENXIO;
	return dma_mmap_pfn_range(vma, PHYS_PFN(phys), count);
}

int arm_iommu_get_sgtable(struct device *dev, struct sg_table *sgt,
			  void *cpu_addr, dma_addr_t handle, size_t size,
			  unsigned long attrs)
{
	struct page **pages;
	phys_addr_t phys;
	int ret;

	if (dma_get_sgtable_from_dev_coherent(dev, sgt, cpu_addr, size, &ret))
		return ret;
	phys = iommu_iova_to_phys(arm_iommu_dma_domain(dev), handle);
	pages = arm_iommu_gathered_pages(cpu_addr, attrs, phys);
	if (pages)
		return sg_alloc_table_from_pages(sgt, pages,
						 PAGE_ALIGN(size) >> PAGE_SHIFT,
						 0, size, GFP_KERNEL);
	if (!phys)
		return -ENXIO;
	ret = sg_alloc_table(sgt, 1, GFP_KERNEL);
	if (!ret)
		sg_set_page(sgt->sgl, phys_to_page(phys), PAGE_ALIGN(size), 0);
	return ret;
}
