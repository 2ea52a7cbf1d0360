/*
 * Per-CPU GDT with a real 64-bit TSS. VMX host state needs a non-zero TR and
 * its base (SDM Vol. 3C 26.2.3: host TR selector must not be 0), and the TSS
 * carries the IST stacks that make #DF, NMI and #MC safe on a broken stack.
 */
#include "arch/percpu.h"
#include "arch/regs.h"
#include "arch/x86.h"
#include "ditto/env.h"

static struct percpu boot_percpu __attribute__((aligned(4096)));
struct percpu *percpu_ptrs[MAX_CPUS];
unsigned percpu_count;

struct percpu *percpu_boot(void)
{
	return &boot_percpu;
}

/* Segment descriptors (SDM Vol. 3A 3.4.5, 8.2.3). */
#define DESC_CODE64 0x00af9a000000ffffull /* P, DPL0, code RX, L */
#define DESC_DATA 0x00cf92000000ffffull   /* P, DPL0, data RW */

static void set_tss_desc(uint64_t *slot, uint64_t base, uint32_t limit)
{
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) /* P, type 9 */
		  | ((uint64_t)((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

void percpu_init(struct percpu *p, uint32_t cpu_id, uint32_t apic_id, uint64_t kstack_top)
{
	p->self = p;
	p->cpu_id = cpu_id;
	p->apic_id = apic_id;
	p->kstack_top = kstack_top;
	p->gdt[0] = 0;
	p->gdt[SEL_KCODE / 8] = DESC_CODE64;
	p->gdt[SEL_KDATA / 8] = DESC_DATA;
	memset(&p->tss, 0, sizeof(p->tss));
	p->tss.rsp[0] = kstack_top;
	for (int i = 0; i < 3; i++)
		p->tss.ist[i] = (uint64_t)&p->ist_stacks[i][ISTACK_SIZE];
	p->tss.iomap_base = sizeof(p->tss); /* no I/O bitmap: CPL>0 I/O faults */
	set_tss_desc(&p->gdt[SEL_TSS / 8], (uint64_t)&p->tss, sizeof(p->tss) - 1);

	struct desc_ptr gdtr = { sizeof(p->gdt) - 1, (uint64_t)p->gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 :
			 : "m"(gdtr), "i"((uint64_t)SEL_KCODE), "r"(SEL_KDATA)
			 : "rax", "memory");
	/* FS/GS selectors null; GS base is the per-CPU pointer. */
	__asm__ volatile("movw %w0, %%fs; movw %w0, %%gs" ::"r"(0));
	wrmsr(MSR_IA32_GS_BASE, (uint64_t)p);
	wrmsr(MSR_IA32_KERNEL_GS_BASE, 0);
	__asm__ volatile("ltr %w0" ::"r"(SEL_TSS));
	percpu_ptrs[cpu_id] = p;
	if (cpu_id >= percpu_count)
		percpu_count = cpu_id + 1;
	p->online = true;
}
