/*
 * What a 64-bit entry needs in guest memory: an identity map and a GDT
 * (SDM Vol. 3A 4.5 "4-Level Paging", 3.4.5 "Segment Descriptors").
 */
#ifndef VMM_BOOT_LONGMODE_H
#define VMM_BOOT_LONGMODE_H
#include "vmm/vm.h"

#define LM_GDT_CS 0x10 /* the selectors the backend loads for BOOT_LONG64 */
#define LM_GDT_DS 0x18
#define LM_GDT_LIMIT (4 * 8 - 1)
#define LM_GIB (1ull << 30)

/* Page-table entry bits used here. */
#define LM_PTE_P (1ull << 0)
#define LM_PTE_RW (1ull << 1)
#define LM_PTE_PS (1ull << 7) /* in a PD entry: a 2 MiB page */
#define LM_PTE_ADDR 0x000ffffffffff000ull

/* GDT entries: 0 and 0x08 null, 0x10 64-bit code (L=1, D=0), 0x18 flat data. */
#define LM_DESC_CODE64 0x00af9b000000ffffull
#define LM_DESC_DATA 0x00cf93000000ffffull

/*
 * Writes a 4-level identity map of [0, map_bytes) (rounded up to 1 GiB, at
 * most 512 GiB) with 2 MiB pages at the page-aligned gpa `at`: PML4, PDPT,
 * then one PD per GiB. The tables must end by `limit`. Returns the end of the
 * tables (> 0) or -ENOSPC / -EFAULT (outside RAM).
 */
int64_t lm_write_identity_map(struct vm *vm, uint64_t at, uint64_t limit, uint64_t map_bytes);
/* Writes the four-entry GDT at gpa; 0 or -EFAULT. */
int lm_write_gdt(struct vm *vm, uint64_t gpa);
#endif
