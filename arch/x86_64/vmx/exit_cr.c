/*
 * Control-register accesses (SDM Vol. 3C Table 28-3). Only the bits Ditto
 * owns (CR0_GUEST_HOST_MASK / CR4_GUEST_HOST_MASK: the VMX fixed bits, CD/NW,
 * SMXE) and CR8 exit; CR3 never exits (EPT, unrestricted guest).
 */
#include "arch/regs.h"
#include "arch/x86_64/vmx/vmx_internal.h"

static void load_pdptes(struct vcpu *v)
{
	/* PAE paging outside long mode: with EPT the PDPTEs come from the VMCS
	 * at entry (SDM 26.3.2.4), so a CR write that enables it must load them. */
	uint64_t cr3 = vmcs_read(VMCS_GUEST_CR3) & 0xffffffe0u;
	uint64_t pdpte[4] = { 0 };
	if (vm_read(v->vm, cr3, pdpte, sizeof(pdpte)))
		memset(pdpte, 0, sizeof(pdpte));
	for (int i = 0; i < 4; i++)
		vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

static void paging_changed(struct vcpu *v)
{
	uint64_t cr0 = vmcs_read(VMCS_GUEST_CR0), cr4 = vmcs_read(VMCS_GUEST_CR4);
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	/* CR0.PG with EFER.LME activates IA-32e mode (SDM Vol. 3A 10.8.5). */
	bool lma = (cr0 & CR0_PG) && (efer & EFER_LME);
	be_set(v, BE_EFER, lma ? efer | EFER_LMA : efer & ~EFER_LMA);
	if ((cr0 & CR0_PG) && (cr4 & CR4_PAE) && !lma)
		load_pdptes(v);
}

enum vmm_action vmx_set_cr0(struct vcpu *v, uint64_t val)
{
	/* #GP: reserved high bits, PG without PE, NW without CD (SDM Vol. 3A 2.5). */
	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD)))
		return vcpu_inject_exception(v, EXC_GP, true, 0);
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	if ((val & CR0_PG) && (efer & EFER_LME) && !(vmcs_read(VMCS_GUEST_CR4) & CR4_PAE))
		return vcpu_inject_exception(v, EXC_GP, true, 0);
	uint64_t old = vmcs_read(VMCS_GUEST_CR0);
	uint64_t fixed = vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG);
	/* CD/NW are shadowed; the real CR0 keeps caching on (guest memory is WB in EPT). */
	uint64_t real = ((val | fixed) & vmx_caps.cr0_fixed1) & ~(CR0_CD | CR0_NW);
	varch(v)->cr0_shadow = val;
	vmcs_write(VMCS_CR0_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0, real);
	if ((old ^ real) & (CR0_PG | CR0_PE))
		paging_changed(v);
	return VMM_RESUME;
}

enum vmm_action vmx_set_cr4(struct vcpu *v, uint64_t val)
{
	/* Bits the CPU cannot set, and VMXE/SMXE (hidden by CPUID), are #GP. */
	if ((val & ~vmx_caps.cr4_fixed1) || (val & (CR4_VMXE | CR4_SMXE)))
		return vcpu_inject_exception(v, EXC_GP, true, 0);
	uint64_t old = vmcs_read(VMCS_GUEST_CR4);
	uint64_t real = val | vmx_caps.cr4_fixed0;
	varch(v)->cr4_shadow = val;
	vmcs_write(VMCS_CR4_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, real);
	if ((old ^ real) & (CR4_PAE | CR4_PSE))
		paging_changed(v);
	return VMM_RESUME;
}

enum vmm_action exit_cr_access(struct vcpu *v)
{
	uint64_t q = exit_qual(v);
	unsigned cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	enum vmm_action act;
	switch (type) {
	case 0: /* MOV to CR */
		if (cr == 0)
			act = vmx_set_cr0(v, vcpu_gpr(v, (enum gpr)reg));
		else if (cr == 4)
			act = vmx_set_cr4(v, vcpu_gpr(v, (enum gpr)reg));
		else if (cr == 8) {
			uint64_t tpr = vcpu_gpr(v, (enum gpr)reg);
			if (tpr >> 4)
				return vcpu_inject_exception(v, EXC_GP, true, 0);
			varch(v)->cr8 = tpr;
			act = VMM_RESUME;
		} else
			return vmx_exit_unexpected(v);
		break;
	case 1: /* MOV from CR: only CR8 can exit this way */
		if (cr != 8)
			return vmx_exit_unexpected(v);
		vcpu_set_gpr(v, (enum gpr)reg, varch(v)->cr8);
		act = VMM_RESUME;
		break;
	case 2: /* CLTS: TS is not owned by Ditto; cannot exit */
		return vmx_exit_unexpected(v);
	default: { /* LMSW: low 4 bits of CR0; cannot clear PE (SDM Vol. 2 LMSW) */
		uint64_t src = (q >> 16) & 0xf, cur = be_get(v, BE_CR0);
		uint64_t n = (cur & ~0xeull) | (src & 0xe) | (cur & 1) | (src & 1);
		act = vmx_set_cr0(v, n);
		break;
	}
	}
	if (act == VMM_RESUME)
		vcpu_skip_instruction(v);
	return act;
}
