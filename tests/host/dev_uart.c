/* Host tests of the 16550A register model (vmm/dev/uart16550.c). */
#include "check.h"
#include "vmm/dev/uart16550.h"

struct sink_log {
	char lines[8][VUART_LINE_MAX + 1];
	unsigned n;
};

static void sink(void *ctx, const char *line, size_t len)
{
	struct sink_log *s = ctx;
	if (s->n < 8) {
		memcpy(s->lines[s->n], line, len);
		s->lines[s->n][len] = 0;
	}
	s->n++;
}

static int irq_level = -1, irq_changes;
static void irq_set(void *ctx, unsigned pin, bool level)
{
	irq_level = level;
	irq_changes++;
}

static uint8_t rd(struct vuart *u, unsigned off)
{
	uint32_t v = 0xdead;
	if (vuart_pio(u, off, 1, false, &v) != 0)
		return 0xee; /* never a valid register value here */
	return (uint8_t)v;
}

static void wr(struct vuart *u, unsigned off, uint8_t v)
{
	uint32_t x = v;
	vuart_pio(u, off, 1, true, &x);
}

static struct sink_log log_;
static struct vuart uart;

static struct vuart *fresh(void)
{
	struct virq_line l = { irq_set, NULL, 4 };
	memset(&log_, 0, sizeof(log_));
	irq_level = -1;
	irq_changes = 0;
	vuart_init(&uart, l, sink, &log_);
	return &uart;
}

TEST(uart_reset_state)
{
	struct vuart *u = fresh();
	CHECK_EQ(rd(u, 2), 0x01);          /* no interrupt, FIFOs off */
	CHECK_EQ(rd(u, 5), 0x60);          /* THRE | TEMT */
	CHECK_EQ(rd(u, 6) & 0xf0, 0xb0);   /* DCD, DSR, CTS */
	uint32_t v;
	CHECK_EQ(vuart_pio(u, 0, 2, false, &v), -EINVAL);
	CHECK_EQ(vuart_pio(u, 8, 1, false, &v), -EINVAL);
}

TEST(uart_dlab_divisor)
{
	struct vuart *u = fresh();
	wr(u, 3, 0x83);
	wr(u, 0, 0x01);
	wr(u, 1, 0x02);
	CHECK_EQ(rd(u, 0), 0x01);
	CHECK_EQ(rd(u, 1), 0x02);
	wr(u, 3, 0x03);
	CHECK_EQ(rd(u, 1), 0x00); /* IER untouched by the DLM write */
	CHECK_EQ(rd(u, 3), 0x03);
	wr(u, 7, 0x5a);
	CHECK_EQ(rd(u, 7), 0x5a);
}

TEST(uart_tx_lines_to_sink)
{
	struct vuart *u = fresh();
	const char *s = "hello\r\nworld\npart";
	for (; *s; s++)
		wr(u, 0, (uint8_t)*s);
	CHECK_EQ(vuart_flush_lines(u, 1), 1);
	CHECK_STREQ(log_.lines[0], "hello");
	CHECK_EQ(vuart_flush_lines(u, 10), 1);
	CHECK_STREQ(log_.lines[1], "world");
	CHECK_EQ(vuart_flush_lines(u, 10), 0); /* "part" is incomplete */
	vuart_flush_all(u);
	CHECK_STREQ(log_.lines[2], "part");
	CHECK_EQ(log_.n, 3);
}

TEST(uart_flood_is_bounded_and_counted)
{
	struct vuart *u = fresh();
	for (unsigned i = 0; i < VUART_OUT_SIZE + 1000; i++)
		wr(u, 0, 'x');
	CHECK_EQ(u->tx_drops, 1000);
	/* No newline: delivered in VUART_LINE_MAX pieces, bounded per call. */
	CHECK_EQ(vuart_flush_lines(u, 3), 3);
	CHECK_EQ(strlen(log_.lines[0]), VUART_LINE_MAX);
	CHECK_EQ(u->out_count, VUART_OUT_SIZE - 3 * VUART_LINE_MAX);
}

TEST(uart_line_of_exactly_max_length)
{
	struct vuart *u = fresh();
	for (unsigned i = 0; i < VUART_LINE_MAX; i++)
		wr(u, 0, 'y');
	wr(u, 0, '\n');
	wr(u, 0, 'z');
	wr(u, 0, '\n');
	CHECK_EQ(vuart_flush_lines(u, 10), 2);
	CHECK_EQ(strlen(log_.lines[0]), VUART_LINE_MAX);
	CHECK_STREQ(log_.lines[1], "z");
	CHECK_EQ(u->out_lines, 0);
}

TEST(uart_thre_interrupt)
{
	struct vuart *u = fresh();
	wr(u, 4, 0x08); /* OUT2: IRQ driver on */
	wr(u, 1, 0x02); /* ETBEI while THR empty: immediate THRE */
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(u, 2), 0x02);
	CHECK_EQ(irq_level, 0);          /* IIR read cleared it */
	CHECK_EQ(rd(u, 2), 0x01);
	wr(u, 0, 'a');                   /* THR empties again: re-armed */
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(u, 2), 0x02);
}

