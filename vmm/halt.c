/* HLT and the test timers that wake it (the guest platform issue replaces the
 * test timers with the virtual LAPIC/PIT). */
#include "vmm/vmm.h"

enum vmm_action vmm_halt(struct vcpu *v)
{
	bool iflag = be_get(v, BE_RFLAGS) & (1u << 9);
	if (!iflag && !v->event.valid && !v->wake_at_ns && !v->vm->platform) {
		/* Nothing can ever wake it (no NMI source yet): the VM is hung. */
		vm_stop(v->vm, "vCPU %u halted with interrupts disabled", v->id);
		return VMM_STOP;
	}
	if (v->event.valid)
		return VMM_RESUME; /* an event is already due: HLT ends at once */
	v->halted_with_if = iflag;
	v->state = VCPU_HALTED;
	return VMM_RESUME;
}

void vmm_check_timers(struct vcpu *v, uint64_t now_ns)
{
	if (!v->wake_at_ns || now_ns < v->wake_at_ns)
		return;
	v->wake_at_ns = 0;
	v->event = (struct vcpu_event){ .valid = true, .vector = v->test_vector, .type = 0 };
	if (v->state == VCPU_HALTED)
		vcpu_make_runnable(v);
	else
		vcpu_notify(v);
}
