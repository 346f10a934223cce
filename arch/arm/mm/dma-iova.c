// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOVA space of a DMA domain, and its flush queue.
 *
 * Each paging domain this layer makes for DMA carries an IOVA space of the
 * kernel's IOVA library (with its per-CPU caches), bounded by the window
 * the domain was made for.  An IOVA range goes back to the space only once
 * no IOTLB can still translate it: at once after a strict unmap, or, with
 * iommu.strict=0, when the flush queue that batches many unmaps behind one
 * invalidation is flushed (when full, or after ARM_IOVA_FQ_TIMEOUT).
 *
 * Each CPU has a flush queue of its own, flushed only on that CPU: a range
 * goes back into the IOVA cache of the CPU that unmapped it, as after a
 * strict unmap, so no other CPU can hand it out while that CPU is still
 * returning from the unmap.
 */
#define pr_fmt(fmt) "arm-iommu: " fmt
#define dev_fmt pr_fmt

#include <linux/iommu.h>
#include <linux/iova.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <kunit/visibility.h>

#include "dma-internal.h"
#include "dma-iova.h"
#include "dma-test.h"

#define ARM_IOVA_FQ_SIZE	256
#define ARM_IOVA_FQ_TIMEOUT	msecs_to_jiffies(10)

static bool arm_iova_strict = IS_ENABLED(CONFIG_IOMMU_DEFAULT_DMA_STRICT);

/* The IOMMU core reads iommu.strict= too; this layer honours it as well. */
static int __init arm_iova_strict_param(char *arg)
{
	return kstrtobool(arg, &arm_iova_strict);
}
early_param("iommu.strict", arm_iova_strict_param);

#ifdef CONFIG_ARM_DMA_FAIL_IOVA
/* Exported for the stress suite, which fails IOVA allocations in turn. */
struct fault_attr arm_iova_fail = FAULT_ATTR_INITIALIZER;
EXPORT_SYMBOL_IF_KUNIT(arm_iova_fail);

static int __init arm_iova_fail_debugfs(void)
{
	/* Like any debugfs file, one that cannot be made is done without. */
	fault_create_debugfs_attr("fail_arm_iova", NULL, &arm_iova_fail);
	return 0;
}
late_initcall(arm_iova_fail_debugfs);
#endif

struct arm_iova_fq_entry {
	unsigned long pfn;
	unsigned long pages;
};

/**
 * struct arm_iova_fq - one CPU's flush queue of one IOVA space
 * @cookie:	the space
 * @lock:	guards @len and @entries against the timer and teardown
 * @len:	entries queued
 * @timer:	flushes the queue on its CPU when nothing else does
 * @entries:	IOVA ranges unmapped but maybe still in the IOTLB
 */
struct arm_iova_fq {
	struct iommu_dma_cookie *cookie;
	spinlock_t lock;		/* guards len and entries */
	unsigned int len;
	struct timer_list timer;
	struct arm_iova_fq_entry entries[ARM_IOVA_FQ_SIZE];
};

/* Every IOVA space there is, for debugfs and the tests. */
static LIST_HEAD(arm_iova_spaces);
static DEFINE_MUTEX(arm_iova_spaces_lock);

/**
 * arm_iova_reserve() - keep a range out of an IOVA space for good
 * @cookie:	the IOVA space
 * @first:	the first IOVA of the range
 * @last:	its last IOVA
 */
void arm_iova_reserve(struct iommu_dma_cookie *cookie, dma_addr_t first,
		      dma_addr_t last)
{
	struct iova_domain *iovad = &cookie->iovad;

	/* Nothing above the space's limit is ever handed out anyway. */
	if (first > cookie->limit)
		return;
	last = min(last, cookie->limit);
	reserve_iova(iovad, iova_pfn(iovad, first), iova_pfn(iovad, last));
}

