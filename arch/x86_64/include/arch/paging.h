#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/layout.h"

static inline void *phys_to_virt(uint64_t pa) { return (void *)(DIRECT_MAP_BASE + pa); }
uint64_t virt_to_phys(const void *va);

struct mb2_info;
/* Build Ditto's own page tables (direct map of RAM, kernel image with W^X,
 * no identity map) and switch to them. Needs the frame allocator. */
void paging_init(const struct mb2_info *mbi);

/* Map [phys, phys+len) into the I/O window: uncached for devices, write-back
 * for firmware tables. Returns the virtual address, or NULL when the window
 * or page-table frames run out. Mappings are permanent. */
void *iomap(uint64_t phys, size_t len, bool cached);

/* Highest physical address (exclusive) of RAM the direct map covers. */
extern uint64_t paging_ram_top;
extern uint64_t paging_kernel_cr3;
#endif
