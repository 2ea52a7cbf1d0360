/*
 * Console output: formats into a per-call buffer, writes under one lock so
 * lines from different CPUs do not interleave. \n becomes \r\n on the wire.
 *
 * Two modes. Direct (boot, panic, after a run): every byte waits for the
 * UART. Queued (while VMs run, console_queue(true)): bytes go to a ring and
 * the UART's transmit FIFO is refilled from it by console_pump(), which the
 * runner calls between slices and on host interrupts (CPU 0 arms its timer
 * for it while bytes wait). At 115200 baud a byte takes ~87 us on the wire:
 * queued, a guest's console line no longer holds its vCPU (and the runner's
 * CPU) for that long. A full ring waits for the wire: nothing is dropped.
 */
#include "ditto/env.h"
#include "ditto/fmt.h"
#include "drivers/uart.h"
#include "lib/conring.h"
#include "lib/console.h"
#include "lib/spinlock.h"

#define RING_BYTES (256u * 1024u) /* ~23 s of output at 115200 baud */

static struct spinlock console_lock = SPINLOCK_INIT;
static char ring_buf[RING_BYTES];
static const struct conring_sink uart_sink = { uart_tx_room, uart_tx };
static struct conring ring = { .buf = ring_buf, .size = RING_BYTES, .sink = &uart_sink };
static bool queued;

static void put(char c)
{
	if (queued)
		conring_put(&ring, c);
	else
		uart_putc(c);
}

static void emit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
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
	conring_feed(&ring, false);
	spin_unlock(&console_lock);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

bool console_pending(void)
{
	return conring_pending(&ring);
}

void console_pump(void)
{
	/* A CPU that holds the lock feeds the UART itself when it is done. */
	if (!conring_pending(&ring) || !spin_trylock(&console_lock))
		return;
	conring_feed(&ring, false);
	spin_unlock(&console_lock);
}

void console_queue(bool on)
{
	spin_lock(&console_lock);
	conring_flush(&ring);
	queued = on;
	spin_unlock(&console_lock);
}

void console_panic(void)
{
	/* The lock holder may be a CPU stopped mid-line: take the console
	 * regardless, send what is queued, then write directly. */
	spin_unlock(&console_lock);
	conring_flush(&ring);
	queued = false;
}

uint64_t console_full_waits(void)
{
	return __atomic_load_n(&ring.full_waits, __ATOMIC_RELAXED);
}
