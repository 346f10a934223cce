// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cache maintenance for non-coherent DMA on ARM.
 *
 * A non-coherent device reads and writes memory behind the CPU's caches.
 * Before it reads, dirty lines must reach memory (clean); before the CPU
 * reads what it wrote, stale lines must go (invalidate).  The inner caches
 * are maintained by virtual address through the kernel mapping, the outer
 * (L2) cache by physical address; towards the device the inner level goes
 * first, towards the CPU the outer one, so no level refills the other with
 * stale data.
 *
 * Every operation passes through arm_dma_inner_op() and arm_dma_outer_op(),
 * so that a test can record what the layer asked the caches to do.
 */
#include <linux/dma-direction.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <asm/cacheflush.h>
#include <asm/cachetype.h>
#include <asm/outercache.h>

#include "dma.h"
#include "dma-internal.h"
#include "dma-test.h"

/*
 * What each direction needs.  Towards the device: the device reads
 * (TO_DEVICE, BIDIRECTIONAL) so dirty lines must be cleaned, and lines it is
 * about to overwrite are invalidated so that no eviction lands on top of its
 * data.  Towards the CPU: lines speculatively refilled while the device
 * owned the buffer are invalidated, unless the device only read it.
 */
static const enum arm_dma_cache_op arm_dma_for_device_op[] = {
	[DMA_BIDIRECTIONAL]	= ARM_DMA_FLUSH,
	[DMA_TO_DEVICE]		= ARM_DMA_CLEAN,
	[DMA_FROM_DEVICE]	= ARM_DMA_INVALIDATE,
	[DMA_NONE]		= ARM_DMA_NO_OP,
};

static const enum arm_dma_cache_op arm_dma_for_cpu_op[] = {
	[DMA_BIDIRECTIONAL]	= ARM_DMA_INVALIDATE,
	[DMA_TO_DEVICE]		= ARM_DMA_NO_OP,
	[DMA_FROM_DEVICE]	= ARM_DMA_INVALIDATE,
	[DMA_NONE]		= ARM_DMA_NO_OP,
};

/**
 * arm_dma_inner_op() - apply @op to the inner caches for a kernel range
 * @op:		clean, invalidate or both
 * @start:	kernel virtual address
 * @size:	bytes
 *
 * The invalidate of a range whose ends are not line aligned cleans the
 * partial lines first, so the CPU's neighbouring data survives.
 */
VISIBLE_IF_KUNIT void arm_dma_inner_op(enum arm_dma_cache_op op,
				       const void *start, size_t size)
{
	KUNIT_STATIC_STUB_REDIRECT(arm_dma_inner_op, op, start, size);

	switch (op) {
	case ARM_DMA_CLEAN:
		dmac_map_area(start, size, DMA_TO_DEVICE);
		break;
	case ARM_DMA_INVALIDATE:
		dmac_map_area(start, size, DMA_FROM_DEVICE);
		break;
	case ARM_DMA_FLUSH:
		dmac_flush_range(start, start + size);
		break;
	case ARM_DMA_NO_OP:
		break;
	}
}
EXPORT_SYMBOL_IF_KUNIT(arm_dma_inner_op);

/**
 * arm_dma_outer_op() - apply @op to the outer cache for a physical range
 * @op:		clean, invalidate or both
 * @start:	physical address
 * @size:	bytes
 */
VISIBLE_IF_KUNIT void arm_dma_outer_op(enum arm_dma_cache_op op,
				       phys_addr_t start, size_t size)
{
	KUNIT_STATIC_STUB_REDIRECT(arm_dma_outer_op, op, start, size);

	switch (op) {
	case ARM_DMA_CLEAN:
		outer_clean_range(start, start + size);
		break;
	case ARM_DMA_INVALIDATE:
		outer_inv_range(start, start + size);
		break;
	case ARM_DMA_FLUSH:
		outer_flush_range(start, start + size);
		break;
	case ARM_DMA_NO_OP:
		break;
	}
}
EXPORT_SYMBOL_IF_KUNIT(arm_dma_outer_op);

/*
 * Highmem pages have no permanent kernel address: reach them one page at a
 * time.  An aliasing VIPT cache must be maintained through the address the
 * lines were filled under, so there only an existing kmap will do; a page
 * with none has no lines at a kernel address to maintain.
 */
