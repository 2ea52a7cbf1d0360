/* Host tests of the PC wiring (vmm/dev/board.c): interrupts from the device
 * models through the PIC (ExtINT via LINT0) or the IOAPIC to the LAPICs. */
#include "check.h"
#include "vmm/dev/board.h"

static uint64_t now;
static uint64_t clock_fn(void *ctx)
{
	return now;
}

static char lines[4][64];
static unsigned nlines;
static void console(void *ctx, const char *s, size_t n)
{
	if (nlines < 4 && n < 64) {
		memcpy(lines[nlines], s, n);
		lines[nlines][n] = 0;
	}
	nlines++;
}

static struct board B;
static unsigned kicks[4];
static void kick_fn(void *ctx, unsigned vcpu)
{
	if (vcpu < 4)
		kicks[vcpu]++;
}

static void setup(unsigned ncpus)
{
	memset(kicks, 0, sizeof(kicks));
	struct board_config c = {
		.kick = kick_fn,
		.ncpus = ncpus, .ram_below_4g = 256u << 20, .epoch_sec = 1700000000,
		.tsc_hz = 1000000000, .lapic_timer_hz = 1000000000,
		.console = console, .clock = { clock_fn, NULL },
	};
	now = 0;
	nlines = 0;
	CHECK_EQ(board_init(&B, &c), 0);
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
	board_pio(&B, port, size, true, &v);
}

static uint32_t in(uint16_t port, unsigned size)
{
	uint32_t v = 0xdead;
	board_pio(&B, port, size, false, &v);
	return v;
}

static void mmio_w(unsigned cpu, uint64_t gpa, uint32_t v)
{
	board_mmio(&B, cpu, gpa, 4, true, &v);
}

static uint32_t mmio_r(unsigned cpu, uint64_t gpa)
{
	uint32_t v = 0xdead;
	if (board_mmio(&B, cpu, gpa, 4, false, &v))
		return 0xbad;
	return v;
}

static void vioapic_route(unsigned pin, uint32_t lo, uint8_t dest)
{
	mmio_w(0, 0xfec00000, 0x10 + 2 * pin + 1);
	mmio_w(0, 0xfec00010, (uint32_t)dest << 24);
	mmio_w(0, 0xfec00000, 0x10 + 2 * pin);
	mmio_w(0, 0xfec00010, lo);
}

TEST(board_pit_to_pic_extint)
{
	setup(1);
	out(0x20, 1, 0x11); out(0x21, 1, 0x30); out(0x21, 1, 0x04); out(0x21, 1, 0x01);
	out(0xa0, 1, 0x11); out(0xa1, 1, 0x38); out(0xa1, 1, 0x02); out(0xa1, 1, 0x01);
	out(0x21, 1, 0xfe);                  /* only IRQ0 */
	out(0x43, 1, 0x34);                  /* ch0 mode 2, ~1 ms */
	out(0x40, 1, 0xa9); out(0x40, 1, 0x04);
	CHECK_EQ(board_pending_vector(&B, 0), -1);
	uint64_t t = board_next_event_ns(&B);
	CHECK(t > 999000 && t < 1001000);
	now = t;
	board_tick(&B);
	CHECK_EQ(board_pending_vector(&B, 0), 0x30);
	CHECK_EQ(board_ack(&B, 0), 0x30);
	CHECK_EQ(board_pending_vector(&B, 0), -1);
	out(0x20, 1, 0x20);                  /* EOI */
	now = board_next_event_ns(&B);
	board_tick(&B);
	CHECK_EQ(board_ack(&B, 0), 0x30);
}

TEST(board_uart_via_ioapic)
{
	setup(2);
	out(0x21, 1, 0xff); out(0xa1, 1, 0xff);  /* PIC masked */
	mmio_w(1, 0xfee000f0, 0x1ff);        /* vCPU 1 software-enabled */
	vioapic_route(4, 0x44, 1);            /* COM1 -> vCPU 1, vector 0x44 */
	out(0x3fc, 1, 0x08);                 /* OUT2 */
	out(0x3f9, 1, 0x02);                 /* THRE interrupt */
	CHECK_EQ(board_pending_vector(&B, 0), -1);
	CHECK_EQ(board_pending_vector(&B, 1), 0x44);
	CHECK_EQ(board_ack(&B, 1), 0x44);
	mmio_w(1, 0xfee000b0, 0);
	CHECK_EQ(in(0x3fa, 1), 0x02);
	const char *s = "hi\n";
	while (*s)
		out(0x3f8, 1, (uint8_t)*s++);
	CHECK_EQ(board_flush_console(&B, 8), 1);
	CHECK_STREQ(lines[0], "hi");
}

