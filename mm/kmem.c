/*
 * The kernel's frame allocator and heap (kernel-only glue around the
 * host-tested mm/frames.c and mm/heap.c), and env.h's allocation calls.
 */
#include "arch/paging.h"
#include "arch/panic.h"
#include "boot/mb2.h"
#include "lib/console.h"
#include "lib/spinlock.h"
#include "mm/kmem.h"

extern char __kernel_phys_start[], __kernel_phys_end[];

static struct frames frames;
static struct spinlock frames_lock = SPINLOCK_INIT;
static struct heap heap;
static struct spinlock heap_lock = SPINLOCK_INIT;

/* Boot tables map only the low 4 GiB: early frames must come from there. */
#define EARLY_CEILING (4ull << 30)

uint64_t kmem_frames_alloc(size_t count, size_t align)
{
	spin_lock(&frames_lock);
	uint64_t pa = frames_alloc(&frames, count, align);
	spin_unlock(&frames_lock);
	return pa;
}

void kmem_frames_free(uint64_t phys, size_t count)
{
	spin_lock(&frames_lock);
	frames_free(&frames, phys, count);
	spin_unlock(&frames_lock);
}

static void *heap_pages_alloc(size_t npages)
{
	uint64_t pa = kmem_frames_alloc(npages, 1);
	return pa == FRAMES_NONE ? NULL : phys_to_virt(pa);
}

static void heap_pages_free(void *p, size_t npages)
{
	kmem_frames_free(virt_to_phys(p), npages);
}

void kmem_init(const struct mb2_info *mbi, uint64_t mbi_phys, const struct frames_range *extra,
	       size_t n_extra)
{
	static struct frames_range avail[MB2_MAX_MMAP];
	static struct frames_range excl[8 + MB2_MAX_MODULES + 48];
	size_t na = 0, nx = 0;

	for (size_t i = 0; i < mbi->n_mmap; i++)
		if (mbi->mmap[i].type == MB2_MEM_AVAILABLE)
			avail[na++] = (struct frames_range){ mbi->mmap[i].base,
							     mbi->mmap[i].base + mbi->mmap[i].len };
	/* Low 1 MiB: BIOS data, EBDA, and later the AP start-up trampoline. */
	excl[nx++] = (struct frames_range){ 0, 1ull << 20 };
	excl[nx++] = (struct frames_range){ (uint64_t)__kernel_phys_start, (uint64_t)__kernel_phys_end };
	excl[nx++] = (struct frames_range){ mbi_phys, mbi_phys + mbi->total_size };
	for (size_t i = 0; i < mbi->n_modules; i++)
		excl[nx++] = (struct frames_range){ mbi->modules[i].start, mbi->modules[i].end };
	for (size_t i = 0; i < n_extra && nx < ENV_ARRAY_SIZE(excl); i++)
		excl[nx++] = extra[i];

	size_t bytes = frames_bitmap_bytes(avail, na);
	uint64_t bm = frames_find_hole(avail, na, excl, nx, bytes, EARLY_CEILING);
	if (!bytes || bm == FRAMES_NONE)
		panic("kmem: no room for the frame bitmap (%zu bytes)", bytes);
	excl[nx++] = (struct frames_range){ bm, bm + bytes };
	if (frames_init(&frames, avail, na, excl, nx, phys_to_virt(bm), bytes))
		panic("kmem: frame allocator init failed");
	frames.ceiling = EARLY_CEILING;

	static const struct heap_page_ops ops = { heap_pages_alloc, heap_pages_free };
	heap_init(&heap, &ops);
}

void kmem_lift_ceiling(void)
{
	spin_lock(&frames_lock);
	frames.ceiling = 0;
	spin_unlock(&frames_lock);
}

const struct frames *kmem_frames(void) { return &frames; }
const struct heap *kmem_heap(void) { return &heap; }

void kmem_print_stats(void)
{
	kprintf("memory: %llu KiB usable, %llu KiB free, heap %llu pages\n",
		(unsigned long long)(frames.usable_frames * 4), (unsigned long long)(frames.free_frames * 4),
		(unsigned long long)heap.pages_in_use);
}

/* include/ditto/env.h, kernel side. */
void *env_alloc(size_t size)
{
	spin_lock(&heap_lock);
	void *p = heap_alloc(&heap, size);
	spin_unlock(&heap_lock);
	return p;
}

void *env_zalloc(size_t size)
{
	void *p = env_alloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void env_free(void *p)
{
	spin_lock(&heap_lock);
	heap_free(&heap, p);
	spin_unlock(&heap_lock);
}

void *env_alloc_pages(size_t npages)
{
	return heap_pages_alloc(npages);
}

void env_free_pages(void *p, size_t npages)
{
	heap_pages_free(p, npages);
}

void *env_phys_to_virt(uint64_t pa) { return phys_to_virt(pa); }
uint64_t env_virt_to_phys(const void *p) { return virt_to_phys(p); }

void *env_alloc_pages_aligned(size_t npages, size_t align_pages)
{
	uint64_t pa = kmem_frames_alloc(npages, align_pages);
	return pa == FRAMES_NONE ? NULL : phys_to_virt(pa);
}
