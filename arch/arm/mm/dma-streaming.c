// SPDX-License-Identifier: GPL-2.0-only
/*
 * Streaming DMA on ARM: map, unmap and sync of memory a driver owns.
 *
 * A mapping's DMA address must lie within the device's mask and bus limit.
 * A page the device cannot reach is bounced through swiotlb; only when there
 * is no bounce buffer to be had does a mapping fail.  For a non-coherent
 * device each transfer of ownership does the cache maintenance its
 * direction needs (dma-cache.c), on the bounce buffer when there is one.
 *
 * Each member but map and unmap reads the device's coherence once and hands
 * it to the helpers below, which skip the cache work for a coherent device.
 */
#define pr_fmt(fmt) "arm-dma: " fmt
#define dev_fmt pr_fmt

#include <kunit/visibility.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/ratelimit.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/swiotlb.h>

#include "dma-internal.h"
#include "dma-test.h"

/*
 * Checks that need no record of the mappings, so cost the hot path little:
 * a map must have RAM behind it (a NULL or kmap address passed to
 * dma_map_single() has none), and an unmap or sync must name bytes a map
 * could have returned.  RAM here is what lies between the first and the
 * last page frame of memory: two compares, where pfn_valid() walks
 * memblock (with it, make bench saw a coherent 4 KiB map and unmap take
 * 1.9 and 1.7 us; with these, 1.6 and 1.2; without any, 1.3 and 0.9).
 * What needs a record per mapping (double unmap, wrong size or direction)
 * is DMA_API_DEBUG's.
 * Refusals share one rate limit; the tests reset it.
 */
