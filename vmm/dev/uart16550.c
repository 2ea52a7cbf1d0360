/*
 * 16550A UART register model. Section names refer to the PC16550D datasheet
 * (National Semiconductor / TI, "PC16550D UART with FIFOs", section 8
 * "Registers", table II "Register summary").
 *
 * The line itself is not timed: a byte written to THR is "sent" at once, so
 * THRE/TEMT read as set again immediately and the THRE interrupt re-arms.
 * Output goes into a bounded ring the host drains line by line at its own
 * pace (vuart_flush_lines); a guest writing faster than the host drains loses
 * bytes (counted in tx_drops) but cannot make the monitor do unbounded work.
 */
#include "vmm/dev/uart16550.h"

/* Register offsets (8.1, table II). */
#define VUART_RBR_THR 0
#define VUART_IER 1
#define VUART_IIR_FCR 2
#define VUART_LCR 3
#define VUART_MCR 4
#define VUART_LSR 5
#define VUART_MSR 6
#define VUART_SCR 7

#define IER_RDA 0x01
#define IER_THRE 0x02
#define IER_RLS 0x04
#define IER_MSI 0x08

#define IIR_NONE 0x01
#define IIR_MSI 0x00
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_RLS 0x06
#define IIR_CTI 0x0c
#define IIR_FIFO 0xc0

#define FCR_ENABLE 0x01
#define FCR_CLR_RX 0x02
#define FCR_CLR_TX 0x04

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_ERRS 0x1e /* OE, PE, FE, BI */
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

static bool fifo_on(const struct vuart *u)
{
	return u->fcr & FCR_ENABLE;
}

static unsigned rx_capacity(const struct vuart *u)
{
	return fifo_on(u) ? VUART_FIFO_SIZE : 1;
}

/* FCR bits 7:6 -> receiver trigger level (8.7). */
static unsigned rx_trigger(const struct vuart *u)
{
	static const uint8_t levels[4] = { 1, 4, 8, 14 };
	return levels[u->fcr >> 6];
}

/* Interrupt identification with the priorities of table IV (8.6). */
static uint8_t vuart_iir(const struct vuart *u)
{
	uint8_t id = IIR_NONE;

	if ((u->ier & IER_RLS) && (u->lsr & LSR_ERRS))
		id = IIR_RLS;
	else if ((u->ier & IER_RDA) && u->rx_count)
		/* Character timeout is reported at once instead of after four
		 * character times: the line is not timed (documented). */
		id = (fifo_on(u) && u->rx_count < rx_trigger(u)) ? IIR_CTI : IIR_RDA;
	else if ((u->ier & IER_THRE) && u->thre_pending)
		id = IIR_THRE;
	else if ((u->ier & IER_MSI) && (u->msr & 0x0f))
		id = IIR_MSI;
	return id | (fifo_on(u) ? IIR_FIFO : 0);
}

/*
 * The INTR pin reaches the PC's IRQ line through a driver enabled by OUT2
 * (MCR bit 3); in loopback (8.8) OUT2 is disconnected from the pin, so no
 * interrupt leaves the chip.
 */
static void vuart_update_irq(struct vuart *u)
{
	bool level = (vuart_iir(u) & 0x0f) != IIR_NONE && (u->mcr & MCR_OUT2) &&
		     !(u->mcr & MCR_LOOP);

	if (level != u->irq_level) {
		u->irq_level = level;
		virq_line_set(&u->irq, level);
	}
}

/* New MSR bits 7:4; sets the delta bits 3:0 (8.10). */
static void vuart_set_msr(struct vuart *u, uint8_t hi)
{
	uint8_t old = u->msr, delta = 0;

	if ((old ^ hi) & MSR_CTS)
		delta |= 0x01;
	if ((old ^ hi) & MSR_DSR)
		delta |= 0x02;
	if ((old & MSR_RI) && !(hi & MSR_RI))
		delta |= 0x04; /* trailing edge of RI */
	if ((old ^ hi) & MSR_DCD)
		delta |= 0x08;
	u->msr = (uint8_t)(hi | (old & 0x0f) | delta);
}