TEST(board_sci_level_redelivery)
{
	setup(1);
	mmio_w(0, 0xfee000f0, 0x1ff);
	vioapic_route(9, 0x8059, 0);          /* level, vector 0x59 */
	out(0x602, 2, 0x100);                /* PWRBTN_EN */
	board_power_button(&B);
	CHECK_EQ(board_ack(&B, 0), 0x59);
	mmio_w(0, 0xfee000b0, 0);            /* EOI: still asserted */
	CHECK_EQ(board_pending_vector(&B, 0), 0x59);
	CHECK_EQ(board_ack(&B, 0), 0x59);
	out(0x600, 2, 0x100);                /* clear PWRBTN_STS */
	mmio_w(0, 0xfee000b0, 0);
	CHECK_EQ(board_pending_vector(&B, 0), -1);
	/* the PIC sees IRQ9 as level too (ELCR set as firmware does) */
	CHECK_EQ(in(0x4d1, 1), 0x02);
}

TEST(board_ipis_init_sipi_lowest)
{
	uint8_t vec = 0;
	setup(3);
	for (unsigned i = 0; i < 3; i++)
		mmio_w(i, 0xfee000f0, 0x1ff);
	mmio_w(0, 0xfee00300, 0x000c4500);   /* INIT to all excluding self */
	CHECK_EQ(board_take_events(&B, 0, &vec), 0);
	CHECK_EQ(board_take_events(&B, 1, &vec), BOARD_EV_INIT);
	CHECK_EQ(board_take_events(&B, 2, &vec), BOARD_EV_INIT);
	mmio_w(0, 0xfee00310, 0x02000000);
	mmio_w(0, 0xfee00300, 0x00004609);   /* SIPI 0x09 to APIC ID 2 */
	CHECK_EQ(board_take_events(&B, 2, &vec), BOARD_EV_SIPI);
	CHECK_EQ(vec, 9);
	CHECK_EQ(board_take_events(&B, 1, &vec), 0);
	/* logical flat: vCPU 1 = bit 1, vCPU 2 = bit 2; lowest priority to 0x06 */
	mmio_w(1, 0xfee000d0, 0x02000000);
	mmio_w(2, 0xfee000d0, 0x04000000);
	mmio_w(0, 0xfee00310, 0x06000000);
	mmio_w(0, 0xfee00300, 0x00000961);   /* lowest priority, logical, 0x61 */
	CHECK_EQ(board_pending_vector(&B, 1), 0x61);
	CHECK_EQ(board_pending_vector(&B, 2), -1);
	mmio_w(0, 0xfee00300, 0x00040462);   /* NMI to self */
	CHECK(board_take_nmi(&B, 0));
	CHECK(!board_take_nmi(&B, 0));
	mmio_w(2, 0xfee00300, 0x00080070);   /* fixed 0x70 to all incl. self */
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(board_pending_vector(&B, i), 0x70);
}

