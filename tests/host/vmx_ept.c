/* The EPT builder: entry layouts, 2 MiB / 4 KiB leaves, splitting, unmap. */
#include "arch/x86_64/vmx/ept.h"
#include "check.h"

#define MB (1ull << 20)

TEST(map_large_and_small_and_lookup)
{
	struct ept e;
	CHECK_EQ(ept_init(&e), 0);
	CHECK_EQ(ept_map(&e, 0, 0x40000000, 4 * MB, EPT_RWX | EPT_MT(EPT_MT_WB), true), 0);
	uint64_t hpa, fl;
	int lvl;
	CHECK_EQ(ept_lookup(&e, 0x123456, &hpa, &fl, &lvl), 0);
	CHECK_EQ(hpa, 0x40123456);
	CHECK_EQ(lvl, 2); /* 2 MiB leaf */
	CHECK_EQ(fl & EPT_RWX, EPT_RWX);
	CHECK_EQ((fl >> EPT_MT_SHIFT) & 7, EPT_MT_WB);
	CHECK_EQ(ept_map(&e, 8 * MB + 4096, 0x50000000, 4096, EPT_R | EPT_MT(EPT_MT_UC), true), 0);
	CHECK_EQ(ept_lookup(&e, 8 * MB + 4096 + 5, &hpa, &fl, &lvl), 0);
	CHECK_EQ(hpa, 0x50000005);
	CHECK_EQ(lvl, 3);
	CHECK_EQ(fl & EPT_RWX, EPT_R);
	CHECK(ept_lookup(&e, 8 * MB, &hpa, &fl, &lvl) != 0);
	ept_destroy(&e);
}

TEST(unmap_inside_large_page_splits_and_keeps_the_rest)
{
	struct ept e;
	ept_init(&e);
	ept_map(&e, 0, 0x40000000, 2 * MB, EPT_RWX | EPT_MT(EPT_MT_WB), true);
	size_t before = e.table_pages;
	CHECK_EQ(ept_unmap(&e, 0x5000, 4096), 0);
	CHECK_EQ(e.table_pages, before + 1);
	uint64_t hpa;
	int lvl;
	CHECK(ept_lookup(&e, 0x5000, &hpa, NULL, &lvl) != 0);
	CHECK_EQ(ept_lookup(&e, 0x4fff, &hpa, NULL, &lvl), 0);
	CHECK_EQ(hpa, 0x40004fff);
	CHECK_EQ(lvl, 3);
	CHECK_EQ(ept_lookup(&e, 0x1fffff, &hpa, NULL, NULL), 0);
	CHECK_EQ(hpa, 0x401fffff);
	/* Remap the page: back to the same host page. */
	CHECK_EQ(ept_map(&e, 0x5000, 0x40005000, 4096, EPT_RWX | EPT_MT(EPT_MT_WB), false), 0);
	CHECK_EQ(ept_lookup(&e, 0x5000, &hpa, NULL, NULL), 0);
	CHECK_EQ(hpa, 0x40005000);
	ept_destroy(&e);
	CHECK_EQ(e.table_pages, 0);
}

TEST(unmap_whole_range_and_holes)
{
	struct ept e;
	ept_init(&e);
	ept_map(&e, 0, 0x40000000, 8 * MB, EPT_RWX | EPT_MT(EPT_MT_WB), true);
	CHECK_EQ(ept_unmap(&e, 2 * MB, 4 * MB), 0);
	CHECK(ept_lookup(&e, 2 * MB, NULL, NULL, NULL) != 0);
	CHECK(ept_lookup(&e, 6 * MB - 1, NULL, NULL, NULL) != 0);
	CHECK_EQ(ept_lookup(&e, 6 * MB, NULL, NULL, NULL), 0);
	CHECK_EQ(ept_lookup(&e, 2 * MB - 1, NULL, NULL, NULL), 0);
	CHECK_EQ(ept_unmap(&e, 100 * MB, 4096), 0); /* nothing there: fine */
	ept_destroy(&e);
}

TEST(rejects_unaligned_and_bad_flags)
{
	struct ept e;
	ept_init(&e);
	CHECK(ept_map(&e, 0x1001, 0, 4096, EPT_RWX, false) != 0);
	CHECK(ept_map(&e, 0, 0, 4096, EPT_LARGE, false) != 0);
	CHECK(ept_map(&e, ~0ull - 4095, 0, 8192, EPT_RWX, false) != 0);
	ept_destroy(&e);
}

TEST(eptp_layout)
{
	struct ept e;
	ept_init(&e);
	uint64_t p = ept_pointer(&e, true);
	CHECK_EQ(p & 7, 6);          /* WB */
	CHECK_EQ((p >> 3) & 7, 3);   /* walk length 4 */
	CHECK(p & (1 << 6));         /* A/D */
	CHECK_EQ(p & ~0xfffull, e.pml4_phys);
	ept_destroy(&e);
}

TEST(entries_are_sdm_layout)
{
	struct ept e;
	ept_init(&e);
	ept_map(&e, 0, 0x200000, 2 * MB, EPT_RWX | EPT_MT(EPT_MT_WB), true);
	uint64_t pml4e = e.pml4[0];
	CHECK_EQ(pml4e & 7, 7);
	uint64_t *pdpt = env_phys_to_virt(pml4e & EPT_ADDR_MASK);
	uint64_t *pd = env_phys_to_virt(pdpt[0] & EPT_ADDR_MASK);
	CHECK_EQ(pd[0], 0x200000 | (1 << 7) | (6 << 3) | 7);
	ept_destroy(&e);
}
