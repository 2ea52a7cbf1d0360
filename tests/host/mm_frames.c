#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "mm/frames.h"

#define MB (1ull << 20)
static uint64_t bitmap[1 << 16];
static struct frames f;

static void setup(const struct frames_range *a, size_t na, const struct frames_range *x, size_t nx)
{
	size_t bytes = frames_bitmap_bytes(a, na);
	if (bytes > sizeof(bitmap))
		abort();
	if (frames_init(&f, a, na, x, nx, bitmap, sizeof(bitmap)))
		abort();
}

TEST(counts_only_available_minus_excluded)
{
	struct frames_range a[] = { { 0, 640 * 1024 }, { MB, 64 * MB } };
	struct frames_range x[] = { { 0, MB }, { MB, 3 * MB + 100 } /* kernel, unaligned end */ };
	setup(a, 2, x, 2);
	/* 64 MiB - 1 MiB (gap) - up to 3 MiB+4K excluded */
	CHECK_EQ(f.free_frames, (64 * MB - 3 * MB - 4096) / 4096);
	CHECK(!frames_is_free(&f, 0x1000));
	CHECK(!frames_is_free(&f, 3 * MB));
	CHECK(frames_is_free(&f, 3 * MB + 4096));
}

TEST(unaligned_available_ranges_round_inwards)
{
	struct frames_range a[] = { { 0x1800, 0x5800 } };
	setup(a, 1, NULL, 0);
	CHECK_EQ(f.free_frames, 3); /* 0x2000, 0x3000, 0x4000 */
	CHECK(!frames_is_free(&f, 0x1000));
	CHECK(!frames_is_free(&f, 0x5000));
}

TEST(overlapping_available_ranges_count_once)
{
	struct frames_range a[] = { { MB, 3 * MB }, { 2 * MB, 4 * MB } };
	setup(a, 2, NULL, 0);
	CHECK_EQ(f.free_frames, 3 * MB / 4096);
}

TEST(alloc_never_returns_excluded_or_duplicate)
{
	struct frames_range a[] = { { MB, 9 * MB } };
	struct frames_range x[] = { { 2 * MB, 3 * MB }, { 5 * MB + 4096, 5 * MB + 8192 } };
	setup(a, 1, x, 2);
	uint64_t total = f.free_frames;
	static uint8_t seen[9 * 256];
	memset(seen, 0, sizeof(seen));
	for (uint64_t i = 0; i < total; i++) {
		uint64_t pa = frames_alloc(&f, 1, 1);
		CHECK(pa != FRAMES_NONE);
		CHECK(!(pa >= 2 * MB && pa < 3 * MB));
		CHECK(pa != 5 * MB + 4096);
		CHECK(!seen[pa / 4096]);
		seen[pa / 4096] = 1;
	}
	CHECK_EQ(frames_alloc(&f, 1, 1), FRAMES_NONE);
	CHECK_EQ(f.free_frames, 0);
}

TEST(aligned_contiguous_runs)
{
	struct frames_range a[] = { { MB + 4096, 20 * MB } };
	setup(a, 1, NULL, 0);
	uint64_t p = frames_alloc(&f, 512, 512);
	CHECK(p != FRAMES_NONE);
	CHECK_EQ(p % (2 * MB), 0);
	for (uint64_t o = 0; o < 2 * MB; o += 4096)
		CHECK(!frames_is_free(&f, p + o));
	uint64_t q = frames_alloc(&f, 512, 512);
	CHECK(q != FRAMES_NONE && q != p);
	CHECK_EQ(q % (2 * MB), 0);
	frames_free(&f, p, 512);
	CHECK(frames_is_free(&f, p));
}

TEST(contiguous_run_skips_holes)
{
	struct frames_range a[] = { { MB, 2 * MB }, { 3 * MB, 8 * MB } };
	setup(a, 2, NULL, 0);
	/* 1.5 MiB contiguous cannot straddle the hole at 2-3 MiB. */
	uint64_t p = frames_alloc(&f, 384, 1);
	CHECK(p != FRAMES_NONE);
	CHECK(p >= 3 * MB);
}

