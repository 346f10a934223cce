/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SMMUv3 for 32-bit ARM: what the SMMU reads from memory, built from what
 * the driver knows (smmu-v3-enc.c).  Pure functions of their arguments.
 */
#ifndef __SMMU_V3_ARM32_ENC_H
#define __SMMU_V3_ARM32_ENC_H

#include <linux/types.h>

#include "smmu-v3-hw.h"

struct io_pgtable_cfg;

void smmu_ste_abort(u64 *ste);
void smmu_ste_bypass(u64 *ste);
void smmu_ste_s1(u64 *ste, dma_addr_t cd, bool coherent);
void smmu_ste_used(const u64 *ste, u64 *used);
void smmu_cd_s1(u64 *cd, u16 asid, const struct io_pgtable_cfg *cfg);
u64 smmu_l1_desc(dma_addr_t l2, unsigned int split);
void smmu_cmd_cfgi_ste(u64 *cmd, u32 sid);
void smmu_cmd_cfgi_all(u64 *cmd);
void smmu_cmd_tlbi_asid(u64 *cmd, u16 asid);
void smmu_cmd_tlbi_va(u64 *cmd, u16 asid, unsigned long iova, bool leaf);
unsigned long smmu_tlbi_range_step(unsigned long pages, unsigned int *scale,
				   unsigned int *num);
void smmu_cmd_tlbi_range(u64 *cmd, u16 asid, unsigned long iova,
			 unsigned int scale, unsigned int num, unsigned int ttl,
			 bool leaf);
void smmu_cmd_tlbi_all(u64 *cmd);
void smmu_cmd_sync(u64 *cmd);
const char *smmu_event_name(unsigned int id);

#endif /* __SMMU_V3_ARM32_ENC_H */
