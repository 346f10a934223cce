// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite: dma_alloc_coherent() on ARM.
 *
 * Each case is one sentence of the specification: which allocator serves a
 * request, and what the memory it returns looks like (bad frees are
 * dma-alloc-misuse-test.c's).  Allocators are told apart by the counters the selector keeps;
 * cache maintenance is seen by recording what the layer asks the caches to
 * do (QEMU does not model data caches, so stale data would prove nothing).
 *
 * Some cases need the kernel booted a certain way and skip otherwise: the
 * CMA case needs cma=, the remap case needs no CMA area, and the per-device
 * pool case needs RAM that the kernel was told not to use (mem=).
 */
#include <linux/anon_inodes.h>
#include <linux/cma.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/memblock.h>
#include <linux/mman.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/pgtable.h>

#include "dma-test-fixtures.h"

struct alloc_test {
	struct device *coherent;
	struct device *noncoherent;
	struct arm_dma_cache_log *log;
	long allocs[8];		/* per allocator, when the case began */
	long refused;
};

static struct alloc_test *ctx(struct kunit *test)
{
	return test->priv;
}

static void record_cache_calls(struct kunit *test)
{
	ctx(test)->log = arm_dma_log_cache_calls(test);
}

static struct device *test_device(struct kunit *test, bool coherent)
{
	struct device *dev;

	dev = arm_dma_test_device(test, coherent ? "arm-dma-coherent" :
						   "arm-dma-noncoherent",
				  coherent);
	KUNIT_ASSERT_PTR_EQ(test, get_dma_ops(dev),
			    coherent ? &arm_coherent_dma_ops : &arm_dma_ops);
	return dev;
}

static long allocs_of(const struct arm_dma_allocator *a)
{
	return atomic_long_read(&a->stats.allocs);
}

static void take_counts(struct alloc_test *t)
{
	unsigned int i;

	for (i = 0; i < arm_dma_nr_allocators; i++)
		t->allocs[i] = allocs_of(arm_dma_allocators[i]);
	t->refused = arm_dma_nr_refused_frees();
}

/* Since the case began, @who (or no allocator, if NULL) served one buffer. */
static void expect_served_by(struct kunit *test,
			     const struct arm_dma_allocator *who)
{
	unsigned int i;

	for (i = 0; i < arm_dma_nr_allocators; i++) {
		const struct arm_dma_allocator *a = arm_dma_allocators[i];

		KUNIT_EXPECT_EQ_MSG(test, allocs_of(a),
				    ctx(test)->allocs[i] + (a == who),
				    "allocations by %s", a->name);
	}
}

static struct page *cpu_page(const void *vaddr)
{
	return is_vmalloc_addr(vaddr) ? vmalloc_to_page(vaddr) :
					virt_to_page(vaddr);
}

static void expect_zeroed_pages(struct kunit *test, struct page *page,
				size_t size)
{
	size_t done;

	for (done = 0; done < size; done += PAGE_SIZE) {
		void *va = kmap_local_page(page + (done >> PAGE_SHIFT));

		KUNIT_EXPECT_NULL(test, memchr_inv(va, 0, PAGE_SIZE));
		kunmap_local(va);
	}
}

/* The memory type bits of the kernel page table entry mapping @vaddr. */
static pteval_t mapping_type(struct kunit *test, const void *vaddr)
{
	unsigned long addr = (unsigned long)vaddr;
	pmd_t *pmd;

	pmd = pmd_offset(pud_offset(p4d_offset(pgd_offset_k(addr), addr),
				    addr), addr);
	KUNIT_ASSERT_FALSE(test, pmd_none(*pmd));
	return pte_val(*pte_offset_kernel(pmd, addr)) & L_PTE_MT_MASK;
}

static pteval_t type_of(pgprot_t prot)
{
	return pgprot_val(prot) & L_PTE_MT_MASK;
}

/* The recorded calls flushed @size bytes at @page, inner and outer. */
static void expect_flushed(struct kunit *test, struct page *page, size_t size)
{
	struct alloc_test *t = ctx(test);
	size_t inner = 0;
	bool outer = false;
	unsigned int i;

	for (i = 0; i < t->log->n; i++) {
		struct arm_dma_cache_call *c = &t->log->calls[i];

		if (c->op != ARM_DMA_FLUSH)
			continue;
		if (c->outer)
			outer |= c->start == page_to_phys(page) &&
				 c->size == size;
		else
			inner += c->size;
	}
	KUNIT_EXPECT_EQ(test, inner, size);
	KUNIT_EXPECT_TRUE_MSG(test, outer, "no outer flush of %zu bytes at %pa",
			      size, &(phys_addr_t){ page_to_phys(page) });
}

static int alloc_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct alloc_test), GFP_KERNEL);
	if (!test->priv)
		return -ENOMEM;
	ctx(test)->coherent = test_device(test, true);
	ctx(test)->noncoherent = test_device(test, false);
	take_counts(ctx(test));
	return 0;
}

