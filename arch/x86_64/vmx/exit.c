/*
 * VM-exit dispatch: a const table indexed by basic exit reason (SDM Vol. 3D
 * Appendix C), every reason with an explicit entry. Handlers return resume,
 * inject or stop-VM; nothing a guest does reaches panic(). An exit Ditto does
 * not expect (its control is off, or it is an entry failure) stops that VM
 * with a dump of its VMCS.
 */
#include "arch/panic.h"
#include "arch/regs.h"
#include "arch/x86.h"
#include "arch/x86_64/vmx/vmx_internal.h"
#include "lib/console.h"
#include "lib/time.h"
#include "ditto/fmt.h"

static const char *const reason_names[EXIT_REASON_MAX] = {
#define EXIT_NAME(n, name) [n] = #name,
	EXIT_REASONS(EXIT_NAME)
#undef EXIT_NAME
};

const char *exit_reason_name(unsigned r)
{
	return r < EXIT_REASON_MAX && reason_names[r] ? reason_names[r] : "reserved";
}

static const exit_handler_fn handlers[EXIT_REASON_MAX] = {
	[EXIT_EXCEPTION_NMI] = exit_exception,
	[EXIT_EXTERNAL_INTERRUPT] = exit_external_interrupt,
	[EXIT_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_INIT] = exit_init_sipi,
	[EXIT_SIPI] = exit_init_sipi,
	[EXIT_IO_SMI] = vmx_exit_unexpected,
	[EXIT_OTHER_SMI] = vmx_exit_unexpected,
	[EXIT_INTERRUPT_WINDOW] = exit_interrupt_window,
	[EXIT_NMI_WINDOW] = vmx_exit_unexpected,	/* NMI-window exiting is never enabled */
	[EXIT_TASK_SWITCH] = vmx_exit_unexpected,	/* hardware task switches: not supported */
	[EXIT_CPUID] = exit_cpuid,
	[EXIT_GETSEC] = exit_ud,			/* SMX is hidden: #UD as on a CPU without it */
	[EXIT_HLT] = exit_hlt,
	[EXIT_INVD] = exit_skip,			/* caches stay coherent: nothing to do */
	[EXIT_INVLPG] = vmx_exit_unexpected,		/* INVLPG exiting is off (EPT) */
	[EXIT_RDPMC] = exit_rdpmc,
	[EXIT_RDTSC] = vmx_exit_unexpected,		/* RDTSC exiting is off (TSC offsetting) */
	[EXIT_RSM] = exit_ud,
	[EXIT_VMCALL] = exit_vmcall,
	[EXIT_VMCLEAR] = exit_vmx_instruction,
	[EXIT_VMLAUNCH] = exit_vmx_instruction,
	[EXIT_VMPTRLD] = exit_vmx_instruction,
	[EXIT_VMPTRST] = exit_vmx_instruction,
	[EXIT_VMREAD] = exit_vmx_instruction,
	[EXIT_VMRESUME] = exit_vmx_instruction,
	[EXIT_VMWRITE] = exit_vmx_instruction,
	[EXIT_VMXOFF] = exit_vmx_instruction,
	[EXIT_VMXON] = exit_vmx_instruction,
	[EXIT_CR_ACCESS] = exit_cr_access,
	[EXIT_DR_ACCESS] = exit_dr_access,
	[EXIT_IO_INSTRUCTION] = exit_io,
	[EXIT_RDMSR] = exit_rdmsr,
	[EXIT_WRMSR] = exit_wrmsr,
	[EXIT_ENTRY_FAIL_GUEST_STATE] = exit_entry_failure,
	[EXIT_ENTRY_FAIL_MSR_LOAD] = exit_entry_failure,
	[EXIT_MWAIT] = exit_mwait,			/* a bounded yield (vmm/halt.c) */
	[EXIT_MONITOR_TRAP_FLAG] = vmx_exit_unexpected,
	[EXIT_MONITOR] = exit_monitor,
	[EXIT_PAUSE] = exit_skip,
	[EXIT_ENTRY_FAIL_MACHINE_CHECK] = exit_entry_failure,
	[EXIT_TPR_BELOW_THRESHOLD] = vmx_exit_unexpected,
	[EXIT_APIC_ACCESS] = vmx_exit_unexpected,
	[EXIT_VIRTUALIZED_EOI] = vmx_exit_unexpected,
	[EXIT_GDTR_IDTR_ACCESS] = vmx_exit_unexpected,
	[EXIT_LDTR_TR_ACCESS] = vmx_exit_unexpected,
	[EXIT_EPT_VIOLATION] = exit_ept_violation,
	[EXIT_EPT_MISCONFIG] = exit_ept_misconfig,
	[EXIT_INVEPT] = exit_vmx_instruction,
	[EXIT_RDTSCP] = vmx_exit_unexpected,		/* RDTSCP runs natively */
	[EXIT_PREEMPTION_TIMER] = exit_preemption_timer,
	[EXIT_INVVPID] = exit_vmx_instruction,
	[EXIT_WBINVD] = exit_skip,
	[EXIT_XSETBV] = exit_xsetbv,
	[EXIT_APIC_WRITE] = vmx_exit_unexpected,
	[EXIT_RDRAND] = vmx_exit_unexpected,
	[EXIT_INVPCID] = vmx_exit_unexpected,
	[EXIT_VMFUNC] = exit_ud,
	[EXIT_ENCLS] = exit_ud,
	[EXIT_RDSEED] = vmx_exit_unexpected,
	[EXIT_PML_FULL] = vmx_exit_unexpected,
	[EXIT_XSAVES] = vmx_exit_unexpected,
	[EXIT_XRSTORS] = vmx_exit_unexpected,
	[EXIT_SPP] = vmx_exit_unexpected,
	[EXIT_UMWAIT] = exit_ud,
	[EXIT_TPAUSE] = exit_ud,
	[EXIT_LOADIWKEY] = exit_ud,
};

