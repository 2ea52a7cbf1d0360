/*
 * Fault-in: the guest touched a page the engine had write-protected or
 * unmapped. The page is rebuilt into a private frame and mapped RW (a read
 * of a mirror of a full sframe is mapped shared instead). A frame comes from
 * the heap, else from the reserve, so a fault-in succeeds even when a scan
 * could not allocate; only an empty reserve gives -ENOMEM. Nothing here
 * allocates anything but that one frame: decoding uses engine-owned scratch
 * and the xdelta3 arena.
 */
#include "mm/engine/engine_int.h"

static void drop_ref(struct mme *e, uint32_t sid)
{
	e->sf[sid].deps--;
	mme_sf_put(e, sid);
}

int mme_fault(struct mme *e, uint32_t vm, uint64_t gfn, bool write,
	      void **frame)
{
	struct mme_page *p = mme_pg(e, vm, gfn);
	void *f;

	if (!p)
		return -EINVAL;
	e->ctr.faults++;
	switch (p->state) {
	case MME_PRIVATE:
		f = e->ops->frame(e->ctx, vm, gfn);
		e->ops->map(e->ctx, vm, gfn, f, MME_PROT_RW);
		p->flags &= (uint8_t)~PG_WP;
		*frame = f;
		return 0;
	case MME_ZERO:
		if (!write) {
			e->ops->map(e->ctx, vm, gfn, e->zero_frame, MME_PROT_RO);
			*frame = e->zero_frame;
			return 0;
		}
		f = mme_frame_alloc(e, true);
		if (!f)
			return -ENOMEM;
		memset(f, 0, PG_SIZE);
		break;
	case MME_SHARED: {
		struct mme_sframe *s = &e->sf[p->u];
		if (!write) {
			e->ops->map(e->ctx, vm, gfn, s->frame, MME_PROT_RO);
			*frame = s->frame;
			return 0;
		}
		if (s->maps == 1 && !s->deps) {
			/* Last user: the frame becomes the private one. */
			f = s->frame;
			s->frame = NULL;
		} else {
			f = mme_frame_alloc(e, true);
			if (!f)
				return -ENOMEM;
			memcpy(f, s->frame, PG_SIZE);
		}
		s->maps--;
		mme_sf_put(e, (uint32_t)p->u);
		e->ctr.cow_breaks++;
		break;
	}
	case MME_PATCHED:
		if (!write && (p->flags & PG_EMPTY) && e->sf[p->u].frame) {
			uint32_t sid = (uint32_t)p->u;
			e->sf[sid].deps--;
			e->sf[sid].maps++;
			p->state = MME_SHARED;
			p->flags = 0;
			p->age = 0;
			e->ops->map(e->ctx, vm, gfn, e->sf[sid].frame,
				    MME_PROT_RO);
			*frame = e->sf[sid].frame;
			return 0;
		}
		/* fall through */
	case MME_COMPRESSED:
		f = mme_frame_alloc(e, true);
		if (!f)
			return -ENOMEM;
		mme_decode_page(e, p, f);
		if (p->state == MME_COMPRESSED) {
			mme_blob_free((struct mme_blob *)(uintptr_t)p->u);
		} else if (p->flags & PG_EMPTY) {
			drop_ref(e, (uint32_t)p->u);
		} else {
			struct mme_blob *b = (struct mme_blob *)(uintptr_t)p->u;
			uint32_t ref = b->ref;
			mme_blob_free(b);
			drop_ref(e, ref);
		}
		break;
	default:
		ENV_PANIC("mme: bad page state %u", p->state);
	}
	memset(p, 0, sizeof(*p));
	p->state = MME_PRIVATE;
	p->flags = PG_OWNED;
	e->ops->map(e->ctx, vm, gfn, f, MME_PROT_RW);
	*frame = f;
	return 0;
}
