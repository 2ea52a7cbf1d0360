/*
 * The seam between generic VM logic (vmm/) and a virtualization backend.
 * arch/x86_64/vmx/ implements it with VMREAD/VMWRITE; tests/host/fake_backend.c
 * implements it over plain structs so vmm/ is tested on the host.
 */
#ifndef VMM_BACKEND_H
#define VMM_BACKEND_H
#include "vmm/vcpu.h"

enum be_reg {
	BE_RIP, BE_RSP, BE_RFLAGS,
	BE_CR0, BE_CR3, BE_CR4, BE_EFER,
	BE_CS_BASE, BE_CS_AR, BE_SS_AR, BE_DS_BASE, BE_ES_BASE, BE_SS_BASE,
	BE_INSTR_LEN,     /* length of the instruction that exited */
	BE_INTERRUPTIBILITY,
	BE_TSC,           /* the guest's TSC (host TSC + offset); writing moves the offset */
	BE_REG_COUNT
};

uint64_t be_get(struct vcpu *v, enum be_reg r);
void be_set(struct vcpu *v, enum be_reg r, uint64_t val);
/* CPUID of the physical CPU (the base of the guest's CPUID policy). */
void be_host_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* The guest TSC's frequency (the host's: TSC offsetting only). */
uint64_t be_tsc_hz(void);
/* Exit as soon as the guest can take an interrupt (interrupt-window exiting). */
void be_request_intr_window(struct vcpu *v);
/* Remove / restore the second-level mapping of one guest page. */
int be_unmap_gpa(struct vm *vm, uint64_t gpa);
int be_map_gpa(struct vm *vm, uint64_t gpa);
/* Tests: map guest page dst to the frame of guest page src; returns the
 * number of other CPUs whose cached translations were invalidated, or
 * -errno. */
int be_alias_gpa(struct vm *vm, uint64_t dst, uint64_t src);

/* Lifecycle: second-level tables and bitmaps for a VM, a vCPU's state,
 * running it for a time slice (until it halts, stops or the slice ends). */
int be_vm_init(struct vm *vm);
void be_vm_destroy(struct vm *vm);
int be_vcpu_init(struct vcpu *v, const struct vcpu_boot *boot);
void be_vcpu_run(struct vcpu *v, uint64_t slice_ns);
/* Does be_vcpu_run end a slice by itself (VMX-preemption timer)? If not,
 * the runner's host timer has to interrupt the guest at the slice's end. */
bool be_has_slice_timer(void);
/* The physical CPU whose VMCS cache holds the vCPU, or -1. Any CPU may run
 * any vCPU: the backend moves its state (VMCLEAR there) when it migrates. */
int be_vcpu_cpu(struct vcpu *v);

/* Helpers on top of be_get/be_set. */
/* Complete the instruction that exited: RIP past it, and the interrupt
 * shadow of a preceding STI or MOV SS ends with it (SDM Vol. 3C 25.4.2). */
void vcpu_skip_instruction(struct vcpu *v);
/* Current privilege level: SS.DPL (SDM Vol. 3A 5.5). */
static inline unsigned vcpu_cpl(struct vcpu *v)
{
	return (unsigned)(be_get(v, BE_SS_AR) >> 5) & 3;
}
/* 64-bit code segment: EFER.LMA and CS.L. */
static inline bool vcpu_long_mode(struct vcpu *v)
{
	return (be_get(v, BE_EFER) & (1u << 10)) && (be_get(v, BE_CS_AR) & (1u << 13));
}
#endif
