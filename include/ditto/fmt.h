#ifndef DITTO_FMT_H
#define DITTO_FMT_H
#include <stdarg.h>
#include <stddef.h>
int fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#endif