static void a_coherent_device_gets_zeroed_linear_pages_from_simple(struct kunit *test)
{
	struct device *dev = ctx(test)->coherent;
	dma_addr_t handle;
	void *vaddr;

	record_cache_calls(test);
	vaddr = dma_alloc_coherent(dev, 3 * PAGE_SIZE, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vaddr);

	expect_served_by(test, &arm_dma_simple_allocator);
	KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(vaddr));
	KUNIT_EXPECT_PTR_EQ(test, vaddr, page_address(virt_to_page(vaddr)));
	KUNIT_EXPECT_EQ(test, handle,
			phys_to_dma(dev, page_to_phys(virt_to_page(vaddr))));
	KUNIT_EXPECT_NULL(test, memchr_inv(vaddr, 0, 3 * PAGE_SIZE));
	KUNIT_EXPECT_EQ_MSG(test, ctx(test)->log->n, 0,
			    "a coherent device needs no cache maintenance");

	dma_free_coherent(dev, 3 * PAGE_SIZE, vaddr, handle);
}

static void a_noncoherent_device_that_may_sleep_gets_remapped_uncached_pages(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	dma_addr_t handle;
	void *vaddr;

	if (dev_get_cma_area(dev))
		kunit_skip(test, "booted with a CMA area: the CMA case serves this device");

	record_cache_calls(test);
	vaddr = dma_alloc_coherent(dev, 2 * PAGE_SIZE, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vaddr);

	expect_served_by(test, &arm_dma_remap_allocator);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(vaddr));
	KUNIT_EXPECT_EQ(test, mapping_type(test, vaddr),
			type_of(pgprot_dmacoherent(PAGE_KERNEL)));
	KUNIT_EXPECT_EQ(test, handle,
			phys_to_dma(dev, page_to_phys(cpu_page(vaddr))));
	KUNIT_EXPECT_PTR_EQ(test, cpu_page(vaddr + PAGE_SIZE),
			    cpu_page(vaddr) + 1);
	KUNIT_EXPECT_NULL(test, memchr_inv(vaddr, 0, 2 * PAGE_SIZE));
	expect_flushed(test, cpu_page(vaddr), 2 * PAGE_SIZE);

	dma_free_coherent(dev, 2 * PAGE_SIZE, vaddr, handle);
}