/* In loopback the modem outputs feed the modem inputs (8.8). */
static void vuart_refresh_msr(struct vuart *u)
{
	uint8_t hi = u->modem_in;

	if (u->mcr & MCR_LOOP) {
		hi = 0;
		if (u->mcr & MCR_RTS)
			hi |= MSR_CTS;
		if (u->mcr & MCR_DTR)
			hi |= MSR_DSR;
		if (u->mcr & MCR_OUT1)
			hi |= MSR_RI;
		if (u->mcr & MCR_OUT2)
			hi |= MSR_DCD;
	}
	vuart_set_msr(u, hi);
}

static bool rx_put(struct vuart *u, uint8_t c)
{
	if (u->rx_count >= rx_capacity(u))
		return false;
	u->rx[(u->rx_head + u->rx_count) % VUART_FIFO_SIZE] = c;
	u->rx_count++;
	return true;
}

static uint8_t rx_get(struct vuart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VUART_FIFO_SIZE;
	u->rx_count--;
	return c;
}

static void rx_clear(struct vuart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static void out_put(struct vuart *u, uint8_t c)
{
	if (u->out_count >= VUART_OUT_SIZE) {
		u->tx_drops++;
		return;
	}
	u->out[(u->out_head + u->out_count) % VUART_OUT_SIZE] = (char)c;
	u->out_count++;
	if (c == '\n')
		u->out_lines++;
}

static void vuart_transmit(struct vuart *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP) {
		if (!rx_put(u, c)) {
			u->lsr |= LSR_OE; /* overrun (8.9 bit 1) */
			u->rx_drops++;
		}
	} else {
		out_put(u, c);
	}
	/* THR is empty again at once: re-arm the THRE interrupt (8.6). */
	u->thre_pending = true;
}

void vuart_init(struct vuart *u, struct virq_line irq, vuart_sink_fn sink, void *sink_ctx)
{
	memset(u, 0, sizeof(*u));
	u->irq = irq;
	u->sink = sink;
	u->sink_ctx = sink_ctx;
	u->lsr = LSR_THRE | LSR_TEMT;
	u->dll = 12; /* 9600 baud, as after a typical BIOS; reset value is undefined */
	/* A cable is attached: CTS, DSR and DCD asserted (as QEMU reports). */
	u->modem_in = MSR_CTS | MSR_DSR | MSR_DCD;
	u->msr = u->modem_in;
}

static uint8_t vuart_read(struct vuart *u, unsigned off)
{
	uint8_t v = 0;

	switch (off) {
	case VUART_RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		v = rx_get(u);
		break;
	case VUART_IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case VUART_IIR_FCR:
		v = vuart_iir(u);
		/* Reading IIR while it reports THRE clears that source (8.6). */
		if ((v & 0x0f) == IIR_THRE)
			u->thre_pending = false;
		break;
	case VUART_LCR:
		return u->lcr;
	case VUART_MCR:
		return u->mcr;
	case VUART_LSR:
		v = u->lsr | (u->rx_count ? LSR_DR : 0);
		u->lsr &= (uint8_t)~LSR_ERRS; /* error bits clear on read (8.9) */
		break;
	case VUART_MSR:
		v = u->msr;
		u->msr &= 0xf0; /* delta bits clear on read (8.10) */
		break;
	case VUART_SCR:
		return u->scr;
	}
	vuart_update_irq(u);
	return v;
}

