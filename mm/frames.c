/*
 * Physical frame allocator.
 *
 * One bit per 4 KiB frame over [lowest available, highest available), set
 * when free. The bitmap is simple, has fixed metadata (32 KiB per GiB) and
 * finds aligned contiguous runs, which the monitor needs for 2 MiB guest
 * memory chunks. Allocation scans from a hint; single frames use a word-level
 * skip of full words. The kernel wraps these calls in its lock.
 */
#include <errno.h>
#include "ditto/bits.h"
#include "mm/frames.h"

static uint64_t round_up(uint64_t x) { return (x + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1); }
static uint64_t round_down(uint64_t x) { return x & ~(FRAME_SIZE - 1); }

static void span_of(const struct frames_range *avail, size_t n, uint64_t *lo, uint64_t *hi)
{
	*lo = ~0ull;
	*hi = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t b = round_up(avail[i].base), e = round_down(avail[i].end);
		if (e <= b)
			continue;
		*lo = ENV_MIN(*lo, b);
		*hi = ENV_MAX(*hi, e);
	}
}

size_t frames_bitmap_bytes(const struct frames_range *avail, size_t n_avail)
{
	uint64_t lo, hi;
	span_of(avail, n_avail, &lo, &hi);
	if (hi <= lo)
		return 0;
	uint64_t frames = (hi - lo) / FRAME_SIZE;
	return (size_t)((frames + 63) / 64 * 8);
}

static bool overlaps_excl(uint64_t b, uint64_t e, const struct frames_range *excl, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t xb = round_down(excl[i].base), xe = round_up(excl[i].end);
		if (b < xe && xb < e)
			return true;
	}
	return false;
}

uint64_t frames_find_hole(const struct frames_range *avail, size_t n_avail,
			  const struct frames_range *excl, size_t n_excl, size_t bytes,
			  uint64_t limit)
{
	uint64_t need = round_up(bytes);
	if (!need)
		return FRAMES_NONE;
	for (size_t i = 0; i < n_avail; i++) {
		uint64_t b = round_up(avail[i].base);
		uint64_t e = ENV_MIN(round_down(avail[i].end), round_down(limit));
		while (b + need <= e && b + need > b) {
			if (!overlaps_excl(b, b + need, excl, n_excl))
				return b;
			/* Jump past the first excluded range that overlaps. */
			uint64_t next = b + FRAME_SIZE;
			for (size_t j = 0; j < n_excl; j++) {
				uint64_t xb = round_down(excl[j].base), xe = round_up(excl[j].end);
				if (b < xe && xb < b + need)
					next = ENV_MAX(next, xe);
			}
			b = next;
		}
	}
	return FRAMES_NONE;
}

static inline void bit_set(struct frames *f, uint64_t i) { f->bitmap[i / 64] |= 1ull << (i % 64); }
static inline void bit_clear(struct frames *f, uint64_t i) { f->bitmap[i / 64] &= ~(1ull << (i % 64)); }
static inline bool bit_test(const struct frames *f, uint64_t i) { return f->bitmap[i / 64] >> (i % 64) & 1; }

/* Set or clear bits [b, e) (frame indices), whole words where possible. */
static void bits_fill(struct frames *f, uint64_t b, uint64_t e, bool set)
{
	while (b < e && b % 64)
		set ? bit_set(f, b++) : bit_clear(f, b++);
	for (; b + 64 <= e; b += 64)
		f->bitmap[b / 64] = set ? ~0ull : 0;
	while (b < e)
		set ? bit_set(f, b++) : bit_clear(f, b++);
}

