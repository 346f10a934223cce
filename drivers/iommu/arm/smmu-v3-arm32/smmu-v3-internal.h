/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ARM SMMUv3 for 32-bit ARM kernels with LPAE: the driver's view of an
 * SMMU, its masters and its domains, and what the driver's files share.
 *
 *   smmu-v3.c		probe, reset, the IOMMU core's ops, fault reports
 *   smmu-v3-domain.c	paging, identity and blocked domains; invalidation
 *   smmu-v3-strtab.c	the stream table, and which master owns a stream
 *   smmu-v3-queue.c	command and event queues (smmu-v3-queue.h)
 *   smmu-v3-enc.c	what the SMMU reads, encoded (smmu-v3-enc.h)
 *   smmu-v3-hw.h	the hardware: registers and memory layouts
 *
 * Each calls only the files below it.
 */
#ifndef __SMMU_V3_ARM32_INTERNAL_H
#define __SMMU_V3_ARM32_INTERNAL_H

#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/io-pgtable.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "smmu-v3-enc.h"
#include "smmu-v3-hw.h"
#include "smmu-v3-queue.h"

/**
 * struct smmu_device - one SMMUv3
 * @dev:	its platform device
 * @base:	its registers
 * @iommu:	its registration with the IOMMU core
 * @coherent:	it snoops the CPU caches when it walks tables and queues
 * @sid_bits:	stream ID width
 * @asid_bits:	ASID width
 * @ias:	input address size of its stage 1 domains, in bits
 * @oas:	output address size, in bits
 * @pgsize_bitmap: page sizes of its translation granules
 * @ril:	it invalidates a range of pages with one command (IDR3.RIL)
 * @strtab:	linear stream table, or the level 1 table of a 2-level one
 * @strtab_dma:	its bus address
 * @two_level:	@strtab is a level 1 table
 * @l2:		the level 2 tables of a 2-level table, allocated on demand
 * @l2_dma:	their bus addresses
 * @strtab_lock: serialises the allocation of level 2 tables
 * @q:		its command and event queues
 * @asids:	ASIDs in use
 * @streams:	the master of each stream ID, for reporting its faults
 * @masters:	every master, for the stream IDs they share
 * @streams_lock: guards @streams and @masters against masters going away,
 *		and each master's domain against its detaching while a
 *		fault is reported into it
 * @events:	events reported, by event ID
 */
struct smmu_device {
	struct device *dev;
	void __iomem *base;
	struct iommu_device iommu;
	bool coherent;
	unsigned int sid_bits;
	unsigned int asid_bits;
	unsigned int ias;
	unsigned int oas;
	unsigned long pgsize_bitmap;
	bool ril;
	u64 *strtab;
	dma_addr_t strtab_dma;
	bool two_level;
	u64 **l2;
	dma_addr_t *l2_dma;
	struct mutex strtab_lock;	/* guards l2 and l2_dma */
	struct smmu_queues q;
	struct ida asids;
	struct xarray streams;
	struct list_head masters;
	struct mutex streams_lock;	/* lookups against removal */
	atomic_t events[256];
};

/**
 * struct smmu_master - a device behind an SMMU
 * @smmu:	the SMMU
 * @dev:	the device
 * @sids:	its stream IDs
 * @nr_sids:	how many
 * @node:	in the SMMU's list of masters
 * @domain:	the paging domain its streams translate through, or NULL;
 *		set and read under the SMMU's streams_lock
 */
struct smmu_master {
	struct smmu_device *smmu;
	struct device *dev;
	u32 *sids;
	unsigned int nr_sids;
	struct list_head node;
	struct iommu_domain *domain;
};

/**
 * struct smmu_domain - a stage 1 translation context
 * @domain:	the IOMMU core's view
 * @smmu:	the SMMU its context descriptor lives for
 * @pgtbl:	its page tables (io-pgtable, AArch64 format)
 * @cfg:	their configuration, as io-pgtable filled it in
 * @asid:	its ASID
 * @cd:		its context descriptor
 * @cd_dma:	the descriptor's bus address
 */
struct smmu_domain {
	struct iommu_domain domain;
	struct smmu_device *smmu;
	struct io_pgtable_ops *pgtbl;
	struct io_pgtable_cfg cfg;
	u16 asid;
	u64 *cd;
	dma_addr_t cd_dma;
};

/* smmu-v3-domain.c */
extern struct iommu_domain smmu_identity_domain;
extern struct iommu_domain smmu_blocked_domain;
extern const struct iommu_domain_ops smmu_paging_ops;
struct iommu_domain *smmu_domain_alloc_paging(struct device *dev);

/* smmu-v3-strtab.c */
int smmu_init_strtab(struct smmu_device *smmu);
int smmu_ste_prepare(struct smmu_device *smmu, u32 sid);
int smmu_install_ste(struct smmu_master *master, const u64 *ste);
void smmu_add_streams(struct smmu_master *master);
void smmu_remove_streams(struct smmu_master *master);
struct smmu_master *smmu_other_master(struct smmu_master *master, u32 sid);
struct smmu_master *smmu_stream_master(struct smmu_device *smmu, u32 sid);
void smmu_master_set_domain(struct smmu_master *master,
			    struct iommu_domain *domain);
#if IS_ENABLED(CONFIG_KUNIT)
int smmu_ste_sync(struct smmu_device *smmu, const u64 *cmds, unsigned int n);
#endif

#endif /* __SMMU_V3_ARM32_INTERNAL_H */
