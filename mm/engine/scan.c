/*
 * The scanner: one clock hand over every page of every VM, `budget` pages
 * per tick.
 *
 * For a private page it (1) reads-and-clears the accessed bit, ageing the
 * page (NRU clock: age = passes since last access); (2) turns an all-zero
 * page into a zero mapping; (3) hashes the page (XXH64) and looks for an
 * sframe of its trust group with that content (stable table), then for
 * another private page (unstable table); a hash hit is always confirmed by
 * a byte compare with both pages write-protected; (4) if the page is cold
 * (age >= cold_age), reduces it: candidates from the similarity index are
 * tried with XOR+RLE, LZ4 if the best patch is not small, xdelta3 only if
 * XOR+RLE failed against a similar page (content shifted); the smallest
 * encoding under keep_max wins; otherwise the page only enters the index.
 *
 * A patch's reference must not change while the patch lives, so it is
 * always an sframe: a private candidate is first turned into an sframe it
 * maps read-only; a compressed candidate gives its payload to a new
 * compressed sframe and mirrors it (an empty patch). Every new patch is
 * decoded against the sframe and compared with the page before the page is
 * given up.
 *
 * A cold shared page is unmapped and mirrors its sframe (empty patch);
 * once no page maps an sframe it is compressed if that pays, so cold shared
 * content costs its compressed size once.
 */
#include "mm/engine/engine_int.h"

#define SMALL_PATCH 64	/* below this, do not bother trying LZ4 */
#define MAX_CANDS 6
#define XD3_TRY 512	/* XOR deltas above this may be shifted content */
#define NO_SF UINT32_MAX

struct cand {
	bool is_sf;
	uint32_t id;	/* sframe id, or global page id (private / compressed) */
	uint64_t gfn;
	uint32_t vm;
};

static void wp(struct mme *e, uint32_t vm, uint64_t gfn, struct mme_page *p,
	       void *f)
{
	if (p->flags & PG_WP)
		return;
	e->ops->map(e->ctx, vm, gfn, f, MME_PROT_RO);
	p->flags |= PG_WP;
}

static void unwp(struct mme *e, uint32_t vm, uint64_t gfn, struct mme_page *p,
		 void *f)
{
	if (!(p->flags & PG_WP))
		return;
	e->ops->map(e->ctx, vm, gfn, f, MME_PROT_RW);
	p->flags &= (uint8_t)~PG_WP;
}

/* Private page -> leave the unstable table and give up its frame. */
static void private_leave(struct mme *e, uint32_t vm, uint64_t gfn,
			  struct mme_page *p)
{
	mme_unstable_remove(e, e->vms[vm].base + gfn, p, e->vms[vm].group);
	mme_private_release(e, vm, gfn, p);
}

static void map_shared(struct mme *e, uint32_t vm, uint64_t gfn,
		       struct mme_page *p, uint32_t sid)
{
	p->state = MME_SHARED;
	p->flags = 0;
	p->u = sid;
	e->sf[sid].maps++;
	e->ops->map(e->ctx, vm, gfn, e->sf[sid].frame, MME_PROT_RO);
}

static void mirror(struct mme *e, uint32_t vm, uint64_t gfn,
		   struct mme_page *p, uint32_t sid)
{
	p->state = MME_PATCHED;
	p->flags = PG_EMPTY;
	p->u = sid;
	e->sf[sid].deps++;
	e->ops->map(e->ctx, vm, gfn, NULL, MME_PROT_NONE);
}

static void sf_index(struct mme *e, uint32_t sid, const uint8_t *content)
{
	uint64_t keys[SIM_MAX_BLOCKS];
	mme_sim_keys(e, content, e->sf[sid].group, keys);
	mme_sim_insert(e, keys, sid | SIM_SFRAME);
}

/* Is the content of this sframe worth compressing? (tested once) */
static bool sf_compressible(struct mme *e, uint32_t sid)
{
	struct mme_sframe *s = &e->sf[sid];
	if (!(s->flags & SF_COMP_TESTED)) {
		const uint8_t *c = mme_sf_content(e, sid, e->scr_ref);
		s->flags |= SF_COMP_TESTED;
		if (mme_lz4_encode(e, c, e->scr_lz4, e->cfg.keep_max))
			s->flags |= SF_COMP_OK;
	}
	return s->flags & SF_COMP_OK;
}

static void scan_shared(struct mme *e, uint32_t vm, uint64_t gfn,
			struct mme_page *p)
{
	uint32_t sid = (uint32_t)p->u;
	if (!e->cfg.enable_compress || p->age < e->cfg.cold_age ||
	    !sf_compressible(e, sid))
		return;
	e->sf[sid].maps--;
	mirror(e, vm, gfn, p, sid);
	if (!e->sf[sid].maps)
		mme_sf_compress(e, sid);
}

