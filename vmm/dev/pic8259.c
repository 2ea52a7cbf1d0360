/*
 * 8259A PIC pair. Section references are to the Intel 8259A datasheet
 * (order no. 231468): "Interrupt sequence", "Programming the 8259A"
 * (ICW1-ICW4, OCW1-OCW3), "Priority modes", "Edge and level triggered
 * modes", "Reading the 8259A status", "Poll command", and to the Intel PIIX
 * datasheet for the edge/level control registers (ELCR1/2, ports 0x4d0/1).
 *
 * Priority resolution: IRs are ranked starting at `prio_add` (the IR with the
 * highest priority; 0 after ICW1, moved by the rotate commands). An IR in IRR
 * and not in IMR is delivered when it ranks above every IR in service (ISR),
 * except that special mask mode ignores masked ISR bits and special fully
 * nested mode lets the master take a new request from the slave (IR2) while
 * one is in service. The slave's INT output is the master's IR2 input.
 */
#include "vmm/dev/pic8259.h"

#define VPIC_CASCADE_IR 2

/* Rank of the highest-priority set bit of mask (0 = highest), 8 if none. */
static unsigned chip_rank(const struct vpic_chip *c, uint8_t mask)
{
	for (unsigned i = 0; i < 8; i++)
		if (mask & (1u << ((i + c->prio_add) & 7)))
			return i;
	return 8;
}

/* The IR the chip would deliver now, or -1. */
static int chip_pending(const struct vpic_chip *c)
{
	uint8_t in_service = c->isr;
	unsigned req = chip_rank(c, c->irr & ~c->imr);

	if (req == 8)
		return -1;
	if (c->special_mask)
		in_service &= ~c->imr; /* OCW3 ESMM/SMM: masked levels are not blocking */
	if (!c->is_slave && c->sfnm)
		in_service &= (uint8_t)~(1u << VPIC_CASCADE_IR);
	if (req < chip_rank(c, in_service))
		return (int)((req + c->prio_add) & 7);
	return -1;
}

/*
 * One input. Edge-triggered IRs latch a rising edge into IRR (which stays set
 * until INTA, even if the line drops: the datasheet's spurious-IR7 case when a
 * request vanishes before INTA is not modelled); level-triggered IRs follow
 * the line ("Edge and level triggered modes").
 */
static void chip_set_input(struct vpic_chip *c, unsigned ir, bool level)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (level) {
		if ((c->elcr & bit) || !(c->lines & bit))
			c->irr |= bit;
		c->lines |= bit;
	} else {
		if (c->elcr & bit)
			c->irr &= (uint8_t)~bit;
		c->lines &= (uint8_t)~bit;
	}
}

static void vpic_update(struct vpic_pair *p)
{
	bool level;

	chip_set_input(&p->chip[0], VPIC_CASCADE_IR, chip_pending(&p->chip[1]) >= 0);
	level = chip_pending(&p->chip[0]) >= 0;
	if (level != p->int_level) {
		p->int_level = level;
		virq_line_set(&p->intr, level);
	}
}

/* INTA for one chip: ISR set (unless auto-EOI), edge IRR cleared. */
static void chip_ack(struct vpic_chip *c, unsigned ir)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->prio_add = (uint8_t)((ir + 1) & 7);
	} else {
		c->isr |= bit;
	}
	if (!(c->elcr & bit))
		c->irr &= (uint8_t)~bit;
}

static void chip_reset(struct vpic_chip *c)
{
	bool slave = c->is_slave;
	uint8_t mask = c->elcr_mask, elcr = c->elcr, lines = c->lines;

	memset(c, 0, sizeof(*c));
	c->is_slave = slave;
	c->elcr_mask = mask;
	c->elcr = elcr;
	c->lines = lines;
	c->irr = lines & elcr;
}

void vpic_init(struct vpic_pair *p, struct virq_line intr)
{
	memset(p, 0, sizeof(*p));
	p->intr = intr;
	p->chip[0].elcr_mask = 0xf8; /* IRQ0-2 are edge only (PIIX ELCR1) */
	p->chip[1].elcr_mask = 0xde; /* IRQ8 and IRQ13 are edge only (ELCR2) */
	p->chip[1].is_slave = true;
	chip_reset(&p->chip[0]);
	chip_reset(&p->chip[1]);
	p->chip[1].vector_base = 0x08; /* harmless defaults until ICW2 */
}

void vpic_set_irq(struct vpic_pair *p, unsigned irq, bool level)
{
	if (irq >= 16 || irq == VPIC_CASCADE_IR)
		return;
	chip_set_input(&p->chip[irq >> 3], irq & 7, level);
	vpic_update(p);
}

/* ICW1 (A0 = 0, D4 = 1): starts the initialization sequence. */
static void write_icw1(struct vpic_chip *c, uint8_t v)
{
	chip_reset(c);
	c->icw4_needed = v & 0x01;
	c->single = v & 0x02;
	/* D3 LTIM (level mode for all IRs) is superseded on a PC by the ELCR. */
	c->init_step = 2;
}

