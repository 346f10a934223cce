// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA through an IOMMU on 32-bit ARM: arm_iommu_dma_ops.
 *
 * A device behind an IOMMU gets a paging domain of its own when its DMA is
 * configured; its DMA addresses are then IOVAs, allocated from the IOVA
 * library with its per-CPU caches, within the domain's aperture and the
 * device's mask, outside the regions the IOMMU reserves.  Memory comes from
 * the same allocator layer as the direct ops (dma-alloc.c, the selector);
 * this file only maps it.
 *
 * Unmapping invalidates the IOMMU's TLB before the IOVA can be reused:
 * strictly, at once, or lazily, through a flush queue that batches many
 * unmaps into one invalidation (iommu.strict=0).
 */
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/iommu.h>
#include <linux/iova.h>
#include <linux/mm.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/vmalloc.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "dma-internal.h"

#define ARM_IOMMU_FQ_SIZE	256
#define ARM_IOMMU_FQ_TIMEOUT	msecs_to_jiffies(10)

static bool arm_iommu_strict = IS_ENABLED(CONFIG_IOMMU_DEFAULT_DMA_STRICT);

/* The IOMMU core reads iommu.strict= too; this layer honours it as well. */
static int __init arm_iommu_strict_param(char *arg)
{
	return kstrtobool(arg, &arm_iommu_strict);
}
early_param("iommu.strict", arm_iommu_strict_param);

struct arm_iommu_fq_entry {
	unsigned long pfn;
	unsigned long pages;
};

/**
 * struct iommu_dma_cookie - the DMA layer's state for one paging domain
 * @domain:	the domain
 * @iovad:	its IOVA space
 * @lazy:	unmaps go through the flush queue
 * @fq_lock:	guards the flush queue
 * @fq:		IOVA ranges unmapped but maybe still in the IOTLB
 * @fq_len:	entries in @fq
 * @fq_timer:	flushes the queue when nothing else does
 * @fq_flushes:	invalidations the queue has made
 * @owner:	name of the device the domain was made for
 * @limit:	the highest IOVA it may hand out
 * @node:	in arm_iommu_cookies
 * @maps:	streaming maps and coherent allocations made
 */
struct iommu_dma_cookie {
	struct iommu_domain *domain;
	struct iova_domain iovad;
	bool lazy;
	spinlock_t fq_lock;		/* guards fq and fq_len */
	struct arm_iommu_fq_entry fq[ARM_IOMMU_FQ_SIZE];
	unsigned int fq_len;
	struct timer_list fq_timer;
	atomic_long_t fq_flushes;
	const char *owner;
	dma_addr_t limit;
	struct list_head node;
	atomic_long_t maps;
};

/* Every device with arm_iommu_dma_ops, for debugfs. */
static LIST_HEAD(arm_iommu_cookies);
static DEFINE_MUTEX(arm_iommu_cookies_lock);

static struct iommu_dma_cookie *arm_iommu_cookie(struct device *dev)
{
	return iommu_get_domain_for_dev(dev)->iova_cookie;
}

/* IOVAs */

static dma_addr_t arm_iommu_alloc_iova(struct device *dev,
				       struct iommu_dma_cookie *cookie,
				       size_t size)
{
	struct iova_domain *iovad = &cookie->iovad;
	u64 limit = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
	unsigned long pfn;

	limit = min3(limit, (u64)cookie->limit,
		     (u64)cookie->domain->geometry.aperture_end);
	pfn = alloc_iova_fast(iovad, iova_align(iovad, size) >> iova_shift(iovad),
			      limit >> iova_shift(iovad), true);
	if (!pfn) {
		dev_err_ratelimited(dev, "arm-iommu: out of IOVA space for %zu bytes under %#llx\n",
				    size, limit);
		return 0;
	}
	return (dma_addr_t)pfn << iova_shift(iovad);
}

static void arm_iommu_free_iova(struct iommu_dma_cookie *cookie,
				unsigned long pfn, unsigned long pages)
{
	free_iova_fast(&cookie->iovad, pfn, pages);
}

/* Flush queue */

static void arm_iommu_fq_flush(struct iommu_dma_cookie *cookie)
{
	unsigned int i;

	lockdep_assert_held(&cookie->fq_lock);
	if (!cookie->fq_len)
		return;
	iommu_flush_iotlb_all(cookie->domain);
	for (i = 0; i < cookie->fq_len; i++)
		arm_iommu_free_iova(cookie, cookie->fq[i].pfn, cookie->fq[i].pages);
	cookie->fq_len = 0;
	atomic_long_inc(&cookie->fq_flushes);
}

static void arm_iommu_fq_timeout(struct timer_list *t)
{
	struct iommu_dma_cookie *cookie = from_timer(cookie, t, fq_timer);
	unsigned long flags;

	spin_lock_irqsave(&cookie->fq_lock, flags);
	arm_iommu_fq_flush(cookie);
	spin_unlock_irqrestore(&cookie->fq_lock, flags);
}

