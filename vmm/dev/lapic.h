/*
 * Local APIC of one vCPU: the xAPIC MMIO page, the x2APIC MSRs 0x800-0x8ff,
 * IA32_APIC_BASE and IA32_TSC_DEADLINE (Intel SDM Vol. 3A chapter 10, "Advanced
 * Programmable Interrupt Controller"). Interrupt messages are exchanged with
 * the board through callbacks; timers use injected guest time.
 */
#ifndef DITTO_VMM_DEV_LAPIC_H
#define DITTO_VMM_DEV_LAPIC_H

#include "vmm/dev/vdev.h"

#define LAPIC_DEFAULT_BASE 0xfee00000u
#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST 0x8ff

#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN (1ull << 11)

enum lapic_mode { LAPIC_DISABLED, LAPIC_XAPIC, LAPIC_X2APIC };

/* LVT indexes (registers 0x320-0x370). */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

struct lapic;
/* An IPI from `src` (ICR write); the board resolves shorthand/destination. */
typedef void (*lapic_ipi_fn)(void *ctx, struct lapic *src, const struct apic_msg *m);
/* EOI of a level-triggered vector: broadcast to the IOAPIC(s). */
typedef void (*lapic_eoi_fn)(void *ctx, uint8_t vector);

struct lapic {
	uint32_t apic_id;   /* initial APIC ID = x2APIC ID */
	uint64_t apic_base; /* IA32_APIC_BASE */
	unsigned phys_bits; /* MAXPHYADDR for the base's reserved bits */
	uint32_t id_reg;    /* xAPIC ID register (bits 31:24 writable) */
	uint32_t tpr, ldr, dfr, svr, esr, esr_pending, icr_lo, icr_hi;
	uint32_t lvt[LVT_COUNT];
	uint32_t irr[8], isr[8], tmr[8];
	/* timer */
	uint32_t tmict, tdcr;
	uint64_t timer_start_ns, timer_fired;
	uint64_t tsc_deadline;
	uint64_t timer_hz;   /* APIC timer input clock */
	uint64_t tsc_hz;     /* guest TSC = now * tsc_hz / 1e9 + tsc_offset */
	uint64_t tsc_offset;
	/* inputs and events for the vCPU */
	bool lint_level[2];
	bool nmi_pending, init_pending, sipi_pending, extint_msg;
	uint8_t sipi_vector;
	lapic_ipi_fn ipi;
	lapic_eoi_fn eoi;
	void *ctx;
};

void lapic_init(struct lapic *l, uint32_t apic_id, bool bsp, uint64_t timer_hz,
		uint64_t tsc_hz, lapic_ipi_fn ipi, lapic_eoi_fn eoi, void *ctx);
/* What firmware leaves on a PC (MP spec virtual-wire mode): LINT0 ExtINT and
 * LINT1 NMI unmasked, so PIC interrupts reach a guest booted without BIOS. */
void lapic_virtual_wire(struct lapic *l);
/* INIT (10.4.7.3): registers back to their reset values; the APIC ID and
 * IA32_APIC_BASE are kept. Call when the vCPU takes an INIT. */
void lapic_init_reset(struct lapic *l);
enum lapic_mode lapic_mode(const struct lapic *l);
uint64_t lapic_mmio_base(const struct lapic *l);

/* xAPIC page access (offset in the 4 KiB page); 32-bit only. */
int lapic_mmio(struct lapic *l, uint64_t offset, unsigned size, bool write, uint32_t *val,
	       uint64_t now_ns);
/* MSRs: 0 handled, -EINVAL = inject #GP(0), -ENOENT = not a LAPIC MSR. */
int lapic_rdmsr(struct lapic *l, uint32_t msr, uint64_t *val, uint64_t now_ns);
int lapic_wrmsr(struct lapic *l, uint32_t msr, uint64_t val, uint64_t now_ns);

/* Does this LAPIC match the destination of a message? (10.6.2) */
bool lapic_match_dest(const struct lapic *l, uint32_t dest, bool logical);
/* A message addressed to this LAPIC (board already resolved dest). */
void lapic_accept(struct lapic *l, const struct apic_msg *m);
void lapic_set_lint(struct lapic *l, unsigned n, bool level);

/* Interrupt injection (10.8.3.1): highest IRR vector above PPR or -1. */
int lapic_pending_vector(const struct lapic *l);
void lapic_ack(struct lapic *l, uint8_t vector); /* IRR -> ISR */
bool lapic_extint_pending(const struct lapic *l); /* PIC vector via LINT0 */
void lapic_extint_ack(struct lapic *l);
uint8_t lapic_ppr(const struct lapic *l);

void lapic_tick(struct lapic *l, uint64_t now_ns);
uint64_t lapic_next_event_ns(const struct lapic *l, uint64_t now_ns);

#endif
