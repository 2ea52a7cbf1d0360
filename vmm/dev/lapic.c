/*
 * Local APIC (xAPIC and x2APIC). Section numbers are Intel SDM Vol. 3A,
 * chapter 10: 10.4.3 (IA32_APIC_BASE), 10.4.7 (states), 10.5.1 (LVT),
 * 10.5.3 (ESR), 10.5.4 (timer, 10.5.4.1 TSC-deadline), 10.6 (IPIs, ICR,
 * 10.6.2 destinations), 10.8 (handling: 10.8.3.1 TPR/PPR, 10.8.4 IRR/ISR/TMR,
 * 10.8.5 EOI), 10.9 (spurious vector), 10.12 (x2APIC: 10.12.1.2 MSR map,
 * 10.12.5 state transitions, 10.12.10 logical IDs, 10.12.11 SELF IPI).
 *
 * Overview of interrupt acceptance and selection: a fixed or lowest-priority
 * message sets its vector in IRR (and in TMR if level-triggered). The vector
 * to inject is the highest set IRR bit whose priority class (bits 7:4) is
 * above PPR's class, where PPR = TPR if TPR's class >= the class of the
 * highest ISR bit, else that ISR class. Acknowledging moves the vector from
 * IRR to ISR; EOI clears the highest ISR bit and, when TMR has it, sends the
 * EOI message to the IOAPIC. The timer is in lapic_timer.c.
 */
#include "vmm/dev/lapic_priv.h"

#define R_ID 0x020
#define R_VER 0x030
#define R_TPR 0x080
#define R_APR 0x090
#define R_PPR 0x0a0
#define R_EOI 0x0b0
#define R_RRD 0x0c0
#define R_LDR 0x0d0
#define R_DFR 0x0e0
#define R_SVR 0x0f0
#define R_ISR 0x100
#define R_TMR 0x180
#define R_IRR 0x200
#define R_ESR 0x280
#define R_CMCI 0x2f0
#define R_ICR_LO 0x300
#define R_ICR_HI 0x310
#define R_LVT0 0x320 /* timer; LVT n at 0x320 + 0x10 * n */
#define R_TMICT 0x380
#define R_TMCCT 0x390
#define R_TDCR 0x3e0
#define R_SELF_IPI 0x3f0

/* Version 0x14, six LVT entries (max LVT 5), no directed EOI (10.4.8). */
#define VLAPIC_VERSION 0x00050014u

#define LVT_LEVEL (1u << 15)
#define LVT_REMOTE_IRR (1u << 14)
#define LVT_DM(v) (((v) >> 8) & 7)

#define SVR_ENABLE (1u << 8)

#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)

/* Writable bits per LVT (figure 10-8). */
static const uint32_t lvt_writable[VLAPIC_LVT_COUNT] = {
	[VLAPIC_LVT_TIMER] = 0x000700ff,
	[VLAPIC_LVT_THERMAL] = 0x000107ff,
	[VLAPIC_LVT_PERF] = 0x000107ff,
	[VLAPIC_LVT_LINT0] = 0x0001a7ff,
	[VLAPIC_LVT_LINT1] = 0x0001a7ff,
	[VLAPIC_LVT_ERROR] = 0x000100ff,
};

/* ---------------------------------------------------------- bitmaps */

static bool bit_test(const uint32_t *map, unsigned v)
{
	return map[v >> 5] & (1u << (v & 31));
}

static void bit_set(uint32_t *map, unsigned v)
{
	map[v >> 5] |= 1u << (v & 31);
}

static void bit_clear(uint32_t *map, unsigned v)
{
	map[v >> 5] &= ~(1u << (v & 31));
}

static int highest(const uint32_t *map)
{
	for (int i = 7; i >= 0; i--)
		if (map[i])
			return i * 32 + 31 - __builtin_clz(map[i]);
	return -1;
}

/* ---------------------------------------------------------- state */

