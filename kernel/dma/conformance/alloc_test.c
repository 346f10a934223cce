// SPDX-License-Identifier: GPL-2.0
/*
 * Coherent allocations: zeroed, aligned, in reach of the coherent mask,
 * usable whatever their attributes, and without contiguous memory behind
 * an IOMMU when the CPU does not map them.
 *
 * Part of the DMA API conformance suites: see conformance.h.
 */
#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "conformance.h"

/*
 * The DMA address is aligned to the size rounded up to a power of two
 * pages, so that a buffer of 64 KiB or less does not cross a 64 KiB
 * boundary.  dma-api-howto.rst promises the CPU address that alignment
 * too, but neither this tree nor upstream gives it to a remapped buffer
 * (vmalloc aligns its areas to pages only).
 */
static void coherent_buffers_are_zeroed_aligned_and_in_reach(struct kunit *test)
{
	struct conformance_device *d;
	unsigned int i;

	for (d = conformance_devices; d < conformance_end(); d++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			size_t align = PAGE_SIZE << get_order(sizes[i]);
			dma_addr_t handle;
			void *buf;

			/* Dirty what the allocator may hand out next. */
			buf = kmalloc(sizes[i], GFP_KERNEL);
			if (buf)
				memset(buf, 0xa5, sizes[i]);
			kfree(buf);

			buf = dma_alloc_coherent(d->dev, sizes[i], &handle, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL_MSG(test, buf, "%s: %zu bytes",
						  d->name, sizes[i]);
			KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(buf, 0, sizes[i]), NULL,
						"%s: %zu bytes not zeroed", d->name,
						sizes[i]);
			KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED(handle, align),
					      "%s: %zu bytes at %pad", d->name,
					      sizes[i], &handle);
			KUNIT_EXPECT_TRUE_MSG(test, in_reach(handle, sizes[i],
							     coherent_mask(d->dev)),
					      "%s: %pad beyond the coherent mask",
					      d->name, &handle);
			dma_free_coherent(d->dev, sizes[i], buf, handle);
		}
	}
}

static const struct {
	const char *name;
	unsigned long attrs;
} attrs[] = {
	{ "none", 0 },
	{ "WRITE_COMBINE", DMA_ATTR_WRITE_COMBINE },
	{ "FORCE_CONTIGUOUS", DMA_ATTR_FORCE_CONTIGUOUS },
	{ "ALLOC_SINGLE_PAGES", DMA_ATTR_ALLOC_SINGLE_PAGES },
	{ "NO_WARN", DMA_ATTR_NO_WARN },
	{ "NO_KERNEL_MAPPING", DMA_ATTR_NO_KERNEL_MAPPING },
};

static void each_allocation_attribute_gives_a_buffer_in_reach(struct kunit *test)
{
	struct conformance_device *d;
	unsigned int i;

	for (d = conformance_devices; d < conformance_end(); d++) {
		for (i = 0; i < ARRAY_SIZE(attrs); i++) {
			bool mapped = !(attrs[i].attrs & DMA_ATTR_NO_KERNEL_MAPPING);
			dma_addr_t handle;
			void *buf;

			buf = dma_alloc_attrs(d->dev, SZ_64K, &handle, GFP_KERNEL,
					      attrs[i].attrs);
			KUNIT_ASSERT_NOT_NULL_MSG(test, buf, "%s: %s", d->name,
						  attrs[i].name);
			KUNIT_EXPECT_TRUE_MSG(test, in_reach(handle, SZ_64K,
							     coherent_mask(d->dev)),
					      "%s: %s at %pad", d->name,
					      attrs[i].name, &handle);
			/*
			 * What a device then reads is the cache data suite's to
			 * show (arch/arm/mm): writing and reading back here
			 * would prove nothing of it.
			 */
			if (mapped)
				KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(buf, 0, SZ_64K),
							NULL, "%s: %s not zeroed",
							d->name, attrs[i].name);
			dma_free_attrs(d->dev, SZ_64K, buf, handle, attrs[i].attrs);
		}
	}
}

