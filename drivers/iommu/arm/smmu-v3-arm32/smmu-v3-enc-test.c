// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: each structure the SMMUv3 driver of 32-bit ARM writes (stream
 * table entries, context descriptors, commands, events), held against the
 * field layout of the SMMUv3 specification, written out here bit by bit.
 */
#include <kunit/test.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "smmu-v3-internal.h"

static void an_abort_ste_is_valid_with_config_abort(struct kunit *test)
{
	u64 ste[STE_DWORDS];

	memset(ste, 0xff, sizeof(ste));
	smmu_ste_abort(ste);
	KUNIT_EXPECT_EQ(test, ste[0], 0x1ULL);		/* V, Config 0b000 */
	KUNIT_EXPECT_EQ(test, ste[1], 0ULL);
	KUNIT_EXPECT_EQ(test, ste[7], 0ULL);
}

static void a_bypass_ste_uses_incoming_shareability(struct kunit *test)
{
	u64 ste[STE_DWORDS];

	smmu_ste_bypass(ste);
	KUNIT_EXPECT_EQ(test, ste[0], 0x9ULL);		/* V, Config 0b100 */
	KUNIT_EXPECT_EQ(test, ste[1], 1ULL << 44);	/* SHCFG incoming */
}

static void a_stage1_ste_points_at_one_context_descriptor(struct kunit *test)
{
	u64 ste[STE_DWORDS];

	smmu_ste_s1(ste, 0x4012345680ULL, true);
	/* V, Config 0b101, S1Fmt 0, S1ContextPtr[51:6], S1CDMax 0 */
	KUNIT_EXPECT_EQ(test, ste[0], 0x4012345680ULL | 0xb);
	/* S1CIR and S1COR write-back, S1CSH inner shareable */
	KUNIT_EXPECT_EQ(test, ste[1], (1ULL << 2) | (1ULL << 4) | (3ULL << 6));

	smmu_ste_s1(ste, 0x1000, false);
	KUNIT_EXPECT_EQ(test, ste[0], 0x1000ULL | 0xb);
	KUNIT_EXPECT_EQ(test, ste[1], 3ULL << 6);
}

static void a_context_descriptor_describes_the_io_pgtable(struct kunit *test)
{
	struct io_pgtable_cfg cfg = {};
	u64 cd[CD_DWORDS];

	cfg.arm_lpae_s1_cfg.ttbr = 0x4000123000ULL;
	cfg.arm_lpae_s1_cfg.mair = 0x0004040404ff44ffULL;
	cfg.arm_lpae_s1_cfg.tcr.tsz = 32;
	cfg.arm_lpae_s1_cfg.tcr.tg = 0;
	cfg.arm_lpae_s1_cfg.tcr.irgn = 1;
	cfg.arm_lpae_s1_cfg.tcr.orgn = 1;
	cfg.arm_lpae_s1_cfg.tcr.sh = 3;
	cfg.arm_lpae_s1_cfg.tcr.ips = 2;
	smmu_cd_s1(cd, 5, &cfg);

	KUNIT_EXPECT_EQ(test, cd[0],
			32ULL |			/* T0SZ */
			(1ULL << 8) |		/* IR0 write-back */
			(1ULL << 10) |		/* OR0 write-back */
			(3ULL << 12) |		/* SH0 inner shareable */
			(1ULL << 30) |		/* EPD1: no TTB1 walks */
			(1ULL << 31) |		/* V */
			(2ULL << 32) |		/* IPS 40 bits */
			(1ULL << 41) |		/* AA64 */
			(1ULL << 45) |		/* R: record faults */
			(1ULL << 46) |		/* A: abort faulting accesses */
			(1ULL << 47) |		/* ASET: not the CPUs' ASIDs */
			(5ULL << 48));		/* ASID */
	KUNIT_EXPECT_EQ(test, cd[1], 0x4000123000ULL);	/* TTB0 */
	KUNIT_EXPECT_EQ(test, cd[2], 0ULL);
	KUNIT_EXPECT_EQ(test, cd[3], 0x0004040404ff44ffULL);	/* MAIR */
}

static void an_entry_reads_only_the_fields_of_its_config(struct kunit *test)
{
	u64 ste[STE_DWORDS], used[STE_DWORDS];

	smmu_ste_abort(ste);
	smmu_ste_used(ste, used);
	KUNIT_EXPECT_EQ(test, used[0], 0xfULL);		/* V, Config */
	KUNIT_EXPECT_EQ(test, used[1], 0ULL);

	smmu_ste_bypass(ste);
	smmu_ste_used(ste, used);
	KUNIT_EXPECT_EQ(test, used[0], 0xfULL);
	KUNIT_EXPECT_EQ(test, used[1], 3ULL << 44);	/* SHCFG */

	smmu_ste_s1(ste, 0x1000, true);
	smmu_ste_used(ste, used);
	/* V, Config, S1Fmt, S1ContextPtr, S1CDMax */
	KUNIT_EXPECT_EQ(test, used[0], GENMASK_ULL(51, 0) | GENMASK_ULL(63, 59));
	KUNIT_EXPECT_EQ(test, used[1], 0xfcULL);	/* S1CIR, S1COR, S1CSH */
	KUNIT_EXPECT_EQ(test, used[2], 0ULL);

	ste[0] &= ~STE0_V;
	smmu_ste_used(ste, used);
	KUNIT_EXPECT_EQ(test, used[0], 1ULL);		/* V alone */
}