VISIBLE_IF_KUNIT struct ratelimit_state arm_dma_refusals =
	RATELIMIT_STATE_INIT(arm_dma_refusals, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
EXPORT_SYMBOL_IF_KUNIT(arm_dma_refusals);

/* RAM from @phys for @size bytes (one if none). */
static __always_inline bool arm_dma_is_ram(phys_addr_t phys, size_t size)
{
	unsigned long first = PHYS_PFN(phys);
	unsigned long last = PHYS_PFN(phys + (size ? size - 1 : 0));

	return first >= min_low_pfn && last < max_pfn && first <= last;
}

/*
 * Whether a map of the direct ops could have returned @dma for @size.  The
 * physical address is worked out again here although the callers have it:
 * passing theirs in cost an unmap 0.1 us under make bench.
 */
static __always_inline bool arm_dma_handle_ok(struct device *dev,
					      dma_addr_t dma, size_t size)
{
	dma_addr_t last = dma + (size ? size - 1 : 0);

	/* DMA_MAPPING_ERROR has no RAM behind it: no compare of its own. */
	return last <= min_not_zero(*dev->dma_mask, dev->bus_dma_limit) &&
	       arm_dma_is_ram(dma_to_phys(dev, dma), size);
}

static __cold dma_addr_t arm_dma_refuse_map(struct device *dev,
					    phys_addr_t phys, size_t size)
{
	if (__ratelimit(&arm_dma_refusals))
		dev_err(dev, "refusing to map %zu bytes at %pa: %s\n", size,
			&phys, size ? "there is no memory there" :
				      "a mapping needs at least one byte");
	return DMA_MAPPING_ERROR;
}

static __cold void arm_dma_refuse_handle(struct device *dev, const char *what,
					 dma_addr_t dma, size_t size)
{
	const char *why = "there is no memory there";

	if (dma == DMA_MAPPING_ERROR)
		why = "it is DMA_MAPPING_ERROR, which no map returns";
	else if (!size)
		why = "a mapping has at least one byte";
	else if (!dma_capable(dev, dma, size, true))
		why = "the device's DMA mask and bus limit do not reach it";
	if (__ratelimit(&arm_dma_refusals))
		dev_err(dev, "refusing to %s %zu bytes at DMA address %pad: %s\n",
			what, size, &dma, why);
}

/* Whether an unmap or sync of @size bytes at @dma may go ahead. */
static __always_inline bool arm_dma_check_handle(struct device *dev,
						 const char *what,
						 dma_addr_t dma, size_t size)
{
	if (likely(arm_dma_handle_ok(dev, dma, size)))
		return true;
	arm_dma_refuse_handle(dev, what, dma, size);
	return false;
}

/* A single unmap or sync names one mapping, which has bytes. */
static __always_inline bool arm_dma_has_bytes(struct device *dev,
					      const char *what,
					      dma_addr_t dma, size_t size)
{
	if (likely(size))
		return true;
	arm_dma_refuse_handle(dev, what, dma, 0);
	return false;
}

static dma_addr_t arm_dma_bounce(struct device *dev, phys_addr_t phys,
				 size_t size, enum dma_data_direction dir,
				 unsigned long attrs)
{
	dma_addr_t dma = DMA_MAPPING_ERROR;

	/* swiotlb_map() does the cache maintenance of the bounce buffer. */
	if (is_swiotlb_active(dev))
		dma = swiotlb_map(dev, phys, size, dir, attrs);
	if (dma == DMA_MAPPING_ERROR)
		dev_err_ratelimited(dev, "cannot map %zu bytes at %pa: DMA mask %#llx, bus limit %#llx, and %s\n",
				    size, &phys, dma_get_mask(dev),
				    dev->bus_dma_limit,
				    is_swiotlb_active(dev) ? "no bounce buffer is free" :
							     "no swiotlb to bounce through");
	return dma;
}

static __always_inline dma_addr_t
arm_dma_map_phys(struct device *dev, phys_addr_t phys, size_t size,
		 enum dma_data_direction dir, unsigned long attrs,
		 bool coherent)
{
	dma_addr_t dma = phys_to_dma(dev, phys);

	if (unlikely(!arm_dma_is_ram(phys, size)))
		return arm_dma_refuse_map(dev, phys, size);
	if (unlikely(!dma_capable(dev, dma, size, true) ||
		     is_swiotlb_force_bounce(dev)))
		return arm_dma_bounce(dev, phys, size, dir, attrs);
	if (!coherent && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		arm_dma_sync_for_device(phys, size, dir);
	return dma;
}

/* Give the buffer back to the CPU: caches first, then out of the bounce. */
static __always_inline void arm_dma_sync_cpu_phys(struct device *dev,
						  phys_addr_t phys, size_t size,
						  enum dma_data_direction dir,
						  bool coherent)
{
	if (!coherent)
		arm_dma_sync_for_cpu(phys, size, dir);
	swiotlb_sync_single_for_cpu(dev, phys, size, dir);
}

static __always_inline void arm_dma_sync_cpu(struct device *dev,
					     dma_addr_t dma, size_t size,
					     enum dma_data_direction dir,
					     bool coherent)
{
	if (!arm_dma_check_handle(dev, "sync", dma, size))
		return;
	arm_dma_sync_cpu_phys(dev, dma_to_phys(dev, dma), size, dir, coherent);
}

/* Give the buffer to the device: into the bounce first, then caches. */
static __always_inline void arm_dma_sync_device(struct device *dev,
						dma_addr_t dma, size_t size,
						enum dma_data_direction dir,
						bool coherent)
{
	phys_addr_t phys = dma_to_phys(dev, dma);

	if (!arm_dma_check_handle(dev, "sync", dma, size))
		return;
	swiotlb_sync_single_for_device(dev, phys, size, dir);
	if (!coherent)
		arm_dma_sync_for_device(phys, size, dir);
}

static __always_inline void arm_dma_unmap_phys(struct device *dev,
					       dma_addr_t dma, size_t size,
					       enum dma_data_direction dir,
					       unsigned long attrs,
					       bool coherent)
{
	phys_addr_t phys = dma_to_phys(dev, dma);

	if (!arm_dma_check_handle(dev, "unmap", dma, size))
		return;
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		arm_dma_sync_cpu_phys(dev, phys, size, dir, coherent);
	swiotlb_tbl_unmap_single(dev, phys, size, dir,
				 attrs | DMA_ATTR_SKIP_CPU_SYNC);
}

/*
 * Map and unmap are the hot path: each ops table has its own, with the
 * coherence a constant the compiler folds away.  (Reading it from the
 * device instead costs 0.1 us per map and per unmap under make bench.)
 */
dma_addr_t arm_dma_map_page(struct device *dev, struct page *page,
			    unsigned long offset, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	if (unlikely(!size))
		return arm_dma_refuse_map(dev, page_to_phys(page) + offset, 0);
	return arm_dma_map_phys(dev, page_to_phys(page) + offset, size, dir,
				attrs, false);
}

dma_addr_t arm_coherent_dma_map_page(struct device *dev, struct page *page,
				     unsigned long offset, size_t size,
				     enum dma_data_direction dir,
				     unsigned long attrs)
{
	if (unlikely(!size))
		return arm_dma_refuse_map(dev, page_to_phys(page) + offset, 0);
	return arm_dma_map_phys(dev, page_to_phys(page) + offset, size, dir,
				attrs, true);
}

void arm_dma_unmap_page(struct device *dev, dma_addr_t handle, size_t size,
			enum dma_data_direction dir, unsigned long attrs)
{
	if (arm_dma_has_bytes(dev, "unmap", handle, size))
		arm_dma_unmap_phys(dev, handle, size, dir, attrs, false);
}

void arm_coherent_dma_unmap_page(struct device *dev, dma_addr_t handle,
				 size_t size, enum dma_data_direction dir,
				 unsigned long attrs)
{
	if (arm_dma_has_bytes(dev, "unmap", handle, size))
		arm_dma_unmap_phys(dev, handle, size, dir, attrs, true);
}

void arm_dma_sync_single_for_cpu(struct device *dev, dma_addr_t handle,
				 size_t size, enum dma_data_direction dir)
{
	if (arm_dma_has_bytes(dev, "sync", handle, size))
		arm_dma_sync_cpu(dev, handle, size, dir, dev_is_dma_coherent(dev));
}

void arm_dma_sync_single_for_device(struct device *dev, dma_addr_t handle,
				    size_t size, enum dma_data_direction dir)
{
	if (arm_dma_has_bytes(dev, "sync", handle, size))
		arm_dma_sync_device(dev, handle, size, dir, dev_is_dma_coherent(dev));
}

/*
 * A scatterlist is its entries, each mapped as a page would be.  A failure
 * part-way unmaps what was mapped, without cache work: the CPU never lost
 * ownership of the data.
 */
int arm_dma_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
		   enum dma_data_direction dir, unsigned long attrs)
{
	bool coherent = dev_is_dma_coherent(dev);
	struct scatterlist *sg;
	int i, j;

	for_each_sg(sgl, sg, nents, i) {
		sg->dma_address = arm_dma_map_phys(dev, sg_phys(sg), sg->length,
						   dir, attrs, coherent);
		if (sg->dma_address == DMA_MAPPING_ERROR)
			goto unwind;
		sg_dma_len(sg) = sg->length;
	}
	return nents;

unwind:
	for_each_sg(sgl, sg, i, j)
		arm_dma_unmap_phys(dev, sg_dma_address(sg), sg_dma_len(sg), dir,
				   attrs | DMA_ATTR_SKIP_CPU_SYNC, coherent);
	return -EIO;
}

void arm_dma_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
		      enum dma_data_direction dir, unsigned long attrs)
{
	bool coherent = dev_is_dma_coherent(dev);
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		arm_dma_unmap_phys(dev, sg_dma_address(sg), sg_dma_len(sg), dir,
				   attrs, coherent);
}

