// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs arm-dma/: what the ARM DMA layer's allocators have done.
 *
 *   allocators	 per allocator: buffers allocated and freed, bytes live,
 *		 failed allocations; then the count of refused frees
 *   atomic_pool size, bytes in use and the most ever in use, in bytes
 *   iommu	 per DMA domain (groupN for an IOMMU group, or the device of
 *		 an arm_iommu_* mapping): strict or lazy unmaps, maps made,
 *		 IOVA ranges live, flush queue invalidations, and IOVA
 *		 ranges queued now
 */
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "dma-internal.h"
#include "dma-iova.h"

static int arm_dma_allocators_show(struct seq_file *s, void *unused)
{
	unsigned int i;

	seq_printf(s, "%-12s %10s %10s %12s %10s\n", "allocator", "allocs",
		   "frees", "live_bytes", "failures");
	for (i = 0; i < arm_dma_nr_allocators; i++) {
		struct arm_dma_allocator *a = arm_dma_allocators[i];

		seq_printf(s, "%-12s %10ld %10ld %12ld %10ld\n", a->name,
			   atomic_long_read(&a->stats.allocs),
			   atomic_long_read(&a->stats.frees),
			   atomic_long_read(&a->stats.live_bytes),
			   atomic_long_read(&a->stats.failures));
	}
	seq_printf(s, "refused frees: %ld\n", arm_dma_nr_refused_frees());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(arm_dma_allocators);

static int arm_dma_pool_show(struct seq_file *s, void *unused)
{
	struct arm_dma_pool_usage usage;

	arm_dma_pool_usage(&usage);
	seq_printf(s, "size: %zu\nused: %zu\nhigh_water: %zu\n", usage.size,
		   usage.used, usage.high_water);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(arm_dma_pool);

static int arm_dma_iommu_show(struct seq_file *s, void *unused)
{
	struct arm_iova_stats *stats;
	unsigned int i, n, max;

	max = arm_iova_stats(NULL, 0);
	stats = kcalloc(max, sizeof(*stats), GFP_KERNEL);
	if (max && !stats)
		return -ENOMEM;
	n = min(arm_iova_stats(stats, max), max);

	seq_printf(s, "%-16s %-7s %12s %8s %10s %8s\n", "domain", "unmap",
		   "maps", "live", "fq_flushes", "fq_now");
	for (i = 0; i < n; i++)
		seq_printf(s, "%-16s %-7s %12ld %8ld %10ld %8u\n",
			   stats[i].owner, stats[i].lazy ? "lazy" : "strict",
			   stats[i].maps, stats[i].live, stats[i].fq_flushes,
			   stats[i].fq_now);
	kfree(stats);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(arm_dma_iommu);

static int __init arm_dma_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("arm-dma", NULL);

	debugfs_create_file("allocators", 0444, dir, NULL,
			    &arm_dma_allocators_fops);
	debugfs_create_file("atomic_pool", 0444, dir, NULL, &arm_dma_pool_fops);
	if (IS_ENABLED(CONFIG_ARM_DMA_IOMMU))
		debugfs_create_file("iommu", 0444, dir, NULL,
				    &arm_dma_iommu_fops);
	return 0;
}
late_initcall(arm_dma_debugfs_init);
