// SPDX-License-Identifier: GPL-2.0-only
/*
 * A data cache model for the KUnit suites of the ARM DMA layer.
 *
 * QEMU models no data cache, so nothing a test reads shows whether the
 * layer's cache maintenance was right.  This model gives regions of memory
 * that a test names two write-back, write-allocate levels: an inner one of
 * 64-byte lines maintained by virtual address (as an ARMv7 L1) and an outer
 * one of 32-byte lines maintained by physical address (as a PL310).  It
 * sits in cpu_cache and outer_cache, beneath dmac_*() and outer_*_range(),
 * so the layer's own maintenance drives it unchanged.
 *
 * Memory plays the part of what the CPU sees through its caches, so the
 * kernel's ordinary loads and stores are the CPU's.  For each region the
 * model keeps what DRAM holds (what a device sees) and what each level's
 * lines hold.  Where memory differs from what the CPU should read, the CPU
 * wrote there since the model last looked: the model then holds the line
 * dirty in the inner level, as a write-allocate cache would.  Whenever the
 * CPU's view changes (an invalidate, a stale line evicted, a device writing
 * where no line is held), memory is rewritten to it.  Uncached accesses go
 * to DRAM, as a device's do (arm_dma_model_device_*()).
 *
 * At each maintenance call and around each device access the model looks
 * at every line and may evict it or fill it speculatively, as a seeded
 * generator picks: hardware does both at any time, and a maintenance bug
 * shows only where one of them lands.  The seed is a parameter
 * (dma_cache_model.seed=), so a failure replays.
 */
#include <linux/bitmap.h>
#include <linux/dma-direction.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/cacheflush.h>
#include <asm/outercache.h>
#include <asm/pgtable.h>

#include "dma.h"
#include "dma-cache-model.h"

#ifndef MULTI_CACHE
#error "the cache model needs the cpu_cache table (CPU_CACHE_NOP gives it)"
#endif

#define INNER	ARM_DMA_MODEL_INNER_LINE
#define OUTER	ARM_DMA_MODEL_OUTER_LINE
#define HALVES	(INNER / OUTER)
#define MAX_REGIONS	8
#define MAX_REGION_SIZE	SZ_256K

static uint seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "first seed of the eviction and fill generator");

struct region {
	phys_addr_t phys;		/* inner-line aligned */
	size_t size;			/* whole inner lines */
	u8 *dram;			/* what memory outside the caches holds */
	u8 *inner;			/* the inner lines, where held */
	u8 *outer;			/* the outer lines, where held */
	unsigned long *inner_held, *inner_dirty;	/* per inner line */
	unsigned long *outer_held, *outer_dirty;	/* per outer line */
};

enum op { CLEAN, INVALIDATE, FLUSH };

static struct {
	raw_spinlock_t lock;
	struct region regions[MAX_REGIONS];
	unsigned int nr;
	struct rnd_state rnd;
	u32 seed;
	unsigned int odds;		/* an event is 1 in odds per line */
	struct arm_dma_model_stats stats;
	struct cpu_cache_fns cpu;	/* the tables the model sits on */
	struct outer_cache_fns outer;
} model = {
	.lock = __RAW_SPIN_LOCK_UNLOCKED(model.lock),
	.odds = 8,
};

/* Memory, which is what the CPU sees */

static void ram_access(phys_addr_t phys, void *buf, size_t len, bool write)
{
	void *va = kmap_local_page(phys_to_page(phys));

	if (write)
		memcpy(va + offset_in_page(phys), buf, len);
	else
		memcpy(buf, va + offset_in_page(phys), len);
	kunmap_local(va);
}

/* The line the CPU reads at inner line @i when it holds none there. */
static void below_inner(struct region *r, unsigned long i, u8 *line)
{
	unsigned long j;

	for (j = i * HALVES; j < (i + 1) * HALVES; j++, line += OUTER)
		memcpy(line, test_bit(j, r->outer_held) ? r->outer + j * OUTER :
		       r->dram + j * OUTER, OUTER);
}

