/* The demo guest: says who it is, then a heartbeat every second, forever.
 * Its only timer until the guest platform lands is the test-timer hypercall. */
#include "guest.h"

int gmain(void)
{
	struct ditto_vm_info info;
	__builtin_memset(&info, 0, sizeof(info));
	hypercall(HC_VM_INFO, (unsigned long)&info, sizeof(info), 0, 0);
	gprintf("hello from VM %u '%s': %u vCPU, %llu MiB, Ditto ABI %ld.%ld\n", info.vm_id, info.name,
		info.vcpus, info.memory_bytes >> 20, hypercall(HC_VERSION, 0, 0, 0, 0) >> 16,
		hypercall(HC_VERSION, 0, 0, 0, 0) & 0xffff);
	for (unsigned beat = 1;; beat++) {
		hypercall(HC_TEST_INJECT, 0x40, HC_TYPE_EXTINT, 0xffffffffu, 1000000);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		static struct ditto_vcpu_stats st;
		hypercall(HC_VCPU_STATS, (unsigned long)&st, sizeof(st), 0, 0);
		gprintf("heartbeat %u (%llu exits so far)\n", beat, st.exits_total);
	}
	return 0;
}
