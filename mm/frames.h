/* Physical frame allocator: a bitmap over the span of usable RAM. */
#ifndef MM_FRAMES_H
#define MM_FRAMES_H
#include "ditto/env.h"

#define FRAME_SIZE 4096ull
#define FRAMES_NONE (~0ull)
#define FRAMES_MAX_RANGES 256

struct frames_range {
	uint64_t base, end; /* [base, end), bytes */
};

struct frames {
	uint64_t *bitmap;    /* bit set = frame free */
	uint64_t base_pfn;   /* first frame the bitmap covers */
	uint64_t npfn;       /* frames covered */
	uint64_t free_frames;
	uint64_t usable_frames; /* free at init */
	uint64_t hint;       /* word index to start the next search at */
	uint64_t ceiling;    /* if non-zero: allocate only below this physical address */
};

/* Bytes of bitmap needed to cover the available ranges. */
size_t frames_bitmap_bytes(const struct frames_range *avail, size_t n_avail);

/*
 * Find `bytes` (page-rounded) of available memory below `limit`, outside every
 * excluded range: where the kernel puts the bitmap before it has an allocator.
 * Returns the physical base or FRAMES_NONE.
 */
uint64_t frames_find_hole(const struct frames_range *avail, size_t n_avail,
			  const struct frames_range *excl, size_t n_excl, size_t bytes,
			  uint64_t limit);

/*
 * Build the allocator: frames fully inside an available range and not
 * touching any excluded range become free. Available ranges are rounded
 * inwards to frames, excluded ones outwards. `bitmap` must hold
 * frames_bitmap_bytes() bytes. Returns 0 or -EINVAL.
 */
int frames_init(struct frames *f, const struct frames_range *avail, size_t n_avail,
		const struct frames_range *excl, size_t n_excl, uint64_t *bitmap,
		size_t bitmap_bytes);

/* `count` contiguous frames whose first frame is aligned to `align` frames
 * (a power of two). Returns the physical address or FRAMES_NONE. */
uint64_t frames_alloc(struct frames *f, size_t count, size_t align);
/* Frees frames; freeing a frame that is free or outside the allocator is a
 * broken invariant and panics. */
void frames_free(struct frames *f, uint64_t phys, size_t count);
bool frames_is_free(const struct frames *f, uint64_t phys);

#endif
