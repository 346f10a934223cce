/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A data cache model for the KUnit suites of the ARM DMA layer (see
 * dma-cache-model.c).  Only the suites include it.
 */
#ifndef __ARM_MM_DMA_CACHE_MODEL_H
#define __ARM_MM_DMA_CACHE_MODEL_H

#include <linux/types.h>

#define ARM_DMA_MODEL_INNER_LINE	64
#define ARM_DMA_MODEL_OUTER_LINE	32

/* What the model did since it was last reset, for its own suite. */
struct arm_dma_model_stats {
	unsigned long cpu_writes;	/* lines the CPU was seen to write */
	unsigned long writebacks;	/* dirty lines written to memory */
	unsigned long fills;		/* lines filled speculatively */
	unsigned long evictions;	/* lines evicted */
	unsigned long maintained;	/* lines maintenance reached */
};

int arm_dma_model_track(phys_addr_t phys, size_t size);
void arm_dma_model_untrack(phys_addr_t phys);
void arm_dma_model_reset(u32 seed, unsigned int odds);
u32 arm_dma_model_seed(void);
void arm_dma_model_stats(struct arm_dma_model_stats *stats);

void arm_dma_model_device_read(phys_addr_t phys, void *buf, size_t len);
void arm_dma_model_device_write(phys_addr_t phys, const void *buf,
				size_t len);
void arm_dma_model_device_fill(phys_addr_t phys, int c, size_t len);

void arm_dma_model_tick(void);
void arm_dma_model_fill_all(void);
void arm_dma_model_evict_all(void);

#endif /* __ARM_MM_DMA_CACHE_MODEL_H */
