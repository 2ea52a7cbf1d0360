/*
 * e820 table builder.
 *
 * The inputs are a few RAM ranges and a few reserved ranges, possibly
 * overlapping (a reserved hole punched into RAM). Every range boundary cuts
 * the address space into elementary intervals; each interval takes the type
 * of the reserved range covering it, else RAM if a RAM range covers it, else
 * it is left out. Neighbouring intervals of one type are merged. With at most
 * E820_MAX_INPUT ranges this is O(n^2) on a few dozen points: no allocation,
 * a small stack frame, usable in the kernel and on the host alike.
 */
#include <errno.h>
#include <string.h>
#include "ditto/fmt.h"
#include "vmm/boot/e820.h"

static bool overlaps(const struct e820_range *a, const struct e820_range *b)
{
	return a->base < b->base + b->size && b->base < a->base + a->size;
}

static bool covers(const struct e820_range *r, uint64_t lo, uint64_t hi)
{
	return r->base <= lo && hi <= r->base + r->size;
}

static int check_ranges(const struct e820_range *r, size_t n, const char *what, bool reserved,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (!r[i].size || r[i].size > UINT64_MAX - r[i].base) {
			fmt_snprintf(err, errlen, "e820: %s range %zu [0x%llx +0x%llx) is empty or wraps",
				     what, i, (unsigned long long)r[i].base,
				     (unsigned long long)r[i].size);
			return -EINVAL;
		}
		if (reserved && (r[i].type < E820_RESERVED || r[i].type > E820_UNUSABLE)) {
			fmt_snprintf(err, errlen, "e820: reserved range %zu has type %u", i, r[i].type);
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++) {
			if (!overlaps(&r[i], &r[j]) || (reserved && r[i].type == r[j].type))
				continue;
			fmt_snprintf(err, errlen, "e820: %s ranges %zu and %zu overlap (0x%llx, 0x%llx)",
				     what, j, i, (unsigned long long)r[j].base,
				     (unsigned long long)r[i].base);
			return -EINVAL;
		}
	}
	return 0;
}

/* Insertion of v into the sorted, duplicate-free pts[0..*n). */
static void add_point(uint64_t *pts, size_t *n, uint64_t v)
{
	size_t i = 0;
	while (i < *n && pts[i] < v)
		i++;
	if (i < *n && pts[i] == v)
		return;
	memmove(&pts[i + 1], &pts[i], (*n - i) * sizeof(*pts));
	pts[i] = v;
	(*n)++;
}

static uint32_t type_of(uint64_t lo, uint64_t hi, const struct e820_range *ram, size_t nram,
			const struct e820_range *rsv, size_t nrsv)
{
	for (size_t i = 0; i < nrsv; i++)
		if (covers(&rsv[i], lo, hi))
			return rsv[i].type;
	for (size_t i = 0; i < nram; i++)
		if (covers(&ram[i], lo, hi))
			return E820_RAM;
	return 0;
}

int e820_build(const struct e820_range *ram, size_t nram, const struct e820_range *rsv,
	       size_t nrsv, struct linux_e820_entry *out, size_t cap, char *err, size_t errlen)
{
	uint64_t pts[2 * E820_MAX_INPUT];
	size_t npts = 0, need = 0;
	int rc;

	if (nram + nrsv > E820_MAX_INPUT) {
		fmt_snprintf(err, errlen, "e820: %zu ranges, at most %u", nram + nrsv, E820_MAX_INPUT);
		return -EINVAL;
	}
	rc = check_ranges(ram, nram, "RAM", false, err, errlen);
	if (rc)
		return rc;
	rc = check_ranges(rsv, nrsv, "reserved", true, err, errlen);
	if (rc)
		return rc;
	for (size_t i = 0; i < nram; i++) {
		add_point(pts, &npts, ram[i].base);
		add_point(pts, &npts, ram[i].base + ram[i].size);
	}
	for (size_t i = 0; i < nrsv; i++) {
		add_point(pts, &npts, rsv[i].base);
		add_point(pts, &npts, rsv[i].base + rsv[i].size);
	}
	/* last type and end emitted, to merge contiguous intervals of one type */
	uint32_t last_type = 0;
	uint64_t last_end = 0;
	for (size_t i = 0; i + 1 < npts; i++) {
		uint32_t t = type_of(pts[i], pts[i + 1], ram, nram, rsv, nrsv);
		if (!t)
			continue;
		if (need && t == last_type && pts[i] == last_end) {
			if (need <= cap)
				out[need - 1].size += pts[i + 1] - pts[i];
		} else {
			if (need < cap)
				out[need] = (struct linux_e820_entry){ pts[i], pts[i + 1] - pts[i], t };
			need++;
		}
		last_type = t;
		last_end = pts[i + 1];
	}
	if (need > cap) {
		fmt_snprintf(err, errlen, "e820: the map needs %zu entries, room for %zu", need, cap);
		return -ENOSPC;
	}
	return (int)need;
}

bool e820_is_ram(const struct linux_e820_entry *t, size_t n, uint64_t base, uint64_t size)
{
	if (size > UINT64_MAX - base)
		return false;
	for (size_t i = 0; i < n; i++)
		if (t[i].type == E820_RAM && t[i].addr <= base && base + size <= t[i].addr + t[i].size)
			return true;
	return false;
}
