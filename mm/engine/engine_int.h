/*
 * Internals of the memory-redundancy engine, shared by its .c files only.
 * Layouts of the per-page and per-shared-frame records are defined here once.
 */
#ifndef DITTO_MM_ENGINE_INT_H
#define DITTO_MM_ENGINE_INT_H

#include <errno.h>
#include "mm/engine/engine.h"

#define PG_SIZE ENV_PAGE_SIZE
#define NIL 0u			/* chain/table terminator: ids are stored +1 */
#define SIM_MAX_BLOCKS 8
#define SIM_BLOCK 64

/* Page flags. */
#define PG_OWNED 0x01		/* private frame was allocated by the engine */
#define PG_WP 0x02		/* private page mapped read-only by the engine */
#define PG_UNSTABLE 0x04	/* in the unstable (private-page) hash table */
#define PG_EMPTY 0x08		/* patched with an empty delta: u is an sframe */
#define PG_HASHED 0x10		/* hash holds the content hash of the last scan */
#define PG_INDEXED 0x20		/* blocks of that content are in the sim index */

/* One guest page: 24 bytes. */
struct mme_page {
	uint64_t hash;	/* XXH64 of the content at the last scan (private) */
	uint64_t u;	/* SHARED / PG_EMPTY: sframe id; PATCHED / COMPRESSED: blob */
	uint32_t next;	/* unstable chain (global page id + 1) */
	uint8_t state;
	uint8_t flags;
	uint8_t age;	/* NRU: scan passes since the accessed bit was last seen */
	uint8_t pad;
};

/*
 * BLOB_XOR: XOR+RLE runs; BLOB_XLZ: LZ4 of the XOR of page and reference
 * (wins when the differences repeat, e.g. pointers moved by KASLR);
 * BLOB_XD3: xdelta3; BLOB_LZ4: the page compressed.
 */
enum blob_kind { BLOB_XOR = 1, BLOB_XD3 = 2, BLOB_LZ4 = 3, BLOB_XLZ = 4 };

/* A patch or compressed payload (heap). */
struct mme_blob {
	uint32_t ref;	/* patches: sframe id of the reference */
	uint16_t len;
	uint8_t kind;
	uint8_t pad;
	uint8_t data[];
};
#define BLOB_COST(len) ENV_ALIGN_UP((uint64_t)sizeof(struct mme_blob) + (len), 8)

/* A shared frame: 40 bytes. Alive while maps + deps > 0. */
struct mme_sframe {
	void *frame;		 /* content, or NULL while compressed */
	struct mme_blob *cblob;	 /* LZ4 content while frame == NULL */
	uint64_t hash;
	uint32_t maps;		 /* guest pages mapping frame read-only */
	uint32_t deps;		 /* patched pages using this as reference */
	uint32_t next;		 /* stable chain / free list (id + 1) */
	uint16_t group;
	uint8_t live;
	uint8_t flags;		 /* SF_* */
};
#define SF_COMP_TESTED 0x01	 /* LZ4 size of the content was tried */
#define SF_COMP_OK 0x02		 /* ... and it fits under keep_max */
#define SF_PATCHREF 0x04	 /* some real (non-empty) patch used it */

struct mme_vm {
	struct mme_page *pages;
	uint64_t npages;
	uint64_t base;		/* global id of page 0 */
	uint32_t group;
	bool live;
};

struct sim_entry {
	uint32_t tag;
	uint32_t id;		/* +1; bit 31: sframe id, else global page id */
};
#define SIM_SFRAME 0x80000000u

struct mme_arena {
	uint8_t *base;
	size_t size, used;
};

struct mme {
	struct mme_config cfg;
	const struct mme_ops *ops;
	void *ctx;

	struct mme_vm *vms;
	uint32_t nvms;		/* slots used (some may be dead) */
	uint64_t next_base;	/* global page ids handed out */
	uint64_t live_pages;

	struct mme_sframe *sf;
	uint32_t sf_cap, sf_used, sf_free; /* free list head (id + 1) */

	uint32_t *stable;	/* buckets: sframe id + 1 */
	uint32_t *unstable;	/* buckets: global page id + 1 */
	uint64_t hmask;
	struct sim_entry *sim;
	uint64_t smask;

	void *zero_frame;
	void **reserve;
	uint32_t nreserve;