static void arm_iommu_fq_add(struct iommu_dma_cookie *cookie,
			     unsigned long pfn, unsigned long pages)
{
	unsigned long flags;

	spin_lock_irqsave(&cookie->fq_lock, flags);
	if (cookie->fq_len == ARM_IOMMU_FQ_SIZE)
		arm_iommu_fq_flush(cookie);
	cookie->fq[cookie->fq_len++] = (struct arm_iommu_fq_entry) {
		.pfn = pfn, .pages = pages,
	};
	spin_unlock_irqrestore(&cookie->fq_lock, flags);
	if (!timer_pending(&cookie->fq_timer))
		mod_timer(&cookie->fq_timer, jiffies + ARM_IOMMU_FQ_TIMEOUT);
}

/* Mapping and unmapping IOVA ranges */

/* What the device may do to the memory, by direction. */
static const int arm_iommu_dir_prot[] = {
	[DMA_BIDIRECTIONAL]	= IOMMU_READ | IOMMU_WRITE,
	[DMA_TO_DEVICE]		= IOMMU_READ,
	[DMA_FROM_DEVICE]	= IOMMU_WRITE,
	[DMA_NONE]		= 0,
};

static int arm_iommu_prot(enum dma_data_direction dir, bool coherent,
			  unsigned long attrs)
{
	return arm_iommu_dir_prot[dir] | (coherent ? IOMMU_CACHE : 0) |
	       (attrs & DMA_ATTR_PRIVILEGED ? IOMMU_PRIV : 0);
}

/*
 * Take [@iova, @iova + @size) out of the domain and give the IOVAs back,
 * once no TLB can still translate them.  An unmap of something not mapped
 * is refused: its IOVAs may belong to someone else.
 */
static void arm_iommu_unmap_range(struct device *dev, dma_addr_t iova,
				  size_t size)
{
	struct iommu_dma_cookie *cookie = arm_iommu_cookie(dev);
	struct iova_domain *iovad = &cookie->iovad;
	struct iommu_iotlb_gather gather;
	size_t unmapped;

	iommu_iotlb_gather_init(&gather);
	unmapped = iommu_unmap_fast(cookie->domain, iova, size, &gather);
	if (unmapped != size) {
		dev_err_ratelimited(dev, "arm-iommu: unmap of %zu bytes at IOVA %pad found %zu mapped: refused\n",
				    size, &iova, unmapped);
		WARN_ON_ONCE(1);
		if (!unmapped)
			return;
	}
	if (cookie->lazy) {
		arm_iommu_fq_add(cookie, iova_pfn(iovad, iova),
				 size >> iova_shift(iovad));
		return;
	}
	iommu_iotlb_sync(cookie->domain, &gather);
	arm_iommu_free_iova(cookie, iova_pfn(iovad, iova),
			    size >> iova_shift(iovad));
}

/* Map @size bytes at @phys, not granule aligned, at a new IOVA range. */
static dma_addr_t arm_iommu_map_phys(struct device *dev, phys_addr_t phys,
				     size_t size, int prot)
{
	struct iommu_dma_cookie *cookie = arm_iommu_cookie(dev);
	struct iova_domain *iovad = &cookie->iovad;
	size_t offset = iova_offset(iovad, phys);
	size_t len = iova_align(iovad, size + offset);
	dma_addr_t iova;

	iova = arm_iommu_alloc_iova(dev, cookie, len);
	if (!iova)
		return DMA_MAPPING_ERROR;
	atomic_long_inc(&cookie->maps);
	if (iommu_map(cookie->domain, iova, phys - offset, len, prot,
		      GFP_ATOMIC)) {
		dev_err_ratelimited(dev, "arm-iommu: cannot map %zu bytes at IOVA %pad\n",
				    len, &iova);
		arm_iommu_free_iova(cookie, iova_pfn(iovad, iova),
				    len >> iova_shift(iovad));
		return DMA_MAPPING_ERROR;
	}
	return iova + offset;
}

static void arm_iommu_unmap_phys(struct device *dev, dma_addr_t dma,
				 size_t size)
{
	struct iova_domain *iovad = &arm_iommu_cookie(dev)->iovad;
	size_t offset = iova_offset(iovad, dma);

	arm_iommu_unmap_range(dev, dma - offset,
			      iova_align(iovad, size + offset));
}

static phys_addr_t arm_iommu_phys(struct device *dev, dma_addr_t dma)
{
	return iommu_iova_to_phys(iommu_get_domain_for_dev(dev), dma);
}

/* Streaming DMA */