static void arm_dma_inner_highmem(enum arm_dma_cache_op op, struct page *page,
				  size_t offset, size_t len)
{
	void *vaddr;

	if (cache_is_vipt_aliasing()) {
		vaddr = kmap_high_get(page);
		if (vaddr) {
			arm_dma_inner_op(op, vaddr + offset, len);
			kunmap_high(page);
		}
		return;
	}
	vaddr = kmap_local_page(page);
	arm_dma_inner_op(op, vaddr + offset, len);
	kunmap_local(vaddr);
}

/* The inner caches over a physical range: lowmem in one go, highmem by page. */
static void arm_dma_inner_range(enum arm_dma_cache_op op, phys_addr_t phys,
				size_t size)
{
	phys_addr_t lowmem_end = __pa(high_memory - 1) + 1;

	while (size) {
		size_t len;

		if (phys < lowmem_end) {
			len = min_t(phys_addr_t, size, lowmem_end - phys);
			arm_dma_inner_op(op, phys_to_virt(phys), len);
		} else {
			len = min_t(size_t, size, PAGE_SIZE - offset_in_page(phys));
			arm_dma_inner_highmem(op, phys_to_page(phys),
					      offset_in_page(phys), len);
		}
		phys += len;
		size -= len;
	}
}

/*
 * After the device wrote whole pages, the kernel's view of them is clean:
 * tell the D-cache tracking so that mapping them to user space later does
 * not flush them again.
 */
static void arm_dma_mark_clean(phys_addr_t phys, size_t size)
{
	unsigned long pfn = PFN_UP(phys);
	unsigned long end = PFN_DOWN(phys + size);

	for (; pfn < end; pfn++) {
		struct folio *folio = page_folio(pfn_to_page(pfn));

		if (!folio_test_large(folio))
			set_bit(PG_dcache_clean, &folio->flags);
	}
}

/*
 * Apply @op to every level.  Towards the device the inner level goes first,
 * so that what it writes back passes through the outer one; towards the
 * CPU the outer one does, so that no inner line refills from a stale one.
 */
static void arm_dma_maintain(enum arm_dma_cache_op op, phys_addr_t phys,
			     size_t size, bool for_cpu)
{
	if (op == ARM_DMA_NO_OP)
		return;
	if (!for_cpu)
		arm_dma_inner_range(op, phys, size);
	arm_dma_outer_op(op, phys, size);
	if (for_cpu) {
		arm_dma_inner_range(op, phys, size);
		arm_dma_mark_clean(phys, size);
	}
}

/**
 * arm_dma_sync_for_device() - hand a buffer to a non-coherent device
 * @phys:	physical address of the buffer
 * @size:	bytes
 * @dir:	what the device will do with it
 */
void arm_dma_sync_for_device(phys_addr_t phys, size_t size,
			     enum dma_data_direction dir)
{
	arm_dma_maintain(arm_dma_for_device_op[dir], phys, size, false);
}

/**
 * arm_dma_sync_for_cpu() - take a buffer back from a non-coherent device
 * @phys:	physical address of the buffer
 * @size:	bytes
 * @dir:	what the device did with it
 */
void arm_dma_sync_for_cpu(phys_addr_t phys, size_t size,
			  enum dma_data_direction dir)
{
	arm_dma_maintain(arm_dma_for_cpu_op[dir], phys, size, true);
}

/**
 * arm_dma_clear_pages() - zero pages that are about to become a DMA buffer
 * @page:	first page
 * @size:	bytes, page aligned
 * @coherent:	the device is coherent, and the caches need no maintenance
 *
 * For a non-coherent device the zeroes are pushed out to memory and the
 * lines dropped, so no dirty line can later be evicted over what the device
 * writes through its uncached alias.
 */
void arm_dma_clear_pages(struct page *page, size_t size, bool coherent)
{
	phys_addr_t phys = page_to_phys(page);
	size_t done;

	for (done = 0; done < size; done += PAGE_SIZE)
		clear_highpage(page + (done >> PAGE_SHIFT));

	if (!coherent)
		arm_dma_maintain(ARM_DMA_FLUSH, phys, size, false);
}