static void cpu_view(struct region *r, unsigned long i, u8 *line)
{
	if (test_bit(i, r->inner_held))
		memcpy(line, r->inner + i * INNER, INNER);
	else
		below_inner(r, i, line);
}

/* The CPU's view of inner line @i changed: memory shows it. */
static void show_cpu(struct region *r, unsigned long i)
{
	u8 line[INNER];

	cpu_view(r, i, line);
	ram_access(r->phys + i * INNER, line, INNER, true);
}

/* Take in what the CPU wrote to inner line @i since the model looked. */
static void observe_line(struct region *r, unsigned long i)
{
	u8 seen[INNER], expected[INNER];

	ram_access(r->phys + i * INNER, seen, INNER, false);
	cpu_view(r, i, expected);
	if (!memcmp(seen, expected, INNER))
		return;
	memcpy(r->inner + i * INNER, seen, INNER);
	__set_bit(i, r->inner_held);
	__set_bit(i, r->inner_dirty);
	model.stats.cpu_writes++;
}

/* The levels' own operations, one line each */

static void outer_clean(struct region *r, unsigned long j)
{
	if (!__test_and_clear_bit(j, r->outer_dirty))
		return;
	memcpy(r->dram + j * OUTER, r->outer + j * OUTER, OUTER);
	model.stats.writebacks++;
}

static void outer_invalidate(struct region *r, unsigned long j)
{
	__clear_bit(j, r->outer_dirty);
	if (!__test_and_clear_bit(j, r->outer_held))
		return;
	if (!test_bit(j / HALVES, r->inner_held))
		show_cpu(r, j / HALVES);
}

static void outer_fill(struct region *r, unsigned long j)
{
	if (__test_and_set_bit(j, r->outer_held))
		return;
	memcpy(r->outer + j * OUTER, r->dram + j * OUTER, OUTER);
}

/* A dirty inner line goes to the outer level, which allocates it. */
static void inner_clean(struct region *r, unsigned long i)
{
	unsigned long j;

	if (!__test_and_clear_bit(i, r->inner_dirty))
		return;
	for (j = i * HALVES; j < (i + 1) * HALVES; j++) {
		memcpy(r->outer + j * OUTER, r->inner + j * OUTER, OUTER);
		__set_bit(j, r->outer_held);
		__set_bit(j, r->outer_dirty);
	}
}

static void inner_invalidate(struct region *r, unsigned long i)
{
	__clear_bit(i, r->inner_dirty);
	if (__test_and_clear_bit(i, r->inner_held))
		show_cpu(r, i);
}

/* A speculative fill: the inner line from the outer, allocating there. */
static void inner_fill(struct region *r, unsigned long i)
{
	unsigned long j;

	if (test_bit(i, r->inner_held))
		return;
	for (j = i * HALVES; j < (i + 1) * HALVES; j++)
		outer_fill(r, j);
	below_inner(r, i, r->inner + i * INNER);
	__set_bit(i, r->inner_held);
}

static void apply(struct region *r, unsigned long line, bool inner,
		  enum op op)
{
	if (op != INVALIDATE)
		inner ? inner_clean(r, line) : outer_clean(r, line);
	if (op != CLEAN)
		inner ? inner_invalidate(r, line) : outer_invalidate(r, line);
}

/* Looking at every line, and the generator's events */

static void observe_all(void)
{
	unsigned int n;
	unsigned long i;

	for (n = 0; n < model.nr; n++)
		for (i = 0; i < model.regions[n].size / INNER; i++)
			observe_line(&model.regions[n], i);
}

static bool roll(void)
{
	return prandom_u32_state(&model.rnd) % model.odds == 0;
}

/*
 * What hardware may do to any line at any time: evict it, or fill it
 * speculatively (the CPU's prefetcher does not know who owns a buffer).
 */
static void events(void)
{
	unsigned int n;
	unsigned long i, j;

	observe_all();
	for (n = 0; n < model.nr; n++) {
		struct region *r = &model.regions[n];

		for (i = 0; i < r->size / INNER; i++) {
			if (roll()) {
				model.stats.evictions++;
				apply(r, i, true, FLUSH);
			} else if (roll()) {
				model.stats.fills++;
				inner_fill(r, i);
			}
		}
		for (j = 0; j < r->size / OUTER; j++) {
			if (roll() && test_bit(j, r->outer_held)) {
				model.stats.evictions++;
				apply(r, j, false, FLUSH);
			}
		}
	}
}

