// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA through an IOMMU on 32-bit ARM: arm_iommu_dma_ops.
 *
 * A device with these ops sits in a DMA domain of dma-iommu-domain.c; its
 * DMA addresses are IOVAs of that domain's IOVA space (dma-iova.c).  Memory
 * comes from the same selector as the direct ops' (dma-select.c), or is
 * gathered page by page (dma-alloc.c); this file only maps it, and does the
 * cache maintenance a non-coherent device needs on the CPU's pages.
 */
#define pr_fmt(fmt) "arm-iommu: " fmt
#define dev_fmt pr_fmt

#include <linux/dma-dev-coherent.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mmap.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/vmalloc.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "dma-internal.h"
#include "dma-iova.h"
#include "dma-test.h"

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

static struct iommu_domain *arm_iommu_domain(struct device *dev)
{
	return iommu_get_domain_for_dev(dev);
}

/* The granules @size bytes at @addr take, with @addr's offset in its own. */
static size_t arm_iommu_span(struct iommu_dma_cookie *cookie, u64 addr,
			     size_t size)
{
	return iova_align(&cookie->iovad, size + iova_offset(&cookie->iovad, addr));
}

#define ARM_IOMMU_NOT_MAPPED	"is not mapped: unmapped or freed already?"

/*
 * Why [@iova, @iova + @size) is not one whole range of @domain, or NULL
 * when it is: @iova must start a range the IOVA space handed out, and
 * @size must cover what is mapped of that range, no less (the rest would
 * stay mapped to memory the caller is about to reuse) and no more (the
 * rest may be another buffer's).  Whether it is still mapped at all, the
 * unmap itself finds out.
 */
static const char *arm_iommu_misfit(struct iommu_domain *domain,
				    dma_addr_t iova, size_t size)
{
	dma_addr_t first, last;

	if (!arm_iova_range_of(domain->iova_cookie, iova, &first, &last) ||
	    first != iova)
		return "does not start a mapping";
	if (size - 1 > last - iova)
		return "runs past the end of its mapping";
	/* The IOVA library rounds ranges up: the tail may be unmapped. */
	if (size - 1 < last - iova && iommu_iova_to_phys(domain, iova + size))
		return "is shorter than its mapping";
	return NULL;
}

static void arm_iommu_refuse(struct device *dev, dma_addr_t dma, size_t size,
			     const char *why)
{
	dev_err_ratelimited(dev, "refusing to unmap %zu bytes at IOVA %pad: it %s\n",
			    size, &dma, why);
	WARN_ONCE(1, "bad unmap or free through an IOMMU\n");
}

/**
 * arm_iommu_claim() - check what an unmap or free names against the domain
 * @dev:	the device
 * @domain:	its domain
 * @dma:	the DMA address the caller got
 * @size:	the size the caller gives
 * @phys:	if not NULL, set to the physical address @dma translates to,
 *		which must exist
 *
 * Nothing is unmapped yet: a refusal leaves the domain as it was.
 *
 * Return: true when the caller may unmap, false when refused.
 */
static bool arm_iommu_claim(struct device *dev, struct iommu_domain *domain,
			    dma_addr_t dma, size_t size, phys_addr_t *phys)
{
	struct iommu_dma_cookie *cookie = domain->iova_cookie;
	dma_addr_t start = dma - iova_offset(&cookie->iovad, dma);
	const char *why;

	if (unlikely(!size))
		why = "has no size";
	else
		why = arm_iommu_misfit(domain, start,
				       arm_iommu_span(cookie, dma, size));
	if (!why && phys) {
		*phys = iommu_iova_to_phys(domain, dma);
		if (!*phys)
			why = ARM_IOMMU_NOT_MAPPED;
	}
	if (likely(!why))
		return true;
	arm_iommu_refuse(dev, dma, size, why);
	return false;
}

/*
 * Take a claimed range out of the domain and give its IOVAs back, once no
 * TLB can still translate them.  A range found not mapped (an unmap or a
 * free twice) is refused, and its IOVAs, which may be handed out again by
 * now, are left alone.
 */
