/* Exits that need little decoding: CPUID, HLT, VMCALL, triple fault, host
 * interrupts, the preemption timer, windows, instructions answered with #UD
 * or #GP, XSETBV. */
#include "arch/regs.h"
#include "arch/x86.h"
#include "arch/x86_64/vmx/vmx_internal.h"
#include "vmm/vmm.h"

enum vmm_action exit_cpuid(struct vcpu *v)
{
	return vmm_cpuid(v);
}

enum vmm_action exit_hlt(struct vcpu *v)
{
	vcpu_skip_instruction(v);
	return vmm_halt(v);
}

enum vmm_action exit_mwait(struct vcpu *v)
{
	vcpu_skip_instruction(v);
	return vmm_mwait(v);
}

/* MONITOR arms a range only MWAIT looks at; MWAIT does not watch it. */
enum vmm_action exit_monitor(struct vcpu *v)
{
	vcpu_skip_instruction(v);
	return VMM_RESUME;
}

enum vmm_action exit_vmcall(struct vcpu *v)
{
	return vmm_hypercall(v);
}

enum vmm_action exit_triple_fault(struct vcpu *v)
{
	/* On a PC a triple fault resets the machine; for a VM it ends it. */
	vmx_dump_stop(v, "triple fault (shutdown)");
	return VMM_STOP;
}

enum vmm_action exit_external_interrupt(struct vcpu *v)
{
	/* Not acknowledged on exit: the host takes it through its IDT as soon
	 * as the run loop enables interrupts. */
	return VMM_RESUME;
}

enum vmm_action exit_preemption_timer(struct vcpu *v)
{
	return VMM_RESUME; /* the run loop sees the slice is over */
}

enum vmm_action exit_interrupt_window(struct vcpu *v)
{
	uint64_t p = vmcs_read(VMCS_PROC_CONTROLS);
	vmcs_write(VMCS_PROC_CONTROLS, p & ~(uint64_t)PROC_INTR_WINDOW);
	return VMM_RESUME; /* the pending event is injected at this entry */
}

enum vmm_action exit_exception(struct vcpu *v)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_EXIT_INTR_INFO);
	if (INTR_INFO_TYPE(info) == INTR_TYPE_NMI) {
		/* A host NMI arrived in the guest: give it to the host handler. */
		__asm__ volatile("int $2");
		return VMM_RESUME;
	}
	/* The exception bitmap is empty: any other exception exit is unexpected. */
	return vmx_exit_unexpected(v);
}

enum vmm_action exit_vmx_instruction(struct vcpu *v)
{
	/* CPUID hides VMX: the instructions do not exist for the guest. */
	return vcpu_inject_exception(v, EXC_UD, false, 0);
}

enum vmm_action exit_ud(struct vcpu *v)
{
	return vcpu_inject_exception(v, EXC_UD, false, 0);
}

enum vmm_action exit_skip(struct vcpu *v)
{
	vcpu_skip_instruction(v);
	return VMM_RESUME;
}

enum vmm_action exit_rdpmc(struct vcpu *v)
{
	return vcpu_inject_exception(v, EXC_GP, true, 0); /* no PMU is advertised */
}

enum vmm_action exit_init_sipi(struct vcpu *v)
{
	return vmx_exit_unexpected(v); /* SMP guests: guest platform issue */
}

enum vmm_action exit_dr_access(struct vcpu *v)
{
	return vmx_exit_unexpected(v); /* MOV-DR exiting is off */
}

/* XSETBV (SDM Vol. 2: #GP unless ECX = 0, CPL 0, bit 0 set, AVX needs SSE,
 * and only features the CPU has). Ditto's host code uses no extended state,
 * so the guest's XCR0 can stay loaded while it runs. */
enum vmm_action exit_xsetbv(struct vcpu *v)
{
	uint64_t val = (vcpu_gpr(v, RDX) << 32) | (uint32_t)vcpu_gpr(v, RAX);
	struct cpuid_regs d = cpuid(0xd, 0);
	uint64_t supported = ((uint64_t)d.edx << 32) | d.eax;
	if ((uint32_t)vcpu_gpr(v, RCX) != 0 || vcpu_cpl(v) != 0 || !(val & 1) ||
	    ((val & 4) && !(val & 2)) || (val & ~supported))
		return vcpu_inject_exception(v, EXC_GP, true, 0);
	__asm__ volatile("xsetbv" ::"a"((uint32_t)val), "d"((uint32_t)(val >> 32)), "c"(0));
	varch(v)->xcr0 = val;
	vcpu_skip_instruction(v);
	return VMM_RESUME;
}
