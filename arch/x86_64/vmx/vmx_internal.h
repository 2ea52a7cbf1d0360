/* Shared by the VT-x backend's files only. */
#ifndef VMX_INTERNAL_H
#define VMX_INTERNAL_H
#include "arch/x86_64/vmx/ept.h"
#include "arch/x86_64/vmx/exit_reasons.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/vmx/vmx.h"
#include "vmm/backend.h"

struct vcpu_arch {
	void *vmcs;
	uint64_t vmcs_phys;
	bool launched;
	uint16_t vpid;
	int cpu; /* physical CPU whose VMCS cache holds it, -1 if none */
	int last_cpu; /* physical CPU it last ran on (its VPID's translations live there) */
	uint64_t cr0_shadow, cr4_shadow; /* what the guest believes */
	uint64_t cr8;
	/* MSRs the VMCS does not switch; the host does not use them, so they
	 * stay loaded while the vCPU's slice runs (vmx_vcpu_load / _put). */
	uint64_t star, lstar, cstar, fmask, kernel_gs_base, tsc_aux;
	uint64_t xcr0;
	void *fpu; /* XSAVE area (4 KiB, 64-byte aligned): FPU/SSE/AVX state while not loaded */
	/* The exit being handled. */
	uint32_t exit_reason;
	bool have_qual, have_len; /* read from the VMCS on first use */
	uint64_t exit_qual;
	uint32_t exit_instr_len;
};

struct vm_arch {
	struct ept ept;
	uint64_t eptp;
	uint8_t *io_bitmap;  /* 2 pages: bit set = exit */
	uint8_t *msr_bitmap; /* 1 page */
	uint64_t ept_cpus;   /* CPUs that may cache its EPT translations (ept_sync.c) */
	uint64_t ept_flushes, ept_remote_flushes;
};

/* EPT and TLB coherence (ept_sync.c has the rule). */
void vmx_invept_local(uint64_t eptp);
void vmx_vpid_flush(uint16_t vpid);
void vmx_ept_note_cpu(struct vm_arch *a);
/* Invalidate the VM's EPT translations on every CPU that may cache them;
 * returns how many other CPUs did. Under the VM lock. */
unsigned vmx_ept_flush(struct vm *vm);

static inline struct vcpu_arch *varch(struct vcpu *v) { return v->arch; }
static inline struct vm_arch *vmarch(struct vm *vm) { return vm->ept; }

/* Exit information, read only by the handlers that need it. */
static inline uint64_t exit_qual(struct vcpu *v)
{
	struct vcpu_arch *a = v->arch;
	if (!a->have_qual) {
		a->exit_qual = vmcs_read(VMCS_EXIT_QUALIFICATION);
		a->have_qual = true;
	}
	return a->exit_qual;
}

static inline uint32_t exit_instr_len(struct vcpu *v)
{
	struct vcpu_arch *a = v->arch;
	if (!a->have_len) {
		a->exit_instr_len = (uint32_t)vmcs_read(VMCS_EXIT_INSTR_LEN);
		a->have_len = true;
	}
	return a->exit_instr_len;
}

/* Exit handlers: one per basic exit reason, in a const table (exit.c). */
typedef enum vmm_action (*exit_handler_fn)(struct vcpu *v);
enum vmm_action vmx_exit_unexpected(struct vcpu *v);
enum vmm_action vmx_handle_exit(struct vcpu *v);
void vmx_dump_stop(struct vcpu *v, const char *why);

/* exit_*.c */
enum vmm_action exit_cpuid(struct vcpu *v);
enum vmm_action exit_hlt(struct vcpu *v);
enum vmm_action exit_mwait(struct vcpu *v);
enum vmm_action exit_monitor(struct vcpu *v);
enum vmm_action exit_vmcall(struct vcpu *v);
enum vmm_action exit_triple_fault(struct vcpu *v);
enum vmm_action exit_external_interrupt(struct vcpu *v);
enum vmm_action exit_preemption_timer(struct vcpu *v);
enum vmm_action exit_interrupt_window(struct vcpu *v);
enum vmm_action exit_exception(struct vcpu *v);
enum vmm_action exit_vmx_instruction(struct vcpu *v);
enum vmm_action exit_ud(struct vcpu *v);
enum vmm_action exit_skip(struct vcpu *v);
enum vmm_action exit_xsetbv(struct vcpu *v);
enum vmm_action exit_rdpmc(struct vcpu *v);
enum vmm_action exit_cr_access(struct vcpu *v);
enum vmm_action exit_dr_access(struct vcpu *v);
enum vmm_action exit_io(struct vcpu *v);
enum vmm_action exit_rdmsr(struct vcpu *v);
enum vmm_action exit_wrmsr(struct vcpu *v);
enum vmm_action exit_ept_violation(struct vcpu *v);
enum vmm_action exit_ept_misconfig(struct vcpu *v);
enum vmm_action exit_entry_failure(struct vcpu *v);
enum vmm_action exit_init_sipi(struct vcpu *v);

/* CR0/CR4 as the guest writes them (exit_cr.c): validate, shadow, apply. */
enum vmm_action vmx_set_cr0(struct vcpu *v, uint64_t val);
enum vmm_action vmx_set_cr4(struct vcpu *v, uint64_t val);
#endif
