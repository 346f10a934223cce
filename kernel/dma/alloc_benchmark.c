// SPDX-License-Identifier: GPL-2.0-only
/*
 * A benchmark of dma_alloc_coherent() and dma_free_coherent(), the
 * counterpart for coherent buffers of map_benchmark.c.  make bench builds it
 * into both the layer's kernel and a pristine one, so that the figures
 * compare the two allocation paths under the same workload.
 *
 * Write "<path> <live>" to /sys/kernel/debug/dma_alloc_benchmark, where
 * path is coherent, sleeping or atomic (a device set up coherent, a
 * non-coherent one allocating with GFP_KERNEL, or with GFP_ATOMIC); then
 * read back "alloc_ns=<n> free_ns=<n>": the average cost of one allocation
 * and one free of a page, while <live> other buffers are allocated.
 *
 * Write "sg <entries>" to map and unmap, on the coherent device, a
 * scatterlist of that many separate pages; read back "map_ns=<n>
 * unmap_ns=<n> segments=<n>": the average cost of dma_map_sg() and
 * dma_unmap_sg() and the number of DMA segments the list became.  "sg
 * <entries> <PCI device>" does the same on that device, as its driver set
 * it up: through its IOMMU, if it is behind one.
 *
 * Write "zero <pages>" to time memset() of that many pages to zero alone,
 * the share of an allocation the DMA API's promise of zeroed memory costs;
 * read back "zero_ns=<n>".
 *
 * Write "iommu <pages> <PCI device>" to time iommu_map() and iommu_unmap()
 * of that many pages on a paging domain of the device's own IOMMU driver,
 * without any DMA layer; read back "map_ns=<n> unmap_ns=<n> clear_ns=<n>",
 * clear_ns being iommu_unmap_fast() alone, the page table work without the
 * IOTLB invalidation that a lazy unmap defers.  This is what every DMA
 * layer over that driver pays: the floor under its map and unmap.  The
 * domain is a new one, never attached, so no live mapping of the device
 * is touched.
 */
#include <linux/debugfs.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/init.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#define ROUNDS	200

struct bench_buf {
	void *cpu;
	dma_addr_t dma;
};

static struct platform_device *bench_pdev[2];	/* [0] non-coherent */
static DEFINE_MUTEX(bench_lock);
static char bench_result[64] = "no run yet\n";

/* The same pseudo-random order in every kernel. */
static u32 bench_next(u32 *state)
{
	*state = *state * 1103515245 + 12345;
	return *state >> 8;
}

static int bench_run(bool coherent, gfp_t gfp, unsigned int live)
{
	struct device *dev = &bench_pdev[coherent]->dev;
	u64 alloc_ns = 0, free_ns = 0, t;
	struct bench_buf *bufs;
	unsigned int i, n = live + 1;
	u32 seed = 1;
	int ret = 0;

	bufs = kvcalloc(n, sizeof(*bufs), GFP_KERNEL);
	if (!bufs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		bufs[i].cpu = dma_alloc_coherent(dev, PAGE_SIZE, &bufs[i].dma, gfp);
		if (!bufs[i].cpu) {
			ret = -ENOMEM;
			n = i;
			goto out;
		}
	}
	/* Free one buffer anywhere among the live ones, allocate it again. */
	for (i = 0; i < ROUNDS; i++) {
		struct bench_buf *b = &bufs[bench_next(&seed) % n];

		t = ktime_get_ns();
		dma_free_coherent(dev, PAGE_SIZE, b->cpu, b->dma);
		free_ns += ktime_get_ns() - t;
		t = ktime_get_ns();
		b->cpu = dma_alloc_coherent(dev, PAGE_SIZE, &b->dma, gfp);
		alloc_ns += ktime_get_ns() - t;
		if (!b->cpu) {
			ret = -ENOMEM;
			b->cpu = bufs[--n].cpu;
			b->dma = bufs[n].dma;
			goto out;
		}
	}
	snprintf(bench_result, sizeof(bench_result), "alloc_ns=%llu free_ns=%llu\n",
		 div_u64(alloc_ns, ROUNDS), div_u64(free_ns, ROUNDS));
out:
	while (n--)
		dma_free_coherent(dev, PAGE_SIZE, bufs[n].cpu, bufs[n].dma);
	kvfree(bufs);
	return ret;
}

static int bench_sg(struct device *dev, unsigned int entries)
{
	u64 map_ns = 0, unmap_ns = 0, t;
	struct scatterlist *sgl, *sg;
	unsigned int i;
	int segs = 0, ret = 0;

	sgl = kvcalloc(entries, sizeof(*sgl), GFP_KERNEL);
	if (!sgl)
		return -ENOMEM;
	sg_init_table(sgl, entries);
	for_each_sg(sgl, sg, entries, i) {
		struct page *page = alloc_page(GFP_KERNEL);

		if (!page) {
			entries = i;
			ret = -ENOMEM;
			goto out;
		}
		sg_set_page(sg, page, PAGE_SIZE, 0);
	}
	for (i = 0; i < ROUNDS; i++) {
		t = ktime_get_ns();
		segs = dma_map_sg(dev, sgl, entries, DMA_TO_DEVICE);
		map_ns += ktime_get_ns() - t;
		if (!segs) {
			ret = -EIO;
			goto out;
		}
		t = ktime_get_ns();
		dma_unmap_sg(dev, sgl, entries, DMA_TO_DEVICE);
		unmap_ns += ktime_get_ns() - t;
	}
	snprintf(bench_result, sizeof(bench_result),
		 "map_ns=%llu unmap_ns=%llu segments=%d\n", div_u64(map_ns, ROUNDS),
		 div_u64(unmap_ns, ROUNDS), segs);
out:
	for_each_sg(sgl, sg, entries, i)
		__free_page(sg_page(sg));
	kvfree(sgl);
	return ret;
}

