/*
 * Kernel heap.
 *
 * Small blocks (<= 1 KiB) come from slabs: one page each, a 64-byte header
 * at the page start, objects of one size class after it, a free list through
 * the free objects and a bitmap that catches double frees. Larger blocks take
 * a run of pages with the same 64-byte header in front. Both headers begin
 * with a magic word, so heap_free() finds the header by rounding the pointer
 * down to its page and rejects pointers it never handed out.
 * Not thread-safe: the kernel wraps it in a lock (lib/env_kernel.c).
 */
#include "mm/heap.h"

#define SLAB_MAGIC 0x42414c5344697474ull  /* "ttiDSLAB" */
#define LARGE_MAGIC 0x4752414c44697474ull /* "ttiDLARG" */
#define HDR_SIZE 64u
#define PAGE ENV_PAGE_SIZE

struct slab {
	uint64_t magic;
	uint16_t cls, nobj, nfree, pad;
	void *free_list;
	struct slab *prev, *next;
	uint64_t free_bits[3]; /* up to 190 objects of 16 bytes after the header... */
};
_Static_assert(sizeof(struct slab) <= HDR_SIZE, "slab header too big");

struct large {
	uint64_t magic;
	uint64_t npages;
	uint64_t size;
};

static const uint16_t class_size[HEAP_NCLASSES] = { 16, 32, 64, 128, 256, 512, 1024 };
/* Objects per slab, capped by the free bitmap (3 * 64 bits). */
#define SLAB_MAX_OBJ 192

static int class_of(size_t size)
{
	for (int c = 0; c < HEAP_NCLASSES; c++)
		if (size <= class_size[c])
			return c;
	return -1;
}

void heap_init(struct heap *h, const struct heap_page_ops *ops)
{
	memset(h, 0, sizeof(*h));
	h->ops = *ops;
}

static void list_remove(struct heap *h, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		h->partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
}

static void list_push(struct heap *h, struct slab *s)
{
	s->prev = NULL;
	s->next = h->partial[s->cls];
	if (s->next)
		s->next->prev = s;
	h->partial[s->cls] = s;
}

static struct slab *slab_new(struct heap *h, int cls)
{
	struct slab *s = h->ops.alloc(1);
	if (!s)
		return NULL;
	h->pages_in_use++;
	memset(s, 0, HDR_SIZE);
	s->magic = SLAB_MAGIC;
	s->cls = (uint16_t)cls;
	s->nobj = (uint16_t)ENV_MIN((PAGE - HDR_SIZE) / class_size[cls], (unsigned)SLAB_MAX_OBJ);
	s->nfree = s->nobj;
	/* Thread the free list from the end so objects go out in address order. */
	for (int i = s->nobj - 1; i >= 0; i--) {
		void **obj = (void **)((uint8_t *)s + HDR_SIZE + (size_t)i * class_size[cls]);
		*obj = s->free_list;
		s->free_list = obj;
		s->free_bits[i / 64] |= 1ull << (i % 64);
	}
	list_push(h, s);
	return s;
}

static void *large_alloc(struct heap *h, size_t size)
{
	if (size > (1ull << 40))
		return NULL;
	size_t npages = (size + HDR_SIZE + PAGE - 1) / PAGE;
	struct large *l = h->ops.alloc(npages);
	if (!l)
		return NULL;
	l->magic = LARGE_MAGIC;
	l->npages = npages;
	l->size = size;
	h->pages_in_use += npages;
	return (uint8_t *)l + HDR_SIZE;
}

void *heap_alloc(struct heap *h, size_t size)
{
	void *p;
	if (!size)
		size = 1;
	int cls = class_of(size);
	if (cls < 0) {
		p = large_alloc(h, size);
	} else {
		struct slab *s = h->partial[cls];
		if (!s)
			s = slab_new(h, cls);
		if (!s) {
			p = NULL;
		} else {
			p = s->free_list;
			s->free_list = *(void **)p;
			unsigned idx = (unsigned)(((uint8_t *)p - (uint8_t *)s - HDR_SIZE) / class_size[cls]);
			s->free_bits[idx / 64] &= ~(1ull << (idx % 64));
			if (--s->nfree == 0)
				list_remove(h, s);
		}
	}
	if (!p) {
		h->failures++;
		return NULL;
	}
	h->allocs++;
	h->bytes_in_use += cls < 0 ? size : class_size[cls];
	return p;
}

void *heap_zalloc(struct heap *h, size_t size)
{
	void *p = heap_alloc(h, size);
	if (p)
		memset(p, 0, size ? size : 1);
	return p;
}

size_t heap_usable(struct heap *h, const void *p)
{
	(void)h;
	const uint64_t *hdr = (const uint64_t *)((uintptr_t)p & ~(uintptr_t)(PAGE - 1));
	if (*hdr == SLAB_MAGIC)
		return class_size[((const struct slab *)hdr)->cls];
	if (*hdr == LARGE_MAGIC)
		return ((const struct large *)hdr)->npages * PAGE - HDR_SIZE;
	ENV_PANIC("heap: %p is not a heap block", p);
}

void heap_free(struct heap *h, void *p)
{
	if (!p)
		return;
	uint64_t *hdr = (uint64_t *)((uintptr_t)p & ~(uintptr_t)(PAGE - 1));
	if (*hdr == LARGE_MAGIC) {
		struct large *l = (struct large *)hdr;
		if ((uint8_t *)p != (uint8_t *)l + HDR_SIZE)
			ENV_PANIC("heap: free of %p inside a large block", p);
		size_t npages = l->npages;
		h->bytes_in_use -= l->size;
		h->pages_in_use -= npages;
		h->frees++;
		l->magic = 0; /* a second free finds no magic and panics */
		h->ops.free(l, npages);
		return;
	}
	if (*hdr != SLAB_MAGIC)
		ENV_PANIC("heap: free of %p, not a heap block", p);
	struct slab *s = (struct slab *)hdr;
	size_t off = (size_t)((uint8_t *)p - (uint8_t *)s);
	size_t osz = class_size[s->cls];
	if (off < HDR_SIZE || (off - HDR_SIZE) % osz || (off - HDR_SIZE) / osz >= s->nobj)
		ENV_PANIC("heap: free of %p, not an object start", p);
	unsigned idx = (unsigned)((off - HDR_SIZE) / osz);
	if (s->free_bits[idx / 64] >> (idx % 64) & 1)
		ENV_PANIC("heap: double free of %p", p);
	s->free_bits[idx / 64] |= 1ull << (idx % 64);
	*(void **)p = s->free_list;
	s->free_list = p;
	h->frees++;
	h->bytes_in_use -= osz;
	if (s->nfree++ == 0)
		list_push(h, s);
	if (s->nfree == s->nobj) {
		/* Empty: give the page back, keeping one empty slab per class. */
		if (h->partial[s->cls] != s || s->next) {
			list_remove(h, s);
			s->magic = 0;
			h->pages_in_use--;
			h->ops.free(s, 1);
		}
	}
}

void heap_trim(struct heap *h)
{
	for (int c = 0; c < HEAP_NCLASSES; c++) {
		struct slab *s = h->partial[c];
		while (s) {
			struct slab *next = s->next;
			if (s->nfree == s->nobj) {
				list_remove(h, s);
				s->magic = 0;
				h->pages_in_use--;
				h->ops.free(s, 1);
			}
			s = next;
		}
	}
}