static void atomic_allocations_are_zeroed_and_in_reach(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	struct conformance_device *d;
	dma_addr_t handle[3];
	void *buf[3];
	unsigned int i;

	for (d = conformance_devices; d < conformance_end(); d++) {
		spin_lock(&lock);
		for (i = 0; i < ARRAY_SIZE(buf); i++)
			buf[i] = dma_alloc_coherent(d->dev, sizes[i + 1], &handle[i],
						    GFP_ATOMIC);
		spin_unlock(&lock);
		for (i = 0; i < ARRAY_SIZE(buf); i++) {
			KUNIT_EXPECT_NOT_NULL_MSG(test, buf[i], "%s: %zu bytes",
						  d->name, sizes[i + 1]);
			if (!buf[i])
				continue;
			KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf[i], 0, sizes[i + 1]),
					    NULL);
			KUNIT_EXPECT_TRUE(test, in_reach(handle[i], sizes[i + 1],
							 coherent_mask(d->dev)));
			dma_free_coherent(d->dev, sizes[i + 1], buf[i], handle[i]);
		}
	}
}

static void allocated_pages_are_usable_and_in_reach(struct kunit *test)
{
	static const size_t page_sizes[] = { PAGE_SIZE, 5 * PAGE_SIZE, SZ_64K };
	struct conformance_device *d;
	unsigned int i;

	for (d = conformance_devices; d < conformance_end(); d++) {
		for (i = 0; i < ARRAY_SIZE(page_sizes); i++) {
			size_t size = page_sizes[i];
			dma_addr_t handle;
			struct page *page;

			page = dma_alloc_pages(d->dev, size, &handle,
					       DMA_BIDIRECTIONAL, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL_MSG(test, page, "%s: %zu bytes",
						  d->name, size);
			KUNIT_EXPECT_TRUE_MSG(test, in_reach(handle, size,
							     coherent_mask(d->dev)),
					      "%s: %zu bytes at %pad", d->name,
					      size, &handle);
			dma_free_pages(d->dev, size, page, handle, DMA_BIDIRECTIONAL);
		}
	}
}

static void noncoherent_buffers_are_usable_and_in_reach(struct kunit *test)
{
	struct conformance_device *d;
	unsigned int i;

	for (d = conformance_devices; d < conformance_end(); d++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			dma_addr_t handle;
			void *buf;

			buf = dma_alloc_noncoherent(d->dev, sizes[i], &handle,
						    DMA_TO_DEVICE, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL_MSG(test, buf, "%s: %zu bytes",
						  d->name, sizes[i]);
			KUNIT_EXPECT_TRUE(test, in_reach(handle, sizes[i],
							 coherent_mask(d->dev)));
			dma_free_noncoherent(d->dev, sizes[i], buf, handle,
					     DMA_TO_DEVICE);
		}
	}
}

static void noncontiguous_buffers_are_usable_through_their_mapping(struct kunit *test)
{
	struct conformance_device *d;
	struct scatterlist *sg;
	unsigned int i;

	for (d = conformance_devices; d < conformance_end(); d++) {
		size_t size = SZ_64K, seen = 0;
		struct sg_table *sgt;
		void *vaddr;

		sgt = dma_alloc_noncontiguous(d->dev, size, DMA_BIDIRECTIONAL,
					      GFP_KERNEL, 0);
		KUNIT_ASSERT_NOT_NULL_MSG(test, sgt, "%s", d->name);
		KUNIT_EXPECT_GE(test, sgt->nents, 1);
		for_each_sgtable_dma_sg(sgt, sg, i)
			KUNIT_EXPECT_TRUE(test, in_reach(sg_dma_address(sg),
							 sg_dma_len(sg),
							 dma_get_mask(d->dev)));
		for_each_sgtable_sg(sgt, sg, i)
			seen += sg->length;
		KUNIT_EXPECT_EQ(test, seen, size);

		vaddr = dma_vmap_noncontiguous(d->dev, size, sgt);
		KUNIT_EXPECT_NOT_NULL(test, vaddr);
		if (vaddr) {
			struct sg_page_iter piter;
			long at = -1;
			size_t off = 0;

			fill(vaddr, size, 3);
			flush_kernel_vmap_range(vaddr, size);
			/* The pages of the table are the memory behind vaddr. */
			for_each_sgtable_page(sgt, &piter, 0) {
				void *p = kmap_local_page(sg_page_iter_page(&piter));

				if (memcmp(p, vaddr + off, PAGE_SIZE))
					at = off;
				kunmap_local(p);
				off += PAGE_SIZE;
			}
			KUNIT_EXPECT_EQ_MSG(test, at, -1, "%s", d->name);
			dma_vunmap_noncontiguous(d->dev, vaddr);
		}
		dma_free_noncontiguous(d->dev, size, sgt, DMA_BIDIRECTIONAL);
	}
}

/*
 * Behind an IOMMU a buffer the CPU does not map needs no contiguous
 * memory: one larger than the page allocator gives in one piece is there
 * to be had, and its table and its user mapping show what the device wrote.
 */
static void an_unmapped_buffer_behind_an_iommu_needs_no_contiguous_memory(struct kunit *test)
{
	const size_t size = SZ_8M, step = SZ_1M + 100;
	struct conformance_device *d;
	unsigned int tried = 0;

	for (d = conformance_devices; d < conformance_end(); d++) {
		struct user_view v = { .map = user_view_unmapped, .dev = d->dev,
				       .size = size };
		struct sg_table sgt;
		size_t off;
		u8 *copy;

		if (!d->edu || !behind_iommu(d->dev))
			continue;
		tried++;
		v.cpu = dma_alloc_attrs(d->dev, size, &v.handle, GFP_KERNEL,
					DMA_ATTR_NO_KERNEL_MAPPING);
		KUNIT_ASSERT_NOT_NULL_MSG(test, v.cpu, "%s: %zu bytes", d->name,
					  size);
		KUNIT_EXPECT_TRUE(test, in_reach(v.handle, size,
						 coherent_mask(d->dev)));
		/* edu writes its buffer at a few places across the whole. */
		KUNIT_ASSERT_TRUE(test, edu_load(d, 11, QEMU_EDU_XFER));
		for (off = 0; off + QEMU_EDU_XFER <= size; off += step)
			KUNIT_EXPECT_TRUE(test, qemu_edu_dma(d->edu, v.handle + off,
							     true));
		KUNIT_ASSERT_EQ(test, dma_get_sgtable_attrs(d->dev, &sgt, v.cpu,
							    v.handle, size,
							    DMA_ATTR_NO_KERNEL_MAPPING),
				0);
		copy = kunit_kmalloc(test, QEMU_EDU_XFER, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, copy);
		for (off = 0; off + QEMU_EDU_XFER <= size; off += step) {
			size_t got = sg_pcopy_to_buffer(sgt.sgl, sgt.orig_nents,
							copy, QEMU_EDU_XFER, off);

			KUNIT_EXPECT_EQ_MSG(test, got, QEMU_EDU_XFER, "%s: at %zu",
					    d->name, off);
			KUNIT_EXPECT_EQ_MSG(test, differs(copy, QEMU_EDU_XFER, 11),
					    -1, "%s: at %zu", d->name, off);
		}
		sg_free_table(&sgt);
		/* And user space sees the same through mmap(). */
		for (off = 0; off + QEMU_EDU_XFER <= size; off += step) {
			memset(copy, 0, QEMU_EDU_XFER);
			KUNIT_EXPECT_TRUE(test,
					  user_view_copy(test, &v, copy, off,
							 QEMU_EDU_XFER));
			KUNIT_EXPECT_EQ_MSG(test, differs(copy, QEMU_EDU_XFER, 11),
					    -1, "%s: mmap at %zu", d->name, off);
		}
		dma_free_attrs(d->dev, size, v.cpu, v.handle,
			       DMA_ATTR_NO_KERNEL_MAPPING);
	}
	if (!tried)
		kunit_skip(test, "no device here moves data behind an IOMMU");
}

static struct kunit_case alloc_cases[] = {
	KUNIT_CASE(coherent_buffers_are_zeroed_aligned_and_in_reach),
	KUNIT_CASE(each_allocation_attribute_gives_a_buffer_in_reach),
	KUNIT_CASE(atomic_allocations_are_zeroed_and_in_reach),
	KUNIT_CASE(allocated_pages_are_usable_and_in_reach),
	KUNIT_CASE(noncoherent_buffers_are_usable_and_in_reach),
	KUNIT_CASE(noncontiguous_buffers_are_usable_through_their_mapping),
	KUNIT_CASE(an_unmapped_buffer_behind_an_iommu_needs_no_contiguous_memory),
	{}
};

static struct kunit_suite alloc_suite = {
	.name		= "dma_api_conformance_alloc",
	.suite_init	= conformance_devices_init,
	.suite_exit	= conformance_devices_exit,
	.test_cases	= alloc_cases,
};

kunit_test_suite(alloc_suite);
