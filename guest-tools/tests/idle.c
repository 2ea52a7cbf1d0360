/*
 * A mostly idle test guest: wakes every 100 ms on a test timer, counts the
 * wake-up at DITTO_PROBE_GPA and halts again. An idle VM must cost its host
 * almost nothing (the scheduler blocks it while it halts).
 */
#include "guest.h"
#include "ditto/testprobe.h"

int gmain(void)
{
	volatile struct ditto_probe *p = (volatile struct ditto_probe *)DITTO_PROBE_GPA;
	p->kind = 2;
	p->progress = 0;
	p->late_sum = p->late_max = 0;
	p->magic = DITTO_PROBE_MAGIC;
	uint32_t r[4];
	cpuid(DITTO_CPUID_TIMING, 0, r);
	uint64_t period = (uint64_t)r[0] * 100; /* 100 ms in TSC ticks (EAX = TSC kHz) */
	for (;;) {
		uint64_t t0 = rdtsc();
		if (hypercall(HC_TEST_INJECT, 0x40, HC_TYPE_EXTINT, 0xffffffffu, 100000))
			return 1;
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		uint64_t late = rdtsc() - t0;
		late = late > period ? late - period : 0;
		p->late_sum = p->late_sum + late;
		if (late > p->late_max)
			p->late_max = late;
		p->progress = p->progress + 1;
	}
}