/* Every entry of a list, to the CPU or to the device. */
static void arm_dma_sync_sg(struct device *dev, struct scatterlist *sgl,
			    int nents, enum dma_data_direction dir,
			    bool for_device)
{
	bool coherent = dev_is_dma_coherent(dev);
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i) {
		if (for_device)
			arm_dma_sync_device(dev, sg_dma_address(sg),
					    sg_dma_len(sg), dir, coherent);
		else
			arm_dma_sync_cpu(dev, sg_dma_address(sg),
					 sg_dma_len(sg), dir, coherent);
	}
}

void arm_dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sgl,
			     int nents, enum dma_data_direction dir)
{
	arm_dma_sync_sg(dev, sgl, nents, dir, false);
}

void arm_dma_sync_sg_for_device(struct device *dev, struct scatterlist *sgl,
				int nents, enum dma_data_direction dir)
{
	arm_dma_sync_sg(dev, sgl, nents, dir, true);
}

/* MMIO of another device: no struct page, nothing cached, no bouncing. */
dma_addr_t arm_dma_map_resource(struct device *dev, phys_addr_t phys,
				size_t size, enum dma_data_direction dir,
				unsigned long attrs)
{
	dma_addr_t dma = phys_to_dma(dev, phys);

	if (likely(dma_capable(dev, dma, size, false)))
		return dma;
	dev_err_ratelimited(dev, "cannot map %zu bytes of MMIO at %pa: DMA mask %#llx, bus limit %#llx\n",
			    size, &phys, dma_get_mask(dev), dev->bus_dma_limit);
	return DMA_MAPPING_ERROR;
}

