/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IOVA space of a DMA domain (dma-iova.c), as the IOMMU ops and the
 * domain code use it.  Allocating, freeing and releasing a range are on
 * every map and unmap: they are inline here, the rest is in dma-iova.c.
 */
#ifndef __ARM_MM_DMA_IOVA_H
#define __ARM_MM_DMA_IOVA_H

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/fault-inject.h>
#include <linux/iommu.h>
#include <linux/iova.h>
#include <asm/dma-iommu.h>

struct arm_iova_fq;

/*
 * The domain a device's DMA API maps into: its arm_iommu_* mapping's, or
 * its group's default domain.  Never the domain the group happens to be
 * attached to: a driver may attach one of its own (remoteproc, DRM) and
 * still call the DMA API, as with iommu-dma.
 */
static inline struct iommu_domain *arm_iommu_dma_domain(struct device *dev)
{
#ifdef CONFIG_ARM_DMA_USE_IOMMU
	return to_dma_iommu_mapping(dev)->domain;
#else
	return iommu_get_dma_domain(dev);
#endif
}

/**
 * struct iommu_dma_cookie - the IOVA space of one DMA domain
 * @domain:	the domain
 * @iovad:	its IOVA space
 * @limit:	the highest IOVA it may hand out
 * @lazy:	unmaps go through the flush queues
 * @fq:		the flush queue of each CPU
 * @fq_flushes:	invalidations the queues have made
 * @maps:	IOVA ranges handed out
 * @frees:	IOVA ranges given back
 * @owner:	the device or group the domain was made for
 * @node:	in arm_iova_spaces
 */
struct iommu_dma_cookie {
	struct iommu_domain *domain;
	struct iova_domain iovad;
	dma_addr_t limit;
	bool lazy;
	struct arm_iova_fq __percpu *fq;
	atomic_long_t fq_flushes;
	atomic_long_t maps;
	atomic_long_t frees;
	const char *owner;
	struct list_head node;
};

#ifdef CONFIG_ARM_DMA_FAIL_IOVA
extern struct fault_attr arm_iova_fail;

static inline bool arm_iova_should_fail(size_t size)
{
	return should_fail(&arm_iova_fail, size);
}
#else
static inline bool arm_iova_should_fail(size_t size)
{
	return false;
}
#endif

static inline bool arm_iova_lazy(struct iommu_dma_cookie *cookie)
{
	return READ_ONCE(cookie->lazy);
}

unsigned long arm_iova_alloc_reclaim(struct iommu_dma_cookie *cookie,
				     unsigned long pages, unsigned long limit_pfn);

/**
 * arm_iova_alloc() - a range of IOVAs for a device
 * @dev:	the device, whose bus limit bounds the range
 * @cookie:	the IOVA space of its domain
 * @size:	bytes, granule aligned, not 0
 * @mask:	the device's mask for this use: the streaming one for maps,
 *		the coherent one for coherent buffers
 *
 * A range of no size is refused before the IOVA library sees it: a failed
 * request of 0 pages would make it refuse every later request below 4 GiB.
 *
 * Return: the first IOVA of the range, or 0 when there is no room.
 */
static inline dma_addr_t arm_iova_alloc(struct device *dev,
					struct iommu_dma_cookie *cookie,
					size_t size, u64 mask)
{
	struct iova_domain *iovad = &cookie->iovad;
	u64 limit = min_not_zero(mask, dev->bus_dma_limit);
	unsigned long pfn = 0, pages, limit_pfn;

	if (WARN_ON_ONCE(!size))
		return 0;
	limit = min3(limit, (u64)cookie->limit,
		     (u64)cookie->domain->geometry.aperture_end);
	pages = size >> iova_shift(iovad);
	limit_pfn = limit >> iova_shift(iovad);
	if (!arm_iova_should_fail(size)) {
		pfn = alloc_iova_fast(iovad, pages, limit_pfn, true);
		if (unlikely(!pfn))
			pfn = arm_iova_alloc_reclaim(cookie, pages, limit_pfn);
	}
	if (unlikely(!pfn)) {
		dev_err_ratelimited(dev, "out of IOVA space for %zu bytes under %#llx\n",
				    size, limit);
		return 0;
	}
	atomic_long_inc(&cookie->maps);
	return (dma_addr_t)pfn << iova_shift(iovad);
}

/**
 * arm_iova_free() - give back a range no IOTLB can translate
 * @cookie:	the IOVA space
 * @iova:	the first IOVA of the range
 * @size:	bytes, granule aligned, as allocated
 */
static inline void arm_iova_free(struct iommu_dma_cookie *cookie,
				 dma_addr_t iova, size_t size)
{
	struct iova_domain *iovad = &cookie->iovad;

	free_iova_fast(iovad, iova_pfn(iovad, iova), size >> iova_shift(iovad));
	atomic_long_inc(&cookie->frees);
}

void arm_iova_fq_add(struct iommu_dma_cookie *cookie, dma_addr_t iova,
		     size_t size);

/**
 * arm_iova_release() - give back a range that was just unmapped
 * @cookie:	the IOVA space
 * @iova:	the first IOVA of the range
 * @size:	bytes, granule aligned, as allocated
 * @gather:	the invalidation the unmap gathered
 *
 * Strictly, the IOTLB is invalidated now and the range freed; lazily, the
 * range waits in this CPU's flush queue for a later invalidation.
 */
static inline void arm_iova_release(struct iommu_dma_cookie *cookie,
				    dma_addr_t iova, size_t size,
				    struct iommu_iotlb_gather *gather)
{
	if (arm_iova_lazy(cookie)) {
		arm_iova_fq_add(cookie, iova, size);
		return;
	}
	iommu_iotlb_sync(cookie->domain, gather);
	arm_iova_free(cookie, iova, size);
}

struct iommu_dma_cookie *arm_iova_space_create(const char *owner,
					       struct iommu_domain *domain,
					       dma_addr_t base, u64 size);
void arm_iova_space_free(struct iommu_dma_cookie *cookie);
void arm_iova_reserve(struct iommu_dma_cookie *cookie, dma_addr_t first,
		      dma_addr_t last);
bool arm_iova_range_of(struct iommu_dma_cookie *cookie, dma_addr_t iova,
		       dma_addr_t *first, dma_addr_t *last);

/**
 * struct arm_iova_stats - one DMA domain's IOVA space, as debugfs shows it
 * @owner:	the device the domain was made for
 * @lazy:	unmaps are invalidated through the flush queues
 * @maps:	streaming maps and coherent allocations made
 * @live:	IOVA ranges handed out and not given back
 * @fq_flushes:	invalidations the flush queues have made
 * @fq_now:	IOVA ranges waiting in the flush queues
 */
struct arm_iova_stats {
	char owner[32];
	bool lazy;
	long maps;
	long live;
	long fq_flushes;
	unsigned int fq_now;
};

unsigned int arm_iova_stats(struct arm_iova_stats *stats, unsigned int max);

#endif /* __ARM_MM_DMA_IOVA_H */
