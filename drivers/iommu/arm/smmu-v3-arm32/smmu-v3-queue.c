// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SMMUv3's queues: commands the driver issues, and events and global
 * errors the SMMU reports.
 *
 * The command queue is filled under a lock and completed by polling a
 * CMD_SYNC, which the SMMU consumes only once every command before it has
 * taken effect.  The event queue is drained by a threaded interrupt that
 * reports each fault with its stream, address and device.
 */
#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iommu.h>
#include <linux/iopoll.h>
#include <linux/xarray.h>

#include "smmu-v3.h"

/* Queues */

static u32 q_idx(const struct smmu_queue *q, u32 p)
{
	return p & ((1 << q->log2n) - 1);
}

static u32 q_wrap(const struct smmu_queue *q, u32 p)
{
	return p & (1 << q->log2n);
}

static bool q_full(const struct smmu_queue *q)
{
	return q_idx(q, q->prod) == q_idx(q, q->cons) &&
	       q_wrap(q, q->prod) != q_wrap(q, q->cons);
}

static bool q_empty(const struct smmu_queue *q)
{
	return q->prod == q->cons;
}

static u32 q_inc(const struct smmu_queue *q, u32 p)
{
	return (p + 1) & ((2 << q->log2n) - 1);
}

int smmu_queue_init(struct smmu_device *smmu, struct smmu_queue *q,
		    unsigned int log2n, unsigned int dwords,
		    u32 prod_off, u32 cons_off, u32 base_off)
{
	size_t bytes = (dwords << 3) << log2n;

	q->base = dmam_alloc_coherent(smmu->dev, bytes, &q->dma, GFP_KERNEL);
	if (!q->base)
		return -ENOMEM;
	q->log2n = log2n;
	q->dwords = dwords;
	q->prod = 0;
	q->cons = 0;
	q->ovf_ack = 0;
	q->prod_reg = smmu->base + prod_off;
	q->cons_reg = smmu->base + cons_off;
	lo_hi_writeq_relaxed(BASE_RA | (q->dma & GENMASK_ULL(51, 5)) |
			     FIELD_PREP(BASE_LOG2SIZE, log2n),
			     smmu->base + base_off);
	writel_relaxed(0, q->prod_reg);
	writel_relaxed(0, q->cons_reg);
	return 0;
}

/* Commands */

/* Consumed up to @target or, with @space, room for one more command. */
static bool smmu_cmdq_reached(const struct smmu_queue *q, bool space,
			      u32 target)
{
	return space ? !q_full(q) : (q->cons & ((2 << q->log2n) - 1)) == target;
}

/*
 * Whether the SMMU stopped at a command it could not execute.  CONS.ERR
 * says why, but only while GERROR.CMDQ_ERR is active: QEMU keeps the field
 * after the error is acknowledged.
 */
static bool smmu_cmdq_stopped(struct smmu_device *smmu, u32 cons)
{
	u32 active;

	if (!(cons & CMDQ_CONS_ERR))
		return false;
	active = readl_relaxed(smmu->base + SMMU_GERROR) ^
		 readl_relaxed(smmu->base + SMMU_GERRORN);
	return active & GERROR_CMDQ_ERR;
}

/*
 * Put a CMD_SYNC, which cannot fail, where the SMMU stopped, and
 * acknowledge CMDQ_ERR: the SMMU then goes on from that slot.  The gerror
 * interrupt leaves CMDQ_ERR to this, so that the SMMU never retries the
 * command that failed.
 */
static void smmu_cmdq_skip(struct smmu_device *smmu)
{
	struct smmu_queue *q = &smmu->cmdq;
	u64 *slot = q->base + q_idx(q, q->cons) * q->dwords;
	unsigned long flags;
	u32 gerrorn;

	atomic_inc(&smmu->cmdq_errors);
	dev_err_ratelimited(smmu->dev, "command %#llx failed (error %lu): skipped\n",
			    FIELD_GET(CMD0_OP, slot[0]),
			    FIELD_GET(CMDQ_CONS_ERR, q->cons));
	smmu_cmd_sync(slot);
	dma_wmb();
	spin_lock_irqsave(&smmu->gerror_lock, flags);
	gerrorn = readl_relaxed(smmu->base + SMMU_GERRORN);
	writel(gerrorn ^ GERROR_CMDQ_ERR, smmu->base + SMMU_GERRORN);
	spin_unlock_irqrestore(&smmu->gerror_lock, flags);
}

