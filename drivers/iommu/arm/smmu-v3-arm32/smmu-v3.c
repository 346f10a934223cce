// SPDX-License-Identifier: GPL-2.0-only
/*
 * ARM SMMUv3 driver for 32-bit ARM kernels with LPAE.
 *
 * Stage 1 translation only, with AArch64-format page tables from
 * io-pgtable, one context descriptor per domain, a linear or 2-level stream
 * table, a command queue completed by polling CMD_SYNC, and an event queue
 * whose faults are reported by interrupt.  Stream IDs without a domain
 * abort: a device reaches memory only through a domain it was attached to.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "smmu-v3.h"

#define SMMU_CMDQ_MAX_LOG2N	8
#define SMMU_EVTQ_MAX_LOG2N	7
#define SMMU_LINEAR_MAX_BITS	8		/* larger: a 2-level table */
#define SMMU_2LVL_MAX_BITS	20		/* a level 1 table of 32 KiB */
#define SMMU_TLBI_MAX_PAGES	64		/* more: invalidate the ASID */
#define SMMU_TLBI_BATCH		16		/* page commands queued at once */
#define SMMU_TLBI_MAX_RANGES	8		/* range commands for 2^32 bytes */
#define SMMU_TLBI_PAGE_SHIFT	12		/* range commands count 4 KiB pages */

static struct platform_driver smmu_driver;

/* A smaller command queue than the SMMU offers, to test a queue that fills. */
static unsigned int cmdq_log2n = SMMU_CMDQ_MAX_LOG2N;
module_param(cmdq_log2n, uint, 0444);
MODULE_PARM_DESC(cmdq_log2n, "log2 of the command queue's entries (1 to 8)");

/* Off: one command per page even where the SMMU takes ranges, to compare. */
static bool range_inv = true;
module_param(range_inv, bool, 0444);
MODULE_PARM_DESC(range_inv, "invalidate ranges with one command where the SMMU can (IDR3.RIL)");

static struct smmu_domain *to_smmu_domain(struct iommu_domain *domain)
{
	return container_of(domain, struct smmu_domain, domain);
}

/* Stream table */

static u64 *smmu_ste(struct smmu_device *smmu, u32 sid)
{
	if (!smmu->two_level)
		return smmu->strtab + sid * STE_DWORDS;
	return smmu->l2[sid >> STRTAB_SPLIT] +
	       (sid & ((1 << STRTAB_SPLIT) - 1)) * STE_DWORDS;
}

/* Make sure the level 2 table of @sid exists; new entries abort. */
static int smmu_ste_prepare(struct smmu_device *smmu, u32 sid)
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
	WRITE_ONCE(smmu->strtab[i], smmu_l1_desc(smmu->l2_dma[i], STRTAB_SPLIT));
	/* The level 1 descriptor is configuration the SMMU may cache. */
	smmu_cmd_cfgi_all(cmd);
	ret = smmu_sync_one(smmu, cmd);
out:
	mutex_unlock(&smmu->strtab_lock);
	return ret;
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
			WRITE_ONCE(live[j], (live[j] & used[j]) |
					    (ste[j] & ~used[j]));
		break;
	case 1:		/* the config itself */
		WRITE_ONCE(live[0], ste[0]);
		break;
	default:	/* what only the old config read */
		for (j = 1; j < STE_DWORDS; j++)
			WRITE_ONCE(live[j], ste[j]);
		break;
	}
}

/*
 * Install a new entry for streams @sids without the SMMU ever reading a mix
 * of the old and the new one: first the words the live config does not
 * read, then word 0 that switches the config, then the words only the old
 * config read; CFGI_STE after each step makes the SMMU drop what it cached.
 */
