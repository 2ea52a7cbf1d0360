/*
 * EPT violations and misconfigurations (SDM Vol. 3C 29.3.3, Table 28-7), and
 * the backend's map/unmap of single guest pages with INVEPT (29.4.3).
 */
#include <errno.h>
#include "arch/x86_64/vmx/vmx_internal.h"
#include "vmm/vmm.h"

#define EPTQ_READ (1u << 0)
#define EPTQ_WRITE (1u << 1)
#define EPTQ_FETCH (1u << 2)
#define EPTQ_NMI_UNBLOCK (1u << 12)

int be_unmap_gpa(struct vm *vm, uint64_t gpa)
{
	struct vm_arch *a = vmarch(vm);
	int r = ept_unmap(&a->ept, gpa, 4096);
	if (!r)
		vmx_ept_flush(vm); /* on every CPU that may cache it (ept_sync.c) */
	return r;
}

int be_map_gpa(struct vm *vm, uint64_t gpa)
{
	struct vm_arch *a = vmarch(vm);
	gpa &= ~0xfffull;
	if (gpa >= vm->mem_size)
		return -EINVAL;
	uint64_t hpa = vm->chunks[gpa / VM_CHUNK] + gpa % VM_CHUNK;
	return ept_map(&a->ept, gpa, hpa, 4096, EPT_RWX | EPT_MT(EPT_MT_WB), false);
}

int be_alias_gpa(struct vm *vm, uint64_t dst, uint64_t src)
{
	struct vm_arch *a = vmarch(vm);
	if (dst >= vm->mem_size || src >= vm->mem_size)
		return -EINVAL;
	uint64_t hpa = vm->chunks[src / VM_CHUNK] + src % VM_CHUNK;
	if (ept_map(&a->ept, dst, hpa, 4096, EPT_RWX | EPT_MT(EPT_MT_WB), false))
		return -ENOMEM;
	return (int)vmx_ept_flush(vm); /* a remap: rule 2 of ept_sync.c */
}

enum vmm_action exit_ept_violation(struct vcpu *v)
{
	uint64_t q = exit_qual(v);
	uint64_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDR);
	/* An IRET that unblocked NMIs faulted: NMIs stay blocked until it
	 * completes, so restore the blocking before re-entry (SDM 28.2.3). */
	if ((q & EPTQ_NMI_UNBLOCK) && !v->reinject.valid)
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) | INTERRUPTIBILITY_NMI);
	return vmm_ept_fault(v, gpa, q & EPTQ_WRITE, q & EPTQ_FETCH);
}

enum vmm_action exit_ept_misconfig(struct vcpu *v)
{
	/* Ditto wrote a bad EPT entry: its own bug, but only this VM depends on it. */
	vmx_dump_stop(v, "EPT misconfiguration (a Ditto bug in this VM's tables)");
	return VMM_STOP;
}