static struct region *region_crossing(phys_addr_t start, size_t size)
{
	unsigned int n;

	for (n = 0; n < model.nr; n++) {
		struct region *r = &model.regions[n];

		if (start < r->phys + r->size && r->phys < start + size)
			return r;
	}
	return NULL;
}

static struct region *region_of(phys_addr_t phys)
{
	return region_crossing(phys, 1);
}

/* Maintenance, as the CPU's and the L2C's range operations do it */

/*
 * Range invalidation keeps the bytes outside the range: a line only partly
 * inside it is cleaned as well, as ARMv7's and the L2C's routines do.
 */
static enum op line_op(enum op op, unsigned long line, unsigned long start,
		       unsigned long end, unsigned long size)
{
	if (op == INVALIDATE && (line < start || line + size > end))
		return FLUSH;
	return op;
}

/* A kernel virtual address, as the MMU translates it. */
static bool translate(unsigned long va, phys_addr_t *phys)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;

	if (virt_addr_valid((void *)va)) {
		*phys = __pa(va);
		return true;
	}
	pgd = pgd_offset_k(va);
	p4d = p4d_offset(pgd, va);
	pud = pud_offset(p4d, va);
	pmd = pmd_offset(pud, va);
	if (pmd_none(*pmd) || pmd_bad(*pmd))
		return false;
	pte = pte_offset_kernel(pmd, va);
	if (!pte_present(*pte))
		return false;
	*phys = PFN_PHYS(pte_pfn(*pte)) + offset_in_page(va);
	return true;
}

static void maintain(bool inner, enum op op, unsigned long start,
		     unsigned long end)
{
	unsigned long size = inner ? INNER : OUTER;
	unsigned long line = ALIGN_DOWN(start, size);
	unsigned long flags;

	raw_spin_lock_irqsave(&model.lock, flags);
	if (!model.nr)
		goto out;
	events();
	for (; line < end; line += size) {
		phys_addr_t phys = line;
		struct region *r;

		if (inner && !translate(line, &phys))
			continue;
		r = region_of(phys);
		if (!r)
			continue;
		model.stats.maintained++;
		apply(r, (unsigned long)(phys - r->phys) / size, inner,
		      line_op(op, line, start, end, size));
	}
out:
	raw_spin_unlock_irqrestore(&model.lock, flags);
}

/* The inner calls are read as ARMv7 makes them (cache-v7.S). */
static void model_dma_map_area(const void *start, size_t size, int dir)
{
	model.cpu.dma_map_area(start, size, dir);
	maintain(true, dir == DMA_FROM_DEVICE ? INVALIDATE : CLEAN,
		 (unsigned long)start, (unsigned long)start + size);
}

static void model_dma_unmap_area(const void *start, size_t size, int dir)
{
	model.cpu.dma_unmap_area(start, size, dir);
	if (dir != DMA_TO_DEVICE)
		maintain(true, INVALIDATE, (unsigned long)start,
			 (unsigned long)start + size);
}

static void model_dma_flush_range(const void *start, const void *end)
{
	model.cpu.dma_flush_range(start, end);
	maintain(true, FLUSH, (unsigned long)start, (unsigned long)end);
}

static void model_outer_inv_range(unsigned long start, unsigned long end)
{
	if (model.outer.inv_range)
		model.outer.inv_range(start, end);
	maintain(false, INVALIDATE, start, end);
}

static void model_outer_clean_range(unsigned long start, unsigned long end)
{
	if (model.outer.clean_range)
		model.outer.clean_range(start, end);
	maintain(false, CLEAN, start, end);
}

static void model_outer_flush_range(unsigned long start, unsigned long end)
{
	if (model.outer.flush_range)
		model.outer.flush_range(start, end);
	maintain(false, FLUSH, start, end);
}

/*
 * Before the tables become read-only: every DMA cache operation of the
 * kernel passes through the model from then on, and goes on to the real
 * one beneath.
 */
