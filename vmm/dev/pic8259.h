/*
 * 8259A programmable interrupt controller pair of a PC: master at 0x20/0x21,
 * slave at 0xa0/0xa1 cascaded on master IR2, edge/level control (ELCR) at
 * 0x4d0/0x4d1 as on the PIIX/ICH south bridges.
 */
#ifndef DITTO_VMM_DEV_PIC8259_H
#define DITTO_VMM_DEV_PIC8259_H

#include "vmm/dev/vdev.h"

struct vpic_chip {
	uint8_t irr, isr, imr;
	uint8_t lines;        /* current input levels */
	uint8_t edge_seen;    /* edge sense latch: input was high at last look */
	uint8_t elcr, elcr_mask;
	uint8_t vector_base;  /* ICW2 bits 7:3 */
	uint8_t prio_add;     /* IR number with the highest priority */
	uint8_t icw3;
	uint8_t init_step;    /* 0 = operational, 2..4 = expecting ICWn */
	bool icw4_needed, single;
	bool auto_eoi, rotate_on_aeoi, special_mask, sfnm;
	bool read_isr, poll;
	bool is_slave;
};

struct vpic_pair {
	struct vpic_chip chip[2]; /* 0 master, 1 slave */
	bool int_level;          /* INT output of the master */
	struct virq_line intr;    /* -> CPU INTR / LAPIC LINT0 */
};

void vpic_init(struct vpic_pair *p, struct virq_line intr);
/* ISA input `irq` (0..15) at `level`; IRQ2 is the cascade and is ignored. */
void vpic_set_irq(struct vpic_pair *p, unsigned irq, bool level);
/* Ports 0x20, 0x21, 0xa0, 0xa1 (8-bit), 0x4d0, 0x4d1 (8-bit). */
int vpic_pio(struct vpic_pair *p, uint16_t port, unsigned size, bool write, uint32_t *val);
/* Would INTA give a vector now? (= INT output level) */
bool vpic_int_pending(const struct vpic_pair *p);
/* The vector the next INTA would return, without acknowledging. */
uint8_t vpic_peek_vector(const struct vpic_pair *p);
/* The CPU's interrupt acknowledge cycle: returns the vector (or a spurious
 * IRQ7/IRQ15 vector) and updates ISR/IRR. */
uint8_t vpic_intack(struct vpic_pair *p);

#endif
