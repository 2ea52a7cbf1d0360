#ifndef LIB_CONSOLE_H
#define LIB_CONSOLE_H
#include <stdarg.h>
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
/* For the panic path: take the console even if another CPU holds it. */
void console_break_lock(void);
#endif
