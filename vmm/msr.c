/*
 * MSR policy for RDMSR/WRMSR exits (SDM Vol. 4). MSRs the VMCS switches
 * (FS/GS base, SYSENTER, PAT) and the syscall MSRs pass through the MSR
 * bitmap and never come here. Everything else is listed below; an MSR not
 * listed raises #GP, as on a CPU that lacks it (docs/platform.md).
 */
#include <errno.h>
#include "vmm/platform.h"
#include "vmm/vmm.h"

#define MSR_TSC 0x10
#define MSR_APIC_BASE 0x1b
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_SMI_COUNT 0x34
#define MSR_BIOS_SIGN_ID 0x8b
#define MSR_MTRRCAP 0xfe
#define MSR_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_EFER 0xc0000080

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

int vmm_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (v->vm->platform) {
		int r = board_rdmsr(&v->vm->platform->board, v->id, msr, val);
		if (r != -ENOENT)
			return r ? -1 : 0;
	}
	switch (msr) {
	case MSR_TSC:
		*val = be_get(v, BE_TSC);
		return 0;
	case MSR_APIC_BASE:
		/* xAPIC at the architectural address, enabled; BSP = vCPU 0. */
		*val = 0xfee00000ull | (1ull << 11) | (v->id == 0 ? 1ull << 8 : 0);
		return 0;
	case MSR_FEATURE_CONTROL:
		*val = 1; /* locked, VMX off: no nesting */
		return 0;
	case MSR_SMI_COUNT:
	case MSR_BIOS_SIGN_ID:
	case MSR_MTRRCAP: /* no MTRRs: guest memory types come from EPT (WB) */
	case MSR_MTRR_DEF_TYPE:
		*val = 0;
		return 0;
	case MSR_MISC_ENABLE:
		/* fast strings; BTS and PEBS unavailable */
		*val = 1 | (1ull << 11) | (1ull << 12);
		return 0;
	case MSR_EFER:
		*val = be_get(v, BE_EFER);
		return 0;
	default:
		return -1;
	}
}

int vmm_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (v->vm->platform) {
		int r = board_wrmsr(&v->vm->platform->board, v->id, msr, val);
		if (r != -ENOENT)
			return r ? -1 : 0;
	}
	switch (msr) {
	case MSR_TSC:
		be_set(v, BE_TSC, val);
		return 0;
	case MSR_APIC_BASE:
		/* Moving or disabling the APIC is not supported: only the value read. */
		return val == (0xfee00000ull | (1ull << 11) | (v->id == 0 ? 1ull << 8 : 0)) ? 0 : -1;
	case MSR_BIOS_SIGN_ID: /* microcode update triggers: ignored */
		return 0;
	case MSR_MISC_ENABLE:
		return val == (1 | (1ull << 11) | (1ull << 12)) ? 0 : -1;
	case MSR_EFER: {
		uint64_t old = be_get(v, BE_EFER);
		if (val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
			return -1;
		/* LME may not change while paging is on (SDM Vol. 3A 10.8.5); LMA is read-only. */
		bool pg = be_get(v, BE_CR0) & (1u << 31);
		if (pg && ((val ^ old) & EFER_LME))
			return -1;
		be_set(v, BE_EFER, (val & ~EFER_LMA) | (old & EFER_LMA));
		return 0;
	}
	default:
		return -1;
	}
}