static int smmu_install_ste_sids(struct smmu_device *smmu, const u32 *sids,
				 unsigned int nr_sids, const u64 *ste)
{
	u64 cmds[8 * CMD_DWORDS];
	unsigned int i, n, step;
	int ret = 0;

	for (step = 0; step < 3; step++) {
		for (i = 0, n = 0; i < nr_sids; i++) {
			smmu_ste_step(smmu_ste(smmu, sids[i]), ste, step);
			smmu_cmd_cfgi_ste(cmds + n * CMD_DWORDS, sids[i]);
			if (++n == 8 || i + 1 == nr_sids) {
				/* The words must be visible before CFGI_STE. */
				dma_wmb();
				ret = ret ?: smmu_cmdq_issue_sync(smmu, cmds, n);
				n = 0;
			}
		}
	}
	return ret;
}

/* The entry of every stream of @master. */
static int smmu_install_ste(struct smmu_master *master, const u64 *ste)
{
	return smmu_install_ste_sids(master->smmu, master->sids,
				     master->nr_sids, ste);
}

/* Domains */

static void smmu_tlb_inv_asid(struct smmu_domain *sd)
{
	u64 cmd[CMD_DWORDS];

	smmu_cmd_tlbi_asid(cmd, sd->asid);
	smmu_sync_one(sd->smmu, cmd);
}

/*
 * The level of the leaf entries a range invalidation removes, as a hint
 * (TTL): each level above 4 KiB pages resolves 9 more bits.  0 for a walk,
 * whose table entries are at every level.
 */
static unsigned int smmu_tlbi_ttl(size_t granule, bool leaf)
{
	return leaf ? 3 - (ilog2(granule) - SMMU_TLBI_PAGE_SHIFT) / 9 : 0;
}

/* Range commands: a handful for any range, and one CMD_SYNC. */
static void smmu_tlb_inv_ranges(struct smmu_domain *sd, unsigned long iova,
				size_t size, size_t granule, bool leaf)
{
	unsigned int ttl = smmu_tlbi_ttl(granule, leaf), scale, num, n = 0;
	unsigned long pages = size >> SMMU_TLBI_PAGE_SHIFT, step;
	u64 cmds[SMMU_TLBI_MAX_RANGES * CMD_DWORDS];

	while (pages) {
		step = smmu_tlbi_range_step(pages, &scale, &num);
		smmu_cmd_tlbi_range(cmds + n++ * CMD_DWORDS, sd->asid, iova,
				    scale, num, ttl, leaf);
		iova += step << SMMU_TLBI_PAGE_SHIFT;
		pages -= step;
	}
	smmu_cmdq_issue_sync(sd->smmu, cmds, n);
}

/* One command per page, in batches; one CMD_SYNC after the last. */
static void smmu_tlb_inv_pages(struct smmu_domain *sd, unsigned long iova,
			       size_t size, size_t granule, bool leaf)
{
	u64 cmds[SMMU_TLBI_BATCH * CMD_DWORDS];
	/* The last page, not the end: a range may end at 4 GiB. */
	unsigned long last = iova + size - granule;
	unsigned int n = 0;
	bool done;

	do {
		smmu_cmd_tlbi_va(cmds + n * CMD_DWORDS, sd->asid, iova, leaf);
		done = iova >= last;
		if (++n == SMMU_TLBI_BATCH || done) {
			smmu_cmdq_issue(sd->smmu, cmds, n, done);
			n = 0;
		}
		iova += granule;
	} while (!done);
}

static void smmu_tlb_inv_range(struct smmu_domain *sd, unsigned long iova,
			       size_t size, size_t granule, bool leaf)
{
	if (!size)
		return;
	/* One page is one command either way: the page form costs less to build. */
	if (size > granule && READ_ONCE(sd->smmu->ril))
		smmu_tlb_inv_ranges(sd, iova, size, granule, leaf);
	else if (size / granule > SMMU_TLBI_MAX_PAGES)
		smmu_tlb_inv_asid(sd);
	else
		smmu_tlb_inv_pages(sd, iova, size, granule, leaf);
}

