/*
 * Internals shared by lapic.c (registers, delivery) and lapic_timer.c only;
 * everything else uses vmm/dev/lapic.h.
 */
#ifndef DITTO_VMM_DEV_LAPIC_PRIV_H
#define DITTO_VMM_DEV_LAPIC_PRIV_H

#include "vmm/dev/lapic.h"

#define VLAPIC_LVT_MASKED (1u << 16)
#define VLAPIC_TIMER_MODE(v) (((v) >> 17) & 3) /* LVT timer bits 18:17 */
#define VLAPIC_TIMER_ONESHOT 0
#define VLAPIC_TIMER_PERIODIC 1
#define VLAPIC_TIMER_TSC_DEADLINE 2

/* A fixed interrupt into IRR (edge or level), with the acceptance rules. */
void vlapic_accept_fixed(struct vlapic *l, uint8_t vector, bool level);

unsigned vlapic_timer_mode(const struct vlapic *l);
uint32_t vlapic_timer_current(const struct vlapic *l, uint64_t now);
void vlapic_timer_start(struct vlapic *l, uint32_t count, uint64_t now);
void vlapic_timer_set_divide(struct vlapic *l, uint32_t v, uint64_t now);

#endif
