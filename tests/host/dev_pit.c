/* Host tests of the 8254 PIT model (vmm/dev/pit8254.c). */
#include "check.h"
#include "vmm/dev/pit8254.h"

static int pulses;
static int level;
static void irq0(void *ctx, unsigned pin, bool l)
{
	if (l && !level)
		pulses++;
	level = l;
}

static struct vpit pit;

static void out(uint16_t port, uint8_t v, uint64_t now)
{
	uint32_t x = v;
	vpit_pio(&pit, port, 1, true, &x, now);
}

static uint8_t in(uint16_t port, uint64_t now)
{
	uint32_t x = 0xdead;
	vpit_pio(&pit, port, 1, false, &x, now);
	return (uint8_t)x;
}

static void setup(void)
{
	struct virq_line l = { irq0, NULL, 0 };
	pulses = 0;
	level = 0;
	vpit_init(&pit, l);
}

/* ns of tick d after t0 = ceil(d * 1e9 / VPIT_HZ) */
static uint64_t tick_ns(uint64_t d)
{
	return (d * 1000000000ull + VPIT_HZ - 1) / VPIT_HZ;
}

static bool pit_out_is(unsigned ch, uint64_t now, bool want)
{
	return vpit_out(&pit, ch, now) == want;
}

TEST(pit_mode2_reload_counts)
{
	uint64_t t0 = 5000000;
	setup();
	out(0x43, 0x34, t0);             /* ch0, lo/hi, mode 2 */
	out(0x40, 1193 & 0xff, t0);
	out(0x40, 1193 >> 8, t0);
	CHECK_EQ(vpit_next_event_ns(&pit, t0), t0 + tick_ns(1193));
	CHECK_EQ(vpit_counter(&pit, 0, t0), 1193);
	CHECK_EQ(vpit_counter(&pit, 0, t0 + tick_ns(100)), 1093);
	CHECK_EQ(vpit_counter(&pit, 0, t0 + tick_ns(1192)), 1);
	CHECK(!vpit_out(&pit, 0, t0 + tick_ns(1192)));  /* low while CE = 1 */
	CHECK_EQ(vpit_counter(&pit, 0, t0 + tick_ns(1193)), 1193); /* reloaded */
	CHECK(vpit_out(&pit, 0, t0 + tick_ns(1193)));
	vpit_tick(&pit, t0 + tick_ns(1193) - 1);
	CHECK_EQ(pulses, 0);
	vpit_tick(&pit, t0 + tick_ns(1193));
	CHECK_EQ(pulses, 1);
	CHECK_EQ(vpit_next_event_ns(&pit, 0), t0 + tick_ns(2 * 1193));
	vpit_tick(&pit, t0 + tick_ns(10 * 1193) + 7);   /* late: coalesced */
	CHECK_EQ(pulses, 2);
	CHECK_EQ(pit.missed_irqs, 8);
	CHECK_EQ(vpit_next_event_ns(&pit, 0), t0 + tick_ns(11 * 1193));
}

TEST(pit_mode0_one_shot)
{
	setup();
	out(0x43, 0x30, 0);              /* ch0, lo/hi, mode 0 */
	CHECK(!vpit_out(&pit, 0, 0));
	out(0x40, 0x00, 0);
	out(0x40, 0x10, 100);            /* N = 4096, loaded at t=100 */
	CHECK(!vpit_out(&pit, 0, 100 + tick_ns(4095)));
	CHECK(vpit_out(&pit, 0, 100 + tick_ns(4096)));
	vpit_tick(&pit, 100 + tick_ns(5000));
	CHECK_EQ(pulses, 1);
	CHECK_EQ(vpit_next_event_ns(&pit, 0), VDEV_NEVER);
	CHECK_EQ(vpit_counter(&pit, 0, 100 + tick_ns(4097)), 0xffff); /* wraps */
	vpit_tick(&pit, 100 + tick_ns(100000));
	CHECK_EQ(pulses, 1);
}

TEST(pit_latch_command_freezes)
{
	setup();
	out(0x43, 0x34, 0);
	out(0x40, 0x00, 0);
	out(0x40, 0x00, 0);              /* N = 65536 */
	out(0x43, 0x00, tick_ns(0x1234)); /* latch ch0 */
	CHECK_EQ(in(0x40, tick_ns(0x3000)), (0x10000 - 0x1234) & 0xff);
	out(0x43, 0x00, tick_ns(0x4000)); /* ignored: still latched */
	CHECK_EQ(in(0x40, tick_ns(0x5000)), (0x10000 - 0x1234) >> 8);
	/* unlatched: live lo/hi */
	CHECK_EQ(in(0x40, tick_ns(0x100)), 0x00);
	CHECK_EQ(in(0x40, tick_ns(0x100)), 0xff);
}

TEST(pit_readback_status_then_count)
{
	setup();
	out(0x43, 0xb0, 0);              /* ch2, lo/hi, mode 0 */
	out(0x43, 0xe8, 0);              /* read-back status of ch2 */
	CHECK_EQ(in(0x42, 0), 0x70);     /* OUT low, null count, rw 3, mode 0 */
	out(0x42, 0x10, 0);
	out(0x42, 0x00, 0);
	out(0x61, 0x01, 0);              /* gate 2 high */
	out(0x43, 0xc8, tick_ns(3));     /* latch count and status of ch2 */
	CHECK_EQ(in(0x42, tick_ns(9)), 0x30);  /* status: no null count */
	CHECK_EQ(in(0x42, tick_ns(9)), 0x0d);  /* count lo */
	CHECK_EQ(in(0x42, tick_ns(9)), 0x00);
}