static void smmu_tlb_flush_all(void *cookie)
{
	smmu_tlb_inv_asid(cookie);
}

static void smmu_tlb_flush_walk(unsigned long iova, size_t size,
				size_t granule, void *cookie)
{
	smmu_tlb_inv_range(cookie, iova, size, granule, false);
}

static void smmu_tlb_add_page(struct iommu_iotlb_gather *gather,
			      unsigned long iova, size_t granule, void *cookie)
{
	struct smmu_domain *sd = cookie;

	iommu_iotlb_gather_add_page(&sd->domain, gather, iova, granule);
}

static const struct iommu_flush_ops smmu_flush_ops = {
	.tlb_flush_all	= smmu_tlb_flush_all,
	.tlb_flush_walk	= smmu_tlb_flush_walk,
	.tlb_add_page	= smmu_tlb_add_page,
};

static const struct iommu_domain_ops smmu_paging_ops;

static struct iommu_domain *smmu_domain_alloc_paging(struct device *dev)
{
	struct smmu_master *master = dev_iommu_priv_get(dev);
	struct smmu_device *smmu = master->smmu;
	struct smmu_domain *sd;
	int asid;

	sd = kzalloc(sizeof(*sd), GFP_KERNEL);
	if (!sd)
		return ERR_PTR(-ENOMEM);
	sd->smmu = smmu;
	asid = ida_alloc_range(&smmu->asids, 1, (1 << smmu->asid_bits) - 1,
			       GFP_KERNEL);
	if (asid < 0)
		goto fail;
	sd->asid = asid;

	sd->cfg = (struct io_pgtable_cfg) {
		.pgsize_bitmap	= smmu->pgsize_bitmap,
		.ias		= smmu->ias,
		.oas		= smmu->oas,
		.coherent_walk	= smmu->coherent,
		.tlb		= &smmu_flush_ops,
		.iommu_dev	= smmu->dev,
	};
	sd->pgtbl = alloc_io_pgtable_ops(ARM_64_LPAE_S1, &sd->cfg, sd);
	if (!sd->pgtbl)
		goto fail_asid;

	sd->cd = dma_alloc_coherent(smmu->dev, CD_DWORDS * sizeof(u64),
				    &sd->cd_dma, GFP_KERNEL);
	if (!sd->cd)
		goto fail_pgtbl;
	smmu_cd_s1(sd->cd, sd->asid, &sd->cfg);

	sd->domain.ops = &smmu_paging_ops;
	sd->domain.pgsize_bitmap = sd->cfg.pgsize_bitmap;
	sd->domain.geometry.aperture_start = 0;
	sd->domain.geometry.aperture_end = DMA_BIT_MASK(sd->cfg.ias);
	sd->domain.geometry.force_aperture = true;
	return &sd->domain;

fail_pgtbl:
	free_io_pgtable_ops(sd->pgtbl);
fail_asid:
	ida_free(&smmu->asids, sd->asid);
fail:
	kfree(sd);
	dev_err(dev, "cannot allocate a translation domain\n");
	return ERR_PTR(-ENOMEM);
}

static void smmu_domain_free(struct iommu_domain *domain)
{
	struct smmu_domain *sd = to_smmu_domain(domain);
	struct smmu_device *smmu = sd->smmu;

	/* Nothing is attached any more: drop what the TLB holds for it. */
	smmu_tlb_inv_asid(sd);
	free_io_pgtable_ops(sd->pgtbl);
	dma_free_coherent(smmu->dev, CD_DWORDS * sizeof(u64), sd->cd,
			  sd->cd_dma);
	ida_free(&smmu->asids, sd->asid);
	kfree(sd);
}

