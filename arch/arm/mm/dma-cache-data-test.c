// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: what the CPU reads and what a non-coherent device read,
 * through the DMA API's ownership rules, with caches that behave.
 *
 * Each case runs twice: on a device of its own with arm_dma_ops, and on
 * QEMU's edu as a non-coherent master behind the SMMU with
 * arm_iommu_dma_ops (where the run has one; make check's
 * virt-smmu-noncoherent).  The memory handed over is in the cache model
 * (dma-cache-model.c), which the layer's own maintenance drives.  The CPU
 * reads and writes through the kernel's mappings, as a driver does; the
 * device reads and writes memory only, at what its bus address translates
 * to.
 * Besides the generator's evictions and fills at every maintenance call,
 * each hand-over meets the worst the hardware may do there:
 *
 *  - STALE: every line held while the device owns the buffer, so that an
 *    invalidate missing when the CPU takes it back shows as stale data;
 *  - EVICT: every line evicted once the device has written, so that a dirty
 *    line left behind when the device took the buffer lands on its data.
 *
 * Only the data is checked, never which operations were asked for.
 */
#include <kunit/test.h>
#include <linux/crc32.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "dma-cache-model.h"
#include "dma-test-fixtures.h"

enum schedule { STALE, EVICT };

static const char *const schedule_names[] = { "stale lines", "evictions" };

struct data_test {
	struct device *dev;
	struct iommu_domain *domain;	/* NULL: the direct ops */
	u8 seen[2 * PAGE_SIZE];	/* what the device last read */
};

/* What the device reaches at @dma: through the IOMMU, or directly. */
static phys_addr_t device_phys(struct data_test *t, dma_addr_t dma)
{
	if (t->domain)
		return iommu_iova_to_phys(t->domain, dma);
	return dma_to_phys(t->dev, dma);
}

/* The device's access, a page of bus addresses at a time. */
static void device_access(struct data_test *t, dma_addr_t dma, u8 *buf,
			  size_t len, bool write)
{
	while (len) {
		size_t chunk = min_t(size_t, len,
				     PAGE_SIZE - offset_in_page(dma));
		phys_addr_t phys = device_phys(t, dma);

		if (!phys)		/* unmapped: the IOMMU would fault */
			memset(buf, 0, chunk);
		else if (write)
			arm_dma_model_device_write(phys, buf, chunk);
		else
			arm_dma_model_device_read(phys, buf, chunk);
		dma += chunk;
		buf += chunk;
		len -= chunk;
	}
}

/* The byte at @i of the data tagged @tag: each step's data differs. */
static u8 pattern(u8 tag, size_t i)
{
	return tag ^ (i * 13) ^ (i >> 8);
}

static void cpu_writes(u8 *va, size_t off, size_t len, u8 tag)
{
	size_t i;

	for (i = off; i < off + len; i++)
		va[i] = pattern(tag, i);
}

/* The first of @len bytes at @va + @off that is not @tag's, or -1. */
static long first_wrong(const u8 *va, size_t off, size_t len, u8 tag)
{
	size_t i;

	for (i = off; i < off + len; i++)
		if (va[i] != pattern(tag, i))
			return i;
	return -1;
}

static void expect_data(struct kunit *test, const u8 *va, size_t off,
			size_t len, u8 tag, const char *who, const char *what)
{
	long bad = first_wrong(va, off, len, tag);

	KUNIT_EXPECT_EQ_MSG(test, bad, -1, "%s: %s reads %#x at byte %ld, not %#x",
			    what, who, bad < 0 ? 0 : va[bad], bad,
			    bad < 0 ? 0 : pattern(tag, bad));
}

static void expect_cpu_reads(struct kunit *test, const u8 *va, size_t off,
			     size_t len, u8 tag, const char *what)
{
	expect_data(test, va, off, len, tag, "the CPU", what);
}

/* The device writes @len bytes of @tag's data at @dma, as bytes @off on. */
static void device_writes(struct data_test *t, dma_addr_t dma, size_t off,
			  size_t len, u8 tag)
{
	size_t i;

	for (i = 0; i < len; i++)
		t->seen[i] = pattern(tag, off + i);
	device_access(t, dma, t->seen, len, true);
}