TEST(pit_port61_gate_and_out2)
{
	/* Linux vpit_calibrate_tsc(): gate on, speaker off, ch2 mode 0. */
	setup();
	out(0x61, 0x00, 0);
	out(0x43, 0xb0, 0);
	out(0x42, 0x9b, 0);
	out(0x42, 0x2e, 0);              /* N = 11931 (~10 ms) */
	CHECK_EQ(in(0x61, tick_ns(20000)) & 0x20, 0);   /* gate low: paused */
	out(0x61, 0x01, 1000000);        /* gate high at 1 ms */
	CHECK_EQ(in(0x61, 1000000 + tick_ns(11930)) & 0x20, 0);
	CHECK_EQ(in(0x61, 1000000 + tick_ns(11931)) & 0x21, 0x21);
	out(0x61, 0x03, 0);
	CHECK_EQ(in(0x61, 0) & 0x0f, 0x03);
	uint32_t v;
	CHECK_EQ(vpit_pio(&pit, 0x61, 2, false, &v, 0), -EINVAL);
}

TEST(pit_mode3_square_wave)
{
	setup();
	out(0x43, 0x36, 0);              /* ch0, lo/hi, mode 3 */
	out(0x40, 100, 0);
	out(0x40, 0, 0);
	CHECK(vpit_out(&pit, 0, tick_ns(49)));
	CHECK(!vpit_out(&pit, 0, tick_ns(50)));
	CHECK(!vpit_out(&pit, 0, tick_ns(99)));
	CHECK(vpit_out(&pit, 0, tick_ns(100)));
	CHECK_EQ(vpit_counter(&pit, 0, tick_ns(10)), 80); /* counts by 2 */
	CHECK_EQ(vpit_next_event_ns(&pit, 0), tick_ns(100));
}

TEST(pit_access_modes_lsb_msb_bcd)
{
	setup();
	out(0x43, 0x52, 0);              /* ch1, LSB only, mode 1 */
	out(0x41, 0x20, 0);
	CHECK_EQ(in(0x41, tick_ns(5)), 0x20);    /* mode 1 waits for a gate edge */
	out(0x43, 0x64, 0);              /* ch1, MSB only, mode 2 */
	out(0x41, 0x02, 0);              /* N = 0x200 */
	CHECK_EQ(in(0x41, tick_ns(0x100)), 0x01);
	out(0x43, 0x71, 0);              /* ch1 lo/hi mode 0 BCD */
	out(0x41, 0x34, 0);
	out(0x41, 0x12, 0);              /* 1234 decimal */
	CHECK_EQ(in(0x41, tick_ns(34)), 0x00);
	CHECK_EQ(in(0x41, tick_ns(34)), 0x12);   /* 1200 in BCD */
}

TEST(pit_gate_modes_1_2_5_on_channel2)
{
	setup();
	out(0x61, 0x00, 0);
	out(0x43, 0xb2, 0);              /* ch2, lo/hi, mode 1 */
	out(0x42, 100, 0);
	out(0x42, 0, 0);
	CHECK(pit_out_is(2, 500000, true));   /* waits for a trigger */
	out(0x61, 0x01, 1000000);             /* gate rising edge */
	CHECK(!pit_out_is(2, 1000000 + tick_ns(99), true));
	CHECK(pit_out_is(2, 1000000 + tick_ns(100), true));
	CHECK_EQ(vpit_counter(&pit, 2, 1000000 + tick_ns(40)), 60);
	out(0x61, 0x00, 2000000);
	out(0x61, 0x01, 3000000);             /* retrigger */
	CHECK(!pit_out_is(2, 3000000 + tick_ns(50), true));
	/* mode 2: gate low forces OUT high and the rising edge reloads */
	out(0x43, 0xb4, 4000000);
	out(0x42, 10, 4000000);
	out(0x42, 0, 4000000);
	CHECK(!pit_out_is(2, 4000000 + tick_ns(9), true));
	out(0x61, 0x00, 4000000 + tick_ns(9));
	CHECK(pit_out_is(2, 4000000 + tick_ns(9), true));
	out(0x61, 0x01, 4100000);
	CHECK_EQ(vpit_counter(&pit, 2, 4100000 + tick_ns(3)), 7);
	/* mode 5: strobe after a trigger, one tick low at N */
	out(0x43, 0xba, 5000000);
	out(0x42, 20, 5000000);
	out(0x42, 0, 5000000);
	out(0x61, 0x00, 5000000);
	out(0x61, 0x01, 5100000);
	CHECK(pit_out_is(2, 5100000 + tick_ns(19), true));
	CHECK(!pit_out_is(2, 5100000 + tick_ns(20), true));
	CHECK(pit_out_is(2, 5100000 + tick_ns(21), true));
}

TEST(pit_mode4_software_strobe_irq)
{
	setup();
	out(0x43, 0x38, 0);              /* ch0 lo/hi mode 4 */
	out(0x40, 50, 0);
	out(0x40, 0, 0);
	CHECK_EQ(vpit_next_event_ns(&pit, 0), tick_ns(51));
	CHECK(!vpit_out(&pit, 0, tick_ns(50)));
	vpit_tick(&pit, tick_ns(51));
	CHECK_EQ(pulses, 1);
	CHECK_EQ(vpit_next_event_ns(&pit, 0), VDEV_NEVER);
}
