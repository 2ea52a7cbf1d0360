/* Host tests of the MC146818 RTC/CMOS model (vmm/dev/mc146818.c). */
#include "check.h"
#include "vmm/dev/mc146818.h"

static int irq8;
static void irq_set(void *ctx, unsigned pin, bool l)
{
	irq8 = l;
}

static struct vrtc rtc;
#define T0 1000000000000ull /* guest time at init (ns) */
#define EPOCH 1700000000ull /* 2023-11-14 22:13:20 UTC, a Tuesday */

static void setup(void)
{
	struct virq_line l = { irq_set, NULL, 8 };
	irq8 = 0;
	vrtc_init(&rtc, l, EPOCH, T0);
}

static uint8_t cmos(uint8_t idx, uint64_t now)
{
	uint32_t v = idx;
	vrtc_pio(&rtc, 0x70, 1, true, &v, now);
	v = 0xdead;
	vrtc_pio(&rtc, 0x71, 1, false, &v, now);
	return (uint8_t)v;
}

static void cmos_w(uint8_t idx, uint8_t val, uint64_t now)
{
	uint32_t v = idx;
	vrtc_pio(&rtc, 0x70, 1, true, &v, now);
	v = val;
	vrtc_pio(&rtc, 0x71, 1, true, &v, now);
}

TEST(rtc_date_time_bcd)
{
	setup();
	CHECK_EQ(cmos(0x00, T0), 0x20);
	CHECK_EQ(cmos(0x02, T0), 0x13);
	CHECK_EQ(cmos(0x04, T0), 0x22);
	CHECK_EQ(cmos(0x06, T0), 3);     /* Tuesday, Sunday = 1 */
	CHECK_EQ(cmos(0x07, T0), 0x14);
	CHECK_EQ(cmos(0x08, T0), 0x11);
	CHECK_EQ(cmos(0x09, T0), 0x23);
	CHECK_EQ(cmos(0x32, T0), 0x20);
	CHECK_EQ(cmos(0x00, T0 + 3500000000ull), 0x23);
	CHECK_EQ(cmos(0x0d, T0), 0x80);  /* VRT */
}

TEST(rtc_binary_and_12h)
{
	setup();
	cmos_w(0x0b, 0x04, T0);          /* binary, 12-hour */
	CHECK_EQ(cmos(0x04, T0), 0x80 | 10);  /* 10 PM */
	CHECK_EQ(cmos(0x02, T0), 13);
	CHECK_EQ(cmos(0x09, T0), 23);
	cmos_w(0x0b, 0x06, T0);          /* binary, 24-hour */
	CHECK_EQ(cmos(0x04, T0), 22);
	/* a leap day and the turn of a century */
	vrtc_init(&rtc, (struct virq_line){ 0 }, 951782400ull, 0); /* 2000-02-29 */
	CHECK_EQ(cmos(0x07, 0), 0x29);
	CHECK_EQ(cmos(0x08, 0), 0x02);
	CHECK_EQ(cmos(0x32, 0), 0x20);
	CHECK_EQ(cmos(0x09, 0), 0x00);
}

TEST(rtc_uip_timing)
{
	setup();
	uint64_t b = T0 + 5 * 1000000000ull;
	CHECK_EQ(cmos(0x0a, b - 2228000 - 1) & 0x80, 0);
	CHECK_EQ(cmos(0x0a, b - 2228000), 0x80 | 0x26);
	CHECK_EQ(cmos(0x0a, b - 1), 0xa6);
	CHECK_EQ(cmos(0x0a, b), 0x26);
	cmos_w(0x0b, 0x82, b);           /* SET: no updates, no UIP */
	CHECK_EQ(cmos(0x0a, b + 1000000000ull - 1000) & 0x80, 0);
}

TEST(rtc_periodic_rate)
{
	setup();
	CHECK_EQ(vrtc_next_event_ns(&rtc, T0), VDEV_NEVER);
	cmos_w(0x0b, 0x42, T0);          /* PIE, 1024 Hz (RS = 6) */
	CHECK_EQ(vrtc_next_event_ns(&rtc, T0), T0 + 976563);
	vrtc_tick(&rtc, T0 + 976562);
	CHECK_EQ(irq8, 0);
	vrtc_tick(&rtc, T0 + 976563);
	CHECK_EQ(irq8, 1);
	CHECK_EQ(vrtc_next_event_ns(&rtc, T0 + 976563), VDEV_NEVER); /* PF pending */
	CHECK_EQ(cmos(0x0c, T0 + 976600), 0xc0);
	CHECK_EQ(irq8, 0);
	CHECK_EQ(cmos(0x0c, T0 + 976600), 0x00);
	CHECK_EQ(vrtc_next_event_ns(&rtc, T0 + 976600), T0 + 1953125);
	cmos_w(0x0a, 0x23, T0 + 976600); /* 8192 Hz */
	CHECK_EQ(vrtc_next_event_ns(&rtc, T0 + 976600), T0 + 976563 + 122070);
	cmos_w(0x0a, 0x2f, T0 + 976600); /* 2 Hz */
	CHECK_EQ(vrtc_next_event_ns(&rtc, T0 + 976600), T0 + 500000000ull);
	cmos_w(0x0a, 0x21, T0 + 976600); /* 256 Hz */
	CHECK_EQ(vrtc_next_event_ns(&rtc, T0 + 976600), T0 + 3906250);
}

