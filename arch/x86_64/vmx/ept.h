/*
 * Extended page tables (SDM Vol. 3C 29.3): 4 levels, 4 KiB / 2 MiB / 1 GiB
 * leaves. Host-testable: tables come from env_alloc_pages and hold
 * env_virt_to_phys addresses. Not locked: the caller serialises changes and
 * invalidates (INVEPT) before relying on them.
 */
#ifndef VMX_EPT_H
#define VMX_EPT_H
#include "ditto/env.h"

/* Entry bits (SDM Table 29-1..29-6), the one definition. */
#define EPT_R (1ull << 0)
#define EPT_W (1ull << 1)
#define EPT_X (1ull << 2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT 3 /* leaf memory type, bits 5:3 */
#define EPT_MT_UC 0ull
#define EPT_MT_WB 6ull
#define EPT_MT(t) ((uint64_t)(t) << EPT_MT_SHIFT)
#define EPT_IGNORE_PAT (1ull << 6)
#define EPT_LARGE (1ull << 7) /* leaf at level 2 (1 GiB) or 3 (2 MiB) */
#define EPT_ACCESSED (1ull << 8)
#define EPT_DIRTY (1ull << 9)
#define EPT_ADDR_MASK 0x000ffffffffff000ull
#define EPT_LEAF_FLAGS (EPT_RWX | (7ull << EPT_MT_SHIFT) | EPT_IGNORE_PAT)

/* EPTP (SDM 25.6.11): memory type WB, walk length 4, optional A/D. */
#define EPTP_WB 6ull
#define EPTP_WALK4 (3ull << 3)
#define EPTP_AD (1ull << 6)

static inline uint64_t ept_entry_addr(uint64_t e) { return e & EPT_ADDR_MASK; }
static inline bool ept_entry_present(uint64_t e) { return (e & EPT_RWX) != 0; }

struct ept {
	uint64_t *pml4;
	uint64_t pml4_phys;
	size_t table_pages; /* metadata: pages of tables in use */
};

int ept_init(struct ept *e);
void ept_destroy(struct ept *e);
/* Map [gpa, gpa+size) to [hpa, ...) with leaf `flags` (permissions, memory
 * type). Uses 2 MiB leaves where both sides are aligned and `allow_large`;
 * splits a large leaf when a smaller range inside it changes. -ENOMEM when
 * tables run out (the mapping may then be partial; the caller stops the VM). */
int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t flags,
	    bool allow_large);
/* Remove mappings of [gpa, gpa+size), splitting large leaves as needed. */
int ept_unmap(struct ept *e, uint64_t gpa, uint64_t size);
/* Translate: 0 and the host address and leaf flags, or -ENOENT. */
int ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint64_t *flags, int *level);
uint64_t ept_pointer(const struct ept *e, bool accessed_dirty);
#endif
