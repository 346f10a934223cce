/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the DMA API promises a driver, case by case, on the devices the
 * machine has: QEMU's edu (a PCI DMA engine that moves real data, coherent,
 * non-coherent or behind an IOMMU as the machine makes it) and a platform
 * device configured from the device tree as the platform bus would.
 *
 * Only the public API is used, so the same files build on a pristine
 * kernel: make conformance-upstream runs them there for the reference that
 * make check holds this tree to.  The contract is
 * Documentation/core-api/dma-api.rst and dma-api-howto.rst.
 *
 * One suite per behaviour (alloc_test.c, export_test.c, pools_test.c,
 * streaming_test.c, limits_test.c), each named dma_api_conformance_*; what
 * they share is here: the devices (devices.c) and the buffers' checks
 * (buffers.c).
 */
#ifndef __DMA_API_CONFORMANCE_H
#define __DMA_API_CONFORMANCE_H

#include <kunit/qemu_edu.h>
#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/sizes.h>

struct platform_device;
struct sg_table;
struct vm_area_struct;

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

/* devices.c: the devices of the machine, set up for each suite */
#define MAX_CONFORMANCE_DEVICES 2
extern struct conformance_device conformance_devices[MAX_CONFORMANCE_DEVICES];
extern unsigned int nr_conformance_devices;
extern struct platform_device *conformance_platform;
int conformance_devices_init(struct kunit_suite *suite);
void conformance_devices_exit(struct kunit_suite *suite);

/* Past the last device: for (d = conformance_devices; d < ...; d++) */
static inline struct conformance_device *conformance_end(void)
{
	return conformance_devices + nr_conformance_devices;
}

/* Sizes every allocation case tries. */
static const size_t sizes[] = { 1, 100, PAGE_SIZE, PAGE_SIZE + 1, SZ_64K, SZ_1M };

static inline u64 coherent_mask(struct device *dev)
{
	return dev->coherent_dma_mask;
}

/* Whether [handle, handle + size) is addressable under @mask. */
static inline bool in_reach(dma_addr_t handle, size_t size, u64 mask)
{
	return size && handle <= mask && size - 1 <= mask - handle;
}

static inline bool behind_iommu(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && domain->type != IOMMU_DOMAIN_IDENTITY;
}

/* The pattern byte at offset @off of a buffer filled from @seed. */
static inline u8 pattern(u8 seed, size_t off)
{
	return seed + off * 7 + (off >> 8);
}

/* Fill @len bytes that sit at offset @from of a pattern. */
static inline void fill_from(void *buf, size_t len, u8 seed, size_t from)
{
	u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(seed, from + i);
}

static inline void fill(void *buf, size_t len, u8 seed)
{
	fill_from(buf, len, seed, 0);
}

/* Offset of the first byte of @buf that differs from fill(seed), or -1. */
static inline long differs_from(const void *buf, size_t len, u8 seed, size_t from)
{
	const u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pattern(seed, from + i))
			return i;
	return -1;
}

static inline long differs(const void *buf, size_t len, u8 seed)
{
	return differs_from(buf, len, seed, 0);
}

/*
 * edu's own 4 KiB buffer is the far end of every transfer: load it from a
 * coherent buffer the CPU filled with @seed.
 */
static inline bool edu_load(struct conformance_device *d, u8 seed, size_t len)
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
static inline long edu_holds(struct conformance_device *d, u8 seed, size_t len)
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
static inline struct conformance_device *next_engine(struct conformance_device *d)
{
	for (d = d ? d + 1 : conformance_devices; d < conformance_end(); d++)
		if (d->edu)
			return d;
	return NULL;
}

/* The first device with a DMA engine; the case is skipped without one. */
static inline struct conformance_device *first_engine(struct kunit *test)
{
	struct conformance_device *d = next_engine(NULL);

	if (!d)
		kunit_skip(test, "no device here moves data (no edu)");
	return d;
}

/* buffers.c: what a buffer holds, seen from the CPU and from user space */
long pages_hold(struct page *page, size_t size, u8 seed);
long table_holds(struct sg_table *sgt, const void *buf, size_t size);

/**
 * struct user_view - a buffer as user space sees it through mmap()
 * @map:	the dma_mmap_*() that maps it
 * @dev:	its device
 * @size:	its size
 * @cpu:	its CPU address (or cookie)
 * @handle:	its DMA address
 * @page:	its page, for dma_mmap_pages()
 * @sgt:	its table, for dma_mmap_noncontiguous()
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

bool user_view_copy(struct kunit *test, struct user_view *v, void *copy,
		    size_t off, size_t len);
long user_view_sees(struct kunit *test, struct user_view *v, u8 seed);
int user_view_coherent(struct user_view *v, struct vm_area_struct *vma);
int user_view_unmapped(struct user_view *v, struct vm_area_struct *vma);
int user_view_pages(struct user_view *v, struct vm_area_struct *vma);
int user_view_noncontiguous(struct user_view *v, struct vm_area_struct *vma);

#endif /* __DMA_API_CONFORMANCE_H */
