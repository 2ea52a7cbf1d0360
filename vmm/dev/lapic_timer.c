/*
 * Local APIC timer (Intel SDM Vol. 3A 10.5.4): one-shot and periodic modes
 * counting the input clock divided by the divide configuration register
 * (figure 10-10) from the time TMICT was written, and TSC-deadline mode
 * (10.5.4.1) comparing the guest TSC with IA32_TSC_DEADLINE. The current
 * count is computed from time; expiries are signalled by vlapic_tick, late
 * ticks coalescing missed periods into one interrupt.
 */
#include "vmm/dev/lapic_priv.h"

static unsigned timer_divide(const struct vlapic *l)
{
	unsigned v = (l->tdcr & 3) | ((l->tdcr >> 1) & 4); /* bits 3, 1:0 (figure 10-10) */
	return v == 7 ? 1 : 2u << v;
}

static uint64_t timer_counts(const struct vlapic *l, uint64_t now)
{
	if (now <= l->timer_start_ns)
		return 0;
	return vdev_muldiv(now - l->timer_start_ns, l->timer_hz, VDEV_NS_PER_SEC) / timer_divide(l);
}

static uint64_t guest_tsc(const struct vlapic *l, uint64_t now)
{
	return vdev_muldiv(now, l->tsc_hz, VDEV_NS_PER_SEC) + l->tsc_offset;
}

unsigned vlapic_timer_mode(const struct vlapic *l)
{
	return VLAPIC_TIMER_MODE(l->lvt[VLAPIC_LVT_TIMER]);
}

uint32_t vlapic_timer_current(const struct vlapic *l, uint64_t now)
{
	uint64_t c;

	if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE || !l->tmict)
		return 0;
	c = timer_counts(l, now);
	if (vlapic_timer_mode(l) == VLAPIC_TIMER_PERIODIC)
		return (uint32_t)(l->tmict - c % l->tmict);
	return c >= l->tmict ? 0 : (uint32_t)(l->tmict - c);
}

static void timer_fire(struct vlapic *l)
{
	if (!(l->lvt[VLAPIC_LVT_TIMER] & VLAPIC_LVT_MASKED))
		vlapic_accept_fixed(l, (uint8_t)l->lvt[VLAPIC_LVT_TIMER], false);
}

void vlapic_tick(struct vlapic *l, uint64_t now_ns)
{
	uint64_t n;

	if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE) {
		if (l->tsc_deadline && guest_tsc(l, now_ns) >= l->tsc_deadline) {
			l->tsc_deadline = 0; /* 10.5.4.1: disarmed when it fires */
			timer_fire(l);
		}
		return;
	}
	if (!l->tmict)
		return;
	n = timer_counts(l, now_ns) / l->tmict; /* expiries so far */
	if (vlapic_timer_mode(l) != VLAPIC_TIMER_PERIODIC && n > 1)
		n = 1;
	if (n > l->timer_fired) {
		l->timer_fired = n; /* expiries missed by a late tick coalesce */
		timer_fire(l);
	}
}

uint64_t vlapic_next_event_ns(const struct vlapic *l, uint64_t now_ns)
{
	uint64_t tsc, k;

	if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE) {
		if (!l->tsc_deadline)
			return VDEV_NEVER;
		tsc = guest_tsc(l, now_ns);
		if (tsc >= l->tsc_deadline)
			return now_ns;
		return now_ns + vdev_muldiv_ceil(l->tsc_deadline - tsc, VDEV_NS_PER_SEC, l->tsc_hz);
	}
	if (!l->tmict || (vlapic_timer_mode(l) != VLAPIC_TIMER_PERIODIC && l->timer_fired))
		return VDEV_NEVER;
	k = (l->timer_fired + 1) * l->tmict * timer_divide(l); /* input clocks */
	return l->timer_start_ns + vdev_muldiv_ceil(k, VDEV_NS_PER_SEC, l->timer_hz);
}

void vlapic_timer_start(struct vlapic *l, uint32_t count, uint64_t now)
{
	l->tmict = count;
	l->timer_start_ns = now;
	l->timer_fired = 0;
}

/* A new divide keeps the counts elapsed so far (documented). */
void vlapic_timer_set_divide(struct vlapic *l, uint32_t v, uint64_t now)
{
	uint64_t c = timer_counts(l, now);

	l->tdcr = v & 0xb;
	if (l->tmict)
		l->timer_start_ns = now - vdev_muldiv(c * timer_divide(l), VDEV_NS_PER_SEC,
						      l->timer_hz);
}
