/*
 * Bringing up the application processors (SDM Vol. 3A 9.4.4.1, "typical
 * BSP initialization sequence"): INIT IPI, 10 ms, STARTUP IPI, 200 us,
 * STARTUP IPI; each AP runs the trampoline (ap_boot.S) into ap_entry(),
 * sets up its per-CPU area, GDT/TSS, IDT, LAPIC and VMX, reports alive and
 * waits for work. Every wait is bounded: a CPU that does not answer within
 * 100 ms is reported and left out.
 */
#include "arch/paging.h"
#include "arch/panic.h"
#include "arch/percpu.h"
#include "arch/regs.h"
#include "arch/smp.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "arch/x86_64/vmx/vmx.h"
#include "drivers/acpi.h"
#include "drivers/lapic.h"
#include "lib/console.h"
#include "lib/time.h"
#include "mm/kmem.h"
#include "boot/boot.h"

extern const uint8_t ap_tramp_start[], ap_tramp_end[], ap_tramp_params[];

struct tramp_params {
	uint64_t cr3, stack, entry, arg;
};

struct ap_boot {
	struct percpu *pc;
	uint32_t cpu_id, apic_id;
	uint64_t kstack_top;
	volatile int alive;
};

struct cpu_work {
	void (*fn)(void *);
	void *arg;
	volatile int state; /* 0 idle, 1 queued, 2 running */
};

static struct ap_boot boots[MAX_CPUS];
static struct cpu_work work[MAX_CPUS];
static unsigned online = 1;
static uint32_t boot_cr0, boot_cr4;

#define TRAMP_PAGE 0x70000ull /* below 1 MiB, above GRUB's and the BIOS's low use */

/*
 * Synchronous cross-CPU calls: one slot per (target, sender) pair, so
 * senders never contend for a slot; `pending[target]` has a bit per sender
 * with a request waiting. Used for VMCLEAR of a migrating vCPU and for EPT
 * invalidation (docs/scheduler.md, "EPT and TLB coherence").
 */
struct sync_req {
	void (*fn)(void *);
	void *arg;
	volatile int done;
};
static struct sync_req sync_reqs[MAX_CPUS][MAX_CPUS];
static uint64_t sync_pending[MAX_CPUS];

static uint32_t apic_of(unsigned cpu)
{
	return cpu == 0 ? percpu_ptrs[0]->apic_id : boots[cpu].apic_id;
}

unsigned smp_this_cpu(void)
{
	return this_cpu()->cpu_id;
}

void smp_service(void)
{
	unsigned me = this_cpu()->cpu_id;
	uint64_t m;
	while ((m = __atomic_exchange_n(&sync_pending[me], 0, __ATOMIC_ACQUIRE))) {
		while (m) {
			unsigned from = (unsigned)__builtin_ctzll(m);
			m &= m - 1;
			struct sync_req *r = &sync_reqs[me][from];
			r->fn(r->arg);
			__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
		}
	}
}

void smp_sync_call(unsigned cpu, void (*fn)(void *), void *arg)
{
	unsigned me = this_cpu()->cpu_id;
	if (cpu == me) {
		fn(arg);
		return;
	}
	if (cpu >= online)
		panic("smp: call to CPU %u, but only %u are online", cpu, online);
	struct sync_req *r = &sync_reqs[cpu][me];
	r->fn = fn;
	r->arg = arg;
	r->done = 0;
	__atomic_or_fetch(&sync_pending[cpu], 1ull << me, __ATOMIC_RELEASE);
	lapic_send_ipi(apic_of(cpu), VEC_IPI_CALL);
	uint64_t end = time_ns() + 2000000000ull;
	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
		smp_service();
		cpu_relax();
		if (time_ns() > end)
			panic("smp: CPU %u did not run a call from CPU %u within 2 s", cpu, me);
	}
}

void smp_kick(unsigned cpu)
{
	if (cpu < online && cpu != this_cpu()->cpu_id)
		lapic_send_ipi(apic_of(cpu), VEC_IPI_RESCHED);
}

/* The kick only has to interrupt: a VM exit (external-interrupt exiting) or
 * the end of HLT; the run loop does the rest. */
static void ipi_kick(struct trap_frame *f)
{
	(void)f;
	lapic_eoi();
}

static void ipi_call(struct trap_frame *f)
{
	(void)f;
	lapic_eoi();
	smp_service();
}

static _Noreturn void ap_loop(void)
{
	unsigned id = this_cpu()->cpu_id;
	for (;;) {
		if (work[id].state == 1) {
			work[id].state = 2;
			work[id].fn(work[id].arg);
			__atomic_store_n(&work[id].state, 0, __ATOMIC_RELEASE);
		}
		cpu_idle();
	}
}

void ap_entry(struct ap_boot *b);
void ap_entry(struct ap_boot *b)
{
	write_cr3(paging_kernel_cr3);
	write_cr4(boot_cr4 & ~(uint64_t)CR4_VMXE);
	write_cr0(boot_cr0);
	percpu_init(b->pc, b->cpu_id, b->apic_id, b->kstack_top);
	idt_load();
	lapic_enable_this_cpu();
	b->apic_id = lapic_id();
	int vmx = vmx_cpu_enable();
	lapic_timer_periodic(BOOT_TICK_HZ); /* the BSP's tick handler counts per CPU */
	__atomic_store_n(&b->alive, vmx ? -1 : 1, __ATOMIC_RELEASE);
	irq_enable();
	ap_loop();
}

