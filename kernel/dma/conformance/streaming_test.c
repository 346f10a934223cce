// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming mappings carry real data: edu moves it through every kind of
 * mapping, in each direction, and the CPU sees it after the hand-over.
 *
 * Part of the DMA API conformance suites: see conformance.h.
 */
#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "conformance.h"

static void the_device_reads_and_writes_a_coherent_buffer(struct kunit *test)
{
	struct conformance_device *d;
	dma_addr_t handle;
	void *buf;

	for (d = first_engine(test); d; d = next_engine(d)) {
		buf = dma_alloc_coherent(d->dev, SZ_4K, &handle, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		fill(buf, QEMU_EDU_XFER, 5);
		KUNIT_ASSERT_TRUE(test, qemu_edu_dma(d->edu, handle, false));
		memset(buf, 0, QEMU_EDU_XFER);
		KUNIT_ASSERT_TRUE(test, qemu_edu_dma(d->edu, handle + 2048, true));
		KUNIT_EXPECT_EQ_MSG(test, differs(buf + 2048, QEMU_EDU_XFER, 5), -1,
				    "%s", d->name);
		dma_free_coherent(d->dev, SZ_4K, buf, handle);
	}
}

static void single_mappings_carry_data_each_way(struct kunit *test)
{
	struct conformance_device *d;
	dma_addr_t handle;
	u8 *buf;

	for (d = first_engine(test); d; d = next_engine(d)) {
		buf = kunit_kmalloc(test, QEMU_EDU_XFER, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);

		fill(buf, QEMU_EDU_XFER, 6);
		handle = dma_map_single(d->dev, buf, QEMU_EDU_XFER, DMA_TO_DEVICE);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(d->dev, handle));
		KUNIT_EXPECT_TRUE(test, qemu_edu_dma(d->edu, handle, false));
		dma_unmap_single(d->dev, handle, QEMU_EDU_XFER, DMA_TO_DEVICE);
		KUNIT_EXPECT_EQ_MSG(test, edu_holds(d, 6, QEMU_EDU_XFER), -1,
				    "%s: to the device", d->name);

		memset(buf, 0, QEMU_EDU_XFER);
		handle = dma_map_single(d->dev, buf, QEMU_EDU_XFER, DMA_FROM_DEVICE);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(d->dev, handle));
		KUNIT_EXPECT_TRUE(test, qemu_edu_dma(d->edu, handle, true));
		dma_unmap_single(d->dev, handle, QEMU_EDU_XFER, DMA_FROM_DEVICE);
		KUNIT_EXPECT_EQ_MSG(test, differs(buf, QEMU_EDU_XFER, 6), -1,
				    "%s: from the device", d->name);
	}
}

static void a_highmem_page_mapping_carries_data(struct kunit *test)
{
	struct conformance_device *d;
	dma_addr_t handle;
	struct page *page;
	void *p;

	for (d = first_engine(test); d; d = next_engine(d)) {
		page = alloc_page(GFP_HIGHUSER);
		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_ASSERT_TRUE(test, edu_load(d, 7, QEMU_EDU_XFER));
		handle = dma_map_page(d->dev, page, 512, QEMU_EDU_XFER,
				      DMA_FROM_DEVICE);
		KUNIT_EXPECT_FALSE(test, dma_mapping_error(d->dev, handle));
		if (!dma_mapping_error(d->dev, handle)) {
			KUNIT_EXPECT_TRUE(test, qemu_edu_dma(d->edu, handle, true));
			dma_unmap_page(d->dev, handle, QEMU_EDU_XFER, DMA_FROM_DEVICE);
			p = kmap_local_page(page);
			KUNIT_EXPECT_EQ_MSG(test, differs(p + 512, QEMU_EDU_XFER, 7),
					    -1, "%s: %s page", d->name,
					    PageHighMem(page) ? "highmem" : "lowmem");
			kunmap_local(p);
		}
		__free_page(page);
	}
}

