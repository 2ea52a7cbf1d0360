/*
 * vCPUs on VMCSs: per-VM EPT and bitmaps, VMCS set-up (SDM Vol. 3C 25: host
 * state, controls, guest state for real-mode, 32-bit and 64-bit starts), the
 * run loop with event injection (27.6) and IDT-vectoring re-injection (28.2.4).
 */
#include <errno.h>
#include "arch/paging.h"
#include "arch/panic.h"
#include "arch/percpu.h"
#include "arch/smp.h"
#include "arch/regs.h"
#include "arch/x86.h"
#include "arch/x86_64/vmx/vmx_internal.h"
#include "lib/console.h"
#include "lib/time.h"
#include "mm/kmem.h"
#include "vmm/platform.h"
#include "vmm/vmm.h"

extern int vmx_run(struct vcpu_regs *regs, int launched);
extern char vmx_exit[];
static uint16_t next_vpid = 1;

static void *page_zalloc(size_t n, uint64_t *phys, int fill)
{
	uint64_t pa = kmem_frames_alloc(n, 1);
	if (pa == FRAMES_NONE)
		return NULL;
	void *p = phys_to_virt(pa);
	memset(p, fill, n * PAGE_SIZE);
	if (phys)
		*phys = pa;
	return p;
}

/* MSRs the guest reads and writes directly (no exit). Those in the VMCS guest
 * state switch on entry/exit; STAR..TSC_AUX switch in vcpu_load/put. */
static const uint32_t msr_passthrough[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_IA32_FS_BASE, MSR_IA32_GS_BASE, MSR_IA32_KERNEL_GS_BASE,
	MSR_IA32_STAR, MSR_IA32_LSTAR, MSR_IA32_CSTAR, MSR_IA32_FMASK, MSR_IA32_TSC_AUX,
	MSR_IA32_PAT,
};

static void msr_bitmap_allow(uint8_t *bm, uint32_t msr)
{
	/* SDM 25.6.9: read-low 0..1023, read-high 1024.., write-low 2048.., write-high 3072.. */
	unsigned base = msr >= 0xc0000000 ? 1024 : 0;
	uint32_t idx = msr & 0x1fff;
	bm[base + idx / 8] &= (uint8_t)~(1u << (idx % 8));
	bm[2048 + base + idx / 8] &= (uint8_t)~(1u << (idx % 8));
}

int vmx_vm_init(struct vm *vm)
{
	struct vm_arch *a = env_zalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	vm->ept = a;
	if (ept_init(&a->ept))
		return -ENOMEM;
	for (size_t i = 0; i < vm->nchunks; i++)
		if (ept_map(&a->ept, i * VM_CHUNK, vm->chunks[i], VM_CHUNK, EPT_RWX | EPT_MT(EPT_MT_WB),
			    vmx_caps.ept_2m))
			return -ENOMEM;
	a->eptp = ept_pointer(&a->ept, false);
	/* Every port traps: a guest must never reach Bochs' or the board's real
	 * devices (bochs.md: a stray port write can kill the emulator). */
	a->io_bitmap = page_zalloc(2, NULL, 0xff);
	a->msr_bitmap = page_zalloc(1, NULL, 0xff);
	if (!a->io_bitmap || !a->msr_bitmap)
		return -ENOMEM;
	for (size_t i = 0; i < ENV_ARRAY_SIZE(msr_passthrough); i++)
		msr_bitmap_allow(a->msr_bitmap, msr_passthrough[i]);
	vm->tsc_offset = (uint64_t)0 - rdtsc(); /* guest TSC starts near 0 */
	return 0;
}

void vmx_vm_destroy(struct vm *vm)
{
	struct vm_arch *a = vmarch(vm);
	if (!a)
		return;
	ept_destroy(&a->ept);
	if (a->io_bitmap)
		kmem_frames_free(virt_to_phys(a->io_bitmap), 2);
	if (a->msr_bitmap)
		kmem_frames_free(virt_to_phys(a->msr_bitmap), 1);
	env_free(a);
	vm->ept = NULL;
}

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* Host state that depends on the physical CPU (SDM 25.5). */
static void write_host_cpu_state(void)
{
	struct percpu *pc = this_cpu();
	struct desc_ptr gdtr, idtr;
	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_GS_BASE, (uint64_t)pc);
	vmcs_write(VMCS_HOST_TR_BASE, (uint64_t)&pc->tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
}

