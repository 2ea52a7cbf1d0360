/*
 * Second-level faults, by what lies at the guest-physical address:
 *   RAM whose mapping Ditto removed (fault-in, later the memory engine)
 *       -> map it back and resume;
 *   a device's MMIO range -> emulate the instruction (vmm/mmio.c);
 *   nothing -> the outside-memory policy of a PC bus: reads return all-ones,
 *       writes are dropped, each counted; an instruction fetch from there
 *       stops the VM (there is no code to run).
 */
#include "vmm/mmio.h"

enum vmm_action vmm_ept_fault(struct vcpu *v, uint64_t gpa, bool write, bool fetch)
{
	struct vm *vm = v->vm;
	if (gpa < vm->mem_size) {
		if (be_map_gpa(vm, gpa)) {
			vm_stop(vm, "no memory to map gpa 0x%llx back", (unsigned long long)gpa);
			return VMM_STOP;
		}
		vm->ctr.ept_faults_in++;
		return VMM_RESUME;
	}
	if (fetch) {
		vm_stop(vm, "instruction fetch from gpa 0x%llx outside its memory at rip 0x%llx",
			(unsigned long long)gpa, (unsigned long long)be_get(v, BE_RIP));
		return VMM_STOP;
	}
	return vmm_mmio_emulate(v, gpa, write);
}
