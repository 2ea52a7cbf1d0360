/*
 * Running VMs until they stop: round-robin over runnable vCPUs with a fixed
 * time slice (the VMX-preemption timer ends each slice). The SMP and
 * scheduler issue replaces this with the credit scheduler; the seam is
 * be_vcpu_run().
 */
#include "arch/x86.h"
#include "lib/console.h"
#include "vmm/platform.h"
#include "vmm/run.h"
#include "vmm/vmm.h"

#define SLICE_NS 5000000ull /* 5 ms */

void vmm_run(struct vm **vms, size_t n, uint64_t timeout_ns)
{
	uint64_t end = env_now_ns() + timeout_ns;
	for (;;) {
		bool live = false, ran = false;
		uint64_t now = env_now_ns();
		for (size_t i = 0; i < n; i++) {
			struct vm *vm = vms[i];
			if (!vm || vm->stopped)
				continue;
			live = true;
			platform_poll(vm);
			for (unsigned c = 0; c < vm->nvcpus && !vm->stopped; c++) {
				struct vcpu *v = vm->vcpus[c];
				vmm_check_timers(v, now);
				if (v->state != VCPU_RUNNABLE)
					continue;
				/* End the slice at the VM's next device event (timers). */
				uint64_t slice = SLICE_NS, next = platform_next_event_ns(vm);
				if (next != ~0ull)
					slice = next > now ? ENV_MIN(slice, next - now) : 1000;
				be_vcpu_run(v, slice);
				ran = true;
				platform_poll(vm);
			}
		}
		if (!live)
			return;
		if (env_now_ns() > end) {
			for (size_t i = 0; i < n; i++)
				if (vms[i] && !vms[i]->stopped)
					vm_stop(vms[i], "still running after %llu s: stopped by the runner",
						(unsigned long long)(timeout_ns / 1000000000ull));
			return;
		}
		if (!ran)
			cpu_idle(); /* every vCPU halted: sleep until the next host tick */
	}
}
