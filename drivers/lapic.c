/*
 * Local APIC in xAPIC mode (SDM Vol. 3A chapter 10): enable, EOI, timer,
 * IPIs. The timer is calibrated against the PIT (drivers/pit.c) together
 * with the TSC (lib/time.c).
 */
#include "arch/paging.h"
#include "arch/percpu.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "drivers/lapic.h"

#define LAPIC_ID 0x20
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define ICR_PENDING (1u << 12)

static volatile uint32_t *regs;
uint64_t lapic_timer_hz;

static inline uint32_t rd(uint32_t off) { return regs[off / 4]; }
static inline void wr(uint32_t off, uint32_t v) { regs[off / 4] = v; }

void lapic_enable_this_cpu(void)
{
	wr(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
	wr(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	wr(LAPIC_LVT_LINT0, LVT_MASKED);
	wr(LAPIC_LVT_LINT1, LVT_MASKED);
	wr(LAPIC_LVT_ERROR, LVT_MASKED);
	wr(LAPIC_ESR, 0);
	wr(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_eoi();
}

struct calib {
	uint32_t cur0, cur1;
};

static void calib_fn(void *ctx, int phase)
{
	struct calib *c = ctx;
	if (phase == 0) {
		wr(LAPIC_TIMER_INIT, 0xffffffff);
		c->cur0 = rd(LAPIC_TIMER_CUR);
	} else {
		c->cur1 = rd(LAPIC_TIMER_CUR);
	}
}

#include "drivers/pit.h"
int lapic_init(uint64_t phys)
{
	regs = iomap(phys, PAGE_SIZE, false);
	if (!regs)
		return -1;
	lapic_enable_this_cpu();
	struct calib c;
	/* 10 ms window: long enough for 0.01% resolution of a 100 MHz clock. */
	if (pit_measure(10000, calib_fn, &c))
		return -1;
	wr(LAPIC_TIMER_INIT, 0);
	lapic_timer_hz = (uint64_t)(c.cur0 - c.cur1) * 100;
	return lapic_timer_hz ? 0 : -1;
}

uint32_t lapic_id(void)
{
	return rd(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

void lapic_timer_periodic(uint32_t hz)
{
	wr(LAPIC_TIMER_DIV, 0x3);
	wr(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	wr(LAPIC_TIMER_INIT, (uint32_t)(lapic_timer_hz / hz));
}

/* One interrupt after delta_ns (one-shot mode, SDM Vol. 3A 11.5.4); the
 * count saturates at 32 bits (about 22 minutes at Bochs' 3 MHz). */
void lapic_timer_oneshot_ns(uint64_t delta_ns)
{
	uint64_t n = delta_ns * (lapic_timer_hz / 1000) / 1000000;
	if (!n)
		n = 1;
	if (n > 0xffffffffu)
		n = 0xffffffffu;
	wr(LAPIC_TIMER_DIV, 0x3);
	wr(LAPIC_LVT_TIMER, VEC_TIMER);
	wr(LAPIC_TIMER_INIT, (uint32_t)n);
}

void lapic_timer_stop(void)
{
	wr(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	wr(LAPIC_TIMER_INIT, 0);
}

int lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
	wr(LAPIC_ICR_HI, apic_id << 24);
	wr(LAPIC_ICR_LO, icr_low);
	for (int i = 0; i < 1000000; i++) {
		if (!(rd(LAPIC_ICR_LO) & ICR_PENDING))
			return 0;
		cpu_relax();
	}
	return -1;
}
