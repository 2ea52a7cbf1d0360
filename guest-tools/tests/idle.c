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
	p->magic = DITTO_PROBE_MAGIC;
	for (;;) {
		if (hypercall(HC_TEST_INJECT, 0x40, HC_TYPE_EXTINT, 0xffffffffu, 100000))
			return 1;
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		p->progress = p->progress + 1;
	}
}
