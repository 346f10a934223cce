// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page allocators behind ARM coherent DMA buffers: simple, remap, CMA,
 * low, restricted, and the page gatherer for buffers a device sees through
 * an IOMMU.
 *
 * Each of the first five is a struct arm_dma_allocator: a name, when it
 * suits a request, and its own alloc and free.  dma-select.c chooses among
 * them (and the atomic pool of dma-atomic-pool.c); nothing here decides
 * between allocators.
 */
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/vmalloc.h>

#include "dma-internal.h"
#include "mm.h"

/*
 * simple: a coherent device shares the CPU's caches, so the kernel's own
 * cacheable linear mapping of ordinary pages is all it needs.
 */
static bool simple_suits(const struct arm_dma_request *req)
{
	return req->coherent && get_order(req->size) <= MAX_PAGE_ORDER;
}

static struct page *simple_alloc(const struct arm_dma_request *req,
				 void **vaddr)
{
	void *va = alloc_pages_exact(req->size, req->gfp | __GFP_ZERO);

	if (!va)
		return NULL;
	*vaddr = arm_dma_want_vaddr(req) ? va : NULL;
	return virt_to_page(va);
}

static void simple_free(const struct arm_dma_request *req, struct page *page,
			void *vaddr)
{
	free_pages_exact(page_address(page), req->size);
}

struct arm_dma_allocator arm_dma_simple_allocator = {
	.name	= "simple",
	.suits	= simple_suits,
	.alloc	= simple_alloc,
	.free	= simple_free,
};

/*
 * remap: a non-coherent device that may sleep and has no CMA area gets
 * ordinary pages, flushed from the caches and mapped a second time with
 * the uncached (or write-combine) attributes of the request.
 */
static bool remap_suits(const struct arm_dma_request *req)
{
	return !req->coherent && gfpflags_allow_blocking(req->gfp) &&
	       get_order(req->size) <= MAX_PAGE_ORDER;
}

static struct page *remap_alloc(const struct arm_dma_request *req,
				void **vaddr)
{
	void *va = alloc_pages_exact(req->size, req->gfp);
	struct page *page;

	if (!va)
		return NULL;
	page = virt_to_page(va);
	arm_dma_clear_pages(page, req->size, false);

	*vaddr = NULL;
	if (!arm_dma_want_vaddr(req))
		return page;
	*vaddr = dma_common_contiguous_remap(page, req->size, req->prot,
					     req->caller);
	if (!*vaddr) {
		free_pages_exact(va, req->size);
		return NULL;
	}
	return page;
}

static void remap_free(const struct arm_dma_request *req, struct page *page,
		       void *vaddr)
{
	if (vaddr)
		dma_common_free_remap(vaddr, req->size);
	free_pages_exact(page_address(page), req->size);
}

struct arm_dma_allocator arm_dma_remap_allocator = {
	.name	= "remap",
	.suits	= remap_suits,
	.alloc	= remap_alloc,
	.free	= remap_free,
};

/*
 * Zero a contiguous run of pages and give the CPU its view of it: none for
 * DMA_ATTR_NO_KERNEL_MAPPING, the linear map for a coherent device's
 * lowmem, else a new mapping with the request's attributes.
 * Return: false when that mapping could not be made.
 */
static bool arm_dma_contiguous_vaddr(const struct arm_dma_request *req,
				     struct page *page, void **vaddr)
{
	arm_dma_clear_pages(page, req->size, req->coherent);
	*vaddr = NULL;
	if (!arm_dma_want_vaddr(req))
		return true;
	if (req->coherent && !PageHighMem(page))
		*vaddr = page_address(page);
	else
		*vaddr = dma_common_contiguous_remap(page, req->size, req->prot,
						     req->caller);
	return !!*vaddr;
}

/*
 * CMA: a device with a contiguous area (cma= or its own reusable
 * shared-dma-pool) takes its sleeping non-coherent allocations from there,
 * and coherent ones too when they are larger than the page allocator gives.
 * The CPU sees them through a new mapping with the request's attributes;
 * coherent lowmem keeps the linear one.
 */
static bool cma_suits(const struct arm_dma_request *req)
{
	if (!gfpflags_allow_blocking(req->gfp) || !dev_get_cma_area(req->dev))
		return false;
	return !req->coherent || get_order(req->size) > MAX_PAGE_ORDER;
}