/* Temporary PML4 for the trampoline: the kernel's upper half and an
 * identity map of the low 2 MiB (where the trampoline runs). */
static uint64_t tramp_pml4(void)
{
	uint64_t pml4 = kmem_frames_alloc(1, 1), pdpt = kmem_frames_alloc(1, 1), pd = kmem_frames_alloc(1, 1);
	if (pml4 == FRAMES_NONE || pdpt == FRAMES_NONE || pd == FRAMES_NONE || pml4 >= (4ull << 30))
		return 0;
	uint64_t *p4 = phys_to_virt(pml4), *p3 = phys_to_virt(pdpt), *p2 = phys_to_virt(pd);
	memcpy(p4, phys_to_virt(paging_kernel_cr3 & PTE_ADDR_MASK), PAGE_SIZE);
	memset(p3, 0, PAGE_SIZE);
	memset(p2, 0, PAGE_SIZE);
	p2[0] = PTE_P | PTE_W | PTE_PS;
	p3[0] = pd | PTE_P | PTE_W;
	p4[0] = pdpt | PTE_P | PTE_W;
	return pml4;
}

static bool wait_alive(volatile int *flag, uint64_t ns)
{
	uint64_t end = time_ns() + ns;
	while (time_ns() < end) {
		if (__atomic_load_n(flag, __ATOMIC_ACQUIRE))
			return true;
		cpu_relax();
	}
	return false;
}

static void wait_ns(uint64_t ns)
{
	uint64_t end = time_ns() + ns;
	while (time_ns() < end)
		cpu_relax();
}

unsigned smp_boot(void)
{
	irq_register(VEC_IPI_CALL, ipi_call);
	irq_register(VEC_IPI_RESCHED, ipi_kick);
	boot_cr0 = (uint32_t)read_cr0();
	boot_cr4 = (uint32_t)read_cr4();
	uint64_t cr3 = tramp_pml4();
	if (!cr3) {
		kprintf("smp: no memory below 4 GiB for the trampoline: one CPU\n");
		return online;
	}
	size_t tsize = (size_t)(ap_tramp_end - ap_tramp_start);
	uint32_t bsp = lapic_id();
	for (size_t i = 0; i < acpi.n_cpus && online < MAX_CPUS; i++) {
		uint32_t apic = acpi.cpus[i].apic_id;
		if (apic == bsp || !acpi.cpus[i].enabled)
			continue;
		unsigned id = online;
		struct ap_boot *b = &boots[id];
		uint64_t pcpa = kmem_frames_alloc((sizeof(struct percpu) + PAGE_SIZE - 1) / PAGE_SIZE, 1);
		uint64_t stack = kmem_frames_alloc(KSTACK_SIZE / PAGE_SIZE, 1);
		if (pcpa == FRAMES_NONE || stack == FRAMES_NONE) {
			kprintf("smp: no memory for CPU %u (APIC id %u): left out\n", id, apic);
			continue;
		}
		b->pc = phys_to_virt(pcpa);
		memset(b->pc, 0, sizeof(struct percpu));
		b->cpu_id = id;
		b->apic_id = apic;
		b->kstack_top = (uint64_t)phys_to_virt(stack) + KSTACK_SIZE;
		b->alive = 0;
		/* A fresh copy per AP: the trampoline patches itself. */
		uint8_t *t = phys_to_virt(TRAMP_PAGE);
		memcpy(t, ap_tramp_start, tsize);
		struct tramp_params *p = (struct tramp_params *)(t + (ap_tramp_params - ap_tramp_start));
		p->cr3 = cr3;
		p->stack = b->kstack_top;
		p->entry = (uint64_t)ap_entry;
		p->arg = (uint64_t)b;
		/* INIT, 10 ms, STARTUP, 200 us, STARTUP (SDM 9.4.4.1). */
		lapic_send_ipi(apic, 0x4500);
		wait_ns(10000000);
		for (int s = 0; s < 2 && !b->alive; s++) {
			lapic_send_ipi(apic, 0x4600 | (uint32_t)(TRAMP_PAGE >> 12));
			wait_ns(200000);
		}
		if (!wait_alive(&b->alive, 100000000)) {
			kprintf("smp: CPU with APIC id %u did not answer INIT-SIPI-SIPI: left out\n", apic);
			continue;
		}
		if (b->alive < 0) {
			kprintf("smp: CPU %u (APIC id %u) is up but VT-x failed on it: left out\n", id, apic);
			continue;
		}
		online++;
	}
	kprintf("smp: %u CPU%s online\n", online, online == 1 ? "" : "s");
	return online;
}

unsigned smp_online(void)
{
	return online;
}

int smp_call(unsigned cpu, void (*fn)(void *), void *arg)
{
	if (cpu == 0 || cpu >= online || work[cpu].state)
		return -1;
	work[cpu].fn = fn;
	work[cpu].arg = arg;
	__atomic_store_n(&work[cpu].state, 1, __ATOMIC_RELEASE);
	lapic_send_ipi(boots[cpu].apic_id, VEC_IPI_CALL);
	return 0;
}

bool smp_call_done(unsigned cpu)
{
	return __atomic_load_n(&work[cpu].state, __ATOMIC_ACQUIRE) == 0;
}

void smp_stop_others(void)
{
	if (online > 1)
		/* All excluding self (shorthand 11b), NMI delivery (100b). */
		lapic_send_ipi(0, (3u << 18) | (4u << 8));
}

/* include/ditto/env.h: a spin-wait step serves requests to this CPU. */
void env_spin_wait(void)
{
	smp_service();
	cpu_relax();
}