TEST(board_ports_floating_bus_and_requests)
{
	uint32_t st = 0;
	setup(1);
	CHECK_EQ(in(0x2e8, 1), 0xff);        /* nothing there */
	CHECK_EQ(in(0x2e8, 2), 0xffff);
	CHECK_EQ(in(0x2e8, 4), 0xffffffff);
	CHECK_EQ(B.unhandled_pio, 3);
	uint32_t v;
	CHECK_EQ(board_pio(&B, 0x20, 2, false, &v), -EINVAL);
	CHECK_EQ(v, 0xffff);
	v = 0;
	CHECK_EQ(board_pio(&B, 0x20, 3, false, &v), -EINVAL);
	CHECK_EQ(v, 0xffffffff);
	CHECK_EQ(in(0xcf8, 1), 0xff);        /* byte 0xcf8: not CONFIG_ADDRESS */
	out(0xcf8, 4, 0x80000000);
	CHECK_EQ(in(0xcfc, 4), 0x12378086);
	CHECK_EQ(in(0xcf8, 4), 0x80000000);
	out(0xcf9, 1, 0x06);
	CHECK_EQ(board_take_requests(&B, &st), VDEV_REQ_RESET);
	out(0xf4, 1, 0x02);
	CHECK_EQ(board_take_requests(&B, &st), VDEV_REQ_EXIT);
	CHECK_EQ(st, 5);
	out(0x510, 2, 0x0000);
	CHECK_EQ(in(0x511, 1), 'Q');
	out(0x70, 1, 0x15);
	CHECK_EQ(in(0x71, 1), 0x80);         /* 640 KiB low byte */
	out(0x604, 2, 1u << 13);             /* S5 */
	CHECK_EQ(board_take_requests(&B, &st), VDEV_REQ_POWEROFF);
	CHECK_EQ(board_take_requests(&B, &st), 0);
}

TEST(board_mmio_and_msrs)
{
	uint64_t v;
	setup(2);
	CHECK_EQ(mmio_r(0, 0xfec00000), 0);  /* IOREGSEL */
	mmio_w(0, 0xfec00000, 1);
	CHECK_EQ(mmio_r(0, 0xfec00010), 0x00170011);
	CHECK_EQ(mmio_r(1, 0xfee00020), 0x01000000); /* vCPU 1's own page */
	CHECK_EQ(mmio_r(0, 0xfed00000), 0xbad);      /* nothing: -ENOENT */
	uint32_t x;
	CHECK_EQ(board_mmio(&B, 0, 0xfed00000, 4, false, &x), -ENOENT);
	CHECK_EQ(board_rdmsr(&B, 1, 0x1b, &v), 0);
	CHECK_EQ(v, 0xfee00800);             /* AP: no BSP bit */
	CHECK_EQ(board_wrmsr(&B, 1, 0x1b, 0xfee00c00), 0);
	CHECK_EQ(mmio_r(1, 0xfee00020), 0xbad);      /* x2APIC: page gone */
	CHECK_EQ(board_rdmsr(&B, 1, 0x802, &v), 0);
	CHECK_EQ(v, 1);
	CHECK_EQ(board_rdmsr(&B, 0, 0x802, &v), -EINVAL);
	CHECK_EQ(board_rdmsr(&B, 0, 0x10, &v), -ENOENT);
	CHECK_EQ(board_rdmsr(&B, 5, 0x1b, &v), -EINVAL);
}

TEST(board_kicks_and_wakeups)
{
	bool maskable;
	setup(2);
	for (unsigned i = 0; i < 2; i++)
		mmio_w(i, 0xfee000f0, 0x1ff);
	CHECK(!board_wakeup_pending(&B, 1, &maskable));
	CHECK(!maskable);
	mmio_w(0, 0xfee00310, 0x01000000);
	mmio_w(0, 0xfee00300, 0x00000051);  /* fixed 0x51 to APIC ID 1 */
	CHECK_EQ(kicks[1], 1);
	CHECK_EQ(kicks[0], 0);
	CHECK(!board_wakeup_pending(&B, 1, &maskable));
	CHECK(maskable);
	mmio_w(0, 0xfee00300, 0x00000451);  /* NMI to APIC ID 1 */
	CHECK(board_wakeup_pending(&B, 1, &maskable));
	/* vCPU 0's own LAPIC timer */
	mmio_w(0, 0xfee003e0, 0xb);
	mmio_w(0, 0xfee00320, 0x40);
	mmio_w(0, 0xfee00380, 1000);         /* 1 us at 1 GHz */
	now = 999;
	board_tick(&B);
	CHECK_EQ(kicks[0], 0);
	now = 1000;
	board_tick(&B);
	CHECK_EQ(kicks[0], 1);
	CHECK_EQ(board_ack(&B, 0), 0x40);
	/* the PIC raising INTR kicks the BSP */
	out(0x21, 1, 0xef);                  /* unmask IRQ4 (COM1) */
	out(0x3fc, 1, 0x08);
	out(0x3f9, 1, 0x02);
	CHECK_EQ(kicks[0], 2);
	CHECK_EQ(board_pending_vector(&B, 0), 0x0c);   /* firmware base 0x08 + 4 */
	board_dump(&B);                      /* must not crash; output is for humans */
}

