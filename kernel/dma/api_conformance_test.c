// SPDX-License-Identifier: GPL-2.0
/*
 * What the DMA API promises a driver, case by case, on the devices the
 * machine has: QEMU's edu (a PCI DMA engine that moves real data, coherent,
 * non-coherent or behind an IOMMU as the machine makes it) and a platform
 * device configured from the device tree as the platform bus would.
 *
 * Only the public API is used, so the same file builds on a pristine
 * kernel: make conformance-upstream runs it there for the reference that
 * make check holds this tree to (see README.md).  The contract is
 * Documentation/core-api/dma-api.rst and dma-api-howto.rst.
 */
#include <kunit/qemu_edu.h>
#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/memblock.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_device.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

/* What a driver would set for edu: QEMU's dma_mask property must match. */
static unsigned int edu_mask_bits = 32;
module_param(edu_mask_bits, uint, 0444);
MODULE_PARM_DESC(edu_mask_bits, "DMA mask the suite sets for edu, in bits");

static struct qemu_edu_binding edu_binding =
	QEMU_EDU_BINDING("dma-api-conformance", false);

/**
 * struct conformance_device - one device the cases run on
 * @name:	for messages
 * @dev:	the device
 * @edu:	edu's registers when the device can move data, else NULL
 */
struct conformance_device {
	const char *name;
	struct device *dev;
	void __iomem *edu;
};

#define MAX_DEVICES 2
static struct conformance_device devices[MAX_DEVICES];
static unsigned int nr_devices;
static struct platform_device *platform;

static u64 coherent_mask(struct device *dev)
{
	return dev->coherent_dma_mask;
}

/* Whether [handle, handle + size) is addressable under @mask. */
static bool in_reach(dma_addr_t handle, size_t size, u64 mask)
{
	return size && handle <= mask && size - 1 <= mask - handle;
}

static bool behind_iommu(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && domain->type != IOMMU_DOMAIN_IDENTITY;
}

/* The pattern byte at offset @off of a buffer filled from @seed. */
static u8 pattern(u8 seed, size_t off)
{
	return seed + off * 7 + (off >> 8);
}

/* Fill @len bytes that sit at offset @from of a pattern. */
static void fill_from(void *buf, size_t len, u8 seed, size_t from)
{
	u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(seed, from + i);
}

static void fill(void *buf, size_t len, u8 seed)
{
	fill_from(buf, len, seed, 0);
}

/* Offset of the first byte of @buf that differs from fill(seed), or -1. */
static long differs_from(const void *buf, size_t len, u8 seed, size_t from)
{
	const u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pattern(seed, from + i))
			return i;
	return -1;
}

static long differs(const void *buf, size_t len, u8 seed)
{
	return differs_from(buf, len, seed, 0);
}

/*
 * edu's own 4 KiB buffer is the far end of every transfer: load it from a
 * coherent buffer the CPU filled with @seed.
 */
static bool edu_load(struct conformance_device *d, u8 seed, size_t len)
{
	dma_addr_t handle;
	bool ok;
	void *buf;

	buf = dma_alloc_coherent(d->dev, PAGE_SIZE, &handle, GFP_KERNEL);
	if (!buf)
		return false;
	fill(buf, len, seed);
	ok = qemu_edu_dma_len(d->edu, handle, false, len);
	dma_free_coherent(d->dev, PAGE_SIZE, buf, handle);
	return ok;
}

/* Read edu's buffer back through a coherent buffer; compare with @seed. */
static long edu_holds(struct conformance_device *d, u8 seed, size_t len)
{
	dma_addr_t handle;
	long at = 0;
	void *buf;

	buf = dma_alloc_coherent(d->dev, PAGE_SIZE, &handle, GFP_KERNEL);
	if (!buf)
		return 0;
	if (qemu_edu_dma_len(d->edu, handle, true, len))
		at = differs(buf, len, seed);
	dma_free_coherent(d->dev, PAGE_SIZE, buf, handle);
	return at;
}

