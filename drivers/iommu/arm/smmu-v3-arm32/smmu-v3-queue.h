/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SMMUv3 for 32-bit ARM: the queues the driver and the SMMU share, and the
 * global errors that concern them (smmu-v3-queue.c).  They know the
 * SMMU's registers and nothing of the driver's domains or devices: the
 * driver reads events out of them and reports them itself.
 */
#ifndef __SMMU_V3_ARM32_QUEUE_H
#define __SMMU_V3_ARM32_QUEUE_H

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "smmu-v3-hw.h"

#define SMMU_POLL_US		1000000		/* register acks and CMD_SYNC */
#define SMMU_CMDQ_RETRIES	8		/* fetches of an aborted command */

struct device;

/**
 * struct smmu_queue - a circular queue in memory shared with the SMMU
 * @base:	the entries
 * @dma:	their bus address
 * @log2n:	log2 of the number of entries
 * @dwords:	double words per entry
 * @prod:	producer index, with the wrap bit above the index bits
 * @cons:	consumer index, likewise
 * @ovf_ack:	the overflow flag last acknowledged (event queue)
 * @prod_reg:	the SMMU's producer register
 * @cons_reg:	the SMMU's consumer register
 */
struct smmu_queue {
	u64 *base;
	dma_addr_t dma;
	unsigned int log2n;
	unsigned int dwords;
	u32 prod;
	u32 cons;
	u32 ovf_ack;
	void __iomem *prod_reg;
	void __iomem *cons_reg;
};

/**
 * struct smmu_queues - one SMMU's command and event queues
 * @dev:	the SMMU, for messages and for the queues' memory
 * @base:	its registers
 * @cmdq:	command queue
 * @cmdq_lock:	serialises the command queue
 * @evtq:	event queue
 * @gerror_lock: serialises acknowledgements in GERRORN
 * @events_lost: times the event queue could not take an event, each
 *		reported once
 * @sync_timeouts: CMD_SYNCs that did not complete in time
 * @cmdq_errors: commands the SMMU refused, each skipped
 */
struct smmu_queues {
	struct device *dev;
	void __iomem *base;
	struct smmu_queue cmdq;
	spinlock_t cmdq_lock;		/* the command queue's producer */
	struct smmu_queue evtq;
	spinlock_t gerror_lock;		/* read-modify-write of GERRORN */
	atomic_t events_lost;
	atomic_t sync_timeouts;
	atomic_t cmdq_errors;
};

void smmu_queues_init(struct smmu_queues *qs, struct device *dev,
		      void __iomem *base);
int smmu_queue_init(struct smmu_queues *qs, struct smmu_queue *q,
		    unsigned int log2n, unsigned int dwords,
		    u32 prod_off, u32 cons_off, u32 base_off);
int smmu_cmdq_issue(struct smmu_queues *qs, const u64 *cmds, unsigned int n,
		    bool sync);

/* Commands, then a CMD_SYNC: see smmu_cmdq_issue(). */
static inline int smmu_cmdq_issue_sync(struct smmu_queues *qs,
				       const u64 *cmds, unsigned int n)
{
	return smmu_cmdq_issue(qs, cmds, n, true);
}

int smmu_sync_one(struct smmu_queues *qs, const u64 *cmd);
bool smmu_evtq_next(struct smmu_queues *qs, u64 *evt);
irqreturn_t smmu_gerror_irq(int irq, void *data);

#if IS_ENABLED(CONFIG_KUNIT)
u32 smmu_cmdq_cerror(struct smmu_queues *qs);
#endif

#endif /* __SMMU_V3_ARM32_QUEUE_H */