static int smmu_attach_paging(struct iommu_domain *domain, struct device *dev)
{
	struct smmu_master *master = dev_iommu_priv_get(dev);
	struct smmu_domain *sd = to_smmu_domain(domain);
	u64 ste[STE_DWORDS];

	if (sd->smmu != master->smmu) {
		dev_err(dev, "domain belongs to another SMMU\n");
		return -EINVAL;
	}
	smmu_ste_s1(ste, sd->cd_dma, master->smmu->coherent);
	return smmu_install_ste(master, ste);
}

static int smmu_map_pages(struct iommu_domain *domain, unsigned long iova,
			  phys_addr_t paddr, size_t pgsize, size_t pgcount,
			  int prot, gfp_t gfp, size_t *mapped)
{
	struct io_pgtable_ops *ops = to_smmu_domain(domain)->pgtbl;

	return ops->map_pages(ops, iova, paddr, pgsize, pgcount, prot, gfp,
			      mapped);
}

static size_t smmu_unmap_pages(struct iommu_domain *domain, unsigned long iova,
			       size_t pgsize, size_t pgcount,
			       struct iommu_iotlb_gather *gather)
{
	struct io_pgtable_ops *ops = to_smmu_domain(domain)->pgtbl;

	return ops->unmap_pages(ops, iova, pgsize, pgcount, gather);
}

static void smmu_flush_iotlb_all(struct iommu_domain *domain)
{
	smmu_tlb_inv_asid(to_smmu_domain(domain));
}

static void smmu_iotlb_sync(struct iommu_domain *domain,
			    struct iommu_iotlb_gather *gather)
{
	if (!gather->pgsize)
		return;
	smmu_tlb_inv_range(to_smmu_domain(domain), gather->start,
			   gather->end - gather->start + 1, gather->pgsize, true);
}

static phys_addr_t smmu_iova_to_phys(struct iommu_domain *domain,
				     dma_addr_t iova)
{
	struct io_pgtable_ops *ops = to_smmu_domain(domain)->pgtbl;

	return ops->iova_to_phys(ops, iova);
}

static const struct iommu_domain_ops smmu_paging_ops = {
	.attach_dev	= smmu_attach_paging,
	.map_pages	= smmu_map_pages,
	.unmap_pages	= smmu_unmap_pages,
	.flush_iotlb_all = smmu_flush_iotlb_all,
	.iotlb_sync	= smmu_iotlb_sync,
	.iova_to_phys	= smmu_iova_to_phys,
	.free		= smmu_domain_free,
};

static int smmu_attach_identity(struct iommu_domain *domain,
				struct device *dev)
{
	u64 ste[STE_DWORDS];

	smmu_ste_bypass(ste);
	return smmu_install_ste(dev_iommu_priv_get(dev), ste);
}

static int smmu_attach_blocked(struct iommu_domain *domain, struct device *dev)
{
	u64 ste[STE_DWORDS];

	smmu_ste_abort(ste);
	return smmu_install_ste(dev_iommu_priv_get(dev), ste);
}

static struct iommu_domain smmu_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &(const struct iommu_domain_ops) {
		.attach_dev = smmu_attach_identity,
	},
};

static struct iommu_domain smmu_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &(const struct iommu_domain_ops) {
		.attach_dev = smmu_attach_blocked,
	},
};

/* Devices */

static struct smmu_device *smmu_from_fwnode(struct fwnode_handle *fwnode)
{
	struct device *dev = driver_find_device_by_fwnode(&smmu_driver.driver,
							  fwnode);

	put_device(dev);
	return dev ? dev_get_drvdata(dev) : NULL;
}

/*
 * Record @master as the owner of its stream IDs, for fault reports.  A
 * stream ID another device already has (the ID of a PCIe-to-PCI bridge,
 * which all devices behind it share) stays with the first: the devices go
 * into one IOMMU group (smmu_device_group()), so either name leads to it.
 */
static void smmu_add_streams(struct smmu_master *master)
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
static struct smmu_master *smmu_other_master(struct smmu_master *master,
					     u32 sid)
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
static void smmu_remove_streams(struct smmu_master *master)
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