static void a_noncoherent_device_that_cannot_sleep_gets_the_atomic_pool(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	struct arm_dma_pool_usage before, during, after;
	dma_addr_t handle;
	void *vaddr;

	arm_dma_pool_usage(&before);
	KUNIT_ASSERT_GT(test, before.size, 0);

	vaddr = dma_alloc_coherent(dev, SZ_8K, &handle, GFP_ATOMIC);
	KUNIT_ASSERT_NOT_NULL(test, vaddr);
	arm_dma_pool_usage(&during);

	expect_served_by(test, &arm_dma_pool_allocator);
	KUNIT_EXPECT_EQ(test, during.used, before.used + SZ_8K);
	KUNIT_EXPECT_GE(test, during.high_water, during.used);
	KUNIT_EXPECT_EQ(test, mapping_type(test, vaddr),
			type_of(pgprot_dmacoherent(PAGE_KERNEL)));
	KUNIT_EXPECT_EQ(test, handle,
			phys_to_dma(dev, page_to_phys(cpu_page(vaddr))));
	KUNIT_EXPECT_NULL(test, memchr_inv(vaddr, 0, SZ_8K));

	dma_free_coherent(dev, SZ_8K, vaddr, handle);
	arm_dma_pool_usage(&after);
	KUNIT_EXPECT_EQ(test, after.used, before.used);
}

static void a_device_with_a_cma_area_gets_cma_memory(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	struct cma *area = dev_get_cma_area(dev);
	phys_addr_t base, phys;
	dma_addr_t handle;
	void *vaddr;

	if (!area)
		kunit_skip(test, "no CMA area: boot with cma=");

	record_cache_calls(test);
	vaddr = dma_alloc_coherent(dev, SZ_64K, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vaddr);

	expect_served_by(test, &arm_dma_cma_allocator);
	base = cma_get_base(area);
	phys = page_to_phys(cpu_page(vaddr));
	KUNIT_EXPECT_GE(test, phys, base);
	KUNIT_EXPECT_LE(test, phys + SZ_64K, base + cma_get_size(area));
	KUNIT_EXPECT_EQ(test, handle, phys_to_dma(dev, phys));
	KUNIT_EXPECT_EQ(test, mapping_type(test, vaddr),
			type_of(pgprot_dmacoherent(PAGE_KERNEL)));
	KUNIT_EXPECT_NULL(test, memchr_inv(vaddr, 0, SZ_64K));
	expect_flushed(test, cpu_page(vaddr), SZ_64K);

	dma_free_coherent(dev, SZ_64K, vaddr, handle);
}

/* Filled up, the CMA area gives way to remapped pages, as dma-direct's does. */
static void an_exhausted_cma_area_falls_back_to_remapped_pages(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	struct cma *area = dev_get_cma_area(dev);
	unsigned int n, max;
	dma_addr_t *handles;
	void **bufs;
	long cma;

	if (!area)
		kunit_skip(test, "no CMA area: boot with cma=");
	max = cma_get_size(area) / SZ_1M + 1;
	bufs = kunit_kcalloc(test, max, sizeof(*bufs), GFP_KERNEL);
	handles = kunit_kcalloc(test, max, sizeof(*handles), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, bufs && handles);

	for (n = 0; n < max; n++) {
		cma = allocs_of(&arm_dma_cma_allocator);
		take_counts(ctx(test));
		bufs[n] = dma_alloc_coherent(dev, SZ_1M, &handles[n],
					     GFP_KERNEL | __GFP_NOWARN);
		if (!bufs[n] || allocs_of(&arm_dma_cma_allocator) == cma)
			break;
	}
	if (n < max && bufs[n]) {
		expect_served_by(test, &arm_dma_remap_allocator);
		KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(bufs[n]));
		KUNIT_EXPECT_NULL(test, memchr_inv(bufs[n], 0, SZ_1M));
	} else {
		KUNIT_FAIL(test, "buffer %u of 1 MiB: %s", n, n < max ?
			   "not allocated" : "the CMA area held more than its size");
	}
	for (n = 0; n < max; n++)
		if (bufs[n])
			dma_free_coherent(dev, SZ_1M, bufs[n], handles[n]);
}

/*
 * Larger than the page allocator's largest block, with no CMA area: no
 * allocator suits, none is asked (the page allocator would WARN), NULL.
 */
