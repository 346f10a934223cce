/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What only the KUnit suites of the ARM DMA layer reach into: the seams
 * they record through, and the knobs they turn.  Besides the suites, only
 * the files that define these include it.
 */
#ifndef __ARM_MM_DMA_TEST_H
#define __ARM_MM_DMA_TEST_H

#include <kunit/test.h>

#include "dma-internal.h"

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * make check fails a run on any WARN that no case announced (see
 * harness/runner.py): a case that makes a refused call on purpose says
 * first what the layer may WARN about it, by the message's text.
 */
static inline void arm_dma_expect_warning(struct kunit *test, const char *what)
{
	kunit_info(test, "expects a warning: %s\n", what);
}

/*
 * DMA-API debug reports every error (dma_debug_all_errors=1), and the run
 * fails unless each case's count is what it announced: one call here for
 * each error, by the text of its report.
 */
static inline void arm_dma_expect_dma_debug_error(struct kunit *test,
						  const char *what)
{
	if (IS_ENABLED(CONFIG_DMA_API_DEBUG))
		kunit_info(test, "expects a DMA-API error: %s\n", what);
}

/* dma-cache.c: where every cache operation passes */
void arm_dma_inner_op(enum arm_dma_cache_op op, const void *start,
		      size_t size);
void arm_dma_outer_op(enum arm_dma_cache_op op, phys_addr_t start,
		      size_t size);

/* dma-streaming.c: the rate limit its refusals share */
extern struct ratelimit_state arm_dma_refusals;

/* dma-iova.c */
unsigned int arm_iommu_nr_domains(void);
unsigned int arm_iommu_fq_pending(struct device *dev);
long arm_iommu_iova_live(struct device *dev);
void arm_iommu_set_lazy(struct device *dev, bool lazy);

/* dma-iommu-sg.c: a scatterlist goes into the domain here, runs and padding */
struct scatterlist;
int arm_iommu_map_entries(struct iommu_domain *domain, unsigned long iova,
			  struct scatterlist *sgl, unsigned int n, int prot);
int arm_iommu_map_one(struct iommu_domain *domain, unsigned long iova,
		      phys_addr_t phys, size_t size, int prot);
#endif

#endif /* __ARM_MM_DMA_TEST_H */