static struct iommu_device *smmu_probe_device(struct device *dev)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(dev);
	struct smmu_master *master;
	struct smmu_device *smmu;
	unsigned int i;
	int ret;

	if (!fwspec)
		return ERR_PTR(-ENODEV);
	smmu = smmu_from_fwnode(fwspec->iommu_fwnode);
	if (!smmu)
		return ERR_PTR(-ENODEV);

	master = kzalloc(sizeof(*master), GFP_KERNEL);
	if (!master)
		return ERR_PTR(-ENOMEM);
	master->smmu = smmu;
	master->dev = dev;
	master->sids = fwspec->ids;
	master->nr_sids = fwspec->num_ids;
	for (i = 0; i < master->nr_sids; i++) {
		u32 sid = master->sids[i];

		if (sid >= (1U << smmu->sid_bits)) {
			dev_err(dev, "stream ID %#x is beyond the SMMU's %u bits\n",
				sid, smmu->sid_bits);
			ret = -ERANGE;
			goto fail;
		}
		ret = smmu_ste_prepare(smmu, sid);
		if (ret)
			goto fail;
	}
	smmu_add_streams(master);
	dev_iommu_priv_set(dev, master);
	return &smmu->iommu;

fail:
	kfree(master);
	return ERR_PTR(ret);
}

static void smmu_release_device(struct device *dev)
{
	struct smmu_master *master = dev_iommu_priv_get(dev);

	smmu_remove_streams(master);
	kfree(master);
}

/*
 * The SMMU cannot tell apart devices that share a stream ID: a device goes
 * into the group of any device it shares one with, before the PCI rules
 * (which miss a PCIe-to-PCI bridge that no driver has bound, so is in no
 * group itself) or a group of its own.
 */
static struct iommu_group *smmu_device_group(struct device *dev)
{
	struct smmu_master *master = dev_iommu_priv_get(dev);
	struct smmu_device *smmu = master->smmu;
	struct iommu_group *group = NULL;
	unsigned int i;

	mutex_lock(&smmu->streams_lock);
	for (i = 0; i < master->nr_sids && !group; i++) {
		struct smmu_master *other = smmu_other_master(master,
							      master->sids[i]);

		if (other && other->dev->iommu_group)
			group = iommu_group_ref_get(other->dev->iommu_group);
	}
	mutex_unlock(&smmu->streams_lock);
	if (group)
		return group;
	return dev_is_pci(dev) ? pci_device_group(dev) :
				 generic_device_group(dev);
}

/*
 * Without IOMMU_DMA the IOMMU core gives every group an identity default
 * domain.  The ARM DMA layer (ARM_DMA_IOMMU) translates through the
 * group's default domain instead, which the core then shares between the
 * group's devices and keeps attached across their drivers: ask for a
 * paging one.  Passthrough (iommu.passthrough=1) and kernels with the
 * arm_iommu_* API, whose mappings replace the default domain, keep the
 * core's choice.
 */
static int smmu_def_domain_type(struct device *dev)
{
	if (IS_ENABLED(CONFIG_ARM_DMA_IOMMU) &&
	    !IS_ENABLED(CONFIG_ARM_DMA_USE_IOMMU) &&
	    !iommu_default_passthrough())
		return IOMMU_DOMAIN_UNMANAGED;
	return 0;
}

/*
 * MSIs are translated like any other write.  Keep an IOVA window free for
 * mapping MSI doorbells, where users of the domain (VFIO, a DMA layer)
 * look for it.
 */
#define SMMU_MSI_IOVA_BASE	0x08000000
#define SMMU_MSI_IOVA_SIZE	SZ_1M

static void smmu_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct iommu_resv_region *msi;

	msi = iommu_alloc_resv_region(SMMU_MSI_IOVA_BASE, SMMU_MSI_IOVA_SIZE,
				      IOMMU_WRITE | IOMMU_NOEXEC | IOMMU_MMIO,
				      IOMMU_RESV_SW_MSI, GFP_KERNEL);
	if (msi)
		list_add_tail(&msi->list, head);
}