enum vlapic_mode vlapic_mode(const struct vlapic *l)
{
	if (!(l->apic_base & VLAPIC_BASE_EN))
		return VLAPIC_DISABLED;
	return (l->apic_base & VLAPIC_BASE_EXTD) ? VLAPIC_X2APIC : VLAPIC_XAPIC;
}

uint64_t vlapic_mmio_base(const struct vlapic *l)
{
	return l->apic_base & ~0xfffull & ((1ull << l->phys_bits) - 1);
}

static bool x2(const struct vlapic *l)
{
	return vlapic_mode(l) == VLAPIC_X2APIC;
}

static bool sw_enabled(const struct vlapic *l)
{
	return l->svr & SVR_ENABLE;
}

/* Register state after RESET or INIT (10.4.7.1), keeping the APIC ID. */
static void reset_regs(struct vlapic *l)
{
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	l->tpr = l->ldr = l->esr = l->esr_pending = l->icr_lo = l->icr_hi = 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	for (unsigned i = 0; i < VLAPIC_LVT_COUNT; i++)
		l->lvt[i] = VLAPIC_LVT_MASKED;
	l->tmict = l->tdcr = 0;
	l->timer_fired = 0;
	l->tsc_deadline = 0;
	l->id_reg = l->apic_id << 24;
	l->nmi_pending = l->init_pending = l->sipi_pending = l->extint_msg = false;
}

void vlapic_init(struct vlapic *l, uint32_t apic_id, bool bsp, uint64_t timer_hz,
		uint64_t tsc_hz, vlapic_ipi_fn ipi, vlapic_eoi_fn eoi, void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->apic_id = apic_id;
	l->phys_bits = 36;
	l->apic_base = VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | (bsp ? VLAPIC_BASE_BSP : 0);
	l->timer_hz = timer_hz ? timer_hz : VDEV_NS_PER_SEC;
	l->tsc_hz = tsc_hz ? tsc_hz : VDEV_NS_PER_SEC;
	l->ipi = ipi;
	l->eoi = eoi;
	l->ctx = ctx;
	reset_regs(l);
}

void vlapic_init_reset(struct vlapic *l)
{
	uint32_t id_reg = l->id_reg;

	reset_regs(l);
	l->id_reg = id_reg; /* INIT keeps the APIC ID (10.4.7.3) */
	if (vlapic_mode(l) == VLAPIC_X2APIC)
		l->ldr = ((l->apic_id >> 4) << 16) | (1u << (l->apic_id & 0xf));
}

void vlapic_virtual_wire(struct vlapic *l)
{
	l->lvt[VLAPIC_LVT_LINT0] = VAPIC_DM_EXTINT << 8;
	l->lvt[VLAPIC_LVT_LINT1] = VAPIC_DM_NMI << 8;
}

uint8_t vlapic_ppr(const struct vlapic *l)
{
	int isrv = highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	if ((l->tpr & 0xf0) >= isr_class)
		return (uint8_t)l->tpr;
	return (uint8_t)isr_class;
}

/* ---------------------------------------------------------- delivery */

/* 10.5.3: a new error sets ESR (at the next ESR write) and the error LVT. */
static void signal_error(struct vlapic *l, uint32_t bits)
{
	bool fresh = !(l->esr_pending & bits);

	l->esr_pending |= bits;
	if (fresh && !(l->lvt[VLAPIC_LVT_ERROR] & VLAPIC_LVT_MASKED))
		vlapic_accept_fixed(l, (uint8_t)l->lvt[VLAPIC_LVT_ERROR], false);
}

void vlapic_accept_fixed(struct vlapic *l, uint8_t vector, bool level)
{
	if (!sw_enabled(l) || vlapic_mode(l) == VLAPIC_DISABLED)
		return; /* 10.4.7.2: fixed interrupts are not accepted */
	if (vector < 16) {
		signal_error(l, ESR_RECV_ILLEGAL);
		return;
	}
	bit_set(l->irr, vector);
	if (level)
		bit_set(l->tmr, vector);
	else
		bit_clear(l->tmr, vector);
}