/* Merge two private pages with equal content into a new sframe. */
static bool merge_pair(struct mme *e, uint32_t vm, uint64_t gfn,
		       struct mme_page *p, void *f, uint64_t h)
{
	uint32_t group = e->vms[vm].group, qvm, sid;
	uint64_t qgfn;

	for (uint32_t n = e->unstable[mme_hslot(e, h, group)]; n != NIL;) {
		struct mme_page *q = mme_pg_global(e, n - 1, &qvm, &qgfn);
		n = q->next;
		if (q == p || q->hash != h || e->vms[qvm].group != group)
			continue;
		void *qf = e->ops->frame(e->ctx, qvm, qgfn);
		wp(e, vm, gfn, p, f);
		wp(e, qvm, qgfn, q, qf);
		if (memcmp(f, qf, PG_SIZE) != 0) {
			e->ctr.hash_collisions++;
			unwp(e, qvm, qgfn, q, qf);
			continue;
		}
		if (mme_sf_new(e, f, h, group, &sid)) {
			unwp(e, qvm, qgfn, q, qf);
			return false;
		}
		private_leave(e, qvm, qgfn, q);
		map_shared(e, qvm, qgfn, q, sid);
		private_leave(e, vm, gfn, p);
		map_shared(e, vm, gfn, p, sid);
		sf_index(e, sid, e->sf[sid].frame);
		e->ctr.merges++;
		return true;
	}
	return false;
}

/* Resolve a similarity hit into something whose content can be read. */
static bool resolve(struct mme *e, uint32_t id, uint32_t group, uint64_t self,
		    struct cand *c)
{
	if (id & SIM_SFRAME) {
		uint32_t sid = id & ~SIM_SFRAME;
		if (sid >= e->sf_used || !e->sf[sid].live ||
		    e->sf[sid].group != group)
			return false;
		c->is_sf = true;
		c->id = sid;
		return e->cfg.compress_refs || e->sf[sid].frame;
	}
	if (id == self)
		return false;
	struct mme_page *q = mme_pg_lookup(e, id, &c->vm, &c->gfn);
	if (!q || e->vms[c->vm].group != group)
		return false;
	switch (q->state) {
	case MME_COMPRESSED:
		if (!e->cfg.compress_refs)
			return false;
		/* fall through */
	case MME_PRIVATE:
		c->is_sf = false;
		c->id = id;
		return true;
	case MME_SHARED:
		c->is_sf = true;
		c->id = (uint32_t)q->u;
		return true;
	case MME_PATCHED:
		c->is_sf = true;
		c->id = (q->flags & PG_EMPTY)
				? (uint32_t)q->u
				: ((struct mme_blob *)(uintptr_t)q->u)->ref;
		return e->cfg.compress_refs || e->sf[c->id].frame;
	default:
		return false;
	}
}

static const uint8_t *cand_content(struct mme *e, const struct cand *c)
{
	if (c->is_sf)
		return mme_sf_content(e, c->id, e->scr_ref);
	struct mme_page *q = &e->vms[c->vm].pages[c->gfn];
	if (q->state == MME_PRIVATE)
		return e->ops->frame(e->ctx, c->vm, c->gfn);
	mme_decode_page(e, q, e->scr_cand);
	return e->scr_cand;
}

/* Make a candidate an sframe (see the overview). NO_SF on failure. */
static uint32_t cand_to_sf(struct mme *e, const struct cand *c)
{
	if (c->is_sf)
		return c->id;
	struct mme_page *q = &e->vms[c->vm].pages[c->gfn];
	uint32_t group = e->vms[c->vm].group, sid;
	const uint8_t *content = cand_content(e, c);
	uint64_t h = mme_hash_page(e, content);
	bool fresh = false;

	if (q->state == MME_PRIVATE)
		wp(e, c->vm, c->gfn, q, (void *)content);
	sid = mme_sf_find(e, content, h, group);
	if (sid == NO_SF && q->state == MME_PRIVATE) {
		if (mme_sf_new(e, content, h, group, &sid)) {
			unwp(e, c->vm, c->gfn, q, (void *)content);
			return NO_SF;
		}
		fresh = true;
	} else if (sid == NO_SF) {
		if (mme_sf_adopt(e, (struct mme_blob *)(uintptr_t)q->u, h,
				 group, &sid))
			return NO_SF;
		q->u = 0; /* the payload now belongs to the sframe */
		fresh = true;
	}
	if (q->state == MME_PRIVATE) {
		private_leave(e, c->vm, c->gfn, q);
		map_shared(e, c->vm, c->gfn, q, sid);
	} else {
		if (q->u)
			mme_blob_free((struct mme_blob *)(uintptr_t)q->u);
		mirror(e, c->vm, c->gfn, q, sid);
	}
	if (fresh)
		sf_index(e, sid, mme_sf_content(e, sid, e->scr_ref));
	return sid;
}

