// SPDX-License-Identifier: GPL-2.0-only
/*
 * One buffer's IOVA range in a device's DMA domain: mapped at a new range,
 * claimed against the domain before anything is unmapped, unmapped and
 * given back; and the streaming members of arm_iommu_dma_ops that map one
 * buffer, with the cache maintenance a non-coherent device needs.
 */
#define pr_fmt(fmt) "arm-iommu: " fmt
#define dev_fmt pr_fmt

#include <linux/dma-map-ops.h>
#include <linux/iommu.h>
#include <linux/mm.h>

#include "dma-internal.h"
#include "dma-iommu-ops.h"

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
bool arm_iommu_claim(struct device *dev, struct iommu_domain *domain,
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
void arm_iommu_unmap_range(struct device *dev,
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
dma_addr_t arm_iommu_map_phys(struct device *dev,
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
	struct iommu_domain *domain = arm_iommu_dma_domain(dev);

	if (arm_iommu_claim(dev, domain, dma, size, NULL))
		arm_iommu_unmap_range(dev, domain, dma, size);
}

/* Streaming DMA */

dma_addr_t arm_iommu_map_page(struct device *dev, struct page *page,
			      unsigned long offset, size_t size,
			      enum dma_data_direction dir,
			      unsigned long attrs)
{
	bool coherent = dev_is_dma_coherent(dev);
	phys_addr_t phys = page_to_phys(page) + offset;
	dma_addr_t dma;

	dma = arm_iommu_map_phys(dev, arm_iommu_dma_domain(dev), phys, size,
				 arm_iommu_prot(dir, coherent, attrs),
				 dma_get_mask(dev));
	if (dma != DMA_MAPPING_ERROR && !coherent &&
	    !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		arm_dma_sync_for_device(phys, size, dir);
	return dma;
}

void arm_iommu_unmap_page(struct device *dev, dma_addr_t dma,
			  size_t size, enum dma_data_direction dir,
			  unsigned long attrs)
{
	struct iommu_domain *domain = arm_iommu_dma_domain(dev);
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

void arm_iommu_sync_single_for_cpu(struct device *dev, dma_addr_t dma,
				   size_t size,
				   enum dma_data_direction dir)
{
	if (!dev_is_dma_coherent(dev))
		arm_dma_sync_for_cpu(iommu_iova_to_phys(arm_iommu_dma_domain(dev), dma),
				     size, dir);
}

void arm_iommu_sync_single_for_device(struct device *dev,
				      dma_addr_t dma, size_t size,
				      enum dma_data_direction dir)
{
	if (!dev_is_dma_coherent(dev))
		arm_dma_sync_for_device(iommu_iova_to_phys(arm_iommu_dma_domain(dev),
							   dma), size, dir);
}

dma_addr_t arm_iommu_map_resource(struct device *dev, phys_addr_t phys,
				  size_t size,
				  enum dma_data_direction dir,
				  unsigned long attrs)
{
	return arm_iommu_map_phys(dev, arm_iommu_dma_domain(dev), phys, size,
				  arm_iommu_prot(dir, false, attrs) | IOMMU_MMIO,
				  dma_get_mask(dev));
}

void arm_iommu_unmap_resource(struct device *dev, dma_addr_t dma,
			      size_t size, enum dma_data_direction dir,
			      unsigned long attrs)
{
	arm_iommu_unmap_phys(dev, dma, size);
}