static dma_addr_t arm_iommu_map_page(struct device *dev, struct page *page,
				     unsigned long offset, size_t size,
				     enum dma_data_direction dir,
				     unsigned long attrs)
{
	bool coherent = dev_is_dma_coherent(dev);
	phys_addr_t phys = page_to_phys(page) + offset;
	dma_addr_t dma;

	dma = arm_iommu_map_phys(dev, phys, size,
				 arm_iommu_prot(dir, coherent, attrs));
	if (dma != DMA_MAPPING_ERROR && !coherent &&
	    !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		arm_dma_sync_for_device(phys, size, dir);
	return dma;
}

static void arm_iommu_unmap_page(struct device *dev, dma_addr_t dma,
				 size_t size, enum dma_data_direction dir,
				 unsigned long attrs)
{
	if (!dev_is_dma_coherent(dev) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC)) {
		phys_addr_t phys = arm_iommu_phys(dev, dma);

		if (phys)
			arm_dma_sync_for_cpu(phys, size, dir);
	}
	arm_iommu_unmap_phys(dev, dma, size);
}

static void arm_iommu_sync_single_for_cpu(struct device *dev, dma_addr_t dma,
					  size_t size,
					  enum dma_data_direction dir)
{
	if (!dev_is_dma_coherent(dev))
		arm_dma_sync_for_cpu(arm_iommu_phys(dev, dma), size, dir);
}

static void arm_iommu_sync_single_for_device(struct device *dev,
					     dma_addr_t dma, size_t size,
					     enum dma_data_direction dir)
{
	if (!dev_is_dma_coherent(dev))
		arm_dma_sync_for_device(arm_iommu_phys(dev, dma), size, dir);
}

/* The entries' own pages: the cache work does not need the IOMMU. */
static void arm_iommu_sync_sg(struct device *dev, struct scatterlist *sgl,
			      int nents, enum dma_data_direction dir,
			      void (*sync)(phys_addr_t phys, size_t size,
					   enum dma_data_direction dir))
{
	struct scatterlist *sg;
	int i;

	if (dev_is_dma_coherent(dev))
		return;
	for_each_sg(sgl, sg, nents, i)
		sync(sg_phys(sg), sg->length, dir);
}

static void arm_iommu_sync_sg_for_cpu(struct device *dev,
				      struct scatterlist *sgl, int nents,
				      enum dma_data_direction dir)
{
	arm_iommu_sync_sg(dev, sgl, nents, dir, arm_dma_sync_for_cpu);
}

static void arm_iommu_sync_sg_for_device(struct device *dev,
					 struct scatterlist *sgl, int nents,
					 enum dma_data_direction dir)
{
	arm_iommu_sync_sg(dev, sgl, nents, dir, arm_dma_sync_for_device);
}

/* The IOVA space a list's entries take, each granule aligned. */
static size_t arm_iommu_sg_span(struct iova_domain *iovad,
				struct scatterlist *sgl, int nents)
{
	struct scatterlist *sg;
	size_t span = 0;
	int i;

	for_each_sg(sgl, sg, nents, i)
		span += iova_align(iovad, sg->length + iova_offset(iovad, sg_phys(sg)));
	return span;
}

/*
 * Entries lie back to back in one IOVA range.  An entry joins the DMA
 * segment before it when it starts where that one ends (both meet at a
 * granule boundary), within the device's segment size and boundary.
 */
static int arm_iommu_merge_sg(struct device *dev, struct scatterlist *sgl,
			      int nents)
{
	unsigned long boundary = dma_get_seg_boundary(dev);
	unsigned int max_seg = dma_get_max_seg_size(dev);
	struct scatterlist *sg, *out = NULL;
	int i, count = 0;

	for_each_sg(sgl, sg, nents, i) {
		dma_addr_t addr = sg_dma_address(sg);
		unsigned int len = sg_dma_len(sg);

		if (out) {
			dma_addr_t start = sg_dma_address(out);
			dma_addr_t end = start + sg_dma_len(out);

			if (end == addr && sg_dma_len(out) + len <= max_seg &&
			    !((start ^ (end + len - 1)) & ~boundary)) {
				sg_dma_len(out) += len;
				continue;
			}
		}
		out = out ? sg_next(out) : sgl;
		sg_dma_address(out) = addr;
		sg_dma_len(out) = len;
		count++;
	}
	for (sg = sg_next(out); sg && count < nents; sg = sg_next(sg)) {
		sg_dma_address(sg) = DMA_MAPPING_ERROR;
		sg_dma_len(sg) = 0;
	}
	return count;
}

/**
 * arm_iommu_map_one() - map one granule-aligned piece into a domain
 * @domain:	the domain
 * @iova:	where
 * @phys:	what
 * @size:	how much
 * @prot:	IOMMU_* permissions
 *
 * Return: 0, or a negative errno.
 */