/* The device reads @len bytes at @dma into t->seen, at @off. */
static u8 *device_reads(struct data_test *t, dma_addr_t dma, size_t off,
			size_t len)
{
	device_access(t, dma, t->seen + off, len, false);
	return t->seen;
}

static void expect_device_read(struct kunit *test, struct data_test *t,
			       dma_addr_t dma, size_t off, size_t len, u8 tag,
			       const char *what)
{
	expect_data(test, device_reads(t, dma, off, len), off, len, tag,
		    "the device", what);
}

static void hostile(enum schedule when, enum schedule s)
{
	if (when != s)
		return;
	if (s == STALE)
		arm_dma_model_fill_all();
	else
		arm_dma_model_evict_all();
}

struct tracked {
	struct page *page;
	unsigned int order;
	phys_addr_t phys;
};

static void untrack(void *data)
{
	struct tracked *m = data;

	arm_dma_model_untrack(m->phys);
	__free_pages(m->page, m->order);
}

/* 2^@order pages of @gfp, in the model's caches until the case ends. */
static struct page *model_pages(struct kunit *test, gfp_t gfp,
				unsigned int order)
{
	struct tracked *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->order = order;
	m->page = alloc_pages(gfp | __GFP_NOWARN, order);
	KUNIT_ASSERT_NOT_NULL(test, m->page);
	m->phys = page_to_phys(m->page);
	KUNIT_ASSERT_EQ(test, arm_dma_model_track(m->phys, PAGE_SIZE << order),
			0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, untrack, m), 0);
	return m->page;
}

static u8 *model_buffer(struct kunit *test, unsigned int order)
{
	return page_address(model_pages(test, GFP_KERNEL, order));
}

static dma_addr_t map_or_fail(struct kunit *test, struct data_test *t,
			      void *buf, size_t len,
			      enum dma_data_direction dir, unsigned long attrs)
{
	dma_addr_t dma = dma_map_single_attrs(t->dev, buf, len, dir, attrs);

	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	return dma;
}

static void the_device_reads_what_the_cpu_wrote_before_the_map(struct kunit *test)
{
	static const enum dma_data_direction dirs[] = {
		DMA_TO_DEVICE, DMA_BIDIRECTIONAL,
	};
	struct data_test *t = test->priv;
	u8 *buf = model_buffer(test, 1);
	size_t len = 2 * PAGE_SIZE;
	unsigned int d;

	for (d = 0; d < ARRAY_SIZE(dirs); d++) {
		dma_addr_t dma;

		cpu_writes(buf, 0, len, 0x11 + d);
		dma = map_or_fail(test, t, buf, len, dirs[d], 0);
		expect_device_read(test, t, dma, 0, len, 0x11 + d,
				   dirs[d] == DMA_TO_DEVICE ? "to device" :
				   "bidirectional");
		dma_unmap_single(t->dev, dma, len, dirs[d]);
		expect_cpu_reads(test, buf, 0, len, 0x11 + d,
				 "its own data after the unmap");
	}
}

static void the_cpu_reads_what_the_device_wrote_after_the_unmap(struct kunit *test)
{
	static const enum dma_data_direction dirs[] = {
		DMA_FROM_DEVICE, DMA_BIDIRECTIONAL,
	};
	struct data_test *t = test->priv;
	u8 *buf = model_buffer(test, 1);
	size_t len = 2 * PAGE_SIZE;
	unsigned int d, s;

	for (d = 0; d < ARRAY_SIZE(dirs); d++) {
		for (s = STALE; s <= EVICT; s++) {
			u8 tag = 0x20 + 2 * (d * 2 + s);
			dma_addr_t dma;

			/* The CPU's old data, dirty in its caches. */
			cpu_writes(buf, 0, len, tag);
			dma = map_or_fail(test, t, buf, len, dirs[d], 0);
			hostile(STALE, s);
			device_writes(t, dma, 0, len, tag + 1);
			hostile(EVICT, s);
			dma_unmap_single(t->dev, dma, len, dirs[d]);
			expect_cpu_reads(test, buf, 0, len, tag + 1,
					 schedule_names[s]);
		}
	}
}