TEST(uart_out2_gates_irq)
{
	struct vuart *u = fresh();
	wr(u, 1, 0x02);
	CHECK(irq_level != 1);
	CHECK_EQ(rd(u, 2) & 0x0f, 0x02); /* pending inside the chip */
	wr(u, 1, 0x00);
	wr(u, 1, 0x02);
	wr(u, 4, 0x08);
	CHECK_EQ(irq_level, 1);
}

TEST(uart_rx_and_fifo_trigger)
{
	struct vuart *u = fresh();
	uint8_t in[20];
	for (unsigned i = 0; i < 20; i++)
		in[i] = (uint8_t)('a' + i);
	CHECK_EQ(vuart_rx_push(u, in, 2), 1); /* FIFOs off: one holding byte */
	wr(u, 2, 0x01 | 0x02 | 0x80);        /* FIFO on, clear, trigger 8 */
	CHECK_EQ(rd(u, 5) & 1, 0);
	CHECK_EQ(vuart_rx_push(u, in, 20), 16);
	wr(u, 1, 0x01);
	CHECK_EQ(rd(u, 2), 0xc4);            /* RDA, FIFO bits */
	for (unsigned i = 0; i < 10; i++)
		CHECK_EQ(rd(u, 0), 'a' + i);
	CHECK_EQ(rd(u, 2), 0xcc);            /* 6 < 8: character timeout */
	for (unsigned i = 0; i < 6; i++)
		rd(u, 0);
	CHECK_EQ(rd(u, 5) & 1, 0);
	CHECK_EQ(rd(u, 2), 0xc1);
}

TEST(uart_priorities_rls_rda_thre_msi)
{
	struct vuart *u = fresh();
	wr(u, 4, 0x18);     /* loopback + OUT2 */
	wr(u, 1, 0x0f);     /* all sources */
	wr(u, 0, 'A');      /* loop: one byte in the holding register */
	wr(u, 0, 'B');      /* overrun: OE */
	CHECK_EQ(u->rx_drops, 1);
	wr(u, 4, 0x1a);     /* RTS -> CTS: MSR delta */
	CHECK_EQ(rd(u, 2), 0x06);   /* RLS highest */
	CHECK_EQ(rd(u, 5) & 0x03, 0x03);  /* DR + OE; read clears OE */
	CHECK_EQ(rd(u, 2), 0x04);   /* then RDA */
	CHECK_EQ(rd(u, 0), 'A');
	CHECK_EQ(rd(u, 2), 0x02);   /* then THRE (cleared by this read) */
	CHECK_EQ(rd(u, 2), 0x00);   /* then modem status */
	uint8_t msr = rd(u, 6);
	CHECK_EQ(msr & 0x01, 0x01);       /* DCTS */
	CHECK_EQ(msr & 0xf0, 0x90);       /* CTS<-RTS, DCD<-OUT2 */
	CHECK_EQ(rd(u, 2), 0x01);
	/* in loopback the IRQ pin stays low even with OUT2 set */
	CHECK(irq_level != 1);
}

TEST(uart_loopback_data_and_modem)
{
	struct vuart *u = fresh();
	wr(u, 4, 0x10 | 0x01 | 0x04);  /* loop, DTR, OUT1 */
	CHECK_EQ(rd(u, 6) & 0xf0, 0x60);      /* DSR, RI */
	wr(u, 0, 0x42);
	CHECK_EQ(rd(u, 5) & 1, 1);
	CHECK_EQ(rd(u, 0), 0x42);
	CHECK_EQ(u->out_count, 0);            /* nothing left the chip */
	uint8_t b = 'z';
	CHECK_EQ(vuart_rx_push(u, &b, 1), 0);  /* line input disconnected */
	wr(u, 4, 0x10);                       /* OUT1 off: RI trailing edge */
	CHECK_EQ(rd(u, 6) & 0x0f, 0x06);      /* DDSR + TERI */
}

TEST(uart_modem_status_interrupt_from_host_lines)
{
	struct vuart *u = fresh();
	wr(u, 4, 0x08);
	wr(u, 1, 0x08);                     /* modem status interrupts */
	CHECK_EQ(rd(u, 2), 0x01);
	vuart_set_modem_lines(u, true, true, true, true);   /* RI rises */
	CHECK_EQ(rd(u, 2), 0x01);           /* rising RI is not a delta */
	vuart_set_modem_lines(u, false, true, false, true); /* CTS drop, RI trailing */
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(u, 2), 0x00);
	CHECK_EQ(rd(u, 6), 0xa5);           /* DSR, DCD; DCTS, TERI */
	CHECK_EQ(irq_level, 0);
	wr(u, 1, 0xff);
	CHECK_EQ(rd(u, 1), 0x0f);           /* IER bits 7:4 are zero */
}
