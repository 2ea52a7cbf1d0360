/*
 * The PC wiring of one VM's devices (board.h has the picture). Port
 * addresses are the IBM PC/AT ones (and 0x510, 0x600, 0xf4 as in QEMU);
 * the interrupt wiring follows the MP specification 1.4 (virtual-wire mode
 * through LINT0, chapter 3.6.2) and the ACPI MADT built in acpi.c: ISA IRQ n
 * goes to PIC input n and IOAPIC pin n, except IRQ0 which is on pin 2.
 */
#include "vmm/dev/board.h"

#define BOARD_IRQ_PIT 0

/* ---------------------------------------------------------- interrupts */

static void kick(struct board *b, unsigned vcpu)
{
	if (b->kick)
		b->kick(b->kick_ctx, vcpu);
}

static void isa_irq(void *ctx, unsigned irq, bool level)
{
	struct board *b = ctx;

	vpic_set_irq(&b->pic, irq, level);
	vioapic_set_irq(&b->ioapic, irq == BOARD_IRQ_PIT ? 2 : irq, level);
}

static void vpic_intr(void *ctx, unsigned pin, bool level)
{
	struct board *b = ctx;

	vlapic_set_lint(&b->lapic[0], 0, level); /* BSP LINT0 */
	if (level)
		kick(b, 0);
}

/*
 * Routes one APIC-bus message (10.6.2 destinations, 10.6.1 shorthands).
 * Lowest-priority delivery goes to the matching LAPIC with the lowest APIC
 * ID instead of arbitrating on priority (allowed: the processor chosen is
 * model-specific; documented in docs/platform.md).
 */
static void deliver(struct board *b, struct vlapic *src, const struct vapic_msg *m)
{
	struct vlapic *lowest = NULL;

	for (unsigned i = 0; i < b->ncpus; i++) {
		struct vlapic *l = &b->lapic[i];
		bool hit;

		switch (m->shorthand) {
		case VAPIC_SH_SELF: hit = l == src; break;
		case VAPIC_SH_ALL: hit = true; break;
		case VAPIC_SH_OTHERS: hit = l != src; break;
		default: hit = vlapic_match_dest(l, m->dest, m->logical); break;
		}
		if (!hit || vlapic_mode(l) == VLAPIC_DISABLED)
			continue;
		if (m->delivery == VAPIC_DM_LOWEST) {
			if (!lowest || l->apic_id < lowest->apic_id)
				lowest = l;
			continue;
		}
		vlapic_accept(l, m);
		kick(b, i);
	}
	if (lowest) {
		vlapic_accept(lowest, m);
		kick(b, (unsigned)(lowest - b->lapic));
	}
}

static void vioapic_msg(void *ctx, const struct vapic_msg *m)
{
	deliver(ctx, NULL, m);
}

static void vlapic_ipi(void *ctx, struct vlapic *src, const struct vapic_msg *m)
{
	deliver(ctx, src, m);
}

static void vlapic_eoi(void *ctx, uint8_t vector)
{
	struct board *b = ctx;

	vioapic_eoi(&b->ioapic, vector);
}

/* ---------------------------------------------------------- init */

/* The PIC as PC firmware leaves it (as SeaBIOS does): vectors 0x08 and 0x70,
 * edge-triggered, everything masked except the cascade IR2. */