static void syncs_hand_a_buffer_back_and_forth(struct kunit *test)
{
	struct data_test *t = test->priv;
	u8 *buf = model_buffer(test, 0);
	size_t len = PAGE_SIZE;
	dma_addr_t dma;
	u8 round;

	cpu_writes(buf, 0, len, 0x40);
	dma = map_or_fail(test, t, buf, len, DMA_BIDIRECTIONAL, 0);
	for (round = 0; round < 3; round++) {
		expect_device_read(test, t, dma, 0, len, 0x40 + round,
				   "after the map or a sync for the device");
		arm_dma_model_fill_all();
		device_writes(t, dma, 0, len, 0x50 + round);
		dma_sync_single_for_cpu(t->dev, dma, len, DMA_BIDIRECTIONAL);
		expect_cpu_reads(test, buf, 0, len, 0x50 + round,
				 "after a sync for the CPU");
		cpu_writes(buf, 0, len, 0x41 + round);
		dma_sync_single_for_device(t->dev, dma, len,
					   DMA_BIDIRECTIONAL);
	}
	dma_unmap_single(t->dev, dma, len, DMA_BIDIRECTIONAL);
}

static void a_receive_buffer_is_reused_through_syncs(struct kunit *test)
{
	struct data_test *t = test->priv;
	u8 *buf = model_buffer(test, 0);
	size_t len = PAGE_SIZE;
	dma_addr_t dma;
	u8 round;

	dma = map_or_fail(test, t, buf, len, DMA_FROM_DEVICE, 0);
	for (round = 0; round < 3; round++) {
		arm_dma_model_fill_all();
		device_writes(t, dma, 0, len, 0x60 + round);
		dma_sync_single_for_cpu(t->dev, dma, len, DMA_FROM_DEVICE);
		expect_cpu_reads(test, buf, 0, len, 0x60 + round,
				 "after a sync for the CPU");
		dma_sync_single_for_device(t->dev, dma, len, DMA_FROM_DEVICE);
	}
	dma_unmap_single(t->dev, dma, len, DMA_FROM_DEVICE);
}

static void a_transmit_buffer_is_reused_through_syncs(struct kunit *test)
{
	struct data_test *t = test->priv;
	u8 *buf = model_buffer(test, 0);
	size_t len = PAGE_SIZE;
	dma_addr_t dma;
	u8 round;

	cpu_writes(buf, 0, len, 0x68);
	dma = map_or_fail(test, t, buf, len, DMA_TO_DEVICE, 0);
	for (round = 0; round < 3; round++) {
		expect_device_read(test, t, dma, 0, len, 0x68 + round,
				   "after the map or a sync for the device");
		dma_sync_single_for_cpu(t->dev, dma, len, DMA_TO_DEVICE);
		cpu_writes(buf, 0, len, 0x69 + round);
		dma_sync_single_for_device(t->dev, dma, len, DMA_TO_DEVICE);
	}
	dma_unmap_single(t->dev, dma, len, DMA_TO_DEVICE);
}

static void a_ranged_sync_hands_over_its_range(struct kunit *test)
{
	struct data_test *t = test->priv;
	u8 *buf = model_buffer(test, 0);
	size_t off = 1024, len = 512;
	dma_addr_t dma;

	cpu_writes(buf, 0, PAGE_SIZE, 0x70);
	dma = map_or_fail(test, t, buf, PAGE_SIZE, DMA_BIDIRECTIONAL, 0);
	arm_dma_model_fill_all();
	device_writes(t, dma, 0, PAGE_SIZE, 0x71);
	dma_sync_single_range_for_cpu(t->dev, dma, off, len,
				      DMA_BIDIRECTIONAL);
	expect_cpu_reads(test, buf, off, len, 0x71, "the range synced");
	cpu_writes(buf, off, len, 0x72);
	dma_sync_single_range_for_device(t->dev, dma, off, len,
					 DMA_BIDIRECTIONAL);
	expect_device_read(test, t, dma + off, off, len, 0x72,
			   "the range synced back");
	dma_unmap_single(t->dev, dma, PAGE_SIZE, DMA_BIDIRECTIONAL);
}