/* The devices with a DMA engine, after @d (from the start for NULL). */
static struct conformance_device *next_engine(struct conformance_device *d)
{
	for (d = d ? d + 1 : devices; d < devices + nr_devices; d++)
		if (d->edu)
			return d;
	return NULL;
}

/* The first device with a DMA engine; the case is skipped without one. */
static struct conformance_device *first_engine(struct kunit *test)
{
	struct conformance_device *d = next_engine(NULL);

	if (!d)
		kunit_skip(test, "no device here moves data (no edu)");
	return d;
}

/* Allocation */

static const size_t sizes[] = { 1, 100, PAGE_SIZE, PAGE_SIZE + 1, SZ_64K, SZ_1M };

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

	for (d = devices; d < devices + nr_devices; d++) {
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

	for (d = devices; d < devices + nr_devices; d++) {
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
			if (mapped) {
				KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(buf, 0, SZ_64K),
							NULL, "%s: %s not zeroed",
							d->name, attrs[i].name);
				fill(buf, SZ_64K, i);
				KUNIT_EXPECT_EQ(test, differs(buf, SZ_64K, i), -1);
			}
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

	for (d = devices; d < devices + nr_devices; d++) {
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

/* Each page of @page..+@size written through kmap and read back. */
static long pages_hold(struct page *page, size_t size, u8 seed)
{
	size_t off;
	long at;

	for (off = 0; off < size; off += PAGE_SIZE) {
		void *p = kmap_local_page(nth_page(page, off >> PAGE_SHIFT));

		fill_from(p, PAGE_SIZE, seed, off);
		at = differs_from(p, PAGE_SIZE, seed, off);
		kunmap_local(p);
		if (at >= 0)
			return off + at;
	}
	return -1;
}

static void allocated_pages_are_usable_and_in_reach(struct kunit *test)
{
	static const size_t page_sizes[] = { PAGE_SIZE, 5 * PAGE_SIZE, SZ_64K };
	struct conformance_device *d;
	unsigned int i;

	for (d = devices; d < devices + nr_devices; d++) {
		for (i = 0; i < ARRAY_SIZE(page_sizes); i++) {
			size_t size = page_sizes[i];
			dma_addr_t handle;
			struct page *page;

			page = dma_alloc_pages(d->dev, size, &handle,
					       DMA_BIDIRECTIONAL, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL_MSG(test, page, "%s: %zu bytes",
						  d->name, size);
			KUNIT_EXPECT_EQ(test, pages_hold(page, size, i), -1);
			dma_sync_single_for_device(d->dev, handle, size,
						   DMA_BIDIRECTIONAL);
			dma_sync_single_for_cpu(d->dev, handle, size,
						DMA_BIDIRECTIONAL);
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

	for (d = devices; d < devices + nr_devices; d++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			dma_addr_t handle;
			void *buf;

			buf = dma_alloc_noncoherent(d->dev, sizes[i], &handle,
						    DMA_TO_DEVICE, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL_MSG(test, buf, "%s: %zu bytes",
						  d->name, sizes[i]);
			fill(buf, sizes[i], i);
			dma_sync_single_for_device(d->dev, handle, sizes[i],
						   DMA_TO_DEVICE);
			KUNIT_EXPECT_EQ(test, differs(buf, sizes[i], i), -1);
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

	for (d = devices; d < devices + nr_devices; d++) {
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

/* Exporting a buffer: dma_get_sgtable() and dma_mmap_*() */

/* Compare the table's pages with @buf. */
static long table_holds(struct sg_table *sgt, const void *buf, size_t size)
{
	struct sg_page_iter piter;
	size_t off = 0;
	long at = -1;

	for_each_sgtable_page(sgt, &piter, 0) {
		void *p;

		if (off >= size)
			break;
		p = kmap_local_page(sg_page_iter_page(&piter));
		if (memcmp(p, buf + off, min_t(size_t, PAGE_SIZE, size - off)))
			at = off;
		kunmap_local(p);
		off += PAGE_SIZE;
	}
	return off < size ? (long)off : at;
}

static void a_coherent_buffer_exported_as_a_table_is_the_buffer(struct kunit *test)
{
	struct conformance_device *d;
	unsigned int i;

	for (d = devices; d < devices + nr_devices; d++) {
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

/*
 * User space sees an exported buffer through a file's mmap(): the case
 * gives the test's kthread an mm, maps a file whose mmap() calls @map, and
 * reads the mapping with copy_from_user().
 */
struct user_view {
	int (*map)(struct user_view *v, struct vm_area_struct *vma);
	struct device *dev;
	size_t size;
	void *cpu;
	dma_addr_t handle;
	struct page *page;
	struct sg_table *sgt;
};

static int user_view_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct user_view *v = file->private_data;

	return v->map(v, vma);
}

static const struct file_operations user_view_fops = {
	.owner	= THIS_MODULE,
	.mmap	= user_view_mmap,
};

/*
 * Map @v to user space and copy what it shows at @off, @len bytes, into
 * @copy.  Return: whether the map and the copy worked.
 */
static bool user_copy(struct kunit *test, struct user_view *v, void *copy,
		      size_t off, size_t len)
{
	unsigned long uaddr;
	struct file *file;
	bool ok;

	file = anon_inode_getfile("[dma-api-conformance]", &user_view_fops, v,
				  O_RDWR);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	uaddr = kunit_vm_mmap(test, file, 0, v->size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, 0);
	fput(file);
	KUNIT_EXPECT_FALSE_MSG(test, IS_ERR_VALUE(uaddr), "mmap: %ld",
			       (long)uaddr);
	if (IS_ERR_VALUE(uaddr))
		return false;
	ok = !copy_from_user(copy, (void __user *)uaddr + off, len);
	vm_munmap(uaddr, v->size);
	return ok;
}

/*
 * Map @v to user space and compare what it shows with fill(@seed).
 * Return: the first differing offset, -1 when all match.
 */
static long user_sees(struct kunit *test, struct user_view *v, u8 seed)
{
	u8 *copy = kunit_kmalloc(test, v->size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, copy);
	if (!user_copy(test, v, copy, 0, v->size))
		return 0;
	return differs(copy, v->size, seed);
}

static int map_coherent(struct user_view *v, struct vm_area_struct *vma)
{
	return dma_mmap_coherent(v->dev, vma, v->cpu, v->handle, v->size);
}

static int map_unmapped(struct user_view *v, struct vm_area_struct *vma)
{
	return dma_mmap_attrs(v->dev, vma, v->cpu, v->handle, v->size,
			      DMA_ATTR_NO_KERNEL_MAPPING);
}

static int map_pages(struct user_view *v, struct vm_area_struct *vma)
{
	return dma_mmap_pages(v->dev, vma, v->size, v->page);
}

static int map_noncontiguous(struct user_view *v, struct vm_area_struct *vma)
{
	return dma_mmap_noncontiguous(v->dev, vma, v->size, v->sgt);
}

static void a_buffer_mapped_to_user_space_is_the_buffer(struct kunit *test)
{
	struct conformance_device *d;

	for (d = devices; d < devices + nr_devices; d++) {
		struct user_view v = { .dev = d->dev, .size = SZ_64K };
		void *vaddr;

		v.map = map_coherent;
		v.cpu = dma_alloc_coherent(d->dev, v.size, &v.handle, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, v.cpu);
		fill(v.cpu, v.size, 1);
		KUNIT_EXPECT_EQ_MSG(test, user_sees(test, &v, 1), -1,
				    "%s: coherent", d->name);
		dma_free_coherent(d->dev, v.size, v.cpu, v.handle);

		v.map = map_pages;
		v.page = dma_alloc_pages(d->dev, v.size, &v.handle,
					 DMA_BIDIRECTIONAL, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, v.page);
		KUNIT_EXPECT_EQ(test, pages_hold(v.page, v.size, 2), -1);
		KUNIT_EXPECT_EQ_MSG(test, user_sees(test, &v, 2), -1,
				    "%s: pages", d->name);
		dma_free_pages(d->dev, v.size, v.page, v.handle, DMA_BIDIRECTIONAL);

		v.map = map_noncontiguous;
		v.sgt = dma_alloc_noncontiguous(d->dev, v.size, DMA_BIDIRECTIONAL,
						GFP_KERNEL, 0);
		KUNIT_ASSERT_NOT_NULL(test, v.sgt);
		vaddr = dma_vmap_noncontiguous(d->dev, v.size, v.sgt);
		KUNIT_ASSERT_NOT_NULL(test, vaddr);
		fill(vaddr, v.size, 3);
		flush_kernel_vmap_range(vaddr, v.size);
		KUNIT_EXPECT_EQ_MSG(test, user_sees(test, &v, 3), -1,
				    "%s: noncontiguous", d->name);
		dma_vunmap_noncontiguous(d->dev, vaddr);
		dma_free_noncontiguous(d->dev, v.size, v.sgt, DMA_BIDIRECTIONAL);
	}
}

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
	for (d = devices; d < devices + nr_devices; d++) {
		struct user_view v = { .map = map_coherent, .dev = d->dev,
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
		KUNIT_EXPECT_EQ_MSG(test, user_sees(test, &v, 4), -1, "%s",
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

	if (!platform)
		kunit_skip(test, "no platform device");
	if (!unused_ram(&base, SZ_128K))
		kunit_skip(test, "no RAM left out of the kernel's: boot with mem=");
	dev = &platform->dev;
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
	struct user_view v = { .map = map_coherent, .dev = c->dev,
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
	KUNIT_EXPECT_EQ(test, user_sees(test, &v, 5), -1);
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
		struct user_view v = { .map = map_coherent, .dev = c->dev,
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
		KUNIT_EXPECT_EQ_MSG(test, user_sees(test, &v, 9), -1, "%s", name);
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
 * Behind an IOMMU a buffer the CPU does not map needs no contiguous
 * memory: one larger than the page allocator gives in one piece is there
 * to be had, and its table and its user mapping show what the device wrote.
 */
static void an_unmapped_buffer_behind_an_iommu_needs_no_contiguous_memory(struct kunit *test)
{
	const size_t size = SZ_8M, step = SZ_1M + 100;
	struct conformance_device *d;
	unsigned int tried = 0;

	for (d = devices; d < devices + nr_devices; d++) {
		struct user_view v = { .map = map_unmapped, .dev = d->dev,
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
			KUNIT_EXPECT_TRUE(test, user_copy(test, &v, copy, off,
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

/* Streaming mappings, with real data */

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

	for (d = devices; d < devices + nr_devices; d++) {
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

/* What the API says about itself */

static void a_buffer_of_the_max_mapping_size_can_be_mapped(struct kunit *test)
{
	struct conformance_device *d;

	for (d = devices; d < devices + nr_devices; d++) {
		size_t size = min_t(size_t, dma_max_mapping_size(d->dev), SZ_1M);
		unsigned int order = get_order(size);
		dma_addr_t handle;
		struct page *page;

		page = alloc_pages(GFP_KERNEL, order);
		KUNIT_ASSERT_NOT_NULL(test, page);
		handle = dma_map_page(d->dev, page, 0, size, DMA_TO_DEVICE);
		KUNIT_EXPECT_FALSE_MSG(test, dma_mapping_error(d->dev, handle),
				       "%s: %zu bytes, the max mapping size %zu",
				       d->name, size, dma_max_mapping_size(d->dev));
		if (!dma_mapping_error(d->dev, handle))
			dma_unmap_page(d->dev, handle, size, DMA_TO_DEVICE);
		__free_pages(page, order);
	}
}

static void the_optimal_mapping_size_is_within_the_max(struct kunit *test)
{
	struct conformance_device *d;

	for (d = devices; d < devices + nr_devices; d++) {
		KUNIT_EXPECT_GE(test, dma_opt_mapping_size(d->dev), PAGE_SIZE);
		KUNIT_EXPECT_LE(test, dma_opt_mapping_size(d->dev),
				dma_max_mapping_size(d->dev));
	}
}

static void the_required_mask_reaches_all_memory(struct kunit *test)
{
	phys_addr_t last = memblock_end_of_DRAM() - 1;
	struct conformance_device *d;

	for (d = devices; d < devices + nr_devices; d++) {
		u64 required = dma_get_required_mask(d->dev);

		if (behind_iommu(d->dev))
			continue;
		KUNIT_EXPECT_GE_MSG(test, required, (u64)last,
				    "%s: RAM ends at %pa", d->name, &last);
		/* And it is a mask: all ones below its top bit. */
		KUNIT_EXPECT_EQ(test, required & (required + 1), 0);
	}
}

static void a_mask_short_of_the_required_one_is_limited(struct kunit *test)
{
	struct conformance_device *d;

	for (d = devices; d < devices + nr_devices; d++) {
		bool limited = dma_get_mask(d->dev) < dma_get_required_mask(d->dev);

		if (limited)
			KUNIT_EXPECT_TRUE_MSG(test, dma_addressing_limited(d->dev),
					      "%s: mask %llx, required %llx", d->name,
					      dma_get_mask(d->dev),
					      dma_get_required_mask(d->dev));
	}
}

static void segments_merge_only_below_a_declared_merge_boundary(struct kunit *test)
{
	struct conformance_device *d;
	struct scatterlist sgl[4];
	struct page *page;
	int i, n;

	for (d = devices; d < devices + nr_devices; d++) {
		page = alloc_pages(GFP_KERNEL, 2);
		KUNIT_ASSERT_NOT_NULL(test, page);
		/* Four page-sized entries, each its own allocation's page. */
		sg_init_table(sgl, ARRAY_SIZE(sgl));
		for (i = 0; i < ARRAY_SIZE(sgl); i++)
			sg_set_page(&sgl[i], nth_page(page, (i * 3) % 4), PAGE_SIZE, 0);
		n = dma_map_sg(d->dev, sgl, ARRAY_SIZE(sgl), DMA_TO_DEVICE);
		KUNIT_EXPECT_GT(test, n, 0);
		if (n > 0 && n < ARRAY_SIZE(sgl))
			KUNIT_EXPECT_NE_MSG(test, dma_get_merge_boundary(d->dev), 0,
					    "%s merged %zu entries into %d", d->name,
					    ARRAY_SIZE(sgl), n);
		if (n > 0)
			dma_unmap_sg(d->dev, sgl, ARRAY_SIZE(sgl), DMA_TO_DEVICE);
		__free_pages(page, 2);
	}
}

static void mapped_segments_respect_size_and_boundary(struct kunit *test)
{
	struct conformance_device *d;
	struct scatterlist sgl[16], *sg;
	struct page *page;
	int i, n;

	for (d = devices; d < devices + nr_devices; d++) {
		unsigned int old_size = dma_get_max_seg_size(d->dev);
		unsigned long old_boundary = dma_get_seg_boundary(d->dev);
		const unsigned int max = 2 * PAGE_SIZE;
		const unsigned long boundary = 4 * PAGE_SIZE - 1;

		if (!d->dev->dma_parms)
			continue;
		dma_set_max_seg_size(d->dev, max);
		dma_set_seg_boundary(d->dev, boundary);
		page = alloc_pages(GFP_KERNEL, 4);
		KUNIT_ASSERT_NOT_NULL(test, page);
		/* Contiguous entries of odd sizes: they invite merging. */
		sg_init_table(sgl, ARRAY_SIZE(sgl));
		for (i = 0; i < ARRAY_SIZE(sgl); i++)
			sg_set_page(&sgl[i], nth_page(page, i), i % 3 ? PAGE_SIZE : 1536,
				    0);
		n = dma_map_sg(d->dev, sgl, ARRAY_SIZE(sgl), DMA_TO_DEVICE);
		KUNIT_EXPECT_GT(test, n, 0);
		for_each_sg(sgl, sg, n, i) {
			dma_addr_t start = sg_dma_address(sg);
			dma_addr_t end = start + sg_dma_len(sg) - 1;

			KUNIT_EXPECT_LE_MSG(test, sg_dma_len(sg), max,
					    "%s: segment %d", d->name, i);
			KUNIT_EXPECT_EQ_MSG(test, start & ~(dma_addr_t)boundary,
					    end & ~(dma_addr_t)boundary,
					    "%s: segment %d at %pad, %u bytes",
					    d->name, i, &start, sg_dma_len(sg));
		}
		if (n > 0)
			dma_unmap_sg(d->dev, sgl, ARRAY_SIZE(sgl), DMA_TO_DEVICE);
		__free_pages(page, 4);
		dma_set_max_seg_size(d->dev, old_size);
		dma_set_seg_boundary(d->dev, old_boundary);
	}
}

static void a_mask_below_memory_is_refused(struct kunit *test)
{
	phys_addr_t first = memblock_start_of_DRAM();
	struct conformance_device *d;

	if (first < SZ_16M)
		kunit_skip(test, "RAM starts below 16 MiB");
	for (d = devices; d < devices + nr_devices; d++) {
		u64 mask = dma_get_mask(d->dev);

		if (behind_iommu(d->dev))
			continue;
		KUNIT_EXPECT_NE_MSG(test, dma_set_mask(d->dev, DMA_BIT_MASK(24)), 0,
				    "%s: RAM starts at %pa", d->name, &first);
		KUNIT_EXPECT_EQ(test, dma_get_mask(d->dev), mask);
		KUNIT_ASSERT_EQ(test, dma_set_mask(d->dev, mask), 0);
	}
}

/* A page above @mask, from among a few allocations; NULL if none is. */
static struct page *page_above(struct kunit *test, u64 mask)
{
	struct page *pages[64], *found = NULL;
	int i, n;

	for (n = 0; n < ARRAY_SIZE(pages); n++) {
		pages[n] = alloc_page(GFP_HIGHUSER);
		if (!pages[n] || page_to_phys(pages[n]) > mask)
			break;
	}
	if (n < ARRAY_SIZE(pages) && pages[n])
		found = pages[n];
	for (i = 0; i < n; i++)
		__free_page(pages[i]);
	return found;
}

/*
 * A mask the kernel accepts lets every page be mapped, directly or
 * bounced through memory the mask reaches; otherwise dma_set_mask() must
 * fail, so that the driver can choose.
 */
static void an_accepted_mask_maps_every_page(struct kunit *test)
{
	phys_addr_t first = memblock_start_of_DRAM();
	u64 mask = DMA_BIT_MASK(fls64(first));
	struct conformance_device *d;
	unsigned int tried = 0;

	if (mask >= memblock_end_of_DRAM() - 1)
		kunit_skip(test, "a %d-bit mask reaches all of RAM here", fls64(first));
	for (d = devices; d < devices + nr_devices; d++) {
		u64 old = dma_get_mask(d->dev);
		struct page *page;
		dma_addr_t handle;

		if (behind_iommu(d->dev) || mask >= old)
			continue;
		if (dma_set_mask(d->dev, mask)) {
			tried++;
			KUNIT_EXPECT_EQ(test, dma_get_mask(d->dev), old);
			continue;
		}
		page = page_above(test, mask);
		if (page) {
			phys_addr_t phys = page_to_phys(page);

			tried++;
			handle = dma_map_page(d->dev, page, 0, PAGE_SIZE,
					      DMA_TO_DEVICE);
			KUNIT_EXPECT_FALSE_MSG(test, dma_mapping_error(d->dev, handle),
					       "%s: a page at %pa under mask %#llx",
					       d->name, &phys, mask);
			if (!dma_mapping_error(d->dev, handle)) {
				KUNIT_EXPECT_LE(test, handle + PAGE_SIZE - 1, mask);
				dma_unmap_page(d->dev, handle, PAGE_SIZE, DMA_TO_DEVICE);
			}
			__free_page(page);
		}
		KUNIT_ASSERT_EQ(test, dma_set_mask(d->dev, old), 0);
	}
	if (!tried)
		kunit_skip(test, "no device here could try a %d-bit mask", fls64(first));
}

static void a_narrowed_coherent_mask_bounds_coherent_buffers(struct kunit *test)
{
	static const unsigned int bits[] = { 24, 28, 31 };
	struct conformance_device *d;
	unsigned int i, tried = 0;

	for (d = devices; d < devices + nr_devices; d++) {
		u64 old = coherent_mask(d->dev);

		for (i = 0; i < ARRAY_SIZE(bits); i++) {
			u64 mask = DMA_BIT_MASK(bits[i]);
			dma_addr_t handle;
			void *buf;

			if (mask >= old || dma_set_coherent_mask(d->dev, mask))
				continue;
			tried++;
			buf = dma_alloc_coherent(d->dev, SZ_64K, &handle, GFP_KERNEL);
			KUNIT_EXPECT_NOT_NULL_MSG(test, buf, "%s: %u bits", d->name,
						  bits[i]);
			if (buf) {
				KUNIT_EXPECT_TRUE_MSG(test, in_reach(handle, SZ_64K, mask),
						      "%s: %pad for %u bits", d->name,
						      &handle, bits[i]);
				dma_free_coherent(d->dev, SZ_64K, buf, handle);
			}
			break;
		}
		KUNIT_ASSERT_EQ(test, dma_set_coherent_mask(d->dev, old), 0);
	}
	if (!tried)
		kunit_skip(test, "no device takes a narrower coherent mask");
}

/*
 * A coherent device whose mapping did not bounce needs no syncs: callers
 * such as page_pool skip them on that answer.
 */
static void a_coherent_mapping_that_did_not_bounce_needs_no_sync(struct kunit *test)
{
	struct conformance_device *d;
	unsigned int tried = 0;
	dma_addr_t handle;
	struct page *page;

	for (d = devices; d < devices + nr_devices; d++) {
		if (!dev_is_dma_coherent(d->dev) || behind_iommu(d->dev) ||
		    is_swiotlb_force_bounce(d->dev))
			continue;
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		handle = dma_map_page(d->dev, page, 0, PAGE_SIZE, DMA_FROM_DEVICE);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(d->dev, handle));
		if (handle == page_to_phys(page)) {
			tried++;
			KUNIT_EXPECT_FALSE_MSG(test, dma_need_sync(d->dev, handle),
					       "%s", d->name);
		}
		dma_unmap_page(d->dev, handle, PAGE_SIZE, DMA_FROM_DEVICE);
		__free_page(page);
	}
	if (!tried)
		kunit_skip(test, "no coherent device maps without bouncing here");
}

/* The devices */

static int add_platform_device(void)
{
	struct platform_device_info info = {
		.name		= "dma-api-conformance",
		.id		= PLATFORM_DEVID_NONE,
		.dma_mask	= DMA_BIT_MASK(32),
	};
	int ret;

	platform = platform_device_register_full(&info);
	if (IS_ERR(platform)) {
		ret = PTR_ERR(platform);
		platform = NULL;
		return ret;
	}
	/* What the platform bus does for a device the tree describes. */
	ret = of_dma_configure(&platform->dev, of_root, true);
	if (ret) {
		platform_device_unregister(platform);
		platform = NULL;
		return ret;
	}
	devices[nr_devices++] = (struct conformance_device) {
		.name = "platform device", .dev = &platform->dev,
	};
	return 0;
}

static int add_edu(void)
{
	struct pci_dev *pdev = edu_binding.pdev;
	void __iomem *regs;
	int ret;

	if (!IS_ENABLED(CONFIG_PCI) || !pdev)
		return 0;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	/* A kernel may refuse a narrow mask: then edu sits the suite out. */
	if (dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(edu_mask_bits))) {
		pr_info("dma_api_conformance: %s refuses a %u-bit mask\n",
			pci_name(pdev), edu_mask_bits);
		return 0;
	}
	regs = pcim_iomap(pdev, 0, 0);
	if (!regs)
		return -ENOMEM;
	devices[nr_devices++] = (struct conformance_device) {
		.name = "edu", .dev = &pdev->dev, .edu = regs,
	};
	return 0;
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

static int conformance_suite_init(struct kunit_suite *suite)
{
	int ret;

	nr_devices = 0;
	nr_pool_clients = 0;
	ret = pci_register_driver(&edu_binding.driver);
	if (ret)
		return ret;
	ret = add_edu();
	if (!ret)
		ret = add_platform_device();
	if (!ret)
		ret = platform_driver_register(&pool_client_driver);
	if (ret) {
		if (platform)
			platform_device_unregister(platform);
		platform = NULL;
		pci_unregister_driver(&edu_binding.driver);
	}
	return ret;
}

static void conformance_suite_exit(struct kunit_suite *suite)
{
	platform_driver_unregister(&pool_client_driver);
	nr_pool_clients = 0;
	if (platform)
		platform_device_unregister(platform);
	platform = NULL;
	pci_unregister_driver(&edu_binding.driver);
	nr_devices = 0;
}

static struct kunit_case conformance_cases[] = {
	KUNIT_CASE(coherent_buffers_are_zeroed_aligned_and_in_reach),
	KUNIT_CASE(each_allocation_attribute_gives_a_buffer_in_reach),
	KUNIT_CASE(atomic_allocations_are_zeroed_and_in_reach),
	KUNIT_CASE(allocated_pages_are_usable_and_in_reach),
	KUNIT_CASE(noncoherent_buffers_are_usable_and_in_reach),
	KUNIT_CASE(noncontiguous_buffers_are_usable_through_their_mapping),
	KUNIT_CASE(a_coherent_buffer_exported_as_a_table_is_the_buffer),
	KUNIT_CASE(a_buffer_mapped_to_user_space_is_the_buffer),
	KUNIT_CASE(a_declared_pool_buffer_is_exported_honestly),
	KUNIT_CASE(a_pool_declared_unevenly_serves_its_whole_pages),
	KUNIT_CASE(a_shared_pool_buffer_is_exported_as_its_memory),
	KUNIT_CASE(a_restricted_pool_device_gets_memory_only_from_its_pool),
	KUNIT_CASE(a_restricted_pool_buffer_is_exported_as_the_buffer),
	KUNIT_CASE(a_full_restricted_pool_refuses_rather_than_look_elsewhere),
	KUNIT_CASE(a_restricted_pool_device_maps_through_its_pool),
	KUNIT_CASE(an_unmapped_buffer_behind_an_iommu_needs_no_contiguous_memory),
	KUNIT_CASE(the_device_reads_and_writes_a_coherent_buffer),
	KUNIT_CASE(single_mappings_carry_data_each_way),
	KUNIT_CASE(a_highmem_page_mapping_carries_data),
	KUNIT_CASE(scatterlists_carry_data_through_every_segment),
	KUNIT_CASE(sg_tables_map_within_the_mask),
	KUNIT_CASE(a_small_buffer_keeps_its_neighbours_while_mapped),
	KUNIT_CASE(range_syncs_hand_over_the_range),
	KUNIT_CASE(a_resource_maps_to_an_address_in_reach),
	KUNIT_CASE(a_buffer_of_the_max_mapping_size_can_be_mapped),
	KUNIT_CASE(the_optimal_mapping_size_is_within_the_max),
	KUNIT_CASE(the_required_mask_reaches_all_memory),
	KUNIT_CASE(a_mask_short_of_the_required_one_is_limited),
	KUNIT_CASE(segments_merge_only_below_a_declared_merge_boundary),
	KUNIT_CASE(mapped_segments_respect_size_and_boundary),
	KUNIT_CASE(a_mask_below_memory_is_refused),
	KUNIT_CASE(an_accepted_mask_maps_every_page),
	KUNIT_CASE(a_narrowed_coherent_mask_bounds_coherent_buffers),
	KUNIT_CASE(a_coherent_mapping_that_did_not_bounce_needs_no_sync),
	{}
};

static struct kunit_suite conformance_suite = {
	.name		= "dma_api_conformance",
	.suite_init	= conformance_suite_init,
	.suite_exit	= conformance_suite_exit,
	.test_cases	= conformance_cases,
};

kunit_test_suite(conformance_suite);

MODULE_DESCRIPTION("The DMA API's contract, on the devices of the machine");
MODULE_LICENSE("GPL");
