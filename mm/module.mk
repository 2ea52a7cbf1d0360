KERNEL_C += mm/frames.c mm/heap.c mm/kmem.c

HOST_TESTS += mm_frames mm_heap
mm_frames_SRCS := mm/frames.c tests/host/mm_frames.c
mm_heap_SRCS := mm/heap.c tests/host/mm_heap.c
