/* HLT exits: a halted vCPU sleeps until an interrupt is due, then resumes
 * after the HLT with the interrupt delivered. */
#include "guest.h"

int gmain(void)
{
	/* Ask for vector 0x40 in 20 ms, then halt with interrupts on. */
	CHECK("arm_timer", hypercall(HC_TEST_INJECT, 0x40, HC_TYPE_EXTINT, 0xffffffffu, 20000) == 0);
	uint64_t t0 = rdtsc();
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	uint64_t t1 = rdtsc();
	CHECK("woken_by_interrupt", traps.count[0x40] == 1);
	/* Bochs' TSC runs at its 50 MHz emulated rate: 20 ms ~ 1M ticks. */
	CHECK("slept_not_spun", t1 - t0 > 500000);
	/* An interrupt that is pending when interrupts are off waits for STI. */
	CHECK("inject_now", hypercall(HC_TEST_INJECT, 0x41, HC_TYPE_EXTINT, 0xffffffffu, 0) == 0);
	for (volatile int i = 0; i < 1000; i++)
		;
	CHECK("held_while_if_clear", traps.count[0x41] == 0);
	__asm__ volatile("sti; nop; cli" ::: "memory");
	CHECK("delivered_after_sti", traps.count[0x41] == 1);

	/* MWAIT (not in CPUID, but a guest may use it): a yield. With ECX bit
	 * 0 an interrupt ends it while IF = 0 and waits for STI to be taken. */
	static volatile uint32_t monitored;
	CHECK("arm_timer_mwait", hypercall(HC_TEST_INJECT, 0x42, HC_TYPE_EXTINT, 0xffffffffu, 300) == 0);
	for (int i = 0; i < 20 && !traps.count[0x42]; i++) {
		__asm__ volatile("monitor" ::"a"(&monitored), "c"(0), "d"(0));
		__asm__ volatile("mwait" ::"a"(0), "c"(1) : "memory");
		CHECK("mwait_holds_interrupt_while_if_clear", traps.count[0x42] == 0);
		__asm__ volatile("sti; nop; cli" ::: "memory");
	}
	CHECK("mwait_woken_by_interrupt", traps.count[0x42] == 1);
	/* Without a break event it still ends (bounded at 1 ms), after a wait. */
	t0 = rdtsc();
	__asm__ volatile("monitor" ::"a"(&monitored), "c"(0), "d"(0));
	__asm__ volatile("mwait" ::"a"(0), "c"(0) : "memory");
	t1 = rdtsc();
	CHECK("mwait_bounded_and_yields", t1 - t0 > 25000); /* > 0.5 ms at 50 MHz */
	return 0;
}
