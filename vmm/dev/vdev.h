/*
 * The seam between Ditto's PC device models (vmm/dev/) and the rest of the
 * monitor: the VMX exit handlers, the per-VM timer and the console.
 *
 * Every model is plain host-testable C that includes only ditto/env.h and
 * this header. The rules all models follow:
 *
 *  - Time is injected. Every call that can observe time takes `now_ns`, the
 *    guest's monotonic time in nanoseconds (the integration decides what that
 *    is, e.g. host time minus time the VM spent descheduled). A model with a
 *    timer reports its next deadline through a `*_next_event_ns()` call
 *    (VDEV_NEVER if none) and catches up through a `*_tick(now_ns)` call.
 *    No model reads a global clock, so tests step time by hand.
 *  - Interrupt outputs are `struct virq_line`s: a callback with a level. The
 *    PC wiring of lines (PIT OUT0 -> PIC IRQ0 and IOAPIC pin 2, ...) is
 *    written once, in board.c.
 *  - Register accesses return 0 when handled and a negative errno when the
 *    model rejects the access (-EINVAL: bad width/offset, or for MSRs "inject
 *    #GP(0)"; -ENOENT: no device decodes this MSR/address/port). Models
 *    never crash on guest input and every guest-controlled loop or buffer is
 *    bounded.
 *  - Side effects that need the integration (reset, power-off, debug exit)
 *    are posted to a `struct vdev_requests` the caller polls.
 */
#ifndef DITTO_VMM_DEV_VDEV_H
#define DITTO_VMM_DEV_VDEV_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "ditto/env.h"

#define VDEV_NEVER UINT64_MAX
#define VDEV_NS_PER_SEC 1000000000ull

/* ------------------------------------------------------------ time */

/*
 * The guest clock of one VM, for code that dispatches on behalf of a vCPU
 * (board.c) rather than taking `now_ns` as an argument like the models do.
 */
struct vclock {
	uint64_t (*now_ns)(void *ctx);
	void *ctx;
};

static inline uint64_t vclock_now(const struct vclock *c)
{
	return c->now_ns ? c->now_ns(c->ctx) : 0;
}

/* ------------------------------------------------------------ interrupts */

/*
 * One interrupt wire. `set(ctx, pin, level)` is called with the new level of
 * the wire whenever the model drives it (models may repeat a level; sinks
 * detect edges themselves, as the PIC and IOAPIC do). A line with no `set`
 * is unconnected.
 */
struct virq_line {
	void (*set)(void *ctx, unsigned pin, bool level);
	void *ctx;
	unsigned pin;
};

static inline void virq_line_set(const struct virq_line *l, bool level)
{
	if (l->set)
		l->set(l->ctx, l->pin, level);
}

/* An edge-triggered event on a wire: high then low. */
static inline void virq_line_pulse(const struct virq_line *l)
{
	virq_line_set(l, true);
	virq_line_set(l, false);
}

/*
 * An interrupt message on the APIC bus (IOAPIC redirection entry, LAPIC ICR),
 * SDM Vol. 3A 10.6.1 and 82093AA datasheet 3.2.4. `dest` is the 8-bit xAPIC
 * destination or the 32-bit x2APIC one.
 */
enum vapic_dm {
	VAPIC_DM_FIXED = 0,
	VAPIC_DM_LOWEST = 1,
	VAPIC_DM_SMI = 2,
	VAPIC_DM_NMI = 4,
	VAPIC_DM_INIT = 5,
	VAPIC_DM_SIPI = 6,
	VAPIC_DM_EXTINT = 7,
};

enum vapic_shorthand {
	VAPIC_SH_NONE = 0,
	VAPIC_SH_SELF = 1,
	VAPIC_SH_ALL = 2,
	VAPIC_SH_OTHERS = 3,
};

struct vapic_msg {
	uint8_t vector;
	uint8_t delivery;  /* enum vapic_dm */
	bool logical;      /* destination mode: false = physical */
	bool level;        /* trigger mode: true = level */
	bool assert;       /* level bit of the ICR (INIT de-assert has 0) */
	uint8_t shorthand; /* enum vapic_shorthand (ICR only) */
	uint32_t dest;
};

/* ------------------------------------------------------------ requests */

enum vdev_request {
	VDEV_REQ_RESET = 1u << 0,    /* 0xcf9, port 0x92, 8042 pulse */
	VDEV_REQ_POWEROFF = 1u << 1, /* ACPI PM1 SLP_EN with SLP_TYP = S5 */
	VDEV_REQ_EXIT = 1u << 2,     /* isa-debug-exit, status in exit_status */
};

struct vdev_requests {
	unsigned pending; /* enum vdev_request bits */
	uint32_t exit_status;
};

static inline void vdev_request(struct vdev_requests *r, unsigned what)
{
	if (r)
		r->pending |= what;
}

/* ------------------------------------------------------------ helpers */

/* Mask a 32-bit port value to an access of `size` bytes (1, 2 or 4). */
static inline uint32_t vdev_size_mask(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

static inline bool vdev_size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4;
}

/*
 * floor(a * b / c) without 128-bit division (the kernel links no libgcc) and
 * without overflow as long as b * c < 2^64, which holds for every frequency
 * pair used here (ns and clocks below 18 GHz).
 */
static inline uint64_t vdev_muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	return (a / c) * b + ((a % c) * b) / c;
}

/* ceil(a * b / c), same preconditions. */
static inline uint64_t vdev_muldiv_ceil(uint64_t a, uint64_t b, uint64_t c)
{
	return (a / c) * b + ((a % c) * b + c - 1) / c;
}

static inline uint64_t vdev_min_deadline(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline uint8_t vdev_bcd(unsigned v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static inline unsigned vdev_from_bcd(uint8_t v)
{
	return (unsigned)(v >> 4) * 10 + (v & 0xf);
}

#endif
