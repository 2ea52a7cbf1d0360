/*
 * The guest's physical memory map as an e820 table (what a PC BIOS reports
 * through INT 15h AX=E820h, and Linux reads from boot_params.e820_table).
 */
#ifndef VMM_BOOT_E820_H
#define VMM_BOOT_E820_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmm/boot/bootparam.h"

#define E820_MAX_INPUT 32 /* RAM + reserved ranges given to e820_build */

/* A range of guest-physical addresses [base, base + size) of an E820_* type. */
struct e820_range {
	uint64_t base, size;
	uint32_t type;
};

/*
 * Builds the sorted table of the guest's memory: the `ram` ranges (their type
 * field is ignored: they are E820_RAM) minus the `rsv` ranges, which keep
 * their own type (E820_RESERVED, _ACPI, _NVS, _UNUSABLE) and appear even where
 * no RAM is (MMIO windows). A reserved range always wins over RAM. Adjacent
 * ranges of one type are merged. Refused (-EINVAL, message in err): an empty
 * or wrapping range, overlapping RAM ranges, overlapping reserved ranges of
 * different types, a reserved range of type RAM, more than E820_MAX_INPUT
 * ranges; -ENOSPC: more than `cap` entries. Returns the number of entries.
 */
int e820_build(const struct e820_range *ram, size_t nram, const struct e820_range *rsv,
	       size_t nrsv, struct linux_e820_entry *out, size_t cap, char *err, size_t errlen);

/* True if [base, base + size) lies inside one entry of type E820_RAM. */
bool e820_is_ram(const struct linux_e820_entry *t, size_t n, uint64_t base, uint64_t size);
#endif