static void a_request_no_allocator_suits_fails_without_asking_any(struct kunit *test)
{
	struct device *dev = ctx(test)->coherent;
	size_t size = PAGE_SIZE << (MAX_PAGE_ORDER + 1);
	long failures[ARRAY_SIZE(ctx(test)->allocs)];
	dma_addr_t handle;
	unsigned int i;

	if (dev_get_cma_area(dev))
		kunit_skip(test, "booted with a CMA area: it serves this request");
	for (i = 0; i < arm_dma_nr_allocators; i++)
		failures[i] = atomic_long_read(&arm_dma_allocators[i]->stats.failures);

	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(dev, size, &handle, GFP_KERNEL));
	expect_served_by(test, NULL);
	for (i = 0; i < arm_dma_nr_allocators; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    atomic_long_read(&arm_dma_allocators[i]->stats.failures),
				    failures[i], "%s was asked",
				    arm_dma_allocators[i]->name);
}

static void a_coherent_request_too_large_for_the_page_allocator_gets_cma(struct kunit *test)
{
	struct device *dev = ctx(test)->coherent;
	size_t size = PAGE_SIZE << (MAX_PAGE_ORDER + 1);
	struct cma *area = dev_get_cma_area(dev);
	dma_addr_t handle;
	void *vaddr;

	if (!area || cma_get_size(area) < 2 * size)
		kunit_skip(test, "no CMA area of %zu bytes: boot with cma=", 2 * size);

	record_cache_calls(test);
	vaddr = dma_alloc_coherent(dev, size, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vaddr);

	expect_served_by(test, &arm_dma_cma_allocator);
	KUNIT_EXPECT_EQ(test, handle,
			phys_to_dma(dev, page_to_phys(cpu_page(vaddr))));
	KUNIT_EXPECT_NULL(test, memchr_inv(vaddr, 0, size));
	KUNIT_EXPECT_EQ_MSG(test, ctx(test)->log->n, 0,
			    "a coherent device needs no cache maintenance");

	dma_free_coherent(dev, size, vaddr, handle);
}

/*
 * RAM the device tree describes beyond what the kernel uses (mem=): the
 * only memory a pool may be declared over, since ARM refuses a second,
 * uncached mapping of the kernel's own RAM.
 */
static bool hidden_ram(phys_addr_t *base, size_t size)
{
	struct device_node *np = of_find_node_by_type(NULL, "memory");
	phys_addr_t end = memblock_end_of_DRAM();
	struct resource res;
	int ret;

	if (!np)
		return false;
	ret = of_address_to_resource(np, 0, &res);
	of_node_put(np);
	if (ret || res.end < end + size - 1)
		return false;
	*base = end;
	return true;
}

static void release_pool(void *dev)
{
	dma_release_coherent_memory(dev);
}

static void a_declared_device_pool_serves_before_every_allocator(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	dma_addr_t pool_dma, sleeping, atomic, whole;
	void *a, *b, *c;
	phys_addr_t base;

	if (!hidden_ram(&base, SZ_64K))
		kunit_skip(test, "no RAM hidden from the kernel: boot with mem=");

	pool_dma = phys_to_dma(dev, base);
	KUNIT_ASSERT_EQ(test, dma_declare_coherent_memory(dev, base, pool_dma,
							  SZ_64K), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, release_pool, dev), 0);

	a = dma_alloc_coherent(dev, SZ_16K, &sleeping, GFP_KERNEL);
	b = dma_alloc_coherent(dev, PAGE_SIZE, &atomic, GFP_ATOMIC);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	expect_served_by(test, NULL);
	KUNIT_EXPECT_GE(test, sleeping, pool_dma);
	KUNIT_EXPECT_LE(test, sleeping + SZ_16K, pool_dma + SZ_64K);
	KUNIT_EXPECT_GE(test, atomic, pool_dma);
	KUNIT_EXPECT_LE(test, atomic + PAGE_SIZE, pool_dma + SZ_64K);
	KUNIT_EXPECT_NULL(test, memchr_inv(a, 0, SZ_16K));

	/* Both frees go back to the pool: all of it can be had again. */
	dma_free_coherent(dev, SZ_16K, a, sleeping);
	dma_free_coherent(dev, PAGE_SIZE, b, atomic);
	c = dma_alloc_coherent(dev, SZ_64K, &whole, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, whole, pool_dma);

	/* A full pool fails; it does not fall back to other memory. */
	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(dev, PAGE_SIZE, &sleeping,
						   GFP_KERNEL));
	expect_served_by(test, NULL);
	dma_free_coherent(dev, SZ_64K, c, whole);
}