/* A line shared with data of the CPU's own, before and after the buffer. */
static void cpu_data_sharing_a_line_with_the_buffer_survives(struct kunit *test)
{
	static const enum dma_data_direction dirs[] = {
		DMA_FROM_DEVICE, DMA_BIDIRECTIONAL,
	};
	struct data_test *t = test->priv;
	u8 *page = model_buffer(test, 0);
	size_t off = 16, len = 200, end = off + len, around = 512;
	unsigned int d, s;

	for (d = 0; d < ARRAY_SIZE(dirs); d++) {
		for (s = STALE; s <= EVICT; s++) {
			u8 tag = 0x80 + 4 * (d * 2 + s);
			dma_addr_t dma;

			cpu_writes(page, 0, around, tag);
			cpu_writes(page, off, len, tag + 1);
			dma = map_or_fail(test, t, page + off, len, dirs[d], 0);
			if (dirs[d] == DMA_BIDIRECTIONAL)
				expect_device_read(test, t, dma, off, len,
						   tag + 1, schedule_names[s]);
			hostile(STALE, s);
			device_writes(t, dma, off, len, tag + 2);
			hostile(EVICT, s);
			dma_unmap_single(t->dev, dma, len, dirs[d]);
			expect_cpu_reads(test, page, 0, off, tag,
					 "its own bytes before the buffer");
			expect_cpu_reads(test, page, off, len, tag + 2,
					 schedule_names[s]);
			expect_cpu_reads(test, page, end, around - end, tag,
					 "its own bytes after the buffer");
		}
	}
}

enum { ENTRIES = 4 };

struct sg_case {
	struct scatterlist sgl[ENTRIES];
	struct page *pages[ENTRIES];
	size_t off[ENTRIES], len[ENTRIES];
	int count;
};

/*
 * The bus address of entry @i: its own segment's (a bounce buffer's, under
 * swiotlb), or where the merged segments reach its page.
 */
static dma_addr_t entry_dma(struct data_test *t, struct sg_case *c, int i)
{
	phys_addr_t phys = sg_phys(&c->sgl[i]);
	struct scatterlist *sg;
	int n;

	if (c->count == ENTRIES)
		return sg_dma_address(&c->sgl[i]);
	for_each_sg(c->sgl, sg, c->count, n) {
		dma_addr_t page = sg_dma_address(sg) & PAGE_MASK;
		dma_addr_t end = sg_dma_address(sg) + sg_dma_len(sg);

		for (; page < end; page += PAGE_SIZE)
			if (device_phys(t, page) == (phys & PAGE_MASK))
				return page + offset_in_page(phys);
	}
	return DMA_MAPPING_ERROR;
}

static void entries_written_by_cpu(struct sg_case *c, u8 tag)
{
	int i;

	for (i = 0; i < ENTRIES; i++) {
		u8 *va = kmap_local_page(c->pages[i]);

		cpu_writes(va, c->off[i], c->len[i], tag + i);
		kunmap_local(va);
	}
}

static void entries_read_by_cpu(struct kunit *test, struct sg_case *c, u8 tag,
				const char *what)
{
	int i;

	for (i = 0; i < ENTRIES; i++) {
		u8 *va = kmap_local_page(c->pages[i]);

		expect_cpu_reads(test, va, c->off[i], c->len[i], tag + i, what);
		kunmap_local(va);
	}
}

static void entries_written_by_device(struct data_test *t, struct sg_case *c,
				      u8 tag)
{
	int i;

	for (i = 0; i < ENTRIES; i++)
		device_writes(t, entry_dma(t, c, i), c->off[i], c->len[i],
			      tag + i);
}

static void entries_read_by_device(struct kunit *test, struct data_test *t,
				   struct sg_case *c, u8 tag, const char *what)
{
	int i;

