// SPDX-License-Identifier: GPL-2.0-only
/*
 * The atomic pool: coherent buffers for non-coherent devices whose callers
 * cannot sleep.
 *
 * Making an uncached mapping may sleep, so a pool of memory is mapped
 * uncached once at boot and carved with genalloc.  Its size comes from
 * coherent_pool= (default 256 KiB).
 */
#define pr_fmt(fmt) "arm-dma: " fmt
#define dev_fmt pr_fmt

#include <linux/dma-map-ops.h>
#include <linux/genalloc.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "dma-internal.h"

static size_t arm_dma_pool_bytes = SZ_256K;
static struct gen_pool *arm_dma_pool;
/* Bytes handed out, counted here: genalloc's own count walks its chunks. */
static atomic_long_t arm_dma_pool_in_use;
static atomic_long_t arm_dma_pool_high_water;
/* Set on the first failure, cleared by the next free: one message each time. */
static atomic_t arm_dma_pool_exhausted;

static int __init arm_dma_pool_param(char *arg)
{
	arm_dma_pool_bytes = PAGE_ALIGN(memparse(arg, &arg));
	return 0;
}
early_param("coherent_pool", arm_dma_pool_param);

static size_t arm_dma_pool_used(void)
{
	return atomic_long_read(&arm_dma_pool_in_use);
}

static void arm_dma_pool_note_use(size_t size)
{
	long used = atomic_long_add_return(size, &arm_dma_pool_in_use);
	long high = atomic_long_read(&arm_dma_pool_high_water);

	while (used > high &&
	       !atomic_long_try_cmpxchg(&arm_dma_pool_high_water, &high, used))
		;
}

static bool pool_suits(const struct arm_dma_request *req)
{
	/* Never a coherent device: its snoops would miss the uncached alias. */
	return !req->coherent && !gfpflags_allow_blocking(req->gfp);
}

static struct page *pool_alloc(const struct arm_dma_request *req, void **vaddr)
{
	unsigned long va;

	if (!arm_dma_pool) {
		dev_err_ratelimited(req->dev,
				    "atomic allocation of %zu bytes before the atomic pool exists\n",
				    req->size);
		return NULL;
	}

	va = gen_pool_alloc(arm_dma_pool, req->size);
	if (!va) {
		if (!atomic_xchg(&arm_dma_pool_exhausted, 1))
			dev_err(req->dev,
				"atomic pool exhausted: %zu of %zu bytes in use, %zu more asked; boot with a larger coherent_pool=\n",
				arm_dma_pool_used(), gen_pool_size(arm_dma_pool),
				req->size);
		return NULL;
	}
	arm_dma_pool_note_use(req->size);

	/* The pool is mapped uncached: zeroes go straight to memory. */
	memset((void *)va, 0, req->size);
	/* The mapping exists anyway, and free finds the chunk by it. */
	*vaddr = (void *)va;
	return phys_to_page(gen_pool_virt_to_phys(arm_dma_pool, va));
}

static void pool_free(const struct arm_dma_request *req, struct page *page,
		      void *vaddr)
{
	gen_pool_free(arm_dma_pool, (unsigned long)vaddr, req->size);
	atomic_long_sub(req->size, &arm_dma_pool_in_use);
	atomic_set(&arm_dma_pool_exhausted, 0);
}

struct arm_dma_allocator arm_dma_pool_allocator = {
	.name	= "atomic-pool",
	.suits	= pool_suits,
	.alloc	= pool_alloc,
	.free	= pool_free,
};

/**
 * arm_dma_pool_usage() - the atomic pool's size, use and high-water mark
 * @usage:	filled in; all zero when there is no pool
 */
void arm_dma_pool_usage(struct arm_dma_pool_usage *usage)
{
	memset(usage, 0, sizeof(*usage));
	if (!arm_dma_pool)
		return;
	usage->size = gen_pool_size(arm_dma_pool);
	usage->used = arm_dma_pool_used();
	usage->high_water = atomic_long_read(&arm_dma_pool_high_water);
}

/*
 * The pool's memory comes from the same allocators as sleeping requests
 * of a non-coherent device without one of its own: CMA when there is a
 * default area, else remapped pages.  It runs after CMA is activated
 * (core_initcall).
 */
static int __init arm_dma_pool_init(void)
{
	struct arm_dma_request req = {
		.size	= arm_dma_pool_bytes,
		.gfp	= GFP_KERNEL | GFP_DMA,
		.prot	= pgprot_dmacoherent(PAGE_KERNEL),
		.caller	= arm_dma_pool_init,
	};
	struct arm_dma_allocator *source = &arm_dma_remap_allocator;
	struct gen_pool *pool;
	struct page *page;
	void *vaddr;

	if (!req.size)
		return 0;
	if (arm_dma_cma_allocator.suits(&req))
		source = &arm_dma_cma_allocator;

	pool = gen_pool_create(PAGE_SHIFT, NUMA_NO_NODE);
	if (!pool)
		goto fail;
	page = source->alloc(&req, &vaddr);
	if (!page)
		goto fail_destroy;
	if (gen_pool_add_virt(pool, (unsigned long)vaddr, page_to_phys(page),
			      req.size, NUMA_NO_NODE))
		goto fail_free;
	gen_pool_set_algo(pool, gen_pool_first_fit_order_align, NULL);

	arm_dma_pool = pool;
	pr_info("atomic pool of %zu KiB (%s)\n", req.size / SZ_1K,
		source->name);
	return 0;

fail_free:
	source->free(&req, page, vaddr);
fail_destroy:
	gen_pool_destroy(pool);
fail:
	pr_err("no atomic pool: %zu KiB could not be set up\n",
	       req.size / SZ_1K);
	return -ENOMEM;
}
postcore_initcall(arm_dma_pool_init);