static void write_host_state(void)
{
	vmcs_write(VMCS_HOST_CS_SEL, SEL_KCODE);
	vmcs_write(VMCS_HOST_SS_SEL, SEL_KDATA);
	vmcs_write(VMCS_HOST_DS_SEL, SEL_KDATA);
	vmcs_write(VMCS_HOST_ES_SEL, SEL_KDATA);
	vmcs_write(VMCS_HOST_FS_SEL, 0);
	vmcs_write(VMCS_HOST_GS_SEL, 0);
	vmcs_write(VMCS_HOST_TR_SEL, SEL_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, 0);
	vmcs_write(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	if (vmx_caps.exit_ctl & EXIT_LOAD_PAT)
		vmcs_write(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_RIP, (uint64_t)vmx_exit);
	write_host_cpu_state();
}

struct seg {
	uint16_t sel;
	uint64_t base;
	uint32_t limit, ar;
};

static void write_seg(uint32_t sel_f, const struct seg *s)
{
	/* Field groups are laid out by the SDM so that ES..GS/LDTR/TR have
	 * selector, limit, AR and base encodings at the same index. */
	unsigned i = (sel_f - VMCS_GUEST_ES_SEL) / 2;
	vmcs_write(sel_f, s->sel);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * i, s->limit);
	vmcs_write(VMCS_GUEST_ES_AR + 2 * i, s->ar);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * i, s->base);
}

static void write_guest_state(struct vcpu *v, const struct vcpu_boot *b)
{
	struct vcpu_arch *a = varch(v);
	struct seg code, data, tr = { 0, 0, 0xffff, 0x8b }, ldtr = { 0, 0, 0xffff, 0x82 };
	uint64_t cr0, cr4 = 0, efer = 0;
	uint32_t entry = vmx_caps.entry_ctl;

	switch (b->mode) {
	case BOOT_REAL16:
		cr0 = CR0_ET;
		code = (struct seg){ b->cs_selector, (uint64_t)b->cs_selector << 4, 0xffff, 0x9b };
		data = (struct seg){ 0, 0, 0xffff, 0x93 };
		break;
	case BOOT_PROT32:
		cr0 = CR0_PE | CR0_ET;
		code = (struct seg){ 0x08, 0, 0xffffffff, 0xc09b };
		data = (struct seg){ 0x10, 0, 0xffffffff, 0xc093 };
		tr.limit = 0x67;
		break;
	default: /* BOOT_LONG64 */
		cr0 = CR0_PE | CR0_ET | CR0_PG | CR0_WP;
		cr4 = CR4_PAE;
		efer = EFER_LME | EFER_LMA;
		entry |= ENTRY_IA32E_GUEST;
		code = (struct seg){ 0x10, 0, 0xffffffff, 0xa09b };
		data = (struct seg){ 0x18, 0, 0xffffffff, 0xc093 };
		tr.limit = 0x67;
		break;
	}
	a->cr0_shadow = cr0;
	a->cr4_shadow = cr4;
	/* Bits VMX forces (CR0.NE, CR4.VMXE) are owned by Ditto and shadowed;
	 * with unrestricted guest, PE and PG are the guest's (SDM 25.8 / A.7). */
	uint64_t cr0_fixed = vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG);
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, cr0_fixed | ~vmx_caps.cr0_fixed1 | CR0_CD | CR0_NW);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1 | CR4_VMXE | CR4_SMXE);
	vmcs_write(VMCS_CR0_READ_SHADOW, cr0);
	vmcs_write(VMCS_CR4_READ_SHADOW, cr4);
	vmcs_write(VMCS_GUEST_CR0, cr0 | cr0_fixed);
	vmcs_write(VMCS_GUEST_CR4, cr4 | vmx_caps.cr4_fixed0);
	vmcs_write(VMCS_GUEST_CR3, b->cr3);
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	vmcs_write(VMCS_ENTRY_CONTROLS, entry);

	write_seg(VMCS_GUEST_CS_SEL, &code);
	write_seg(VMCS_GUEST_SS_SEL, &data);
	write_seg(VMCS_GUEST_DS_SEL, &data);
	write_seg(VMCS_GUEST_ES_SEL, &data);
	write_seg(VMCS_GUEST_FS_SEL, &data);
	write_seg(VMCS_GUEST_GS_SEL, &data);
	write_seg(VMCS_GUEST_TR_SEL, &tr);
	write_seg(VMCS_GUEST_LDTR_SEL, &ldtr);
	vmcs_write(VMCS_GUEST_GDTR_BASE, b->gdt_base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, b->gdt_limit ? b->gdt_limit : 0xffff);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0xffff);

	vmcs_write(VMCS_GUEST_RIP, b->rip);
	vmcs_write(VMCS_GUEST_RSP, b->rsp);
	vmcs_write(VMCS_GUEST_RFLAGS, b->rflags | RFLAGS_FIXED);
	vmcs_write(VMCS_GUEST_DR7, 0x400);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, 0);
	if (vmx_caps.entry_ctl & ENTRY_LOAD_PAT)
		vmcs_write(VMCS_GUEST_IA32_PAT, 0x0007040600070406ull); /* power-on PAT */
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_VMCS_LINK_POINTER, ~0ull);
	vmcs_write(VMCS_GUEST_ACTIVITY, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	for (int i = 0; i < 16; i++)
		v->regs.gpr[i] = b->gpr[i];
	a->xcr0 = 1; /* x87 only, the power-on value */
}

