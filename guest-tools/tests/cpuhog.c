/*
 * CPU-bound test guest for the scheduler tests: counts loop iterations at
 * DITTO_PROBE_GPA forever, with no exit of its own (the host's tick and the
 * slice end are the only exits), so its progress measures the CPU time it
 * gets.
 */
#include "guest.h"
#include "ditto/testprobe.h"

static volatile uint32_t sink;

int gmain(void)
{
	volatile struct ditto_probe *p = (volatile struct ditto_probe *)DITTO_PROBE_GPA;
	p->kind = 1;
	p->progress = 0;
	p->magic = DITTO_PROBE_MAGIC;
	for (;;) {
		/* A fixed amount of work per count: 64 dependent adds. */
		uint32_t x = (uint32_t)p->progress;
		for (int i = 0; i < 64; i++)
			__asm__ volatile("add $3, %0" : "+r"(x));
		sink = x;
		p->progress = p->progress + 1;
	}
}
