/* The VT-x backend: capabilities, per-CPU VMX operation, vCPUs on VMCSs. */
#ifndef VMX_VMX_H
#define VMX_VMX_H
#include <stdbool.h>
#include <stdint.h>
#include "vmm/vm.h"

struct vmx_ctl_caps {
	uint32_t allowed0, allowed1; /* bits that must be 1 / may be 1 */
};

struct vmx_caps {
	uint64_t basic;
	uint32_t revision;
	struct vmx_ctl_caps pin, proc, proc2, exit, entry;
	uint64_t misc, ept_vpid;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	unsigned preempt_shift; /* preemption timer ticks every 2^shift TSC ticks */
	/* What Ditto computed and uses for every VMCS. */
	uint32_t pin_ctl, proc_ctl, proc2_ctl, exit_ctl, entry_ctl;
	bool ept_ad, vpid, ept_2m, ept_1g;
};
extern struct vmx_caps vmx_caps;

/* Per physical CPU. */
struct vmx_cpu {
	void *vmxon_region;
	uint64_t vmxon_phys;
	struct vcpu *loaded; /* vCPU whose VMCS is current on this CPU */
};

/* Reads the capability MSRs (first call) and enters VMX operation on the
 * calling CPU. Returns 0 or -errno with the reason printed. */
int vmx_cpu_enable(void);
bool vmx_available(void);

int vmx_vm_init(struct vm *vm);
void vmx_vm_destroy(struct vm *vm);
int vmx_vcpu_init(struct vcpu *v, const struct vcpu_boot *boot);
/* Enter the guest and handle exits until the vCPU halts, stops, or the
 * time slice `slice_ns` ends. */
void vmx_vcpu_run(struct vcpu *v, uint64_t slice_ns);
/* Dump the state of a vCPU (its VMCS must be loaded): for stop messages. */
void vmx_vcpu_dump(struct vcpu *v);
#endif
