// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SMMUv3's queues: commands the driver issues, events the SMMU writes,
 * and the global errors that stop them.
 *
 * The command queue is filled under a lock and completed by polling a
 * CMD_SYNC, which the SMMU consumes only once every command before it has
 * taken effect.  The event queue is read a record at a time by the
 * driver's event thread, which reports each one.
 */
#include <linux/bitfield.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/string.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "smmu-v3-enc.h"
#include "smmu-v3-queue.h"

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

/**
 * smmu_queues_init() - prepare the queues of an SMMU, before its reset
 * @qs:		the queues
 * @dev:	the SMMU
 * @base:	its registers
 */
void smmu_queues_init(struct smmu_queues *qs, struct device *dev,
		      void __iomem *base)
{
	qs->dev = dev;
	qs->base = base;
	spin_lock_init(&qs->cmdq_lock);
	spin_lock_init(&qs->gerror_lock);
}

/**
 * smmu_queue_init() - allocate one queue and point the SMMU at it
 * @qs:		the SMMU's queues
 * @q:		the queue: &qs->cmdq or &qs->evtq
 * @log2n:	log2 of its entries
 * @dwords:	double words per entry
 * @prod_off:	the offset of its producer register
 * @cons_off:	of its consumer register
 * @base_off:	of its base register
 *
 * Return: 0 or -ENOMEM.
 */
