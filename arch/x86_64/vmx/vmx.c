/*
 * VMX capabilities and VMXON (SDM Vol. 3C 24.7, 24.8, Appendix A).
 * Every control is computed from the capability MSRs, (wanted | allowed0) &
 * allowed1, and a required bit that does not survive is an error that names
 * it: Ditto never enters a guest with controls it did not choose.
 */
#include <errno.h>
#include "arch/paging.h"
#include "arch/panic.h"
#include "arch/percpu.h"
#include "arch/regs.h"
#include "arch/x86.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/vmx/vmx.h"
#include "lib/console.h"
#include "mm/kmem.h"

struct vmx_caps vmx_caps;
static bool caps_read;

bool vmx_available(void)
{
	return cpuid(1, 0).ecx & (1u << 5);
}

static struct vmx_ctl_caps ctl_caps(uint32_t msr)
{
	uint64_t v = rdmsr(msr);
	return (struct vmx_ctl_caps){ (uint32_t)v, (uint32_t)(v >> 32) };
}

/* Returns the control value; -EINVAL if a required bit is not allowed. */
static int compute(const char *what, struct vmx_ctl_caps c, uint32_t required, uint32_t optional,
		   uint32_t *out)
{
	uint32_t v = ((required | optional) | c.allowed0) & c.allowed1;
	if ((v & required) != required) {
		kprintf("vmx: %s control bits 0x%x required but not allowed by this CPU (allowed-1 0x%x)\n",
			what, required & ~v, c.allowed1);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int read_caps(void)
{
	struct vmx_caps *c = &vmx_caps;
	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	c->revision = (uint32_t)c->basic & 0x7fffffff;
	bool true_ctls = c->basic & (1ull << 55);
	c->pin = ctl_caps(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	c->proc = ctl_caps(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	c->exit = ctl_caps(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	c->entry = ctl_caps(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
	if (!(c->proc.allowed1 & PROC_SECONDARY)) {
		kprintf("vmx: no secondary processor-based controls (no EPT)\n");
		return -ENODEV;
	}
	c->proc2 = ctl_caps(MSR_IA32_VMX_PROCBASED_CTLS2);
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->preempt_shift = (unsigned)(c->misc & 0x1f);
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	c->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	/* EPT: 4-level walks (bit 6) and WB paging structures (bit 14) needed. */
	if (!(c->ept_vpid & (1ull << 6)) || !(c->ept_vpid & (1ull << 14))) {
		kprintf("vmx: EPT lacks 4-level walks or write-back tables (cap 0x%llx)\n",
			(unsigned long long)c->ept_vpid);
		return -ENODEV;
	}
	c->ept_2m = c->ept_vpid & (1ull << 16);
	c->ept_1g = c->ept_vpid & (1ull << 17);
	c->ept_ad = c->ept_vpid & (1ull << 21);

	int r = 0;
	r |= compute("pin-based", c->pin, PIN_EXT_INTR_EXIT | PIN_NMI_EXIT | PIN_VIRTUAL_NMI,
		     PIN_PREEMPT_TIMER, &c->pin_ctl);
	/* CR3 exits are not needed with EPT + unrestricted guest; CR8 must exit
	 * (no TPR shadow yet) or the guest would write the real TPR. */
	r |= compute("processor-based", c->proc,
		     PROC_HLT_EXIT | PROC_TSC_OFFSET | PROC_IO_BITMAPS | PROC_MSR_BITMAPS |
			     PROC_SECONDARY | PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT |
			     PROC_MWAIT_EXIT | PROC_MONITOR_EXIT | PROC_RDPMC_EXIT,
		     0, &c->proc_ctl);
	c->proc_ctl &= ~(PROC_CR3_LOAD_EXIT | PROC_CR3_STORE_EXIT) | c->proc.allowed0;
	r |= compute("secondary", c->proc2, PROC2_EPT | PROC2_UNRESTRICTED,
		     PROC2_VPID | PROC2_RDTSCP | PROC2_INVPCID, &c->proc2_ctl);
	r |= compute("VM-exit", c->exit, EXIT_HOST_LONG_MODE | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
		     EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_DEBUG | EXIT_SAVE_PREEMPT, &c->exit_ctl);
	c->exit_ctl &= ~EXIT_ACK_INTR | c->exit.allowed0; /* the host takes interrupts through its IDT */
	r |= compute("VM-entry", c->entry, ENTRY_LOAD_EFER, ENTRY_LOAD_PAT | ENTRY_LOAD_DEBUG,
		     &c->entry_ctl);
	c->entry_ctl &= ~ENTRY_IA32E_GUEST | c->entry.allowed0; /* set per vCPU */
	if (r)
		return -EINVAL;
	c->vpid = c->proc2_ctl & PROC2_VPID;
	kprintf("vmx: revision 0x%x, EPT%s%s%s, VPID %s, unrestricted guest, preemption timer %s (TSC/2^%u)\n",
		c->revision, c->ept_2m ? " 2M" : "", c->ept_1g ? " 1G" : "", c->ept_ad ? " A/D" : "",
		c->vpid ? "yes" : "no", c->pin_ctl & PIN_PREEMPT_TIMER ? "yes" : "no", c->preempt_shift);
	return 0;
}

int vmx_cpu_enable(void)
{
	if (!vmx_available()) {
		kprintf("vmx: this CPU has no VT-x (CPUID.1:ECX.VMX = 0)\n");
		return -ENODEV;
	}
	if (!caps_read) {
		int r = read_caps();
		if (r)
			return r;
		caps_read = true;
	}
	/* IA32_FEATURE_CONTROL (SDM 24.7): lock bit 0, VMXON outside SMX bit 2.
	 * Locked without bit 2 means the firmware forbids VMX. Never write a locked MSR. */
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & 1))
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc | 1 | 4);
	else if (!(fc & 4)) {
		kprintf("vmx: disabled by firmware (IA32_FEATURE_CONTROL = 0x%llx)\n", (unsigned long long)fc);
		return -EPERM;
	}
	struct percpu *pc = this_cpu();
	struct vmx_cpu *vc = pc->vmx;
	if (!vc) {
		vc = env_zalloc(sizeof(*vc));
		uint64_t pa = kmem_frames_alloc(1, 1);
		if (!vc || pa == FRAMES_NONE)
			return -ENOMEM;
		vc->vmxon_phys = pa;
		vc->vmxon_region = phys_to_virt(pa);
		memset(vc->vmxon_region, 0, PAGE_SIZE);
		*(uint32_t *)vc->vmxon_region = vmx_caps.revision;
		pc->vmx = vc;
	}
	/* CR0/CR4 must satisfy the fixed bits in VMX operation (SDM 24.8). */
	uint64_t cr0 = read_cr0(), cr4 = read_cr4() | CR4_VMXE;
	if ((cr0 & vmx_caps.cr0_fixed0) != vmx_caps.cr0_fixed0 || (cr0 & ~vmx_caps.cr0_fixed1) ||
	    (cr4 & vmx_caps.cr4_fixed0) != vmx_caps.cr4_fixed0 || (cr4 & ~vmx_caps.cr4_fixed1)) {
		kprintf("vmx: CR0 0x%llx / CR4 0x%llx do not meet the VMX fixed bits\n",
			(unsigned long long)cr0, (unsigned long long)cr4);
		return -EINVAL;
	}
	write_cr4(cr4);
	bool cf, zf;
	__asm__ volatile("vmxon %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(vc->vmxon_phys) : "memory");
	if (cf || zf) {
		kprintf("vmx: VMXON failed on CPU %u\n", pc->cpu_id);
		return -EIO;
	}
	kprintf("vmx: CPU %u in VMX root operation\n", pc->cpu_id);
	return 0;
}