int vmx_vcpu_init(struct vcpu *v, const struct vcpu_boot *b)
{
	struct vm_arch *ma = vmarch(v->vm);
	struct vcpu_arch *a = env_zalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	v->arch = a;
	a->cpu = -1;
	a->last_cpu = -1;
	a->vmcs = page_zalloc(1, &a->vmcs_phys, 0);
	a->fpu = page_zalloc(1, NULL, 0);
	if (!a->vmcs || !a->fpu)
		return -ENOMEM;
	/* The power-on FPU state: every XSTATE_BV bit 0 (init), MXCSR 0x1f80,
	 * x87 control word 0x37f (SDM Vol. 3A 9.1.1). */
	*(uint16_t *)a->fpu = 0x37f;
	*(uint32_t *)((uint8_t *)a->fpu + 24) = 0x1f80;
	*(uint32_t *)a->vmcs = vmx_caps.revision;
	if (vmx_vmclear(a->vmcs_phys) || vmx_vmptrld(a->vmcs_phys))
		panic("vmx: VMCLEAR/VMPTRLD of a fresh VMCS failed");
	struct vmx_cpu *vc = this_cpu()->vmx;
	vc->loaded = v;
	a->cpu = (int)this_cpu()->cpu_id;

	vmcs_write(VMCS_PIN_CONTROLS, vmx_caps.pin_ctl);
	vmcs_write(VMCS_PROC_CONTROLS, vmx_caps.proc_ctl);
	vmcs_write(VMCS_PROC_CONTROLS2, vmx_caps.proc2_ctl);
	vmcs_write(VMCS_EXIT_CONTROLS, vmx_caps.exit_ctl);
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write(VMCS_PF_ERROR_MASK, 0);
	vmcs_write(VMCS_PF_ERROR_MATCH, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_IO_BITMAP_A, virt_to_phys(ma->io_bitmap));
	vmcs_write(VMCS_IO_BITMAP_B, virt_to_phys(ma->io_bitmap) + PAGE_SIZE);
	vmcs_write(VMCS_MSR_BITMAP, virt_to_phys(ma->msr_bitmap));
	vmcs_write(VMCS_TSC_OFFSET, v->vm->tsc_offset);
	vmcs_write(VMCS_EPT_POINTER, ma->eptp);
	if (vmx_caps.vpid) {
		a->vpid = next_vpid++;
		vmcs_write(VMCS_VPID, a->vpid);
	}
	write_host_state();
	write_guest_state(v, b);
	return 0;
}

/* Guest FPU/SSE/AVX state: saved with the guest's XCR0 in force, restored
 * after loading the next vCPU's XCR0 (SDM Vol. 1 13.7-13.8). Without XSAVE
 * (OSXSAVE clear), FXSAVE's 512 bytes. */
static bool have_xsave(void)
{
	return read_cr4() & CR4_OSXSAVE;
}

static void xsetbv0(uint64_t v)
{
	__asm__ volatile("xsetbv" ::"a"((uint32_t)v), "d"((uint32_t)(v >> 32)), "c"(0));
}

/* Every user state component the CPU has that fits the 4 KiB area: legacy
 * SSE registers work whatever XCR0 says, so the switch must cover them all,
 * not just what the guest enabled. */
