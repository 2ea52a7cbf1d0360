/*
 * Page encoders of the memory engine.
 *
 * XOR + run-length ("xor" patches): the page is described against a
 * reference as a list of runs, each (bytes to skip, run length - 1, the
 * page's bytes of the run), both counts as LEB128 varints. Equal stretches
 * shorter than XOR_GAP inside a difference are kept in the run, since a new
 * run header costs about as much. Applying it is a copy of the reference
 * plus one memcpy per run. It is 10-30x faster than xdelta3 for in-place
 * edits (../../shared/notes/deps.md), but useless when content moved.
 *
 * xdelta3 (VCDIFF, XD3_COMPLEVEL_1) handles shifted content. Its allocator
 * hooks point at an engine-owned bump arena that is reset after every call:
 * an encode of one page allocates ~131 KiB, a decode ~19 KiB.
 *
 * LZ4 with an engine-owned state (LZ4_compress_default would put 16 KiB on
 * the stack).
 */
#include "mm/engine/engine_int.h"
#include "lz4.h"
/* xdelta3.h defines _POSIX_SOURCE (empty); the host libc already did. */
#undef _POSIX_SOURCE
#include "xdelta3.h"

#define XOR_GAP 3
#define ARENA_PAGES 80 /* 320 KiB: encode peak ~131 KiB plus alignment */

