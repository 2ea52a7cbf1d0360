/* Console output: formats into a per-call buffer, writes under one lock so
 * lines from different CPUs do not interleave. \n becomes \r\n on the wire. */
#include "ditto/env.h"
#include "ditto/fmt.h"
#include "drivers/uart.h"
#include "lib/console.h"
#include "lib/spinlock.h"

static struct spinlock console_lock = SPINLOCK_INIT;

static void emit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

void kvprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	spin_lock(&console_lock);
	emit(buf, len);
	if ((size_t)n >= sizeof(buf))
		emit("[...]\n", 6);
	spin_unlock(&console_lock);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void console_break_lock(void)
{
	spin_unlock(&console_lock);
}