static struct page *cma_alloc(const struct arm_dma_request *req, void **vaddr)
{
	size_t count = req->size >> PAGE_SHIFT;
	struct page *page;

	page = dma_alloc_from_contiguous(req->dev, count, get_order(req->size),
					 req->gfp & __GFP_NOWARN);
	if (page && !arm_dma_contiguous_vaddr(req, page, vaddr)) {
		dma_release_from_contiguous(req->dev, page, count);
		return NULL;
	}
	return page;
}

static void cma_free(const struct arm_dma_request *req, struct page *page,
		     void *vaddr)
{
	if (vaddr && is_vmalloc_addr(vaddr))
		dma_common_free_remap(vaddr, req->size);
	dma_release_from_contiguous(req->dev, page, req->size >> PAGE_SHIFT);
}

struct arm_dma_allocator arm_dma_cma_allocator = {
	.name	= "cma",
	.suits	= cma_suits,
	.alloc	= cma_alloc,
	.free	= cma_free,
};

#ifdef CONFIG_CMA_AREAS
/*
 * The early boot hook for CMA areas.  This layer never changes the
 * attributes of the linear mapping (CMA pages get a second mapping, as
 * remap's do), so the areas need no page-granular linear mapping.
 */
void __init dma_contiguous_remap(void)
{
}
#endif

/*
 * low: a coherent mask short of the end of lowmem, where ARM has no DMA zone
 * to ask the page allocator for memory below it.  alloc_contig_pages()
 * searches upward from a zone's first page frame, so the range it finds is
 * the lowest free one.  Slow (it may migrate pages): last in the table.
 */
static bool low_suits(const struct arm_dma_request *req)
{
	return IS_ENABLED(CONFIG_CONTIG_ALLOC) &&
	       gfpflags_allow_blocking(req->gfp) &&
	       req->limit < __pa(high_memory - 1);
}

static unsigned long low_count(const struct arm_dma_request *req)
{
	return 1UL << get_order(req->size);
}

static struct page *low_contig(const struct arm_dma_request *req)
{
#ifdef CONFIG_CONTIG_ALLOC
	return alloc_contig_pages(low_count(req),
				  GFP_KERNEL | (req->gfp & __GFP_NOWARN),
				  numa_node_id(), NULL);
#else
	return NULL;
#endif
}

static struct page *low_alloc(const struct arm_dma_request *req, void **vaddr)
{
	struct page *page = low_contig(req);

	if (page && !arm_dma_contiguous_vaddr(req, page, vaddr)) {
		free_contig_range(page_to_pfn(page), low_count(req));
		return NULL;
	}
	return page;
}

static void low_free(const struct arm_dma_request *req, struct page *page,
		     void *vaddr)
{
	if (vaddr && is_vmalloc_addr(vaddr))
		dma_common_free_remap(vaddr, req->size);
	free_contig_range(page_to_pfn(page), low_count(req));
}

struct arm_dma_allocator arm_dma_low_allocator = {
	.name	= "low",
	.suits	= low_suits,
	.alloc	= low_alloc,
	.free	= low_free,
};

/*
 * restricted: a device with a restricted-dma-pool reaches that memory and
 * no other, so nothing else may serve it (the allocator is sole).  The
 * pool is lowmem: a coherent device keeps the linear mapping, a
 * non-coherent one gets a new mapping, which only a sleeping caller can.
 */
static bool restricted_suits(const struct arm_dma_request *req)
{
	return is_swiotlb_for_alloc(req->dev);
}

static struct page *restricted_alloc(const struct arm_dma_request *req,
				     void **vaddr)
{
	bool quiet = req->gfp & __GFP_NOWARN;
	struct page *page;

	if (!req->coherent && arm_dma_want_vaddr(req) &&
	    !gfpflags_allow_blocking(req->gfp)) {
		if (!quiet)
			dev_warn_ratelimited(req->dev, "restricted DMA pool: an uncached mapping needs a caller that may sleep\n");
		return NULL;
	}
	page = swiotlb_alloc(req->dev, req->size);
	if (!page) {
		if (!quiet)
			dev_warn_ratelimited(req->dev, "restricted DMA pool: no %zu bytes free\n",
					     req->size);
		return NULL;
	}
	if (!arm_dma_contiguous_vaddr(req, page, vaddr)) {
		swiotlb_free(req->dev, page, req->size);
		return NULL;
	}
	return page;
}

