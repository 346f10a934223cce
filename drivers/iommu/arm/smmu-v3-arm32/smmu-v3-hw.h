/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ARM SMMUv3 as the driver for 32-bit ARM sees it: the register map, and
 * the layouts of what the SMMU and the driver exchange through memory
 * (stream table entries, context descriptors, commands, event records).
 * Field positions are those of the SMMUv3 architecture specification
 * (ARM IHI 0070).  Every file of the driver describes the hardware with
 * these, and nothing here calls anything.
 */
#ifndef __SMMU_V3_ARM32_HW_H
#define __SMMU_V3_ARM32_HW_H

#include <linux/bits.h>
#include <linux/types.h>

/* The widest input of stage 1 translation with the 4K granule. */
#define SMMU_S1_4K_IAS		48

/* Page 0 registers */
#define SMMU_IDR0		0x00
#define  IDR0_ST_LEVEL		GENMASK(28, 27)
#define  IDR0_ST_LEVEL_2	1
#define  IDR0_ASID16		BIT(12)
#define  IDR0_COHACC		BIT(4)
#define  IDR0_TTF		GENMASK(3, 2)
#define  IDR0_TTF_AARCH64	BIT(1)		/* within TTF: 0b10 or 0b11 */
#define  IDR0_S1P		BIT(1)
#define SMMU_IDR1		0x04
#define  IDR1_CMDQS		GENMASK(25, 21)
#define  IDR1_EVTQS		GENMASK(20, 16)
#define  IDR1_SIDSIZE		GENMASK(5, 0)
#define SMMU_IDR3		0x0c
#define  IDR3_RIL		BIT(10)
#define SMMU_IDR5		0x14
#define  IDR5_GRAN64K		BIT(6)
#define  IDR5_GRAN16K		BIT(5)
#define  IDR5_GRAN4K		BIT(4)
#define  IDR5_OAS		GENMASK(2, 0)
#define SMMU_CR0		0x20
#define  CR0_CMDQEN		BIT(3)
#define  CR0_EVTQEN		BIT(2)
#define  CR0_SMMUEN		BIT(0)
#define SMMU_CR0ACK		0x24
#define SMMU_CR1		0x28
#define  CR1_TBL_SHARE		GENMASK(11, 10)
#define  CR1_TBL_OCACHE		GENMASK(9, 8)
#define  CR1_TBL_ICACHE		GENMASK(7, 6)
#define  CR1_Q_SHARE		GENMASK(5, 4)
#define  CR1_Q_OCACHE		GENMASK(3, 2)
#define  CR1_Q_ICACHE		GENMASK(1, 0)
#define SMMU_CR2		0x2c
#define  CR2_PTM		BIT(2)
#define  CR2_RECINVSID		BIT(1)
#define SMMU_GBPA		0x44
#define  GBPA_UPDATE		BIT(31)
#define  GBPA_ABORT		BIT(20)
#define SMMU_IRQ_CTRL		0x50
#define  IRQ_CTRL_EVTQ_IRQEN	BIT(2)
#define  IRQ_CTRL_GERROR_IRQEN	BIT(0)
#define SMMU_IRQ_CTRLACK	0x54
#define SMMU_GERROR		0x60
#define SMMU_GERRORN		0x64
#define  GERROR_SFM_ERR		BIT(8)
#define  GERROR_EVTQ_ABT_ERR	BIT(2)
#define  GERROR_CMDQ_ERR	BIT(0)
#define SMMU_STRTAB_BASE	0x80
#define SMMU_STRTAB_BASE_CFG	0x88
#define  STRTAB_CFG_FMT		GENMASK(17, 16)
#define  STRTAB_CFG_FMT_2LVL	1
#define  STRTAB_CFG_SPLIT	GENMASK(10, 6)
#define  STRTAB_CFG_LOG2SIZE	GENMASK(5, 0)
#define SMMU_CMDQ_BASE		0x90
#define SMMU_CMDQ_PROD		0x98
#define SMMU_CMDQ_CONS		0x9c
#define  CMDQ_CONS_ERR		GENMASK(30, 24)
#define  CMDQ_CERROR_ILL	1	/* not a command the SMMU takes */
#define  CMDQ_CERROR_ABT	2	/* fetching it aborted */
#define SMMU_EVTQ_BASE		0xa0
/* Page 1 registers */
#define SMMU_EVTQ_PROD		0x100a8
#define SMMU_EVTQ_CONS		0x100ac
#define  Q_OVERFLOW		BIT(31)

/* STRTAB_BASE, CMDQ_BASE and EVTQ_BASE */
#define BASE_RA			BIT_ULL(62)
#define BASE_LOG2SIZE		GENMASK_ULL(4, 0)

