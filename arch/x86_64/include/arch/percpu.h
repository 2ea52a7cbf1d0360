/*
 * Per-CPU state, reached through GS base (gs:0 holds the area's own address).
 * Designed for SMP from the start: the boot CPU uses a static area, the
 * others get theirs when the SMP code brings them up.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/layout.h"

/* 64-bit TSS (SDM Vol. 3A 8.7, Figure 8-11). */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3
#define GDT_ENTRIES 5 /* null, code, data, TSS (two slots) */

struct percpu {
	struct percpu *self; /* must stay first: gs:0 */
	uint32_t cpu_id;     /* dense index, 0 = boot CPU */
	uint32_t apic_id;
	uint64_t kstack_top;
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
	volatile uint64_t timer_ticks;
	bool online;
	int in_panic;
	void *vmx; /* the VT-x backend's per-CPU state (arch/x86_64/vmx) */
	uint8_t ist_stacks[3][ISTACK_SIZE] __attribute__((aligned(16)));
};

extern struct percpu *percpu_ptrs[MAX_CPUS];
extern unsigned percpu_count;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* Fill GDT + TSS of `p` and load them, GS base and TR on the calling CPU. */
void percpu_init(struct percpu *p, uint32_t cpu_id, uint32_t apic_id, uint64_t kstack_top);
struct percpu *percpu_boot(void);

#endif