static long live_bytes(const struct arm_dma_allocator *a)
{
	return atomic_long_read(&a->stats.live_bytes);
}

static long frees_of(const struct arm_dma_allocator *a)
{
	return atomic_long_read(&a->stats.frees);
}

static void alloc_free_and_expect_return(struct kunit *test,
					 struct device *dev, gfp_t gfp,
					 struct arm_dma_allocator *who)
{
	long live = live_bytes(who), frees = frees_of(who);
	dma_addr_t handle;
	void *vaddr;

	vaddr = dma_alloc_coherent(dev, SZ_16K, &handle, gfp);
	KUNIT_ASSERT_NOT_NULL(test, vaddr);
	KUNIT_EXPECT_EQ_MSG(test, live_bytes(who), live + SZ_16K, "%s", who->name);
	dma_free_coherent(dev, SZ_16K, vaddr, handle);
	KUNIT_EXPECT_EQ_MSG(test, live_bytes(who), live, "%s", who->name);
	KUNIT_EXPECT_EQ_MSG(test, frees_of(who), frees + 1, "%s", who->name);
}

static void free_gives_each_buffer_back_to_the_allocator_that_served_it(struct kunit *test)
{
	struct device *noncoherent = ctx(test)->noncoherent;
	struct arm_dma_pool_usage before, after;

	arm_dma_pool_usage(&before);
	alloc_free_and_expect_return(test, ctx(test)->coherent, GFP_KERNEL,
				     &arm_dma_simple_allocator);
	alloc_free_and_expect_return(test, noncoherent, GFP_ATOMIC,
				     &arm_dma_pool_allocator);
	alloc_free_and_expect_return(test, noncoherent, GFP_KERNEL,
				     dev_get_cma_area(noncoherent) ?
				     &arm_dma_cma_allocator :
				     &arm_dma_remap_allocator);
	arm_dma_pool_usage(&after);
	KUNIT_EXPECT_EQ(test, after.used, before.used);
	KUNIT_EXPECT_EQ(test, arm_dma_nr_refused_frees(), ctx(test)->refused);
}

static void an_exhausted_atomic_pool_fails_cleanly_and_recovers(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	long failures = atomic_long_read(&arm_dma_pool_allocator.stats.failures);
	struct arm_dma_pool_usage before, after;
	unsigned int n, max;
	dma_addr_t *handles;
	void **bufs;

	arm_dma_pool_usage(&before);
	KUNIT_ASSERT_GT(test, before.size, 0);
	max = before.size / SZ_16K + 1;
	bufs = kunit_kcalloc(test, max, sizeof(*bufs), GFP_KERNEL);
	handles = kunit_kcalloc(test, max, sizeof(*handles), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bufs);
	KUNIT_ASSERT_NOT_NULL(test, handles);

	for (n = 0; n < max; n++) {
		bufs[n] = dma_alloc_coherent(dev, SZ_16K, &handles[n], GFP_ATOMIC);
		if (!bufs[n])
			break;
	}
	KUNIT_EXPECT_LT_MSG(test, n, max, "the pool never ran out");
	KUNIT_EXPECT_EQ(test, handles[n], DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&arm_dma_pool_allocator.stats.failures),
			failures + 1);
	KUNIT_EXPECT_LE(test, (size_t)n * SZ_16K, before.size - before.used);

	while (n--)
		dma_free_coherent(dev, SZ_16K, bufs[n], handles[n]);
	arm_dma_pool_usage(&after);
	KUNIT_EXPECT_EQ(test, after.used, before.used);
	KUNIT_EXPECT_GE(test, after.high_water, before.size - SZ_16K);

	bufs[0] = dma_alloc_coherent(dev, SZ_16K, &handles[0], GFP_ATOMIC);
	KUNIT_EXPECT_NOT_NULL(test, bufs[0]);
	if (bufs[0])
		dma_free_coherent(dev, SZ_16K, bufs[0], handles[0]);
}

