/*
 * Memory engine: creation, VMs, frames and heap, reading pages back,
 * freeing pages, statistics and the consistency check. Scanning is in
 * scan.c, fault-in in fault.c, shared frames in sframe.c.
 *
 * Memory: every table is sized at creation from cfg.max_pages (bounded
 * metadata); the shared-frame array grows by doubling up to max_pages.
 * Allocation failure in a scan only skips the merge (the page stays as it
 * was); a fault-in that finds the heap empty takes a frame from a reserve
 * filled at creation and refilled at the start of each scan tick.
 */
#include "mm/engine/engine_int.h"
#include "mm/engine/mme_xxhash.h"

void mme_config_default(struct mme_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_pages = 1u << 20;
	cfg->max_vms = 64;
	cfg->keep_max = 2048;
	cfg->cold_age = 2;
	cfg->reserve_frames = 64;
	cfg->sim_blocks = SIM_MAX_BLOCKS;
	cfg->enable_patch = true;
	cfg->enable_compress = true;
	cfg->enable_xdelta = true;
	cfg->compress_refs = true;
	cfg->enable_xlz = true;
}

static uint64_t pow2_at_least(uint64_t n)
{
	uint64_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

static bool fail_now(struct mme *e)
{
	if (e->cfg.alloc_fail_hook && e->cfg.alloc_fail_hook(e->ctx)) {
		e->ctr.alloc_failures++;
		return true;
	}
	return false;
}

void *mme_heap_alloc(struct mme *e, size_t n)
{
	if (fail_now(e))
		return NULL;
	void *p = env_alloc(n);
	if (!p)
		e->ctr.alloc_failures++;
	return p;
}

/*
 * use_reserve: a fault-in. It takes a frame from the reserve first (no
 * allocator call on the fault path: O(1), bounded latency), then the heap;
 * scan ticks refill the reserve. Other callers use the heap only.
 */
void *mme_frame_alloc(struct mme *e, bool use_reserve)
{
	void *f = NULL;
	if (use_reserve && e->nreserve)
		f = e->reserve[--e->nreserve];
	if (!f && !fail_now(e)) {
		f = env_alloc_pages(1);
		if (!f)
			e->ctr.alloc_failures++;
	}
	if (f)
		e->ctr.frames_engine++;
	return f;
}

void mme_frame_free(struct mme *e, void *f)
{
	e->ctr.frames_engine--;
	if (e->nreserve < e->cfg.reserve_frames) {
		e->reserve[e->nreserve++] = f;
		return;
	}
	env_free_pages(f, 1);
}

static void reserve_refill(struct mme *e)
{
	while (e->nreserve < e->cfg.reserve_frames) {
		if (fail_now(e))
			return;
		void *f = env_alloc_pages(1);
		if (!f)
			return;
		/* Touch it now, not in a fault-in (host: first-touch faults). */
		memset(f, 0, PG_SIZE);
		e->reserve[e->nreserve++] = f;
	}
}

struct mme_blob *mme_blob_new(struct mme *e, enum blob_kind kind,
			      const void *data, size_t len, uint32_t ref)
{
	ENV_ASSERT(len <= UINT16_MAX);
	struct mme_blob *b = mme_heap_alloc(e, sizeof(*b) + len);
	if (!b)
		return NULL;
	b->ref = ref;
	b->len = (uint16_t)len;
	b->kind = (uint8_t)kind;
	b->pad = 0;
	memcpy(b->data, data, len);
	return b;
}

void mme_blob_free(struct mme_blob *b)
{
	env_free(b);
}

uint64_t mme_hash_page(struct mme *e, const void *page)
{
	if (e->cfg.hash_hook)
		return e->cfg.hash_hook(page);
	return XXH64(page, PG_SIZE, 0);
}

struct mme_page *mme_pg(struct mme *e, uint32_t vm, uint64_t gfn)
{
	if (vm >= e->nvms || !e->vms[vm].live || gfn >= e->vms[vm].npages)
		return NULL;
	return &e->vms[vm].pages[gfn];
}

struct mme_page *mme_pg_global(struct mme *e, uint64_t gid, uint32_t *vm,
			       uint64_t *gfn)
{
	struct mme_page *p = mme_pg_lookup(e, gid, vm, gfn);
	if (!p)
		ENV_PANIC("mme: no page with global id %llu",
			  (unsigned long long)gid);
	return p;
}

/* NULL for an id of no live VM (sim index entries may be stale). */
struct mme_page *mme_pg_lookup(struct mme *e, uint64_t gid, uint32_t *vm,
			       uint64_t *gfn)
{
	for (uint32_t i = 0; i < e->nvms; i++) {
		struct mme_vm *v = &e->vms[i];
		if (v->live && gid >= v->base && gid < v->base + v->npages) {
			if (vm)
				*vm = i;
			if (gfn)
				*gfn = gid - v->base;
			return &v->pages[gid - v->base];
		}
	}
	return NULL;
}

/* A private page's frame is no longer the guest's: give it back. */
void mme_private_release(struct mme *e, uint32_t vm, uint64_t gfn,
			 struct mme_page *p)
{
	void *f = e->ops->frame(e->ctx, vm, gfn);
	if (p->flags & PG_OWNED)
		mme_frame_free(e, f);
	else
		e->ops->release(e->ctx, vm, gfn, f);
	p->flags &= (uint8_t)~(PG_OWNED | PG_WP | PG_HASHED | PG_INDEXED);
}

int mme_create(const struct mme_config *cfg, const struct mme_ops *ops,
	       void *ctx, struct mme **out)
{
	struct mme *e;
	int r = -ENOMEM;

	if (!cfg || !ops || !ops->frame || !ops->map ||
	    !ops->test_clear_accessed || !ops->release || !cfg->max_pages ||
	    cfg->max_pages >= (1ull << 31) || !cfg->max_vms ||
	    cfg->keep_max >= PG_SIZE || cfg->sim_blocks > SIM_MAX_BLOCKS)
		return -EINVAL;
	e = env_zalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->cfg = *cfg;
	e->ops = ops;
	e->ctx = ctx;
	uint64_t nb = pow2_at_least(cfg->max_pages);
	e->hmask = nb - 1;
	/* One index slot per sampled block of every page. */
	e->smask = pow2_at_least(ENV_MAX(cfg->sim_blocks, 1u) * nb) - 1;
	e->vms = env_zalloc(cfg->max_vms * sizeof(*e->vms));
	e->stable = env_zalloc(nb * sizeof(uint32_t));
	e->unstable = env_zalloc(nb * sizeof(uint32_t));
	e->sim = env_zalloc((e->smask + 1) * sizeof(*e->sim));
	e->reserve = env_zalloc((cfg->reserve_frames + 1) * sizeof(void *));
	e->zero_frame = env_alloc_pages(1);
	e->scr_ref = env_alloc_pages(1);
	e->scr_a = env_alloc_pages(1);
	e->scr_b = env_alloc_pages(1);
	e->scr_lz4 = env_alloc_pages(1);
	e->scr_cand = env_alloc_pages(1);
	e->scr_x = env_alloc_pages(1);
	if (!e->vms || !e->stable || !e->unstable || !e->sim || !e->reserve ||
	    !e->zero_frame || !e->scr_ref || !e->scr_a || !e->scr_b ||
	    !e->scr_lz4 || !e->scr_cand || !e->scr_x)
		goto fail;
	memset(e->zero_frame, 0, PG_SIZE);
	r = mme_codec_init(e);
	if (r)
		goto fail;
	reserve_refill(e);
	*out = e;
	return 0;
fail:
	mme_destroy(e);
	return r;
}

void mme_destroy(struct mme *e)
{
	if (!e)
		return;
	for (uint32_t i = 0; i < e->nvms; i++)
		if (e->vms[i].live)
			mme_vm_remove(e, i);
	mme_codec_fini(e);
	while (e->reserve && e->nreserve)
		env_free_pages(e->reserve[--e->nreserve], 1);
	env_free(e->reserve);
	env_free(e->sf);
	env_free(e->vms);
	env_free(e->stable);
	env_free(e->unstable);
	env_free(e->sim);
	void *pg[] = { e->zero_frame, e->scr_ref, e->scr_a, e->scr_b, e->scr_lz4,
		       e->scr_cand, e->scr_x };
	for (size_t i = 0; i < ENV_ARRAY_SIZE(pg); i++)
		if (pg[i])
			env_free_pages(pg[i], 1);
	env_free(e);
}

int mme_vm_add(struct mme *e, uint64_t npages, uint32_t group, uint32_t *vm)
{
	if (!npages || group > UINT16_MAX)
		return -EINVAL;
	if (e->live_pages + npages > e->cfg.max_pages ||
	    e->next_base + npages >= (1ull << 31) || e->nvms == e->cfg.max_vms)
		return -ENOSPC;
	struct mme_page *pages = env_zalloc(npages * sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	struct mme_vm *v = &e->vms[e->nvms];
	v->pages = pages;
	v->npages = npages;
	v->base = e->next_base;
	v->group = group;
	v->live = true;
	e->next_base += npages;
	e->live_pages += npages;
	*vm = e->nvms++;
	return 0;
}

/* Drop whatever backs a page; it is left ZERO, mapped to the zero frame. */
static void page_drop(struct mme *e, uint32_t vm, uint64_t gfn,
		      struct mme_page *p, bool remap)
{
	uint32_t group = e->vms[vm].group;
	switch (p->state) {
	case MME_PRIVATE:
		mme_unstable_remove(e, e->vms[vm].base + gfn, p, group);
		mme_private_release(e, vm, gfn, p);
		break;
	case MME_ZERO:
		break;
	case MME_SHARED:
		e->sf[p->u].maps--;
		mme_sf_put(e, (uint32_t)p->u);
		break;
	case MME_PATCHED:
		if (p->flags & PG_EMPTY) {
			e->sf[p->u].deps--;
			mme_sf_put(e, (uint32_t)p->u);
		} else {
			struct mme_blob *b = (struct mme_blob *)(uintptr_t)p->u;
			uint32_t ref = b->ref;
			mme_blob_free(b);
			e->sf[ref].deps--;
			mme_sf_put(e, ref);
		}
		break;
	case MME_COMPRESSED:
		mme_blob_free((struct mme_blob *)(uintptr_t)p->u);
		break;
	}
	memset(p, 0, sizeof(*p));
	p->state = MME_ZERO;
	if (remap)
		e->ops->map(e->ctx, vm, gfn, e->zero_frame, MME_PROT_RO);
}

int mme_free(struct mme *e, uint32_t vm, uint64_t gfn)
{
	struct mme_page *p = mme_pg(e, vm, gfn);
	if (!p)
		return -EINVAL;
	page_drop(e, vm, gfn, p, true);
	return 0;
}

void mme_vm_remove(struct mme *e, uint32_t vm)
{
	if (vm >= e->nvms || !e->vms[vm].live)
		return;
	struct mme_vm *v = &e->vms[vm];
	for (uint64_t g = 0; g < v->npages; g++)
		page_drop(e, vm, g, &v->pages[g], false);
	env_free(v->pages);
	e->live_pages -= v->npages;
	memset(v, 0, sizeof(*v));
}

int mme_read(struct mme *e, uint32_t vm, uint64_t gfn, void *buf)
{
	struct mme_page *p = mme_pg(e, vm, gfn);
	if (!p)
		return -EINVAL;
	switch (p->state) {
	case MME_PRIVATE:
		memcpy(buf, e->ops->frame(e->ctx, vm, gfn), PG_SIZE);
		break;
	case MME_ZERO:
		memset(buf, 0, PG_SIZE);
		break;
	case MME_SHARED:
		memcpy(buf, e->sf[p->u].frame, PG_SIZE);
		break;
	default:
		mme_decode_page(e, p, buf);
	}
	return 0;
}

enum mme_state mme_page_state(struct mme *e, uint32_t vm, uint64_t gfn)
{
	struct mme_page *p = mme_pg(e, vm, gfn);
	return p ? (enum mme_state)p->state : MME_NSTATES;
}

/* Tick entry housekeeping, called by mme_scan. */
void mme_tick_begin(struct mme *e)
{
	reserve_refill(e);
}

void mme_get_stats(struct mme *e, struct mme_stats *st)
{
	*st = e->ctr;
	memset(st->state_pages, 0, sizeof(st->state_pages));
	st->patch_bytes = st->comp_bytes = st->sframe_comp_bytes = 0;
	st->patches_xor = st->patches_xd3 = st->patches_empty = 0;
	st->saved_zero = st->saved_shared = st->saved_patched = 0;
	st->saved_compressed = 0;
	st->pages = e->live_pages;
	/* Per sframe: did any dependant only map or mirror it? */
	for (uint32_t v = 0; v < e->nvms; v++) {
		struct mme_vm *vm = &e->vms[v];
		for (uint64_t g = 0; vm->live && g < vm->npages; g++) {
			struct mme_page *p = &vm->pages[g];
			st->state_pages[p->state]++;
			if (p->state == MME_ZERO) {
				st->saved_zero += PG_SIZE;
			} else if (p->state == MME_SHARED) {
				st->saved_shared += PG_SIZE;
			} else if (p->state == MME_PATCHED && (p->flags & PG_EMPTY)) {
				st->patches_empty++;
				st->saved_shared += PG_SIZE;
			} else if (p->state == MME_PATCHED) {
				struct mme_blob *b = (void *)(uintptr_t)p->u;
				uint64_t c = BLOB_COST(b->len);
				st->patch_bytes += c;
				st->saved_patched += (int64_t)(PG_SIZE - c);
				if (b->kind == BLOB_XD3)
					st->patches_xd3++;
				else
					st->patches_xor++;
			} else if (p->state == MME_COMPRESSED) {
				struct mme_blob *b = (void *)(uintptr_t)p->u;
				uint64_t c = BLOB_COST(b->len);
				st->comp_bytes += c;
				st->saved_compressed += (int64_t)(PG_SIZE - c);
			}
		}
	}
	/*
	 * Each sframe costs a frame; it is charged to sharing when some page
	 * maps it or mirrors it (empty patch), else to patching. Compressing
	 * it is credited to compression.
	 */
	uint64_t sf_meta = 0;
	for (uint32_t i = 0; i < e->sf_used; i++) {
		struct mme_sframe *s = &e->sf[i];
		if (!s->live)
			continue;
		st->sframes++;
		if (s->frame)
			st->sframes_full++;
		if (!s->maps)
			st->sframe_orphans++;
	}
	/* Split sframe costs: count mirrors per sframe with a pass over pages. */
	uint32_t *mir = env_zalloc((size_t)(e->sf_used + 1) * sizeof(uint32_t));
	for (uint32_t v = 0; mir && v < e->nvms; v++) {
		struct mme_vm *vm = &e->vms[v];
		for (uint64_t g = 0; vm->live && g < vm->npages; g++) {
			struct mme_page *p = &vm->pages[g];
			if (p->state == MME_SHARED ||
			    (p->state == MME_PATCHED && (p->flags & PG_EMPTY)))
				mir[p->u]++;
		}
	}
	for (uint32_t i = 0; i < e->sf_used; i++) {
		struct mme_sframe *s = &e->sf[i];
		if (!s->live)
			continue;
		bool shared = mir ? mir[i] > 0 : s->maps > 0;
		if (shared)
			st->saved_shared -= PG_SIZE;
		else
			st->saved_patched -= PG_SIZE;
		if (!s->frame) {
			uint64_t c = BLOB_COST(s->cblob->len);
			st->sframe_comp_bytes += c;
			st->saved_compressed += (int64_t)(PG_SIZE - c);
		}
	}
	env_free(mir);
	sf_meta = (uint64_t)e->sf_cap * sizeof(struct mme_sframe);
	uint64_t nb = e->hmask + 1;
	st->meta_bytes = sizeof(*e) + e->cfg.max_vms * sizeof(struct mme_vm) +
			 e->live_pages * sizeof(struct mme_page) + sf_meta +
			 2 * nb * sizeof(uint32_t) +
			 (e->smask + 1) * sizeof(struct sim_entry);
	st->reserve_free = e->nreserve;
}