/**
 * arm_iova_range_of() - the range handed out that holds an IOVA
 * @cookie:	the IOVA space
 * @iova:	any IOVA
 * @first:	set to the first IOVA of the range
 * @last:	set to its last IOVA
 *
 * The range is as allocated: the IOVA library may round a request up, so
 * its tail need not be mapped.  Reserved ranges count as handed out.
 *
 * Return: true when @iova lies in a range, false when it is free.
 */
bool arm_iova_range_of(struct iommu_dma_cookie *cookie, dma_addr_t iova,
		       dma_addr_t *first, dma_addr_t *last)
{
	struct iova_domain *iovad = &cookie->iovad;
	struct iova *range = find_iova(iovad, iova_pfn(iovad, iova));

	if (!range)
		return false;
	*first = (dma_addr_t)range->pfn_lo << iova_shift(iovad);
	/* The last range may end at the top of the address space: no +1. */
	*last = ((dma_addr_t)range->pfn_hi << iova_shift(iovad)) |
		iova_mask(iovad);
	return true;
}

/* Invalidate the IOTLB, then give back what @fq held. */
static void arm_iova_fq_flush(struct arm_iova_fq *fq)
{
	struct iommu_dma_cookie *cookie = fq->cookie;
	unsigned int i;

	lockdep_assert_held(&fq->lock);
	if (!fq->len)
		return;
	iommu_flush_iotlb_all(cookie->domain);
	for (i = 0; i < fq->len; i++)
		free_iova_fast(&cookie->iovad, fq->entries[i].pfn,
			       fq->entries[i].pages);
	atomic_long_add(fq->len, &cookie->frees);
	fq->len = 0;
	atomic_long_inc(&cookie->fq_flushes);
}

static void arm_iova_fq_flush_locked(struct arm_iova_fq *fq)
{
	unsigned long flags;

	spin_lock_irqsave(&fq->lock, flags);
	arm_iova_fq_flush(fq);
	spin_unlock_irqrestore(&fq->lock, flags);
}

static void arm_iova_fq_timeout(struct timer_list *t)
{
	struct arm_iova_fq *fq = from_timer(fq, t, timer);

	arm_iova_fq_flush_locked(fq);
}

/**
 * arm_iova_fq_add() - queue a range until the next invalidation
 * @cookie:	the IOVA space
 * @iova:	the first IOVA of the range, unmapped already
 * @size:	bytes, granule aligned, as allocated
 */
void arm_iova_fq_add(struct iommu_dma_cookie *cookie, dma_addr_t iova,
		     size_t size)
{
	/* Stay on this CPU: its queue, its timer, its IOVA cache. */
	struct arm_iova_fq *fq = get_cpu_ptr(cookie->fq);
	unsigned long flags;

	spin_lock_irqsave(&fq->lock, flags);
	if (fq->len == ARM_IOVA_FQ_SIZE)
		arm_iova_fq_flush(fq);
	fq->entries[fq->len++] = (struct arm_iova_fq_entry) {
		.pfn	= iova_pfn(&cookie->iovad, iova),
		.pages	= size >> iova_shift(&cookie->iovad),
	};
	spin_unlock_irqrestore(&fq->lock, flags);
	if (!timer_pending(&fq->timer))
		mod_timer(&fq->timer, jiffies + ARM_IOVA_FQ_TIMEOUT);
	put_cpu_ptr(cookie->fq);
}

/* Invalidate and give back what every CPU's queue holds. */
static void arm_iova_fq_flush_all(struct iommu_dma_cookie *cookie)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		arm_iova_fq_flush_locked(per_cpu_ptr(cookie->fq, cpu));
}

static unsigned int arm_iova_fq_len(struct iommu_dma_cookie *cookie)
{
	unsigned int cpu, len = 0;

	for_each_possible_cpu(cpu)
		len += READ_ONCE(per_cpu_ptr(cookie->fq, cpu)->len);
	return len;
}

