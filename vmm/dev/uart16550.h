/*
 * 16550A UART register model (TI/National PC16550D datasheet, "Registers").
 * Transmission is instantaneous: a byte written to THR leaves at once, either
 * into the bounded output buffer the host drains line by line
 * (vuart_flush_lines), or, in loopback, into the receive FIFO.
 */
#ifndef DITTO_VMM_DEV_UART16550_H
#define DITTO_VMM_DEV_UART16550_H

#include "vmm/dev/vdev.h"

#define VUART_FIFO_SIZE 16
#define VUART_OUT_SIZE 4096 /* bounded transmit buffer (bytes) */
#define VUART_LINE_MAX 200  /* a longer line is delivered in pieces */

/* Receives one complete line (without '\n') or a piece of a long one. */
typedef void (*vuart_sink_fn)(void *ctx, const char *line, size_t len);

struct vuart {
	/* registers */
	uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	bool thre_pending; /* THRE interrupt latched (cleared by IIR read/THR write) */
	bool irq_level;
	uint8_t modem_in; /* host-side modem lines, MSR bits 7:4 */
	/* receive FIFO (a one-byte holding register when FIFOs are off) */
	uint8_t rx[VUART_FIFO_SIZE];
	unsigned rx_head, rx_count;
	/* transmit path to the host */
	char out[VUART_OUT_SIZE];
	unsigned out_head, out_count;
	unsigned out_lines; /* '\n' bytes in out[] */
	uint64_t tx_drops;  /* bytes lost because out[] was full */
	uint64_t rx_drops;  /* loopback bytes lost to a full FIFO (overrun) */
	vuart_sink_fn sink;
	void *sink_ctx;
	struct virq_line irq;
};

void vuart_init(struct vuart *u, struct virq_line irq, vuart_sink_fn sink, void *sink_ctx);
/* Ports base+0..7 (offset 0..7), byte accesses only (-EINVAL otherwise). */
int vuart_pio(struct vuart *u, unsigned offset, unsigned size, bool write, uint32_t *val);
/* Host input: returns how many of the n bytes fit in the receive FIFO. */
size_t vuart_rx_push(struct vuart *u, const uint8_t *buf, size_t n);
/* Delivers up to max_lines complete lines to the sink; returns how many. */
unsigned vuart_flush_lines(struct vuart *u, unsigned max_lines);
/* Delivers whatever is buffered, complete line or not (VM shutdown). */
void vuart_flush_all(struct vuart *u);
/* Host-side modem status inputs (CTS, DSR, RI, DCD). */
void vuart_set_modem_lines(struct vuart *u, bool cts, bool dsr, bool ri, bool dcd);

#endif
