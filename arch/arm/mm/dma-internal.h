/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files of the ARM DMA mapping layer share, and nothing else.
 *
 * Calls go one way, from the file that decides which ops a device gets
 * down to the pages:
 *
 *   dma-mapping.c		arch_setup_dma_ops(): which ops a device gets
 *   dma-iommu-legacy.c		the arm_iommu_* API drivers call
 *   dma-direct-ops.c		arm_dma_ops, arm_coherent_dma_ops
 *   dma-iommu{,-coherent,-sg,-map}.c  arm_iommu_dma_ops (dma-iommu-ops.h)
 *   dma-iommu-domain.c		a device's DMA domain, set up and torn down
 *   dma-iova.c			IOVA space and flush queue of a domain
 *   dma-streaming.c		map, unmap and sync without an IOMMU
 *   dma-select.c		the selector and the record of each buffer
 *   dma-alloc.c, dma-atomic-pool.c	the allocators
 *   dma-cache.c			cache maintenance
 *
 * dma-debugfs.c only reads what the others count.  The IOVA space's
 * interface, with its fast paths inline, is dma-iova.h; what only the
 * KUnit suites reach is in dma-test.h, and what they share in
 * dma-test-fixtures.h.
 */
#ifndef __ARM_MM_DMA_INTERNAL_H
#define __ARM_MM_DMA_INTERNAL_H

#include <linux/atomic.h>
#include <linux/dma-direction.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/types.h>
#include <asm/pgtable.h>

struct device;
struct page;

/**
 * struct arm_dma_request - one coherent allocation, as the selector sees it
 * @dev:	the device the memory is for
 * @size:	bytes, page aligned
 * @gfp:	allocation flags, GFP_DMA added when the mask asks for it
 * @prot:	kernel mapping for a non-coherent device (uncached or
 *		write-combine); coherent devices use the cacheable mapping
 * @attrs:	DMA_ATTR_* flags of the caller
 * @coherent:	the device is cache-coherent
 * @caller:	return address of the caller, for vmap accounting
 * @limit:	the highest physical address the buffer may reach: what the
 *		coherent mask reaches, or PHYS_ADDR_MAX behind an IOMMU
 */
struct arm_dma_request {
	struct device *dev;
	size_t size;
	gfp_t gfp;
	pgprot_t prot;
	unsigned long attrs;
	bool coherent;
	const void *caller;
	phys_addr_t limit;
};

/**
 * struct arm_dma_stats - what one allocator has done since boot
 * @allocs:	buffers handed out
 * @frees:	buffers given back
 * @live_bytes:	bytes handed out and not yet given back
 * @failures:	allocations this allocator was chosen for and could not serve
 */
struct arm_dma_stats {
	atomic_long_t allocs;
	atomic_long_t frees;
	atomic_long_t live_bytes;
	atomic_long_t failures;
};

/**
 * struct arm_dma_allocator - one way of getting memory for a coherent buffer
 * @name:	short name, as debugfs and messages print it
 * @suits:	whether this allocator should serve @req; the selector asks
 *		the allocators in table order and takes the first that says yes
 * @alloc:	get zeroed memory for @req: returns its first page and sets
 *		*@vaddr to its kernel mapping (NULL when the request asked
 *		for DMA_ATTR_NO_KERNEL_MAPPING), or returns NULL
 * @free:	give back what @alloc returned for a request of the same size
 * @sole:	when it suits a request, no other allocator may serve it
 * @stats:	counters the selector keeps for this allocator
 */
struct arm_dma_allocator {
	const char *name;
	bool (*suits)(const struct arm_dma_request *req);
	struct page *(*alloc)(const struct arm_dma_request *req, void **vaddr);
	void (*free)(const struct arm_dma_request *req, struct page *page,
		     void *vaddr);
	bool sole;
	struct arm_dma_stats stats;
};

static inline bool arm_dma_want_vaddr(const struct arm_dma_request *req)
{
	return !(req->attrs & DMA_ATTR_NO_KERNEL_MAPPING);
}

/* dma-alloc.c */
extern struct arm_dma_allocator arm_dma_simple_allocator;
extern struct arm_dma_allocator arm_dma_remap_allocator;
extern struct arm_dma_allocator arm_dma_cma_allocator;
extern struct arm_dma_allocator arm_dma_low_allocator;
extern struct arm_dma_allocator arm_dma_restricted_allocator;
struct page *arm_dma_alloc_lowmem(struct device *dev, size_t size, gfp_t gfp,
				  dma_addr_t limit);
struct page **arm_dma_alloc_pages(size_t size, gfp_t gfp, bool coherent);
void arm_dma_free_pages(struct page **pages, size_t size);

/* dma-atomic-pool.c */
extern struct arm_dma_allocator arm_dma_pool_allocator;

/**
 * struct arm_dma_pool_usage - the atomic pool at one moment
 * @size:	bytes in the pool
 * @used:	bytes handed out now
 * @high_water:	most bytes ever handed out at once
 */