static void arm_iommu_unmap_range(struct device *dev,
				  struct iommu_domain *domain, dma_addr_t dma,
				  size_t size)
{
	struct iommu_dma_cookie *cookie = domain->iova_cookie;
	dma_addr_t iova = dma - iova_offset(&cookie->iovad, dma);
	size_t span = arm_iommu_span(cookie, dma, size);
	struct iommu_iotlb_gather gather;
	size_t unmapped;

	iommu_iotlb_gather_init(&gather);
	unmapped = iommu_unmap_fast(domain, iova, span, &gather);
	if (unlikely(unmapped != span)) {
		arm_iommu_refuse(dev, dma, size, unmapped ?
				 "was mapped in part only" : ARM_IOMMU_NOT_MAPPED);
		if (!unmapped)
			return;
	}
	arm_iova_release(cookie, iova, span, &gather);
}

/*
 * Map @size bytes at @phys, not granule aligned, at a new IOVA range
 * below @mask.
 */
static dma_addr_t arm_iommu_map_phys(struct device *dev,
				     struct iommu_domain *domain,
				     phys_addr_t phys, size_t size, int prot,
				     u64 mask)
{
	struct iommu_dma_cookie *cookie = domain->iova_cookie;
	size_t offset = iova_offset(&cookie->iovad, phys);
	size_t len = arm_iommu_span(cookie, phys, size);
	dma_addr_t iova;

	if (unlikely(!size)) {
		dev_err_ratelimited(dev, "refusing to map 0 bytes at %pa\n", &phys);
		return DMA_MAPPING_ERROR;
	}
	iova = arm_iova_alloc(dev, cookie, len, mask);
	if (!iova)
		return DMA_MAPPING_ERROR;
	if (iommu_map(domain, iova, phys - offset, len, prot, GFP_ATOMIC)) {
		dev_err_ratelimited(dev, "cannot map %zu bytes at IOVA %pad\n",
				    len, &iova);
		arm_iova_free(cookie, iova, len);
		return DMA_MAPPING_ERROR;
	}
	return iova + offset;
}

