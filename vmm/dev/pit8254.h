/*
 * 8254 programmable interval timer (ports 0x40-0x43) and the PC's port 0x61
 * (channel-2 gate, speaker enable, OUT2 readback). Counters are computed
 * from injected guest time; channel 0's OUT rising edges pulse IRQ0.
 */
#ifndef DITTO_VMM_DEV_PIT8254_H
#define DITTO_VMM_DEV_PIT8254_H

#include "vmm/dev/vdev.h"

#define VPIT_HZ 1193182u /* 14.31818 MHz / 12 */

struct vpit_channel {
	uint8_t mode, rw, bcd;  /* control word fields */
	uint32_t count;         /* reload value, 0 already mapped to 2^16 / 10^4 */
	bool counting;          /* a count is loaded and the CE runs */
	bool triggered;         /* modes 1 and 5: a gate edge started the CE */
	bool null_count;
	bool gate;
	bool paused;            /* mode 0/4 with gate low: CE holds */
	uint64_t load_ns;       /* time the CE was (re)loaded */
	uint64_t hold_ticks;    /* elapsed ticks frozen while paused */
	uint8_t wlsb;           /* first byte of a lo/hi count */
	bool wflip, rflip;
	bool count_latched, status_latched;
	uint16_t latch;
	uint8_t status;
	bool latch_flip;
	uint64_t edges_done;    /* OUT rising edges already signalled (ch 0) */
};

struct vpit {
	struct vpit_channel ch[3];
	uint8_t port61;         /* bits 3:0 as written */
	uint64_t missed_irqs;   /* IRQ0 edges coalesced by a late tick */
	struct virq_line irq0;
};

void vpit_init(struct vpit *p, struct virq_line irq0);
/* Ports 0x40-0x43 and 0x61, 8-bit accesses (-EINVAL otherwise). */
int vpit_pio(struct vpit *p, uint16_t port, unsigned size, bool write, uint32_t *val,
	    uint64_t now_ns);
/* Signals channel-0 edges due by now. */
void vpit_tick(struct vpit *p, uint64_t now_ns);
/* Time of the next channel-0 OUT rising edge, VDEV_NEVER if none. */
uint64_t vpit_next_event_ns(const struct vpit *p, uint64_t now_ns);
/* Channel output and counter value at `now` (tests, port 0x61). */
bool vpit_out(const struct vpit *p, unsigned ch, uint64_t now_ns);
uint16_t vpit_counter(const struct vpit *p, unsigned ch, uint64_t now_ns);

#endif
