/* HLT and MWAIT, the yields of a vCPU, and the test timers that wake it. */
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
	v->mwait_until_ns = 0; /* HLT has no bound: only an interrupt ends it */
	v->state = VCPU_HALTED;
	return VMM_RESUME;
}

/*
 * MWAIT (SDM Vol. 2B MWAIT, Vol. 3A 9.10.4): CPUID does not offer it, but a
 * guest that executes it waits like HLT, with two differences. With ECX
 * bit 0 an interrupt ends the wait even while RFLAGS.IF is 0 (it is then
 * delivered when the guest sets IF). And a store to the range MONITOR armed
 * also ends it, which Ditto does not watch (that would need the page
 * write-protected): the wait is bounded by MWAIT_MAX_NS instead, which the
 * SDM allows ("MWAIT may exit for implementation-dependent events"). So it
 * is a yield: the CPU goes to other vCPUs, and this one comes back on an
 * interrupt or after at most 1 ms.
 */
#define MWAIT_MAX_NS 1000000ull

enum vmm_action vmm_mwait(struct vcpu *v)
{
	bool iflag = be_get(v, BE_RFLAGS) & (1u << 9);
	bool break_on_intr = vcpu_gpr(v, RCX) & 1;
	if (v->event.valid)
		return VMM_RESUME;
	v->halted_with_if = iflag || break_on_intr;
	v->mwait_until_ns = env_now_ns() + MWAIT_MAX_NS;
	v->state = VCPU_HALTED;
	return VMM_RESUME;
}

void vmm_check_timers(struct vcpu *v, uint64_t now_ns)
{
	if (v->mwait_until_ns && now_ns >= v->mwait_until_ns) {
		v->mwait_until_ns = 0;
		if (v->state == VCPU_HALTED)
			vcpu_make_runnable(v); /* the bounded MWAIT is over */
	}
	if (!v->wake_at_ns || now_ns < v->wake_at_ns)
		return;
	v->wake_at_ns = 0;
	v->event = (struct vcpu_event){ .valid = true, .vector = v->test_vector, .type = 0 };
	if (v->state == VCPU_HALTED)
		vcpu_make_runnable(v);
	else
		vcpu_notify(v);
}
