/* MC146818 RTC: a plausible date, the periodic interrupt at its rate on
 * IRQ8 (slave PIC), register C read-to-clear. */
#include "pc.h"

static uint8_t cmos(uint8_t r) { outb(0x70, r); return inb(0x71); }
static void cmos_w(uint8_t r, uint8_t v) { outb(0x70, r); outb(0x71, v); }

static void hook(uint32_t vector)
{
	if (vector == 0x28)
		(void)cmos(0x0c);
	pic_eoi(vector);
}

int gmain(void)
{
	uint8_t b = cmos(0x0b);
	unsigned year = cmos(0x09), cent = cmos(0x32);
	if (!(b & 4)) {
		year = (year >> 4) * 10 + (year & 15);
		cent = (cent >> 4) * 10 + (cent & 15);
	}
	gprintf("rtc: year %u%02u\n", cent, year);
	CHECK("date_plausible", cent == 20 && year >= 24);
	CHECK("memory_size_bytes", cmos(0x30) | cmos(0x31));
	irq_hook = hook;
	pic_init((1 << 2) | (1 << 8));
	cmos_w(0x0a, (cmos(0x0a) & 0xf0) | 6);  /* 1024 Hz */
	cmos_w(0x0b, cmos(0x0b) | 0x40);        /* PIE */
	(void)cmos(0x0c);
	guest_sti();
	wait_ms(100);
	guest_cli();
	cmos_w(0x0b, cmos(0x0b) & ~0x40);
	uint32_t n = traps.count[0x28];
	gprintf("rtc: %u periodic interrupts in 100 ms at 1024 Hz\n", n);
	CHECK("periodic_1024hz", n >= 92 && n <= 113);
	return 0;
}