int smmu_queue_init(struct smmu_queues *qs, struct smmu_queue *q,
		    unsigned int log2n, unsigned int dwords,
		    u32 prod_off, u32 cons_off, u32 base_off)
{
	size_t bytes = (dwords << 3) << log2n;

	q->base = dmam_alloc_coherent(qs->dev, bytes, &q->dma, GFP_KERNEL);
	if (!q->base)
		return -ENOMEM;
	q->log2n = log2n;
	q->dwords = dwords;
	q->prod = 0;
	q->cons = 0;
	q->ovf_ack = 0;
	q->prod_reg = qs->base + prod_off;
	q->cons_reg = qs->base + cons_off;
	lo_hi_writeq_relaxed(BASE_RA | (q->dma & GENMASK_ULL(51, 5)) |
			     FIELD_PREP(BASE_LOG2SIZE, log2n),
			     qs->base + base_off);
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
static bool smmu_cmdq_stopped(struct smmu_queues *qs, u32 cons)
{
	u32 active;

	if (!(cons & CMDQ_CONS_ERR))
		return false;
	active = readl_relaxed(qs->base + SMMU_GERROR) ^
		 readl_relaxed(qs->base + SMMU_GERRORN);
	return active & GERROR_CMDQ_ERR;
}

/* Let the SMMU go on from where it stopped. */
static void smmu_cmdq_ack(struct smmu_queues *qs)
{
	unsigned long flags;
	u32 gerrorn;

	spin_lock_irqsave(&qs->gerror_lock, flags);
	gerrorn = readl_relaxed(qs->base + SMMU_GERRORN);
	writel(gerrorn ^ GERROR_CMDQ_ERR, qs->base + SMMU_GERRORN);
	spin_unlock_irqrestore(&qs->gerror_lock, flags);
}

/*
 * Why the SMMU stopped: CONS.ERR.  Apart so that a case can make a fetch
 * abort, which QEMU's SMMU never does by itself.
 */
VISIBLE_IF_KUNIT u32 smmu_cmdq_cerror(struct smmu_queues *qs)
{
	KUNIT_STATIC_STUB_REDIRECT(smmu_cmdq_cerror, qs);
	return FIELD_GET(CMDQ_CONS_ERR, qs->cmdq.cons);
}

/*
 * Put a CMD_SYNC, which cannot fail, where the SMMU stopped, and
 * acknowledge CMDQ_ERR: the SMMU then goes on from that slot.
 */
static void smmu_cmdq_skip(struct smmu_queues *qs, u32 cerror)
{
	struct smmu_queue *q = &qs->cmdq;
	u64 *slot = q->base + q_idx(q, q->cons) * q->dwords;

	atomic_inc(&qs->cmdq_errors);
	dev_err_ratelimited(qs->dev, "command %#llx failed (error %u): skipped\n",
			    FIELD_GET(CMD0_OP, slot[0]), cerror);
	smmu_cmd_sync(slot);
	dma_wmb();
	smmu_cmdq_ack(qs);
}

/*
 * Wait for the SMMU to consume up to @target (or to make room for one more
 * command).  A command whose fetch aborted is fetched again, a few times:
 * it may be an invalidation that must not be lost.  A command the SMMU
 * cannot execute is skipped.
 *
 * Return: 0; -EIO when a command was skipped; -ETIMEDOUT.
 */
static noinline int smmu_cmdq_wait(struct smmu_queues *qs, bool space,
				   u32 target)
{
	struct smmu_queue *q = &qs->cmdq;
	int skipped = 0, retries = 0, ret;
	u32 cerror;

	for (;;) {
		ret = readl_relaxed_poll_timeout_atomic(q->cons_reg, q->cons,
							smmu_cmdq_reached(q, space, target) ||
							smmu_cmdq_stopped(qs, q->cons),
							1, SMMU_POLL_US);
		if (ret)
			return ret;
		if (smmu_cmdq_reached(q, space, target))
			return skipped ? -EIO : 0;
		cerror = smmu_cmdq_cerror(qs);
		if (cerror == CMDQ_CERROR_ABT && retries++ < SMMU_CMDQ_RETRIES) {
			dev_warn_ratelimited(qs->dev, "command fetch aborted: fetching it again\n");
			smmu_cmdq_ack(qs);
			continue;
		}
		smmu_cmdq_skip(qs, cerror);
		skipped++;
	}
}

/* The queue is full: publish what it holds, so the SMMU can make room. */
static noinline int smmu_cmdq_make_room(struct smmu_queues *qs)
{
	struct smmu_queue *q = &qs->cmdq;

	dma_wmb();
	writel(q->prod, q->prod_reg);
	return smmu_cmdq_wait(qs, true, 0);
}

/*
 * Queue one command.  An entry the SMMU has not consumed is never
 * overwritten.  Inline: it is on every invalidation.
 */
static __always_inline int smmu_cmdq_write(struct smmu_queues *qs,
					   const u64 *cmd)
{
	struct smmu_queue *q = &qs->cmdq;
	u64 *slot;
	int ret = 0;

	if (unlikely(q_full(q))) {
		ret = smmu_cmdq_make_room(qs);
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
static __always_inline int smmu_cmdq_consumed(struct smmu_queues *qs,
					      u32 target)
{
	struct smmu_queue *q = &qs->cmdq;
	int err;

	/* Usually done at once; a stop or a slow SMMU takes the long way. */
	err = readl_relaxed_poll_timeout_atomic(q->cons_reg, q->cons,
						smmu_cmdq_reached(q, false, target) ||
						(q->cons & CMDQ_CONS_ERR),
						1, SMMU_POLL_US);
	if (!err && !smmu_cmdq_reached(q, false, target))
		err = smmu_cmdq_wait(qs, false, target);
	return err;
}

/**
 * smmu_cmdq_issue() - queue commands, and maybe wait until they took effect
 * @qs:		the SMMU's queues
 * @cmds:	@n commands of CMD_DWORDS each
 * @n:		how many; 0 for a CMD_SYNC alone
 * @sync:	follow them with a CMD_SYNC and wait for it: once the SMMU has
 *		consumed it, every command before it has taken effect.  Without,
 *		the SMMU is only told of them; a later sync waits for them too.
 *
 * Return: 0; -EIO when the SMMU refused one of them (it was skipped, and
 * the queue goes on); -ETIMEDOUT when the SMMU did not consume them.
 */
int smmu_cmdq_issue(struct smmu_queues *qs, const u64 *cmds,
		    unsigned int n, bool sync)
{
	struct smmu_queue *q = &qs->cmdq;
	unsigned int i, total = n + sync;
	unsigned long flags;
	u64 cmd_sync[CMD_DWORDS];
	int ret = 0, err = 0;

	smmu_cmd_sync(cmd_sync);
	spin_lock_irqsave(&qs->cmdq_lock, flags);
	for (i = 0; i < total; i++) {
		err = smmu_cmdq_write(qs, i < n ? cmds + i * CMD_DWORDS : cmd_sync);
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
			err = smmu_cmdq_consumed(qs, target);
	}
	spin_unlock_irqrestore(&qs->cmdq_lock, flags);

	if (err == -ETIMEDOUT) {
		atomic_inc(&qs->sync_timeouts);
		dev_err_ratelimited(qs->dev, "command queue timed out: prod %#x, cons %#x\n",
				    q->prod, q->cons);
		return err;
	}
	return ret ?: err;
}

int smmu_sync_one(struct smmu_queues *qs, const u64 *cmd)
{
	return smmu_cmdq_issue_sync(qs, cmd, 1);
}

/* Events */

/*
 * See what the SMMU wrote since the last look.  An overflow is PROD.OVFLG
 * differing from the flag last acknowledged: it is reported once, then
 * acknowledged with the next CONS.
 */
static bool smmu_evtq_refill(struct smmu_queues *qs)
{
	struct smmu_queue *q = &qs->evtq;
	u32 prod = readl_relaxed(q->prod_reg);

	if ((prod & Q_OVERFLOW) != q->ovf_ack) {
		atomic_inc(&qs->events_lost);
		dev_err(qs->dev, "event queue overflowed: events lost\n");
		q->ovf_ack = prod & Q_OVERFLOW;
	}
	q->prod = prod & ((2 << q->log2n) - 1);
	return !q_empty(q);
}

/* Hand the slots read back to the SMMU, which may then write them. */
static void smmu_evtq_give_back(struct smmu_queue *q)
{
	/* The reads of them must be done first: writel() orders only writes. */
	mb();
	writel_relaxed(q->ovf_ack | q->cons, q->cons_reg);
}

/**
 * smmu_evtq_next() - take the next event record out of the event queue
 * @qs:		the SMMU's queues
 * @evt:	where the record goes, EVT_DWORDS double words
 *
 * The caller drains the queue until this says there is nothing more; the
 * slots read are given back to the SMMU each time the queue runs empty.
 * Only one context may drain (the event interrupt's thread).
 *
 * Return: true when @evt holds a record.
 */
bool smmu_evtq_next(struct smmu_queues *qs, u64 *evt)
{
	struct smmu_queue *q = &qs->evtq;
	const u64 *slot;

	if (q_empty(q)) {
		smmu_evtq_give_back(q);
		if (!smmu_evtq_refill(qs)) {
			/* Acknowledge an overflow seen just now. */
			smmu_evtq_give_back(q);
			return false;
		}
	}
	/* Read the record only after seeing the producer move. */
	dma_rmb();
	slot = q->base + q_idx(q, q->cons) * q->dwords;
	memcpy(evt, slot, EVT_DWORDS * sizeof(*evt));
	q->cons = q_inc(q, q->cons);
	return true;
}

/* Global errors */

irqreturn_t smmu_gerror_irq(int irq, void *data)
{
	struct smmu_queues *qs = data;
	u32 gerror, gerrorn, active;

	spin_lock(&qs->gerror_lock);
	gerror = readl_relaxed(qs->base + SMMU_GERROR);
	gerrorn = readl_relaxed(qs->base + SMMU_GERRORN);
	active = gerror ^ gerrorn;
	if (active & GERROR_SFM_ERR)
		dev_err(qs->dev, "global error: the SMMU entered service failure mode\n");
	if (active & GERROR_EVTQ_ABT_ERR) {
		atomic_inc(&qs->events_lost);
		dev_err(qs->dev, "global error: event queue write aborted\n");
	}
	if (active & ~(GERROR_SFM_ERR | GERROR_CMDQ_ERR | GERROR_EVTQ_ABT_ERR))
		dev_err(qs->dev, "global errors %#x\n", active);
	/* CMDQ_ERR is smmu_cmdq_wait()'s: it retries or skips the command. */
	writel(gerrorn ^ (active & ~GERROR_CMDQ_ERR),
	       qs->base + SMMU_GERRORN);
	spin_unlock(&qs->gerror_lock);
	return active ? IRQ_HANDLED : IRQ_NONE;
}