/*
 * Wait for the SMMU to consume up to @target (or to make room for one more
 * command), skipping each command it stops at.
 *
 * Return: 0; -EIO when a command was skipped; -ETIMEDOUT.
 */
static noinline int smmu_cmdq_wait(struct smmu_device *smmu, bool space,
				   u32 target)
{
	struct smmu_queue *q = &smmu->cmdq;
	int skipped = 0, ret;

	for (;;) {
		ret = readl_relaxed_poll_timeout_atomic(q->cons_reg, q->cons,
							smmu_cmdq_reached(q, space, target) ||
							smmu_cmdq_stopped(smmu, q->cons),
							1, SMMU_POLL_US);
		if (ret)
			return ret;
		if (smmu_cmdq_reached(q, space, target))
			return skipped ? -EIO : 0;
		smmu_cmdq_skip(smmu);
		skipped++;
	}
}

/* The queue is full: publish what it holds, so the SMMU can make room. */
static noinline int smmu_cmdq_make_room(struct smmu_device *smmu)
{
	struct smmu_queue *q = &smmu->cmdq;

	dma_wmb();
	writel(q->prod, q->prod_reg);
	return smmu_cmdq_wait(smmu, true, 0);
}

/*
 * Queue one command.  An entry the SMMU has not consumed is never
 * overwritten.  Inline: it is on every invalidation.
 */
static __always_inline int smmu_cmdq_write(struct smmu_device *smmu,
					   const u64 *cmd)
{
	struct smmu_queue *q = &smmu->cmdq;
	u64 *slot;
	int ret = 0;

	if (unlikely(q_full(q))) {
		ret = smmu_cmdq_make_room(smmu);
		if (ret == -ETIMEDOUT)
			return ret;
	}
	slot = q->base + q_idx(q, q->prod) * q->dwords;
	slot[0] = cmd[0];
	slot[1] = cmd[1];
	q->prod = q_inc(q, q->prod);
	return ret;
}

/* Wait until the SMMU consumed up to @target. */
static __always_inline int smmu_cmdq_consumed(struct smmu_device *smmu,
					      u32 target)
{
	struct smmu_queue *q = &smmu->cmdq;
	int err;

	/* Usually done at once; a stop or a slow SMMU takes the long way. */
	err = readl_relaxed_poll_timeout_atomic(q->cons_reg, q->cons,
						smmu_cmdq_reached(q, false, target) ||
						(q->cons & CMDQ_CONS_ERR),
						1, SMMU_POLL_US);
	if (!err && !smmu_cmdq_reached(q, false, target))
		err = smmu_cmdq_wait(smmu, false, target);
	return err;
}

/**
 * smmu_cmdq_issue() - queue commands, and maybe wait until they took effect
 * @smmu:	the SMMU
 * @cmds:	@n commands of CMD_DWORDS each
 * @n:		how many; 0 for a CMD_SYNC alone
 * @sync:	follow them with a CMD_SYNC and wait for it: once the SMMU has
 *		consumed it, every command before it has taken effect.  Without,
 *		the SMMU is only told of them; a later sync waits for them too.
 *
 * Return: 0; -EIO when the SMMU refused one of them (it was skipped, and
 * the queue goes on); -ETIMEDOUT when the SMMU did not consume them.
 */
int smmu_cmdq_issue(struct smmu_device *smmu, const u64 *cmds,
		    unsigned int n, bool sync)
{
	struct smmu_queue *q = &smmu->cmdq;
	unsigned int i, total = n + sync;
	unsigned long flags;
	u64 cmd_sync[CMD_DWORDS];
	int ret = 0, err = 0;

	smmu_cmd_sync(cmd_sync);
	spin_lock_irqsave(&smmu->cmdq_lock, flags);
	for (i = 0; i < total; i++) {
		err = smmu_cmdq_write(smmu, i < n ? cmds + i * CMD_DWORDS : cmd_sync);
		if (err == -ETIMEDOUT)
			break;
		ret = ret ?: err;
	}
	if (err != -ETIMEDOUT) {
		u32 target = q->prod;

		/* The entries must be visible before the SMMU sees the index. */
		dma_wmb();
		writel(target, q->prod_reg);
		if (sync)
			err = smmu_cmdq_consumed(smmu, target);
	}
	spin_unlock_irqrestore(&smmu->cmdq_lock, flags);

	if (err == -ETIMEDOUT) {
		atomic_inc(&smmu->sync_timeouts);
		dev_err_ratelimited(smmu->dev, "command queue timed out: prod %#x, cons %#x\n",
				    q->prod, q->cons);
		return err;
	}
	return ret ?: err;
}

