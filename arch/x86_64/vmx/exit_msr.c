/* RDMSR/WRMSR exits: ECX = MSR, EDX:EAX = value (SDM Vol. 2B). */
#include "arch/regs.h"
#include "arch/x86_64/vmx/vmx_internal.h"
#include "vmm/vmm.h"

enum vmm_action exit_rdmsr(struct vcpu *v)
{
	uint64_t val;
	if (vmm_rdmsr(v, (uint32_t)vcpu_gpr(v, RCX), &val))
		return vcpu_inject_exception(v, EXC_GP, true, 0);
	vcpu_set_gpr(v, RAX, (uint32_t)val);
	vcpu_set_gpr(v, RDX, val >> 32);
	vcpu_skip_instruction(v);
	return VMM_RESUME;
}

enum vmm_action exit_wrmsr(struct vcpu *v)
{
	uint64_t val = (vcpu_gpr(v, RDX) << 32) | (uint32_t)vcpu_gpr(v, RAX);
	if (vmm_wrmsr(v, (uint32_t)vcpu_gpr(v, RCX), val))
		return vcpu_inject_exception(v, EXC_GP, true, 0);
	vcpu_skip_instruction(v);
	return VMM_RESUME;
}
