/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the per-device coherent pools of kernel/dma/coherent.c offer the
 * dma_map_ops beyond <linux/dma-map-ops.h>: a table of a pool buffer's
 * pages, for .get_sgtable (dma-buf export of buffers from reserved-memory
 * pools).
 */
#ifndef _LINUX_DMA_DEV_COHERENT_H
#define _LINUX_DMA_DEV_COHERENT_H

#include <linux/scatterlist.h>

struct device;

#ifdef CONFIG_DMA_DECLARE_COHERENT
int dma_get_sgtable_from_dev_coherent(struct device *dev, struct sg_table *sgt,
				      void *vaddr, size_t size, int *ret);
#else
static inline int dma_get_sgtable_from_dev_coherent(struct device *dev,
						    struct sg_table *sgt,
						    void *vaddr, size_t size,
						    int *ret)
{
	return 0;
}
#endif

#endif /* _LINUX_DMA_DEV_COHERENT_H */