static uint64_t host_xcr0(void)
{
	static uint64_t mask;
	if (!mask) {
		struct cpuid_regs d = cpuid(0xd, 0);
		mask = ((uint64_t)d.edx << 32 | d.eax) & 0xff; /* x87 .. AVX-512 */
		if (d.ecx > 4096)
			mask &= 0x7; /* x87, SSE, AVX only */
	}
	return mask;
}

static void fpu_save(struct vcpu_arch *a)
{
	if (have_xsave()) {
		xsetbv0(host_xcr0());
		__asm__ volatile("xsave64 %0" : "+m"(*(uint8_t(*)[4096])a->fpu) : "a"(~0u), "d"(~0u) : "memory");
	} else {
		__asm__ volatile("fxsave64 %0" : "+m"(*(uint8_t(*)[512])a->fpu) : : "memory");
	}
}

static void fpu_load(struct vcpu_arch *a)
{
	if (have_xsave()) {
		xsetbv0(host_xcr0());
		__asm__ volatile("xrstor64 %0" : : "m"(*(uint8_t(*)[4096])a->fpu), "a"(~0u), "d"(~0u) : "memory");
		xsetbv0(a->xcr0);
	} else {
		__asm__ volatile("fxrstor64 %0" : : "m"(*(uint8_t(*)[512])a->fpu) : "memory");
	}
}

/* SDM 25.11.1: a VMCS is active on one CPU at a time; it must be VMCLEARed
 * on the CPU that has it cached before another CPU loads it, and its next
 * entry is a VMLAUNCH again. Runs on that CPU (smp_sync_call's IPI or spin
 * loop); the VMCS is not the one being run there (the scheduler gave the
 * vCPU to the caller), or no VMCS is in use there. */
static void vmcs_clear_here(void *arg)
{
	struct vcpu *v = arg;
	struct vcpu_arch *a = varch(v);
	struct vmx_cpu *vc = this_cpu()->vmx;
	if (a->cpu != (int)this_cpu()->cpu_id)
		return;
	if (vmx_vmclear(a->vmcs_phys))
		panic("vmx: VMCLEAR of vCPU %s/%u failed", v->vm->name, v->id);
	if (vc->loaded == v)
		vc->loaded = NULL;
	a->launched = false;
	a->cpu = -1;
}

/* Make v's VMCS current on this CPU and load the state the VMCS does not
 * switch. A vCPU arriving from another CPU is VMCLEARed there first, and
 * its VPID's linear translations here are dropped (ept_sync.c, rule 4).
 * Interrupts stay off while the current VMCS changes: a VMCLEAR request
 * served from an interrupt must see vmx_cpu.loaded match the hardware. */
static void vcpu_load(struct vcpu *v)
{
	struct vcpu_arch *a = varch(v);
	unsigned me = this_cpu()->cpu_id;
	bool irq = read_rflags() & RFLAGS_IF;
	irq_disable();
	struct vmx_cpu *vc = this_cpu()->vmx;
	if (a->cpu >= 0 && a->cpu != (int)me)
		smp_sync_call((unsigned)a->cpu, vmcs_clear_here, v);
	if (vc->loaded != v) {
		if (vmx_vmptrld(a->vmcs_phys))
			panic("vmx: VMPTRLD of vCPU %s/%u failed", v->vm->name, v->id);
		vc->loaded = v;
	}
	if (a->cpu != (int)me) {
		write_host_cpu_state();
		a->cpu = (int)me;
	}
	if (a->last_cpu != (int)me) {
		if (a->last_cpu >= 0)
			vmx_vpid_flush(a->vpid);
		a->last_cpu = (int)me;
	}
	vmx_ept_note_cpu(vmarch(v->vm));
	if (irq)
		irq_enable();
	fpu_load(a);
	wrmsr(MSR_IA32_STAR, a->star);
	wrmsr(MSR_IA32_LSTAR, a->lstar);
	wrmsr(MSR_IA32_CSTAR, a->cstar);
	wrmsr(MSR_IA32_FMASK, a->fmask);
	wrmsr(MSR_IA32_KERNEL_GS_BASE, a->kernel_gs_base);
}

static void vcpu_put(struct vcpu *v)
{
	struct vcpu_arch *a = varch(v);
	fpu_save(a);
	a->star = rdmsr(MSR_IA32_STAR);
	a->lstar = rdmsr(MSR_IA32_LSTAR);
	a->cstar = rdmsr(MSR_IA32_CSTAR);
	a->fmask = rdmsr(MSR_IA32_FMASK);
	a->kernel_gs_base = rdmsr(MSR_IA32_KERNEL_GS_BASE);
}

