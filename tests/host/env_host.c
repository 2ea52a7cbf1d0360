/* The host implementation of include/ditto/env.h, for unit tests and tools. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "ditto/env.h"

jmp_buf *check_panic_jmp;
char check_panic_msg[512];

void env_vprintf(const char *fmt, va_list ap)
{
	vprintf(fmt, ap);
}

void env_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void env_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(check_panic_msg, sizeof(check_panic_msg), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(check_panic_msg + n, sizeof(check_panic_msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (check_panic_jmp)
		longjmp(*check_panic_jmp, 1);
	fprintf(stderr, "PANIC %s\n", check_panic_msg);
	abort();
}

void *env_alloc(size_t size) { return malloc(size ? size : 1); }
void *env_zalloc(size_t size) { return calloc(1, size ? size : 1); }
void env_free(void *p) { free(p); }

void *env_alloc_pages(size_t npages)
{
	void *p = NULL;
	if (posix_memalign(&p, ENV_PAGE_SIZE, npages * ENV_PAGE_SIZE))
		return NULL;
	return p;
}

void env_free_pages(void *p, size_t npages)
{
	(void)npages;
	free(p);
}

uint64_t env_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void *env_phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)pa; }
uint64_t env_virt_to_phys(const void *p) { return (uint64_t)(uintptr_t)p; }

void *env_alloc_pages_aligned(size_t npages, size_t align_pages)
{
	void *p = NULL;
	if (posix_memalign(&p, ENV_PAGE_SIZE * align_pages, npages * ENV_PAGE_SIZE))
		return NULL;
	return p;
}

void env_spin_wait(void) { __builtin_ia32_pause(); }
