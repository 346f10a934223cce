// SPDX-License-Identifier: GPL-2.0
/*
 * Exported buffers: what dma_get_sgtable() and dma_mmap_*() give a
 * dma-buf importer or user space is the buffer itself.
 *
 * Part of the DMA API conformance suites: see conformance.h.
 */
#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/scatterlist.h>

#include "conformance.h"

static void a_coherent_buffer_exported_as_a_table_is_the_buffer(struct kunit *test)
{
	struct conformance_device *d;
	unsigned int i;

	for (d = conformance_devices; d < conformance_end(); d++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			struct sg_table sgt;
			dma_addr_t handle;
			void *buf;
			int ret;

			buf = dma_alloc_coherent(d->dev, sizes[i], &handle, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, buf);
			fill(buf, sizes[i], i);
			ret = dma_get_sgtable(d->dev, &sgt, buf, handle, sizes[i]);
			KUNIT_EXPECT_EQ_MSG(test, ret, 0, "%s: %zu bytes", d->name,
					    sizes[i]);
			if (!ret) {
				KUNIT_EXPECT_EQ_MSG(test, table_holds(&sgt, buf, sizes[i]),
						    -1, "%s: %zu bytes", d->name,
						    sizes[i]);
				sg_free_table(&sgt);
			}
			dma_free_coherent(d->dev, sizes[i], buf, handle);
		}
	}
}

static void a_buffer_mapped_to_user_space_is_the_buffer(struct kunit *test)
{
	struct conformance_device *d;

	for (d = conformance_devices; d < conformance_end(); d++) {
		struct user_view v = { .dev = d->dev, .size = SZ_64K };
		void *vaddr;

		v.map = user_view_coherent;
		v.cpu = dma_alloc_coherent(d->dev, v.size, &v.handle, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, v.cpu);
		fill(v.cpu, v.size, 1);
		KUNIT_EXPECT_EQ_MSG(test, user_view_sees(test, &v, 1), -1,
				    "%s: coherent", d->name);
		dma_free_coherent(d->dev, v.size, v.cpu, v.handle);

		v.map = user_view_pages;
		v.page = dma_alloc_pages(d->dev, v.size, &v.handle,
					 DMA_BIDIRECTIONAL, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, v.page);
		KUNIT_EXPECT_EQ(test, pages_hold(v.page, v.size, 2), -1);
		KUNIT_EXPECT_EQ_MSG(test, user_view_sees(test, &v, 2), -1,
				    "%s: pages", d->name);
		dma_free_pages(d->dev, v.size, v.page, v.handle, DMA_BIDIRECTIONAL);

		v.map = user_view_noncontiguous;
		v.sgt = dma_alloc_noncontiguous(d->dev, v.size, DMA_BIDIRECTIONAL,
						GFP_KERNEL, 0);
		KUNIT_ASSERT_NOT_NULL(test, v.sgt);
		vaddr = dma_vmap_noncontiguous(d->dev, v.size, v.sgt);
		KUNIT_ASSERT_NOT_NULL(test, vaddr);
		fill(vaddr, v.size, 3);
		flush_kernel_vmap_range(vaddr, v.size);
		KUNIT_EXPECT_EQ_MSG(test, user_view_sees(test, &v, 3), -1,
				    "%s: noncontiguous", d->name);
		dma_vunmap_noncontiguous(d->dev, vaddr);
		dma_free_noncontiguous(d->dev, v.size, v.sgt, DMA_BIDIRECTIONAL);
	}
}

static struct kunit_case export_cases[] = {
	KUNIT_CASE(a_coherent_buffer_exported_as_a_table_is_the_buffer),
	KUNIT_CASE(a_buffer_mapped_to_user_space_is_the_buffer),
	{}
};

static struct kunit_suite export_suite = {
	.name		= "dma_api_conformance_export",
	.suite_init	= conformance_devices_init,
	.suite_exit	= conformance_devices_exit,
	.test_cases	= export_cases,
};

kunit_test_suite(export_suite);
