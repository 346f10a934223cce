// SPDX-License-Identifier: GPL-2.0-only
/*
 * SMMUv3 for 32-bit ARM: encoding of stream table entries, context
 * descriptors and commands.  Pure functions of their arguments, so that
 * KUnit can hold them against the specification's field layout.
 */
#include <linux/bitfield.h>
#include <linux/io-pgtable.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "smmu-v3-enc.h"

void smmu_ste_abort(u64 *ste)
{
	memset(ste, 0, STE_DWORDS * sizeof(*ste));
	ste[0] = STE0_V | FIELD_PREP(STE0_CFG, STE_CFG_ABORT);
}

void smmu_ste_bypass(u64 *ste)
{
	memset(ste, 0, STE_DWORDS * sizeof(*ste));
	ste[0] = STE0_V | FIELD_PREP(STE0_CFG, STE_CFG_BYPASS);
	ste[1] = FIELD_PREP(STE1_SHCFG, STE_SHCFG_INCOMING);
}

/*
 * Stage 1 through a single context descriptor (S1CDMax 0, S1Fmt linear).
 * The descriptor is fetched write-back cacheable and inner shareable when
 * the SMMU walks coherently, non-cacheable otherwise.
 */
void smmu_ste_s1(u64 *ste, dma_addr_t cd, bool coherent)
{
	u64 attr = coherent ? SMMU_CACHE_WBRA : 0;

	memset(ste, 0, STE_DWORDS * sizeof(*ste));
	ste[1] = FIELD_PREP(STE1_S1CIR, attr) | FIELD_PREP(STE1_S1COR, attr) |
		 FIELD_PREP(STE1_S1CSH, SMMU_SH_ISH);
	ste[0] = STE0_V | FIELD_PREP(STE0_CFG, STE_CFG_S1) |
		 (cd & STE0_S1CTXPTR);
}

/*
 * The bits of @ste its config makes the SMMU read: the others may change
 * under it without the SMMU noticing.
 */
void smmu_ste_used(const u64 *ste, u64 *used)
{
	memset(used, 0, STE_DWORDS * sizeof(*used));
	used[0] = STE0_V;
	if (!(ste[0] & STE0_V))
		return;
	used[0] |= STE0_CFG;
	switch (FIELD_GET(STE0_CFG, ste[0])) {
	case STE_CFG_BYPASS:
		used[1] = STE1_SHCFG;
		break;
	case STE_CFG_S1:
		used[0] |= STE0_S1FMT | STE0_S1CTXPTR | STE0_S1CDMAX;
		used[1] = STE1_S1CIR | STE1_S1COR | STE1_S1CSH;
		break;
	}
}

/*
 * A context descriptor for io-pgtable's AArch64 stage 1 tables: TTB0 only
 * (TTB1 walks disabled), faults recorded and terminated with an abort,
 * AArch64 format, and ASET: the ASID is the SMMU's own, so TLB maintenance
 * the CPUs broadcast for their ASIDs of the same number leaves it alone.
 */
void smmu_cd_s1(u64 *cd, u16 asid, const struct io_pgtable_cfg *cfg)
{
	const typeof(cfg->arm_lpae_s1_cfg) *s1 = &cfg->arm_lpae_s1_cfg;

	memset(cd, 0, CD_DWORDS * sizeof(*cd));
	cd[1] = s1->ttbr & CD1_TTB0;
	cd[3] = s1->mair;
	cd[0] = FIELD_PREP(CD0_T0SZ, s1->tcr.tsz) |
		FIELD_PREP(CD0_TG0, s1->tcr.tg) |
		FIELD_PREP(CD0_IRGN0, s1->tcr.irgn) |
		FIELD_PREP(CD0_ORGN0, s1->tcr.orgn) |
		FIELD_PREP(CD0_SH0, s1->tcr.sh) |
		CD0_EPD1 | CD0_V |
		FIELD_PREP(CD0_IPS, s1->tcr.ips) |
		CD0_AA64 | CD0_R | CD0_A | CD0_ASET |
		FIELD_PREP(CD0_ASID, asid);
}

/* A level 1 descriptor: its level 2 table holds 2^@split entries. */
u64 smmu_l1_desc(dma_addr_t l2, unsigned int split)
{
	return FIELD_PREP(L1STD_SPAN, split + 1) | (l2 & L1STD_L2PTR);
}

static void smmu_cmd(u64 *cmd, u8 op)
{
	cmd[0] = FIELD_PREP(CMD0_OP, op);
	cmd[1] = 0;
}

