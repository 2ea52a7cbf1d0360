/*
 * 8254 PIT. References are to the Intel 82C54 datasheet (order no. 231244):
 * "Control word format", "Write operations", "Read operations" (counter
 * latch command, read-back command, status byte), "Mode definitions" (modes
 * 0-5), and to the IBM PC/AT technical reference for port 0x61.
 *
 * Overview: a channel stores its count N and the time its counting element
 * was loaded; the elapsed CLK ticks d = (now - load) * 1.193182 MHz give the
 * counter value and OUT as closed forms of d per mode:
 *   mode 0  CE = N - d (wrapping), OUT high once d >= N (terminal count)
 *   mode 1  as mode 0 but started by a gate rising edge (one-shot)
 *   mode 2  CE = N - d mod N, OUT low for the tick where CE = 1; period N
 *   mode 3  square wave of period N: high for ceil(N/2), low for floor(N/2)
 *   mode 4  CE = N - d, OUT low only during tick N (software strobe)
 *   mode 5  as mode 4 but started by a gate rising edge
 * OUT0 rising edges (d = N for mode 0, d = kN for modes 2/3, N + 1 for mode
 * 4) are signalled to IRQ0 as pulses by vpit_tick. Simplifications (documented
 * in docs/platform.md): the CE is loaded at the write, not at the next CLK; a
 * new count in modes 2/3 takes effect at once, not at the end of the period.
 */
#include "vmm/dev/pit8254.h"

#define VPIT_PORT_CTRL 0x43

