/*
 * 16550 UART console (PC16550D datasheet, section 8: registers).
 * Polled: the console must work in a panic with interrupts off. Every wait
 * is bounded; a dead UART costs a bounded delay per byte, never a hang.
 * uart_putc waits for each byte; uart_tx_room/uart_tx let lib/console.c feed
 * the transmit FIFO a burst at a time without waiting.
 */
#include "arch/x86.h"
#include "drivers/uart.h"

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_RBR 0
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_IIR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01   /* data ready */
#define LSR_THRE 0x20 /* holding register empty */
#define LSR_TEMT 0x40 /* transmitter empty */
#define LCR_DLAB 0x80
#define LCR_8N1 0x03

/* At 115200 baud a byte takes ~87 us; this bound is far beyond that. */
#define UART_SPIN_LIMIT 200000

#define IIR_FIFO 0xc0 /* both bits set: 16550A with working FIFOs */
#define UART_FIFO_DEPTH 16

static uint16_t base;
static unsigned tx_burst = 1; /* bytes the transmitter takes once THRE is set */

void uart_init(uint16_t port)
{
	base = port;
	outb(base + UART_IER, 0);
	outb(base + UART_LCR, LCR_DLAB);
	outb(base + UART_DLL, 1); /* 115200 baud */
	outb(base + UART_DLM, 0);
	outb(base + UART_LCR, LCR_8N1);
	outb(base + UART_FCR, 0x07); /* enable and clear FIFOs */
	outb(base + UART_MCR, 0x03); /* DTR, RTS */
	/* With the FIFO on, THRE means the whole transmit FIFO is empty
	 * (PC16550D section 8.4); an 8250/16450 takes one byte. */
	tx_burst = (inb(base + UART_IIR) & IIR_FIFO) == IIR_FIFO ? UART_FIFO_DEPTH : 1;
}

unsigned uart_tx_room(bool wait)
{
	if (!base)
		return ~0u; /* no UART: everything "goes out" at once */
	if (!wait)
		return inb(base + UART_LSR) & LSR_THRE ? tx_burst : 0;
	int i = 0;
	for (; i < UART_SPIN_LIMIT && !(inb(base + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	/* A dead UART: one byte after the bounded wait, as uart_putc does. */
	return i < UART_SPIN_LIMIT ? tx_burst : 1;
}

void uart_tx(uint8_t c)
{
	if (base)
		outb(base + UART_THR, c);
}

void uart_putc(char c)
{
	if (!base)
		return;
	for (int i = 0; i < UART_SPIN_LIMIT && !(inb(base + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(base + UART_THR, (uint8_t)c);
}

int uart_getc(void)
{
	if (!base || !(inb(base + UART_LSR) & LSR_DR))
		return -1;
	return inb(base + UART_RBR);
}

void uart_drain(void)
{
	if (!base)
		return;
	for (int i = 0; i < UART_SPIN_LIMIT && !(inb(base + UART_LSR) & LSR_TEMT); i++)
		cpu_relax();
}