static int bench_zero(unsigned int pages)
{
	size_t size = (size_t)pages << PAGE_SHIFT;
	void *buf = alloc_pages_exact(size, GFP_KERNEL);
	u64 zero_ns = 0, t;
	unsigned int i;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < ROUNDS; i++) {
		t = ktime_get_ns();
		memset(buf, 0, size);
		zero_ns += ktime_get_ns() - t;
		/* Keep the compiler from dropping the stores. */
		barrier_data(buf);
	}
	free_pages_exact(buf, size);
	snprintf(bench_result, sizeof(bench_result), "zero_ns=%llu\n",
		 div_u64(zero_ns, ROUNDS));
	return 0;
}

#define BENCH_IOVA	SZ_1M

static int bench_iommu(struct device *dev, unsigned int pages)
{
	size_t size = (size_t)pages << PAGE_SHIFT;
	u64 map_ns = 0, unmap_ns = 0, clear_ns = 0, t;
	struct iommu_iotlb_gather gather;
	struct iommu_domain *domain;
	struct page *page;
	unsigned int i;
	int ret = 0;

	domain = iommu_paging_domain_alloc(dev);
	if (IS_ERR(domain))
		return PTR_ERR(domain);
	page = alloc_pages(GFP_KERNEL, get_order(size));
	if (!page) {
		ret = -ENOMEM;
		goto out_domain;
	}
	/* Odd rounds unmap without invalidating, then invalidate untimed. */
	for (i = 0; i < 2 * ROUNDS; i++) {
		size_t unmapped;

		t = ktime_get_ns();
		ret = iommu_map(domain, BENCH_IOVA, page_to_phys(page), size,
				IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
		map_ns += ktime_get_ns() - t;
		if (ret)
			break;
		if (i % 2 == 0) {
			t = ktime_get_ns();
			unmapped = iommu_unmap(domain, BENCH_IOVA, size);
			unmap_ns += ktime_get_ns() - t;
		} else {
			iommu_iotlb_gather_init(&gather);
			t = ktime_get_ns();
			unmapped = iommu_unmap_fast(domain, BENCH_IOVA, size,
						    &gather);
			clear_ns += ktime_get_ns() - t;
			iommu_iotlb_sync(domain, &gather);
		}
		if (unmapped != size) {
			ret = -EIO;
			break;
		}
	}
	if (!ret)
		snprintf(bench_result, sizeof(bench_result),
			 "map_ns=%llu unmap_ns=%llu clear_ns=%llu\n",
			 div_u64(map_ns, 2 * ROUNDS), div_u64(unmap_ns, ROUNDS),
			 div_u64(clear_ns, ROUNDS));
	__free_pages(page, get_order(size));
out_domain:
	iommu_domain_free(domain);
	return ret;
}

/* The PCI device named @name, with a reference, or NULL. */
static struct device *bench_pci_device(const char *name)
{
#ifdef CONFIG_PCI
	return bus_find_device_by_name(&pci_bus_type, NULL, name);
#else
	return NULL;
#endif
}

static ssize_t bench_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	char text[64], path[16], name[32];
	struct device *dev = NULL;
	unsigned int live;
	int ret;

	if (len >= sizeof(text) || copy_from_user(text, ubuf, len))
		return -EINVAL;
	text[len] = '\0';
	ret = sscanf(text, "%15s %u %31s", path, &live, name);
	if (ret < 2 || live > 100000)
		return -EINVAL;
	if (ret == 3) {
		if (strcmp(path, "sg") && strcmp(path, "iommu"))
			return -EINVAL;
		dev = bench_pci_device(name);
		if (!dev)
			return -ENODEV;
	}

	mutex_lock(&bench_lock);
	if (!strcmp(path, "coherent"))
		ret = bench_run(true, GFP_KERNEL, live);
	else if (!strcmp(path, "sleeping"))
		ret = bench_run(false, GFP_KERNEL, live);
	else if (!strcmp(path, "atomic"))
		ret = bench_run(false, GFP_ATOMIC, live);
	else if (!strcmp(path, "zero") && live && live <= 256)
		ret = bench_zero(live);
	else if (!strcmp(path, "sg") && live)
		ret = bench_sg(dev ?: &bench_pdev[1]->dev, live);
	else if (!strcmp(path, "iommu") && dev && live && live <= 256)
		ret = bench_iommu(dev, live);
	else
		ret = -EINVAL;
	mutex_unlock(&bench_lock);
	put_device(dev);
	return ret ?: len;
}

static ssize_t bench_read(struct file *file, char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	return simple_read_from_buffer(ubuf, len, ppos, bench_result,
				       strlen(bench_result));
}

static const struct file_operations bench_fops = {
	.write	= bench_write,
	.read	= bench_read,
};

static int __init alloc_benchmark_init(void)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct device *dev;

		bench_pdev[i] = platform_device_register_simple("dma-alloc-benchmark",
								i, NULL, 0);
		if (IS_ERR(bench_pdev[i]))
			return PTR_ERR(bench_pdev[i]);
		dev = &bench_pdev[i]->dev;
		dev->coherent_dma_mask = DMA_BIT_MASK(32);
		dev->dma_mask = &dev->coherent_dma_mask;
		/* As firmware would describe it: coherent or not. */
		arch_setup_dma_ops(dev, i);
	}
	debugfs_create_file("dma_alloc_benchmark", 0600, NULL, NULL, &bench_fops);
	return 0;
}
late_initcall(alloc_benchmark_init);