static void arm_iommu_unmap_phys(struct device *dev, dma_addr_t dma,
				 size_t size)
{
	struct iommu_domain *domain = arm_iommu_domain(dev);

	if (arm_iommu_claim(dev, domain, dma, size, NULL))
		arm_iommu_unmap_range(dev, domain, dma, size);
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

	dma = arm_iommu_map_phys(dev, arm_iommu_domain(dev), phys, size,
				 arm_iommu_prot(dir, coherent, attrs),
				 dma_get_mask(dev));
	if (dma != DMA_MAPPING_ERROR && !coherent &&
	    !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		arm_dma_sync_for_device(phys, size, dir);
	return dma;
}

static void arm_iommu_unmap_page(struct device *dev, dma_addr_t dma,
				 size_t size, enum dma_data_direction dir,
				 unsigned long attrs)
{
	struct iommu_domain *domain = arm_iommu_domain(dev);
	bool sync = !dev_is_dma_coherent(dev) &&
		    !(attrs & DMA_ATTR_SKIP_CPU_SYNC);
	phys_addr_t phys;

	/* Only the cache maintenance needs the physical address. */
	if (!arm_iommu_claim(dev, domain, dma, size, sync ? &phys : NULL))
		return;
	if (sync)
		arm_dma_sync_for_cpu(phys, size, dir);
	arm_iommu_unmap_range(dev, domain, dma, size);
}

static void arm_iommu_sync_single_for_cpu(struct device *dev, dma_addr_t dma,
					  size_t size,
					  enum dma_data_direction dir)
{
	if (!dev_is_dma_coherent(dev))
		arm_dma_sync_for_cpu(iommu_iova_to_phys(arm_iommu_domain(dev), dma),
				     size, dir);
}

static void arm_iommu_sync_single_for_device(struct device *dev,
					     dma_addr_t dma, size_t size,
					     enum dma_data_direction dir)
{
	if (!dev_is_dma_coherent(dev))
		arm_dma_sync_for_device(iommu_iova_to_phys(arm_iommu_domain(dev),
							   dma), size, dir);
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

/*
 * Where an entry whose pieces take @len bytes of IOVA goes, @off bytes into
 * its list's range: on to the device's next segment boundary when it would
 * straddle one.  A range starts aligned to the power of two at or above
 * its size, so offsets within it keep their place relative to boundaries.
 */
static size_t arm_iommu_sg_place(struct device *dev, size_t off, size_t len)
{
	unsigned long boundary = dma_get_seg_boundary(dev);

	if (len - 1 <= boundary && ((off ^ (off + len - 1)) & ~boundary))
		return ALIGN(off, (size_t)boundary + 1);
	return off;
}

/* The IOVA space a list's entries take, each granule aligned and placed. */
static size_t arm_iommu_sg_span(struct device *dev,
				struct iommu_dma_cookie *cookie,
				struct scatterlist *sgl, int nents)
{
	struct scatterlist *sg;
	size_t span = 0, len;
	int i;

	for_each_sg(sgl, sg, nents, i) {
		len = arm_iommu_span(cookie, sg_phys(sg), sg->length);
		span = arm_iommu_sg_place(dev, span, len) + len;
	}
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
	/* Mark the entries left over, up to @nents and no further. */
	for (sg = sg_next(out), i = count; sg && i < nents; sg = sg_next(sg), i++) {
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

static void arm_iommu_sg_fail(struct scatterlist *sgl, int nents)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i) {
		sg_dma_address(sg) = DMA_MAPPING_ERROR;
		sg_dma_len(sg) = 0;
	}
}

/**
 * arm_iommu_map_entries() - map list entries back to back from one IOVA
 * @domain:	the domain
 * @iova:	where the first goes
 * @sgl:	the entries, each granule aligned in place and length
 * @n:		how many
 * @prot:	IOMMU_* permissions
 *
 * One iommu_map_sg() for them all: physically contiguous entries become
 * one mapping.
 *
 * Return: 0, or a negative errno; then none of them is mapped.
 */
VISIBLE_IF_KUNIT int arm_iommu_map_entries(struct iommu_domain *domain,
					   unsigned long iova,
					   struct scatterlist *sgl,
					   unsigned int n, int prot)
{
	ssize_t mapped;

	KUNIT_STATIC_STUB_REDIRECT(arm_iommu_map_entries, domain, iova, sgl, n,
				   prot);
	mapped = iommu_map_sg(domain, iova, sgl, n, prot, GFP_ATOMIC);
	return mapped < 0 ? mapped : 0;
}
EXPORT_SYMBOL_IF_KUNIT(arm_iommu_map_entries);

/*
 * While a list is being mapped, each entry stands for its granule-aligned
 * piece, which is what iommu_map_sg() takes; its DMA address and length
 * are already the final ones, and tell how to put it back.
 */
static void arm_iommu_sg_widen(struct iommu_dma_cookie *cookie,
			       struct scatterlist *sg, dma_addr_t at)
{
	size_t offset = iova_offset(&cookie->iovad, sg_phys(sg));

	sg_dma_address(sg) = at + offset;
	sg_dma_len(sg) = sg->length;
	sg->length = arm_iommu_span(cookie, sg_phys(sg), sg->length);
	sg->offset -= offset;
}

static void arm_iommu_sg_restore(struct iommu_dma_cookie *cookie,
				 struct scatterlist *sgl, int n)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, n, i) {
		sg->offset += iova_offset(&cookie->iovad, sg_dma_address(sg));
		sg->length = sg_dma_len(sg);
	}
}

/*
 * Entries go back to back in one IOVA range, each run of them between two
 * segment boundaries mapped with one call.
 */
