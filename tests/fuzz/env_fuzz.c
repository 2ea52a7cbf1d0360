/* include/ditto/env.h for the fuzz target: quiet console, libc heap. */
#include <stdio.h>
#include <stdlib.h>
#include "ditto/env.h"

void env_vprintf(const char *fmt, va_list ap)
{
	char buf[256];
	vsnprintf(buf, sizeof(buf), fmt, ap); /* exercise the arguments */
}

void env_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	env_vprintf(fmt, ap);
	va_end(ap);
}

void env_panic(const char *file, int line, const char *fmt, ...)
{
	fprintf(stderr, "PANIC %s:%d: %s\n", file, line, fmt);
	abort();
}

void *env_alloc(size_t size) { return malloc(size ? size : 1); }
void *env_zalloc(size_t size) { return calloc(1, size ? size : 1); }
void env_free(void *p) { free(p); }
void *env_alloc_pages(size_t npages) { return aligned_alloc(ENV_PAGE_SIZE, npages * ENV_PAGE_SIZE); }
void env_free_pages(void *p, size_t npages) { (void)npages; free(p); }
uint64_t env_now_ns(void) { return 0; }

void env_spin_wait(void) { __builtin_ia32_pause(); }
