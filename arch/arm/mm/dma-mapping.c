// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DMA mapping operations of 32-bit ARM.
 *
 * Every device gets one of two ops tables when the firmware describes it:
 * arm_coherent_dma_ops when its accesses snoop the CPU caches, arm_dma_ops
 * when they do not.  Both allocate coherent buffers through one selector,
 * __dma_alloc(), which asks a table of allocators in order and records which
 * one served each buffer, so that free returns it there in O(log n).
 *
 * A per-device coherent pool (kernel/dma/coherent.c) serves before any of
 * this: the generic layer tries it before it calls the ops.
 */
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/rbtree.h>
#include <kunit/visibility.h>
#include <asm/xen/xen-ops.h>

#include "dma-internal.h"

/*
 * The selector's order.  A coherent device takes plain pages unless the
 * request is too large for the page allocator and it has a CMA area; a
 * non-coherent one takes the pre-mapped pool when it cannot sleep, its CMA
 * area when it has one, and remapped pages otherwise.
 */
struct arm_dma_allocator *const arm_dma_allocators[] = {
	&arm_dma_cma_allocator,
	&arm_dma_simple_allocator,
	&arm_dma_pool_allocator,
	&arm_dma_remap_allocator,
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

static pgprot_t arm_dma_prot(unsigned long attrs, bool coherent)
{
	if (coherent)
		return PAGE_KERNEL;
	if (attrs & DMA_ATTR_WRITE_COMBINE)
		return pgprot_writecombine(PAGE_KERNEL);
	return pgprot_dmacoherent(PAGE_KERNEL);
}

static struct arm_dma_allocator *
arm_dma_choose(const struct arm_dma_request *req)
{
	unsigned int i;

	for (i = 0; i < arm_dma_nr_allocators; i++)
		if (arm_dma_allocators[i]->suits(req))
			return arm_dma_allocators[i];
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
	dev_err(dev, "arm-dma: %zu bytes can never be allocated under coherent mask %#llx: memory starts at %pad\n",
		size, mask, &lowest);
	return false;
}

/**
 * arm_dma_alloc_buffer() - get memory from the selector, and record it
 * @req:	the request; its size page aligned
 * @cookie:	set to what the caller hands out: the kernel address, or the
 *		first page for DMA_ATTR_NO_KERNEL_MAPPING
 *
 * Chooses the first allocator of arm_dma_allocators[] that suits @req and
 * records which one served it, for arm_dma_free_buffer().  Knows nothing
 * of DMA addresses: the direct ops check masks, the IOMMU ops map it.
 *
 * Return: the buffer's first page, or NULL.
 */
struct page *arm_dma_alloc_buffer(const struct arm_dma_request *req,
				  void **cookie)
{
	struct arm_dma_allocator *allocator = arm_dma_choose(req);
	struct arm_dma_buffer *buf;
	unsigned long flags;
	struct page *page;
	void *vaddr;

	buf = kmalloc(sizeof(*buf), arm_dma_record_gfp(req->gfp));
	if (!buf)
		goto fail;
	page = allocator->alloc(req, &vaddr);
	if (!page)
		goto fail;

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

fail:
	atomic_long_inc(&allocator->stats.failures);
	kfree(buf);
	return NULL;
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
 * The selector of the direct ops: refuses what the device's coherent mask
 * and bus limit can never reach, asks for GFP_DMA below 32 bits, takes the
 * memory from arm_dma_alloc_buffer() and gives it back if it landed beyond
 * the mask.
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
	};
	struct page *page;
	dma_addr_t dma;
	void *cookie;

	*handle = DMA_MAPPING_ERROR;
	if (!req.size || !arm_dma_mask_can_hold(dev, mask, req.size))
		return NULL;
	if (mask < DMA_BIT_MASK(32))
		req.gfp |= GFP_DMA;

