// SPDX-License-Identifier: GPL-2.0-only
/*
 * What reaches the CPU's cache interface when a non-coherent device maps,
 * syncs and unmaps.  The other suites record the layer's own requests
 * (arm_dma_inner_op(), arm_dma_outer_op()); these cases look one level
 * lower, where the kernel dispatches them: on a kernel with more than one
 * cache model (MULTI_CACHE, as multi_v7_defconfig builds) the inner
 * caches through cpu_cache and the outer one through outer_cache, both
 * tables of function pointers.  A case puts recorders in both that pass
 * each call on to the real function, and takes them out again.
 *
 * Both tables are __ro_after_init: the suite needs a kernel built without
 * STRICT_KERNEL_RWX, and skips on any other (and without an outer cache).
 *
 * The inner calls are read as ARMv7 does them: dma_map_area() invalidates
 * for DMA_FROM_DEVICE and cleans otherwise, dma_unmap_area() invalidates
 * unless DMA_TO_DEVICE, dma_flush_range() cleans and invalidates.
 */
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <asm/cacheflush.h>
#include <asm/fixmap.h>
#include <asm/highmem.h>
#include <asm/outercache.h>

#include "dma-test-fixtures.h"

enum what { CLEAN, INV, FLUSH };

static const char *const what_names[] = { "clean", "invalidate", "flush" };

struct cache_call {
	bool outer;
	enum what what;
	unsigned long start;	/* virtual (inner) or physical (outer) */
	size_t size;
};

#define MAX_CALLS 16

/*
 * The recorders have no context argument: one case at a time, and only
 * calls on the buffer under test count (other DMA may run meanwhile).
 */
static struct {
	struct cache_call calls[MAX_CALLS];
	unsigned int nr;
	bool kmapped;			/* inner: through a temporary kmap */
	unsigned long lo, hi;		/* inner: the buffer's kernel range */
	phys_addr_t plo, phi;		/* outer: its physical range */
	struct cpu_cache_fns cpu;	/* the real tables */
	struct outer_cache_fns outer;
} rec;

/* An address of kmap_local_page() or kmap(), not of the linear map. */
static bool kmap_address(unsigned long addr)
{
	return (addr >= FIXADDR_START && addr < FIXADDR_END) ||
	       (addr >= PKMAP_ADDR(0) && addr < PKMAP_ADDR(LAST_PKMAP));
}

/*
 * A highmem page is reached through a kmap the layer makes and drops: its
 * address is not known beforehand, only that it is a kmap address with the
 * buffer's offset in the page.
 */
static bool inner_is_mine(unsigned long start, size_t size)
{
	if (rec.kmapped)
		return kmap_address(start) &&
		       offset_in_page(start) == offset_in_page(rec.plo);
	return start < rec.hi && start + size > rec.lo;
}

static void record(bool outer, enum what what, unsigned long start, size_t size)
{
	bool mine = outer ? start < rec.phi && start + size > rec.plo :
			    inner_is_mine(start, size);

	if (mine && rec.nr < MAX_CALLS)
		rec.calls[rec.nr++] = (struct cache_call) {
			.outer = outer, .what = what, .start = start, .size = size,
		};
}

#ifdef MULTI_CACHE
static void rec_map_area(const void *start, size_t size, int dir)
{
	record(false, dir == DMA_FROM_DEVICE ? INV : CLEAN,
	       (unsigned long)start, size);
	rec.cpu.dma_map_area(start, size, dir);
}

static void rec_unmap_area(const void *start, size_t size, int dir)
{
	if (dir != DMA_TO_DEVICE)
		record(false, INV, (unsigned long)start, size);
	rec.cpu.dma_unmap_area(start, size, dir);
}

static void rec_flush_range(const void *start, const void *end)
{
	record(false, FLUSH, (unsigned long)start, end - start);
	rec.cpu.dma_flush_range(start, end);
}
#endif