static int smmu_of_xlate(struct device *dev, const struct of_phandle_args *args)
{
	return iommu_fwspec_add_ids(dev, args->args, 1);
}

static const struct iommu_ops smmu_ops = {
	.identity_domain	= &smmu_identity_domain,
	.blocked_domain		= &smmu_blocked_domain,
	.release_domain		= &smmu_blocked_domain,
	.domain_alloc_paging	= smmu_domain_alloc_paging,
	.probe_device		= smmu_probe_device,
	.release_device		= smmu_release_device,
	.device_group		= smmu_device_group,
	.def_domain_type	= smmu_def_domain_type,
	.get_resv_regions	= smmu_get_resv_regions,
	.of_xlate		= smmu_of_xlate,
	.default_domain_ops	= &smmu_paging_ops,
	.owner			= THIS_MODULE,
};

/* Probe */

static int smmu_write_ack(struct smmu_device *smmu, u32 reg, u32 ack, u32 val)
{
	u32 got;

	writel_relaxed(val, smmu->base + reg);
	return readl_relaxed_poll_timeout(smmu->base + ack, got, got == val, 1,
					  SMMU_POLL_US);
}

static int smmu_read_features(struct smmu_device *smmu)
{
	u32 idr0 = readl_relaxed(smmu->base + SMMU_IDR0);
	u32 idr1 = readl_relaxed(smmu->base + SMMU_IDR1);
	u32 idr5 = readl_relaxed(smmu->base + SMMU_IDR5);
	static const u8 oas_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	unsigned int oas = FIELD_GET(IDR5_OAS, idr5);

	if (!(idr0 & IDR0_S1P) || !(FIELD_GET(IDR0_TTF, idr0) & IDR0_TTF_AARCH64)) {
		dev_err(smmu->dev, "no stage 1 with AArch64 tables (IDR0 %#x)\n", idr0);
		return -ENODEV;
	}
	if (!(idr5 & IDR5_GRAN4K)) {
		dev_err(smmu->dev, "no 4K translation granule (IDR5 %#x)\n", idr5);
		return -ENODEV;
	}
	smmu->pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	smmu->ril = range_inv && (readl_relaxed(smmu->base + SMMU_IDR3) & IDR3_RIL);
	/*
	 * Stage 1 with a 4K granule takes up to 48 input bits; as on ARM64,
	 * a domain's IOVAs are no wider than the kernel's virtual addresses
	 * (the IOVA allocator counts pages in an unsigned long too).  What
	 * the tables point to is no wider than the CPU's physical addresses.
	 */
	smmu->ias = min(SMMU_S1_4K_IAS, BITS_PER_LONG);
	smmu->oas = min_t(unsigned int, oas < ARRAY_SIZE(oas_bits) ?
			  oas_bits[oas] : 48, PHYS_MASK_SHIFT);
	smmu->asid_bits = idr0 & IDR0_ASID16 ? 16 : 8;
	smmu->sid_bits = FIELD_GET(IDR1_SIDSIZE, idr1);
	smmu->two_level = smmu->sid_bits > SMMU_LINEAR_MAX_BITS &&
			  FIELD_GET(IDR0_ST_LEVEL, idr0) == IDR0_ST_LEVEL_2;
	if (smmu->sid_bits > SMMU_LINEAR_MAX_BITS && !smmu->two_level)
		smmu->sid_bits = SMMU_LINEAR_MAX_BITS;	/* keep it small */
	if (smmu->sid_bits > SMMU_2LVL_MAX_BITS) {
		/* 32 bits would be a level 1 table of 128 MiB. */
		dev_info(smmu->dev, "stream IDs limited to %u of %u bits\n",
			 SMMU_2LVL_MAX_BITS, smmu->sid_bits);
		smmu->sid_bits = SMMU_2LVL_MAX_BITS;
	}
	if (smmu->coherent && !(idr0 & IDR0_COHACC))
		dev_warn(smmu->dev, "firmware says dma-coherent, IDR0 says not\n");
	smmu->coherent &= !!(idr0 & IDR0_COHACC);

	smmu->cmdq.log2n = clamp_t(unsigned int, cmdq_log2n, 1,
				   min_t(unsigned int, FIELD_GET(IDR1_CMDQS, idr1),
					 SMMU_CMDQ_MAX_LOG2N));
	smmu->evtq.log2n = min_t(unsigned int, FIELD_GET(IDR1_EVTQS, idr1),
				 SMMU_EVTQ_MAX_LOG2N);
	return 0;
}

