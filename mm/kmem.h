/* The kernel's memory: one frame allocator and one heap, both locked. */
#ifndef MM_KMEM_H
#define MM_KMEM_H
#include "mm/frames.h"
#include "mm/heap.h"

struct mb2_info;
/* Build the frame allocator from the memory map, excluding the kernel image,
 * the boot information, every module, low memory and `extra` (ACPI tables). */
void kmem_init(const struct mb2_info *mbi, uint64_t mbi_phys, const struct frames_range *extra,
	       size_t n_extra);
/* After paging_init: frames anywhere in RAM may be used. */
void kmem_lift_ceiling(void);
uint64_t kmem_frames_alloc(size_t count, size_t align);
void kmem_frames_free(uint64_t phys, size_t count);
void kmem_print_stats(void);
const struct frames *kmem_frames(void);
const struct heap *kmem_heap(void);
#endif
