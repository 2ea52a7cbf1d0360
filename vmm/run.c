/*
 * Running VMs until they stop: round-robin over runnable vCPUs with a fixed
 * time slice (the VMX-preemption timer ends each slice). The SMP and
 * scheduler issue replaces this with the credit scheduler; the seam is
 * be_vcpu_run().
 */
#include "arch/x86.h"
#include "lib/console.h"
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
			for (unsigned c = 0; c < vm->nvcpus; c++) {
				struct vcpu *v = vm->vcpus[c];
				vmm_check_timers(v, now);
				if (v->state == VCPU_RUNNABLE) {
					be_vcpu_run(v, SLICE_NS);
					ran = true;
				}
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
