/*
 * Shared frames and the two hash tables of exact sharing.
 *
 * A shared frame ("sframe") holds one content read-only for every guest
 * page that maps it (maps) and every patched page that uses it as its
 * reference (deps). It lives exactly while maps + deps > 0. While no guest
 * page maps it, it may be compressed (frame NULL, cblob set); a mapping
 * needs it materialised first.
 *
 * stable:   sframes by (XXH64 of content, trust group); chained by id.
 * unstable: private pages by (hash at last scan, group), as in KSM's
 *           unstable tree: the content may have changed since, so a hit is
 *           only a candidate, confirmed by a byte compare of current
 *           contents. A hash is never trusted alone anywhere.
 * Both have a fixed bucket count chosen at creation (max_pages rounded up).
 */
#include "mm/engine/engine_int.h"

uint64_t mme_hslot(struct mme *e, uint64_t hash, uint32_t group)
{
	uint64_t h = hash ^ ((uint64_t)group * 0xff51afd7ed558ccdull);
	h ^= h >> 29;
	return h & e->hmask;
}

static int sf_grow(struct mme *e)
{
	uint32_t cap = e->sf_cap ? e->sf_cap * 2 : 1024;
	if (cap > e->cfg.max_pages + 1)
		cap = (uint32_t)e->cfg.max_pages + 1;
	if (cap <= e->sf_cap)
		return -ENOSPC;
	struct mme_sframe *n = mme_heap_alloc(e, (size_t)cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n, 0, (size_t)cap * sizeof(*n));
	if (e->sf)
		memcpy(n, e->sf, (size_t)e->sf_cap * sizeof(*n));
	env_free(e->sf);
	e->sf = n;
	e->sf_cap = cap;
	return 0;
}

static int sf_slot(struct mme *e, uint64_t hash, uint32_t group, uint32_t *id)
{
	uint32_t i;

	if (!e->sf_free && e->sf_used == e->sf_cap) {
		int r = sf_grow(e);
		if (r)
			return r;
	}
	if (e->sf_free) {
		i = e->sf_free - 1;
		e->sf_free = e->sf[i].next;
	} else {
		i = e->sf_used++;
	}
	struct mme_sframe *s = &e->sf[i];
	memset(s, 0, sizeof(*s));
	s->hash = hash;
	s->group = (uint16_t)group;
	s->live = 1;
	uint64_t b = mme_hslot(e, hash, group);
	s->next = e->stable[b];
	e->stable[b] = i + 1;
	*id = i;
	return 0;
}

/* Adopt a compressed payload as a new sframe (no frame, no copy). */
int mme_sf_adopt(struct mme *e, struct mme_blob *cblob, uint64_t hash,
		 uint32_t group, uint32_t *id)
{
	int r = sf_slot(e, hash, group, id);
	if (r)
		return r;
	e->sf[*id].cblob = cblob;
	return 0;
}

/* A new sframe holding a copy of content, with maps = deps = 0. */
int mme_sf_new(struct mme *e, const void *content, uint64_t hash,
	       uint32_t group, uint32_t *id)
{
	void *f = mme_frame_alloc(e, false);
	if (!f)
		return -ENOMEM;
	int r = sf_slot(e, hash, group, id);
	if (r) {
		mme_frame_free(e, f);
		return r;
	}
	memcpy(f, content, PG_SIZE);
	e->sf[*id].frame = f;
	return 0;
}

static void sf_unlink(struct mme *e, uint32_t id)
{
	struct mme_sframe *s = &e->sf[id];
	uint32_t *pp = &e->stable[mme_hslot(e, s->hash, s->group)];
	while (*pp != id + 1) {
		ENV_ASSERT(*pp != NIL);
		pp = &e->sf[*pp - 1].next;
	}
	*pp = s->next;
}