enum vmm_action vmx_handle_exit(struct vcpu *v)
{
	struct vcpu_arch *a = varch(v);
	uint32_t basic = a->exit_reason & 0xffff;
	v->stats.exits++;
	if (basic < VCPU_EXIT_REASONS)
		v->stats.exits_by_reason[basic]++;
	if (basic >= EXIT_REASON_MAX || !handlers[basic])
		return vmx_exit_unexpected(v);
	/* Bit 31: VM-entry failure (SDM 28.8); only the entry-failure handlers
	 * may see it. */
	if ((a->exit_reason & (1u << 31)) && basic != EXIT_ENTRY_FAIL_GUEST_STATE &&
	    basic != EXIT_ENTRY_FAIL_MSR_LOAD && basic != EXIT_ENTRY_FAIL_MACHINE_CHECK)
		return exit_entry_failure(v);
	a->have_qual = a->have_len = false;
	return handlers[basic](v);
}

void vmx_vcpu_dump(struct vcpu *v)
{
	struct vcpu_arch *a = varch(v);
	kprintf("vm %s vcpu %u: exit reason %u (%s), qualification 0x%llx\n", v->vm->name, v->id,
		a->exit_reason & 0xffff, exit_reason_name(a->exit_reason & 0xffff),
		(unsigned long long)vmcs_read(VMCS_EXIT_QUALIFICATION));
	static const char *const names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					       "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
	for (int i = 0; i < 16; i++)
		kprintf("  %-3s %016llx%s", names[i], (unsigned long long)vcpu_gpr(v, (enum gpr)i),
			i % 4 == 3 ? "\n" : "");
	vmcs_dump();
}

