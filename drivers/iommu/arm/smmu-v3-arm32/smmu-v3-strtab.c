// SPDX-License-Identifier: GPL-2.0-only
/*
 * SMMUv3 for 32-bit ARM: the stream table, whose entry for each stream ID
 * says how the SMMU treats that stream's transactions (abort, bypass, or
 * translate through a context descriptor), and the record of which master
 * owns each stream, for fault reports and IOMMU groups.
 */
#include <linux/bitfield.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/slab.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "smmu-v3-internal.h"

/*
 * Store a double word of a table the SMMU walks so that it reads either
 * the old value or the new, never half of each: STRD to an aligned double
 * word is single-copy atomic on the LPAE cores this driver needs, where
 * the compiler may split a 64-bit store in two.
 */
static inline void smmu_write_dword(u64 *p, u64 val)
{
	asm volatile("strd	%1, %H1, %0" : "=Q" (*p) : "r" (val));
}

static u64 *smmu_ste(struct smmu_device *smmu, u32 sid)
{
	if (!smmu->two_level)
		return smmu->strtab + sid * STE_DWORDS;
	return smmu->l2[sid >> STRTAB_SPLIT] +
	       (sid & ((1 << STRTAB_SPLIT) - 1)) * STE_DWORDS;
}

/* Make sure the level 2 table of @sid exists; new entries abort. */
int smmu_ste_prepare(struct smmu_device *smmu, u32 sid)
{
	unsigned int i = sid >> STRTAB_SPLIT, n = 1 << STRTAB_SPLIT;
	size_t bytes = n * STE_DWORDS * sizeof(u64);
	u64 cmd[CMD_DWORDS];
	int ret = 0;
	u64 *l2;

	if (!smmu->two_level)
		return 0;
	mutex_lock(&smmu->strtab_lock);
	if (smmu->l2[i])
		goto out;
	l2 = dmam_alloc_coherent(smmu->dev, bytes, &smmu->l2_dma[i],
				 GFP_KERNEL);
	if (!l2) {
		ret = -ENOMEM;
		goto out;
	}
	while (n--)
		smmu_ste_abort(l2 + n * STE_DWORDS);
	smmu->l2[i] = l2;
	dma_wmb();
	smmu_write_dword(&smmu->strtab[i],
			 smmu_l1_desc(smmu->l2_dma[i], STRTAB_SPLIT));
	/* The level 1 descriptor is configuration the SMMU may cache. */
	smmu_cmd_cfgi_all(cmd);
	ret = smmu_sync_one(&smmu->q, cmd);
out:
	mutex_unlock(&smmu->strtab_lock);
	return ret;
}

/*
 * Issue CFGI_STE commands and a sync.  Apart so that a case can make one
 * fail, which QEMU's SMMU never does by itself.
 */
VISIBLE_IF_KUNIT int smmu_ste_sync(struct smmu_device *smmu, const u64 *cmds,
				   unsigned int n)
{
	KUNIT_STATIC_STUB_REDIRECT(smmu_ste_sync, smmu, cmds, n);
	return smmu_cmdq_issue_sync(&smmu->q, cmds, n);
}

/* One step of smmu_install_ste_sids() on the live entry @live. */
static void smmu_ste_step(u64 *live, const u64 *ste, unsigned int step)
{
	u64 used[STE_DWORDS];
	unsigned int j;

	switch (step) {
	case 0:		/* what the live config does not read */
		smmu_ste_used(live, used);
		for (j = 1; j < STE_DWORDS; j++)
			smmu_write_dword(&live[j], (live[j] & used[j]) |
						   (ste[j] & ~used[j]));
		break;
	case 1:		/* the config itself */
		smmu_write_dword(&live[0], ste[0]);
		break;
	default:	/* what only the old config read */
		for (j = 1; j < STE_DWORDS; j++)
			smmu_write_dword(&live[j], ste[j]);
		break;
	}
}

/*
 * Install a new entry for streams @sids without the SMMU ever reading a mix
 * of the old and the new one: first the words the live config does not
 * read, then word 0 that switches the config, then the words only the old
 * config read; CFGI_STE after each step makes the SMMU drop what it cached.
 * A step whose sync fails (a skipped command, maybe another CPU's) does not
 * stop the next: each invalidates the streams again, so once the last
 * step's syncs complete the SMMU holds nothing but the new entry.  Only
 * their failure, or a timeout, fails the update.
 */
static int smmu_install_ste_sids(struct smmu_device *smmu, const u32 *sids,
				 unsigned int nr_sids, const u64 *ste)
{
	u64 cmds[8 * CMD_DWORDS];
	unsigned int i, n, step;
	int ret = 0, err;

	for (step = 0; step < 3; step++) {
		for (i = 0, n = 0; i < nr_sids; i++) {
			smmu_ste_step(smmu_ste(smmu, sids[i]), ste, step);
			smmu_cmd_cfgi_ste(cmds + n * CMD_DWORDS, sids[i]);
			if (++n == 8 || i + 1 == nr_sids) {
				/* The words must be visible before CFGI_STE. */
				dma_wmb();
				err = smmu_ste_sync(smmu, cmds, n);
				if (step == 2 || err == -ETIMEDOUT)
					ret = ret ?: err;
				n = 0;
			}
		}
	}
	return ret;
}

