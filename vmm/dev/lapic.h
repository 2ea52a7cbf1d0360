/*
 * Local APIC of one vCPU: the xAPIC MMIO page, the x2APIC MSRs 0x800-0x8ff,
 * IA32_APIC_BASE and IA32_TSC_DEADLINE (Intel SDM Vol. 3A chapter 10, "Advanced
 * Programmable Interrupt Controller"). Interrupt messages are exchanged with
 * the board through callbacks; timers use injected guest time.
 */
#ifndef DITTO_VMM_DEV_LAPIC_H
#define DITTO_VMM_DEV_LAPIC_H

#include "vmm/dev/vdev.h"

#define VLAPIC_DEFAULT_BASE 0xfee00000u
#define VLAPIC_MSR_APIC_BASE 0x1b
#define VLAPIC_MSR_TSC_DEADLINE 0x6e0
#define VLAPIC_MSR_X2APIC_FIRST 0x800
#define VLAPIC_MSR_X2APIC_LAST 0x8ff

#define VLAPIC_BASE_BSP (1ull << 8)
#define VLAPIC_BASE_EXTD (1ull << 10)
#define VLAPIC_BASE_EN (1ull << 11)

enum vlapic_mode { VLAPIC_DISABLED, VLAPIC_XAPIC, VLAPIC_X2APIC };

/* LVT indexes (registers 0x320-0x370). */
enum { VLAPIC_LVT_TIMER, VLAPIC_LVT_THERMAL, VLAPIC_LVT_PERF, VLAPIC_LVT_LINT0, VLAPIC_LVT_LINT1, VLAPIC_LVT_ERROR, VLAPIC_LVT_COUNT };

struct vlapic;
/* An IPI from `src` (ICR write); the board resolves shorthand/destination. */
typedef void (*vlapic_ipi_fn)(void *ctx, struct vlapic *src, const struct vapic_msg *m);
/* EOI of a level-triggered vector: broadcast to the IOAPIC(s). */
typedef void (*vlapic_eoi_fn)(void *ctx, uint8_t vector);

struct vlapic {
	uint32_t apic_id;   /* initial APIC ID = x2APIC ID */
	uint64_t apic_base; /* IA32_APIC_BASE */
	unsigned phys_bits; /* MAXPHYADDR for the base's reserved bits */
	uint32_t id_reg;    /* xAPIC ID register (bits 31:24 writable) */
	uint32_t tpr, ldr, dfr, svr, esr, esr_pending, icr_lo, icr_hi;
	uint32_t lvt[VLAPIC_LVT_COUNT];
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
	vlapic_ipi_fn ipi;
	vlapic_eoi_fn eoi;
	void *ctx;
};

void vlapic_init(struct vlapic *l, uint32_t apic_id, bool bsp, uint64_t timer_hz,
		uint64_t tsc_hz, vlapic_ipi_fn ipi, vlapic_eoi_fn eoi, void *ctx);
/* What firmware leaves on a PC (MP spec virtual-wire mode): LINT0 ExtINT and
 * LINT1 NMI unmasked, so PIC interrupts reach a guest booted without BIOS. */
void vlapic_virtual_wire(struct vlapic *l);
/* INIT (10.4.7.3): registers back to their reset values; the APIC ID and
 * IA32_APIC_BASE are kept. Call when the vCPU takes an INIT. */
void vlapic_init_reset(struct vlapic *l);
enum vlapic_mode vlapic_mode(const struct vlapic *l);
uint64_t vlapic_mmio_base(const struct vlapic *l);

/* xAPIC page access (offset in the 4 KiB page); 32-bit only. */
int vlapic_mmio(struct vlapic *l, uint64_t offset, unsigned size, bool write, uint32_t *val,
	       uint64_t now_ns);
/* MSRs: 0 handled, -EINVAL = inject #GP(0), -ENOENT = not a LAPIC MSR. */
int vlapic_rdmsr(struct vlapic *l, uint32_t msr, uint64_t *val, uint64_t now_ns);
int vlapic_wrmsr(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now_ns);

/* Does this LAPIC match the destination of a message? (10.6.2) */
bool vlapic_match_dest(const struct vlapic *l, uint32_t dest, bool logical);
/* A message addressed to this LAPIC (board already resolved dest). */
void vlapic_accept(struct vlapic *l, const struct vapic_msg *m);
void vlapic_set_lint(struct vlapic *l, unsigned n, bool level);

/* Interrupt injection (10.8.3.1): highest IRR vector above PPR or -1. */
int vlapic_pending_vector(const struct vlapic *l);
void vlapic_ack(struct vlapic *l, uint8_t vector); /* IRR -> ISR */
bool vlapic_extint_pending(const struct vlapic *l); /* PIC vector via LINT0 */
void vlapic_extint_ack(struct vlapic *l);
uint8_t vlapic_ppr(const struct vlapic *l);

void vlapic_tick(struct vlapic *l, uint64_t now_ns);
uint64_t vlapic_next_event_ns(const struct vlapic *l, uint64_t now_ns);

#endif