/* OCW2 (A0 = 0, D4 = D3 = 0): EOI and rotation commands, bits R SL EOI. */
static void write_ocw2(struct vpic_chip *c, uint8_t v)
{
	unsigned level = v & 7, rank;

	switch (v >> 5) {
	case 0: /* clear rotate in automatic EOI mode */
		c->rotate_on_aeoi = false;
		break;
	case 4: /* set rotate in automatic EOI mode */
		c->rotate_on_aeoi = true;
		break;
	case 1: /* non-specific EOI: the highest-priority ISR bit */
	case 5: /* rotate on non-specific EOI */
		rank = chip_rank(c, c->isr);
		if (rank == 8)
			break;
		level = (rank + c->prio_add) & 7;
		c->isr &= (uint8_t)~(1u << level);
		if (v >> 5 == 5)
			c->prio_add = (uint8_t)((level + 1) & 7);
		break;
	case 3: /* specific EOI */
		c->isr &= (uint8_t)~(1u << level);
		break;
	case 7: /* rotate on specific EOI */
		c->isr &= (uint8_t)~(1u << level);
		c->prio_add = (uint8_t)((level + 1) & 7);
		break;
	case 6: /* set priority: `level` becomes the lowest */
		c->prio_add = (uint8_t)((level + 1) & 7);
		break;
	default: /* 2: no operation */
		break;
	}
}

/* OCW3 (A0 = 0, D4 = 0, D3 = 1): ESMM SMM, P, RR RIS. */
static void write_ocw3(struct vpic_chip *c, uint8_t v)
{
	if (v & 0x04)
		c->poll = true;
	if (v & 0x02)
		c->read_isr = v & 0x01;
	if (v & 0x40)
		c->special_mask = v & 0x20;
}

static void write_data(struct vpic_chip *c, uint8_t v)
{
	switch (c->init_step) {
	case 2: /* ICW2: T7-T3 of the vectors */
		c->vector_base = v & 0xf8;
		c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
		break;
	case 3: /* ICW3: cascade wiring (fixed to IR2 on a PC) */
		c->icw3 = v;
		c->init_step = c->icw4_needed ? 4 : 0;
		break;
	case 4: /* ICW4: uPM (x86 mode assumed), AEOI, BUF/MS, SFNM */
		c->auto_eoi = v & 0x02;
		c->sfnm = v & 0x10;
		c->init_step = 0;
		break;
	default: /* OCW1: interrupt mask */
		c->imr = v;
		break;
	}
}

/* Poll command: the read acts as INTA for this chip ("Poll command"). */
static uint8_t read_poll(struct vpic_chip *c)
{
	int ir = chip_pending(c);

	c->poll = false;
	if (ir < 0)
		return 0;
	chip_ack(c, (unsigned)ir);
	return (uint8_t)(0x80 | ir);
}

int vpic_pio(struct vpic_pair *p, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	struct vpic_chip *c;
	uint8_t v = (uint8_t)*val;

	if (size != 1)
		return -EINVAL;
	if (port == 0x4d0 || port == 0x4d1) {
		c = &p->chip[port & 1];
		if (!write) {
			*val = c->elcr;
			return 0;
		}
		c->elcr = v & c->elcr_mask;
		c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->lines & c->elcr));
		vpic_update(p);
		return 0;
	}
	switch (port) {
	case 0x20: case 0x21: c = &p->chip[0]; break;
	case 0xa0: case 0xa1: c = &p->chip[1]; break;
	default: return -EINVAL;
	}
	if (write) {
		if (port & 1)
			write_data(c, v);
		else if (v & 0x10)
			write_icw1(c, v);
		else if (v & 0x08)
			write_ocw3(c, v);
		else
			write_ocw2(c, v);
	} else if (port & 1) {
		*val = c->imr;
	} else if (c->poll) {
		*val = read_poll(c);
	} else {
		*val = c->read_isr ? c->isr : c->irr;
	}
	vpic_update(p);
	return 0;
}

bool vpic_int_pending(const struct vpic_pair *p)
{
	return chip_pending(&p->chip[0]) >= 0;
}

/* "Interrupt sequence": the master resolves; IR2 hands the vector to the
 * slave; nothing left to deliver gives the IR7 vector without ISR. */
static uint8_t resolve(struct vpic_pair *p, bool ack)
{
	struct vpic_chip *m = &p->chip[0], *s = &p->chip[1];
	int ir = chip_pending(m), sir;

	if (ir < 0)
		return m->vector_base | 7;
	if (ack)
		chip_ack(m, (unsigned)ir);
	if (ir != VPIC_CASCADE_IR || m->single)
		return (uint8_t)(m->vector_base | ir);
	sir = chip_pending(s);
	if (sir < 0)
		return s->vector_base | 7; /* spurious IRQ15 */
	if (ack)
		chip_ack(s, (unsigned)sir);
	return (uint8_t)(s->vector_base | sir);
}

uint8_t vpic_peek_vector(const struct vpic_pair *p)
{
	return resolve((struct vpic_pair *)p, false);
}

uint8_t vpic_intack(struct vpic_pair *p)
{
	uint8_t vec = resolve(p, true);

	vpic_update(p);
	return vec;
}