/* What the selector says when a coherent mask can never hold a buffer. */
#define NEVER_UNDER_MASK "can never be allocated under coherent mask"

static void a_coherent_mask_below_all_memory_is_refused(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	struct kmsg_dump_iter log;
	dma_addr_t handle = 0;

	KUNIT_ASSERT_GT(test, phys_to_dma(dev, memblock_start_of_DRAM()),
			DMA_BIT_MASK(24));

	KUNIT_EXPECT_NE(test, dma_set_coherent_mask(dev, DMA_BIT_MASK(24)), 0);
	dev->coherent_dma_mask = DMA_BIT_MASK(24);
	arm_dma_test_log_start(&log);
	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(dev, PAGE_SIZE, &handle,
						   GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, handle, DMA_MAPPING_ERROR);
	/* Refused up front, saying why, not after a futile allocation. */
	KUNIT_EXPECT_TRUE(test, arm_dma_test_logged(&log, dev, NEVER_UNDER_MASK));
	expect_served_by(test, NULL);
}

static void a_32_bit_coherent_mask_gets_memory_below_4g(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	dma_addr_t handle;
	void *vaddr;

	KUNIT_ASSERT_EQ(test, dma_set_coherent_mask(dev, DMA_BIT_MASK(32)), 0);
	vaddr = dma_alloc_coherent(dev, SZ_64K, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vaddr);
	KUNIT_EXPECT_LE(test, (u64)handle + SZ_64K - 1, DMA_BIT_MASK(32));
	dma_free_coherent(dev, SZ_64K, vaddr, handle);
}

static void a_size_the_coherent_mask_cannot_hold_is_refused(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	dma_addr_t lowest = phys_to_dma(dev, memblock_start_of_DRAM());
	u64 mask = DMA_BIT_MASK(31);
	struct kmsg_dump_iter log;
	dma_addr_t handle = 0;

	KUNIT_ASSERT_GT(test, mask, lowest);
	dev->coherent_dma_mask = mask;
	arm_dma_test_log_start(&log);
	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(dev, mask - lowest + 1 + PAGE_SIZE,
						   &handle, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, handle, DMA_MAPPING_ERROR);
	/*
	 * No allocator could give that much either: what shows the mask was
	 * the reason is the message.
	 */
	KUNIT_EXPECT_TRUE(test, arm_dma_test_logged(&log, dev, NEVER_UNDER_MASK));
	expect_served_by(test, NULL);
}

static void no_kernel_mapping_returns_the_page_and_still_flushes_caches(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	unsigned long attrs = DMA_ATTR_NO_KERNEL_MAPPING;
	long frees = frees_of(&arm_dma_remap_allocator) +
		     frees_of(&arm_dma_cma_allocator);
	struct page *page;
	dma_addr_t handle;

	record_cache_calls(test);
	page = dma_alloc_attrs(dev, SZ_8K, &handle, GFP_KERNEL, attrs);
	KUNIT_ASSERT_NOT_NULL(test, page);

	KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(page));
	KUNIT_EXPECT_EQ(test, handle, phys_to_dma(dev, page_to_phys(page)));
	expect_zeroed_pages(test, page, SZ_8K);
	expect_flushed(test, page, SZ_8K);

	dma_free_attrs(dev, SZ_8K, page, handle, attrs);
	KUNIT_EXPECT_EQ(test, frees_of(&arm_dma_remap_allocator) +
			frees_of(&arm_dma_cma_allocator), frees + 1);
}

