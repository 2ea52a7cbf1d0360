/*
 * EPT builder. Level numbering here: 0 = PML4 (512 GiB per entry), 1 = PDPT
 * (1 GiB), 2 = PD (2 MiB), 3 = PT (4 KiB). A leaf at level 1 or 2 has
 * EPT_LARGE. Splitting a large leaf replaces it by a table of 512 smaller
 * leaves with the same flags, so the mapping is unchanged before the edit.
 */
#include <errno.h>
#include "arch/x86_64/vmx/ept.h"

#define LEVELS 4
static const unsigned shift_of[LEVELS] = { 39, 30, 21, 12 };

static uint64_t *table_new(struct ept *e)
{
	uint64_t *t = env_alloc_pages(1);
	if (!t)
		return NULL;
	memset(t, 0, ENV_PAGE_SIZE);
	e->table_pages++;
	return t;
}

static uint64_t *table_of(uint64_t entry)
{
	return env_phys_to_virt(ept_entry_addr(entry));
}

int ept_init(struct ept *e)
{
	memset(e, 0, sizeof(*e));
	e->pml4 = table_new(e);
	if (!e->pml4)
		return -ENOMEM;
	e->pml4_phys = env_virt_to_phys(e->pml4);
	return 0;
}

static void free_level(struct ept *e, uint64_t *t, int level)
{
	if (level < LEVELS - 1)
		for (int i = 0; i < 512; i++)
			if (ept_entry_present(t[i]) && !(t[i] & EPT_LARGE))
				free_level(e, table_of(t[i]), level + 1);
	env_free_pages(t, 1);
	e->table_pages--;
}

void ept_destroy(struct ept *e)
{
	if (e->pml4)
		free_level(e, e->pml4, 0);
	e->pml4 = NULL;
}

uint64_t ept_pointer(const struct ept *e, bool ad)
{
	return e->pml4_phys | EPTP_WB | EPTP_WALK4 | (ad ? EPTP_AD : 0);
}

/* Replace the large leaf *slot (at `level`) by a table of smaller leaves. */
static int split(struct ept *e, uint64_t *slot, int level)
{
	uint64_t *t = table_new(e);
	if (!t)
		return -ENOMEM;
	uint64_t base = ept_entry_addr(*slot);
	uint64_t flags = *slot & (EPT_LEAF_FLAGS | EPT_ACCESSED | EPT_DIRTY);
	uint64_t step = 1ull << shift_of[level + 1];
	bool child_large = level + 1 < LEVELS - 1;
	for (int i = 0; i < 512; i++)
		t[i] = (base + (uint64_t)i * step) | flags | (child_large ? EPT_LARGE : 0);
	*slot = env_virt_to_phys(t) | EPT_RWX;
	return 0;
}

/* The slot for gpa at `level`, creating/splitting tables on the way. */
static uint64_t *walk_create(struct ept *e, uint64_t gpa, int level, int *err)
{
	uint64_t *t = e->pml4;
	for (int l = 0; l < level; l++) {
		uint64_t *slot = &t[(gpa >> shift_of[l]) & 511];
		if (!ept_entry_present(*slot)) {
			uint64_t *n = table_new(e);
			if (!n) {
				*err = -ENOMEM;
				return NULL;
			}
			*slot = env_virt_to_phys(n) | EPT_RWX;
		} else if (*slot & EPT_LARGE) {
			if ((*err = split(e, slot, l)))
				return NULL;
		}
		t = table_of(*slot);
	}
	return &t[(gpa >> shift_of[level]) & 511];
}

int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t flags,
	    bool allow_large)
{
	if ((gpa | hpa | size) & (ENV_PAGE_SIZE - 1) || gpa + size < gpa || (flags & ~EPT_LEAF_FLAGS))
		return -EINVAL;
	while (size) {
		bool large = allow_large && !(gpa & 0x1fffff) && !(hpa & 0x1fffff) && size >= 0x200000;
		int level = large ? 2 : 3, err = 0;
		uint64_t *slot = walk_create(e, gpa, level, &err);
		if (!slot)
			return err;
		if (large && ept_entry_present(*slot) && !(*slot & EPT_LARGE))
			free_level(e, table_of(*slot), 3); /* a table of 4 KiB leaves is replaced */
		*slot = hpa | flags | (large ? EPT_LARGE : 0);
		uint64_t step = large ? 0x200000 : ENV_PAGE_SIZE;
		gpa += step;
		hpa += step;
		size -= step;
	}
	return 0;
}

int ept_unmap(struct ept *e, uint64_t gpa, uint64_t size)
{
	if ((gpa | size) & (ENV_PAGE_SIZE - 1) || gpa + size < gpa)
		return -EINVAL;
	while (size) {
		/* Find the leaf; split a large one unless the range covers it all. */
		uint64_t *t = e->pml4;
		uint64_t step = ENV_PAGE_SIZE;
		for (int l = 0; l < LEVELS; l++) {
			uint64_t *slot = &t[(gpa >> shift_of[l]) & 511];
			uint64_t span = 1ull << shift_of[l];
			if (!ept_entry_present(*slot)) {
				step = span - (gpa & (span - 1));
				break;
			}
			if (l == LEVELS - 1 || (*slot & EPT_LARGE)) {
				if (l < LEVELS - 1 && ((gpa & (span - 1)) || size < span)) {
					int err = split(e, slot, l);
					if (err)
						return err;
					t = table_of(*slot);
					continue;
				}
				*slot = 0;
				step = span;
				break;
			}
			t = table_of(*slot);
		}
		if (step >= size)
			break;
		gpa += step;
		size -= step;
	}
	return 0;
}

int ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint64_t *flags, int *level)
{
	const uint64_t *t = e->pml4;
	for (int l = 0; l < LEVELS; l++) {
		uint64_t s = t[(gpa >> shift_of[l]) & 511];
		if (!ept_entry_present(s))
			return -ENOENT;
		if (l == LEVELS - 1 || (s & EPT_LARGE)) {
			uint64_t mask = (1ull << shift_of[l]) - 1;
			if (hpa)
				*hpa = ept_entry_addr(s & ~mask) + (gpa & mask);
			if (flags)
				*flags = s & (EPT_LEAF_FLAGS | EPT_ACCESSED | EPT_DIRTY);
			if (level)
				*level = l;
			return 0;
		}
		t = table_of(s);
	}
	return -ENOENT;
}
