/*
 * The narrow environment of Ditto's host-testable core.
 *
 * mm/, the manifest parser, the scheduler policy, the decoder glue and the EPT
 * builders include this header and nothing from the kernel proper. The kernel
 * implements it in lib/env_kernel.c; host unit tests and host tools implement
 * it in tests/host/env_host.c on top of libc. Keep it small: every function
 * added here must be implementable in both places.
 */
#ifndef DITTO_ENV_H
#define DITTO_ENV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ENV_PAGE_SIZE 4096u

/* Console output (kernel: serial console; host: stdout). */
void env_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void env_vprintf(const char *fmt, va_list ap);

/*
 * A broken invariant of Ditto itself (never a guest-controlled condition):
 * the kernel dumps state and stops the machine with failure; host tests abort.
 */
_Noreturn void env_panic(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define ENV_PANIC(...) env_panic(__FILE__, __LINE__, __VA_ARGS__)
#define ENV_ASSERT(c)                                                          \
	do {                                                                   \
		if (__builtin_expect(!(c), 0))                                 \
			ENV_PANIC("assertion failed: %s", #c);                 \
	} while (0)

/* Heap: may return NULL; callers handle it. */
void *env_alloc(size_t size);
void *env_zalloc(size_t size);
void env_free(void *p);

/* Page-aligned, page-granular memory (kernel: frames through the direct map). */
void *env_alloc_pages(size_t npages);
void env_free_pages(void *p, size_t npages);
/* Aligned to align_pages pages (a power of two), e.g. 512 for 2 MiB. */
void *env_alloc_pages_aligned(size_t npages, size_t align_pages);

/* Physical <-> virtual for memory from env_alloc_pages (kernel: the direct map;
 * host: identity). Second-level page tables hold physical addresses. */
void *env_phys_to_virt(uint64_t pa);
uint64_t env_virt_to_phys(const void *p);

/* One step of a spin-wait: kernel: serve other CPUs' requests to this one
 * (so a lock holder may wait for this CPU) and PAUSE; host: PAUSE. */
void env_spin_wait(void);

/* Monotonic time in nanoseconds (kernel: calibrated TSC). */
uint64_t env_now_ns(void);

#define ENV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ENV_MIN(a, b) ((a) < (b) ? (a) : (b))
#define ENV_MAX(a, b) ((a) > (b) ? (a) : (b))
#define ENV_ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ENV_IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)

#endif
