/*
 * mme_check: the engine's invariants, checked in full (tests and debug
 * builds; O(pages + sframes), allocates a counter array).
 *  - every sframe alive has maps + deps > 0, exactly the number of pages
 *    that map / depend on it, a frame xor a compressed payload, a frame if
 *    maps > 0, its stored hash equal to the hash of its content, and sits
 *    in the stable bucket of (hash, group);
 *  - pages only share or depend on sframes of their own trust group;
 *  - a page is in the unstable table iff flagged, and only while private;
 *  - payloads are within keep_max.
 */
#include "mm/engine/engine_int.h"

#define FAIL() return -__LINE__

static bool in_unstable(struct mme *e, uint64_t gid, struct mme_page *p,
			uint32_t group)
{
	for (uint32_t n = e->unstable[mme_hslot(e, p->hash, group)]; n != NIL;
	     n = mme_pg_global(e, n - 1, NULL, NULL)->next)
		if (n == gid + 1)
			return true;
	return false;
}

static int check_pages(struct mme *e, uint32_t *maps, uint32_t *deps)
{
	for (uint32_t v = 0; v < e->nvms; v++) {
		struct mme_vm *vm = &e->vms[v];
		for (uint64_t g = 0; vm->live && g < vm->npages; g++) {
			struct mme_page *p = &vm->pages[g];
			struct mme_blob *b = (struct mme_blob *)(uintptr_t)p->u;
			uint32_t sid;
			if ((p->flags & PG_UNSTABLE) &&
			    (p->state != MME_PRIVATE ||
			     !in_unstable(e, vm->base + g, p, vm->group)))
				FAIL();
			switch (p->state) {
			case MME_PRIVATE:
				if (p->flags & PG_EMPTY)
					FAIL();
				continue;
			case MME_ZERO:
				continue;
			case MME_SHARED:
				sid = (uint32_t)p->u;
				if (sid >= e->sf_used || !e->sf[sid].frame)
					FAIL();
				maps[sid]++;
				break;
			case MME_PATCHED:
				if (p->flags & PG_EMPTY) {
					sid = (uint32_t)p->u;
				} else {
					if (!b || b->len > e->cfg.keep_max ||
					    (b->kind != BLOB_XOR &&
					     b->kind != BLOB_XD3 &&
					     b->kind != BLOB_XLZ))
						FAIL();
					sid = b->ref;
				}
				if (sid >= e->sf_used)
					FAIL();
				deps[sid]++;
				break;
			case MME_COMPRESSED:
				if (!b || b->kind != BLOB_LZ4 ||
				    b->len > e->cfg.keep_max)
					FAIL();
				continue;
			default:
				FAIL();
			}
			if (!e->sf[sid].live || e->sf[sid].group != vm->group)
				FAIL();
		}
	}
	return 0;
}

static int check_sframes(struct mme *e, const uint32_t *maps,
			 const uint32_t *deps)
{
	for (uint32_t i = 0; i < e->sf_used; i++) {
		struct mme_sframe *s = &e->sf[i];
		if (!s->live) {
			if (maps[i] || deps[i])
				FAIL();
			continue;
		}
		if (s->maps != maps[i] || s->deps != deps[i] ||
		    !(s->maps + s->deps))
			FAIL();
		if (!s->frame == !s->cblob || (s->maps && !s->frame))
			FAIL();
		const uint8_t *c = mme_sf_content(e, i, e->scr_ref);
		if (mme_hash_page(e, c) != s->hash)
			FAIL();
		uint32_t n = e->stable[mme_hslot(e, s->hash, s->group)];
		while (n != NIL && n != i + 1)
			n = e->sf[n - 1].next;
		if (n == NIL)
			FAIL();
	}
	return 0;
}

int mme_check(struct mme *e)
{
	size_t n = (size_t)e->sf_used + 1;
	uint32_t *maps = env_zalloc(n * sizeof(uint32_t));
	uint32_t *deps = env_zalloc(n * sizeof(uint32_t));
	int r = -ENOMEM;

	if (maps && deps) {
		r = check_pages(e, maps, deps);
		if (!r)
			r = check_sframes(e, maps, deps);
	}
	env_free(maps);
	env_free(deps);
	return r;
}