static uint32_t max_count(const struct vpit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

static uint64_t elapsed_ticks(const struct vpit_channel *c, uint64_t now)
{
	if (c->paused)
		return c->hold_ticks;
	if (now <= c->load_ns)
		return 0;
	return vdev_muldiv(now - c->load_ns, VPIT_HZ, VDEV_NS_PER_SEC);
}

/* Modes 1 and 5 run only after a gate trigger; others while counting. */
static bool running(const struct vpit_channel *c)
{
	if (!c->counting)
		return false;
	if (c->mode == 1 || c->mode == 5)
		return c->triggered;
	return true;
}

static uint16_t ce_value(const struct vpit_channel *c, uint64_t now)
{
	uint64_t d, n = c->count;
	uint32_t v;

	if (!running(c))
		return (uint16_t)(c->count % max_count(c));
	d = elapsed_ticks(c, now);
	switch (c->mode) {
	case 2:
		v = (uint32_t)(n - d % n);
		break;
	case 3:
		v = (uint32_t)(n - (2 * d) % n) & ~1u;
		break;
	default: /* 0, 1, 4, 5: count down through 0 and wrap */
		v = (uint32_t)((n + max_count(c) - d % max_count(c)) % max_count(c));
		break;
	}
	return (uint16_t)(v % max_count(c));
}

static bool out_level(const struct vpit_channel *c, uint64_t now)
{
	uint64_t d, n = c->count;

	if (!c->counting)
		return c->mode != 0; /* mode 0: low after control word; else high */
	if ((c->mode == 2 || c->mode == 3) && !c->gate)
		return true; /* gate low forces OUT high (modes 2, 3) */
	if (!running(c))
		return true;
	d = elapsed_ticks(c, now);
	switch (c->mode) {
	case 0:
	case 1:
		return d >= n;
	case 2:
		return d % n != n - 1;
	case 3:
		return d % n < (n + 1) / 2;
	default: /* 4, 5 */
		return d != n;
	}
}

/* OUT rising edges from load to d ticks. */
static uint64_t edges_upto(const struct vpit_channel *c, uint64_t d)
{
	uint64_t n = c->count;

	switch (c->mode) {
	case 0:
	case 1:
		return d >= n;
	case 2:
	case 3:
		return d / n;
	default:
		return d >= n + 1;
	}
}

/* d at which edge number k (1-based) happens, or UINT64_MAX. */
static uint64_t edge_tick(const struct vpit_channel *c, uint64_t k)
{
	uint64_t n = c->count;

	switch (c->mode) {
	case 0:
	case 1:
		return k == 1 ? n : UINT64_MAX;
	case 2:
	case 3:
		return k * n;
	default:
		return k == 1 ? n + 1 : UINT64_MAX;
	}
}

static void load_count(struct vpit_channel *c, uint32_t raw, uint64_t now)
{
	if (c->bcd)
		raw = vdev_from_bcd((uint8_t)raw) + 100 * vdev_from_bcd((uint8_t)(raw >> 8));
	c->count = raw ? raw : max_count(c);
	/* Count 1 is illegal in modes 2 and 3 ("Mode definitions"). */
	if ((c->mode == 2 || c->mode == 3) && c->count == 1)
		c->count = 2;
	c->counting = true;
	c->null_count = false;
	c->load_ns = now;
	c->paused = false;
	c->edges_done = 0;
	if ((c->mode == 0 || c->mode == 4) && !c->gate) {
		c->paused = true;
		c->hold_ticks = 0;
	}
}

static void write_count(struct vpit_channel *c, uint8_t v, uint64_t now)
{
	switch (c->rw) {
	case 1:
		load_count(c, v, now);
		break;
	case 2:
		load_count(c, (uint32_t)v << 8, now);
		break;
	default:
		if (!c->wflip) {
			c->wlsb = v;
			c->wflip = true;
			if (c->mode == 0)
				c->counting = false; /* first byte stops mode 0 */
		} else {
			c->wflip = false;
			load_count(c, c->wlsb | (uint32_t)v << 8, now);
		}
		break;
	}
}

static uint8_t bcd_or_bin(const struct vpit_channel *c, uint16_t v, bool hi)
{
	if (c->bcd) /* BCD counter: 4 decades */
		v = (uint16_t)(vdev_bcd(v % 100) | vdev_bcd((v / 100) % 100) << 8);
	return hi ? (uint8_t)(v >> 8) : (uint8_t)v;
}

static uint8_t read_count(struct vpit_channel *c, uint64_t now)
{
	uint8_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->count_latched) {
		if (c->rw == 3 && !c->latch_flip) {
			c->latch_flip = true;
			return bcd_or_bin(c, c->latch, false);
		}
		c->count_latched = false;
		c->latch_flip = false;
		return bcd_or_bin(c, c->latch, c->rw == 2 || c->rw == 3);
	}
	if (c->rw == 3) {
		v = bcd_or_bin(c, ce_value(c, now), c->rflip);
		c->rflip = !c->rflip;
		return v;
	}
	return bcd_or_bin(c, ce_value(c, now), c->rw == 2);
}

static void latch_count(struct vpit_channel *c, uint64_t now)
{
	if (c->count_latched)
		return; /* a second latch before reading is ignored */
	c->count_latched = true;
	c->latch_flip = false;
	c->latch = ce_value(c, now);
}