TEST(board_reset_keeps_rtc_and_fw_cfg)
{
	static const uint8_t blob[2] = { 1, 2 };
	setup(2);
	CHECK_EQ(vfw_cfg_add_file(&B.fw_cfg, "etc/x", blob, 2), 0x20);
	out(0x70, 1, 0x40);
	out(0x71, 1, 0x5a);                  /* CMOS RAM byte */
	out(0x70, 1, 0x0b);
	out(0x71, 1, 0x62);                  /* PIE | 24h */
	out(0x21, 1, 0x00);                  /* guest unmasks the PIC */
	mmio_w(1, 0xfee000f0, 0x1ff);
	out(0x3f8, 1, 'a');                  /* pending console bytes */
	now = 5000000000ull;
	board_reset(&B);
	CHECK_EQ(nlines, 1);                 /* flushed */
	CHECK_EQ(in(0x21, 1), 0xfb);         /* PIC back to firmware state */
	CHECK_EQ(mmio_r(1, 0xfee000f0), 0xff);
	out(0x70, 1, 0x40);
	CHECK_EQ(in(0x71, 1), 0x5a);
	out(0x70, 1, 0x0b);
	CHECK_EQ(in(0x71, 1), 0x02);         /* interrupt enables cleared */
	out(0x70, 1, 0x00);
	CHECK_EQ(in(0x71, 1), 0x25);         /* 22:13:20 + 5 s, clock kept */
	out(0x510, 2, 0x19);
	CHECK_EQ(in(0x511, 1) | in(0x511, 1) | in(0x511, 1), 0);
	CHECK_EQ(in(0x511, 1), 1);           /* one file survived */
}

TEST(board_acpi_matches_the_board)
{
	static uint8_t buf[4096];
	struct vacpi_layout l;
	setup(3);
	CHECK_EQ(board_build_acpi(&B, buf, sizeof(buf), 0xe0000, &l), 0);
	const uint8_t *madt = buf + (l.madt - 0xe0000);
	unsigned lapics = 0;
	for (uint32_t o = 44; o < (uint32_t)(madt[4] | madt[5] << 8); o += madt[o + 1])
		lapics += madt[o] == 0;
	CHECK_EQ(lapics, 3);
	/* the PM timer the FADT points at is the one board_pio serves */
	const uint8_t *fadt = buf + (l.fadt - 0xe0000);
	uint16_t tmr = (uint16_t)(fadt[76] | fadt[77] << 8);
	now = 1000000000ull;
	CHECK_EQ(in(tmr, 4), 3579545);
	out((uint16_t)(fadt[64] | fadt[65] << 8), 2, 1u << 13);   /* PM1a_CNT: S5 */
	CHECK_EQ(board_take_requests(&B, NULL), VDEV_REQ_POWEROFF);
	/* and the reset register */
	out((uint16_t)(fadt[120] | fadt[121] << 8), 1, fadt[128]);
	CHECK_EQ(board_take_requests(&B, NULL), VDEV_REQ_RESET);
}

TEST(board_test_devices_only_when_asked)
{
	uint32_t st = 0;
	struct board_config c = {
		.ncpus = 1, .ram_below_4g = 16u << 20, .tsc_hz = 1000000000,
		.lapic_timer_hz = 1000000000, .console = console, .clock = { clock_fn, NULL },
		.no_debug_exit = true, .no_fw_cfg = true,
	};
	CHECK_EQ(board_init(&B, &c), 0);
	out(0xf4, 1, 0x02);
	CHECK_EQ(board_take_requests(&B, &st), 0); /* no isa-debug-exit: the write goes nowhere */
	out(0x510, 2, 0x0000);
	CHECK_EQ(in(0x511, 1), 0xff);             /* no fw_cfg: a floating bus */
}