/* Drop an sframe whose maps + deps reached zero. */
void mme_sf_put(struct mme *e, uint32_t id)
{
	struct mme_sframe *s = &e->sf[id];
	ENV_ASSERT(s->live);
	if (s->maps || s->deps)
		return;
	sf_unlink(e, id);
	if (s->frame)
		mme_frame_free(e, s->frame);
	if (s->cblob)
		mme_blob_free(s->cblob);
	memset(s, 0, sizeof(*s));
	s->next = e->sf_free;
	e->sf_free = id + 1;
}

/* The content of an sframe: its frame, or decompressed into scratch. */
const uint8_t *mme_sf_content(struct mme *e, uint32_t id, uint8_t *scratch)
{
	struct mme_sframe *s = &e->sf[id];
	ENV_ASSERT(s->live);
	if (s->frame)
		return s->frame;
	mme_lz4_decode(s->cblob, scratch);
	return scratch;
}

/* Give a compressed sframe its frame back (before a page maps it). */
int mme_sf_materialize(struct mme *e, uint32_t id, bool use_reserve)
{
	struct mme_sframe *s = &e->sf[id];
	if (s->frame)
		return 0;
	void *f = mme_frame_alloc(e, use_reserve);
	if (!f)
		return -ENOMEM;
	mme_lz4_decode(s->cblob, f);
	mme_blob_free(s->cblob);
	s->cblob = NULL;
	s->frame = f;
	return 0;
}

/* Compress an sframe nobody maps, if that pays; otherwise leave it. */
void mme_sf_compress(struct mme *e, uint32_t id)
{
	struct mme_sframe *s = &e->sf[id];
	if (!e->cfg.enable_compress || s->maps || !s->frame ||
	    (!e->cfg.compress_refs && (s->flags & SF_PATCHREF)))
		return;
	size_t n = mme_lz4_encode(e, s->frame, e->scr_lz4, e->cfg.keep_max);
	if (!n)
		return;
	struct mme_blob *b = mme_blob_new(e, BLOB_LZ4, e->scr_lz4, n, 0);
	if (!b)
		return;
	mme_frame_free(e, s->frame);
	s->frame = NULL;
	s->cblob = b;
}

/* An sframe of group with exactly this content, or UINT32_MAX. */
uint32_t mme_sf_find(struct mme *e, const void *content, uint64_t hash,
		     uint32_t group)
{
	ENV_ASSERT(content != e->scr_ref);
	for (uint32_t n = e->stable[mme_hslot(e, hash, group)]; n != NIL;
	     n = e->sf[n - 1].next) {
		struct mme_sframe *s = &e->sf[n - 1];
		if (s->hash != hash || s->group != group)
			continue;
		const uint8_t *c = mme_sf_content(e, n - 1, e->scr_ref);
		if (memcmp(c, content, PG_SIZE) == 0)
			return n - 1;
		e->ctr.hash_collisions++;
	}
	return UINT32_MAX;
}

void mme_unstable_insert(struct mme *e, uint64_t gid, struct mme_page *p,
			 uint32_t group)
{
	ENV_ASSERT(!(p->flags & PG_UNSTABLE) && (p->flags & PG_HASHED));
	uint64_t b = mme_hslot(e, p->hash, group);
	p->next = e->unstable[b];
	e->unstable[b] = (uint32_t)gid + 1;
	p->flags |= PG_UNSTABLE;
}

void mme_unstable_remove(struct mme *e, uint64_t gid, struct mme_page *p,
			 uint32_t group)
{
	if (!(p->flags & PG_UNSTABLE))
		return;
	uint32_t *pp = &e->unstable[mme_hslot(e, p->hash, group)];
	while (*pp != gid + 1) {
		ENV_ASSERT(*pp != NIL);
		pp = &mme_pg_global(e, *pp - 1, NULL, NULL)->next;
	}
	*pp = p->next;
	p->next = NIL;
	p->flags &= (uint8_t)~PG_UNSTABLE;
}