	for (i = 0; i < ENTRIES; i++) {
		dma_addr_t dma = entry_dma(t, c, i);

		KUNIT_ASSERT_NE_MSG(test, dma, DMA_MAPPING_ERROR,
				    "entry %d is nowhere in the mapped list", i);
		expect_device_read(test, t, dma, c->off[i], c->len[i], tag + i,
				   what);
	}
}

static void every_entry_of_a_scatterlist_is_handed_over(struct kunit *test)
{
	struct data_test *t = test->priv;
	struct sg_case *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	sg_init_table(c->sgl, ENTRIES);
	for (i = 0; i < ENTRIES; i++) {
		/* The last entry in highmem where the boot has it. */
		c->pages[i] = model_pages(test, i == ENTRIES - 1 ?
					  GFP_HIGHUSER : GFP_KERNEL, 0);
		c->off[i] = 128 * i;
		c->len[i] = PAGE_SIZE / 2 + 64 * i;
		sg_set_page(&c->sgl[i], c->pages[i], c->len[i], c->off[i]);
	}

	entries_written_by_cpu(c, 0x90);
	c->count = dma_map_sg(t->dev, c->sgl, ENTRIES, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_GT(test, c->count, 0);
	entries_read_by_device(test, t, c, 0x90, "entry after the map");

	/* and back, through a sync */
	arm_dma_model_fill_all();
	entries_written_by_device(t, c, 0xa0);
	dma_sync_sg_for_cpu(t->dev, c->sgl, ENTRIES, DMA_BIDIRECTIONAL);
	entries_read_by_cpu(test, c, 0xa0, "entry after a sync");
	entries_written_by_cpu(c, 0xb0);
	dma_sync_sg_for_device(t->dev, c->sgl, ENTRIES, DMA_BIDIRECTIONAL);
	entries_read_by_device(test, t, c, 0xb0,
			       "entry after a sync for the device");

	/* and back, through the unmap */
	arm_dma_model_fill_all();
	entries_written_by_device(t, c, 0xc0);
	dma_unmap_sg(t->dev, c->sgl, ENTRIES, DMA_BIDIRECTIONAL);
	entries_read_by_cpu(test, c, 0xc0, "entry after the unmap");
}

static void a_highmem_page_is_handed_over(struct kunit *test)
{
	struct data_test *t = test->priv;
	struct page *page = model_pages(test, GFP_HIGHUSER, 0);
	dma_addr_t dma;
	u8 *va;

	if (!PageHighMem(page))
		kunit_skip(test, "the boot has no highmem to give");

	va = kmap_local_page(page);
	cpu_writes(va, 0, PAGE_SIZE, 0xd0);
	kunmap_local(va);
	dma = dma_map_page(t->dev, page, 0, PAGE_SIZE, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	expect_device_read(test, t, dma, 0, PAGE_SIZE, 0xd0, "highmem");
	arm_dma_model_fill_all();
	device_writes(t, dma, 0, PAGE_SIZE, 0xd1);
	dma_unmap_page(t->dev, dma, PAGE_SIZE, DMA_BIDIRECTIONAL);
	va = kmap_local_page(page);
	expect_cpu_reads(test, va, 0, PAGE_SIZE, 0xd1, "highmem");
	kunmap_local(va);
}

static void skip_cpu_sync_leaves_the_hand_over_to_explicit_syncs(struct kunit *test)
{
	struct data_test *t = test->priv;
	u8 *buf = model_buffer(test, 0);
	size_t len = PAGE_SIZE;
	dma_addr_t dma;

	cpu_writes(buf, 0, len, 0xe0);
	dma = map_or_fail(test, t, buf, len, DMA_BIDIRECTIONAL,
			  DMA_ATTR_SKIP_CPU_SYNC);
	dma_sync_single_for_device(t->dev, dma, len, DMA_BIDIRECTIONAL);
	expect_device_read(test, t, dma, 0, len, 0xe0, "after the sync");
	arm_dma_model_fill_all();
	device_writes(t, dma, 0, len, 0xe1);
	dma_sync_single_for_cpu(t->dev, dma, len, DMA_BIDIRECTIONAL);
	expect_cpu_reads(test, buf, 0, len, 0xe1, "after the sync");
	/* The CPU owns it again: an unmap that skips the sync keeps this. */
	cpu_writes(buf, 0, len, 0xe2);
	dma_unmap_single_attrs(t->dev, dma, len, DMA_BIDIRECTIONAL,
			       DMA_ATTR_SKIP_CPU_SYNC);
	expect_cpu_reads(test, buf, 0, len, 0xe2, "its own data after the unmap");
}

/* A buffer the caller maps cacheable: the syncs hand it over both ways. */
static void hand_over_by_syncs(struct kunit *test, struct data_test *t,
			       u8 *buf, dma_addr_t dma, size_t len,
			       const char *what)
{
	KUNIT_ASSERT_EQ(test, arm_dma_model_track(virt_to_phys(buf), len), 0);
	cpu_writes(buf, 0, len, 0xf0);
	dma_sync_single_for_device(t->dev, dma, len, DMA_TO_DEVICE);
	expect_device_read(test, t, dma, 0, len, 0xf0, what);
	dma_sync_single_for_device(t->dev, dma, len, DMA_FROM_DEVICE);
	arm_dma_model_fill_all();
	device_writes(t, dma, 0, len, 0xf1);
	dma_sync_single_for_cpu(t->dev, dma, len, DMA_FROM_DEVICE);
	expect_cpu_reads(test, buf, 0, len, 0xf1, what);
	arm_dma_model_untrack(virt_to_phys(buf));
}

static void noncoherent_allocations_are_handed_over_by_syncs(struct kunit *test)
{
	struct data_test *t = test->priv;
	size_t len = 2 * PAGE_SIZE;
	struct page *page;
	dma_addr_t dma;
	void *buf;

	buf = dma_alloc_noncoherent(t->dev, len, &dma, DMA_BIDIRECTIONAL,
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	hand_over_by_syncs(test, t, buf, dma, len, "dma_alloc_noncoherent");
	dma_free_noncoherent(t->dev, len, buf, dma, DMA_BIDIRECTIONAL);

	page = dma_alloc_pages(t->dev, len, &dma, DMA_BIDIRECTIONAL,
			       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	hand_over_by_syncs(test, t, page_address(page), dma, len,
			   "dma_alloc_pages");
	dma_free_pages(t->dev, len, page, dma, DMA_BIDIRECTIONAL);
}

/*
 * A coherent buffer reaches the device zeroed, whatever the CPU's caches
 * held of its pages before: the page goes into the model with dirty lines
 * of old data and back to the page allocator, which hands it out again.
 */
static void a_coherent_buffer_reaches_the_device_zeroed(struct kunit *test)
{
	struct data_test *t = test->priv;
	struct page *page = alloc_page(GFP_KERNEL);
	phys_addr_t phys;
	dma_addr_t dma;
	void *cpu;
	u8 *seen;

	KUNIT_ASSERT_NOT_NULL(test, page);
	phys = page_to_phys(page);
	memset(page_address(page), 0x5a, PAGE_SIZE);	/* in memory */
	KUNIT_ASSERT_EQ(test, arm_dma_model_track(phys, PAGE_SIZE), 0);
	memset(page_address(page), 0xa5, PAGE_SIZE);	/* in the caches */
	arm_dma_model_tick();
	__free_page(page);

	cpu = dma_alloc_coherent(t->dev, PAGE_SIZE, &dma, GFP_KERNEL);
	if (!cpu || device_phys(t, dma) != phys) {
		arm_dma_model_untrack(phys);
		if (cpu)
			dma_free_coherent(t->dev, PAGE_SIZE, cpu, dma);
		KUNIT_ASSERT_NOT_NULL(test, cpu);
		kunit_skip(test, "the allocator did not hand the page back (CMA or another page)");
	}
	seen = device_reads(t, dma, 0, PAGE_SIZE);
	KUNIT_EXPECT_TRUE_MSG(test, !memchr_inv(seen, 0, PAGE_SIZE),
			      "the device reads %#x at byte %ld", seen[0],
			      (long)((u8 *)memchr_inv(seen, 0, PAGE_SIZE) -
				     seen));
	arm_dma_model_untrack(phys);
	dma_free_coherent(t->dev, PAGE_SIZE, cpu, dma);
}

enum device_kind { OWN_DEVICE, EDU_BEHIND_SMMU };

static const enum device_kind device_kinds[] = { OWN_DEVICE, EDU_BEHIND_SMMU };

static void device_kind_desc(const enum device_kind *kind, char *desc)
{
	strscpy(desc, *kind == OWN_DEVICE ? "direct ops" : "edu behind the SMMU",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dev, device_kinds, device_kind_desc);

#if IS_ENABLED(CONFIG_PCI) && IS_ENABLED(CONFIG_ARM_DMA_IOMMU)
static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("arm-dma-cache-data-test", false);

static int data_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&edu_binding.driver);
}

static void data_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_binding.driver);
}

/* edu as a non-coherent master of arm_iommu_dma_ops, or a skip. */
static void edu_behind_smmu(struct kunit *test, struct data_test *t)
{
	if (!edu_binding.pdev)
		kunit_skip(test, "no edu device: QEMU -device edu");
	t->dev = &edu_binding.pdev->dev;
	if (!device_iommu_mapped(t->dev))
		kunit_skip(test, "edu is not behind an IOMMU: -machine iommu=smmuv3");
	if (dev_is_dma_coherent(t->dev))
		kunit_skip(test, "edu snoops here: boot with a PCIe host without dma-coherent");
	t->domain = iommu_get_domain_for_dev(t->dev);
	KUNIT_ASSERT_NOT_NULL(test, t->domain);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(t->dev,
							DMA_BIT_MASK(32)), 0);
}
#else
#define data_suite_init NULL
#define data_suite_exit NULL

