/* Monotonic time from the TSC: ns = tsc * mult >> 32, mult from a PIT
 * calibration. (On hardware with invariant TSC this is stable across
 * P-states; Bochs advances its TSC with emulated instructions.) */
#include "arch/x86.h"
#include "ditto/env.h"
#include "drivers/pit.h"
#include "lib/time.h"

uint64_t tsc_hz;
static uint64_t mult; /* ns per tick, 32.32 fixed point */

struct tcal { uint64_t t0, t1; };
static void tcal_fn(void *ctx, int phase)
{
	struct tcal *c = ctx;
	if (phase == 0)
		c->t0 = rdtsc();
	else
		c->t1 = rdtsc();
}

int time_init(void)
{
	struct tcal c;
	if (pit_measure(10000, tcal_fn, &c))
		return -1;
	tsc_hz = (c.t1 - c.t0) * 100;
	if (!tsc_hz)
		return -1;
	mult = (uint64_t)(((unsigned __int128)1000000000ull << 32) / tsc_hz);
	return 0;
}

uint64_t tsc_to_ns(uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)tsc * mult) >> 32);
}

uint64_t time_ns(void)
{
	return tsc_to_ns(rdtsc());
}

uint64_t env_now_ns(void)
{
	return time_ns();
}