static int arm_iommu_map_sg(struct device *dev, struct scatterlist *sgl,
			    int nents, enum dma_data_direction dir,
			    unsigned long attrs)
{
	struct iommu_domain *domain = arm_iommu_domain(dev);
	struct iommu_dma_cookie *cookie = domain->iova_cookie;
	bool coherent = dev_is_dma_coherent(dev);
	int prot = arm_iommu_prot(dir, coherent, attrs);
	size_t span = arm_iommu_sg_span(dev, cookie, sgl, nents);
	size_t granule = cookie->iovad.granule;
	struct scatterlist *sg, *run = sgl;
	dma_addr_t iova, cur, run_at, mapped;
	phys_addr_t last = 0;
	int i, run_n = 0;

	if (unlikely(!span)) {
		dev_err_ratelimited(dev, "refusing to map a list of %d entries and 0 bytes\n",
				    nents);
		return -EINVAL;
	}
	iova = arm_iova_alloc(dev, cookie, span, dma_get_mask(dev));
	if (!iova)
		return -ENOMEM;
	cur = iova;
	run_at = iova;
	mapped = iova;
	for_each_sg(sgl, sg, nents, i) {
		size_t len = arm_iommu_span(cookie, sg_phys(sg), sg->length);
		dma_addr_t at = iova + arm_iommu_sg_place(dev, cur - iova, len);

		if (at != cur) {
			/*
			 * Padding up to a segment boundary: the previous entry's
			 * last granule again, so that the range has no hole for
			 * the unmap to stop at and the device can reach nothing
			 * new.
			 */
			if (arm_iommu_map_entries(domain, run_at, run, run_n, prot))
				goto unwind;
			for (mapped = cur; mapped < at; mapped += granule)
				if (arm_iommu_map_one(domain, mapped, last, granule,
						      prot))
					goto unwind;
			run = sg;
			run_at = at;
			run_n = 0;
		}
		if (!coherent && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
			arm_dma_sync_for_device(sg_phys(sg), sg->length, dir);
		arm_iommu_sg_widen(cookie, sg, at);
		last = sg_phys(sg) + sg->length - granule;
		run_n++;
		cur = at + len;
	}
	if (arm_iommu_map_entries(domain, run_at, run, run_n, prot))
		goto unwind;
	arm_iommu_sg_restore(cookie, sgl, nents);
	return arm_iommu_merge_sg(dev, sgl, nents);

unwind:
	dev_err_ratelimited(dev, "mapping a list of %d entries failed at entry %d: unmapping the rest\n",
			    nents, i);
	arm_iommu_sg_restore(cookie, sgl, i);
	if (mapped > iova)
		iommu_unmap(domain, iova, mapped - iova);
	arm_iova_free(cookie, iova, span);
	arm_iommu_sg_fail(sgl, nents);
	return -ENOMEM;
}

static void arm_iommu_unmap_sg(struct device *dev, struct scatterlist *sgl,
			       int nents, enum dma_data_direction dir,
			       unsigned long attrs)
{
	struct iommu_domain *domain = arm_iommu_domain(dev);
	struct iommu_dma_cookie *cookie = domain->iova_cookie;
	size_t span = arm_iommu_sg_span(dev, cookie, sgl, nents);
	dma_addr_t start = sg_dma_address(sgl);

	/* One range, whose span counts the first entry's offset already. */
	start -= iova_offset(&cookie->iovad, start);
	if (!arm_iommu_claim(dev, domain, start, span, NULL))
		return;
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		arm_iommu_sync_sg_for_cpu(dev, sgl, nents, dir);
	arm_iommu_unmap_range(dev, domain, start, span);
}

static dma_addr_t arm_iommu_map_resource(struct device *dev, phys_addr_t phys,
					 size_t size,
					 enum dma_data_direction dir,
					 unsigned long attrs)
{
	return arm_iommu_map_phys(dev, arm_iommu_domain(dev), phys, size,
				  arm_iommu_prot(dir, false, attrs) | IOMMU_MMIO,
				  dma_get_mask(dev));
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
		.limit		= PHYS_ADDR_MAX,
	};
	struct page *page;
	void *cookie;

	page = arm_dma_alloc_buffer(&req, &cookie);
	if (!page)
		return NULL;
	*handle = arm_iommu_map_phys(dev, arm_iommu_domain(dev),
				     page_to_phys(page), size,
				     arm_iommu_prot(DMA_BIDIRECTIONAL, coherent, attrs),
				     dev->coherent_dma_mask);
	if (*handle == DMA_MAPPING_ERROR) {
		arm_dma_free_buffer(dev, size, cookie, page);
		return NULL;
	}
	return cookie;
}

/*
 * Pages from anywhere at one IOVA range for the device, and one vmap for
 * the CPU unless the caller wants no kernel mapping: then what it gets,
 * and gives back to free, mmap and get_sgtable, is the array of pages.
 */