VISIBLE_IF_KUNIT int arm_iommu_map_one(struct iommu_domain *domain,
				       unsigned long iova, phys_addr_t phys,
				       size_t size, int prot)
{
	KUNIT_STATIC_STUB_REDIRECT(arm_iommu_map_one, domain, iova, phys, size,
				   prot);
	return iommu_map(domain, iova, phys, size, prot, GFP_ATOMIC);
}
EXPORT_SYMBOL_IF_KUNIT(arm_iommu_map_one);

static int arm_iommu_map_sg(struct device *dev, struct scatterlist *sgl,
			    int nents, enum dma_data_direction dir,
			    unsigned long attrs)
{
	struct iommu_dma_cookie *cookie = arm_iommu_cookie(dev);
	struct iova_domain *iovad = &cookie->iovad;
	bool coherent = dev_is_dma_coherent(dev);
	int prot = arm_iommu_prot(dir, coherent, attrs);
	size_t span = arm_iommu_sg_span(iovad, sgl, nents);
	struct scatterlist *sg;
	dma_addr_t iova, cur;
	int i;

	iova = arm_iommu_alloc_iova(dev, cookie, span);
	if (!iova)
		return -ENOMEM;
	atomic_long_inc(&cookie->maps);
	cur = iova;
	for_each_sg(sgl, sg, nents, i) {
		size_t offset = iova_offset(iovad, sg_phys(sg));
		size_t len = iova_align(iovad, sg->length + offset);

		if (arm_iommu_map_one(cookie->domain, cur, sg_phys(sg) - offset,
				      len, prot))
			goto unwind;
		if (!coherent && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
			arm_dma_sync_for_device(sg_phys(sg), sg->length, dir);
		sg_dma_address(sg) = cur + offset;
		sg_dma_len(sg) = sg->length;
		cur += len;
	}
	return arm_iommu_merge_sg(dev, sgl, nents);

unwind:
	dev_err_ratelimited(dev, "arm-iommu: mapping entry %d of %d failed: unmapping the rest\n",
			    i, nents);
	if (cur > iova)
		iommu_unmap(cookie->domain, iova, cur - iova);
	arm_iommu_free_iova(cookie, iova_pfn(iovad, iova),
			    span >> iova_shift(iovad));
	for_each_sg(sgl, sg, nents, i) {
		sg_dma_address(sg) = DMA_MAPPING_ERROR;
		sg_dma_len(sg) = 0;
	}
	return -ENOMEM;
}

static void arm_iommu_unmap_sg(struct device *dev, struct scatterlist *sgl,
			       int nents, enum dma_data_direction dir,
			       unsigned long attrs)
{
	struct iova_domain *iovad = &arm_iommu_cookie(dev)->iovad;
	dma_addr_t start = sg_dma_address(sgl);

	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		arm_iommu_sync_sg_for_cpu(dev, sgl, nents, dir);
	arm_iommu_unmap_range(dev, start - iova_offset(iovad, start),
			      arm_iommu_sg_span(iovad, sgl, nents));
}

static dma_addr_t arm_iommu_map_resource(struct device *dev, phys_addr_t phys,
					 size_t size,
					 enum dma_data_direction dir,
					 unsigned long attrs)
{
	return arm_iommu_map_phys(dev, phys, size,
				  arm_iommu_prot(dir, false, attrs) | IOMMU_MMIO);
}

static void arm_iommu_unmap_resource(struct device *dev, dma_addr_t dma,
				     size_t size, enum dma_data_direction dir,
				     unsigned long attrs)
{
	arm_iommu_unmap_phys(dev, dma, size);
}

/* Coherent buffers */

/*
 * Contiguous memory from the selector (the atomic pool when the caller
 * cannot sleep), mapped at one IOVA range.  The device's mask limits the
 * IOVA, not the memory.
 */
static void *arm_iommu_alloc_contiguous(struct device *dev, size_t size,
					dma_addr_t *handle, gfp_t gfp,
					unsigned long attrs)
{
	bool coherent = dev_is_dma_coherent(dev);
	struct arm_dma_request req = {
		.dev		= dev,
		.size		= size,
		.gfp		= gfp & ~(__GFP_ZERO | GFP_DMA | __GFP_DMA32),
		.prot		= dma_pgprot(dev, PAGE_KERNEL, attrs),
		.attrs		= attrs,
		.coherent	= coherent,
		.caller		= __builtin_return_address(0),
	};
	struct page *page;
	void *cookie;

	page = arm_dma_alloc_buffer(&req, &cookie);
	if (!page)
		return NULL;
	*handle = arm_iommu_map_phys(dev, page_to_phys(page), size,
				     arm_iommu_prot(DMA_BIDIRECTIONAL, coherent, attrs));
	if (*handle == DMA_MAPPING_ERROR) {
		arm_dma_free_buffer(dev, size, cookie, page);
		return NULL;
	}
	return cookie;
}

/* Pages from anywhere, one IOVA range for the device, one vmap for us. */
static void *arm_iommu_alloc_remap(struct device *dev, size_t size,
				   dma_addr_t *handle, gfp_t gfp,
				   unsigned long attrs)
{
	struct iommu_dma_cookie *cookie = arm_iommu_cookie(dev);
	bool coherent = dev_is_dma_coherent(dev);
	int prot = arm_iommu_prot(DMA_BIDIRECTIONAL, coherent, attrs);
	unsigned int i, count = size >> PAGE_SHIFT;
	struct page **pages;
	dma_addr_t iova;
	void *vaddr;

	pages = arm_dma_alloc_pages(size, (gfp & ~(__GFP_ZERO | GFP_DMA)) |
				    __GFP_HIGHMEM, coherent);
	if (!pages)
		return NULL;
	iova = arm_iommu_alloc_iova(dev, cookie, size);
	if (!iova)
		goto fail_pages;
	atomic_long_inc(&cookie->maps);
	for (i = 0; i < count; i++)
		if (iommu_map(cookie->domain, iova + i * PAGE_SIZE,
			      page_to_phys(pages[i]), PAGE_SIZE, prot, gfp))
			goto fail_unmap;
	vaddr = dma_common_pages_remap(pages, size,
				       dma_pgprot(dev, PAGE_KERNEL, attrs),
				       __builtin_return_address(0));
	if (!vaddr)
		goto fail_unmap;
	*handle = iova;
	return vaddr;

fail_unmap:
	if (i)
		iommu_unmap(cookie->domain, iova, i * PAGE_SIZE);
	arm_iommu_free_iova(cookie, iova_pfn(&cookie->iovad, iova),
			    size >> iova_shift(&cookie->iovad));
fail_pages:
	arm_dma_free_pages(pages, size);
	return NULL;
}

static void *arm_iommu_alloc(struct device *dev, size_t size,
			     dma_addr_t *handle, gfp_t gfp, unsigned long attrs)
{
	size = PAGE_ALIGN(size);
	*handle = DMA_MAPPING_ERROR;
	if (!size)
		return NULL;
	if (!gfpflags_allow_blocking(gfp) ||
	    (attrs & (DMA_ATTR_FORCE_CONTIGUOUS | DMA_ATTR_NO_KERNEL_MAPPING)))
		return arm_iommu_alloc_contiguous(dev, size, handle, gfp, attrs);
	return arm_iommu_alloc_remap(dev, size, handle, gfp, attrs);
}

static void arm_iommu_free(struct device *dev, size_t size, void *cpu_addr,
			   dma_addr_t handle, unsigned long attrs)
{
	struct page **pages = dma_common_find_pages(cpu_addr);
	phys_addr_t phys = arm_iommu_phys(dev, handle);

	size = PAGE_ALIGN(size);
	if (!phys) {
		dev_err(dev, "arm-iommu: refusing to free %p: IOVA %pad is not mapped\n",
			cpu_addr, &handle);
		WARN_ON_ONCE(1);
		return;
	}
	arm_iommu_unmap_phys(dev, handle, size);
	if (pages) {
		dma_common_free_remap(cpu_addr, size);
		arm_dma_free_pages(pages, size);
	} else {
		arm_dma_free_buffer(dev, size, cpu_addr, phys_to_page(phys));
	}
}

static int arm_iommu_mmap(struct device *dev, struct vm_area_struct *vma,
			  void *cpu_addr, dma_addr_t handle, size_t size,
			  unsigned long attrs)
{
	unsigned long count = PAGE_ALIGN(size) >> PAGE_SHIFT;
	struct page **pages = dma_common_find_pages(cpu_addr);
	phys_addr_t phys = arm_iommu_phys(dev, handle);

	vma->vm_page_prot = dma_pgprot(dev, vma->vm_page_prot, attrs);
	if (pages)
		return vm_map_pages(vma, pages, count);
	if (!phys || vma->vm_pgoff >= count ||
	    vma_pages(vma) > count - vma->vm_pgoff)
		return -ENXIO;
	return remap_pfn_range(vma, vma->vm_start,
			       PHYS_PFN(phys) + vma->vm_pgoff,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

static int arm_iommu_get_sgtable(struct device *dev, struct sg_table *sgt,
				 void *cpu_addr, dma_addr_t handle, size_t size,
				 unsigned long attrs)
{
	struct page **pages = dma_common_find_pages(cpu_addr);
	phys_addr_t phys = arm_iommu_phys(dev, handle);
	int ret;

	if (pages)
		return sg_alloc_table_from_pages(sgt, pages,
						 PAGE_ALIGN(size) >> PAGE_SHIFT,
						 0, size, GFP_KERNEL);
	if (!phys)
		return -ENXIO;
	ret = sg_alloc_table(sgt, 1, GFP_KERNEL);
	if (!ret)
		sg_set_page(sgt->sgl, phys_to_page(phys), PAGE_ALIGN(size), 0);
	return ret;
}

/*
 * arm_iommu_dma_ops: DMA operations for devices behind an IOMMU
 */
const struct dma_map_ops arm_iommu_dma_ops = {
	.alloc			= arm_iommu_alloc,
	.free			= arm_iommu_free,
	.alloc_pages_op		= dma_common_alloc_pages,
	.free_pages		= dma_common_free_pages,
	.mmap			= arm_iommu_mmap,
	.get_sgtable		= arm_iommu_get_sgtable,
	.map_page		= arm_iommu_map_page,
	.unmap_page		= arm_iommu_unmap_page,
	.map_sg			= arm_iommu_map_sg,
	.unmap_sg		= arm_iommu_unmap_sg,
	.map_resource		= arm_iommu_map_resource,
	.unmap_resource		= arm_iommu_unmap_resource,
	.sync_single_for_cpu	= arm_iommu_sync_single_for_cpu,
	.sync_single_for_device	= arm_iommu_sync_single_for_device,
	.sync_sg_for_cpu	= arm_iommu_sync_sg_for_cpu,
	.sync_sg_for_device	= arm_iommu_sync_sg_for_device,
};
EXPORT_SYMBOL_IF_KUNIT(arm_iommu_dma_ops);

/* Setting a device up, and down */

/*
 * MSIs are writes like any other: map each MSI controller's doorbell page
 * of the device tree at its own address, so that a device's interrupts
 * still reach it through the domain.
 */
static int arm_iommu_map_doorbells(struct iommu_dma_cookie *cookie)
{
	struct iova_domain *iovad = &cookie->iovad;
	struct device_node *np;
	struct resource res;
	int ret;

	for_each_node_with_property(np, "msi-controller") {
		phys_addr_t page;

		if (of_address_to_resource(np, 0, &res))
			continue;
		page = res.start & ~(phys_addr_t)iova_mask(iovad);
		if (page > cookie->domain->geometry.aperture_end)
			continue;
		reserve_iova(iovad, iova_pfn(iovad, page), iova_pfn(iovad, page));
		ret = iommu_map(cookie->domain, page, page, iovad->granule,
				IOMMU_WRITE | IOMMU_MMIO, GFP_KERNEL);
		if (ret && ret != -EEXIST) {
			of_node_put(np);
			return ret;
		}
	}
	return 0;
}

static struct iommu_dma_cookie *
arm_iommu_cookie_create(struct device *dev, struct iommu_domain *domain,
			dma_addr_t base, u64 size)
{
	unsigned long order = __ffs(domain->pgsize_bitmap);
	struct iommu_dma_cookie *cookie;

	if (iova_cache_get())
		return NULL;
	cookie = kzalloc(sizeof(*cookie), GFP_KERNEL);
	if (!cookie)
		goto fail_cache;
	cookie->owner = kstrdup(dev_name(dev), GFP_KERNEL);
	if (!cookie->owner)
		goto fail_cookie;
	cookie->domain = domain;
	cookie->limit = base + size - 1;
	cookie->lazy = !arm_iommu_strict;
	INIT_LIST_HEAD(&cookie->node);
	spin_lock_init(&cookie->fq_lock);
	timer_setup(&cookie->fq_timer, arm_iommu_fq_timeout, 0);
	/* IOVA 0 would look like an error to some drivers: start above. */
	base = max_t(dma_addr_t, base, domain->geometry.aperture_start);
	init_iova_domain(&cookie->iovad, 1UL << order,
			 max_t(unsigned long, 1, base >> order));
	if (iova_domain_init_rcaches(&cookie->iovad))
		goto fail_iovad;
	return cookie;

fail_iovad:
	put_iova_domain(&cookie->iovad);
	kfree(cookie->owner);
fail_cookie:
	kfree(cookie);
fail_cache:
	iova_cache_put();
	return NULL;
}

static void arm_iommu_cookie_free(struct iommu_dma_cookie *cookie)
{
	unsigned long flags;

	timer_shutdown_sync(&cookie->fq_timer);
	spin_lock_irqsave(&cookie->fq_lock, flags);
	arm_iommu_fq_flush(cookie);
	spin_unlock_irqrestore(&cookie->fq_lock, flags);
	put_iova_domain(&cookie->iovad);
	kfree(cookie->owner);
	kfree(cookie);
	iova_cache_put();
}

/**
 * arm_iommu_domain_free() - free a domain of arm_iommu_domain_alloc()
 * @domain:	the domain, no device attached any more
 */
void arm_iommu_domain_free(struct iommu_domain *domain)
{
	struct iommu_dma_cookie *cookie = domain->iova_cookie;

	mutex_lock(&arm_iommu_cookies_lock);
	if (!list_empty(&cookie->node))
		list_del(&cookie->node);
	mutex_unlock(&arm_iommu_cookies_lock);
	domain->iova_cookie = NULL;
	arm_iommu_cookie_free(cookie);
	iommu_domain_free(domain);
}

/**
 * arm_iommu_domain_alloc() - a paging domain with an IOVA space for DMA
 * @dev:	a device behind the IOMMU the domain is for
 * @base:	the lowest IOVA to hand out
 * @size:	bytes of IOVA space from @base
 *
 * The domain's MSI doorbells are mapped already; devices join it with
 * arm_iommu_domain_attach().
 *
 * Return: the domain, or an ERR_PTR().
 */
struct iommu_domain *arm_iommu_domain_alloc(struct device *dev,
					    dma_addr_t base, u64 size)
{
	struct iommu_dma_cookie *cookie;
	struct iommu_domain *domain;

	if (!size || base + size - 1 < base)
		return ERR_PTR(-EINVAL);
	domain = iommu_paging_domain_alloc(dev);
	if (IS_ERR(domain))
		return domain;
	cookie = arm_iommu_cookie_create(dev, domain, base, size);
	if (!cookie) {
		iommu_domain_free(domain);
		return ERR_PTR(-ENOMEM);
	}
	domain->iova_cookie = cookie;
	if (arm_iommu_map_doorbells(cookie)) {
		arm_iommu_domain_free(domain);
		return ERR_PTR(-ENOMEM);
	}
	mutex_lock(&arm_iommu_cookies_lock);
	list_add_tail(&cookie->node, &arm_iommu_cookies);
	mutex_unlock(&arm_iommu_cookies_lock);
	return domain;
}

/**
 * arm_iommu_domain_attach() - DMA of a device through a domain
 * @dev:	the device
 * @domain:	a domain of arm_iommu_domain_alloc(), maybe shared
 *
 * Keeps the regions the IOMMU reserves for @dev out of the domain's IOVA
 * space, attaches @dev and gives it arm_iommu_dma_ops.
 *
 * Return: 0, or the error of iommu_attach_device().
 */
int arm_iommu_domain_attach(struct device *dev, struct iommu_domain *domain)
{
	struct iommu_dma_cookie *cookie = domain->iova_cookie;
	unsigned long shift = iova_shift(&cookie->iovad);
	struct iommu_resv_region *r;
	LIST_HEAD(regions);
	int ret;

	iommu_get_resv_regions(dev, &regions);
	list_for_each_entry(r, &regions, list)
		reserve_iova(&cookie->iovad, r->start >> shift,
			     (r->start + r->length - 1) >> shift);
	iommu_put_resv_regions(dev, &regions);

	ret = iommu_attach_device(domain, dev);
	if (ret) {
		dev_err(dev, "arm-iommu: cannot attach to the DMA domain of %s: %d\n",
			cookie->owner, ret);
		return ret;
	}
	set_dma_ops(dev, &arm_iommu_dma_ops);
	dev_dbg(dev, "arm-dma: behind %s, arm_iommu_dma_ops (%s invalidation)\n",
		dev_name(dev->iommu->iommu_dev->dev),
		cookie->lazy ? "lazy" : "strict");
	return 0;
}

/**
 * arm_iommu_domain_detach() - undo arm_iommu_domain_attach()
 * @dev:	the device, with no DMA in flight through @domain
 * @domain:	the domain it was attached to
 *
 * The device goes back to the IOMMU's default domain and the direct ops.
 */
void arm_iommu_domain_detach(struct device *dev, struct iommu_domain *domain)
{
	iommu_detach_device(domain, dev);
	arm_dma_set_direct_ops(dev);
}

/* Drivers that run the IOMMU themselves (VFIO) keep their device to themselves. */
static bool arm_iommu_driver_manages_dma(struct device *dev)
{
	if (!dev->driver)
		return false;
#ifdef CONFIG_PCI
	if (dev_is_pci(dev))
		return to_pci_driver(dev->driver)->driver_managed_dma;
#endif
	if (dev_is_platform(dev))
		return to_platform_driver(dev->driver)->driver_managed_dma;
	return false;
}

/* The IOVA window of a device's own domain: its dma-ranges, else 4 GiB. */
static void arm_iommu_dma_window(struct device *dev, dma_addr_t *base,
				 u64 *size)
{
	*base = 0;
	*size = SZ_4G;
	if (dev->dma_range_map) {
		*base = dma_range_map_min(dev->dma_range_map);
		*size = dma_range_map_max(dev->dma_range_map) - *base + 1;
	}
}

static int arm_iommu_attach_own_domain(struct device *dev)
{
	struct iommu_domain *domain;
	dma_addr_t base;
	u64 size;
	int ret;

	arm_iommu_dma_window(dev, &base, &size);
	/* Drivers of the legacy API expect their device's own mapping. */
	if (IS_ENABLED(CONFIG_ARM_DMA_USE_IOMMU))
		return arm_iommu_legacy_setup(dev, base, size);

	domain = arm_iommu_domain_alloc(dev, base, size);
	if (IS_ERR(domain))
		return PTR_ERR(domain);
	ret = arm_iommu_domain_attach(dev, domain);
	if (ret)
		arm_iommu_domain_free(domain);
	return ret;
}

/**
 * arm_iommu_setup_dma_ops() - put a device behind its IOMMU for DMA
 * @dev:	a device whose DMA is being configured
 *
 * Gives a device behind an IOMMU a paging domain of its own and
 * arm_iommu_dma_ops, unless the IOMMU is to pass DMA through
 * (iommu.passthrough=1) or the device's driver manages DMA itself.
 *
 * Return: true when the device got arm_iommu_dma_ops.
 */
bool arm_iommu_setup_dma_ops(struct device *dev)
{
	int ret;

	if (!device_iommu_mapped(dev) || iommu_default_passthrough() ||
	    arm_iommu_driver_manages_dma(dev))
		return false;

	ret = arm_iommu_attach_own_domain(dev);
	if (ret) {
		dev_warn(dev, "arm-iommu: no DMA domain (%d): using the IOMMU's default domain\n",
			 ret);
		return false;
	}
	return true;
}

/**
 * arm_iommu_teardown_dma_ops() - undo arm_iommu_setup_dma_ops()
 * @dev:	the device, its driver gone
 */
void arm_iommu_teardown_dma_ops(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	if (IS_ENABLED(CONFIG_ARM_DMA_USE_IOMMU)) {
		arm_iommu_legacy_teardown(dev);
		return;
	}
	arm_iommu_domain_detach(dev, domain);
	arm_iommu_domain_free(domain);
}

/**
 * arm_iommu_show() - one line per device with arm_iommu_dma_ops
 * @s:	the debugfs file
 */
void arm_iommu_show(struct seq_file *s)
{
	struct iommu_dma_cookie *cookie;

	seq_printf(s, "%-16s %-7s %12s %10s %8s\n", "device", "unmap",
		   "maps", "fq_flushes", "fq_now");
	mutex_lock(&arm_iommu_cookies_lock);
	list_for_each_entry(cookie, &arm_iommu_cookies, node)
		seq_printf(s, "%-16s %-7s %12ld %10ld %8u\n",
			   cookie->owner,
			   cookie->lazy ? "lazy" : "strict",
			   atomic_long_read(&cookie->maps),
			   atomic_long_read(&cookie->fq_flushes),
			   READ_ONCE(cookie->fq_len));
	mutex_unlock(&arm_iommu_cookies_lock);
}

#if IS_ENABLED(CONFIG_KUNIT)
/* What only the KUnit suites look at, or change. */

/**
 * arm_iommu_fq_pending() - IOVA ranges waiting in a device's flush queue
 * @dev:	a device with arm_iommu_dma_ops
 *
 * Return: the number of queued ranges.
 */
VISIBLE_IF_KUNIT unsigned int arm_iommu_fq_pending(struct device *dev)
{
	return READ_ONCE(arm_iommu_cookie(dev)->fq_len);
}
EXPORT_SYMBOL_IF_KUNIT(arm_iommu_fq_pending);

/**
 * arm_iommu_set_lazy() - choose strict or lazy invalidation for a device
 * @dev:	a device with arm_iommu_dma_ops
 * @lazy:	batch invalidations in a flush queue
 *
 * Switching to strict flushes what the queue holds first.
 */
VISIBLE_IF_KUNIT void arm_iommu_set_lazy(struct device *dev, bool lazy)
{
	struct iommu_dma_cookie *cookie = arm_iommu_cookie(dev);
	unsigned long flags;

	spin_lock_irqsave(&cookie->fq_lock, flags);
	if (!lazy)
		arm_iommu_fq_flush(cookie);
	cookie->lazy = lazy;
	spin_unlock_irqrestore(&cookie->fq_lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(arm_iommu_set_lazy);

/**
 * arm_iommu_nr_domains() - the paging domains this layer holds
 *
 * Return: how many there are, shared or not.
 */
VISIBLE_IF_KUNIT unsigned int arm_iommu_nr_domains(void)
{
	struct iommu_dma_cookie *cookie;
	unsigned int n = 0;

	mutex_lock(&arm_iommu_cookies_lock);
	list_for_each_entry(cookie, &arm_iommu_cookies, node)
		n++;
	mutex_unlock(&arm_iommu_cookies_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(arm_iommu_nr_domains);
#endif /* CONFIG_KUNIT */