static void rec_outer_inv(unsigned long start, unsigned long end)
{
	record(true, INV, start, end - start);
	rec.outer.inv_range(start, end);
}

static void rec_outer_clean(unsigned long start, unsigned long end)
{
	record(true, CLEAN, start, end - start);
	rec.outer.clean_range(start, end);
}

static void rec_outer_flush(unsigned long start, unsigned long end)
{
	record(true, FLUSH, start, end - start);
	rec.outer.flush_range(start, end);
}

static void restore_tables(void *unused)
{
#ifdef MULTI_CACHE
	cpu_cache = rec.cpu;
#endif
	outer_cache = rec.outer;
}

struct dispatch_test {
	struct device *dev;
};

static int dispatch_test_init(struct kunit *test)
{
	struct dispatch_test *t;

#ifndef MULTI_CACHE
	kunit_skip(test, "one cache model: calls to it are direct");
#endif
	if (IS_ENABLED(CONFIG_STRICT_KERNEL_RWX))
		kunit_skip(test, "STRICT_KERNEL_RWX: the tables are read-only");
	if (!outer_cache.inv_range || !outer_cache.clean_range ||
	    !outer_cache.flush_range)
		kunit_skip(test, "no outer cache");

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->dev = arm_dma_test_device(test, "cache-dispatch", false);
	test->priv = t;

	memset(&rec, 0, sizeof(rec));
	rec.outer = outer_cache;
#ifdef MULTI_CACHE
	rec.cpu = cpu_cache;
	cpu_cache.dma_map_area = rec_map_area;
	cpu_cache.dma_unmap_area = rec_unmap_area;
	cpu_cache.dma_flush_range = rec_flush_range;
#endif
	outer_cache.inv_range = rec_outer_inv;
	outer_cache.clean_range = rec_outer_clean;
	outer_cache.flush_range = rec_outer_flush;
	return kunit_add_action_or_reset(test, restore_tables, NULL);
}

/*
 * Watch @len bytes at @vaddr (a kernel address, or NULL for a highmem page
 * the layer kmaps itself), physically at @phys.
 */
static void watch(const void *vaddr, phys_addr_t phys, size_t len)
{
	rec.nr = 0;
	rec.kmapped = !vaddr;
	rec.lo = vaddr ? (unsigned long)vaddr : 0;
	rec.hi = rec.lo + len;
	rec.plo = phys;
	rec.phi = phys + len;
}

/*
 * The calls since watch(), in order, must be exactly @want: the inner
 * ones on the watched kernel range, the outer ones on its physical range.
 */
static void expect(struct kunit *test, const char *step,
		   const struct cache_call *want, unsigned int n)
{
	unsigned int i;

	KUNIT_EXPECT_EQ_MSG(test, rec.nr, n, "%s: number of calls", step);
	for (i = 0; i < min(rec.nr, n); i++) {
		const struct cache_call *got = &rec.calls[i];
		unsigned long start = want[i].outer ? rec.plo : rec.lo;

		/* Any kmap address will do, as inner_is_mine() checked. */
		if (!want[i].outer && rec.kmapped)
			start = got->start;

		KUNIT_EXPECT_TRUE_MSG(test, got->outer == want[i].outer &&
				      got->what == want[i].what &&
				      got->start == start &&
				      got->size == rec.hi - rec.lo,
				      "%s, call %u: got %s %s %#lx+%zu, want %s %s %#lx+%lu",
				      step, i, got->outer ? "outer" : "inner",
				      what_names[got->what], got->start, got->size,
				      want[i].outer ? "outer" : "inner",
				      what_names[want[i].what], start,
				      rec.hi - rec.lo);
	}
	rec.nr = 0;
}

#define INNER(w)	{ .outer = false, .what = (w) }
#define OUTER(w)	{ .outer = true, .what = (w) }