static void vpic_firmware_setup(struct vpic_pair *p)
{
	static const uint8_t seq[][2] = {
		{ 0x20, 0x11 }, { 0x21, 0x08 }, { 0x21, 0x04 }, { 0x21, 0x01 },
		{ 0xa0, 0x11 }, { 0xa1, 0x70 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
		{ 0x21, 0xfb }, { 0xa1, 0xff },
	};

	for (unsigned i = 0; i < ENV_ARRAY_SIZE(seq); i++) {
		uint32_t v = seq[i][1];
		vpic_pio(p, seq[i][0], 1, true, &v);
	}
}

int board_init(struct board *b, const struct board_config *c)
{
	uint64_t now;

	if (!c->ncpus || c->ncpus > BOARD_MAX_VCPUS)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	b->cfg = *c;
	b->ncpus = c->ncpus;
	b->clock = c->clock;
	b->kick = c->kick;
	b->kick_ctx = c->kick_ctx;
	now = vclock_now(&b->clock);

	vuart_init(&b->com1, (struct virq_line){ isa_irq, b, BOARD_IRQ_COM1 }, c->console,
		  c->console_ctx);
	vpic_init(&b->pic, (struct virq_line){ vpic_intr, b, 0 });
	vpic_firmware_setup(&b->pic);
	/* What firmware leaves: the SCI (IRQ9) level-triggered in ELCR2. */
	b->pic.chip[1].elcr = 1u << (VACPI_SCI_IRQ - 8);
	vpit_init(&b->pit, (struct virq_line){ isa_irq, b, BOARD_IRQ_PIT });
	vrtc_init(&b->rtc, (struct virq_line){ isa_irq, b, BOARD_IRQ_RTC }, c->epoch_sec, now);
	vrtc_set_memory(&b->rtc, c->ram_below_4g, c->ram_above_4g, c->ncpus);
	vioapic_init(&b->ioapic, 0, vioapic_msg, b);
	for (unsigned i = 0; i < c->ncpus; i++)
		vlapic_init(&b->lapic[i], i, i == 0, c->lapic_timer_hz, c->tsc_hz, vlapic_ipi,
			   vlapic_eoi, b);
	vlapic_virtual_wire(&b->lapic[0]);
	vpci_init(&b->pci);
	vreset_init(&b->reset, &b->req);
	vfw_cfg_init(&b->fw_cfg, c->ram_below_4g + c->ram_above_4g, (uint16_t)c->ncpus,
		    (uint16_t)c->ncpus);
	vacpi_pm_init(&b->pm, VACPI_PM_BASE, (struct virq_line){ isa_irq, b, VACPI_SCI_IRQ },
		     &b->req, now);
	return 0;
}

void board_reset(struct board *b)
{
	struct board_config c = b->cfg;
	struct vrtc rtc = b->rtc;
	struct vfw_cfg fw = b->fw_cfg;

	vuart_flush_all(&b->com1);
	if (board_init(b, &c) < 0)
		ENV_PANIC("board_reset: config accepted once, rejected now");
	/* MC146818 "RESET": PIE, AIE, UIE, SQWE and the IRQ flags clear. */
	rtc.cmos[0x0b] &= 0x8f & ~0x08;
	rtc.cmos[0x0c] = 0;
	rtc.irq_level = false;
	rtc.irq = b->rtc.irq;
	b->rtc = rtc;
	b->fw_cfg = fw;
}

int board_build_acpi(const struct board *b, void *buf, size_t size, uint64_t gpa,
		     struct vacpi_layout *out)
{
	struct vacpi_config c = {
		.ncpus = b->ncpus,
		.lapic_addr = VLAPIC_DEFAULT_BASE,
		.ioapic_addr = VIOAPIC_DEFAULT_BASE,
		.ioapic_id = b->ioapic.id,
		.pm_base = VACPI_PM_BASE,
		.sci_irq = VACPI_SCI_IRQ,
	};

	return vacpi_build(buf, size, gpa, &c, out);
}

/* ---------------------------------------------------------- port I/O */

typedef int (*pio_fn)(struct board *b, uint16_t port, unsigned size, bool write,
		      uint32_t *val, uint64_t now);

static int pio_pic(struct board *b, uint16_t p, unsigned s, bool w, uint32_t *v, uint64_t now)
{
	return vpic_pio(&b->pic, p, s, w, v);
}

static int pio_pit(struct board *b, uint16_t p, unsigned s, bool w, uint32_t *v, uint64_t now)
{
	return vpit_pio(&b->pit, p, s, w, v, now);
}

static int pio_rtc(struct board *b, uint16_t p, unsigned s, bool w, uint32_t *v, uint64_t now)
{
	return vrtc_pio(&b->rtc, p, s, w, v, now);
}

static int pio_com1(struct board *b, uint16_t p, unsigned s, bool w, uint32_t *v, uint64_t now)
{
	return vuart_pio(&b->com1, p - BOARD_COM1, s, w, v);
}

/* 0xcf8 as a dword is CONFIG_ADDRESS; the byte at 0xcf9 is the reset
 * control register (PIIX4 4.1.15); other 0xcf8-0xcfb accesses decode nothing. */
static int pio_pci(struct board *b, uint16_t p, unsigned s, bool w, uint32_t *v, uint64_t now)
{
	if (p == 0xcf9 && s == 1)
		return vreset_pio(&b->reset, p, s, w, v);
	if (p >= VPCI_CONFIG_DATA || (p == VPCI_CONFIG_ADDRESS && s == 4))
		return vpci_pio(&b->pci, p, s, w, v);
	return -ENOENT;
}

static int pio_reset(struct board *b, uint16_t p, unsigned s, bool w, uint32_t *v, uint64_t now)
{
	return vreset_pio(&b->reset, p, s, w, v);
}

/* The QEMU test devices exist only where the VM's configuration asks for
 * them; elsewhere their ports are as empty as any other. */
static int pio_exit(struct board *b, uint16_t p, unsigned s, bool w, uint32_t *v, uint64_t now)
{
	if (b->cfg.no_debug_exit)
		return -ENOENT;
	return vdebug_exit_pio(&b->req, p, s, w, v);
}

static int pio_fwcfg(struct board *b, uint16_t p, unsigned s, bool w, uint32_t *v, uint64_t now)
{
	if (b->cfg.no_fw_cfg)
		return -ENOENT;
	return vfw_cfg_pio(&b->fw_cfg, p, s, w, v);
}

static int pio_pm(struct board *b, uint16_t p, unsigned s, bool w, uint32_t *v, uint64_t now)
{
	return vacpi_pm_pio(&b->pm, p, s, w, v, now);
}

static const struct {
	uint16_t first, last;
	pio_fn fn;
} pio_map[] = {
	{ 0x0020, 0x0021, pio_pic },
	{ 0x0040, 0x0043, pio_pit },
	{ 0x0060, 0x0060, pio_reset },
	{ 0x0061, 0x0061, pio_pit },
	{ 0x0064, 0x0064, pio_reset },
	{ 0x0070, 0x0071, pio_rtc },
	{ 0x0092, 0x0092, pio_reset },
	{ 0x00a0, 0x00a1, pio_pic },
	{ VDEBUG_EXIT_PORT, VDEBUG_EXIT_PORT, pio_exit },
	{ BOARD_COM1, BOARD_COM1 + 7, pio_com1 },
	{ 0x04d0, 0x04d1, pio_pic },
	{ VFW_CFG_PORT_SEL, VFW_CFG_PORT_DATA, pio_fwcfg },
	{ VACPI_PM_BASE, VACPI_PM_BASE + 11, pio_pm },
	{ 0x0cf8, 0x0cff, pio_pci },
};

int board_pio(struct board *b, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	int rc = -ENOENT;

	if (!vdev_size_ok(size)) {
		if (!write)
			*val = 0xffffffffu;
		b->rejected_pio++;
		return -EINVAL;
	}
	for (unsigned i = 0; i < ENV_ARRAY_SIZE(pio_map); i++) {
		if (port < pio_map[i].first || port > pio_map[i].last)
			continue;
		rc = pio_map[i].fn(b, port, size, write, val, vclock_now(&b->clock));
		break;
	}
	if (rc == 0)
		return 0;
	if (!write)
		*val = vdev_size_mask(size);
	if (rc == -ENOENT) {
		b->unhandled_pio++;
		return 0; /* nothing decodes it: floating bus */
	}
	b->rejected_pio++;
	return rc;
}

/* ---------------------------------------------------------- MMIO, MSRs */

int board_mmio(struct board *b, unsigned vcpu, uint64_t gpa, unsigned size, bool write,
	       uint32_t *val)
{
	struct vlapic *l;

	if (vcpu >= b->ncpus)
		return -EINVAL;
	l = &b->lapic[vcpu];
	if (vlapic_mode(l) == VLAPIC_XAPIC && gpa - vlapic_mmio_base(l) < ENV_PAGE_SIZE)
		return vlapic_mmio(l, gpa - vlapic_mmio_base(l), size, write, val,
				  vclock_now(&b->clock));
	if (gpa - VIOAPIC_DEFAULT_BASE < ENV_PAGE_SIZE)
		return vioapic_mmio(&b->ioapic, gpa - VIOAPIC_DEFAULT_BASE, size, write, val);
	return -ENOENT;
}

int board_rdmsr(struct board *b, unsigned vcpu, uint32_t msr, uint64_t *val)
{
	if (vcpu >= b->ncpus)
		return -EINVAL;
	return vlapic_rdmsr(&b->lapic[vcpu], msr, val, vclock_now(&b->clock));
}

int board_wrmsr(struct board *b, unsigned vcpu, uint32_t msr, uint64_t val)
{
	if (vcpu >= b->ncpus)
		return -EINVAL;
	return vlapic_wrmsr(&b->lapic[vcpu], msr, val, vclock_now(&b->clock));
}

/* ---------------------------------------------------------- injection */

static bool extint_ready(struct board *b, struct vlapic *l)
{
	/* Only the BSP's LINT0 is wired to the PIC; an IOAPIC ExtINT message
	 * also fetches the vector from the PIC (82093AA 3.2.4, ExtINT). */
	return vlapic_extint_pending(l) && vpic_int_pending(&b->pic);
}

int board_pending_vector(struct board *b, unsigned vcpu)
{
	struct vlapic *l;

	if (vcpu >= b->ncpus)
		return -1;
	l = &b->lapic[vcpu];
	if (extint_ready(b, l))
		return vpic_peek_vector(&b->pic);
	return vlapic_pending_vector(l);
}

int board_ack(struct board *b, unsigned vcpu)
{
	struct vlapic *l;
	int v;

	if (vcpu >= b->ncpus)
		return -1;
	l = &b->lapic[vcpu];
	if (extint_ready(b, l)) {
		vlapic_extint_ack(l);
		return vpic_intack(&b->pic);
	}
	v = vlapic_pending_vector(l);
	if (v >= 0)
		vlapic_ack(l, (uint8_t)v);
	return v;
}

bool board_take_nmi(struct board *b, unsigned vcpu)
{
	bool nmi;

	if (vcpu >= b->ncpus)
		return false;
	nmi = b->lapic[vcpu].nmi_pending;
	b->lapic[vcpu].nmi_pending = false;
	return nmi;
}

unsigned board_take_events(struct board *b, unsigned vcpu, uint8_t *sipi_vector)
{
	struct vlapic *l;
	unsigned ev = 0;

	if (vcpu >= b->ncpus)
		return 0;
	l = &b->lapic[vcpu];
	if (l->init_pending)
		ev |= BOARD_EV_INIT;
	if (l->sipi_pending) {
		ev |= BOARD_EV_SIPI;
		*sipi_vector = l->sipi_vector;
	}
	l->init_pending = l->sipi_pending = false;
	return ev;
}

bool board_wakeup_pending(struct board *b, unsigned vcpu, bool *maskable)
{
	struct vlapic *l;

	*maskable = false;
	if (vcpu >= b->ncpus)
		return false;
	l = &b->lapic[vcpu];
	*maskable = board_pending_vector(b, vcpu) >= 0;
	return l->nmi_pending || l->init_pending || l->sipi_pending;
}

void board_vcpu_init(struct board *b, unsigned vcpu)
{
	if (vcpu < b->ncpus)
		vlapic_init_reset(&b->lapic[vcpu]);
}

/* ---------------------------------------------------------- time, host */

void board_tick(struct board *b)
{
	uint64_t now = vclock_now(&b->clock);

	vpit_tick(&b->pit, now);
	vrtc_tick(&b->rtc, now);
	vacpi_pm_tick(&b->pm, now);
	for (unsigned i = 0; i < b->ncpus; i++) {
		bool before = vlapic_pending_vector(&b->lapic[i]) >= 0;
		vlapic_tick(&b->lapic[i], now);
		/* a timer interrupt (or an error) of this vCPU's own LAPIC */
		if (!before && vlapic_pending_vector(&b->lapic[i]) >= 0)
			kick(b, i);
	}
}

uint64_t board_next_event_ns(struct board *b)
{
	uint64_t now = vclock_now(&b->clock), t;

	t = vpit_next_event_ns(&b->pit, now);
	t = vdev_min_deadline(t, vrtc_next_event_ns(&b->rtc, now));
	t = vdev_min_deadline(t, vacpi_pm_next_event_ns(&b->pm, now));
	for (unsigned i = 0; i < b->ncpus; i++)
		t = vdev_min_deadline(t, vlapic_next_event_ns(&b->lapic[i], now));
	return t;
}

unsigned board_flush_console(struct board *b, unsigned max_lines)
{
	return vuart_flush_lines(&b->com1, max_lines);
}

size_t board_console_input(struct board *b, const uint8_t *buf, size_t n)
{
	return vuart_rx_push(&b->com1, buf, n);
}

unsigned board_take_requests(struct board *b, uint32_t *exit_status)
{
	unsigned r = b->req.pending;

	if (exit_status)
		*exit_status = b->req.exit_status;
	b->req.pending = 0;
	return r;
}

void board_power_button(struct board *b)
{
	vacpi_pm_power_button(&b->pm);
}

void board_dump(struct board *b)
{
	uint64_t now = vclock_now(&b->clock);
	const struct vpic_chip *m = &b->pic.chip[0], *sl = &b->pic.chip[1];
	const struct vpit_channel *c0 = &b->pit.ch[0];

	env_printf("board: now %llu ns, unhandled pio %llu, rejected %llu\n",
		   (unsigned long long)now, (unsigned long long)b->unhandled_pio,
		   (unsigned long long)b->rejected_pio);
	env_printf("  pic: irr %02x/%02x isr %02x/%02x imr %02x/%02x base %02x/%02x int %d\n",
		   m->irr, sl->irr, m->isr, sl->isr, m->imr, sl->imr, m->vector_base,
		   sl->vector_base, b->pic.int_level);
	env_printf("  pit0: mode %u count %u counting %d missed %llu\n", c0->mode,
		   (unsigned)c0->count, c0->counting, (unsigned long long)b->pit.missed_irqs);
	env_printf("  rtc: a %02x b %02x c %02x; com1: ier %02x mcr %02x drops %llu/%llu\n",
		   b->rtc.cmos[0x0a], b->rtc.cmos[0x0b], b->rtc.cmos[0x0c], b->com1.ier,
		   b->com1.mcr, (unsigned long long)b->com1.tx_drops,
		   (unsigned long long)b->com1.rx_drops);
	for (unsigned i = 0; i < VIOAPIC_PINS; i++) {
		uint64_t e = b->ioapic.redir[i];
		if (!(e & (1ull << 16)))
			env_printf("  ioapic pin %u: %016llx line %u\n", i,
				   (unsigned long long)e, (b->ioapic.lines >> i) & 1);
	}
	for (unsigned i = 0; i < b->ncpus; i++) {
		const struct vlapic *l = &b->lapic[i];
		env_printf("  lapic %u: mode %d svr %03x tpr %02x ppr %02x pending %d "
			   "lvt-timer %05x tmict %u nmi %d init %d\n",
			   i, (int)vlapic_mode(l), l->svr, l->tpr, vlapic_ppr(l),
			   vlapic_pending_vector(l), l->lvt[VLAPIC_LVT_TIMER], l->tmict,
			   l->nmi_pending, l->init_pending);
	}
}