static void *arm_iommu_alloc_gathered(struct device *dev, size_t size,
				      dma_addr_t *handle, gfp_t gfp,
				      unsigned long attrs)
{
	struct iommu_domain *domain = arm_iommu_domain(dev);
	struct iommu_dma_cookie *cookie = domain->iova_cookie;
	bool coherent = dev_is_dma_coherent(dev);
	int prot = arm_iommu_prot(DMA_BIDIRECTIONAL, coherent, attrs);
	unsigned int i, run, count = size >> PAGE_SHIFT;
	struct page **pages;
	dma_addr_t iova;
	void *vaddr;

	pages = arm_dma_alloc_pages(size, (gfp & ~(__GFP_ZERO | GFP_DMA)) |
				    __GFP_HIGHMEM, coherent);
	if (!pages)
		return NULL;
	iova = arm_iova_alloc(dev, cookie, size, dev->coherent_dma_mask);
	if (!iova)
		goto fail_pages;
	/* The gatherer hands out runs of contiguous pages: one map each. */
	for (i = 0; i < count; i += run) {
		for (run = 1; i + run < count &&
		     page_to_phys(pages[i + run]) ==
		     page_to_phys(pages[i]) + run * PAGE_SIZE; run++)
			;
		if (iommu_map(domain, iova + i * PAGE_SIZE,
			      page_to_phys(pages[i]), run * PAGE_SIZE, prot, gfp))
			goto fail_unmap;
	}
	if (attrs & DMA_ATTR_NO_KERNEL_MAPPING)
		vaddr = pages;
	else
		vaddr = dma_common_pages_remap(pages, size,
					       dma_pgprot(dev, PAGE_KERNEL, attrs),
					       __builtin_return_address(0));
	if (!vaddr)
		goto fail_unmap;
	*handle = iova;
	return vaddr;

fail_unmap:
	if (i)
		iommu_unmap(domain, iova, i * PAGE_SIZE);
	arm_iova_free(cookie, iova, size);
fail_pages:
	arm_dma_free_pages(pages, size);
	return NULL;
}

/* dma_alloc_pages() and kin: lowmem from anywhere, at a new IOVA range. */
static struct page *arm_iommu_alloc_pages_op(struct device *dev, size_t size,
					     dma_addr_t *handle,
					     enum dma_data_direction dir,
					     gfp_t gfp)
{
	struct page *page = arm_dma_alloc_lowmem(dev, size, gfp,
						 DMA_MAPPING_ERROR);

	if (!page)
		return NULL;
	*handle = arm_iommu_map_page(dev, page, 0, size, dir,
				     DMA_ATTR_SKIP_CPU_SYNC);
	if (*handle == DMA_MAPPING_ERROR) {
		dma_free_contiguous(dev, page, size);
		return NULL;
	}
	return page;
}

static void *arm_iommu_alloc(struct device *dev, size_t size,
			     dma_addr_t *handle, gfp_t gfp, unsigned long attrs)
{
	size = PAGE_ALIGN(size);
	*handle = DMA_MAPPING_ERROR;
	if (!size)
		return NULL;
	if (!gfpflags_allow_blocking(gfp) || (attrs & DMA_ATTR_FORCE_CONTIGUOUS))
		return arm_iommu_alloc_contiguous(dev, size, handle, gfp, attrs);
	return arm_iommu_alloc_gathered(dev, size, handle, gfp, attrs);
}

/*
 * A buffer from the selector: its record says whether @cpu_addr is that
 * buffer, without the vmap lock, so this works in any context the DMA API
 * allows a free in.
 */
static void arm_iommu_free_contiguous(struct device *dev,
				      struct iommu_domain *domain, size_t size,
				      void *cpu_addr, dma_addr_t handle,
				      phys_addr_t phys)
{
	struct arm_dma_buffer *buf;

	buf = arm_dma_claim_buffer(dev, size, cpu_addr, PHYS_PFN(phys));
	if (!buf)
		return;
	arm_iommu_unmap_range(dev, domain, handle, size);
	arm_dma_release_buffer(dev, buf, phys_to_page(phys));
}

/*
 * The pages of a gathered buffer whose IOVA range starts at @phys: behind
 * its vmap, or the cookie itself when it has no kernel mapping.  NULL when
 * @cpu_addr is neither (a contiguous buffer, or a wrong address).
 */
static struct page **arm_iommu_gathered_pages(void *cpu_addr,
					      unsigned long attrs,
					      phys_addr_t phys)
{
	struct page **pages = NULL;

	if (!phys || arm_dma_buffer_holds(PHYS_PFN(phys), 0))
		return NULL;
	if (attrs & DMA_ATTR_NO_KERNEL_MAPPING) {
		if (virt_addr_valid(cpu_addr) || is_vmalloc_addr(cpu_addr))
			pages = cpu_addr;
	} else if (is_vmalloc_addr(cpu_addr)) {
		pages = dma_common_find_pages(cpu_addr);
	}
	if (!pages || page_to_phys(pages[0]) != phys)
		return NULL;
	return pages;
}

