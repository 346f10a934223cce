// SPDX-License-Identifier: GPL-2.0
/*
 * Per-device pools: memory declared for a device with
 * dma_declare_coherent_memory(), and the shared-dma-pool and
 * restricted-dma-pool reserved-memory regions the device tree gives devices
 * (harness/virt-dtb.sh dma-pools), bound to the suite's driver.
 *
 * Part of the DMA API conformance suites: see conformance.h.
 */
#include <kunit/test.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/memblock.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>

#include "conformance.h"

/*
 * RAM the device tree has beyond what the kernel took (mem=): memory for
 * a pool declared over RAM the kernel does not map.
 */
static bool unused_ram(phys_addr_t *base, size_t size)
{
	struct device_node *memory = of_find_node_by_type(NULL, "memory");
	struct resource res;
	bool found;

	if (!memory)
		return false;
	found = !of_address_to_resource(memory, 0, &res) &&
		memblock_end_of_DRAM() + size - 1 <= res.end;
	of_node_put(memory);
	*base = memblock_end_of_DRAM();
	return found;
}

static void undeclare(void *dev)
{
	dma_release_coherent_memory(dev);
}

/*
 * A pool over RAM the kernel left out has no struct page behind it: a
 * table of its pages can only be refused, but mmap() needs no page.  A
 * pool buffer's handle is no IOVA either, behind an IOMMU or not.
 */
static void a_declared_pool_buffer_is_exported_honestly(struct kunit *test)
{
	struct conformance_device *d;
	phys_addr_t base;

	if (!unused_ram(&base, SZ_64K))
		kunit_skip(test, "no RAM left out of the kernel's: boot with mem=");
	for (d = conformance_devices; d < conformance_end(); d++) {
		struct user_view v = { .map = user_view_coherent, .dev = d->dev,
				       .size = SZ_16K };
		struct sg_table sgt;

		KUNIT_ASSERT_EQ(test, dma_declare_coherent_memory(v.dev, base,
								  base, SZ_64K),
				0);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, undeclare,
								v.dev), 0);
		v.cpu = dma_alloc_coherent(v.dev, v.size, &v.handle, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL_MSG(test, v.cpu, "%s", d->name);
		KUNIT_EXPECT_TRUE_MSG(test, v.handle >= base &&
				      v.handle < base + SZ_64K, "%s", d->name);
		fill(v.cpu, v.size, 4);
		if (!dma_get_sgtable(v.dev, &sgt, v.cpu, v.handle, v.size)) {
			bool real = pfn_valid(page_to_pfn(sg_page(sgt.sgl)));

			KUNIT_EXPECT_TRUE_MSG(test, real,
					      "%s: a table of pages that do not exist",
					      d->name);
			if (real)
				KUNIT_EXPECT_EQ_MSG(test,
						    table_holds(&sgt, v.cpu, v.size),
						    -1, "%s", d->name);
			sg_free_table(&sgt);
		}
		KUNIT_EXPECT_EQ_MSG(test, user_view_sees(test, &v, 4), -1, "%s",
				    d->name);
		dma_free_coherent(v.dev, v.size, v.cpu, v.handle);
		kunit_release_action(test, undeclare, v.dev);
	}
}

/*
 * dma_declare_coherent_memory() takes memory as the platform describes
 * it: a size that is not a whole number of pages leaves the ragged end
 * unused, and a start off a page boundary is kept, buffers following it.
 */
static void a_pool_declared_unevenly_serves_its_whole_pages(struct kunit *test)
{
	const size_t start = 256, size = SZ_64K + 100;
	struct device *dev;
	dma_addr_t handle, extra;
	phys_addr_t base;
	void *cpu;

	if (!conformance_platform)
		kunit_skip(test, "no platform device");
	if (!unused_ram(&base, SZ_128K))
		kunit_skip(test, "no RAM left out of the kernel's: boot with mem=");
	dev = &conformance_platform->dev;
	base += start;
	KUNIT_ASSERT_EQ(test, dma_declare_coherent_memory(dev, base, base, size),
			0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, undeclare, dev), 0);

	cpu = dma_alloc_coherent(dev, SZ_64K, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	KUNIT_EXPECT_EQ(test, handle, base);
	KUNIT_EXPECT_NULL(test, memchr_inv(cpu, 0, SZ_64K));
	fill(cpu, SZ_64K, 8);
	KUNIT_EXPECT_EQ(test, differs(cpu, SZ_64K, 8), -1);
	/* Its 16 whole pages are handed out: the 100 bytes left serve nothing. */
	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(dev, 1, &extra, GFP_KERNEL));
	dma_free_coherent(dev, SZ_64K, cpu, handle);
}