/* Towards the device the inner level goes first, towards the CPU the outer. */
static const struct {
	enum dma_data_direction dir;
	struct cache_call to_device[2];
	unsigned int n_device;
	struct cache_call to_cpu[2];
	unsigned int n_cpu;
} directions[] = {
	{ DMA_TO_DEVICE,	{ INNER(CLEAN), OUTER(CLEAN) }, 2, { }, 0 },
	{ DMA_FROM_DEVICE,	{ INNER(INV), OUTER(INV) }, 2,
				{ OUTER(INV), INNER(INV) }, 2 },
	{ DMA_BIDIRECTIONAL,	{ INNER(FLUSH), OUTER(FLUSH) }, 2,
				{ OUTER(INV), INNER(INV) }, 2 },
};

static const char *const dir_names[] = {
	[DMA_BIDIRECTIONAL] = "bidirectional", [DMA_TO_DEVICE] = "to device",
	[DMA_FROM_DEVICE] = "from device", [DMA_NONE] = "none",
};

/*
 * Map, sync both ways and unmap @len bytes at @offset of @page, seen by
 * the CPU at @vaddr; every step checked against the direction's calls.
 */
static void walk_directions(struct kunit *test, struct page *page,
			    u8 *vaddr, size_t offset, size_t len)
{
	struct dispatch_test *t = test->priv;
	phys_addr_t phys = page_to_phys(page) + offset;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(directions); i++) {
		enum dma_data_direction dir = directions[i].dir;
		dma_addr_t dma;

		kunit_info(test, "%s", dir_names[dir]);
		watch(vaddr ? vaddr + offset : NULL, phys, len);
		dma = dma_map_page(t->dev, page, offset, len, dir);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
		expect(test, "map", directions[i].to_device,
		       directions[i].n_device);

		dma_sync_single_for_cpu(t->dev, dma, len, dir);
		expect(test, "sync for the CPU", directions[i].to_cpu,
		       directions[i].n_cpu);
		dma_sync_single_for_device(t->dev, dma, len, dir);
		expect(test, "sync for the device", directions[i].to_device,
		       directions[i].n_device);

		dma_unmap_page(t->dev, dma, len, dir);
		expect(test, "unmap", directions[i].to_cpu, directions[i].n_cpu);
	}
}

static void lowmem_reaches_both_levels_by_direction(struct kunit *test)
{
	void *buf = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	walk_directions(test, virt_to_page(buf), buf, offset_in_page(buf),
			PAGE_SIZE);
}

static void a_highmem_page_is_reached_through_a_kmap(struct kunit *test)
{
	struct page *page = alloc_page(GFP_HIGHUSER);

	KUNIT_ASSERT_NOT_NULL(test, page);
	if (!PageHighMem(page)) {
		__free_page(page);
		kunit_skip(test, "no highmem page to be had");
	}
	walk_directions(test, page, NULL, 0, PAGE_SIZE);
	__free_page(page);
}

/*
 * A buffer that shares its first and last cache lines with other data is
 * passed on exactly: the CPU's own operations deal with the partial lines
 * (v7_dma_inv_range and the PL310 clean them before invalidating), and a
 * range widened to whole lines would discard the neighbours' writes.
 */
static void partial_lines_are_passed_on_exactly(struct kunit *test)
{
	u8 *buf = kunit_kmalloc(test, 512, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	walk_directions(test, virt_to_page(buf + 37), buf + 37 -
			offset_in_page(buf + 37), offset_in_page(buf + 37), 100);
}

static struct kunit_case dispatch_cases[] = {
	KUNIT_CASE(lowmem_reaches_both_levels_by_direction),
	KUNIT_CASE(a_highmem_page_is_reached_through_a_kmap),
	KUNIT_CASE(partial_lines_are_passed_on_exactly),
	{}
};

static struct kunit_suite dispatch_suite = {
	.name		= "arm_dma_cache_dispatch",
	.init		= dispatch_test_init,
	.test_cases	= dispatch_cases,
};

kunit_test_suite(dispatch_suite);

MODULE_DESCRIPTION("What reaches the CPU's cache interface on DMA");
MODULE_LICENSE("GPL");