/* Try to patch or compress a cold private page. */
static void reduce(struct mme *e, uint32_t vm, uint64_t gfn,
		   struct mme_page *p, void *f, const uint64_t *keys)
{
	uint32_t group = e->vms[vm].group, keep = e->cfg.keep_max;
	uint64_t gid = e->vms[vm].base + gfn;
	uint8_t *cur = e->scr_a, *best = e->scr_b, *t;
	size_t best_len = keep + 1, n;
	struct cand cands[MAX_CANDS], bc = { 0 };
	uint32_t nc = 0;
	enum blob_kind kind = BLOB_XOR;
	struct sim_cands sc;

	wp(e, vm, gfn, p, f);
	if (e->cfg.enable_patch) {
		mme_sim_lookup(e, keys, (uint32_t)gid, &sc);
		for (uint32_t i = 0; i < sc.n && nc < MAX_CANDS; i++) {
			struct cand c;
			if (!resolve(e, sc.id[i], group, gid, &c))
				continue;
			uint32_t j;
			for (j = 0; j < nc; j++)
				if (cands[j].is_sf == c.is_sf && cands[j].id == c.id)
					break;
			if (j == nc)
				cands[nc++] = c;
		}
		for (uint32_t i = 0; i < nc; i++) {
			n = mme_xor_encode(f, cand_content(e, &cands[i]), cur,
					   best_len - 1);
			if (n < best_len) {
				best_len = n;
				bc = cands[i];
				t = cur, cur = best, best = t;
			}
		}
	}
	/* Repeating differences: LZ4 of the XOR may beat the runs. */
	if (best_len > SMALL_PATCH && nc && e->cfg.enable_compress &&
	    e->cfg.enable_xlz) {
		const struct cand *xc = best_len <= keep ? &bc : &cands[0];
		n = mme_xlz_encode(e, f, cand_content(e, xc), cur,
				   ENV_MIN(keep, best_len - 1));
		if (n) {
			best_len = n;
			kind = BLOB_XLZ;
			bc = *xc;
			t = cur, cur = best, best = t;
		}
	}
	if (best_len > SMALL_PATCH && e->cfg.enable_compress) {
		n = mme_lz4_encode(e, f, cur, ENV_MIN(keep, best_len - 1));
		if (n) {
			best_len = n;
			kind = BLOB_LZ4;
			t = cur, cur = best, best = t;
		}
	}
	/*
	 * A large XOR delta against a page that shares sampled blocks means
	 * the content moved: only then is xdelta3 (~2-10 us) worth a try.
	 */
	if ((kind == BLOB_XOR || kind == BLOB_XLZ) && best_len > XD3_TRY && nc &&
	    e->cfg.enable_xdelta) {
		/* Only when it halves the best delta: its decode is slower. */
		n = mme_xd3_encode(e, f, cand_content(e, &cands[0]), cur,
				   ENV_MIN(keep, best_len / 2));
		if (n) {
			best_len = n;
			kind = BLOB_XD3;
			bc = cands[0];
			t = cur, cur = best, best = t;
		}
	}
	if (best_len > keep)
		goto keep_private;

	if (kind == BLOB_LZ4) {
		struct mme_blob *b = mme_blob_new(e, BLOB_LZ4, best, best_len, 0);
		if (!b)
			goto keep_private;
		private_leave(e, vm, gfn, p);
		p->state = MME_COMPRESSED;
		p->flags = 0;
		p->u = (uintptr_t)b;
		e->ops->map(e->ctx, vm, gfn, NULL, MME_PROT_NONE);
		return;
	}
	/* cand_to_sf may reuse scr_ref/scr_lz4 but not cur/best. */
	uint32_t sid = cand_to_sf(e, &bc);
	if (sid == NO_SF)
		goto keep_private;
	struct mme_blob *b = mme_blob_new(e, kind, best, best_len, sid);
	if (!b)
		goto keep_private;
	/* Verify: the patch against the sframe must rebuild the page. */
	mme_patch_apply(e, b, mme_sf_content(e, sid, e->scr_ref), cur);
	if (memcmp(cur, f, PG_SIZE) != 0) {
		mme_blob_free(b);
		goto keep_private;
	}
	private_leave(e, vm, gfn, p);
	p->state = MME_PATCHED;
	p->flags = 0;
	p->u = (uintptr_t)b;
	e->sf[sid].deps++;
	e->sf[sid].flags |= SF_PATCHREF;
	e->ops->map(e->ctx, vm, gfn, NULL, MME_PROT_NONE);
	return;
keep_private:
	unwp(e, vm, gfn, p, f);
}