static bool can_take_interrupt(void)
{
	return (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}

static void set_intr_window(bool on)
{
	uint64_t p = vmcs_read(VMCS_PROC_CONTROLS);
	uint64_t n = on ? p | PROC_INTR_WINDOW : p & ~(uint64_t)PROC_INTR_WINDOW;
	if (n != p)
		vmcs_write(VMCS_PROC_CONTROLS, n);
}

/* SDM 27.6.1: one event per entry; an event from IDT-vectoring information
 * goes first, so an interrupted delivery completes before anything new. */
static void inject_pending(struct vcpu *v)
{
	struct vcpu_event *e = v->reinject.valid ? &v->reinject : v->event.valid ? &v->event : NULL;
	if (!e)
		return;
	if (e->type == INTR_TYPE_EXT && e != &v->reinject && !can_take_interrupt()) {
		set_intr_window(true); /* deliver when the guest can take it */
		return;
	}
	bool pe = vmcs_read(VMCS_GUEST_CR0) & CR0_PE;
	uint32_t info = INTR_INFO_VALID | (uint32_t)e->type << 8 | e->vector;
	if (e->has_error && pe && e->type == INTR_TYPE_HW_EXC) {
		info |= INTR_INFO_ERR_VALID;
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, e->error);
	}
	if (e->type == INTR_TYPE_SW_INT || e->type == INTR_TYPE_SW_EXC || e->type == INTR_TYPE_PRIV_SW_EXC)
		vmcs_write(VMCS_ENTRY_INSTR_LEN, e->instr_len);
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
	if (e == &v->reinject)
		v->stats.reinjected++;
	else
		v->stats.injected++;
	e->valid = false;
}

/* An event whose delivery the exit interrupted must be delivered again
 * (SDM 28.2.4, 27.6.1.1). */
static void save_idt_vectoring(struct vcpu *v)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);
	v->reinject = (struct vcpu_event){
		.valid = true,
		.vector = (uint8_t)INTR_INFO_VECTOR(info),
		.type = (uint8_t)INTR_INFO_TYPE(info),
		.has_error = info & INTR_INFO_ERR_VALID,
		.error = info & INTR_INFO_ERR_VALID ? (uint32_t)vmcs_read(VMCS_IDT_VECTORING_ERROR) : 0,
		.instr_len = (uint32_t)vmcs_read(VMCS_EXIT_INSTR_LEN),
	};
}

/* The time slice: the VMX-preemption timer counts it down in the guest
 * (SDM 26.5.1); with "save preemption timer" it resumes across exits, so it
 * is written once per slice rather than once per entry. */
static void arm_slice(uint64_t end)
{
	uint64_t now = rdtsc();
	uint64_t left = end > now ? (end - now) >> vmx_caps.preempt_shift : 0;
	vmcs_write(VMCS_PREEMPTION_TIMER, left > 0xffffffffu ? 0xffffffffu : left);
}

/* A SIPI started this vCPU: real mode at vector * 4 KiB (SDM Vol. 3A 9.4.4),
 * loaded here, on the CPU that has its VMCS current. */
static void apply_sipi(struct vcpu *v)
{
	struct vcpu_boot b = { .mode = BOOT_REAL16, .cs_selector = (uint16_t)(v->sipi_vector << 8) };
	write_guest_state(v, &b);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	v->event.valid = v->reinject.valid = false;
	v->sipi_pending = false;
}

/* Exits after which another vCPU of the VM may have something pending (an
 * IPI, a device interrupt) or the board's next deadline may have moved. */
static bool reaches_board(uint32_t basic)
{
	return basic == EXIT_IO_INSTRUCTION || basic == EXIT_EPT_VIOLATION || basic == EXIT_WRMSR ||
	       basic == EXIT_RDMSR;
}

/*
 * Run v until its slice ends, it halts or stops, or the scheduler wants the
 * CPU back (vmm_should_yield). The VM lock is held from each VM exit to the
 * next VM entry, never in the guest; interrupts are off from the last look
 * at pending events to the entry, so a kick sent after that look is a
 * pending interrupt at entry and exits at once (no lost wake-up). One lock
 * round trip per exit, and no interrupt window unless a host interrupt
 * made the exit: the CPUID-class exits stay short.
 */