/* Memory attributes for CR1 and the STE/CD walk attributes */
#define SMMU_SH_ISH		3
#define SMMU_CACHE_WBRA		1

/* Stream table entry: eight double words */
#define STE_DWORDS		8
#define STE0_V			BIT_ULL(0)
#define STE0_CFG		GENMASK_ULL(3, 1)
#define  STE_CFG_ABORT		0
#define  STE_CFG_BYPASS		4
#define  STE_CFG_S1		5
#define STE0_S1FMT		GENMASK_ULL(5, 4)
#define STE0_S1CTXPTR		GENMASK_ULL(51, 6)
#define STE0_S1CDMAX		GENMASK_ULL(63, 59)
#define STE1_S1CIR		GENMASK_ULL(3, 2)
#define STE1_S1COR		GENMASK_ULL(5, 4)
#define STE1_S1CSH		GENMASK_ULL(7, 6)
#define STE1_SHCFG		GENMASK_ULL(45, 44)
#define  STE_SHCFG_INCOMING	1

/* Level 1 stream table descriptor */
#define L1STD_SPAN		GENMASK_ULL(4, 0)
#define L1STD_L2PTR		GENMASK_ULL(51, 6)
#define STRTAB_SPLIT		8	/* stream IDs per level 2 table: 2^8 */

/* Context descriptor: eight double words */
#define CD_DWORDS		8
#define CD0_T0SZ		GENMASK_ULL(5, 0)
#define CD0_TG0			GENMASK_ULL(7, 6)
#define CD0_IRGN0		GENMASK_ULL(9, 8)
#define CD0_ORGN0		GENMASK_ULL(11, 10)
#define CD0_SH0			GENMASK_ULL(13, 12)
#define CD0_EPD0		BIT_ULL(14)
#define CD0_EPD1		BIT_ULL(30)
#define CD0_V			BIT_ULL(31)
#define CD0_IPS			GENMASK_ULL(34, 32)
#define CD0_AA64		BIT_ULL(41)
#define CD0_R			BIT_ULL(45)
#define CD0_A			BIT_ULL(46)
#define CD0_ASET		BIT_ULL(47)
#define CD0_ASID		GENMASK_ULL(63, 48)
#define CD1_TTB0		GENMASK_ULL(51, 4)
#define CD3_MAIR		GENMASK_ULL(63, 0)

/* Commands: two double words */
#define CMD_DWORDS		2
#define CMD0_OP			GENMASK_ULL(7, 0)
#define  CMD_CFGI_STE		0x03
#define  CMD_CFGI_ALL		0x04
#define  CMD_TLBI_NH_ASID	0x11
#define  CMD_TLBI_NH_VA		0x12
#define  CMD_TLBI_NSNH_ALL	0x30
#define  CMD_SYNC		0x46
#define CMD0_SID		GENMASK_ULL(63, 32)
#define CMD0_ASID		GENMASK_ULL(63, 48)
#define CMD0_SYNC_CS		GENMASK_ULL(13, 12)
#define  CMD_SYNC_CS_NONE	0
#define CMD0_NUM		GENMASK_ULL(16, 12)
#define CMD0_SCALE		GENMASK_ULL(24, 20)
#define CMD1_LEAF		BIT_ULL(0)
#define CMD1_TTL		GENMASK_ULL(9, 8)
#define CMD1_TG			GENMASK_ULL(11, 10)
#define  CMD_TG_4K		1
#define CMD1_CFGI_RANGE		GENMASK_ULL(4, 0)
#define CMD1_ADDR		GENMASK_ULL(63, 12)

/* Event records: four double words */
#define EVT_DWORDS		4
#define EVT0_ID			GENMASK_ULL(7, 0)
#define EVT0_SID		GENMASK_ULL(63, 32)
#define EVT1_RNW		BIT_ULL(35)

enum smmu_event_id {
	EVT_F_UUT		= 0x01,
	EVT_C_BAD_STREAMID	= 0x02,
	EVT_F_STE_FETCH		= 0x03,
	EVT_C_BAD_STE		= 0x04,
	EVT_F_STREAM_DISABLED	= 0x06,
	EVT_F_TRANSL_FORBIDDEN	= 0x07,
	EVT_C_BAD_SUBSTREAMID	= 0x08,
	EVT_F_CD_FETCH		= 0x09,
	EVT_C_BAD_CD		= 0x0a,
	EVT_F_WALK_EABT		= 0x0b,
	EVT_F_TRANSLATION	= 0x10,
	EVT_F_ADDR_SIZE		= 0x11,
	EVT_F_ACCESS		= 0x12,
	EVT_F_PERMISSION	= 0x13,
	EVT_F_TLB_CONFLICT	= 0x20,
	EVT_F_CFG_CONFLICT	= 0x21,
};

#endif /* __SMMU_V3_ARM32_HW_H */
