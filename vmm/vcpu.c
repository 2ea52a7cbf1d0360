/* vCPU register access and exception queueing. */
#include "arch/x86_64/vmx/vmcs_fields.h"
#include "vmm/backend.h"

uint64_t vcpu_rsp(struct vcpu *v)
{
	return be_get(v, BE_RSP);
}

void vcpu_set_rsp(struct vcpu *v, uint64_t val)
{
	be_set(v, BE_RSP, val);
}

enum vmm_action vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	v->event = (struct vcpu_event){ .valid = true, .vector = vector, .type = INTR_TYPE_HW_EXC,
					.has_error = has_error, .error = error };
	return VMM_INJECT;
}