static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static size_t put_varint(uint8_t *o, uint32_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		o[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	o[n++] = (uint8_t)v;
	return n;
}

static uint32_t get_varint(const uint8_t **pp, const uint8_t *end)
{
	uint32_t v = 0;
	unsigned shift = 0;
	while (*pp < end) {
		uint8_t b = *(*pp)++;
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		shift += 7;
		ENV_ASSERT(shift < 28);
	}
	ENV_PANIC("xor patch: truncated varint");
}

/* Returns the encoded size, or max + 1 once it cannot fit in max. */
size_t mme_xor_encode(const uint8_t *page, const uint8_t *ref, uint8_t *out,
		      size_t max)
{
	size_t i = 0, pos = 0, o = 0;

	while (i < PG_SIZE) {
		while (i + 8 <= PG_SIZE && ld64(page + i) == ld64(ref + i))
			i += 8;
		while (i < PG_SIZE && page[i] == ref[i])
			i++;
		if (i >= PG_SIZE)
			break;
		size_t s = i;
		size_t e = s + 1;
		for (;;) {
			while (e < PG_SIZE && page[e] != ref[e])
				e++;
			size_t k = e;
			while (k < PG_SIZE && page[k] == ref[k] && k - e < XOR_GAP)
				k++;
			if (k < PG_SIZE && k - e < XOR_GAP) {
				e = k; /* short gap followed by a difference */
				continue;
			}
			break;
		}
		size_t len = e - s;
		if (o + 6 + len > max)
			return max + 1;
		o += put_varint(out + o, (uint32_t)(s - pos));
		o += put_varint(out + o, (uint32_t)(len - 1));
		memcpy(out + o, page + s, len);
		o += len;
		pos = e;
		i = e;
	}
	return o;
}

/*
 * ref may be out itself (the reference already decoded in place). Runs are
 * mostly a few bytes long, so the common one-byte varints and short runs
 * are handled inline (a libc call per run doubled the fault-in time).
 */
void mme_xor_apply(const uint8_t *ref, const uint8_t *d, size_t len,
		   uint8_t *out)
{
	const uint8_t *end = d + len;
	size_t pos = 0;

	if (ref != out)
		memcpy(out, ref, PG_SIZE);
	while (d < end) {
		size_t skip, n;
		if (*d < 0x80)
			skip = *d++;
		else
			skip = get_varint(&d, end);
		if (d < end && *d < 0x80)
			n = (size_t)*d++ + 1;
		else
			n = (size_t)get_varint(&d, end) + 1;
		pos += skip;
		if (pos + n > PG_SIZE || (size_t)(end - d) < n)
			ENV_PANIC("mme: corrupt xor patch");
		if (n <= 8) {
			for (size_t i = 0; i < n; i++)
				out[pos + i] = d[i];
		} else {
			memcpy(out + pos, d, n);
		}
		d += n;
		pos += n;
	}
}

/* Returns the compressed size, or 0 if it does not fit in max. */
size_t mme_lz4_encode(struct mme *e, const uint8_t *page, uint8_t *out,
		      size_t max)
{
	int r = LZ4_compress_fast_extState(e->lz4_state, (const char *)page,
					   (char *)out, PG_SIZE, (int)max, 1);
	return r > 0 ? (size_t)r : 0;
}

void mme_lz4_decode(const struct mme_blob *b, uint8_t *out)
{
	int r = LZ4_decompress_safe((const char *)b->data, (char *)out, b->len,
				    PG_SIZE);
	if (r != (int)PG_SIZE)
		ENV_PANIC("mme: corrupt compressed page (lz4 %d)", r);
}

/* ------------------------------------------------------------- xdelta3 */

static void *arena_alloc(void *opaque, size_t items, usize_t size)
{
	struct mme_arena *a = opaque;
	size_t n = ENV_ALIGN_UP(items * (size_t)size, 16);
	if (n > a->size - a->used)
		return NULL;
	void *p = a->base + a->used;
	a->used += n;
	return p;
}

static void arena_free(void *opaque, void *p)
{
	(void)opaque;
	(void)p; /* the whole arena is reset after each call */
}

static int xd3_run(struct mme *e, bool encode, const uint8_t *in, size_t inlen,
		   const uint8_t *ref, uint8_t *out, size_t *outlen, size_t max)
{
	xd3_config cfg;
	usize_t osz = 0;
	int ret;

	memset(e->xs, 0, sizeof(*e->xs));
	memset(e->xsrc, 0, sizeof(*e->xsrc));
	memset(&cfg, 0, sizeof(cfg));
	e->arena.used = 0;
	cfg.flags = XD3_COMPLEVEL_1;
	cfg.alloc = arena_alloc;
	cfg.freef = arena_free;
	cfg.opaque = &e->arena;
	if (encode) {
		cfg.winsize = PG_SIZE;
		cfg.sprevsz = PG_SIZE;
	}
	ret = xd3_config_stream(e->xs, &cfg);
	if (ret)
		goto out;
	e->xsrc->blksize = PG_SIZE;
	e->xsrc->onblk = PG_SIZE;
	e->xsrc->curblk = ref;
	e->xsrc->curblkno = 0;
	e->xsrc->max_winsize = PG_SIZE;
	ret = xd3_set_source_and_size(e->xs, e->xsrc, PG_SIZE);
	if (ret)
		goto out;
	if (encode)
		ret = xd3_encode_stream(e->xs, in, (usize_t)inlen, out, &osz,
					(usize_t)max);
	else
		ret = xd3_decode_stream(e->xs, in, (usize_t)inlen, out, &osz,
					(usize_t)max);
	*outlen = osz;
out:
	xd3_free_stream(e->xs);
	e->arena.used = 0;
	return ret;
}

/* Returns the delta size, or 0 if it failed or does not fit in max. */
size_t mme_xd3_encode(struct mme *e, const uint8_t *page, const uint8_t *ref,
		      uint8_t *out, size_t max)
{
	size_t n = 0;
	if (xd3_run(e, true, page, PG_SIZE, ref, out, &n, max) != 0)
		return 0;
	return n <= max ? n : 0;
}

void mme_xd3_decode(struct mme *e, const struct mme_blob *b,
		    const uint8_t *ref, uint8_t *out)
{
	size_t n = 0;
	int r = xd3_run(e, false, b->data, b->len, ref, out, &n, PG_SIZE);
	if (r != 0 || n != PG_SIZE)
		ENV_PANIC("mme: corrupt xdelta3 patch (%d, %zu bytes)", r, n);
}

/* Rebuild a patched or compressed page into out (a full frame). */
void mme_decode_page(struct mme *e, const struct mme_page *p, uint8_t *out)
{
	if (p->state == MME_COMPRESSED) {
		mme_lz4_decode((const struct mme_blob *)(uintptr_t)p->u, out);
		return;
	}
	ENV_ASSERT(p->state == MME_PATCHED);
	if (p->flags & PG_EMPTY) {
		const uint8_t *r = mme_sf_content(e, (uint32_t)p->u, out);
		if (r != out)
			memcpy(out, r, PG_SIZE);
		return;
	}
	const struct mme_blob *b = (const struct mme_blob *)(uintptr_t)p->u;
	if (b->kind == BLOB_XD3) {
		mme_xd3_decode(e, b, mme_sf_content(e, b->ref, e->scr_ref), out);
		return;
	}
	/* A compressed reference is decoded straight into out. */
	mme_patch_apply(e, b, mme_sf_content(e, b->ref, out), out);
}

/* XOR of page and ref, LZ4-compressed; 0 if it does not fit in max. */
size_t mme_xlz_encode(struct mme *e, const uint8_t *page, const uint8_t *ref,
		      uint8_t *out, size_t max)
{
	for (size_t i = 0; i < PG_SIZE; i += 8) {
		uint64_t x = ld64(page + i) ^ ld64(ref + i);
		memcpy(e->scr_x + i, &x, 8);
	}
	return mme_lz4_encode(e, e->scr_x, out, max);
}

/* Rebuild into out from a patch against ref (ref may be out itself). */
void mme_patch_apply(struct mme *e, const struct mme_blob *b,
		     const uint8_t *ref, uint8_t *out)
{
	switch (b->kind) {
	case BLOB_XOR:
		mme_xor_apply(ref, b->data, b->len, out);
		return;
	case BLOB_XLZ:
		mme_lz4_decode(b, e->scr_x);
		for (size_t i = 0; i < PG_SIZE; i += 8) {
			uint64_t x = ld64(ref + i) ^ ld64(e->scr_x + i);
			memcpy(out + i, &x, 8);
		}
		return;
	case BLOB_XD3:
		ENV_ASSERT(ref != out);
		mme_xd3_decode(e, b, ref, out);
		return;
	default:
		ENV_PANIC("mme: bad patch kind %u", b->kind);
	}
}

int mme_codec_init(struct mme *e)
{
	e->lz4_state = env_alloc_pages(
		ENV_ALIGN_UP((size_t)LZ4_sizeofState(), PG_SIZE) / PG_SIZE);
	e->xs = env_zalloc(sizeof(*e->xs));
	e->xsrc = env_zalloc(sizeof(*e->xsrc));
	e->arena.base = env_alloc_pages(ARENA_PAGES);
	e->arena.size = ARENA_PAGES * PG_SIZE;
	if (!e->lz4_state || !e->xs || !e->xsrc || !e->arena.base)
		return -ENOMEM;
	/*
	 * xdelta3 builds a static table lazily on its first use; do one tiny
	 * encode now, at creation (boot CPU), not in a fault path.
	 */
	memset(e->scr_a, 0, PG_SIZE);
	memset(e->scr_b, 0, PG_SIZE);
	e->scr_b[7] = 1;
	(void)mme_xd3_encode(e, e->scr_b, e->scr_a, e->scr_ref, PG_SIZE);
	return 0;
}

void mme_codec_fini(struct mme *e)
{
	if (e->lz4_state)
		env_free_pages(e->lz4_state,
			       ENV_ALIGN_UP((size_t)LZ4_sizeofState(), PG_SIZE) /
				       PG_SIZE);
	env_free(e->xs);
	env_free(e->xsrc);
	if (e->arena.base)
		env_free_pages(e->arena.base, ARENA_PAGES);
}