static int __init arm_dma_model_install(void)
{
	model.cpu = cpu_cache;
	cpu_cache.dma_map_area = model_dma_map_area;
	cpu_cache.dma_unmap_area = model_dma_unmap_area;
	cpu_cache.dma_flush_range = model_dma_flush_range;
	model.outer = outer_cache;
	outer_cache.inv_range = model_outer_inv_range;
	outer_cache.clean_range = model_outer_clean_range;
	outer_cache.flush_range = model_outer_flush_range;
	pr_info("DMA cache model: inner %u-byte lines by address, outer %u-byte lines by physical address, seed %u\n",
		INNER, OUTER, seed);
	return 0;
}
early_initcall(arm_dma_model_install);

/* What the suites call */

static void free_region(struct region *r)
{
	kvfree(r->dram);
	kvfree(r->inner);
	kvfree(r->outer);
	bitmap_free(r->inner_held);
	bitmap_free(r->inner_dirty);
	bitmap_free(r->outer_held);
	bitmap_free(r->outer_dirty);
}

/**
 * arm_dma_model_track() - give a range of memory the model's caches
 * @phys:	physical address
 * @size:	bytes; the range is widened to whole inner lines
 *
 * The caches start out holding none of it.  From now until
 * arm_dma_model_untrack(), ordinary CPU accesses to the range are cached
 * and a device must reach it through arm_dma_model_device_*().
 *
 * Return: 0, -EINVAL for a range too large or crossing another, -ENOSPC
 * with every region in use, or -ENOMEM.
 */
int arm_dma_model_track(phys_addr_t phys, size_t size)
{
	phys_addr_t start = ALIGN_DOWN(phys, INNER);
	size_t len = ALIGN(phys + size, INNER) - start;
	struct region r = { .phys = start, .size = len };
	unsigned long flags;
	int ret = 0;
	size_t done;

	if (!size || len > MAX_REGION_SIZE)
		return -EINVAL;
	r.dram = kvmalloc(len, GFP_KERNEL);
	r.inner = kvmalloc(len, GFP_KERNEL);
	r.outer = kvmalloc(len, GFP_KERNEL);
	r.inner_held = bitmap_zalloc(len / INNER, GFP_KERNEL);
	r.inner_dirty = bitmap_zalloc(len / INNER, GFP_KERNEL);
	r.outer_held = bitmap_zalloc(len / OUTER, GFP_KERNEL);
	r.outer_dirty = bitmap_zalloc(len / OUTER, GFP_KERNEL);
	if (!r.dram || !r.inner || !r.outer || !r.inner_held ||
	    !r.inner_dirty || !r.outer_held || !r.outer_dirty) {
		free_region(&r);
		return -ENOMEM;
	}
	for (done = 0; done < len; done += INNER)
		ram_access(start + done, r.dram + done, INNER, false);

	raw_spin_lock_irqsave(&model.lock, flags);
	if (model.nr == MAX_REGIONS)
		ret = -ENOSPC;
	else if (region_crossing(start, len))
		ret = -EINVAL;
	else
		model.regions[model.nr++] = r;
	raw_spin_unlock_irqrestore(&model.lock, flags);
	if (ret)
		free_region(&r);
	return ret;
}

/**
 * arm_dma_model_untrack() - take the model's caches off a range
 * @phys:	an address in the range
 *
 * Memory keeps what the CPU would read there.
 */
void arm_dma_model_untrack(phys_addr_t phys)
{
	struct region gone = {};
	unsigned long flags;
	struct region *r;

	raw_spin_lock_irqsave(&model.lock, flags);
	r = region_of(phys);
	if (r) {
		gone = *r;
		*r = model.regions[--model.nr];
	}
	raw_spin_unlock_irqrestore(&model.lock, flags);
	free_region(&gone);
}

/**
 * arm_dma_model_reset() - restart the generator and the statistics
 * @salt:	mixed into the seed parameter (a case's own number)
 * @odds:	an eviction or fill is one chance in @odds per line and point;
 *		0 turns them off
 */
