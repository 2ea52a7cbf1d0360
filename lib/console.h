#ifndef LIB_CONSOLE_H
#define LIB_CONSOLE_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
/* Queued output (while VMs run; lib/console.c): on = bytes go to a ring that
 * console_pump() sends; off = send what is queued (waiting), then write
 * directly again. */
void console_queue(bool on);
/* Send what the UART takes now from the ring; never waits. */
void console_pump(void);
/* Bytes are queued that the UART has not taken yet. */
bool console_pending(void);
/* Times a printer found the ring full and waited for the wire. */
uint64_t console_full_waits(void);
/* At most this long between pumps while bytes wait: a 16-byte FIFO empties
 * in ~1.4 ms at 115200 baud. */
#define CONSOLE_PUMP_NS 1000000ull
/* For the panic path: take the console even if another CPU holds it, send
 * what is queued, write directly from now on. */
void console_panic(void);
#endif