void vmx_vcpu_run(struct vcpu *v, uint64_t slice_ns)
{
	struct vcpu_arch *a = varch(v);
	struct vm *vm = v->vm;
	bool timer = vmx_caps.pin_ctl & PIN_PREEMPT_TIMER;
	bool timer_saved = vmx_caps.exit_ctl & EXIT_SAVE_PREEMPT;
	vcpu_load(v);
	uint64_t end = rdtsc() + slice_ns * (tsc_hz / 1000000) / 1000;
	if (timer)
		arm_slice(end);
	irq_disable();
	vm_lock(vm);
	if (v->sipi_pending)
		apply_sipi(v);
	while (v->state == VCPU_RUNNABLE && !vm->stopped) {
		v->kicked = false; /* a notify from now on sends a new kick */
		if (vm->platform)
			platform_prepare_entry(v);
		if (__builtin_expect(v->reinject.valid | v->event.valid, 0))
			inject_pending(v);
		if (timer && !timer_saved)
			arm_slice(end);
		vm_unlock(vm);
		uint64_t t0 = rdtsc();
		int failed = vmx_run(&v->regs, a->launched);
		uint64_t t1 = rdtsc();
		vm_lock(vm);
		if (__builtin_expect(failed, 0)) {
			uint64_t err = 0;
			vmcs_read_safe(VMCS_VM_INSTRUCTION_ERROR, &err);
			vmcs_dump();
			vm_stop(vm, "VM entry failed: VM-instruction error %llu (invalid control or host state)",
				(unsigned long long)err);
			break;
		}
		a->launched = true;
		v->stats.tsc_in_guest += t1 - t0;
		a->exit_reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
		if (__builtin_expect(vmcs_read(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID, 0))
			save_idt_vectoring(v);
		enum vmm_action act = vmx_handle_exit(v);
		uint32_t basic = a->exit_reason & 0xffff;
		bool board = vm->platform && reaches_board(basic);
		/* An IPI between vCPUs or a device interrupt for another vCPU:
		 * wake it or make it exit where it runs. */
		if (board && vm->nvcpus > 1)
			platform_update_vcpus(vm);
		uint64_t t2 = rdtsc();
		v->stats.tsc_in_handlers += t2 - t1;
		if (act == VMM_STOP || vm->stopped || t2 >= end)
			break;
		if (basic == EXIT_EXTERNAL_INTERRUPT) {
			/* The host interrupt that made the exit (the host timer, a
			 * kick, a cross-CPU call) is taken here, in the STI shadow's
			 * one-instruction window. The VM lock stays held: interrupt
			 * handlers take no VM lock. Other exits leave interrupts off:
			 * one arriving meanwhile makes the next entry exit at once. */
			__asm__ volatile("sti; nop; cli" ::: "memory");
			if (vmm_should_yield(v, true))
				break;
		} else if (board && vmm_should_yield(v, false)) {
			break; /* it woke a vCPU that should run here instead */
		}
		/* A device access may have armed an earlier timer (a periodic
		 * interrupt re-enabled by its acknowledgement): end the slice there.
		 * Only exits that reach the board can move its deadlines. */
		if (board) {
			uint64_t ne = platform_next_event_ns(vm), now = time_ns();
			uint64_t ne_tsc = ne <= now ? t2 : t2 + (ne - now) * (tsc_hz / 1000000) / 1000;
			if (ne != ~0ull && ne_tsc < end) {
				end = ne_tsc;
				if (timer)
					arm_slice(end);
				if (end <= t2)
					break;
			}
		}
	}
	vm_unlock(vm);
	irq_enable();
	vcpu_put(v);
}

int be_vcpu_cpu(struct vcpu *v)
{
	return v->arch ? varch(v)->cpu : -1;
}

/* vmm/backend.h lifecycle, implemented by VT-x. */
int be_vm_init(struct vm *vm) { return vmx_vm_init(vm); }
void be_vm_destroy(struct vm *vm) { vmx_vm_destroy(vm); }
int be_vcpu_init(struct vcpu *v, const struct vcpu_boot *b) { return vmx_vcpu_init(v, b); }
void be_vcpu_run(struct vcpu *v, uint64_t slice_ns) { vmx_vcpu_run(v, slice_ns); }
bool be_has_slice_timer(void) { return vmx_caps.pin_ctl & PIN_PREEMPT_TIMER; }