/**
 * arm_iova_alloc_reclaim() - allocate again once the flush queues are empty
 * @cookie:	the IOVA space, which had no room
 * @pages:	granules wanted
 * @limit_pfn:	the highest granule the range may reach
 *
 * Lazy unmaps keep their ranges until the next IOTLB invalidation: a space
 * full of them is not full.  Invalidate, give them back and try once more,
 * rather than fail a map for want of a timer.  A lazy space tries again
 * even with its queues empty: a flush timer may have given ranges back
 * since the first try, into the IOVA cache of another CPU.
 *
 * Return: the first granule of the range, or 0.
 */
unsigned long arm_iova_alloc_reclaim(struct iommu_dma_cookie *cookie,
				     unsigned long pages, unsigned long limit_pfn)
{
	if (!arm_iova_lazy(cookie) && !arm_iova_fq_len(cookie))
		return 0;
	arm_iova_fq_flush_all(cookie);
	return alloc_iova_fast(&cookie->iovad, pages, limit_pfn, true);
}

static int arm_iova_fq_init(struct iommu_dma_cookie *cookie)
{
	unsigned int cpu;

	cookie->fq = alloc_percpu(struct arm_iova_fq);
	if (!cookie->fq)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct arm_iova_fq *fq = per_cpu_ptr(cookie->fq, cpu);

		fq->cookie = cookie;
		spin_lock_init(&fq->lock);
		timer_setup(&fq->timer, arm_iova_fq_timeout, TIMER_PINNED);
	}
	return 0;
}

static void arm_iova_fq_destroy(struct iommu_dma_cookie *cookie)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		timer_shutdown_sync(&per_cpu_ptr(cookie->fq, cpu)->timer);
	arm_iova_fq_flush_all(cookie);
	free_percpu(cookie->fq);
}

/**
 * arm_iova_space_create() - an IOVA space for a new DMA domain
 * @owner:	who the domain is made for, as debugfs names it
 * @domain:	the domain
 * @base:	the lowest IOVA to hand out
 * @size:	bytes of IOVA space from @base
 *
 * Return: the space, or NULL when memory is short.
 */
struct iommu_dma_cookie *arm_iova_space_create(const char *owner,
					       struct iommu_domain *domain,
					       dma_addr_t base, u64 size)
{
	unsigned long order = __ffs(domain->pgsize_bitmap);
	struct iommu_dma_cookie *cookie;

	if (iova_cache_get())
		return NULL;
	cookie = kzalloc(sizeof(*cookie), GFP_KERNEL);
	if (!cookie)
		goto fail_cache;
	cookie->owner = kstrdup(owner, GFP_KERNEL);
	if (!cookie->owner)
		goto fail_cookie;
	cookie->domain = domain;
	cookie->limit = base + size - 1;
	cookie->lazy = !arm_iova_strict;
	if (arm_iova_fq_init(cookie))
		goto fail_owner;
	/* IOVA 0 would look like an error to some drivers: start above. */
	base = max_t(dma_addr_t, base, domain->geometry.aperture_start);
	init_iova_domain(&cookie->iovad, 1UL << order,
			 max_t(unsigned long, 1, base >> order));
	if (iova_domain_init_rcaches(&cookie->iovad))
		goto fail_iovad;

	mutex_lock(&arm_iova_spaces_lock);
	list_add_tail(&cookie->node, &arm_iova_spaces);
	mutex_unlock(&arm_iova_spaces_lock);
	return cookie;

fail_iovad:
	put_iova_domain(&cookie->iovad);
	free_percpu(cookie->fq);
fail_owner:
	kfree(cookie->owner);
fail_cookie:
	kfree(cookie);
fail_cache:
	iova_cache_put();
	return NULL;
}

/**
 * arm_iova_space_free() - undo arm_iova_space_create()
 * @cookie:	the space, of a domain no device is attached to any more
 *
 * What waits in the flush queues is invalidated and freed first.
 */