static int smmu_init_strtab(struct smmu_device *smmu)
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

static int smmu_setup_irqs(struct smmu_device *smmu,
			   struct platform_device *pdev)
{
	int evtq = platform_get_irq_byname(pdev, "eventq");
	int gerror = platform_get_irq_byname(pdev, "gerror");
	int ret;

	if (evtq < 0 || gerror < 0)
		return evtq < 0 ? evtq : gerror;
	ret = devm_request_threaded_irq(smmu->dev, evtq, NULL, smmu_evtq_thread,
					IRQF_ONESHOT, "smmu-v3-evtq", smmu);
	if (ret)
		return ret;
	ret = devm_request_irq(smmu->dev, gerror, smmu_gerror_irq, 0,
			       "smmu-v3-gerror", smmu);
	if (ret)
		return ret;
	return smmu_write_ack(smmu, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK,
			      IRQ_CTRL_EVTQ_IRQEN | IRQ_CTRL_GERROR_IRQEN);
}

static int smmu_reset(struct smmu_device *smmu, struct platform_device *pdev)
{
	u32 attr = smmu->coherent ? SMMU_CACHE_WBRA : 0;
	u32 enables = 0;
	u64 cmds[2 * CMD_DWORDS];
	int ret;

	ret = smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, 0);
	if (ret) {
		dev_err(smmu->dev, "cannot disable the SMMU\n");
		return ret;
	}
	writel_relaxed(FIELD_PREP(CR1_TBL_SHARE, SMMU_SH_ISH) |
		       FIELD_PREP(CR1_TBL_OCACHE, attr) |
		       FIELD_PREP(CR1_TBL_ICACHE, attr) |
		       FIELD_PREP(CR1_Q_SHARE, SMMU_SH_ISH) |
		       FIELD_PREP(CR1_Q_OCACHE, attr) |
		       FIELD_PREP(CR1_Q_ICACHE, attr), smmu->base + SMMU_CR1);
	writel_relaxed(CR2_PTM | CR2_RECINVSID, smmu->base + SMMU_CR2);

	ret = smmu_init_strtab(smmu) ?:
	      smmu_queue_init(smmu, &smmu->cmdq, smmu->cmdq.log2n, CMD_DWORDS,
			      SMMU_CMDQ_PROD, SMMU_CMDQ_CONS, SMMU_CMDQ_BASE) ?:
	      smmu_queue_init(smmu, &smmu->evtq, smmu->evtq.log2n, EVT_DWORDS,
			      SMMU_EVTQ_PROD, SMMU_EVTQ_CONS, SMMU_EVTQ_BASE);
	if (ret)
		return ret;

	enables = CR0_CMDQEN;
	ret = smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, enables);
	if (ret)
		return ret;
	/* Nothing cached from before us may survive. */
	smmu_cmd_cfgi_all(cmds);
	smmu_cmd_tlbi_all(cmds + CMD_DWORDS);
	ret = smmu_cmdq_issue_sync(smmu, cmds, 2);
	if (ret)
		return ret;

	enables |= CR0_EVTQEN;
	ret = smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, enables) ?:
	      smmu_setup_irqs(smmu, pdev);
	if (ret)
		return ret;
	enables |= CR0_SMMUEN;
	return smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, enables);
}

