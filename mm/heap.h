/* Kernel heap: size-class slabs on single pages, larger blocks on page runs. */
#ifndef MM_HEAP_H
#define MM_HEAP_H
#include "ditto/env.h"

#define HEAP_NCLASSES 7 /* 16 .. 1024 bytes */
#define HEAP_MAX_SLAB_OBJ 1024

struct heap_page_ops {
	void *(*alloc)(size_t npages); /* page-aligned, or NULL */
	void (*free)(void *p, size_t npages);
};

struct slab;
struct heap {
	struct heap_page_ops ops;
	struct slab *partial[HEAP_NCLASSES]; /* slabs with a free object */
	uint64_t bytes_in_use;  /* live bytes (slab objects count their class size) */
	uint64_t pages_in_use;  /* pages held from ops */
	uint64_t allocs, frees, failures;
};

void heap_init(struct heap *h, const struct heap_page_ops *ops);
/* 16-byte aligned (64 for large blocks), or NULL when out of memory. */
void *heap_alloc(struct heap *h, size_t size);
void *heap_zalloc(struct heap *h, size_t size);
/* Freeing a pointer the heap did not hand out, or twice, panics. */
void heap_free(struct heap *h, void *p);
/* Return the cached empty slabs (under memory pressure, or before teardown). */
void heap_trim(struct heap *h);
/* Usable size of a live block. */
size_t heap_usable(struct heap *h, const void *p);

#endif
