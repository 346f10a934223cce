// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scatterlists through an IOMMU: a list's entries go back to back in one
 * IOVA range, each placed so that no DMA segment straddles the device's
 * segment boundary, and entries that meet at a granule boundary become
 * one segment.
 */
#define pr_fmt(fmt) "arm-iommu: " fmt
#define dev_fmt pr_fmt

#include <linux/dma-map-ops.h>
#include <linux/iommu.h>
#include <linux/scatterlist.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "dma-internal.h"
#include "dma-iommu-ops.h"
#include "dma-test.h"

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

void arm_iommu_sync_sg_for_cpu(struct device *dev,
			       struct scatterlist *sgl, int nents,
			       enum dma_data_direction dir)
{
	arm_iommu_sync_sg(dev, sgl, nents, dir, arm_dma_sync_for_cpu);
}

void arm_iommu_sync_sg_for_device(struct device *dev,
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
int arm_iommu_map_sg(struct device *dev, struct scatterlist *sgl,
		     int nents, enum dma_data_direction dir,
		     unsigned long attrs)
{
	struct iommu_domain *domain = arm_iommu_dma_domain(dev);
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
		/* An entry of no bytes maps nothing to repeat. */
		if (len)
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

void arm_iommu_unmap_sg(struct device *dev, struct scatterlist *sgl,
			int nents, enum dma_data_direction dir,
			unsigned long attrs)
{
	struct iommu_domain *domain = arm_iommu_dma_domain(dev);
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
