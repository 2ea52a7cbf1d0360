/* The few libc symbols third-party code references inside the monitor
 * (xdelta3: malloc/free; diagnostics: printf/fprintf). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "arch/panic.h"
#include "ditto/env.h"
#include "ditto/fmt.h"
#include "lib/console.h"

int errno;

void *malloc(size_t n) { return env_alloc(n); }
void free(void *p) { env_free(p); }

void *calloc(size_t n, size_t m)
{
	if (m && n > (size_t)-1 / m)
		return NULL;
	return env_zalloc(n * m);
}

void *realloc(void *p, size_t n);
void *realloc(void *p, size_t n)
{
	(void)p;
	(void)n;
	panic("realloc is not provided in the monitor");
}

void abort(void)
{
	panic("abort() called");
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	return 0;
}

int fprintf(FILE *f, const char *fmt, ...)
{
	(void)f;
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	return 0;
}

int snprintf(char *b, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = fmt_vsnprintf(b, n, fmt, ap);
	va_end(ap);
	return r;
}

int vsnprintf(char *b, size_t n, const char *fmt, va_list ap)
{
	return fmt_vsnprintf(b, n, fmt, ap);
}

void env_vprintf(const char *fmt, va_list ap)
{
	kvprintf(fmt, ap);
}

void env_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
