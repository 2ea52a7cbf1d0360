/* PC-platform helpers for the device test guests. */
#ifndef GUEST_PC_H
#define GUEST_PC_H
#include "guest.h"

#define LAPIC ((volatile uint32_t *)0xfee00000u)
#define LAPIC_REG(off) LAPIC[(off) / 4]
#define IOAPIC_SEL (*(volatile uint32_t *)0xfec00000u)
#define IOAPIC_WIN (*(volatile uint32_t *)0xfec00010u)

static inline uint64_t tsc_hz(void)
{
	uint32_t r[4];
	cpuid(DITTO_CPUID_TIMING, 0, r);
	return (uint64_t)r[0] * 1000;
}

/* Busy-wait (with interrupts on) for ms milliseconds of TSC time. */
static inline void wait_ms(uint32_t ms)
{
	uint64_t end = rdtsc() + tsc_hz() / 1000 * ms;
	while (rdtsc() < end)
		__asm__ volatile("pause");
}

/* 8259 pair remapped to 0x20/0x28, everything masked but `unmask` bits. */
static inline void pic_init(uint16_t unmask)
{
	outb(0x20, 0x11); outb(0xa0, 0x11);
	outb(0x21, 0x20); outb(0xa1, 0x28);
	outb(0x21, 0x04); outb(0xa1, 0x02);
	outb(0x21, 0x01); outb(0xa1, 0x01);
	outb(0x21, (uint8_t)~unmask); outb(0xa1, (uint8_t)~(unmask >> 8));
}

static inline void pic_eoi(uint32_t vector)
{
	if (vector >= 0x28 && vector < 0x30)
		outb(0xa0, 0x20);
	if (vector >= 0x20 && vector < 0x30)
		outb(0x20, 0x20);
}

static inline void lapic_enable(void)
{
	LAPIC_REG(0xf0) = 0x1ff; /* software enable, spurious vector 0xff */
}

static inline void lapic_eoi(uint32_t vector) { (void)vector; LAPIC_REG(0xb0) = 0; }

static inline void ioapic_write(uint32_t reg, uint32_t v) { IOAPIC_SEL = reg; IOAPIC_WIN = v; }
static inline uint32_t ioapic_read(uint32_t reg) { IOAPIC_SEL = reg; return IOAPIC_WIN; }

/* PIT channel 0, mode 2 (rate generator) at hz. */
static inline void pit_rate(uint32_t hz)
{
	uint32_t div = 1193182 / hz;
	outb(0x43, 0x34);
	outb(0x40, (uint8_t)div);
	outb(0x40, (uint8_t)(div >> 8));
}
#endif
