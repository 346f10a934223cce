// SPDX-License-Identifier: GPL-2.0-only
/*
 * The selector: which allocator serves a coherent buffer, and the record
 * of each buffer it handed out.
 *
 * __dma_alloc() and arm_dma_alloc_buffer() ask a table of allocators in
 * order: the first that suits the request serves it, and when it cannot,
 * the next that suits (a non-coherent device whose CMA area is exhausted
 * gets remapped pages, as dma-direct falls back to the page allocator).
 * Each buffer is recorded
 * with the allocator that served it, in a tree keyed by its first page
 * frame, so that free returns it there in O(log n) and refuses a buffer
 * never handed out, a second free or a wrong size.  The direct ops and the
 * IOMMU ops both allocate here; nothing here knows which ops called.
 */
#define pr_fmt(fmt) "arm-dma: " fmt
#define dev_fmt pr_fmt

#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <kunit/visibility.h>

#include "dma-internal.h"

/*
 * The selector's order.  A device with a restricted pool takes its memory
 * from there and nowhere else.  A coherent device takes plain pages unless
 * the request is too large for the page allocator and it has a CMA area; a
 * non-coherent one takes the pre-mapped pool when it cannot sleep, its CMA
 * area when it has one, and remapped pages otherwise.
 */
struct arm_dma_allocator *const arm_dma_allocators[] = {
	&arm_dma_restricted_allocator,
	&arm_dma_cma_allocator,
	&arm_dma_simple_allocator,
	&arm_dma_pool_allocator,
	&arm_dma_remap_allocator,
	&arm_dma_low_allocator,
};

const unsigned int arm_dma_nr_allocators = ARRAY_SIZE(arm_dma_allocators);

/**
 * struct arm_dma_buffer - a coherent buffer the selector handed out
 * @node:	in arm_dma_buffers
 * @pfn:	page frame of its first page, the key
 * @allocator:	who served it, and takes it back
 * @vaddr:	its kernel mapping, or NULL when it has none
 * @cookie:	what the caller got: @vaddr, or the first page when the
 *		caller asked for DMA_ATTR_NO_KERNEL_MAPPING
 * @size:	bytes, page aligned
 */
struct arm_dma_buffer {
	struct rb_node node;
	unsigned long pfn;
	struct arm_dma_allocator *allocator;
	void *vaddr;
	void *cookie;
	size_t size;
};

/*
 * Live buffers, by the page frame of their first page: a tree of the
 * records themselves, so recording a buffer allocates nothing more.
 */
static struct rb_root arm_dma_buffers = RB_ROOT;
static DEFINE_SPINLOCK(arm_dma_buffers_lock);

static int arm_dma_buffer_cmp(const void *key, const struct rb_node *node)
{
	unsigned long pfn = *(const unsigned long *)key;
	unsigned long here = rb_entry(node, struct arm_dma_buffer, node)->pfn;

	return pfn < here ? -1 : pfn > here;
}

static bool arm_dma_buffer_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct arm_dma_buffer, node)->pfn <
	       rb_entry(b, struct arm_dma_buffer, node)->pfn;
}

/* The record of the buffer starting at @pfn; the lock must be held. */
static struct arm_dma_buffer *arm_dma_find(unsigned long pfn)
{
	struct rb_node *node = rb_find(&pfn, &arm_dma_buffers,
				       arm_dma_buffer_cmp);

	return node ? rb_entry(node, struct arm_dma_buffer, node) : NULL;
}

static atomic_long_t arm_dma_refused_frees;

/**
 * arm_dma_nr_refused_frees() - frees refused since boot
 *
 * Return: how many frees named a buffer this layer did not hand out, one
 * already freed, or the wrong size.
 */
long arm_dma_nr_refused_frees(void)
{
	return atomic_long_read(&arm_dma_refused_frees);
}
EXPORT_SYMBOL_IF_KUNIT(arm_dma_nr_refused_frees);

static u64 arm_dma_coherent_limit(struct device *dev)
{
	return min_not_zero(dev->coherent_dma_mask, dev->bus_dma_limit);
}

/* The lowest DMA address any memory of this machine can have for @dev. */
static dma_addr_t arm_dma_lowest(struct device *dev)
{
	return phys_to_dma(dev, memblock_start_of_DRAM());
}

/*
 * Ask each allocator that suits @req in the table's order until one serves
 * it with memory below its limit; each that could not counts a failure.
 * Return: the page, or NULL.
 */