struct arm_dma_pool_usage {
	size_t size;
	size_t used;
	size_t high_water;
};

void arm_dma_pool_usage(struct arm_dma_pool_usage *usage);

/* dma-cache.c */
enum arm_dma_cache_op {
	ARM_DMA_NO_OP,
	ARM_DMA_CLEAN,		/* write dirty lines back to memory */
	ARM_DMA_INVALIDATE,	/* drop lines, keeping partial ones' neighbours */
	ARM_DMA_FLUSH,		/* clean, then invalidate */
};

void arm_dma_sync_for_device(phys_addr_t phys, size_t size,
			     enum dma_data_direction dir);
void arm_dma_sync_for_cpu(phys_addr_t phys, size_t size,
			  enum dma_data_direction dir);
void arm_dma_clear_pages(struct page *page, size_t size, bool coherent);

/* dma-select.c: the selector, below both the direct and the IOMMU ops */
extern struct arm_dma_allocator *const arm_dma_allocators[];
extern const unsigned int arm_dma_nr_allocators;
struct page *arm_dma_alloc_buffer(const struct arm_dma_request *req,
				  void **cookie);
void arm_dma_free_buffer(struct device *dev, size_t size, void *cookie,
			 struct page *page);
struct arm_dma_buffer;
struct arm_dma_buffer *arm_dma_claim_buffer(struct device *dev, size_t size,
					    void *cookie, unsigned long pfn);
void arm_dma_release_buffer(struct device *dev, struct arm_dma_buffer *buf,
			    struct page *page);
bool arm_dma_buffer_holds(unsigned long pfn, size_t size);
void *__dma_alloc(struct device *dev, size_t size, dma_addr_t *handle,
		  gfp_t gfp, pgprot_t prot, bool is_coherent,
		  unsigned long attrs, const void *caller);
long arm_dma_nr_refused_frees(void);

/* dma-streaming.c: the streaming members of the direct ops */
struct scatterlist;
dma_addr_t arm_dma_map_page(struct device *dev, struct page *page,
			    unsigned long offset, size_t size,
			    enum dma_data_direction dir, unsigned long attrs);
dma_addr_t arm_coherent_dma_map_page(struct device *dev, struct page *page,
				     unsigned long offset, size_t size,
				     enum dma_data_direction dir,
				     unsigned long attrs);
void arm_dma_unmap_page(struct device *dev, dma_addr_t handle, size_t size,
			enum dma_data_direction dir, unsigned long attrs);
void arm_coherent_dma_unmap_page(struct device *dev, dma_addr_t handle,
				 size_t size, enum dma_data_direction dir,
				 unsigned long attrs);
void arm_dma_sync_single_for_cpu(struct device *dev, dma_addr_t handle,
				 size_t size, enum dma_data_direction dir);
void arm_dma_sync_single_for_device(struct device *dev, dma_addr_t handle,
				    size_t size, enum dma_data_direction dir);
int arm_dma_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
		   enum dma_data_direction dir, unsigned long attrs);
void arm_dma_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
		      enum dma_data_direction dir, unsigned long attrs);
void arm_dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sgl,
			     int nents, enum dma_data_direction dir);
void arm_dma_sync_sg_for_device(struct device *dev, struct scatterlist *sgl,
				int nents, enum dma_data_direction dir);
dma_addr_t arm_dma_map_resource(struct device *dev, phys_addr_t phys,
				size_t size, enum dma_data_direction dir,
				unsigned long attrs);
u64 arm_dma_get_required_mask(struct device *dev);
size_t arm_dma_max_mapping_size(struct device *dev);
int arm_dma_supported(struct device *dev, u64 mask);
bool arm_dma_need_sync(struct device *dev, dma_addr_t dma);

/* dma-direct-ops.c */
extern const struct dma_map_ops arm_dma_ops;
extern const struct dma_map_ops arm_coherent_dma_ops;
const struct dma_map_ops *arm_dma_direct_ops(struct device *dev);

/* dma-iommu.c: the ops table; its members are in dma-iommu-ops.h */
extern const struct dma_map_ops arm_iommu_dma_ops;

/* dma-iommu-domain.c: the DMA domain of a device behind an IOMMU */
struct iommu_domain *arm_iommu_domain_alloc(struct device *dev,
					    dma_addr_t base, u64 size);
void arm_iommu_put_dma_cookie(struct iommu_domain *domain);
int arm_iommu_domain_attach(struct device *dev, struct iommu_domain *domain);
void arm_iommu_domain_detach(struct device *dev, struct iommu_domain *domain);
bool arm_iommu_wants_domain(struct device *dev);
void arm_iommu_dma_window(struct device *dev, dma_addr_t *base, u64 *size);
int arm_iommu_group_domain_setup(struct device *dev);

/* dma-iommu-legacy.c: the arm_iommu_* API of <asm/dma-iommu.h> */
int arm_iommu_legacy_setup(struct device *dev);
void arm_iommu_legacy_teardown(struct device *dev);

#endif /* __ARM_MM_DMA_INTERNAL_H */
