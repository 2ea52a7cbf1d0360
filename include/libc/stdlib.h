#ifndef DITTO_LIBC_STDLIB_H
#define DITTO_LIBC_STDLIB_H
#include <stddef.h>
/* Backed by the kernel heap (xdelta3 references malloc/free; Ditto code uses env_alloc). */
void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
void free(void *p);
_Noreturn void abort(void);
#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#endif