static void scatterlists_carry_data_through_every_segment(struct kunit *test)
{
	struct conformance_device *d;
	struct scatterlist sgl[4], *sg;
	struct page *pages[4];
	int i, n, ret;

	for (d = first_engine(test); d; d = next_engine(d)) {
		sg_init_table(sgl, ARRAY_SIZE(sgl));
		for (i = 0; i < ARRAY_SIZE(pages); i++) {
			pages[i] = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
			KUNIT_ASSERT_NOT_NULL(test, pages[i]);
			/* 512 bytes from each page, at a different offset. */
			sg_set_page(&sgl[i], pages[i], 512, i * 1024);
		}
		KUNIT_ASSERT_TRUE(test, edu_load(d, 8, QEMU_EDU_XFER));
		n = dma_map_sg(d->dev, sgl, ARRAY_SIZE(sgl), DMA_FROM_DEVICE);
		KUNIT_EXPECT_GT(test, n, 0);
		/* edu writes its buffer's first 512 bytes to each segment. */
		for_each_sg(sgl, sg, n, i) {
			unsigned int done;

			for (done = 0; done < sg_dma_len(sg); done += 512) {
				dma_addr_t at = sg_dma_address(sg) + done;

				KUNIT_EXPECT_TRUE(test, qemu_edu_dma_len(d->edu, at,
									 true, 512));
			}
		}
		if (n > 0)
			dma_unmap_sg(d->dev, sgl, ARRAY_SIZE(sgl), DMA_FROM_DEVICE);
		for (i = 0; i < ARRAY_SIZE(pages); i++) {
			u8 *p = kmap_local_page(pages[i]);

			KUNIT_EXPECT_EQ_MSG(test, differs(p + i * 1024, 512, 8), -1,
					    "%s: entry %d", d->name, i);
			/* Around the entry, nothing was written. */
			ret = !memchr_inv(p, 0, i * 1024) &&
			      !memchr_inv(p + i * 1024 + 512, 0,
					  PAGE_SIZE - i * 1024 - 512);
			KUNIT_EXPECT_TRUE_MSG(test, ret, "%s: around entry %d",
					      d->name, i);
			kunmap_local(p);
			__free_page(pages[i]);
		}
	}
}

static void sg_tables_map_within_the_mask(struct kunit *test)
{
	struct conformance_device *d;
	struct scatterlist *sg;
	struct sg_table sgt;
	struct page *pages[8];
	int i, ret;

	for (d = conformance_devices; d < conformance_end(); d++) {
		for (i = 0; i < ARRAY_SIZE(pages); i++) {
			pages[i] = alloc_page(GFP_HIGHUSER);
			KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		}
		ret = sg_alloc_table_from_pages(&sgt, pages, ARRAY_SIZE(pages), 0,
						ARRAY_SIZE(pages) * PAGE_SIZE,
						GFP_KERNEL);
		KUNIT_ASSERT_EQ(test, ret, 0);
		KUNIT_EXPECT_EQ_MSG(test, dma_map_sgtable(d->dev, &sgt,
							  DMA_BIDIRECTIONAL, 0),
				    0, "%s", d->name);
		KUNIT_EXPECT_GE(test, sgt.nents, 1);
		for_each_sgtable_dma_sg(&sgt, sg, i)
			KUNIT_EXPECT_TRUE(test, in_reach(sg_dma_address(sg),
							 sg_dma_len(sg),
							 dma_get_mask(d->dev)));
		dma_sync_sgtable_for_cpu(d->dev, &sgt, DMA_BIDIRECTIONAL);
		dma_sync_sgtable_for_device(d->dev, &sgt, DMA_BIDIRECTIONAL);
		if (sgt.nents)
			dma_unmap_sgtable(d->dev, &sgt, DMA_BIDIRECTIONAL, 0);
		sg_free_table(&sgt);
		for (i = 0; i < ARRAY_SIZE(pages); i++)
			__free_page(pages[i]);
	}
}

/*
 * 100 bytes at an odd offset share their cache lines with bytes the CPU
 * writes while the device owns the buffer: both must be right afterwards.
 */