static void write_combine_maps_the_buffer_bufferable(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	dma_addr_t handle;
	void *vaddr;

	vaddr = dma_alloc_attrs(dev, PAGE_SIZE, &handle, GFP_KERNEL,
				DMA_ATTR_WRITE_COMBINE);
	KUNIT_ASSERT_NOT_NULL(test, vaddr);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(vaddr));
	KUNIT_EXPECT_EQ(test, mapping_type(test, vaddr),
			type_of(pgprot_writecombine(PAGE_KERNEL)));
	dma_free_attrs(dev, PAGE_SIZE, vaddr, handle, DMA_ATTR_WRITE_COMBINE);
}

static void get_sgtable_describes_the_whole_buffer(struct kunit *test)
{
	struct device *dev = ctx(test)->noncoherent;
	struct sg_table sgt;
	dma_addr_t handle;
	void *vaddr;

	vaddr = dma_alloc_coherent(dev, 3 * PAGE_SIZE - 100, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vaddr);

	KUNIT_ASSERT_EQ(test, dma_get_sgtable(dev, &sgt, vaddr, handle,
					      3 * PAGE_SIZE - 100), 0);
	KUNIT_EXPECT_EQ(test, sgt.orig_nents, 1);
	KUNIT_EXPECT_PTR_EQ(test, sg_page(sgt.sgl), cpu_page(vaddr));
	KUNIT_EXPECT_EQ(test, sgt.sgl->offset, 0);
	KUNIT_EXPECT_EQ(test, sgt.sgl->length, 3 * PAGE_SIZE);
	sg_free_table(&sgt);

	dma_free_coherent(dev, 3 * PAGE_SIZE - 100, vaddr, handle);
	KUNIT_EXPECT_EQ(test, dma_get_sgtable(dev, &sgt, vaddr, handle, PAGE_SIZE),
			-ENXIO);
}

struct mmap_target {
	struct device *dev;
	void *cpu_addr;
	dma_addr_t handle;
	size_t size;
};

static int mmap_target_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmap_target *t = file->private_data;

	return dma_mmap_coherent(t->dev, vma, t->cpu_addr, t->handle, t->size);
}

static const struct file_operations mmap_target_fops = {
	.mmap = mmap_target_mmap,
};

static void put_file(void *file)
{
	fput(file);
}

static void mmap_gives_user_space_the_buffer_uncached(struct kunit *test)
{
	struct mmap_target t = { .dev = ctx(test)->noncoherent, .size = SZ_8K };
	unsigned long uaddr, too_big;
	struct vm_area_struct *vma;
	struct file *file;
	u8 *seen;
	pgprot_t prot;

	seen = kunit_kmalloc(test, t.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	t.cpu_addr = dma_alloc_coherent(t.dev, t.size, &t.handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t.cpu_addr);
	memset(t.cpu_addr, 0x3c, t.size);

	file = anon_inode_getfile("arm-dma-test", &mmap_target_fops, &t, O_RDWR);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_file, file), 0);

	uaddr = kunit_vm_mmap(test, file, 0, t.size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(uaddr));
	KUNIT_ASSERT_NE(test, uaddr, 0);
	KUNIT_EXPECT_EQ(test, copy_from_user(seen, (void __user *)uaddr, t.size), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(seen, 0x3c, t.size));

	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, uaddr);
	prot = vma ? vma->vm_page_prot : __pgprot(0);
	mmap_read_unlock(current->mm);
	KUNIT_EXPECT_NOT_NULL(test, vma);
	KUNIT_EXPECT_EQ(test, type_of(prot), type_of(pgprot_dmacoherent(PAGE_KERNEL)));

	/* A mapping larger than the buffer is refused. */
	too_big = kunit_vm_mmap(test, file, 0, t.size + PAGE_SIZE,
				PROT_READ, MAP_SHARED, 0);
	KUNIT_EXPECT_TRUE(test, IS_ERR_VALUE(too_big));

	vm_munmap(uaddr, t.size);
	dma_free_coherent(t.dev, t.size, t.cpu_addr, t.handle);
}

