#ifndef DRIVERS_LAPIC_H
#define DRIVERS_LAPIC_H
#include <stdbool.h>
#include <stdint.h>
/* Map and enable this CPU's local APIC (xAPIC mode), spurious vector set. */
int lapic_init(uint64_t phys);
void lapic_enable_this_cpu(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
/* Periodic timer at `hz` (after calibration), vector VEC_TIMER. */
void lapic_timer_periodic(uint32_t hz);
void lapic_timer_stop(void);
void lapic_timer_oneshot_ns(uint64_t delta_ns);
/* Send an IPI (SDM Vol. 3A 10.6.1); waits (bounded) for delivery. */
int lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);
extern uint64_t lapic_timer_hz; /* timer input clock after divide-by-16 */
#endif
