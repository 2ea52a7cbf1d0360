#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "mm/heap.h"

static size_t pages_out;
static void *pa(size_t n)
{
	pages_out += n;
	return env_alloc_pages(n);
}
static void pf(void *p, size_t n)
{
	pages_out -= n;
	env_free_pages(p, n);
}
static const struct heap_page_ops ops = { pa, pf };
static void *fail_alloc(size_t n) { (void)n; return NULL; }
static const struct heap_page_ops failing = { fail_alloc, pf };

TEST(small_and_large_blocks_are_aligned_and_usable)
{
	struct heap h;
	heap_init(&h, &ops);
	size_t sizes[] = { 1, 15, 16, 17, 100, 1024, 1025, 4000, 4096, 70000 };
	void *p[10];
	for (int i = 0; i < 10; i++) {
		p[i] = heap_alloc(&h, sizes[i]);
		CHECK(p[i]);
		CHECK_EQ((uintptr_t)p[i] % 16, 0);
		CHECK(heap_usable(&h, p[i]) >= sizes[i]);
		memset(p[i], 0xa5, sizes[i]);
	}
	for (int i = 0; i < 10; i++)
		heap_free(&h, p[i]);
	CHECK_EQ(h.bytes_in_use, 0);
	CHECK(h.pages_in_use <= HEAP_NCLASSES);
	heap_trim(&h);
	CHECK_EQ(h.pages_in_use, 0);
}

TEST(blocks_do_not_overlap)
{
	struct heap h;
	heap_init(&h, &ops);
	enum { N = 3000 };
	static uint8_t *p[N];
	static size_t sz[N];
	srand(1);
	for (int i = 0; i < N; i++) {
		sz[i] = 1 + (size_t)(rand() % 3000);
		p[i] = heap_alloc(&h, sz[i]);
		CHECK(p[i]);
		memset(p[i], i & 0xff, sz[i]);
	}
	for (int i = 0; i < N; i++)
		for (size_t j = 0; j < sz[i]; j++)
			CHECK_EQ(p[i][j], i & 0xff);
	for (int i = 0; i < N; i++)
		heap_free(&h, p[i]);
	CHECK_EQ(h.bytes_in_use, 0);
	heap_trim(&h);
	CHECK_EQ(h.pages_in_use, 0);
}

TEST(zalloc_zeroes)
{
	struct heap h;
	heap_init(&h, &ops);
	uint8_t *a = heap_alloc(&h, 64);
	memset(a, 0xff, 64);
	heap_free(&h, a);
	uint8_t *b = heap_zalloc(&h, 64);
	for (int i = 0; i < 64; i++)
		CHECK_EQ(b[i], 0);
	heap_free(&h, b);
	heap_trim(&h);
}

TEST(double_free_panics)
{
	struct heap h;
	heap_init(&h, &ops);
	void *a = heap_alloc(&h, 32);
	void *keep = heap_alloc(&h, 32); /* keeps the slab alive */
	heap_free(&h, a);
	CHECK_PANICS(heap_free(&h, a));
	heap_free(&h, keep);
	heap_trim(&h);
}

TEST(foreign_and_interior_pointers_panic)
{
	struct heap h;
	heap_init(&h, &ops);
	uint8_t *a = heap_alloc(&h, 64);
	CHECK_PANICS(heap_free(&h, a + 8));
	uint8_t *big = heap_alloc(&h, 10000);
	CHECK_PANICS(heap_free(&h, big + 4096));
	void *foreign = env_alloc_pages(1);
	memset(foreign, 0, 4096);
	CHECK_PANICS(heap_free(&h, (uint8_t *)foreign + 64));
	env_free_pages(foreign, 1);
	heap_free(&h, a);
	heap_free(&h, big);
	heap_trim(&h);
}

TEST(out_of_pages_returns_null)
{
	struct heap h;
	heap_init(&h, &failing);
	CHECK(heap_alloc(&h, 16) == NULL);
	CHECK(heap_alloc(&h, 1 << 20) == NULL);
	CHECK_EQ(h.failures, 2);
	CHECK(heap_alloc(&h, (size_t)1 << 62) == NULL);
}

TEST(empty_slabs_return_pages)
{
	struct heap h;
	heap_init(&h, &ops);
	size_t before = pages_out;
	static void *p[2000];
	for (int i = 0; i < 2000; i++)
		p[i] = heap_alloc(&h, 128);
	CHECK(pages_out - before >= 2000 * 128 / 4096);
	for (int i = 0; i < 2000; i++)
		heap_free(&h, p[i]);
	CHECK(pages_out - before <= 1);
	heap_trim(&h);
	CHECK_EQ(pages_out, before);
}