TEST(free_makes_frames_reusable)
{
	struct frames_range a[] = { { MB, 2 * MB } };
	setup(a, 1, NULL, 0);
	uint64_t n = f.free_frames;
	uint64_t ps[256];
	for (uint64_t i = 0; i < n; i++)
		ps[i] = frames_alloc(&f, 1, 1);
	for (uint64_t i = 0; i < n; i += 2)
		frames_free(&f, ps[i], 1);
	CHECK_EQ(f.free_frames, n / 2);
	for (uint64_t i = 0; i < n / 2; i++)
		CHECK(frames_alloc(&f, 1, 1) != FRAMES_NONE);
	CHECK_EQ(frames_alloc(&f, 1, 1), FRAMES_NONE);
}

TEST(double_free_panics)
{
	struct frames_range a[] = { { MB, 2 * MB } };
	setup(a, 1, NULL, 0);
	uint64_t p = frames_alloc(&f, 1, 1);
	frames_free(&f, p, 1);
	CHECK_PANICS(frames_free(&f, p, 1));
}

TEST(free_outside_panics)
{
	struct frames_range a[] = { { MB, 2 * MB } };
	setup(a, 1, NULL, 0);
	CHECK_PANICS(frames_free(&f, 64 * MB, 1));
	CHECK_PANICS(frames_free(&f, MB + 1, 1));
}

TEST(ceiling_limits_early_allocations)
{
	struct frames_range a[] = { { MB, 16 * MB } };
	setup(a, 1, NULL, 0);
	f.ceiling = 2 * MB;
	for (int i = 0; i < 256; i++) {
		uint64_t p = frames_alloc(&f, 1, 1);
		CHECK(p != FRAMES_NONE && p < 2 * MB);
	}
	CHECK_EQ(frames_alloc(&f, 1, 1), FRAMES_NONE);
	f.ceiling = 0;
	CHECK(frames_alloc(&f, 1, 1) != FRAMES_NONE);
}

TEST(find_hole_avoids_exclusions_and_limit)
{
	struct frames_range a[] = { { 0, 640 * 1024 }, { MB, 64 * MB } };
	struct frames_range x[] = { { 0, MB }, { MB, 5 * MB }, { 5 * MB + 4096, 6 * MB } };
	uint64_t h = frames_find_hole(a, 2, x, 3, 8192, 64 * MB);
	CHECK_EQ(h, 6 * MB);
	CHECK_EQ(frames_find_hole(a, 2, x, 3, 4096, 64 * MB), 5 * MB);
	CHECK_EQ(frames_find_hole(a, 2, x, 3, 8192, 6 * MB), FRAMES_NONE);
	CHECK_EQ(frames_find_hole(a, 2, x, 3, 100 * MB, ~0ull), FRAMES_NONE);
}

TEST(random_alloc_free_keeps_count)
{
	struct frames_range a[] = { { MB, 33 * MB } };
	setup(a, 1, NULL, 0);
	uint64_t total = f.free_frames;
	struct { uint64_t pa; size_t n; } live[512];
	int nl = 0;
	srand(7);
	for (int it = 0; it < 20000; it++) {
		if (nl < 512 && (rand() & 1)) {
			size_t n = 1 + (size_t)(rand() % 64);
			size_t al = (size_t)1 << (rand() % 5);
			uint64_t p = frames_alloc(&f, n, al);
			if (p != FRAMES_NONE) {
				CHECK_EQ((p / 4096) % al, 0);
				live[nl].pa = p;
				live[nl++].n = n;
			}
		} else if (nl) {
			int k = rand() % nl;
			frames_free(&f, live[k].pa, live[k].n);
			live[k] = live[--nl];
		}
	}
	uint64_t used = 0;
	for (int i = 0; i < nl; i++)
		used += live[i].n;
	CHECK_EQ(f.free_frames + used, total);
}