int smmu_sync_one(struct smmu_device *smmu, const u64 *cmd)
{
	return smmu_cmdq_issue_sync(smmu, cmd, 1);
}

/* Interrupts */

/* The device behind stream @sid, with a reference, or NULL. */
static struct device *smmu_master_dev(struct smmu_device *smmu, u32 sid)
{
	struct smmu_master *master;
	struct device *dev = NULL;

	mutex_lock(&smmu->streams_lock);
	master = xa_load(&smmu->streams, sid);
	if (master)
		dev = get_device(master->dev);
	mutex_unlock(&smmu->streams_lock);
	return dev;
}

static void smmu_report_event(struct smmu_device *smmu, const u64 *evt)
{
	unsigned int id = FIELD_GET(EVT0_ID, evt[0]);
	u32 sid = FIELD_GET(EVT0_SID, evt[0]);
	struct device *master = smmu_master_dev(smmu, sid);

	atomic_inc(&smmu->events[id & 0xff]);
	dev_err_ratelimited(smmu->dev,
			    "event %#04x (%s): stream %#x (%s), %s of iova %#llx\n",
			    id, smmu_event_name(id), sid,
			    master ? dev_name(master) : "no device",
			    evt[1] & EVT1_RNW ? "read" : "write", evt[2]);
	/* Faults of a translating domain go to its owner's handler, if any. */
	if (master && id >= EVT_F_TRANSLATION && id <= EVT_F_PERMISSION) {
		struct iommu_domain *domain = iommu_get_domain_for_dev(master);

		if (domain && domain->type & __IOMMU_DOMAIN_PAGING)
			report_iommu_fault(domain, master, evt[2],
					   evt[1] & EVT1_RNW ? IOMMU_FAULT_READ :
							       IOMMU_FAULT_WRITE);
	}
	put_device(master);
}

/*
 * Drain the event queue until the SMMU has written nothing more since the
 * last look.  An overflow is PROD.OVFLG differing from the flag last
 * acknowledged: it is reported once, then acknowledged with the next CONS.
 */
irqreturn_t smmu_evtq_thread(int irq, void *data)
{
	struct smmu_device *smmu = data;
	struct smmu_queue *q = &smmu->evtq;
	bool drained;
	u32 prod;

	do {
		prod = readl_relaxed(q->prod_reg);
		if ((prod & Q_OVERFLOW) != q->ovf_ack) {
			atomic_inc(&smmu->events_lost);
			dev_err(smmu->dev, "event queue overflowed: events lost\n");
			q->ovf_ack = prod & Q_OVERFLOW;
		}
		q->prod = prod & ((2 << q->log2n) - 1);
		drained = !q_empty(q);
		while (!q_empty(q)) {
			/* Read the record only after seeing the producer move. */
			dma_rmb();
			smmu_report_event(smmu, q->base + q_idx(q, q->cons) * q->dwords);
			q->cons = q_inc(q, q->cons);
		}
		writel(q->ovf_ack | q->cons, q->cons_reg);
	} while (drained);
	return IRQ_HANDLED;
}

irqreturn_t smmu_gerror_irq(int irq, void *data)
{
	struct smmu_device *smmu = data;
	u32 gerror, gerrorn, active;

	spin_lock(&smmu->gerror_lock);
	gerror = readl_relaxed(smmu->base + SMMU_GERROR);
	gerrorn = readl_relaxed(smmu->base + SMMU_GERRORN);
	active = gerror ^ gerrorn;
	if (active & GERROR_SFM_ERR)
		dev_err(smmu->dev, "global error: the SMMU entered service failure mode\n");
	if (active & GERROR_EVTQ_ABT_ERR) {
		atomic_inc(&smmu->events_lost);
		dev_err(smmu->dev, "global error: event queue write aborted\n");
	}
	if (active & ~(GERROR_SFM_ERR | GERROR_CMDQ_ERR | GERROR_EVTQ_ABT_ERR))
		dev_err(smmu->dev, "global errors %#x\n", active);
	/* CMDQ_ERR is smmu_cmdq_skip()'s to report and acknowledge. */
	writel(gerrorn ^ (active & ~GERROR_CMDQ_ERR),
	       smmu->base + SMMU_GERRORN);
	spin_unlock(&smmu->gerror_lock);
	return active ? IRQ_HANDLED : IRQ_NONE;
}