TEST(rtc_update_ended_and_alarm)
{
	setup();
	cmos_w(0x0a, 0x20, T0);          /* no periodic flag in the way */
	cmos_w(0x01, 0x22, T0);          /* alarm at ss = 22 */
	cmos_w(0x03, 0xc0, T0);          /* any minute */
	cmos_w(0x05, 0xff, T0);          /* any hour */
	cmos_w(0x0b, 0x32, T0);          /* AIE | UIE */
	CHECK_EQ(vrtc_next_event_ns(&rtc, T0), T0 + 1000000000ull);
	vrtc_tick(&rtc, T0 + 1000000000ull);
	CHECK_EQ(irq8, 1);
	CHECK_EQ(cmos(0x0c, T0 + 1000000000ull), 0x90);   /* UF only */
	vrtc_tick(&rtc, T0 + 2000000000ull);
	CHECK_EQ(cmos(0x0c, T0 + 2000000000ull), 0xb0);   /* UF + AF */
	vrtc_tick(&rtc, T0 + 3000000000ull);
	CHECK_EQ(cmos(0x0c, T0 + 3000000000ull), 0x90);
	/* UF without UIE does not raise IRQF */
	cmos_w(0x0b, 0x02, T0 + 3000000000ull);
	vrtc_tick(&rtc, T0 + 4000000000ull);
	CHECK_EQ(cmos(0x0c, T0 + 4000000000ull), 0x10);
	CHECK_EQ(irq8, 0);
}

TEST(rtc_set_and_write_time)
{
	setup();
	cmos_w(0x0b, 0x92, T0);          /* SET (clears UIE) */
	CHECK_EQ(cmos(0x0b, T0), 0x82);
	cmos_w(0x09, 0x30, T0);          /* year 2030 */
	cmos_w(0x04, 0x01, T0);
	CHECK_EQ(cmos(0x00, T0 + 7000000000ull), 0x20);   /* frozen */
	cmos_w(0x0b, 0x02, T0 + 7000000000ull);
	CHECK_EQ(cmos(0x09, T0 + 7500000000ull), 0x30);
	CHECK_EQ(cmos(0x04, T0 + 7500000000ull), 0x01);
	CHECK_EQ(cmos(0x00, T0 + 8000000000ull), 0x21);
	/* writing a time register while running keeps the second phase */
	cmos_w(0x02, 0x45, T0 + 8000000000ull);
	CHECK_EQ(cmos(0x02, T0 + 8100000000ull), 0x45);
	CHECK_EQ(vrtc_time(&rtc, T0 + 8000000000ull) % 3600, 45 * 60 + 21);
}

TEST(rtc_nmi_mask_and_index)
{
	uint32_t v = 0x8f;
	setup();
	vrtc_pio(&rtc, 0x70, 1, true, &v, T0);
	CHECK(rtc.nmi_masked);
	CHECK_EQ(rtc.index, 0x0f);
	vrtc_pio(&rtc, 0x70, 1, false, &v, T0);
	CHECK_EQ(v, 0xff);
	cmos_w(0x0f, 0x0a, T0);
	CHECK(!rtc.nmi_masked);
	CHECK_EQ(cmos(0x0f, T0), 0x0a);
	CHECK_EQ(vrtc_pio(&rtc, 0x71, 2, false, &v, T0), -EINVAL);
}

TEST(rtc_memory_bytes)
{
	setup();
	vrtc_set_memory(&rtc, 32ull << 20, 1ull << 30, 4);
	CHECK_EQ(cmos(0x15, T0) | cmos(0x16, T0) << 8, 640);
	CHECK_EQ(cmos(0x17, T0) | cmos(0x18, T0) << 8, 31 * 1024);
	CHECK_EQ(cmos(0x30, T0) | cmos(0x31, T0) << 8, 31 * 1024);
	CHECK_EQ(cmos(0x34, T0) | cmos(0x35, T0) << 8, (16u << 20) >> 16);
	CHECK_EQ(cmos(0x5b, T0) | cmos(0x5c, T0) << 8 | cmos(0x5d, T0) << 16, 0x4000);
	CHECK_EQ(cmos(0x5f, T0), 3);
	vrtc_set_memory(&rtc, 3ull << 30, 0, 1);
	CHECK_EQ(cmos(0x17, T0) | cmos(0x18, T0) << 8, 0xffff);  /* capped */
}

TEST(rtc_alarm_12h_and_next_event)
{
	setup();
	cmos_w(0x0a, 0x20, T0);
	cmos_w(0x0b, 0x20, T0);          /* AIE, 12-hour, BCD */
	cmos_w(0x01, 0x25, T0);          /* 10:13:25 PM */
	cmos_w(0x03, 0x13, T0);
	cmos_w(0x05, 0x80 | 0x10, T0);
	CHECK_EQ(vrtc_next_event_ns(&rtc, T0 + 10), T0 + 1000000000ull);
	vrtc_tick(&rtc, T0 + 4000000000ull);
	CHECK_EQ(irq8, 0);               /* 22:13:24 */
	vrtc_tick(&rtc, T0 + 5000000000ull);
	CHECK_EQ(irq8, 1);
	CHECK_EQ(cmos(0x0c, T0 + 5000000000ull) & 0xa0, 0xa0);
	cmos_w(0x05, 0x10, T0 + 5000000000ull);  /* 10 AM: no match */
	vrtc_tick(&rtc, T0 + 90000000000ull);
	CHECK_EQ(cmos(0x0c, T0 + 90000000000ull) & 0x20, 0);
}