	page = arm_dma_alloc_buffer(&req, &cookie);
	if (!page)
		return NULL;
	dma = phys_to_dma(dev, page_to_phys(page));
	if (dma + req.size - 1 > mask) {
		dev_err(dev, "arm-dma: memory at %pad (%zu bytes) is beyond coherent mask %#llx\n",
			&dma, req.size, mask);
		arm_dma_free_buffer(dev, req.size, cookie, page);
		return NULL;
	}
	*handle = dma;
	return cookie;
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

/*
 * Take the record of the buffer at @handle out of the index, if it is the
 * buffer the caller describes.  Anything else is refused and reported: the
 * buffer (if any) stays allocated, since freeing the wrong memory corrupts.
 */
static struct arm_dma_buffer *arm_dma_claim(struct device *dev, size_t size,
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
	dev_err(dev, "arm-dma: refusing to free %p (page frame %#lx, %zu bytes): it %s\n",
		cookie, pfn, size, why);
	WARN_ONCE(1, "arm-dma: bad free of a coherent buffer\n");
	return NULL;
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
	struct arm_dma_request req = { .dev = dev };
	struct arm_dma_stats *stats;

	buf = arm_dma_claim(dev, size, cookie, page_to_pfn(page));
	if (!buf)
		return;
	req.size = buf->size;
	buf->allocator->free(&req, page, buf->vaddr);

	stats = &buf->allocator->stats;
	atomic_long_inc(&stats->frees);
	atomic_long_sub(buf->size, &stats->live_bytes);
	kfree(buf);
}

static void arm_dma_free(struct device *dev, size_t size, void *cpu_addr,
			 dma_addr_t handle, unsigned long attrs)
{
	arm_dma_free_buffer(dev, size, cpu_addr,
			    phys_to_page(dma_to_phys(dev, handle)));
}

/* Whether a live buffer of at least @size bytes starts at @handle. */
static bool arm_dma_lookup(struct device *dev, dma_addr_t handle, size_t size)
{
	unsigned long pfn = PHYS_PFN(dma_to_phys(dev, handle));
	struct arm_dma_buffer *buf;
	unsigned long flags;
	bool found;

	spin_lock_irqsave(&arm_dma_buffers_lock, flags);
	buf = arm_dma_find(pfn);
	found = buf && buf->size >= size;
	spin_unlock_irqrestore(&arm_dma_buffers_lock, flags);
	return found;
}

static int arm_dma_mmap(struct device *dev, struct vm_area_struct *vma,
			void *cpu_addr, dma_addr_t handle, size_t size,
			unsigned long attrs)
{
	unsigned long pages = PAGE_ALIGN(size) >> PAGE_SHIFT;
	unsigned long pfn = PHYS_PFN(dma_to_phys(dev, handle));
	int ret;

	vma->vm_page_prot = dma_pgprot(dev, vma->vm_page_prot, attrs);
	if (dma_mmap_from_dev_coherent(dev, vma, cpu_addr, size, &ret))
		return ret;
	if (!arm_dma_lookup(dev, handle, size))
		return -ENXIO;
	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -ENXIO;
	return remap_pfn_range(vma, vma->vm_start, pfn + vma->vm_pgoff,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

static int arm_dma_get_sgtable(struct device *dev, struct sg_table *sgt,
			       void *cpu_addr, dma_addr_t handle, size_t size,
			       unsigned long attrs)
{
	int ret;

	if (!arm_dma_lookup(dev, handle, size))
		return -ENXIO;
	ret = sg_alloc_table(sgt, 1, GFP_KERNEL);
	if (ret)
		return ret;
	sg_set_page(sgt->sgl, phys_to_page(dma_to_phys(dev, handle)),
		    PAGE_ALIGN(size), 0);
	return 0;
}

/*
 * arm_dma_ops: DMA operations for devices that do not snoop the CPU caches
 */
const struct dma_map_ops arm_dma_ops = {
	.alloc			= arm_dma_alloc,
	.free			= arm_dma_free,
	.alloc_pages_op		= dma_common_alloc_pages,
	.free_pages		= dma_common_free_pages,
	.mmap			= arm_dma_mmap,
	.get_sgtable		= arm_dma_get_sgtable,
	.map_page		= arm_dma_map_page,
	.unmap_page		= arm_dma_unmap_page,
	.map_sg			= arm_dma_map_sg,
	.unmap_sg		= arm_dma_unmap_sg,
	.map_resource		= arm_dma_map_resource,
	.sync_single_for_cpu	= arm_dma_sync_single_for_cpu,
	.sync_single_for_device	= arm_dma_sync_single_for_device,
	.sync_sg_for_cpu	= arm_dma_sync_sg_for_cpu,
	.sync_sg_for_device	= arm_dma_sync_sg_for_device,
	.dma_supported		= arm_dma_supported,
};
EXPORT_SYMBOL_IF_KUNIT(arm_dma_ops);

/*
 * arm_coherent_dma_ops: DMA operations for cache-coherent devices
 *
 * No cache maintenance; unmap and sync only move data in and out of
 * bounce buffers, for pages the device cannot reach.
 */
const struct dma_map_ops arm_coherent_dma_ops = {
	.alloc			= arm_coherent_dma_alloc,
	.free			= arm_dma_free,
	.alloc_pages_op		= dma_common_alloc_pages,
	.free_pages		= dma_common_free_pages,
	.mmap			= arm_dma_mmap,
	.get_sgtable		= arm_dma_get_sgtable,
	.map_page		= arm_coherent_dma_map_page,
	.unmap_page		= arm_coherent_dma_unmap_page,
	.map_sg			= arm_coherent_dma_map_sg,
	.unmap_sg		= arm_coherent_dma_unmap_sg,
	.map_resource		= arm_dma_map_resource,
	.sync_single_for_cpu	= arm_coherent_dma_sync_single_for_cpu,
	.sync_single_for_device	= arm_coherent_dma_sync_single_for_device,
	.sync_sg_for_cpu	= arm_dma_sync_sg_for_cpu,
	.sync_sg_for_device	= arm_dma_sync_sg_for_device,
	.dma_supported		= arm_dma_supported,
};
EXPORT_SYMBOL_IF_KUNIT(arm_coherent_dma_ops);

/**
 * arm_dma_set_direct_ops() - the ops of a device that is not behind an IOMMU
 * @dev:	the device
 */
void arm_dma_set_direct_ops(struct device *dev)
{
	set_dma_ops(dev, dev->dma_coherent ? &arm_coherent_dma_ops :
					     &arm_dma_ops);
	dev_dbg(dev, "arm-dma: %s\n", dev->dma_coherent ?
		"coherent, arm_coherent_dma_ops" : "non-coherent, arm_dma_ops");
}

/**
 * arch_setup_dma_ops() - give a device the DMA ops its coherence calls for
 * @dev:	the device being configured from its firmware description
 * @coherent:	the firmware says the device snoops the CPU caches
 */
void arch_setup_dma_ops(struct device *dev, bool coherent)
{
	/*
	 * Some platforms mark devices coherent from a bus notifier before
	 * this runs (mvebu, highbank): only ever set the flag here.
	 */
	if (coherent)
		dev->dma_coherent = true;

	if (dev->dma_ops)
		return;
	dev->archdata.dma_ops_setup = true;
	if (IS_ENABLED(CONFIG_ARM_DMA_IOMMU) && arm_iommu_setup_dma_ops(dev))
		return;
	arm_dma_set_direct_ops(dev);
	xen_setup_dma_ops(dev);
}

void arch_teardown_dma_ops(struct device *dev)
{
	if (!dev->archdata.dma_ops_setup)
		return;
	if (IS_ENABLED(CONFIG_ARM_DMA_IOMMU) &&
	    get_dma_ops(dev) == &arm_iommu_dma_ops)
		arm_iommu_teardown_dma_ops(dev);
	/* A later probe configures the device again from scratch. */
	set_dma_ops(dev, NULL);
	dev->archdata.dma_ops_setup = false;
}

/*
 * A device that never went through arch_setup_dma_ops() has no ops and is
 * served by dma-direct, which calls these for non-coherent devices: they
 * lead to the same selector and the same cache maintenance.
 */
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
	return __dma_alloc(dev, size, dma_handle, gfp,
			   arm_dma_prot(attrs, false), false, attrs,
			   __builtin_return_address(0));
}

void arch_dma_free(struct device *dev, size_t size, void *cpu_addr,
		   dma_addr_t dma_handle, unsigned long attrs)
{
	arm_dma_free(dev, size, cpu_addr, dma_handle, attrs);
}