static void vuart_write(struct vuart *u, unsigned off, uint8_t v)
{
	switch (off) {
	case VUART_RBR_THR:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else
			vuart_transmit(u, v);
		break;
	case VUART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* Enabling THRE while THR is empty raises it at once (8.5). */
		if ((v & IER_THRE) && !(u->ier & IER_THRE))
			u->thre_pending = true;
		u->ier = v & 0x0f;
		break;
	case VUART_IIR_FCR:
		/* Toggling FIFO enable clears both FIFOs (8.7). */
		if ((v ^ u->fcr) & FCR_ENABLE)
			rx_clear(u);
		if (v & FCR_CLR_RX)
			rx_clear(u);
		/* FCR_CLR_TX: the transmitter never holds data. */
		u->fcr = v & (FCR_ENABLE | 0x08 | 0xc0);
		if (!(u->fcr & FCR_ENABLE))
			u->fcr = 0;
		break;
	case VUART_LCR:
		u->lcr = v;
		break;
	case VUART_MCR:
		u->mcr = v & 0x1f;
		vuart_refresh_msr(u);
		break;
	case VUART_LSR:
		break; /* factory test register: ignored */
	case VUART_MSR:
		break; /* read-only */
	case VUART_SCR:
		u->scr = v;
		break;
	}
	vuart_update_irq(u);
}

int vuart_pio(struct vuart *u, unsigned offset, unsigned size, bool write, uint32_t *val)
{
	if (size != 1 || offset > 7)
		return -EINVAL;
	if (write)
		vuart_write(u, offset, (uint8_t)*val);
	else
		*val = vuart_read(u, offset);
	return 0;
}

size_t vuart_rx_push(struct vuart *u, const uint8_t *buf, size_t n)
{
	size_t i;

	/* In loopback the receiver is disconnected from the line (8.8). */
	if (u->mcr & MCR_LOOP)
		return 0;
	for (i = 0; i < n; i++)
		if (!rx_put(u, buf[i]))
			break;
	vuart_update_irq(u);
	return i;
}

void vuart_set_modem_lines(struct vuart *u, bool cts, bool dsr, bool ri, bool dcd)
{
	u->modem_in = (uint8_t)((cts ? MSR_CTS : 0) | (dsr ? MSR_DSR : 0) |
				(ri ? MSR_RI : 0) | (dcd ? MSR_DCD : 0));
	if (!(u->mcr & MCR_LOOP))
		vuart_refresh_msr(u);
	vuart_update_irq(u);
}

/* Pops up to `max` bytes, stopping after a '\n'; returns the piece length. */
static size_t out_take(struct vuart *u, char *line, size_t max, bool *nl)
{
	size_t n = 0;

	*nl = false;
	while (u->out_count && n < max) {
		char c = u->out[u->out_head];
		u->out_head = (u->out_head + 1) % VUART_OUT_SIZE;
		u->out_count--;
		if (c == '\n') {
			u->out_lines--;
			*nl = true;
			break;
		}
		if (c != '\r')
			line[n++] = c;
	}
	/* A line of exactly `max` bytes: take its '\n' too (no empty piece). */
	if (!*nl && u->out_count && u->out[u->out_head] == '\n') {
		u->out_head = (u->out_head + 1) % VUART_OUT_SIZE;
		u->out_count--;
		u->out_lines--;
		*nl = true;
	}
	return n;
}

static void deliver(struct vuart *u, const char *line, size_t n)
{
	if (u->sink)
		u->sink(u->sink_ctx, line, n);
}

unsigned vuart_flush_lines(struct vuart *u, unsigned max_lines)
{
	char line[VUART_LINE_MAX];
	unsigned done = 0;
	bool nl;

	while (done < max_lines && (u->out_lines || u->out_count >= VUART_LINE_MAX)) {
		size_t n = out_take(u, line, sizeof(line), &nl);
		deliver(u, line, n);
		done++;
	}
	return done;
}

void vuart_flush_all(struct vuart *u)
{
	char line[VUART_LINE_MAX];
	bool nl;

	while (u->out_count) {
		size_t n = out_take(u, line, sizeof(line), &nl);
		if (n || nl)
			deliver(u, line, n);
	}
}