void vlapic_accept(struct vlapic *l, const struct vapic_msg *m)
{
	switch (m->delivery) {
	case VAPIC_DM_FIXED:
	case VAPIC_DM_LOWEST:
		vlapic_accept_fixed(l, m->vector, m->level);
		break;
	case VAPIC_DM_NMI:
		l->nmi_pending = true;
		break;
	case VAPIC_DM_INIT:
		if (m->level && !m->assert)
			break; /* INIT level de-assert: no effect (10.6.1) */
		l->init_pending = true;
		break;
	case VAPIC_DM_SIPI:
		l->sipi_pending = true;
		l->sipi_vector = m->vector;
		break;
	case VAPIC_DM_EXTINT:
		l->extint_msg = true;
		break;
	default: /* SMI: not supported (documented) */
		break;
	}
}

bool vlapic_match_dest(const struct vlapic *l, uint32_t dest, bool logical)
{
	uint32_t ldr8;

	if (x2(l)) {
		if (dest == 0xffffffffu)
			return true;
		if (!logical)
			return dest == l->apic_id;
		/* 10.12.10.2: cluster in 31:16, one bit per member in 15:0 */
		return (dest >> 16) == (l->ldr >> 16) && (dest & l->ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (!logical)
		return dest == l->id_reg >> 24;
	ldr8 = l->ldr >> 24;
	if ((l->dfr >> 28) == 0xf) /* flat model (10.6.2.2) */
		return dest & ldr8;
	/* cluster model: cluster in 7:4, members in 3:0 */
	return (dest >> 4) == (ldr8 >> 4) && (dest & ldr8 & 0xf);
}

void vlapic_set_lint(struct vlapic *l, unsigned n, bool level)
{
	uint32_t lvt;
	bool rising;

	if (n > 1)
		return;
	rising = level && !l->lint_level[n];
	l->lint_level[n] = level;
	if (vlapic_mode(l) == VLAPIC_DISABLED) {
		/* 10.4.3: a disabled APIC passes LINT1 as NMI (LINT0 = INTR). */
		if (n == 1 && rising)
			l->nmi_pending = true;
		return;
	}
	lvt = l->lvt[VLAPIC_LVT_LINT0 + n];
	if (lvt & VLAPIC_LVT_MASKED)
		return;
	switch (LVT_DM(lvt)) {
	case VAPIC_DM_FIXED:
		if (lvt & LVT_LEVEL) {
			if (level && !(lvt & LVT_REMOTE_IRR)) {
				l->lvt[VLAPIC_LVT_LINT0 + n] |= LVT_REMOTE_IRR;
				vlapic_accept_fixed(l, (uint8_t)lvt, true);
			}
		} else if (rising) {
			vlapic_accept_fixed(l, (uint8_t)lvt, false);
		}
		break;
	case VAPIC_DM_NMI:
		if (rising)
			l->nmi_pending = true;
		break;
	case VAPIC_DM_INIT:
		if (rising)
			l->init_pending = true;
		break;
	default: /* ExtINT is level-sampled in vlapic_extint_pending */
		break;
	}
}

int vlapic_pending_vector(const struct vlapic *l)
{
	int v = highest(l->irr);

	if (v < 0 || !sw_enabled(l) || vlapic_mode(l) == VLAPIC_DISABLED)
		return -1;
	if (((unsigned)v & 0xf0) <= (vlapic_ppr(l) & 0xf0u))
		return -1;
	return v;
}

void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	bit_clear(l->irr, vector);
	bit_set(l->isr, vector);
}

/* LINT0 in ExtINT mode is the PIC's INTR (virtual wire, MP spec 3.6.2.2);
 * the software-enable bit is not consulted, as on KVM. */
bool vlapic_extint_pending(const struct vlapic *l)
{
	uint32_t lvt = l->lvt[VLAPIC_LVT_LINT0];

	if (vlapic_mode(l) == VLAPIC_DISABLED)
		return l->lint_level[0];
	if (l->extint_msg)
		return true;
	return !(lvt & VLAPIC_LVT_MASKED) && LVT_DM(lvt) == VAPIC_DM_EXTINT && l->lint_level[0];
}

void vlapic_extint_ack(struct vlapic *l)
{
	l->extint_msg = false;
}

/* 10.8.5: EOI clears the highest ISR bit; level vectors go to the IOAPIC. */
static void do_eoi(struct vlapic *l)
{
	int v = highest(l->isr);

	if (v < 0)
		return;
	bit_clear(l->isr, (unsigned)v);
	for (unsigned n = 0; n < 2; n++) {
		uint32_t *lvt = &l->lvt[VLAPIC_LVT_LINT0 + n];
		if ((*lvt & 0xff) == (uint32_t)v && (*lvt & LVT_REMOTE_IRR)) {
			*lvt &= ~LVT_REMOTE_IRR;
			vlapic_set_lint(l, n, l->lint_level[n]); /* still asserted? */
		}
	}
	if (bit_test(l->tmr, (unsigned)v) && l->eoi)
		l->eoi(l->ctx, (uint8_t)v);
}

/* ---------------------------------------------------------- registers */

static void send_icr(struct vlapic *l)
{
	struct vapic_msg m = {
		.vector = (uint8_t)l->icr_lo,
		.delivery = (uint8_t)LVT_DM(l->icr_lo),
		.logical = l->icr_lo & (1u << 11),
		.assert = l->icr_lo & (1u << 14),
		.level = l->icr_lo & (1u << 15),
		.shorthand = (uint8_t)((l->icr_lo >> 18) & 3),
		.dest = x2(l) ? l->icr_hi : l->icr_hi >> 24,
	};

	if ((m.delivery == VAPIC_DM_FIXED || m.delivery == VAPIC_DM_LOWEST) && m.vector < 16) {
		signal_error(l, ESR_SEND_ILLEGAL); /* 10.5.3 */
		return;
	}
	if (l->ipi)
		l->ipi(l->ctx, l, &m);
}

/*
 * Register read at xAPIC offset `off`. Returns -EINVAL for registers that
 * do not exist in the current mode (x2APIC: #GP; xAPIC: the caller reads 0).
 */
static int read_reg(struct vlapic *l, unsigned off, uint64_t *val, uint64_t now)
{
	bool x = x2(l);

	switch (off) {
	case R_ID:
		*val = x ? l->apic_id : l->id_reg;
		return 0;
	case R_VER:
		*val = VLAPIC_VERSION;
		return 0;
	case R_TPR:
		*val = l->tpr;
		return 0;
	case R_APR:
	case R_RRD:
		if (x)
			return -EINVAL;
		*val = 0;
		return 0;
	case R_PPR:
		*val = vlapic_ppr(l);
		return 0;
	case R_LDR:
		*val = l->ldr;
		return 0;
	case R_DFR:
		if (x)
			return -EINVAL;
		*val = l->dfr;
		return 0;
	case R_SVR:
		*val = l->svr;
		return 0;
	case R_ESR:
		*val = l->esr;
		return 0;
	case R_ICR_LO:
		*val = x ? (uint64_t)l->icr_hi << 32 | l->icr_lo : l->icr_lo;
		return 0;
	case R_ICR_HI:
		if (x)
			return -EINVAL;
		*val = l->icr_hi;
		return 0;
	case R_TMICT:
		*val = l->tmict;
		return 0;
	case R_TMCCT:
		*val = vlapic_timer_current(l, now);
		return 0;
	case R_TDCR:
		*val = l->tdcr;
		return 0;
	}
	if (off >= R_ISR && off < R_ISR + 0x80) {
		*val = l->isr[(off - R_ISR) >> 4];
		return 0;
	}
	if (off >= R_TMR && off < R_TMR + 0x80) {
		*val = l->tmr[(off - R_TMR) >> 4];
		return 0;
	}
	if (off >= R_IRR && off < R_IRR + 0x80) {
		*val = l->irr[(off - R_IRR) >> 4];
		return 0;
	}
	if (off >= R_LVT0 && off < R_LVT0 + 0x10 * VLAPIC_LVT_COUNT) {
		*val = l->lvt[(off - R_LVT0) >> 4];
		return 0;
	}
	/* EOI and SELF IPI are write-only, CMCI is not implemented */
	return -EINVAL;
}

static void write_lvt(struct vlapic *l, unsigned i, uint32_t v)
{
	uint32_t keep = l->lvt[i] & ~lvt_writable[i]; /* delivery status, remote IRR */

	if (!sw_enabled(l))
		v |= VLAPIC_LVT_MASKED; /* 10.4.7.2 */
	if (i == VLAPIC_LVT_TIMER && VLAPIC_TIMER_MODE(v) != vlapic_timer_mode(l)) {
		l->tmict = 0; /* a mode change disarms the timer (10.5.4.1) */
		l->tsc_deadline = 0;
		l->timer_fired = 0;
	}
	l->lvt[i] = keep | (v & lvt_writable[i]);
}

/* Register write at xAPIC offset; -EINVAL = #GP in x2APIC mode. */
static int write_reg(struct vlapic *l, unsigned off, uint64_t v64, uint64_t now)
{
	bool x = x2(l);
	uint32_t v = (uint32_t)v64;

	if (x && off != R_ICR_LO && (v64 >> 32))
		return -EINVAL;
	switch (off) {
	case R_ID:
		if (x)
			return -EINVAL;
		l->id_reg = v & 0xff000000u;
		return 0;
	case R_TPR:
		l->tpr = v & 0xff;
		return 0;
	case R_EOI:
		if (x && v)
			return -EINVAL; /* 10.12.1.2: non-zero EOI write #GPs */
		do_eoi(l);
		return 0;
	case R_LDR:
		if (x)
			return -EINVAL;
		l->ldr = v & 0xff000000u;
		return 0;
	case R_DFR:
		if (x)
			return -EINVAL;
		l->dfr = v | 0x0fffffffu;
		return 0;
	case R_SVR:
		l->svr = v & 0x3ff; /* vector, APIC enable, focus checking */
		if (!sw_enabled(l))
			for (unsigned i = 0; i < VLAPIC_LVT_COUNT; i++)
				l->lvt[i] |= VLAPIC_LVT_MASKED;
		return 0;
	case R_ESR:
		if (x && v)
			return -EINVAL;
		l->esr = l->esr_pending; /* a write latches the errors (10.5.3) */
		l->esr_pending = 0;
		return 0;
	case R_ICR_LO:
		if (x) {
			l->icr_hi = (uint32_t)(v64 >> 32);
			l->icr_lo = v & 0x000ccfffu & ~(1u << 12);
		} else {
			l->icr_lo = v & 0x000ccfffu & ~(1u << 12); /* delivery status idle */
		}
		send_icr(l);
		return 0;
	case R_ICR_HI:
		if (x)
			return -EINVAL;
		l->icr_hi = v & 0xff000000u;
		return 0;
	case R_TMICT:
		if (vlapic_timer_mode(l) != VLAPIC_TIMER_TSC_DEADLINE)
			vlapic_timer_start(l, v, now);
		return 0;
	case R_TDCR:
		vlapic_timer_set_divide(l, v, now);
		return 0;
	case R_SELF_IPI:
		if (!x || (v & ~0xffu))
			return -EINVAL;
		vlapic_accept_fixed(l, (uint8_t)v, false);
		return 0;
	}
	if (off >= R_LVT0 && off < R_LVT0 + 0x10 * VLAPIC_LVT_COUNT) {
		write_lvt(l, (off - R_LVT0) >> 4, v);
		return 0;
	}
	return -EINVAL; /* read-only or not implemented */
}

int vlapic_mmio(struct vlapic *l, uint64_t offset, unsigned size, bool write, uint32_t *val,
	       uint64_t now_ns)
{
	uint64_t v = 0;

	if (size != 4 || (offset & 3) || offset >= 0x1000)
		return -EINVAL; /* 10.4.1: 32-bit aligned accesses only */
	if (vlapic_mode(l) != VLAPIC_XAPIC)
		return -EINVAL; /* the page is decoded only in xAPIC mode */
	if (offset & 0xf) {
		if (!write)
			*val = 0;
		return 0;
	}
	if (write) {
		/* Writes to read-only/reserved registers are ignored in xAPIC mode;
		 * SELF IPI exists only in x2APIC mode. */
		if (offset != R_SELF_IPI)
			write_reg(l, (unsigned)offset, *val, now_ns);
		return 0;
	}
	if (read_reg(l, (unsigned)offset, &v, now_ns) < 0)
		v = 0;
	*val = (uint32_t)v;
	return 0;
}

/* 10.12.5: IA32_APIC_BASE writes and the legal mode transitions. */
static int write_apic_base(struct vlapic *l, uint64_t v)
{
	uint64_t reserved = ~(((1ull << l->phys_bits) - 1) & ~0xfffull) | 0x2ffull;
	enum vlapic_mode old = vlapic_mode(l), new;

	v = (v & ~VLAPIC_BASE_BSP) | (l->apic_base & VLAPIC_BASE_BSP); /* BSP: read-only */
	if (v & reserved & ~(VLAPIC_BASE_BSP | VLAPIC_BASE_EXTD | VLAPIC_BASE_EN))
		return -EINVAL;
	if ((v & VLAPIC_BASE_EXTD) && !(v & VLAPIC_BASE_EN))
		return -EINVAL; /* invalid state */
	new = !(v & VLAPIC_BASE_EN) ? VLAPIC_DISABLED :
	      (v & VLAPIC_BASE_EXTD) ? VLAPIC_X2APIC : VLAPIC_XAPIC;
	if (old == VLAPIC_X2APIC && new == VLAPIC_XAPIC)
		return -EINVAL;
	if (old == VLAPIC_DISABLED && new == VLAPIC_X2APIC)
		return -EINVAL;
	l->apic_base = v;
	if (new == VLAPIC_DISABLED && old != VLAPIC_DISABLED)
		reset_regs(l); /* re-enabling starts from the reset state */
	if (new == VLAPIC_X2APIC && old != VLAPIC_X2APIC)
		/* 10.12.10.2: logical x2APIC ID derived from the x2APIC ID */
		l->ldr = ((l->apic_id >> 4) << 16) | (1u << (l->apic_id & 0xf));
	return 0;
}

int vlapic_rdmsr(struct vlapic *l, uint32_t msr, uint64_t *val, uint64_t now_ns)
{
	if (msr == VLAPIC_MSR_APIC_BASE) {
		*val = l->apic_base;
		return 0;
	}
	if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		/* reads 0 unless the timer is in TSC-deadline mode (10.5.4.1) */
		*val = vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE ? l->tsc_deadline : 0;
		return 0;
	}
	if (msr < VLAPIC_MSR_X2APIC_FIRST || msr > VLAPIC_MSR_X2APIC_LAST)
		return -ENOENT;
	if (!x2(l))
		return -EINVAL;
	return read_reg(l, (msr - VLAPIC_MSR_X2APIC_FIRST) << 4, val, now_ns);
}

int vlapic_wrmsr(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now_ns)
{
	unsigned off;

	if (msr == VLAPIC_MSR_APIC_BASE)
		return write_apic_base(l, val);
	if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE)
			l->tsc_deadline = val; /* 0 disarms */
		return 0;
	}
	if (msr < VLAPIC_MSR_X2APIC_FIRST || msr > VLAPIC_MSR_X2APIC_LAST)
		return -ENOENT;
	if (!x2(l))
		return -EINVAL;
	off = (msr - VLAPIC_MSR_X2APIC_FIRST) << 4;
	if (off == R_ID || off == R_VER || off == R_PPR || off == R_TMCCT)
		return -EINVAL; /* read-only */
	return write_reg(l, off, val, now_ns);
}
