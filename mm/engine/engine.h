/*
 * Ditto's memory-redundancy engine (after the Difference Engine, OSDI 2008).
 *
 * The engine keeps, for every guest frame of every VM it is told about, one
 * of five states: private (the guest's own frame), zero (mapped read-only to
 * one zero frame), shared (mapped read-only to a reference-counted shared
 * frame, found by XXH64 and confirmed by a full byte compare), patched (not
 * mapped; a delta against a shared frame that stays alive while the patch
 * needs it) or compressed (not mapped; LZ4). Patched and compressed pages
 * are rebuilt into a private frame when the guest touches them.
 *
 * The engine never touches page tables itself: a small backend (struct
 * mme_ops) reads guest frames, changes their mappings and reads-and-clears
 * accessed bits. In the monitor those are EPT operations; in ditto-memsim
 * and the host tests they operate on arrays. Design and invariants:
 * docs/memory.md.
 *
 * Not thread-safe: the caller serialises every call (the monitor holds one
 * engine lock across mme_scan and mme_fault).
 */
#ifndef DITTO_MM_ENGINE_H
#define DITTO_MM_ENGINE_H

#include "ditto/env.h"

struct mme;

enum mme_prot {
	MME_PROT_NONE = 0, /* not mapped: any access faults */
	MME_PROT_RO = 1,   /* read-only: a write faults */
	MME_PROT_RW = 2,
};

enum mme_state {
	MME_PRIVATE = 0,
	MME_ZERO,
	MME_SHARED,
	MME_PATCHED,
	MME_COMPRESSED,
	MME_NSTATES,
};

/* The backend: how the engine sees and changes guest mappings. */
struct mme_ops {
	/*
	 * Host address of the frame that backs guest frame gfn of VM vm while
	 * that page is private (the engine asks for nothing else).
	 */
	void *(*frame)(void *ctx, uint32_t vm, uint64_t gfn);
	/*
	 * Map gfn to frame with prot (frame NULL with MME_PROT_NONE: unmap).
	 * Frames passed here stay owned by the engine, except the guest's
	 * own frames, which the engine hands back through release.
	 */
	void (*map)(void *ctx, uint32_t vm, uint64_t gfn, void *frame,
		    enum mme_prot prot);
	/* Read and clear the accessed bit of gfn (EPT A bit). */
	bool (*test_clear_accessed)(void *ctx, uint32_t vm, uint64_t gfn);
	/* The engine no longer needs this guest-owned frame of gfn. */
	void (*release)(void *ctx, uint32_t vm, uint64_t gfn, void *frame);
};

struct mme_config {
	uint64_t max_pages;	 /* guest pages over all VMs, sizes the tables */
	uint32_t max_vms;
	uint32_t keep_max;	 /* keep a patch/compressed page only if <= this */
	uint32_t cold_age;	 /* scan passes without access before "cold" */
	uint32_t reserve_frames; /* frames kept for fault-ins under pressure */
	uint32_t sim_blocks;	 /* 64-byte blocks sampled per page (<= 8) */
	bool enable_patch;
	bool enable_compress;
	bool enable_xdelta;
	/*
	 * Compress references of real patches too (more memory saved; a
	 * fault-in of such a patch then decompresses the reference first).
	 */
	bool compress_refs;
	/* LZ4-of-XOR patches (smaller; their fault-in runs an LZ4 decode). */
	bool enable_xlz;
	/* Test hooks (NULL in production). */
	uint64_t (*hash_hook)(const void *page); /* replaces XXH64 */
	bool (*alloc_fail_hook)(void *ctx);	   /* true: fail this allocation */
};

void mme_config_default(struct mme_config *cfg);

struct mme_stats {
	uint64_t pages;			/* guest pages registered */
	uint64_t state_pages[MME_NSTATES];
	uint64_t sframes;		/* shared frames alive */
	uint64_t sframes_full;		/* ... of which hold a frame */
	uint64_t sframe_orphans;	/* mapped by no guest page */
	uint64_t patch_bytes, comp_bytes, sframe_comp_bytes; /* payloads */
	uint64_t patches_xor, patches_xd3, patches_empty;
	/* Bytes saved against one private frame per guest page, by mechanism. */
	int64_t saved_zero, saved_shared, saved_patched, saved_compressed;
	uint64_t meta_bytes;		/* all engine metadata */
	uint64_t frames_engine;		/* frames the engine allocated */
	uint64_t reserve_free;
	/* Counters. */
	uint64_t scanned, merges, cow_breaks, faults, alloc_failures;
	uint64_t hash_collisions;	/* equal hash, different bytes */
};

int mme_create(const struct mme_config *cfg, const struct mme_ops *ops,
	       void *ctx, struct mme **out);
void mme_destroy(struct mme *e);

/*
 * Register a VM of npages guest frames in trust group group (pages of
 * different groups are never shared or patched against each other; zero
 * pages are shared everywhere). All pages start private. Returns 0 and the
 * VM's id in *vm, or -ENOMEM / -ENOSPC / -EINVAL.
 */
int mme_vm_add(struct mme *e, uint64_t npages, uint32_t group, uint32_t *vm);
/* Forget a VM: every page is dropped (mme_free) first. */
void mme_vm_remove(struct mme *e, uint32_t vm);

/*
 * One scan tick: examine at most budget pages (in clock order over all VMs)
 * and merge, patch or compress what pays. Returns pages examined.
 */
uint64_t mme_scan(struct mme *e, uint64_t budget);

/*
 * The guest touched (vm, gfn) and faulted: write on a zero/shared page, any
 * access to a patched/compressed page, or a write to a private page the
 * engine had write-protected. The page becomes private and mapped RW; its
 * frame is returned in *frame. -ENOMEM only if neither the heap nor the
 * reserve has a frame (the monitor then pauses the vCPU and retries after
 * the next scan, which frees memory). -EINVAL for a bad vm/gfn.
 */
int mme_fault(struct mme *e, uint32_t vm, uint64_t gfn, bool write,
	      void **frame);

/*
 * The guest gave the page up (balloon, VM teardown): whatever backed it is
 * dropped and the page becomes a zero page (it reads back as zeros).
 */
int mme_free(struct mme *e, uint32_t vm, uint64_t gfn);

/* Copy the current content of (vm, gfn) into buf without changing state. */
int mme_read(struct mme *e, uint32_t vm, uint64_t gfn, void *buf);

enum mme_state mme_page_state(struct mme *e, uint32_t vm, uint64_t gfn);
void mme_get_stats(struct mme *e, struct mme_stats *st);
/* Full internal consistency check (tests): 0 or a negative line number. */
int mme_check(struct mme *e);

#endif