void arm_dma_model_reset(u32 salt, unsigned int odds)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&model.lock, flags);
	model.seed = seed ^ salt;
	prandom_seed_state(&model.rnd, model.seed);
	model.odds = odds ?: U32_MAX;
	memset(&model.stats, 0, sizeof(model.stats));
	raw_spin_unlock_irqrestore(&model.lock, flags);
}

/** arm_dma_model_seed() - the seed the generator last started from */
u32 arm_dma_model_seed(void)
{
	return model.seed;
}

/** arm_dma_model_stats() - what the model did since its last reset */
void arm_dma_model_stats(struct arm_dma_model_stats *stats)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&model.lock, flags);
	*stats = model.stats;
	raw_spin_unlock_irqrestore(&model.lock, flags);
}

/*
 * A device's (or an uncached) access: DRAM only.  Where the CPU holds no
 * line, what the device writes is what the CPU will read.
 */
static void device_access(phys_addr_t phys, u8 *buf, int c, size_t len,
			  bool write)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&model.lock, flags);
	events();
	while (len) {
		struct region *r = region_of(phys);
		size_t chunk = min_t(size_t, len, OUTER - (phys & (OUTER - 1)));
		unsigned long j;
		u8 *dram;

		if (!r) {
			u8 tmp[OUTER];

			if (buf) {
				ram_access(phys, buf, chunk, write);
			} else {
				memset(tmp, c, chunk);
				ram_access(phys, tmp, chunk, true);
			}
			goto next;
		}
		j = (unsigned long)(phys - r->phys) / OUTER;
		dram = r->dram + (phys - r->phys);
		if (!write)
			memcpy(buf, dram, chunk);
		else if (buf)
			memcpy(dram, buf, chunk);
		else
			memset(dram, c, chunk);
		if (write && !test_bit(j, r->outer_held) &&
		    !test_bit(j / HALVES, r->inner_held))
			show_cpu(r, j / HALVES);
next:
		phys += chunk;
		len -= chunk;
		if (buf)
			buf += chunk;
	}
	if (write)
		events();
	raw_spin_unlock_irqrestore(&model.lock, flags);
}

/** arm_dma_model_device_read() - read memory as a device (or uncached) */
void arm_dma_model_device_read(phys_addr_t phys, void *buf, size_t len)
{
	device_access(phys, buf, 0, len, false);
}

/** arm_dma_model_device_write() - write memory as a device (or uncached) */
void arm_dma_model_device_write(phys_addr_t phys, const void *buf,
				size_t len)
{
	device_access(phys, (u8 *)buf, 0, len, true);
}

/** arm_dma_model_device_fill() - memset() as a device (or uncached) */
void arm_dma_model_device_fill(phys_addr_t phys, int c, size_t len)
{
	device_access(phys, NULL, c, len, true);
}

/** arm_dma_model_tick() - a point where evictions and fills may happen */
void arm_dma_model_tick(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&model.lock, flags);
	events();
	raw_spin_unlock_irqrestore(&model.lock, flags);
}

/** arm_dma_model_fill_all() - every line of every region filled, clean */
void arm_dma_model_fill_all(void)
{
	unsigned long flags, i;
	unsigned int n;

	raw_spin_lock_irqsave(&model.lock, flags);
	observe_all();
	for (n = 0; n < model.nr; n++)
		for (i = 0; i < model.regions[n].size / INNER; i++)
			inner_fill(&model.regions[n], i);
	raw_spin_unlock_irqrestore(&model.lock, flags);
}

/** arm_dma_model_evict_all() - every line of every region evicted */
void arm_dma_model_evict_all(void)
{
	unsigned long flags, i;
	unsigned int n;

	raw_spin_lock_irqsave(&model.lock, flags);
	observe_all();
	for (n = 0; n < model.nr; n++) {
		struct region *r = &model.regions[n];

		for (i = 0; i < r->size / INNER; i++)
			apply(r, i, true, FLUSH);
		for (i = 0; i < r->size / OUTER; i++)
			apply(r, i, false, FLUSH);
	}
	raw_spin_unlock_irqrestore(&model.lock, flags);
}