static void a_level1_descriptor_spans_its_level2_table(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, smmu_l1_desc(0x4000001000ULL, 8),
			0x4000001000ULL | 9);
}

static void commands_carry_opcode_and_operands_where_specified(struct kunit *test)
{
	u64 cmd[CMD_DWORDS];

	smmu_cmd_cfgi_ste(cmd, 0x10);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x03ULL | (0x10ULL << 32));
	KUNIT_EXPECT_EQ(test, cmd[1], 1ULL);			/* Leaf */

	smmu_cmd_cfgi_all(cmd);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x04ULL);
	KUNIT_EXPECT_EQ(test, cmd[1], 31ULL);			/* Range */

	smmu_cmd_tlbi_asid(cmd, 0x1234);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x11ULL | (0x1234ULL << 48));
	KUNIT_EXPECT_EQ(test, cmd[1], 0ULL);

	smmu_cmd_tlbi_va(cmd, 7, 0x12345000, true);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x12ULL | (7ULL << 48));
	KUNIT_EXPECT_EQ(test, cmd[1], 0x12345000ULL | 1);

	smmu_cmd_tlbi_va(cmd, 7, 0x12345fff, false);
	KUNIT_EXPECT_EQ(test, cmd[1], 0x12345000ULL);

	/* NUM 1, SCALE 4: 32 pages; TG 4K, TTL level 3. */
	smmu_cmd_tlbi_range(cmd, 7, 0x12345000, 4, 1, 3, true);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x12ULL | (1ULL << 12) | (4ULL << 20) |
			(7ULL << 48));
	KUNIT_EXPECT_EQ(test, cmd[1], 0x12345000ULL | (1ULL << 10) |
			(3ULL << 8) | 1);

	smmu_cmd_tlbi_all(cmd);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x30ULL);

	smmu_cmd_sync(cmd);
	KUNIT_EXPECT_EQ(test, cmd[0], 0x46ULL);			/* CS none */
	KUNIT_EXPECT_EQ(test, cmd[1], 0ULL);
}

/*
 * A range of pages takes a few range commands, which together cover it
 * exactly, each within the fields' widths: NUM + 1 up to 32 units of
 * 2^SCALE pages.
 */
static void range_commands_cover_exactly_the_pages(struct kunit *test)
{
	static const unsigned long counts[] = {
		1, 2, 3, 16, 17, 31, 32, 33, 37, 64, 65, 300, 511, 512, 513,
		0xfffff, 0x100000,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		unsigned long left = counts[i], covered = 0, step;
		unsigned int scale, num, commands = 0;

		while (left && commands < 8) {
			step = smmu_tlbi_range_step(left, &scale, &num);
			KUNIT_EXPECT_LE(test, num, 31);
			KUNIT_EXPECT_LE(test, scale, 31);
			KUNIT_EXPECT_EQ(test, step, (unsigned long)(num + 1) << scale);
			KUNIT_ASSERT_LE(test, step, left);
			covered += step;
			left -= step;
			commands++;
		}
		KUNIT_EXPECT_EQ_MSG(test, covered, counts[i], "%lu pages", counts[i]);
		KUNIT_EXPECT_LE_MSG(test, commands, 5, "%lu pages", counts[i]);
	}
}

static void events_have_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, smmu_event_name(0x10), "translation fault");
	KUNIT_EXPECT_STREQ(test, smmu_event_name(0x13), "permission fault");
	KUNIT_EXPECT_STREQ(test, smmu_event_name(0xff), "unknown event");
}

static struct kunit_case smmu_v3_encoding_cases[] = {
	KUNIT_CASE(an_abort_ste_is_valid_with_config_abort),
	KUNIT_CASE(a_bypass_ste_uses_incoming_shareability),
	KUNIT_CASE(a_stage1_ste_points_at_one_context_descriptor),
	KUNIT_CASE(a_context_descriptor_describes_the_io_pgtable),
	KUNIT_CASE(an_entry_reads_only_the_fields_of_its_config),
	KUNIT_CASE(a_level1_descriptor_spans_its_level2_table),
	KUNIT_CASE(commands_carry_opcode_and_operands_where_specified),
	KUNIT_CASE(range_commands_cover_exactly_the_pages),
	KUNIT_CASE(events_have_names),
	{}
};

static struct kunit_suite smmu_v3_encoding_suite = {
	.name = "smmu_v3_encoding",
	.test_cases = smmu_v3_encoding_cases,
};

kunit_test_suite(smmu_v3_encoding_suite);

MODULE_DESCRIPTION("KUnit: the SMMUv3 encodings of 32-bit ARM's driver");
MODULE_LICENSE("GPL");