static int smmu_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct smmu_device *smmu;
	struct resource *res;
	int ret;

	smmu = devm_kzalloc(dev, sizeof(*smmu), GFP_KERNEL);
	if (!smmu)
		return -ENOMEM;
	smmu->dev = dev;
	smmu->coherent = of_dma_is_coherent(dev->of_node);
	spin_lock_init(&smmu->cmdq_lock);
	spin_lock_init(&smmu->gerror_lock);
	mutex_init(&smmu->strtab_lock);
	ida_init(&smmu->asids);
	xa_init(&smmu->streams);
	mutex_init(&smmu->streams_lock);
	INIT_LIST_HEAD(&smmu->masters);

	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!res || resource_size(res) < SMMU_EVTQ_CONS + 4) {
		dev_err(dev, "needs both register pages (0x20000 bytes)\n");
		return -EINVAL;
	}
	smmu->base = devm_ioremap_resource(dev, res);
	if (IS_ERR(smmu->base))
		return PTR_ERR(smmu->base);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(40));
	if (ret)
		return ret;

	ret = smmu_read_features(smmu) ?: smmu_reset(smmu, pdev);
	if (ret) {
		dev_err_probe(dev, ret, "cannot bring the SMMU up\n");
		goto fail_disable;
	}
	platform_set_drvdata(pdev, smmu);

	ret = iommu_device_sysfs_add(&smmu->iommu, dev, NULL, "smmu3.%pa",
				     &res->start);
	if (ret)
		goto fail_disable;
	ret = iommu_device_register(&smmu->iommu, &smmu_ops, dev);
	if (ret) {
		iommu_device_sysfs_remove(&smmu->iommu);
		goto fail_disable;
	}
	dev_info(dev, "SMMUv3: %u-bit stream IDs (%s stream table), %u-bit ASIDs, %u-bit input, %u-bit output, %scoherent walks, %s invalidation\n",
		 smmu->sid_bits, smmu->two_level ? "2-level" : "linear",
		 smmu->asid_bits, smmu->ias, smmu->oas,
		 smmu->coherent ? "" : "non-", smmu->ril ? "range" : "page");
	return 0;

fail_disable:
	/* Leave nothing enabled that points at memory devm is freeing. */
	smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, 0);
	return ret;
}

/*
 * Stop translating on the way down: what the tables and queues point to is
 * about to be reused (a kexec'd kernel, firmware), and devices still
 * holding IOVAs must not reach it.
 */
static void smmu_shutdown(struct platform_device *pdev)
{
	struct smmu_device *smmu = platform_get_drvdata(pdev);

	if (smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, 0))
		dev_err(&pdev->dev, "cannot disable the SMMU for shutdown\n");
	else
		dev_info(&pdev->dev, "disabled for shutdown\n");
}

static void smmu_remove(struct platform_device *pdev)
{
	struct smmu_device *smmu = platform_get_drvdata(pdev);

	iommu_device_unregister(&smmu->iommu);
	iommu_device_sysfs_remove(&smmu->iommu);
	smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, 0);
}

static const struct of_device_id smmu_of_match[] = {
	{ .compatible = "arm,smmu-v3" },
	{ }
};
MODULE_DEVICE_TABLE(of, smmu_of_match);

static struct platform_driver smmu_driver = {
	.driver = {
		.name			= "arm-smmu-v3-arm32",
		.of_match_table		= smmu_of_match,
		.suppress_bind_attrs	= true,
	},
	.probe		= smmu_probe,
	.remove		= smmu_remove,
	.shutdown	= smmu_shutdown,
};
module_platform_driver(smmu_driver);

MODULE_DESCRIPTION("ARM SMMUv3 driver for 32-bit ARM with LPAE");
MODULE_LICENSE("GPL");
