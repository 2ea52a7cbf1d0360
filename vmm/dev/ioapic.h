/*
 * 82093AA I/O APIC register model: 24 redirection pins, IOREGSEL at offset
 * 0x00 and IOWIN at 0x10 of its MMIO page (0xfec00000 on a PC).
 */
#ifndef DITTO_VMM_DEV_IOAPIC_H
#define DITTO_VMM_DEV_IOAPIC_H

#include "vmm/dev/vdev.h"

#define IOAPIC_PINS 24
#define IOAPIC_DEFAULT_BASE 0xfec00000u

typedef void (*ioapic_deliver_fn)(void *ctx, const struct apic_msg *m);

struct ioapic {
	uint8_t id;
	uint8_t ioregsel;
	uint64_t redir[IOAPIC_PINS];
	uint32_t lines;      /* input levels (logical: asserted = 1) */
	uint64_t deliveries; /* messages sent (tests, statistics) */
	ioapic_deliver_fn deliver;
	void *ctx;
};

void ioapic_init(struct ioapic *io, uint8_t id, ioapic_deliver_fn deliver, void *ctx);
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);
/* Offset within the page; 32-bit accesses to 0x00 and 0x10 only. */
int ioapic_mmio(struct ioapic *io, uint64_t offset, unsigned size, bool write, uint32_t *val);
/* A LAPIC's EOI of a level-triggered `vector` (the EOI message). */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

#endif