int frames_init(struct frames *f, const struct frames_range *avail, size_t n_avail,
		const struct frames_range *excl, size_t n_excl, uint64_t *bitmap,
		size_t bitmap_bytes)
{
	uint64_t lo, hi;
	memset(f, 0, sizeof(*f));
	span_of(avail, n_avail, &lo, &hi);
	size_t need = frames_bitmap_bytes(avail, n_avail);
	if (hi <= lo || !bitmap || bitmap_bytes < need)
		return -EINVAL;
	f->bitmap = bitmap;
	f->base_pfn = lo / FRAME_SIZE;
	f->npfn = (hi - lo) / FRAME_SIZE;
	memset(bitmap, 0, need);
	/* Available ranges may overlap: setting a bit twice counts it once. */
	for (size_t i = 0; i < n_avail; i++) {
		uint64_t b = round_up(avail[i].base), e = round_down(avail[i].end);
		if (e > b)
			bits_fill(f, b / FRAME_SIZE - f->base_pfn, e / FRAME_SIZE - f->base_pfn, true);
	}
	for (size_t i = 0; i < n_excl; i++) {
		uint64_t b = ENV_MAX(round_down(excl[i].base), lo);
		uint64_t e = ENV_MIN(round_up(excl[i].end), hi);
		if (e > b)
			bits_fill(f, b / FRAME_SIZE - f->base_pfn, e / FRAME_SIZE - f->base_pfn, false);
	}
	for (uint64_t w = 0; w < need / 8; w++)
		f->free_frames += popcount64(bitmap[w]);
	f->usable_frames = f->free_frames;
	return 0;
}

/* Is [idx, idx+count) entirely free? Returns the first busy index or idx+count. */
static uint64_t first_busy(const struct frames *f, uint64_t idx, size_t count)
{
	for (uint64_t i = idx; i < idx + count; i++)
		if (!bit_test(f, i))
			return i;
	return idx + count;
}

static uint64_t search(struct frames *f, uint64_t from, uint64_t to, size_t count, size_t align)
{
	uint64_t amask = align - 1;
	/* align is in frames; the physical alignment is what matters. */
	uint64_t i = ((f->base_pfn + from + amask) & ~amask) - f->base_pfn;
	while (i + count <= to) {
		if (count == 1 && i % 64 == 0 && f->bitmap[i / 64] == 0) {
			i += 64;
			continue;
		}
		uint64_t busy = first_busy(f, i, count);
		if (busy == i + count)
			return i;
		i = ((f->base_pfn + busy + 1 + amask) & ~amask) - f->base_pfn;
	}
	return FRAMES_NONE;
}

uint64_t frames_alloc(struct frames *f, size_t count, size_t align)
{
	if (!count || !align || (align & (align - 1)) || count > f->free_frames)
		return FRAMES_NONE;
	uint64_t top = f->npfn;
	if (f->ceiling) {
		uint64_t cpfn = f->ceiling / FRAME_SIZE;
		top = cpfn <= f->base_pfn ? 0 : ENV_MIN(top, cpfn - f->base_pfn);
	}
	uint64_t start = f->hint * 64;
	if (start >= top)
		start = 0;
	uint64_t idx = search(f, start, top, count, align);
	if (idx == FRAMES_NONE && start)
		idx = search(f, 0, ENV_MIN(top, start + count), count, align);
	if (idx == FRAMES_NONE)
		return FRAMES_NONE;
	for (uint64_t i = idx; i < idx + count; i++)
		bit_clear(f, i);
	f->free_frames -= count;
	f->hint = (idx + count) / 64;
	return (f->base_pfn + idx) * FRAME_SIZE;
}

void frames_free(struct frames *f, uint64_t phys, size_t count)
{
	if (phys % FRAME_SIZE)
		ENV_PANIC("frames_free: 0x%llx not frame-aligned", (unsigned long long)phys);
	uint64_t pfn = phys / FRAME_SIZE;
	if (pfn < f->base_pfn || pfn + count > f->base_pfn + f->npfn || pfn + count < pfn)
		ENV_PANIC("frames_free: 0x%llx+%zu outside the allocator", (unsigned long long)phys,
			  count);
	uint64_t idx = pfn - f->base_pfn;
	for (uint64_t i = idx; i < idx + count; i++)
		if (bit_test(f, i))
			ENV_PANIC("frames_free: double free of frame 0x%llx",
				  (unsigned long long)((f->base_pfn + i) * FRAME_SIZE));
	for (uint64_t i = idx; i < idx + count; i++)
		bit_set(f, i);
	f->free_frames += count;
	if (idx / 64 < f->hint)
		f->hint = idx / 64;
}

bool frames_is_free(const struct frames *f, uint64_t phys)
{
	uint64_t pfn = phys / FRAME_SIZE;
	if (pfn < f->base_pfn || pfn >= f->base_pfn + f->npfn)
		return false;
	return bit_test(f, pfn - f->base_pfn);
}
