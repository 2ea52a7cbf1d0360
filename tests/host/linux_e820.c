/* vmm/boot/e820.c: the e820 table from RAM and reserved ranges. */
#include <errno.h>
#include "check.h"
#include "ditto/env.h"
#include "vmm/boot/e820.h"

static char err[256];
static struct linux_e820_entry t[LINUX_E820_MAX];

#define R(b, s) { (b), (s), E820_RAM }
#define X(b, s, ty) { (b), (s), (ty) }

/* Compares t[0..n) with want[]; prints the first difference. */
static int same(int n, const struct linux_e820_entry *want, int nwant)
{
	if (n != nwant) {
		printf("# %d entries, want %d (%s)\n", n, nwant, n < 0 ? err : "");
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (t[i].addr != want[i].addr || t[i].size != want[i].size || t[i].type != want[i].type) {
			printf("# entry %d: 0x%llx +0x%llx type %u\n", i, (unsigned long long)t[i].addr,
			       (unsigned long long)t[i].size, t[i].type);
			return 0;
		}
	return 1;
}

TEST(e820_one_ram_range)
{
	struct e820_range ram[] = { R(0, 1ull << 30) };
	const struct linux_e820_entry want[] = { { 0, 1ull << 30, E820_RAM } };
	int n = e820_build(ram, 1, NULL, 0, t, LINUX_E820_MAX, err, sizeof(err));
	CHECK(same(n, want, 1));
}

TEST(e820_hole_punched_into_ram)
{
	struct e820_range ram[] = { R(0, 64u << 20) };
	struct e820_range rsv[] = { X(0x9fc00, 0x100000 - 0x9fc00, E820_RESERVED),
				    X(32u << 20, 4096, E820_NVS) };
	const struct linux_e820_entry want[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x9fc00, 0x60400, E820_RESERVED },
		{ 0x100000, (32u << 20) - 0x100000, E820_RAM },
		{ 32u << 20, 4096, E820_NVS },
		{ (32u << 20) + 4096, (32u << 20) - 4096, E820_RAM },
	};
	int n = e820_build(ram, 1, rsv, 2, t, LINUX_E820_MAX, err, sizeof(err));
	CHECK(same(n, want, 5));
}

TEST(e820_sorted_merged_and_mmio_listed)
{
	/* Unsorted, two adjacent RAM ranges (merged), MMIO above RAM, a gap. */
	struct e820_range ram[] = { R(5ull << 30, 1ull << 30), R(1u << 20, 3u << 20), R(0, 1u << 20) };
	struct e820_range rsv[] = { X(0xfee00000, 0x1000, E820_RESERVED),
				    X(0xfec00000, 0x1000, E820_RESERVED) };
	const struct linux_e820_entry want[] = {
		{ 0, 4u << 20, E820_RAM },
		{ 0xfec00000, 0x1000, E820_RESERVED },
		{ 0xfee00000, 0x1000, E820_RESERVED },
		{ 5ull << 30, 1ull << 30, E820_RAM },
	};
	int n = e820_build(ram, 3, rsv, 2, t, LINUX_E820_MAX, err, sizeof(err));
	CHECK(same(n, want, 4));
}

TEST(e820_same_type_reserved_overlap_merges)
{
	struct e820_range ram[] = { R(0, 16u << 20) };
	struct e820_range rsv[] = { X(1u << 20, 2u << 20, E820_ACPI), X(2u << 20, 2u << 20, E820_ACPI) };
	const struct linux_e820_entry want[] = {
		{ 0, 1u << 20, E820_RAM },
		{ 1u << 20, 3u << 20, E820_ACPI },
		{ 4u << 20, 12u << 20, E820_RAM },
	};
	int n = e820_build(ram, 1, rsv, 2, t, LINUX_E820_MAX, err, sizeof(err));
	CHECK(same(n, want, 3));
	/* A reserved range covering all RAM leaves no RAM. */
	struct e820_range all[] = { X(0, 16u << 20, E820_UNUSABLE) };
	const struct linux_e820_entry want2[] = { { 0, 16u << 20, E820_UNUSABLE } };
	n = e820_build(ram, 1, all, 1, t, LINUX_E820_MAX, err, sizeof(err));
	CHECK(same(n, want2, 1));
}

TEST(e820_refuses_bad_input)
{
	struct e820_range ovl[] = { R(0, 2u << 20), R(1u << 20, 2u << 20) };
	CHECK_EQ(e820_build(ovl, 2, NULL, 0, t, LINUX_E820_MAX, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "RAM ranges 0 and 1 overlap"));
	struct e820_range ram[] = { R(0, 16u << 20) };
	struct e820_range mixed[] = { X(0, 8192, E820_ACPI), X(4096, 8192, E820_NVS) };
	CHECK_EQ(e820_build(ram, 1, mixed, 2, t, LINUX_E820_MAX, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "reserved ranges 0 and 1 overlap"));
	struct e820_range empty[] = { R(4096, 0) };
	CHECK_EQ(e820_build(empty, 1, NULL, 0, t, LINUX_E820_MAX, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "empty or wraps"));
	struct e820_range wrap[] = { R(~0ull - 4095, 8192) };
	CHECK_EQ(e820_build(wrap, 1, NULL, 0, t, LINUX_E820_MAX, err, sizeof(err)), -EINVAL);
	struct e820_range ramtype[] = { X(0, 4096, E820_RAM) };
	CHECK_EQ(e820_build(ram, 1, ramtype, 1, t, LINUX_E820_MAX, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "has type 1"));
	struct e820_range many[E820_MAX_INPUT + 1];
	for (unsigned i = 0; i < ENV_ARRAY_SIZE(many); i++)
		many[i] = (struct e820_range)R(i * 8192ull, 4096);
	CHECK_EQ(e820_build(many, ENV_ARRAY_SIZE(many), NULL, 0, t, LINUX_E820_MAX, err, sizeof(err)),
		 -EINVAL);
}

TEST(e820_capacity)
{
	struct e820_range ram[4];
	for (unsigned i = 0; i < 4; i++)
		ram[i] = (struct e820_range)R(i * 8192ull, 4096);
	CHECK_EQ(e820_build(ram, 4, NULL, 0, t, 4, err, sizeof(err)), 4);
	t[3].type = 99;
	CHECK_EQ(e820_build(ram, 4, NULL, 0, t, 3, err, sizeof(err)), -ENOSPC);
	CHECK(strstr(err, "needs 4 entries"));
	CHECK_EQ(t[3].type, 99); /* nothing written beyond cap */
}

TEST(e820_is_ram_bounds)
{
	const struct linux_e820_entry m[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x9fc00, 0x60400, E820_RESERVED },
		{ 0x100000, 0x100000, E820_RAM },
	};
	CHECK(e820_is_ram(m, 3, 0, 0x9fc00));
	CHECK(!e820_is_ram(m, 3, 0, 0x9fc01));
	CHECK(!e820_is_ram(m, 3, 0x9f000, 0x2000));
	CHECK(e820_is_ram(m, 3, 0x100000, 0x100000));
	CHECK(!e820_is_ram(m, 3, 0x100000, 0x100001));
	CHECK(!e820_is_ram(m, 3, 0x80000, 0x100000)); /* across the hole */
	CHECK(!e820_is_ram(m, 3, ~0ull - 10, 100));   /* wraps */
}