static void a_small_buffer_keeps_its_neighbours_while_mapped(struct kunit *test)
{
	struct conformance_device *d;
	dma_addr_t handle;
	u8 *block;

	for (d = first_engine(test); d; d = next_engine(d)) {
		block = kunit_kzalloc(test, 512, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, block);
		KUNIT_ASSERT_TRUE(test, edu_load(d, 9, 100));
		handle = dma_map_single(d->dev, block + 37, 100, DMA_FROM_DEVICE);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(d->dev, handle));
		memset(block, 0x11, 37);
		memset(block + 137, 0x22, 512 - 137);
		KUNIT_EXPECT_TRUE(test, qemu_edu_dma_len(d->edu, handle, true, 100));
		dma_unmap_single(d->dev, handle, 100, DMA_FROM_DEVICE);
		KUNIT_EXPECT_EQ_MSG(test, differs(block + 37, 100, 9), -1,
				    "%s: the buffer", d->name);
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(block, 0x11, 37), NULL,
					"%s: before it", d->name);
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(block + 137, 0x22, 512 - 137),
					NULL, "%s: after it", d->name);
	}
}

static void range_syncs_hand_over_the_range(struct kunit *test)
{
	struct conformance_device *d;
	dma_addr_t handle;
	u8 *buf;

	for (d = first_engine(test); d; d = next_engine(d)) {
		buf = kunit_kzalloc(test, SZ_4K, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		handle = dma_map_single(d->dev, buf, SZ_4K, DMA_BIDIRECTIONAL);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(d->dev, handle));

		/* The CPU fills one range and hands it to the device. */
		dma_sync_single_range_for_cpu(d->dev, handle, 1024, QEMU_EDU_XFER,
					      DMA_BIDIRECTIONAL);
		fill(buf + 1024, QEMU_EDU_XFER, 10);
		dma_sync_single_range_for_device(d->dev, handle, 1024,
						 QEMU_EDU_XFER, DMA_BIDIRECTIONAL);
		KUNIT_EXPECT_TRUE(test, qemu_edu_dma(d->edu, handle + 1024, false));
		/* The device writes it to another range the CPU then reads. */
		KUNIT_EXPECT_TRUE(test, qemu_edu_dma(d->edu, handle + 2048, true));
		dma_sync_single_range_for_cpu(d->dev, handle, 2048, QEMU_EDU_XFER,
					      DMA_BIDIRECTIONAL);
		KUNIT_EXPECT_EQ_MSG(test, differs(buf + 2048, QEMU_EDU_XFER, 10), -1,
				    "%s", d->name);
		dma_sync_single_range_for_device(d->dev, handle, 2048,
						 QEMU_EDU_XFER, DMA_BIDIRECTIONAL);
		dma_unmap_single(d->dev, handle, SZ_4K, DMA_BIDIRECTIONAL);
	}
}

static void a_resource_maps_to_an_address_in_reach(struct kunit *test)
{
	struct conformance_device *d;
	dma_addr_t handle;

	for (d = first_engine(test); d; d = next_engine(d)) {
		phys_addr_t bar = pci_resource_start(to_pci_dev(d->dev), 0);

		handle = dma_map_resource(d->dev, bar, PAGE_SIZE, DMA_BIDIRECTIONAL, 0);
		KUNIT_EXPECT_FALSE_MSG(test, dma_mapping_error(d->dev, handle),
				       "%s: %pa", d->name, &bar);
		if (dma_mapping_error(d->dev, handle))
			continue;
		KUNIT_EXPECT_TRUE(test, in_reach(handle, PAGE_SIZE,
						 dma_get_mask(d->dev)));
		dma_unmap_resource(d->dev, handle, PAGE_SIZE, DMA_BIDIRECTIONAL, 0);
	}
}

static struct kunit_case streaming_cases[] = {
	KUNIT_CASE(the_device_reads_and_writes_a_coherent_buffer),
	KUNIT_CASE(single_mappings_carry_data_each_way),
	KUNIT_CASE(a_highmem_page_mapping_carries_data),
	KUNIT_CASE(scatterlists_carry_data_through_every_segment),
	KUNIT_CASE(sg_tables_map_within_the_mask),
	KUNIT_CASE(a_small_buffer_keeps_its_neighbours_while_mapped),
	KUNIT_CASE(range_syncs_hand_over_the_range),
	KUNIT_CASE(a_resource_maps_to_an_address_in_reach),
	{}
};

static struct kunit_suite streaming_suite = {
	.name		= "dma_api_conformance_streaming",
	.suite_init	= conformance_devices_init,
	.suite_exit	= conformance_devices_exit,
	.test_cases	= streaming_cases,
};

kunit_test_suite(streaming_suite);
