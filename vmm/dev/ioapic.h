/*
 * 82093AA I/O APIC register model: 24 redirection pins, IOREGSEL at offset
 * 0x00 and IOWIN at 0x10 of its MMIO page (0xfec00000 on a PC).
 */
#ifndef DITTO_VMM_DEV_IOAPIC_H
#define DITTO_VMM_DEV_IOAPIC_H

#include "vmm/dev/vdev.h"

#define VIOAPIC_PINS 24
#define VIOAPIC_DEFAULT_BASE 0xfec00000u

typedef void (*vioapic_deliver_fn)(void *ctx, const struct vapic_msg *m);

struct vioapic {
	uint8_t id;
	uint8_t ioregsel;
	uint64_t redir[VIOAPIC_PINS];
	uint32_t lines;      /* input levels (logical: asserted = 1) */
	uint64_t deliveries; /* messages sent (tests, statistics) */
	vioapic_deliver_fn deliver;
	void *ctx;
};

void vioapic_init(struct vioapic *io, uint8_t id, vioapic_deliver_fn deliver, void *ctx);
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level);
/* Offset within the page; 32-bit accesses to 0x00 and 0x10 only. */
int vioapic_mmio(struct vioapic *io, uint64_t offset, unsigned size, bool write, uint32_t *val);
/* A LAPIC's EOI of a level-triggered `vector` (the EOI message). */
void vioapic_eoi(struct vioapic *io, uint8_t vector);

#endif