/*
 * dma_alloc_pages() and dma_alloc_noncoherent() hand out pages the CPU
 * reaches through page_address(): lowmem, zeroed, within the coherent
 * mask, even where the default CMA area lies in highmem (the -cma runs).
 */
static void dma_alloc_pages_gives_zeroed_lowmem_within_the_coherent_mask(struct kunit *test)
{
	struct device *devs[] = { ctx(test)->coherent, ctx(test)->noncoherent };
	size_t size = 3 * PAGE_SIZE;
	dma_addr_t handle;
	struct page *page;
	unsigned int i;
	void *vaddr;

	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		struct device *dev = devs[i];

		page = dma_alloc_pages(dev, size, &handle, DMA_BIDIRECTIONAL,
				       GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_EXPECT_FALSE(test, PageHighMem(page));
		KUNIT_EXPECT_EQ(test, handle,
				phys_to_dma(dev, page_to_phys(page)));
		KUNIT_EXPECT_LE(test, handle + size - 1, dev->coherent_dma_mask);
		KUNIT_EXPECT_NULL(test, memchr_inv(page_address(page), 0, size));
		dma_free_pages(dev, size, page, handle, DMA_BIDIRECTIONAL);

		vaddr = dma_alloc_noncoherent(dev, size, &handle,
					      DMA_FROM_DEVICE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, vaddr);
		KUNIT_EXPECT_EQ(test, handle, phys_to_dma(dev, virt_to_phys(vaddr)));
		KUNIT_EXPECT_NULL(test, memchr_inv(vaddr, 0, size));
		dma_free_noncoherent(dev, size, vaddr, handle, DMA_FROM_DEVICE);
	}
}

static struct kunit_case arm_dma_alloc_cases[] = {
	KUNIT_CASE(a_coherent_device_gets_zeroed_linear_pages_from_simple),
	KUNIT_CASE(a_noncoherent_device_that_may_sleep_gets_remapped_uncached_pages),
	KUNIT_CASE(a_noncoherent_device_that_cannot_sleep_gets_the_atomic_pool),
	KUNIT_CASE(a_device_with_a_cma_area_gets_cma_memory),
	KUNIT_CASE(an_exhausted_cma_area_falls_back_to_remapped_pages),
	KUNIT_CASE(a_request_no_allocator_suits_fails_without_asking_any),
	KUNIT_CASE(a_coherent_request_too_large_for_the_page_allocator_gets_cma),
	KUNIT_CASE(a_declared_device_pool_serves_before_every_allocator),
	KUNIT_CASE(free_gives_each_buffer_back_to_the_allocator_that_served_it),
	KUNIT_CASE(an_exhausted_atomic_pool_fails_cleanly_and_recovers),
	KUNIT_CASE(a_coherent_mask_below_all_memory_is_refused),
	KUNIT_CASE(a_32_bit_coherent_mask_gets_memory_below_4g),
	KUNIT_CASE(a_size_the_coherent_mask_cannot_hold_is_refused),
	KUNIT_CASE(no_kernel_mapping_returns_the_page_and_still_flushes_caches),
	KUNIT_CASE(write_combine_maps_the_buffer_bufferable),
	KUNIT_CASE(get_sgtable_describes_the_whole_buffer),
	KUNIT_CASE(mmap_gives_user_space_the_buffer_uncached),
	KUNIT_CASE(dma_alloc_pages_gives_zeroed_lowmem_within_the_coherent_mask),
	{}
};

static struct kunit_suite arm_dma_alloc_suite = {
	.name = "arm_dma_alloc",
	.init = alloc_test_init,
	.test_cases = arm_dma_alloc_cases,
};

kunit_test_suite(arm_dma_alloc_suite);

MODULE_DESCRIPTION("KUnit: coherent DMA allocations on ARM");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