static void scan_private(struct mme *e, uint32_t vm, uint64_t gfn,
			 struct mme_page *p)
{
	uint32_t group = e->vms[vm].group, sid;
	uint64_t gid = e->vms[vm].base + gfn;
	void *f = e->ops->frame(e->ctx, vm, gfn);
	bool cold = p->age >= e->cfg.cold_age;
	uint64_t keys[SIM_MAX_BLOCKS];

	if (mme_is_zero(f)) {
		wp(e, vm, gfn, p, f);
		if (mme_is_zero(f)) {
			private_leave(e, vm, gfn, p);
			memset(p, 0, sizeof(*p));
			p->state = MME_ZERO;
			e->ops->map(e->ctx, vm, gfn, e->zero_frame, MME_PROT_RO);
			return;
		}
		unwp(e, vm, gfn, p, f);
	}
	uint64_t h = mme_hash_page(e, f);
	if (!(p->flags & PG_HASHED) || h != p->hash) {
		mme_unstable_remove(e, gid, p, group);
		p->hash = h;
		p->flags |= PG_HASHED;
		p->flags &= (uint8_t)~PG_INDEXED;
	}
	sid = mme_sf_find(e, f, h, group);
	if (sid != NO_SF) {
		wp(e, vm, gfn, p, f);
		if (memcmp(f, mme_sf_content(e, sid, e->scr_ref), PG_SIZE)) {
			unwp(e, vm, gfn, p, f); /* changed under us */
			return;
		}
		if (cold && !e->sf[sid].frame) {
			private_leave(e, vm, gfn, p);
			mirror(e, vm, gfn, p, sid);
		} else {
			if (mme_sf_materialize(e, sid, false)) {
				unwp(e, vm, gfn, p, f);
				return;
			}
			private_leave(e, vm, gfn, p);
			map_shared(e, vm, gfn, p, sid);
		}
		e->ctr.merges++;
		return;
	}
	if (!(p->flags & PG_UNSTABLE)) {
		if (merge_pair(e, vm, gfn, p, f, h))
			return;
		unwp(e, vm, gfn, p, f);
		mme_unstable_insert(e, gid, p, group);
	}
	if (!e->cfg.enable_patch && !e->cfg.enable_compress)
		return;
	if (!cold && (p->flags & PG_INDEXED))
		return;
	mme_sim_keys(e, f, group, keys);
	if (cold)
		reduce(e, vm, gfn, p, f, keys);
	if (p->state == MME_PRIVATE && !(p->flags & PG_INDEXED)) {
		mme_sim_insert(e, keys, (uint32_t)gid);
		p->flags |= PG_INDEXED;
	}
}

static void scan_page(struct mme *e, uint32_t vm, uint64_t gfn)
{
	struct mme_page *p = &e->vms[vm].pages[gfn];

	if (p->state == MME_PRIVATE || p->state == MME_SHARED) {
		if (e->ops->test_clear_accessed(e->ctx, vm, gfn))
			p->age = 0;
		else if (p->age < UINT8_MAX)
			p->age++;
	}
	if (p->state == MME_PRIVATE)
		scan_private(e, vm, gfn, p);
	else if (p->state == MME_SHARED)
		scan_shared(e, vm, gfn, p);
	e->ctr.scanned++;
}

uint64_t mme_scan(struct mme *e, uint64_t budget)
{
	uint64_t done = 0;

	mme_tick_begin(e);
	while (done < budget && e->live_pages) {
		if (e->cur_vm >= e->nvms) {
			e->cur_vm = 0;
			e->cur_gfn = 0;
			continue;
		}
		struct mme_vm *v = &e->vms[e->cur_vm];
		if (!v->live || e->cur_gfn >= v->npages) {
			e->cur_vm++;
			e->cur_gfn = 0;
			continue;
		}
		scan_page(e, e->cur_vm, e->cur_gfn++);
		done++;
	}
	/* Second hand: compress sframes no page maps any more (COW breaks). */
	for (uint64_t k = budget / 16 + 1; k && e->sf_used; k--) {
		e->cur_sf = (e->cur_sf + 1) % e->sf_used;
		struct mme_sframe *s = &e->sf[e->cur_sf];
		if (s->live && !s->maps && s->frame)
			mme_sf_compress(e, e->cur_sf);
	}
	return done;
}