static void edu_behind_smmu(struct kunit *test, struct data_test *t)
{
	kunit_skip(test, "no PCI or no IOMMU ops in this kernel");
}
#endif

static int data_test_init(struct kunit *test)
{
	struct data_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	test->priv = t;
	if (*(const enum device_kind *)test->param_value == OWN_DEVICE)
		t->dev = arm_dma_test_device(test, "cache-data", false);
	else
		edu_behind_smmu(test, t);
	arm_dma_model_reset(crc32_le(0, test->name, strlen(test->name)), 8);
	kunit_info(test, "cache model seed %u\n", arm_dma_model_seed());
	return 0;
}

static struct kunit_case arm_dma_cache_data_cases[] = {
	KUNIT_CASE_PARAM(the_device_reads_what_the_cpu_wrote_before_the_map, dev_gen_params),
	KUNIT_CASE_PARAM(the_cpu_reads_what_the_device_wrote_after_the_unmap, dev_gen_params),
	KUNIT_CASE_PARAM(syncs_hand_a_buffer_back_and_forth, dev_gen_params),
	KUNIT_CASE_PARAM(a_receive_buffer_is_reused_through_syncs, dev_gen_params),
	KUNIT_CASE_PARAM(a_transmit_buffer_is_reused_through_syncs, dev_gen_params),
	KUNIT_CASE_PARAM(a_ranged_sync_hands_over_its_range, dev_gen_params),
	KUNIT_CASE_PARAM(cpu_data_sharing_a_line_with_the_buffer_survives, dev_gen_params),
	KUNIT_CASE_PARAM(every_entry_of_a_scatterlist_is_handed_over, dev_gen_params),
	KUNIT_CASE_PARAM(a_highmem_page_is_handed_over, dev_gen_params),
	KUNIT_CASE_PARAM(skip_cpu_sync_leaves_the_hand_over_to_explicit_syncs, dev_gen_params),
	KUNIT_CASE_PARAM(noncoherent_allocations_are_handed_over_by_syncs, dev_gen_params),
	KUNIT_CASE_PARAM(a_coherent_buffer_reaches_the_device_zeroed, dev_gen_params),
	{}
};

static struct kunit_suite arm_dma_cache_data_suite = {
	.name = "arm_dma_cache_data",
	.suite_init = data_suite_init,
	.suite_exit = data_suite_exit,
	.init = data_test_init,
	.test_cases = arm_dma_cache_data_cases,
};

kunit_test_suite(arm_dma_cache_data_suite);
