/*
 * 16550 UART console (PC16550D datasheet, section 8: registers).
 * Polled: the console must work in a panic with interrupts off. Every wait
 * is bounded; a dead UART costs a bounded delay per byte, never a hang.
 */
#include "arch/x86.h"
#include "drivers/uart.h"

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_RBR 0
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
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

static uint16_t base;

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