void arm_iova_space_free(struct iommu_dma_cookie *cookie)
{
	mutex_lock(&arm_iova_spaces_lock);
	list_del(&cookie->node);
	mutex_unlock(&arm_iova_spaces_lock);

	arm_iova_fq_destroy(cookie);
	put_iova_domain(&cookie->iovad);
	kfree(cookie->owner);
	kfree(cookie);
	iova_cache_put();
}

/**
 * arm_iova_stats() - what each IOVA space has done
 * @stats:	filled with one entry per space, at most @max
 * @max:	room in @stats
 *
 * Return: the number of spaces there are, which may be more than @max.
 */
unsigned int arm_iova_stats(struct arm_iova_stats *stats, unsigned int max)
{
	struct iommu_dma_cookie *cookie;
	unsigned int n = 0;

	mutex_lock(&arm_iova_spaces_lock);
	list_for_each_entry(cookie, &arm_iova_spaces, node) {
		if (n < max) {
			struct arm_iova_stats *st = &stats[n];

			strscpy(st->owner, cookie->owner, sizeof(st->owner));
			st->lazy = arm_iova_lazy(cookie);
			st->maps = atomic_long_read(&cookie->maps);
			st->live = st->maps - atomic_long_read(&cookie->frees);
			st->fq_flushes = atomic_long_read(&cookie->fq_flushes);
			st->fq_now = arm_iova_fq_len(cookie);
		}
		n++;
	}
	mutex_unlock(&arm_iova_spaces_lock);
	return n;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * arm_iommu_nr_domains() - the DMA domains this layer holds
 *
 * Return: how many there are, shared or not.
 */
VISIBLE_IF_KUNIT unsigned int arm_iommu_nr_domains(void)
{
	return arm_iova_stats(NULL, 0);
}
EXPORT_SYMBOL_IF_KUNIT(arm_iommu_nr_domains);

static struct iommu_dma_cookie *arm_iova_space_of(struct device *dev)
{
	return arm_iommu_dma_domain(dev)->iova_cookie;
}

/**
 * arm_iommu_fq_pending() - IOVA ranges waiting in a device's flush queue
 * @dev:	a device with arm_iommu_dma_ops
 *
 * Return: the number of queued ranges.
 */
VISIBLE_IF_KUNIT unsigned int arm_iommu_fq_pending(struct device *dev)
{
	return arm_iova_fq_len(arm_iova_space_of(dev));
}
EXPORT_SYMBOL_IF_KUNIT(arm_iommu_fq_pending);

/**
 * arm_iommu_iova_live() - IOVA ranges a device's space has handed out
 * @dev:	a device with arm_iommu_dma_ops
 *
 * Return: ranges allocated and not yet given back, flush queues included.
 */
VISIBLE_IF_KUNIT long arm_iommu_iova_live(struct device *dev)
{
	struct iommu_dma_cookie *cookie = arm_iova_space_of(dev);

	return atomic_long_read(&cookie->maps) -
	       atomic_long_read(&cookie->frees);
}
EXPORT_SYMBOL_IF_KUNIT(arm_iommu_iova_live);

/**
 * arm_iommu_set_lazy() - choose strict or lazy invalidation for a device
 * @dev:	a device with arm_iommu_dma_ops
 * @lazy:	batch invalidations in a flush queue
 *
 * Switching to strict flushes what the queue holds first.
 */
VISIBLE_IF_KUNIT void arm_iommu_set_lazy(struct device *dev, bool lazy)
{
	struct iommu_dma_cookie *cookie = arm_iova_space_of(dev);

	WRITE_ONCE(cookie->lazy, lazy);
	if (!lazy)
		arm_iova_fq_flush_all(cookie);
}
EXPORT_SYMBOL_IF_KUNIT(arm_iommu_set_lazy);
#endif /* CONFIG_KUNIT */