/* Devices the device tree gives reserved memory (harness/virt-dtb.sh) */

/**
 * struct pool_client - a device whose node names a reserved-memory pool
 * @dev:	the device, bound to the suite's driver
 * @pool:	the pool its memory-region names
 * @restricted:	a restricted-dma-pool (else a shared-dma-pool)
 */
struct pool_client {
	struct device *dev;
	struct reserved_mem *pool;
	bool restricted;
};

#define MAX_POOL_CLIENTS 4
static struct pool_client pool_clients[MAX_POOL_CLIENTS];
static unsigned int nr_pool_clients;

/* The clients of one kind of pool, after @c (from the start for NULL). */
static struct pool_client *next_pool_client(struct pool_client *c,
					    bool restricted)
{
	for (c = c ? c + 1 : pool_clients; c < pool_clients + nr_pool_clients; c++)
		if (c->restricted == restricted)
			return c;
	return NULL;
}

static struct pool_client *first_pool_client(struct kunit *test, bool restricted)
{
	struct pool_client *c = next_pool_client(NULL, restricted);

	if (!c)
		kunit_skip(test, "no device here has a %s (harness/virt-dtb.sh dma-pools)",
			   restricted ? "restricted-dma-pool" : "shared-dma-pool");
	return c;
}

static const char *pool_client_name(struct pool_client *c)
{
	return dev_is_dma_coherent(c->dev) ? "coherent device" :
					     "non-coherent device";
}

static bool in_pool(struct pool_client *c, dma_addr_t handle, size_t size)
{
	phys_addr_t phys = dma_to_phys(c->dev, handle);

	return phys >= c->pool->base &&
	       phys + size <= c->pool->base + c->pool->size;
}

/*
 * A buffer from a shared-dma-pool the kernel does not map (no-map) is
 * still memory the kernel has pages for: its table names them, for a
 * dma-buf importer to map, and user space sees the buffer.
 */
static void a_shared_pool_buffer_is_exported_as_its_memory(struct kunit *test)
{
	struct pool_client *c = first_pool_client(test, false);
	struct user_view v = { .map = user_view_coherent, .dev = c->dev,
			       .size = SZ_16K };
	struct scatterlist *sg;
	struct sg_table sgt = {};
	size_t covered = 0;
	unsigned int i;

	v.cpu = dma_alloc_coherent(v.dev, v.size, &v.handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v.cpu);
	KUNIT_EXPECT_TRUE(test, in_pool(c, v.handle, v.size));
	fill(v.cpu, v.size, 5);

	KUNIT_EXPECT_EQ(test, dma_get_sgtable(v.dev, &sgt, v.cpu, v.handle,
					      v.size), 0);
	if (sgt.sgl) {
		/* The kernel does not map no-map memory: look at addresses. */
		KUNIT_EXPECT_EQ(test, sg_phys(sgt.sgl),
				dma_to_phys(v.dev, v.handle));
		for_each_sgtable_sg(&sgt, sg, i)
			covered += sg->length;
		KUNIT_EXPECT_GE(test, covered, v.size);
		sg_free_table(&sgt);
	}
	KUNIT_EXPECT_EQ(test, user_view_sees(test, &v, 5), -1);
	dma_free_coherent(v.dev, v.size, v.cpu, v.handle);
}

/*
 * A device with a restricted-dma-pool reaches that memory and no other:
 * every buffer it is given comes from the pool, zeroed where promised.
 */
