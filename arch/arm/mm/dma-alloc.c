// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page allocators behind ARM coherent DMA buffers: simple, remap, CMA.
 *
 * Each is a struct arm_dma_allocator: a name, when it suits a request, and
 * its own alloc and free.  dma-mapping.c chooses among them (and the atomic
 * pool of dma-atomic-pool.c); nothing here decides between allocators.
 */
#include <linux/dma-map-ops.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "dma-internal.h"
#include "mm.h"

/*
 * simple: a coherent device shares the CPU's caches, so the kernel's own
 * cacheable linear mapping of ordinary pages is all it needs.
 */
static bool simple_suits(const struct arm_dma_request *req)
{
	return req->coherent;
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
	return true;	/* the last resort: the selector asks it last */
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
	if (!page)
		return NULL;
	arm_dma_clear_pages(page, req->size, req->coherent);

	*vaddr = NULL;
	if (!arm_dma_want_vaddr(req))
		return page;
	if (req->coherent && !PageHighMem(page)) {
		*vaddr = page_address(page);
		return page;
	}
	*vaddr = dma_common_contiguous_remap(page, req->size, req->prot,
					     req->caller);
	if (!*vaddr) {
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