static void restricted_free(const struct arm_dma_request *req,
			    struct page *page, void *vaddr)
{
	if (vaddr && is_vmalloc_addr(vaddr))
		dma_common_free_remap(vaddr, req->size);
	swiotlb_free(req->dev, page, req->size);
}

struct arm_dma_allocator arm_dma_restricted_allocator = {
	.name	= "restricted",
	.suits	= restricted_suits,
	.alloc	= restricted_alloc,
	.free	= restricted_free,
	.sole	= true,
};

/**
 * arm_dma_alloc_lowmem() - zeroed pages for dma_alloc_pages() and kin
 * @dev:	the device, whose CMA area is tried first
 * @size:	bytes, page aligned
 * @gfp:	the caller's flags
 * @limit:	the highest DMA address the pages may have (direct ops), or
 *		DMA_MAPPING_ERROR when an IOMMU maps them anywhere
 *
 * dma_alloc_pages() hands out pages that the caller reaches through
 * page_address(), and dma_alloc_noncoherent() hands out that address: only
 * lowmem will do, so a CMA area in highmem (where mm/cma.c puts the
 * default one when there is highmem) cannot serve.  Like dma-direct, no
 * cache maintenance: the caller syncs before the device's first access.
 *
 * Return: the first page, or NULL.  Free with dma_free_contiguous().
 */
struct page *arm_dma_alloc_lowmem(struct device *dev, size_t size, gfp_t gfp,
				  dma_addr_t limit)
{
	struct page *page = dma_alloc_contiguous(dev, size, gfp);

	if (page && (PageHighMem(page) ||
		     phys_to_dma(dev, page_to_phys(page) + size - 1) > limit)) {
		dma_free_contiguous(dev, page, size);
		page = NULL;
	}
	if (!page)
		page = alloc_pages(gfp & ~__GFP_HIGHMEM, get_order(size));
	if (page && phys_to_dma(dev, page_to_phys(page) + size - 1) > limit) {
		dma_free_contiguous(dev, page, size);
		page = NULL;
	}
	if (page)
		memset(page_address(page), 0, size);
	return page;
}

/**
 * arm_dma_alloc_pages() - gather pages for a buffer seen through an IOMMU
 * @size:	bytes, page aligned
 * @gfp:	allocation flags; highmem is welcome, the device never sees
 *		the pages' physical addresses
 * @coherent:	the device is cache-coherent
 *
 * Takes the largest runs the page allocator gives cheaply (fewer, larger
 * IOMMU mappings and TLB entries), falling back to single pages; each run
 * is zeroed and, for a non-coherent device, flushed from the caches.
 *
 * Return: an array of the pages, in order, or NULL.
 */
struct page **arm_dma_alloc_pages(size_t size, gfp_t gfp, bool coherent)
{
	unsigned int count = size >> PAGE_SHIFT, i = 0, j;
	unsigned int order = min_t(unsigned int, get_order(size), PAGE_ALLOC_COSTLY_ORDER);
	struct page **pages;

	pages = kvcalloc(count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;
	while (i < count) {
		struct page *page;

		order = min_t(unsigned int, order, ilog2(count - i));
		page = alloc_pages(order ? gfp | __GFP_NORETRY | __GFP_NOWARN :
				   gfp, order);
		if (!page) {
			if (!order)
				goto fail;
			order--;
			continue;
		}
		split_page(page, order);
		arm_dma_clear_pages(page, PAGE_SIZE << order, coherent);
		for (j = 0; j < 1U << order; j++)
			pages[i++] = page + j;
	}
	return pages;

fail:
	arm_dma_free_pages(pages, (size_t)i << PAGE_SHIFT);
	return NULL;
}

/**
 * arm_dma_free_pages() - give back what arm_dma_alloc_pages() gathered
 * @pages:	the array
 * @size:	bytes it held
 */
void arm_dma_free_pages(struct page **pages, size_t size)
{
	unsigned int i;

	for (i = 0; i < size >> PAGE_SHIFT; i++)
		__free_page(pages[i]);
	kvfree(pages);
}