static void a_restricted_pool_device_gets_memory_only_from_its_pool(struct kunit *test)
{
	struct pool_client *c = first_pool_client(test, true);

	for (; c; c = next_pool_client(c, true)) {
		const char *name = pool_client_name(c);
		dma_addr_t handle;
		struct page *page;
		void *cpu;

		cpu = dma_alloc_coherent(c->dev, SZ_16K, &handle, GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL_MSG(test, cpu, "%s", name);
		if (cpu) {
			KUNIT_EXPECT_TRUE_MSG(test, in_pool(c, handle, SZ_16K),
					      "%s: %pad", name, &handle);
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(cpu, 0, SZ_16K),
					      "%s", name);
			fill(cpu, SZ_16K, 6);
			KUNIT_EXPECT_EQ_MSG(test, differs(cpu, SZ_16K, 6), -1,
					    "%s", name);
			dma_free_coherent(c->dev, SZ_16K, cpu, handle);
		}

		page = dma_alloc_pages(c->dev, SZ_16K, &handle,
				       DMA_BIDIRECTIONAL, GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL_MSG(test, page, "%s", name);
		if (page) {
			KUNIT_EXPECT_TRUE_MSG(test, in_pool(c, handle, SZ_16K),
					      "%s: pages at %pad", name, &handle);
			dma_free_pages(c->dev, SZ_16K, page, handle,
				       DMA_BIDIRECTIONAL);
		}
	}
}

/* A restricted pool's buffer is exported as the buffer, like any other. */
static void a_restricted_pool_buffer_is_exported_as_the_buffer(struct kunit *test)
{
	struct pool_client *c = first_pool_client(test, true);

	for (; c; c = next_pool_client(c, true)) {
		struct user_view v = { .map = user_view_coherent, .dev = c->dev,
				       .size = SZ_16K };
		const char *name = pool_client_name(c);
		struct sg_table sgt = {};

		v.cpu = dma_alloc_coherent(v.dev, v.size, &v.handle, GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL_MSG(test, v.cpu, "%s", name);
		if (!v.cpu)
			continue;
		fill(v.cpu, v.size, 9);
		KUNIT_EXPECT_EQ_MSG(test, dma_get_sgtable(v.dev, &sgt, v.cpu,
							  v.handle, v.size), 0,
				    "%s", name);
		if (sgt.sgl) {
			KUNIT_EXPECT_EQ_MSG(test, table_holds(&sgt, v.cpu, v.size),
					    -1, "%s", name);
			sg_free_table(&sgt);
		}
		KUNIT_EXPECT_EQ_MSG(test, user_view_sees(test, &v, 9), -1, "%s", name);
		dma_free_coherent(v.dev, v.size, v.cpu, v.handle);
	}
}

/* A full restricted pool refuses: it does not send the device elsewhere. */
static void a_full_restricted_pool_refuses_rather_than_look_elsewhere(struct kunit *test)
{
	struct pool_client *c = first_pool_client(test, true);

	for (; c; c = next_pool_client(c, true)) {
		const char *name = pool_client_name(c);
		size_t n = c->pool->size / SZ_64K + 1, got, i;
		dma_addr_t *handle = kunit_kcalloc(test, n, sizeof(*handle),
						   GFP_KERNEL);
		void **cpu = kunit_kcalloc(test, n, sizeof(*cpu), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, handle);
		KUNIT_ASSERT_NOT_NULL(test, cpu);
		for (got = 0; got < n; got++) {
			cpu[got] = dma_alloc_coherent(c->dev, SZ_64K, &handle[got],
						      GFP_KERNEL | __GFP_NOWARN);
			if (!cpu[got])
				break;
			KUNIT_EXPECT_TRUE_MSG(test, in_pool(c, handle[got], SZ_64K),
					      "%s: buffer %zu at %pad", name, got,
					      &handle[got]);
		}
		KUNIT_EXPECT_GT_MSG(test, got, 0, "%s", name);
		KUNIT_EXPECT_LT_MSG(test, got, n, "%s: more than the pool holds",
				    name);
		for (i = 0; i < got; i++)
			dma_free_coherent(c->dev, SZ_64K, cpu[i], handle[i]);
	}
}

/*
 * A restricted pool is also where every streaming mapping bounces: the
 * device reads the data there, and what it writes there comes back.  (QEMU
 * models no cache: the CPU's write to the pool stands for the device's.)
 */
static void a_restricted_pool_device_maps_through_its_pool(struct kunit *test)
{
	const size_t len = 300;
	struct pool_client *c = first_pool_client(test, true);
	u8 *buf = kunit_kmalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (; c; c = next_pool_client(c, true)) {
		const char *name = pool_client_name(c);
		dma_addr_t handle;
		u8 *bounce;

		fill(buf, len, 7);
		handle = dma_map_single(c->dev, buf, len, DMA_BIDIRECTIONAL);
		KUNIT_ASSERT_FALSE_MSG(test, dma_mapping_error(c->dev, handle),
				       "%s", name);
		KUNIT_EXPECT_TRUE_MSG(test, in_pool(c, handle, len),
				      "%s: %pad", name, &handle);
		if (in_pool(c, handle, len)) {
			bounce = phys_to_virt(dma_to_phys(c->dev, handle));
			KUNIT_EXPECT_EQ_MSG(test, differs(bounce, len, 7), -1,
					    "%s", name);
			fill(bounce, len, 8);
		}
		dma_unmap_single(c->dev, handle, len, DMA_BIDIRECTIONAL);
		if (in_pool(c, handle, len))
			KUNIT_EXPECT_EQ_MSG(test, differs(buf, len, 8), -1,
					    "%s", name);
	}
}

/*
 * The driver of the device tree's pool clients: the platform bus has set
 * up a restricted pool by the time it probes; a shared-dma-pool is the
 * driver's to take, as drivers do.
 */
static int pool_client_probe(struct platform_device *pdev)
{
	struct device_node *np = of_parse_phandle(pdev->dev.of_node,
						  "memory-region", 0);
	struct reserved_mem *pool = np ? of_reserved_mem_lookup(np) : NULL;
	bool restricted = of_device_is_compatible(np, "restricted-dma-pool");
	int ret;

	of_node_put(np);
	if (!pool || nr_pool_clients == MAX_POOL_CLIENTS)
		return -ENODEV;
	if (!restricted) {
		ret = of_reserved_mem_device_init(&pdev->dev);
		if (ret)
			return dev_err_probe(&pdev->dev, ret, "no shared-dma-pool\n");
	}
	pool_clients[nr_pool_clients++] = (struct pool_client) {
		.dev = &pdev->dev, .pool = pool, .restricted = restricted,
	};
	return 0;
}

static void pool_client_remove(struct platform_device *pdev)
{
	of_reserved_mem_device_release(&pdev->dev);
}

static const struct of_device_id pool_client_ids[] = {
	{ .compatible = "linux,dma-api-conformance" },
	{ }
};

static struct platform_driver pool_client_driver = {
	.probe	= pool_client_probe,
	.remove	= pool_client_remove,
	.driver	= {
		.name		= "dma-api-conformance-pools",
		.of_match_table	= pool_client_ids,
	},
};

static int pools_suite_init(struct kunit_suite *suite)
{
	int ret;

	nr_pool_clients = 0;
	ret = conformance_devices_init(suite);
	if (ret)
		return ret;
	ret = platform_driver_register(&pool_client_driver);
	if (ret)
		conformance_devices_exit(suite);
	return ret;
}

static void pools_suite_exit(struct kunit_suite *suite)
{
	platform_driver_unregister(&pool_client_driver);
	nr_pool_clients = 0;
	conformance_devices_exit(suite);
}

static struct kunit_case pools_cases[] = {
	KUNIT_CASE(a_declared_pool_buffer_is_exported_honestly),
	KUNIT_CASE(a_pool_declared_unevenly_serves_its_whole_pages),
	KUNIT_CASE(a_shared_pool_buffer_is_exported_as_its_memory),
	KUNIT_CASE(a_restricted_pool_device_gets_memory_only_from_its_pool),
	KUNIT_CASE(a_restricted_pool_buffer_is_exported_as_the_buffer),
	KUNIT_CASE(a_full_restricted_pool_refuses_rather_than_look_elsewhere),
	KUNIT_CASE(a_restricted_pool_device_maps_through_its_pool),
	{}
};

static struct kunit_suite pools_suite = {
	.name		= "dma_api_conformance_pools",
	.suite_init	= pools_suite_init,
	.suite_exit	= pools_suite_exit,
	.test_cases	= pools_cases,
};

kunit_test_suite(pools_suite);