void vmx_dump_stop(struct vcpu *v, const char *why)
{
	vmx_vcpu_dump(v);
	vm_stop(v->vm, "%s at rip 0x%llx", why, (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
}

enum vmm_action vmx_exit_unexpected(struct vcpu *v)
{
	char why[64];
	uint32_t r = varch(v)->exit_reason & 0xffff;
	fmt_snprintf(why, sizeof(why), "unexpected VM exit %u (%s)", r, exit_reason_name(r));
	vmx_dump_stop(v, why);
	return VMM_STOP;
}

enum vmm_action exit_entry_failure(struct vcpu *v)
{
	/* SDM 28.8: the guest state failed the entry checks. A Ditto bug or a
	 * state the guest produced that the monitor did not keep valid: this VM
	 * stops; the host does not. */
	char why[80];
	uint32_t r = varch(v)->exit_reason;
	fmt_snprintf(why, sizeof(why), "VM entry failed: exit reason 0x%x (%s), qualification 0x%llx", r,
		     exit_reason_name(r & 0xffff), (unsigned long long)vmcs_read(VMCS_EXIT_QUALIFICATION));
	vmx_dump_stop(v, why);
	return VMM_STOP;
}

/* ---- the backend seam (vmm/backend.h) ---- */

static const uint32_t be_fields[BE_REG_COUNT] = {
	[BE_RIP] = VMCS_GUEST_RIP, [BE_RSP] = VMCS_GUEST_RSP, [BE_RFLAGS] = VMCS_GUEST_RFLAGS,
	[BE_CR0] = VMCS_GUEST_CR0, [BE_CR3] = VMCS_GUEST_CR3, [BE_CR4] = VMCS_GUEST_CR4,
	[BE_EFER] = VMCS_GUEST_IA32_EFER, [BE_CS_BASE] = VMCS_GUEST_CS_BASE,
	[BE_CS_AR] = VMCS_GUEST_CS_AR, [BE_SS_AR] = VMCS_GUEST_SS_AR, [BE_DS_BASE] = VMCS_GUEST_DS_BASE,
	[BE_ES_BASE] = VMCS_GUEST_ES_BASE, [BE_SS_BASE] = VMCS_GUEST_SS_BASE,
	[BE_INTERRUPTIBILITY] = VMCS_GUEST_INTERRUPTIBILITY,
};

uint64_t be_get(struct vcpu *v, enum be_reg r)
{
	switch (r) {
	case BE_INSTR_LEN:
		return exit_instr_len(v);
	case BE_TSC:
		return rdtsc() + vmcs_read(VMCS_TSC_OFFSET);
	case BE_CR0: /* what the guest sees: owned bits come from the shadow */
		return (vmcs_read(VMCS_GUEST_CR0) & ~vmcs_read(VMCS_CR0_GUEST_HOST_MASK)) |
		       (varch(v)->cr0_shadow & vmcs_read(VMCS_CR0_GUEST_HOST_MASK));
	case BE_CR4:
		return (vmcs_read(VMCS_GUEST_CR4) & ~vmcs_read(VMCS_CR4_GUEST_HOST_MASK)) |
		       (varch(v)->cr4_shadow & vmcs_read(VMCS_CR4_GUEST_HOST_MASK));
	default:
		return r < BE_REG_COUNT && be_fields[r] ? vmcs_read(be_fields[r]) : 0;
	}
}

void be_set(struct vcpu *v, enum be_reg r, uint64_t val)
{
	switch (r) {
	case BE_TSC:
		vmcs_write(VMCS_TSC_OFFSET, val - rdtsc());
		return;
	case BE_CR0:
		vmx_set_cr0(v, val);
		return;
	case BE_CR4:
		vmx_set_cr4(v, val);
		return;
	case BE_RIP:
	case BE_RSP:
	case BE_RFLAGS:
	case BE_INTERRUPTIBILITY:
	case BE_EFER:
		vmcs_write(be_fields[r], val);
		if (r == BE_EFER) {
			/* IA-32e mode guest entry control follows EFER.LMA (SDM 26.2.4). */
			uint64_t e = vmcs_read(VMCS_ENTRY_CONTROLS);
			e = (val & EFER_LMA) ? e | ENTRY_IA32E_GUEST : e & ~(uint64_t)ENTRY_IA32E_GUEST;
			vmcs_write(VMCS_ENTRY_CONTROLS, e);
		}
		return;
	default:
		panic("be_set: register %d is read-only", r);
	}
}

uint64_t be_tsc_hz(void)
{
	return tsc_hz;
}

void be_request_intr_window(struct vcpu *v)
{
	uint64_t p = vmcs_read(VMCS_PROC_CONTROLS);
	if (!(p & PROC_INTR_WINDOW))
		vmcs_write(VMCS_PROC_CONTROLS, p | PROC_INTR_WINDOW);
}

void be_host_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	struct cpuid_regs r = cpuid(leaf, sub);
	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}

void vcpu_skip_instruction(struct vcpu *v)
{
	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + exit_instr_len(v));
	uint64_t intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	if (__builtin_expect(intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS), 0))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}