/* The entry of every stream of @master. */
int smmu_install_ste(struct smmu_master *master, const u64 *ste)
{
	return smmu_install_ste_sids(master->smmu, master->sids,
				     master->nr_sids, ste);
}

/* Allocate the stream table, every stream aborting, and point the SMMU at it. */
int smmu_init_strtab(struct smmu_device *smmu)
{
	unsigned int entries, i;
	size_t bytes;
	u64 cfg;

	if (smmu->two_level) {
		unsigned int l1 = 1 << (smmu->sid_bits - STRTAB_SPLIT);

		bytes = l1 * sizeof(u64);
		smmu->l2 = devm_kcalloc(smmu->dev, l1, sizeof(*smmu->l2),
					GFP_KERNEL);
		smmu->l2_dma = devm_kcalloc(smmu->dev, l1,
					    sizeof(*smmu->l2_dma), GFP_KERNEL);
		if (!smmu->l2 || !smmu->l2_dma)
			return -ENOMEM;
		cfg = FIELD_PREP(STRTAB_CFG_FMT, STRTAB_CFG_FMT_2LVL) |
		      FIELD_PREP(STRTAB_CFG_SPLIT, STRTAB_SPLIT);
	} else {
		bytes = (1 << smmu->sid_bits) * STE_DWORDS * sizeof(u64);
		cfg = 0;
	}
	cfg |= FIELD_PREP(STRTAB_CFG_LOG2SIZE, smmu->sid_bits);

	/* Zeroed: level 1 descriptors invalid (span 0), stream IDs abort. */
	smmu->strtab = dmam_alloc_coherent(smmu->dev, bytes, &smmu->strtab_dma,
					   GFP_KERNEL);
	if (!smmu->strtab)
		return -ENOMEM;
	if (!smmu->two_level) {
		entries = 1 << smmu->sid_bits;
		for (i = 0; i < entries; i++)
			smmu_ste_abort(smmu->strtab + i * STE_DWORDS);
	}
	lo_hi_writeq_relaxed(BASE_RA | (smmu->strtab_dma & GENMASK_ULL(51, 6)),
			     smmu->base + SMMU_STRTAB_BASE);
	writel_relaxed(cfg, smmu->base + SMMU_STRTAB_BASE_CFG);
	return 0;
}

/* Streams */

/*
 * Record @master as the owner of its stream IDs, for fault reports.  A
 * stream ID another device already has (the ID of a PCIe-to-PCI bridge,
 * which all devices behind it share) stays with the first: the devices go
 * into one IOMMU group (smmu_device_group()), so either name leads to it.
 */
void smmu_add_streams(struct smmu_master *master)
{
	struct smmu_device *smmu = master->smmu;
	unsigned int i;

	mutex_lock(&smmu->streams_lock);
	list_add_tail(&master->node, &smmu->masters);
	for (i = 0; i < master->nr_sids; i++) {
		struct smmu_master *first;

		first = xa_cmpxchg(&smmu->streams, master->sids[i], NULL,
				   master, GFP_KERNEL);
		if (first && !xa_is_err(first))
			dev_info(master->dev, "shares stream ID %#x with %s\n",
				 master->sids[i], dev_name(first->dev));
	}
	mutex_unlock(&smmu->streams_lock);
}

/* A master of the SMMU other than @master with stream ID @sid, or NULL. */
struct smmu_master *smmu_other_master(struct smmu_master *master, u32 sid)
{
	struct smmu_master *other;
	unsigned int i;

	lockdep_assert_held(&master->smmu->streams_lock);
	list_for_each_entry(other, &master->smmu->masters, node)
		for (i = 0; i < other->nr_sids; i++)
			if (other != master && other->sids[i] == sid)
				return other;
	return NULL;
}

/*
 * Forget @master's streams, and make those no other device shares abort.
 * A shared one goes to another of its devices, and keeps the entry their
 * group's domain gave it.
 */
void smmu_remove_streams(struct smmu_master *master)
{
	struct smmu_device *smmu = master->smmu;
	u64 abort[STE_DWORDS];
	unsigned int i;

	smmu_ste_abort(abort);
	mutex_lock(&smmu->streams_lock);
	list_del(&master->node);
	for (i = 0; i < master->nr_sids; i++) {
		u32 sid = master->sids[i];
		struct smmu_master *other = smmu_other_master(master, sid);

		xa_cmpxchg(&smmu->streams, sid, master, other, GFP_KERNEL);
		if (!other)
			smmu_install_ste_sids(smmu, &sid, 1, abort);
	}
	mutex_unlock(&smmu->streams_lock);
}

/* The master behind stream @sid, or NULL: valid while streams_lock is held. */
struct smmu_master *smmu_stream_master(struct smmu_device *smmu, u32 sid)
{
	lockdep_assert_held(&smmu->streams_lock);
	return xa_load(&smmu->streams, sid);
}

/*
 * Record the domain @master's streams now translate through.  Under
 * streams_lock: the IOMMU core frees a domain only once it is detached,
 * and the event thread reports a fault into a master's domain under the
 * same lock, so no fault handler runs on a domain being freed.
 */
void smmu_master_set_domain(struct smmu_master *master,
			    struct iommu_domain *domain)
{
	mutex_lock(&master->smmu->streams_lock);
	master->domain = domain;
	mutex_unlock(&master->smmu->streams_lock);
}
