/*
 * 82093AA I/O APIC. References are to the Intel 82093AA datasheet (order no.
 * 290566): 3.0 "Register description" (IOREGSEL, IOWIN, IOAPICID 3.2.1,
 * IOAPICVER 3.2.2, IOAPICARB 3.2.3, IOREDTBL 3.2.4) and 2.4 "Interrupt
 * signals" / 3.2.4 for edge/level and remote IRR.
 *
 * Delivery: an unmasked edge pin sends one message per rising edge (an edge
 * that arrives masked is lost, as on the chip). An unmasked level pin sends
 * a message while asserted and Remote IRR is clear, then sets Remote IRR; the
 * local APIC's EOI for that vector clears Remote IRR and, if the pin is still
 * asserted, the message goes out again. Messages leave at once, so Delivery
 * Status always reads idle. Polarity (bit 13) is stored but not applied: the
 * board drives lines as logical "asserted" levels (docs/platform.md).
 */
#include "vmm/dev/ioapic.h"

#define VIOAPIC_IOREGSEL 0x00
#define VIOAPIC_IOWIN 0x10

#define REG_ID 0x00
#define REG_VER 0x01
#define REG_ARB 0x02
#define REG_REDIR 0x10

#define RTE_VECTOR 0xffull
#define RTE_DM_SHIFT 8
#define RTE_LOGICAL (1ull << 11)
#define RTE_DELIVS (1ull << 12)
#define RTE_POLARITY (1ull << 13)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_LEVEL (1ull << 15)
#define RTE_MASK (1ull << 16)
#define RTE_DEST_SHIFT 56
/* Writable low bits: vector, delivery mode, dest mode, polarity, trigger, mask. */
#define RTE_LO_WRITABLE (RTE_VECTOR | (7ull << RTE_DM_SHIFT) | RTE_LOGICAL | RTE_POLARITY | \
			 RTE_LEVEL | RTE_MASK)

/* 3.2.2: version 0x11, maximum redirection entry 23 in bits 23:16. */
#define VIOAPIC_VERSION (0x11u | (uint32_t)(VIOAPIC_PINS - 1) << 16)

static void send(struct vioapic *io, unsigned pin)
{
	uint64_t e = io->redir[pin];
	struct vapic_msg m = {
		.vector = (uint8_t)(e & RTE_VECTOR),
		.delivery = (uint8_t)((e >> RTE_DM_SHIFT) & 7),
		.logical = e & RTE_LOGICAL,
		.level = e & RTE_LEVEL,
		.assert = true,
		.shorthand = VAPIC_SH_NONE,
		.dest = (uint32_t)(e >> RTE_DEST_SHIFT),
	};

	io->deliveries++;
	if (io->deliver)
		io->deliver(io->ctx, &m);
}

/* A level pin that is asserted, unmasked and not awaiting EOI fires. */
static void service_level(struct vioapic *io, unsigned pin)
{
	uint64_t *e = &io->redir[pin];

	if (!(*e & RTE_LEVEL) || (*e & RTE_MASK) || (*e & RTE_REMOTE_IRR))
		return;
	if (!(io->lines & (1u << pin)))
		return;
	*e |= RTE_REMOTE_IRR;
	send(io, pin);
}

void vioapic_init(struct vioapic *io, uint8_t id, vioapic_deliver_fn deliver, void *ctx)
{
	memset(io, 0, sizeof(*io));
	io->id = id & 0x0f;
	io->deliver = deliver;
	io->ctx = ctx;
	for (unsigned i = 0; i < VIOAPIC_PINS; i++)
		io->redir[i] = RTE_MASK; /* 3.2.4: masked after reset */
}

void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level)
{
	uint32_t bit;
	bool rising;

	if (pin >= VIOAPIC_PINS)
		return;
	bit = 1u << pin;
	rising = level && !(io->lines & bit);
	if (level)
		io->lines |= bit;
	else
		io->lines &= ~bit;
	if (io->redir[pin] & RTE_LEVEL)
		service_level(io, pin);
	else if (rising && !(io->redir[pin] & RTE_MASK))
		send(io, pin);
}

static uint32_t read_reg(const struct vioapic *io, uint8_t reg)
{
	unsigned pin;

	switch (reg) {
	case REG_ID:
	case REG_ARB: /* the arbitration ID is loaded from the APIC ID */
		return (uint32_t)io->id << 24;
	case REG_VER:
		return VIOAPIC_VERSION;
	}
	if (reg < REG_REDIR || reg >= REG_REDIR + 2 * VIOAPIC_PINS)
		return 0; /* unimplemented registers read as zero */
	pin = (reg - REG_REDIR) / 2;
	return (reg & 1) ? (uint32_t)(io->redir[pin] >> 32) : (uint32_t)io->redir[pin];
}

static void write_reg(struct vioapic *io, uint8_t reg, uint32_t v)
{
	unsigned pin;
	uint64_t *e;

	if (reg == REG_ID) {
		io->id = (v >> 24) & 0x0f;
		return;
	}
	if (reg < REG_REDIR || reg >= REG_REDIR + 2 * VIOAPIC_PINS)
		return; /* read-only or unimplemented */
	pin = (reg - REG_REDIR) / 2;
	e = &io->redir[pin];
	if (reg & 1) {
		/* Only the destination field (bits 63:56) is implemented. */
		*e = (*e & 0x00000000ffffffffull) | ((uint64_t)(v & 0xff000000u) << 32);
		return;
	}
	*e = (*e & ~RTE_LO_WRITABLE & ~0xffffffffull) | (*e & (RTE_REMOTE_IRR | RTE_DELIVS)) |
	     (v & RTE_LO_WRITABLE);
	if (!(*e & RTE_LEVEL))
		*e &= ~RTE_REMOTE_IRR; /* Remote IRR is undefined for edge */
	service_level(io, pin);      /* unmasking an asserted level pin fires */
}

int vioapic_mmio(struct vioapic *io, uint64_t offset, unsigned size, bool write, uint32_t *val)
{
	if (size != 4)
		return -EINVAL;
	switch (offset) {
	case VIOAPIC_IOREGSEL:
		if (write)
			io->ioregsel = (uint8_t)*val;
		else
			*val = io->ioregsel;
		return 0;
	case VIOAPIC_IOWIN:
		if (write)
			write_reg(io, io->ioregsel, *val);
		else
			*val = read_reg(io, io->ioregsel);
		return 0;
	default:
		if (!write)
			*val = 0; /* rest of the page: reads 0, writes ignored */
		return 0;
	}
}

void vioapic_eoi(struct vioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t *e = &io->redir[pin];

		if ((*e & RTE_VECTOR) != vector || !(*e & RTE_REMOTE_IRR))
			continue;
		*e &= ~RTE_REMOTE_IRR;
		service_level(io, pin);
	}
}