/* Gathered pages, maybe behind a vmap: only a sleeping context frees them. */
static void arm_iommu_free_gathered(struct device *dev,
				    struct iommu_domain *domain, size_t size,
				    void *cpu_addr, dma_addr_t handle,
				    phys_addr_t phys, unsigned long attrs)
{
	struct page **pages;

	if (in_interrupt()) {
		dev_err(dev, "refusing to free %p in interrupt context: its pages were gathered\n",
			cpu_addr);
		WARN_ONCE(1, "free of a gathered DMA buffer in interrupt context\n");
		return;
	}
	pages = arm_iommu_gathered_pages(cpu_addr, attrs, phys);
	if (!pages) {
		dev_err(dev, "refusing to free %p: IOVA %pad is not its buffer\n",
			cpu_addr, &handle);
		WARN_ONCE(1, "bad free of a coherent DMA buffer\n");
		return;
	}
	arm_iommu_unmap_range(dev, domain, handle, size);
	if (!(attrs & DMA_ATTR_NO_KERNEL_MAPPING))
		dma_common_free_remap(cpu_addr, size);
	arm_dma_free_pages(pages, size);
}

static void arm_iommu_free(struct device *dev, size_t size, void *cpu_addr,
			   dma_addr_t handle, unsigned long attrs)
{
	struct iommu_domain *domain = arm_iommu_domain(dev);
	phys_addr_t phys;

	size = PAGE_ALIGN(size);
	if (!arm_iommu_claim(dev, domain, handle, size, &phys))
		return;
	if (arm_dma_buffer_holds(PHYS_PFN(phys), 0))
		arm_iommu_free_contiguous(dev, domain, size, cpu_addr, handle,
					  phys);
	else
		arm_iommu_free_gathered(dev, domain, size, cpu_addr, handle,
					phys, attrs);
}

static int arm_iommu_mmap(struct device *dev, struct vm_area_struct *vma,
			  void *cpu_addr, dma_addr_t handle, size_t size,
			  unsigned long attrs)
{
	unsigned long count = PAGE_ALIGN(size) >> PAGE_SHIFT;
	struct page **pages;
	phys_addr_t phys;
	int ret;

	vma->vm_page_prot = dma_pgprot(dev, vma->vm_page_prot, attrs);
	/* A pool buffer's handle is no IOVA: the pool knows its pages. */
	if (dma_mmap_from_dev_coherent(dev, vma, cpu_addr, size, &ret))
		return ret;
	phys = iommu_iova_to_phys(arm_iommu_domain(dev), handle);
	pages = arm_iommu_gathered_pages(cpu_addr, attrs, phys);
	if (pages)
		return vm_map_pages(vma, pages, count);
	if (!phys)
		return -ENXIO;
	return dma_mmap_pfn_range(vma, PHYS_PFN(phys), count);
}

static int arm_iommu_get_sgtable(struct device *dev, struct sg_table *sgt,
				 void *cpu_addr, dma_addr_t handle, size_t size,
				 unsigned long attrs)
{
	struct page **pages;
	phys_addr_t phys;
	int ret;

	if (dma_get_sgtable_from_dev_coherent(dev, sgt, cpu_addr, size, &ret))
		return ret;
	phys = iommu_iova_to_phys(arm_iommu_domain(dev), handle);
	pages = arm_iommu_gathered_pages(cpu_addr, attrs, phys);
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

/* What map_sg merges at: one IOMMU page. */
static unsigned long arm_iommu_get_merge_boundary(struct device *dev)
{
	struct iommu_domain *domain = arm_iommu_domain(dev);

	return iova_mask(&domain->iova_cookie->iovad);
}

/* Up to this size, IOVA ranges come from the per-CPU caches, no lock. */
static size_t arm_iommu_opt_mapping_size(void)
{
	return iova_rcache_range();
}

/* No bouncing here: only a device that does not snoop needs its syncs. */
static bool arm_iommu_need_sync(struct device *dev, dma_addr_t handle)
{
	return !dev_is_dma_coherent(dev);
}

/*
 * arm_iommu_dma_ops: DMA operations for devices behind an IOMMU
 */
const struct dma_map_ops arm_iommu_dma_ops = {
	.alloc			= arm_iommu_alloc,
	.free			= arm_iommu_free,
	.alloc_pages_op		= arm_iommu_alloc_pages_op,
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
	.need_sync		= arm_iommu_need_sync,
	.get_merge_boundary	= arm_iommu_get_merge_boundary,
	.opt_mapping_size	= arm_iommu_opt_mapping_size,
};
EXPORT_SYMBOL_IF_KUNIT(arm_iommu_dma_ops);