static struct page *arm_dma_serve(const struct arm_dma_request *req,
				  struct arm_dma_allocator **served,
				  void **vaddr)
{
	struct arm_dma_allocator *a;
	bool asked = false;
	struct page *page;
	unsigned int i;

	for (i = 0; i < arm_dma_nr_allocators; i++) {
		a = arm_dma_allocators[i];
		if (!a->suits(req))
			continue;
		page = a->alloc(req, vaddr);
		if (page && page_to_phys(page) + req->size - 1 > req->limit) {
			a->free(req, page, *vaddr);
			page = NULL;
		}
		if (page) {
			*served = a;
			return page;
		}
		atomic_long_inc(&a->stats.failures);
		asked = true;
		if (a->sole)
			break;
	}
	if (!asked && !(req->gfp & __GFP_NOWARN))
		dev_warn_ratelimited(req->dev, "no allocator serves %zu bytes%s\n",
				     req->size, dev_get_cma_area(req->dev) ?
				     " without sleeping" :
				     ": more than the page allocator gives, and no CMA area");
	return NULL;
}

static gfp_t arm_dma_record_gfp(gfp_t gfp)
{
	return gfpflags_allow_blocking(gfp) ? GFP_KERNEL : GFP_ATOMIC;
}

/*
 * Refuse up front what the mask can never reach: memory starts at
 * arm_dma_lowest(), so a mask below it, or one that leaves fewer bytes above
 * it than asked for, could only ever fail after a costly allocation.
 */
static bool arm_dma_mask_can_hold(struct device *dev, u64 mask, size_t size)
{
	dma_addr_t lowest = arm_dma_lowest(dev);

	if (mask >= lowest && mask - lowest >= size - 1)
		return true;
	dev_err(dev, "%zu bytes can never be allocated under coherent mask %#llx: memory starts at %pad\n",
		size, mask, &lowest);
	return false;
}

/**
 * arm_dma_alloc_buffer() - get memory from the selector, and record it
 * @req:	the request; its size page aligned
 * @cookie:	set to what the caller hands out: the kernel address, or the
 *		first page for DMA_ATTR_NO_KERNEL_MAPPING
 *
 * Asks the allocators of arm_dma_allocators[] that suit @req, in order,
 * and records which one served it, for arm_dma_free_buffer().  Knows nothing
 * of DMA addresses: the direct ops check masks, the IOMMU ops map it.
 *
 * Return: the buffer's first page, or NULL.
 */
struct page *arm_dma_alloc_buffer(const struct arm_dma_request *req,
				  void **cookie)
{
	struct arm_dma_allocator *allocator;
	struct arm_dma_buffer *buf;
	unsigned long flags;
	struct page *page;
	void *vaddr;

	buf = kmalloc(sizeof(*buf), arm_dma_record_gfp(req->gfp));
	if (!buf)
		return NULL;
	page = arm_dma_serve(req, &allocator, &vaddr);
	if (!page) {
		kfree(buf);
		return NULL;
	}

	buf->pfn = page_to_pfn(page);
	buf->allocator = allocator;
	buf->vaddr = vaddr;
	buf->cookie = arm_dma_want_vaddr(req) ? vaddr : page;
	buf->size = req->size;
	spin_lock_irqsave(&arm_dma_buffers_lock, flags);
	rb_add(&buf->node, &arm_dma_buffers, arm_dma_buffer_less);
	spin_unlock_irqrestore(&arm_dma_buffers_lock, flags);
	atomic_long_inc(&allocator->stats.allocs);
	atomic_long_add(req->size, &allocator->stats.live_bytes);
	*cookie = buf->cookie;
	return page;
}

/**
 * __dma_alloc() - allocate a coherent buffer for a device
 * @dev:	the device
 * @size:	bytes; rounded up to whole pages
 * @handle:	set to the buffer's DMA address, or DMA_MAPPING_ERROR
 * @gfp:	allocation flags of the caller
 * @prot:	kernel mapping for a non-coherent device
 * @is_coherent: the device snoops the CPU caches
 * @attrs:	DMA_ATTR_* flags
 * @caller:	the caller's address, for vmap accounting
 *
 * The selector, as the direct ops use it: refuses what the device's coherent mask
 * and bus limit can never reach, asks for GFP_DMA below 32 bits, and takes
 * the memory from arm_dma_alloc_buffer(), below what the mask reaches.
 *
 * Return: the buffer's kernel address, its first page when @attrs holds
 * DMA_ATTR_NO_KERNEL_MAPPING, or NULL.
 */
