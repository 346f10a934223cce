// SPDX-License-Identifier: GPL-2.0-only
/*
 * SMMUv3 for 32-bit ARM: domains.  A paging domain is one context
 * descriptor with its ASID and AArch64-format page tables from io-pgtable;
 * attaching it points a master's stream table entries at the descriptor.
 * Unmaps invalidate the domain's TLB entries by range where the SMMU takes
 * range commands, by page otherwise, or the whole ASID beyond a limit.
 * The identity and blocked domains are stream table entries alone.
 */
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/slab.h>

#include "smmu-v3-internal.h"

#define SMMU_TLBI_MAX_PAGES	64		/* more: invalidate the ASID */
#define SMMU_TLBI_BATCH		16		/* page commands queued at once */
#define SMMU_TLBI_MAX_RANGES	8		/* range commands for 2^32 bytes */
#define SMMU_TLBI_PAGE_SHIFT	12		/* range commands count 4 KiB pages */

static struct smmu_domain *to_smmu_domain(struct iommu_domain *domain)
{
	return container_of(domain, struct smmu_domain, domain);
}

static void smmu_tlb_inv_asid(struct smmu_domain *sd)
{
	u64 cmd[CMD_DWORDS];

	smmu_cmd_tlbi_asid(cmd, sd->asid);
	smmu_sync_one(&sd->smmu->q, cmd);
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
	smmu_cmdq_issue_sync(&sd->smmu->q, cmds, n);
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
			smmu_cmdq_issue(&sd->smmu->q, cmds, n, done);
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

struct iommu_domain *smmu_domain_alloc_paging(struct device *dev)
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

/*
 * Point @master's streams at @ste, and its faults at @domain (NULL: no
 * fault handler, as for passthrough and blocking).
 */
static int smmu_install_ste_for(struct smmu_master *master, const u64 *ste,
				struct iommu_domain *domain)
{
	int ret = smmu_install_ste(master, ste);

	if (!ret)
		smmu_master_set_domain(master, domain);
	return ret;
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
	return smmu_install_ste_for(master, ste, domain);
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

const struct iommu_domain_ops smmu_paging_ops = {
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
	return smmu_install_ste_for(dev_iommu_priv_get(dev), ste, NULL);
}

static int smmu_attach_blocked(struct iommu_domain *domain, struct device *dev)
{
	u64 ste[STE_DWORDS];

	smmu_ste_abort(ste);
	return smmu_install_ste_for(dev_iommu_priv_get(dev), ste, NULL);
}

struct iommu_domain smmu_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &(const struct iommu_domain_ops) {
		.attach_dev = smmu_attach_identity,
	},
};

struct iommu_domain smmu_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &(const struct iommu_domain_ops) {
		.attach_dev = smmu_attach_blocked,
	},
};
