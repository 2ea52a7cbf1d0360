/* Unit tests of the memory engine (mm/engine/) on the array backend. */
#include <stdlib.h>
#include "check.h"
#include "mem_backend.h"
#include "mm/engine/engine_int.h"

static struct mb B;
static struct mme *E;
static uint8_t buf[4096];

static void fill_text(uint8_t *p, uint32_t seed)
{
	static const char *w[] = { "GET ", "/index.html ", "200 ", "HTTP/1.1 ",
				   "Mozilla ", "10.0.0.", "\n", "POST " };
	size_t o = 0;
	while (o < 4096) {
		seed = seed * 1103515245u + 12345u;
		const char *s = w[(seed >> 16) & 7];
		for (; *s && o < 4096; s++)
			p[o++] = (uint8_t)*s;
	}
}

static void fill_random(uint8_t *p, uint32_t seed)
{
	for (int i = 0; i < 4096; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static uint8_t *gpage(uint32_t vm, uint64_t gfn)
{
	return B.vm[vm].mem + gfn * 4096;
}

static void setup(uint32_t nvm, uint64_t npages, bool same_group,
		  void (*tweak)(struct mme_config *))
{
	struct mme_config c;
	if (E) { /* a failed test returned early */
		mme_destroy(E);
		mb_free(&B);
	}
	mme_config_default(&c);
	c.max_pages = nvm * npages;
	c.cold_age = 1;
	if (tweak)
		tweak(&c);
	memset(&B, 0, sizeof(B));
	if (mme_create(&c, &mb_ops, &B, &E))
		abort();
	for (uint32_t i = 0; i < nvm; i++) {
		uint32_t id;
		mb_add_vm(&B, npages);
		if (mme_vm_add(E, npages, same_group ? 0 : i, &id) || id != i)
			abort();
	}
}

static void teardown(void)
{
	mme_destroy(E);
	E = NULL;
	mb_free(&B);
}

static void no_patch(struct mme_config *c)
{
	c->enable_patch = false;
	c->enable_compress = false;
}

static void passes(int n)
{
	for (int i = 0; i < n; i++)
		mme_scan(E, E->live_pages);
}

/* Every page of every VM, read through the guest mapping, equals exp. */
static int same(uint32_t vm, uint64_t gfn, const uint8_t *exp)
{
	if (mme_read(E, vm, gfn, buf) || memcmp(buf, exp, 4096))
		return 0;
	if (mb_read(&B, E, vm, gfn, buf) || memcmp(buf, exp, 4096))
		return 0;
	return 1;
}


TEST(zero_pages_become_zero)
{
	setup(1, 8, true, no_patch);
	gpage(0, 3)[100] = 1;
	passes(1);
	CHECK_EQ(mme_page_state(E, 0, 0), MME_ZERO);
	CHECK_EQ(mme_page_state(E, 0, 3), MME_PRIVATE);
	CHECK_EQ(mme_check(E), 0);
	memset(buf, 0, sizeof(buf));
	CHECK(same(0, 0, buf));
	uint8_t v = 7;
	CHECK_EQ(mb_write(&B, E, 0, 0, 5, &v, 1), 0);
	CHECK_EQ(mme_page_state(E, 0, 0), MME_PRIVATE);
	buf[5] = 7;
	CHECK(same(0, 0, buf));
	CHECK_EQ(B.bad, 0);
	teardown();
}

TEST(identical_pages_share_within_group_only)
{
	static uint8_t t[4096];
	setup(3, 4, false, no_patch);
	fill_random(t, 1);
	memcpy(gpage(0, 1), t, 4096);
	memcpy(gpage(0, 2), t, 4096);
	memcpy(gpage(1, 1), t, 4096); /* another group */
	passes(2);
	CHECK_EQ(mme_page_state(E, 0, 1), MME_SHARED);
	CHECK_EQ(mme_page_state(E, 0, 2), MME_SHARED);
	CHECK_EQ(mme_page_state(E, 1, 1), MME_PRIVATE);
	CHECK_EQ(E->vms[0].pages[1].u, E->vms[0].pages[2].u);
	CHECK_EQ(mme_check(E), 0);
	CHECK(same(0, 1, t) && same(0, 2, t) && same(1, 1, t));
	teardown();
}

TEST(cow_break_keeps_other_sharer)
{
	static uint8_t t[4096], t2[4096];
	setup(1, 4, true, no_patch);
	fill_random(t, 2);
	memcpy(gpage(0, 0), t, 4096);
	memcpy(gpage(0, 1), t, 4096);
	memcpy(gpage(0, 2), t, 4096);
	passes(1);
	CHECK_EQ(mme_page_state(E, 0, 2), MME_SHARED);
	uint8_t v = 0x42;
	CHECK_EQ(mb_write(&B, E, 0, 1, 4095, &v, 1), 0);
	memcpy(t2, t, 4096);
	t2[4095] = 0x42;
	CHECK_EQ(mme_page_state(E, 0, 1), MME_PRIVATE);
	CHECK(same(0, 0, t) && same(0, 1, t2) && same(0, 2, t));
	CHECK_EQ(mme_check(E), 0);
	struct mme_stats st;
	mme_get_stats(E, &st);
	CHECK_EQ(st.cow_breaks, 1);
	teardown();
}

TEST(near_identical_page_is_patched_and_faults_back)
{
	static uint8_t t[4096], t2[4096];
	setup(1, 4, true, NULL);
	fill_random(t, 3);
	memcpy(t2, t, 4096);
	t2[700] ^= 0xff;
	t2[2000] ^= 0x11;
	memcpy(gpage(0, 0), t, 4096);
	memcpy(gpage(0, 1), t2, 4096);
	passes(4);
	int patched = mme_page_state(E, 0, 0) == MME_PATCHED ||
		      mme_page_state(E, 0, 1) == MME_PATCHED;
	CHECK(patched);
	struct mme_stats st;
	mme_get_stats(E, &st);
	CHECK_EQ(st.patches_xor, 1);
	CHECK(st.patch_bytes < 64);
	CHECK_EQ(mme_check(E), 0);
	CHECK(same(0, 0, t) && same(0, 1, t2));
	CHECK_EQ(mme_page_state(E, 0, 1), MME_PRIVATE);
	teardown();
}

TEST(shifted_page_gets_xdelta3_patch)
{
	static uint8_t t[4096], t2[4096];
	setup(1, 4, true, NULL);
	fill_random(t, 4);
	/* 8 bytes inserted at 3000: the tail moves. */
	memcpy(t2, t, 3000);
	memset(t2 + 3000, 0xab, 8);
	memcpy(t2 + 3008, t + 3000, 4096 - 3008);
	memcpy(gpage(0, 0), t, 4096);
	memcpy(gpage(0, 1), t2, 4096);
	passes(4);
	struct mme_stats st;
	mme_get_stats(E, &st);
	CHECK_EQ(st.patches_xd3, 1);
	CHECK_EQ(mme_check(E), 0);
	CHECK(same(0, 0, t) && same(0, 1, t2));
	teardown();
}

TEST(repeating_deltas_get_lz4_of_xor_patch)
{
	static uint8_t t[4096], t2[4096];
	setup(1, 2, true, NULL);
	fill_random(t, 11);
	memcpy(t2, t, 4096);
	/* Every word of the second half XORed with one pattern: runs would
	 * take 2 KiB, LZ4 of the XOR a few bytes. The first half still
	 * matches, so the similarity index finds page 0. */
	for (int i = 2048; i < 4096; i += 8) {
		uint64_t v;
		memcpy(&v, t2 + i, 8);
		v ^= 0x1122334455667788ull;
		memcpy(t2 + i, &v, 8);
	}
	memcpy(gpage(0, 0), t, 4096);
	memcpy(gpage(0, 1), t2, 4096);
	B.vm[0].accessed[0] = 1;
	passes(1);
	B.vm[0].accessed[0] = 1;
	passes(3);
	CHECK_EQ(mme_page_state(E, 0, 1), MME_PATCHED);
	struct mme_blob *b = (struct mme_blob *)(uintptr_t)E->vms[0].pages[1].u;
	CHECK_EQ(b->kind, BLOB_XLZ);
	CHECK(b->len < 100);
	CHECK_EQ(mme_check(E), 0);
	CHECK(same(0, 0, t) && same(0, 1, t2));
	teardown();
}

TEST(cold_text_compressed_hot_not)
{
	static uint8_t t[4096], t2[4096];
	setup(1, 2, true, NULL);
	fill_text(t, 5);
	fill_text(t2, 99);
	memcpy(gpage(0, 0), t, 4096);
	memcpy(gpage(0, 1), t2, 4096);
	for (int i = 0; i < 6; i++) {
		B.vm[0].accessed[1] = 1; /* page 1 stays hot */
		passes(1);
	}
	CHECK_EQ(mme_page_state(E, 0, 1), MME_PRIVATE);
	CHECK(mme_page_state(E, 0, 0) == MME_COMPRESSED ||
	      mme_page_state(E, 0, 0) == MME_PATCHED);
	CHECK(same(0, 0, t) && same(0, 1, t2));
	teardown();
}

TEST(random_page_is_not_kept_compressed)
{
	static uint8_t t[4096];
	setup(1, 1, true, NULL);
	fill_random(t, 6);
	memcpy(gpage(0, 0), t, 4096);
	passes(5);
	CHECK_EQ(mme_page_state(E, 0, 0), MME_PRIVATE);
	CHECK(same(0, 0, t));
	teardown();
}

TEST(reference_outlives_writes_to_it)
{
	static uint8_t t[4096], t2[4096], t3[4096];
	setup(1, 2, true, NULL);
	fill_random(t, 7);
	memcpy(t2, t, 4096);
	t2[10] ^= 1;
	memcpy(gpage(0, 0), t, 4096);
	memcpy(gpage(0, 1), t2, 4096);
	B.vm[0].accessed[0] = 1;
	passes(1);
	B.vm[0].accessed[0] = 1;
	passes(3); /* page 0 hot: it becomes the reference */
	CHECK_EQ(mme_page_state(E, 0, 1), MME_PATCHED);
	CHECK_EQ(mme_page_state(E, 0, 0), MME_SHARED);
	memset(t3, 0x77, 4096);
	CHECK_EQ(mb_write(&B, E, 0, 0, 0, t3, 4096), 0);
	CHECK_EQ(mme_check(E), 0);
	CHECK_EQ(mme_page_state(E, 0, 1), MME_PATCHED);
	passes(3);
	CHECK_EQ(mme_check(E), 0);
	CHECK(same(0, 1, t2) && same(0, 0, t3));
	teardown();
}

static uint64_t weak_hash(const void *p)
{
	return ((const uint8_t *)p)[0] & 1;
}

static void weak(struct mme_config *c)
{
	c->hash_hook = weak_hash;
	c->enable_patch = false;
	c->enable_compress = false;
}

TEST(hash_collisions_never_merge_different_pages)
{
	static uint8_t t[4096];
	setup(1, 16, true, weak);
	for (int i = 0; i < 16; i++) {
		fill_random(gpage(0, i), 100 + (uint32_t)i % 5);
		gpage(0, i)[0] = 2; /* all hash to 0 */
	}
	passes(3);
	CHECK_EQ(mme_check(E), 0);
	struct mme_stats st;
	mme_get_stats(E, &st);
	CHECK(st.hash_collisions > 0);
	CHECK_EQ(st.sframes, 5);
	for (int i = 0; i < 16; i++) {
		fill_random(t, 100 + (uint32_t)i % 5);
		t[0] = 2;
		CHECK(same(0, (uint64_t)i, t));
	}
	teardown();
}

static int fail_mode;
static bool fail_hook(void *ctx)
{
	(void)ctx;
	return fail_mode;
}
static void failing(struct mme_config *c)
{
	c->alloc_fail_hook = fail_hook;
	c->reserve_frames = 2;
}

TEST(allocation_failure_stops_merging_fault_uses_reserve)
{
	static uint8_t t[4096];
	setup(1, 8, true, failing);
	fill_random(t, 8);
	for (int i = 0; i < 4; i++)
		memcpy(gpage(0, (uint64_t)i), t, 4096);
	fail_mode = 1;
	passes(3); /* no frame for an sframe: nothing merged */
	CHECK_EQ(mme_page_state(E, 0, 0), MME_PRIVATE);
	fail_mode = 0;
	passes(1);
	CHECK_EQ(mme_page_state(E, 0, 3), MME_SHARED);
	fail_mode = 1;
	uint8_t v = 1;
	/* Zero pages 4..7: COW breaks need frames; 2 in reserve. */
	CHECK_EQ(mb_write(&B, E, 0, 4, 0, &v, 1), 0);
	CHECK_EQ(mb_write(&B, E, 0, 5, 0, &v, 1), 0);
	CHECK_EQ(mb_write(&B, E, 0, 6, 0, &v, 1), -ENOMEM);
	CHECK_EQ(mme_page_state(E, 0, 6), MME_ZERO);
	CHECK_EQ(mme_check(E), 0);
	fail_mode = 0;
	passes(1); /* refills the reserve */
	CHECK_EQ(mb_write(&B, E, 0, 6, 0, &v, 1), 0);
	memset(buf, 0, 4096);
	buf[0] = 1;
	uint8_t got[4096];
	CHECK_EQ(mme_read(E, 0, 6, got), 0);
	CHECK(memcmp(got, buf, 4096) == 0);
	CHECK(same(0, 0, t));
	teardown();
}

TEST(free_makes_zero_and_releases)
{
	static uint8_t t[4096];
	setup(1, 4, true, NULL);
	fill_text(gpage(0, 0), 9);
	fill_text(gpage(0, 1), 9);
	passes(4);
	CHECK_EQ(mme_free(E, 0, 0), 0);
	CHECK_EQ(mme_free(E, 0, 1), 0);
	CHECK_EQ(mme_page_state(E, 0, 1), MME_ZERO);
	memset(t, 0, 4096);
	CHECK(same(0, 0, t) && same(0, 1, t));
	struct mme_stats st;
	mme_get_stats(E, &st);
	CHECK_EQ(st.sframes, 0);
	CHECK_EQ(mme_free(E, 0, 99), -EINVAL);
	teardown();
}

TEST(scan_respects_budget)
{
	setup(2, 10, true, NULL);
	CHECK_EQ(mme_scan(E, 7), 7);
	CHECK_EQ(mme_scan(E, 100), 100); /* wraps around */
	struct mme_stats st;
	mme_get_stats(E, &st);
	CHECK_EQ(st.scanned, 107);
	teardown();
}

TEST(xor_codec_roundtrip_and_limit)
{
	static uint8_t r[4096], p[4096], out[4096], d[4200];
	for (uint32_t s = 0; s < 200; s++) {
		fill_random(r, s);
		memcpy(p, r, 4096);
		uint32_t x = s * 2654435761u;
		for (uint32_t k = 0; k < (s % 40); k++) {
			x = x * 1103515245u + 12345u;
			p[(x >> 8) % 4096] ^= (uint8_t)(1 + (x & 0x7f));
		}
		size_t n = mme_xor_encode(p, r, d, 4096);
		CHECK(n <= 4096);
		mme_xor_apply(r, d, n, out);
		CHECK(memcmp(out, p, 4096) == 0);
		if (n > 10)
			CHECK_EQ(mme_xor_encode(p, r, d, 10), 11);
	}
	fill_random(p, 1);
	fill_random(r, 2);
	CHECK_EQ(mme_xor_encode(p, r, d, 2048), 2049);
}

TEST(bad_arguments_rejected)
{
	struct mme_config c;
	struct mme *e;
	mme_config_default(&c);
	c.keep_max = 4096;
	CHECK_EQ(mme_create(&c, &mb_ops, &B, &e), -EINVAL);
	setup(1, 4, true, NULL);
	uint32_t id;
	CHECK_EQ(mme_vm_add(E, 1, 0, &id), -ENOSPC);
	void *f;
	CHECK_EQ(mme_fault(E, 0, 4, true, &f), -EINVAL);
	CHECK_EQ(mme_fault(E, 5, 0, true, &f), -EINVAL);
	CHECK_EQ(mme_read(E, 0, 4, buf), -EINVAL);
	teardown();
}
