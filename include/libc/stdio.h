#ifndef DITTO_LIBC_STDIO_H
#define DITTO_LIBC_STDIO_H
#include <stdarg.h>
#include <stddef.h>
typedef struct ditto_file FILE;
#define stderr ((FILE *)0)
#define stdout ((FILE *)0)
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int snprintf(char *b, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *b, size_t n, const char *fmt, va_list ap);
#endif