static void latch_status(struct vpit_channel *c, uint64_t now)
{
	if (c->status_latched)
		return;
	c->status_latched = true;
	c->status = (uint8_t)((out_level(c, now) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
			      c->rw << 4 | c->mode << 1 | c->bcd);
}

static void write_control(struct vpit *p, uint8_t v, uint64_t now)
{
	unsigned sc = v >> 6, rw = (v >> 4) & 3;
	struct vpit_channel *c;

	if (sc == 3) { /* read-back: bit 5 = !COUNT, bit 4 = !STATUS, 3:1 = CNT2..0 */
		for (unsigned i = 0; i < 3; i++) {
			if (!(v & (2u << i)))
				continue;
			if (!(v & 0x20))
				latch_count(&p->ch[i], now);
			if (!(v & 0x10))
				latch_status(&p->ch[i], now);
		}
		return;
	}
	c = &p->ch[sc];
	if (rw == 0) {
		latch_count(c, now);
		return;
	}
	c->rw = (uint8_t)rw;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4; /* 110 and 111 are modes 2 and 3 */
	c->bcd = v & 1;
	c->counting = false;
	c->triggered = false;
	c->null_count = true;
	c->wflip = c->rflip = false;
	c->count_latched = c->status_latched = false;
	c->paused = false;
}

static void set_gate(struct vpit_channel *c, bool gate, uint64_t now)
{
	bool rising = gate && !c->gate;

	if (gate == c->gate)
		return;
	if (c->counting && (c->mode == 0 || c->mode == 4)) {
		if (!gate) { /* gate low suspends counting */
			c->hold_ticks = elapsed_ticks(c, now);
			c->paused = true;
		} else if (c->paused) {
			c->paused = false;
			c->load_ns = now - vdev_muldiv(c->hold_ticks, VDEV_NS_PER_SEC, VPIT_HZ);
			if (c->load_ns > now)
				c->load_ns = now;
		}
	}
	c->gate = gate;
	/* A rising edge (re)starts modes 1, 2, 3 and 5 from N. */
	if (rising && c->counting && c->mode != 0 && c->mode != 4) {
		c->load_ns = now;
		c->triggered = true;
		c->edges_done = 0;
	}
}

void vpit_init(struct vpit *p, struct virq_line irq0)
{
	memset(p, 0, sizeof(*p));
	p->irq0 = irq0;
	for (unsigned i = 0; i < 3; i++) {
		p->ch[i].rw = 3;
		p->ch[i].count = 65536;
		p->ch[i].gate = i != 2; /* channels 0, 1: gate tied high */
	}
}

bool vpit_out(const struct vpit *p, unsigned ch, uint64_t now_ns)
{
	return ch < 3 && out_level(&p->ch[ch], now_ns);
}

uint16_t vpit_counter(const struct vpit *p, unsigned ch, uint64_t now_ns)
{
	return ch < 3 ? ce_value(&p->ch[ch], now_ns) : 0;
}

/* IBM PC/AT port 0x61: bit 4 toggles with DRAM refresh every 15.085 us. */
static uint8_t read_port61(const struct vpit *p, uint64_t now)
{
	uint8_t v = p->port61 & 0x0f;

	if ((now / 15085) & 1)
		v |= 0x10;
	if (out_level(&p->ch[2], now))
		v |= 0x20;
	return v;
}

int vpit_pio(struct vpit *p, uint16_t port, unsigned size, bool write, uint32_t *val,
	    uint64_t now_ns)
{
	uint8_t v = (uint8_t)*val;

	if (size != 1)
		return -EINVAL;
	if (port == 0x61) {
		if (write) {
			p->port61 = v & 0x0f;
			set_gate(&p->ch[2], v & 1, now_ns);
		} else {
			*val = read_port61(p, now_ns);
		}
		return 0;
	}
	if (port < 0x40 || port > VPIT_PORT_CTRL)
		return -EINVAL;
	if (port == VPIT_PORT_CTRL) {
		if (write)
			write_control(p, v, now_ns);
		else
			*val = 0xff; /* the control register cannot be read */
		return 0;
	}
	if (write)
		write_count(&p->ch[port - 0x40], v, now_ns);
	else
		*val = read_count(&p->ch[port - 0x40], now_ns);
	return 0;
}

void vpit_tick(struct vpit *p, uint64_t now_ns)
{
	struct vpit_channel *c = &p->ch[0];
	uint64_t e;

	if (!running(c) || c->paused)
		return;
	e = edges_upto(c, elapsed_ticks(c, now_ns));
	if (e <= c->edges_done)
		return;
	p->missed_irqs += e - c->edges_done - 1;
	c->edges_done = e;
	virq_line_pulse(&p->irq0);
}

uint64_t vpit_next_event_ns(const struct vpit *p, uint64_t now_ns)
{
	const struct vpit_channel *c = &p->ch[0];
	uint64_t d;

	if (!running(c) || c->paused)
		return VDEV_NEVER;
	d = edge_tick(c, c->edges_done + 1);
	if (d == UINT64_MAX)
		return VDEV_NEVER;
	return c->load_ns + vdev_muldiv_ceil(d, VDEV_NS_PER_SEC, VPIT_HZ);
}