/*
 * A mask that cannot reach all of memory needs bounce buffers.  Firmware
 * that knows its narrow devices gets swiotlb at boot (mem_init sets it up
 * when memory reaches beyond the DMA zone); otherwise set up a small one
 * the first time such a mask is set.  It comes from lowmem, which the mask
 * must reach for the device to be usable at all.
 */
/* The DMA address of the last byte of RAM. */
static u64 arm_dma_last_of_ram(struct device *dev)
{
	return phys_to_dma(dev, memblock_end_of_DRAM() - 1);
}

/* Probes may set masks at the same time: one late bounce buffer. */
static DEFINE_MUTEX(arm_dma_bounce_lock);

/*
 * Whether every page can be mapped under @mask: directly, or bounced
 * through a buffer the mask reaches.  The first mask short of the end of
 * RAM sets up a late bounce buffer when there is none; it comes from the
 * page allocator, which may put it beyond the very mask that asked.
 */
static bool arm_dma_can_bounce(struct device *dev, u64 mask)
{
	if (mask >= arm_dma_last_of_ram(dev))
		return true;
	if (!IS_ENABLED(CONFIG_SWIOTLB))
		goto refuse;
	mutex_lock(&arm_dma_bounce_lock);
	if (!is_swiotlb_allocated())
		swiotlb_init_late(SZ_4M, GFP_KERNEL, NULL);
	mutex_unlock(&arm_dma_bounce_lock);
	if (is_swiotlb_allocated() &&
	    phys_to_dma(dev, default_swiotlb_limit()) <= mask)
		return true;
refuse:
	dev_warn(dev, "DMA mask %#llx reaches neither all memory nor a bounce buffer\n",
		 mask);
	return false;
}

/**
 * arm_dma_get_required_mask() - the mask that reaches all of memory
 * @dev:	the device
 *
 * Return: the smallest all-ones mask covering the DMA address of the last
 * page of RAM, which on LPAE machines may lie beyond 4 GiB.
 */
u64 arm_dma_get_required_mask(struct device *dev)
{
	return DMA_BIT_MASK(fls64(arm_dma_last_of_ram(dev)));
}

/**
 * arm_dma_max_mapping_size() - the largest streaming map that cannot fail
 *				for its size alone
 * @dev:	the device
 *
 * A device that may bounce (swiotlb=force, or a mask that cannot reach all
 * of memory) can map no more at once than one bounce buffer slot run
 * holds: block and NVMe drivers size their requests by this.
 *
 * Return: that size, or SIZE_MAX when nothing bounces.
 */
size_t arm_dma_max_mapping_size(struct device *dev)
{
	u64 reach = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);

	if (is_swiotlb_active(dev) &&
	    (is_swiotlb_force_bounce(dev) || reach < arm_dma_last_of_ram(dev)))
		return swiotlb_max_mapping_size(dev);
	return SIZE_MAX;
}

/**
 * arm_dma_need_sync() - whether the syncs of a mapping do anything
 * @dev:	the device
 * @dma:	a DMA address of one of its streaming mappings
 *
 * A non-coherent device needs cache maintenance on every sync; a coherent
 * one only when the mapping bounced through swiotlb.  page_pool and other
 * callers of dma_need_sync() skip the syncs on a false.
 *
 * Return: true when dma_sync_*() of @dma has work to do.
 */
bool arm_dma_need_sync(struct device *dev, dma_addr_t dma)
{
	return !dev_is_dma_coherent(dev) ||
	       swiotlb_find_pool(dev, dma_to_phys(dev, dma));
}

/**
 * arm_dma_supported() - whether a device can use a DMA mask
 * @dev:	the device
 * @mask:	the mask the driver asks for
 *
 * A mask is usable when it reaches at least the first page of memory
 * and, if not all of it, a bounce buffer for the rest.  May sleep, as
 * dma_set_mask() may.
 *
 * Return: 1 when usable, 0 when not.
 */
int arm_dma_supported(struct device *dev, u64 mask)
{
	if (mask < phys_to_dma(dev, memblock_start_of_DRAM()) + PAGE_SIZE - 1)
		return 0;
	return arm_dma_can_bounce(dev, mask);
}
