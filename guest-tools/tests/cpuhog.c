/*
 * CPU-bound test guest for the scheduler tests: counts loop iterations at
 * DITTO_PROBE_GPA forever, with no exit of its own (the host's interrupts
 * and the slice end are the only exits), so its progress measures the CPU
 * time it gets. It runs with interrupts enabled as an OS would: Bochs 2.7
 * enters a guest whose RFLAGS.IF is 0 with external interrupts masked
 * (vmx.cc sets in_vmx_guest only after it re-evaluates the interrupt mask),
 * so host interrupts (ticks, kicks) would not make it exit until its slice
 * ends (docs/scheduler.md, "Bochs").
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
	guest_sti(); /* nothing is injected into this VM: IF only lets host interrupts exit it */
	for (;;) {
		/* A fixed amount of work per count: 64 dependent adds. */
		uint32_t x = (uint32_t)p->progress;
		for (int i = 0; i < 64; i++)
			__asm__ volatile("add $3, %0" : "+r"(x));
		sink = x;
		p->progress = p->progress + 1;
	}
}