void smmu_cmd_cfgi_ste(u64 *cmd, u32 sid)
{
	smmu_cmd(cmd, CMD_CFGI_STE);
	cmd[0] |= FIELD_PREP(CMD0_SID, sid);
	cmd[1] |= CMD1_LEAF;
}

void smmu_cmd_cfgi_all(u64 *cmd)
{
	smmu_cmd(cmd, CMD_CFGI_ALL);
	cmd[1] |= FIELD_PREP(CMD1_CFGI_RANGE, 31);
}

void smmu_cmd_tlbi_asid(u64 *cmd, u16 asid)
{
	smmu_cmd(cmd, CMD_TLBI_NH_ASID);
	cmd[0] |= FIELD_PREP(CMD0_ASID, asid);
}

void smmu_cmd_tlbi_va(u64 *cmd, u16 asid, unsigned long iova, bool leaf)
{
	smmu_cmd(cmd, CMD_TLBI_NH_VA);
	cmd[0] |= FIELD_PREP(CMD0_ASID, asid);
	cmd[1] |= ((u64)iova & CMD1_ADDR) | (leaf ? CMD1_LEAF : 0);
}

/**
 * smmu_tlbi_range_step() - the next command of a range invalidation
 * @pages:	4 KiB pages still to invalidate, at least one
 * @scale:	set to the command's SCALE
 * @num:	set to the command's NUM
 *
 * A range command covers (NUM + 1) << SCALE pages.  SCALE at the lowest
 * set bit of @pages and NUM + 1 from the five bits from there on clear
 * those bits, so any 32-bit IOVA range takes at most five commands.
 *
 * Return: how many pages the command covers.
 */
unsigned long smmu_tlbi_range_step(unsigned long pages, unsigned int *scale,
				   unsigned int *num)
{
	*scale = __ffs(pages);
	*num = ((pages >> *scale) & 0x1f) - 1;
	return (unsigned long)(*num + 1) << *scale;
}

/* TLBI_NH_VA over (@num + 1) << @scale pages of 4 KiB from @iova. */
void smmu_cmd_tlbi_range(u64 *cmd, u16 asid, unsigned long iova,
			 unsigned int scale, unsigned int num, unsigned int ttl,
			 bool leaf)
{
	smmu_cmd_tlbi_va(cmd, asid, iova, leaf);
	cmd[0] |= FIELD_PREP(CMD0_NUM, num) | FIELD_PREP(CMD0_SCALE, scale);
	cmd[1] |= FIELD_PREP(CMD1_TG, CMD_TG_4K) | FIELD_PREP(CMD1_TTL, ttl);
}

void smmu_cmd_tlbi_all(u64 *cmd)
{
	smmu_cmd(cmd, CMD_TLBI_NSNH_ALL);
}

/* Completion is seen by the consumer index passing it: no IRQ, no MSI. */
void smmu_cmd_sync(u64 *cmd)
{
	smmu_cmd(cmd, CMD_SYNC);
	cmd[0] |= FIELD_PREP(CMD0_SYNC_CS, CMD_SYNC_CS_NONE);
}

static const char *const smmu_event_names[] = {
	[EVT_F_UUT]		= "unsupported upstream transaction",
	[EVT_C_BAD_STREAMID]	= "stream ID out of range",
	[EVT_F_STE_FETCH]	= "stream table entry fetch abort",
	[EVT_C_BAD_STE]		= "bad stream table entry",
	[EVT_F_STREAM_DISABLED]	= "stream disabled",
	[EVT_F_TRANSL_FORBIDDEN] = "translation forbidden",
	[EVT_C_BAD_SUBSTREAMID]	= "bad substream ID",
	[EVT_F_CD_FETCH]	= "context descriptor fetch abort",
	[EVT_C_BAD_CD]		= "bad context descriptor",
	[EVT_F_WALK_EABT]	= "page table walk abort",
	[EVT_F_TRANSLATION]	= "translation fault",
	[EVT_F_ADDR_SIZE]	= "address size fault",
	[EVT_F_ACCESS]		= "access flag fault",
	[EVT_F_PERMISSION]	= "permission fault",
	[EVT_F_TLB_CONFLICT]	= "TLB conflict",
	[EVT_F_CFG_CONFLICT]	= "configuration cache conflict",
};

const char *smmu_event_name(unsigned int id)
{
	if (id < ARRAY_SIZE(smmu_event_names) && smmu_event_names[id])
		return smmu_event_names[id];
	return "unknown event";
}