void *__dma_alloc(struct device *dev, size_t size, dma_addr_t *handle,
		  gfp_t gfp, pgprot_t prot, bool is_coherent,
		  unsigned long attrs, const void *caller)
{
	u64 mask = arm_dma_coherent_limit(dev);
	struct arm_dma_request req = {
		.dev		= dev,
		.size		= PAGE_ALIGN(size),
		.gfp		= gfp & ~__GFP_ZERO,
		.prot		= prot,
		.attrs		= attrs,
		.coherent	= is_coherent,
		.caller		= caller,
		.limit		= dma_to_phys(dev, mask),
	};
	struct page *page;
	void *cookie;

	*handle = DMA_MAPPING_ERROR;
	if (!req.size || !arm_dma_mask_can_hold(dev, mask, req.size))
		return NULL;
	if (mask < DMA_BIT_MASK(32))
		req.gfp |= GFP_DMA;

	page = arm_dma_alloc_buffer(&req, &cookie);
	if (!page)
		return NULL;
	*handle = phys_to_dma(dev, page_to_phys(page));
	return cookie;
}

/**
 * arm_dma_claim_buffer() - take a buffer's record, if the caller has it right
 * @dev:	the device
 * @size:	the size it was allocated with
 * @cookie:	what arm_dma_alloc_buffer() handed out
 * @pfn:	the page frame of its first page
 *
 * Anything but a live buffer of @size bytes handed out as @cookie at @pfn
 * is refused and reported: the buffer (if any) stays allocated, since
 * freeing the wrong memory corrupts it.
 *
 * Return: the record, out of the index, for arm_dma_release_buffer(); or
 * NULL when refused.
 */
struct arm_dma_buffer *arm_dma_claim_buffer(struct device *dev, size_t size,
					    void *cookie, unsigned long pfn)
{
	struct arm_dma_buffer *buf;
	const char *why = NULL;
	unsigned long flags;

	spin_lock_irqsave(&arm_dma_buffers_lock, flags);
	buf = arm_dma_find(pfn);
	if (!buf)
		why = "was never allocated or is already freed";
	else if (buf->cookie != cookie)
		why = "does not match the address it was allocated at";
	else if (buf->size != PAGE_ALIGN(size))
		why = "is freed with a size other than it was allocated with";
	else
		rb_erase(&buf->node, &arm_dma_buffers);
	spin_unlock_irqrestore(&arm_dma_buffers_lock, flags);

	if (!why)
		return buf;
	atomic_long_inc(&arm_dma_refused_frees);
	dev_err(dev, "refusing to free %p (page frame %#lx, %zu bytes): it %s\n",
		cookie, pfn, size, why);
	WARN_ONCE(1, "bad free of a coherent DMA buffer\n");
	return NULL;
}

/**
 * arm_dma_release_buffer() - give a claimed buffer back to its allocator
 * @dev:	the device
 * @buf:	its record, from arm_dma_claim_buffer()
 * @page:	its first page
 */
void arm_dma_release_buffer(struct device *dev, struct arm_dma_buffer *buf,
			    struct page *page)
{
	struct arm_dma_request req = { .dev = dev, .size = buf->size };
	struct arm_dma_stats *stats = &buf->allocator->stats;

	buf->allocator->free(&req, page, buf->vaddr);
	atomic_long_inc(&stats->frees);
	atomic_long_sub(buf->size, &stats->live_bytes);
	kfree(buf);
}

/**
 * arm_dma_free_buffer() - give back what arm_dma_alloc_buffer() gave
 * @dev:	the device
 * @size:	the size it was allocated with
 * @cookie:	what it handed out
 * @page:	its first page
 *
 * A buffer it never handed out, one freed already, or a wrong size is
 * refused with a message and left alone.
 */
void arm_dma_free_buffer(struct device *dev, size_t size, void *cookie,
			 struct page *page)
{
	struct arm_dma_buffer *buf;

	buf = arm_dma_claim_buffer(dev, size, cookie, page_to_pfn(page));
	if (buf)
		arm_dma_release_buffer(dev, buf, page);
}

/**
 * arm_dma_buffer_holds() - whether a live buffer starts at a page frame
 * @pfn:	the page frame of its first page
 * @size:	bytes it must hold at least
 *
 * Return: true when the selector handed out a buffer of at least @size
 * bytes whose first page is @pfn, and it is not freed yet.
 */
bool arm_dma_buffer_holds(unsigned long pfn, size_t size)
{
	struct arm_dma_buffer *buf;
	unsigned long flags;
	bool found;

	spin_lock_irqsave(&arm_dma_buffers_lock, flags);
	buf = arm_dma_find(pfn);
	found = buf && buf->size >= size;
	spin_unlock_irqrestore(&arm_dma_buffers_lock, flags);
	return found;
}