	/* Scratch owned by the engine (not on the stack: kernel frames <= 2 KiB). */
	uint8_t *scr_ref;	/* a decompressed reference / candidate */
	uint8_t *scr_a, *scr_b;	/* encoder outputs: candidate / best */
	uint8_t *scr_lz4;
	uint8_t *scr_cand;	/* a decompressed candidate page */
	uint8_t *scr_x;		/* an XOR of two pages */
	void *lz4_state;
	struct _xd3_stream *xs;	/* xdelta3 state (codec.c only) */
	struct _xd3_source *xsrc;
	struct mme_arena arena;

	/* Clock hands. */
	uint32_t cur_vm;
	uint64_t cur_gfn;
	uint32_t cur_sf;

	struct mme_stats ctr;	/* counters part only */
};

/* engine.c */
struct mme_page *mme_pg(struct mme *e, uint32_t vm, uint64_t gfn);
struct mme_page *mme_pg_global(struct mme *e, uint64_t gid, uint32_t *vm,
			       uint64_t *gfn);
void *mme_frame_alloc(struct mme *e, bool use_reserve);
void mme_frame_free(struct mme *e, void *f);
void *mme_heap_alloc(struct mme *e, size_t n);
struct mme_blob *mme_blob_new(struct mme *e, enum blob_kind kind,
			      const void *data, size_t len, uint32_t ref);
void mme_blob_free(struct mme_blob *b);
void mme_private_release(struct mme *e, uint32_t vm, uint64_t gfn,
			 struct mme_page *p);
uint64_t mme_hash_page(struct mme *e, const void *page);
struct mme_page *mme_pg_lookup(struct mme *e, uint64_t gid, uint32_t *vm,
			       uint64_t *gfn);
void mme_tick_begin(struct mme *e);

/* sframe.c */
int mme_sf_new(struct mme *e, const void *content, uint64_t hash,
	       uint32_t group, uint32_t *id);
int mme_sf_adopt(struct mme *e, struct mme_blob *cblob, uint64_t hash,
		 uint32_t group, uint32_t *id);
void mme_sf_put(struct mme *e, uint32_t id);
const uint8_t *mme_sf_content(struct mme *e, uint32_t id, uint8_t *scratch);
int mme_sf_materialize(struct mme *e, uint32_t id, bool use_reserve);
void mme_sf_compress(struct mme *e, uint32_t id);
uint32_t mme_sf_find(struct mme *e, const void *content, uint64_t hash,
		     uint32_t group);
void mme_unstable_insert(struct mme *e, uint64_t gid, struct mme_page *p,
			 uint32_t group);
void mme_unstable_remove(struct mme *e, uint64_t gid, struct mme_page *p,
			 uint32_t group);
uint64_t mme_hslot(struct mme *e, uint64_t hash, uint32_t group);

/* codec.c */
size_t mme_xor_encode(const uint8_t *page, const uint8_t *ref, uint8_t *out,
		      size_t max);
void mme_xor_apply(const uint8_t *ref, const uint8_t *d, size_t len,
		   uint8_t *out);
size_t mme_lz4_encode(struct mme *e, const uint8_t *page, uint8_t *out,
		      size_t max);
void mme_lz4_decode(const struct mme_blob *b, uint8_t *out);
size_t mme_xd3_encode(struct mme *e, const uint8_t *page, const uint8_t *ref,
		      uint8_t *out, size_t max);
void mme_xd3_decode(struct mme *e, const struct mme_blob *b,
		    const uint8_t *ref, uint8_t *out);
int mme_codec_init(struct mme *e);
void mme_codec_fini(struct mme *e);
void mme_decode_page(struct mme *e, const struct mme_page *p, uint8_t *out);
size_t mme_xlz_encode(struct mme *e, const uint8_t *page, const uint8_t *ref,
		      uint8_t *out, size_t max);
void mme_patch_apply(struct mme *e, const struct mme_blob *b,
		     const uint8_t *ref, uint8_t *out);

/* simidx.c */
struct sim_cands {
	uint32_t id[SIM_MAX_BLOCKS];
	uint8_t votes[SIM_MAX_BLOCKS];
	uint32_t n;
};
void mme_sim_keys(struct mme *e, const uint8_t *page, uint32_t group,
		  uint64_t *keys);
void mme_sim_insert(struct mme *e, const uint64_t *keys, uint32_t id);
void mme_sim_lookup(struct mme *e, const uint64_t *keys, uint32_t self,
		    struct sim_cands *c);

static inline bool mme_is_zero(const void *page)
{
	const uint64_t *w = page;
	for (size_t i = 0; i < PG_SIZE / 8; i += 4)
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3])
			return false;
	return true;
}

#endif
