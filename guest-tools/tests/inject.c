/* Event injection: exceptions with error codes, external interrupts, and
 * re-injection of an event whose delivery an EPT fault interrupted. */
#include "guest.h"

static uint8_t stack_page[8192] __attribute__((aligned(4096)));
static uint32_t saved_esp;

int gmain(void)
{
	traps.expect = 13;
	CHECK("inject_gp", hypercall(HC_TEST_INJECT, 13, HC_TYPE_EXCEPTION, 0x1234, 0) == 0);
	/* The #GP arrives at the next entry, i.e. right after the VMCALL. */
	CHECK("gp_delivered_with_error", traps.count[13] == 1 && traps.last_error == 0x1234);
	traps.expect = 6;
	CHECK("inject_ud", hypercall(HC_TEST_INJECT, 6, HC_TYPE_EXCEPTION, 0xffffffffu, 0) == 0);
	CHECK("ud_delivered", traps.count[6] == 1);
	__asm__ volatile("sti");
	CHECK("inject_extint", hypercall(HC_TEST_INJECT, 0x50, HC_TYPE_EXTINT, 0xffffffffu, 0) == 0);
	__asm__ volatile("nop");
	CHECK("extint_delivered", traps.count[0x50] == 1);
	/* Re-injection: the handler's stack page is dropped from EPT, so
	 * delivering 0x51 faults on the push and exits mid-delivery; Ditto maps
	 * the page back and must deliver 0x51 again, or it is lost. */
	uint32_t esp_page = (uint32_t)(stack_page + 4096);
	CHECK("unmap_stack_page", hypercall(HC_TEST_UNMAP, esp_page, 0, 0, 0) == 0);
	__asm__ volatile("movl %%esp, %0\n\t"
			 "movl %1, %%esp\n\t"
			 "movl %2, %%eax\n\t"
			 "movl $0x51, %%ebx\n\t"
			 "xorl %%ecx, %%ecx\n\t"
			 "movl $0xffffffff, %%edx\n\t"
			 "xorl %%esi, %%esi\n\t"
			 "vmcall\n\t"
			 "nop\n\t"
			 "movl %0, %%esp"
			 : "=m"(saved_esp)
			 : "r"(esp_page + 4096 - 64), "i"(HC_TEST_INJECT)
			 : "eax", "ebx", "ecx", "edx", "esi", "memory");
	CHECK("reinjected_after_ept_fault", traps.count[0x51] == 1);
	__asm__ volatile("cli");
	static struct ditto_vcpu_stats st;
	hypercall(HC_VCPU_STATS, (unsigned long)&st, sizeof(st), 0, 0);
	CHECK("ept_violation_seen", st.exits_by_reason[48] >= 1);
	return 0;
}
