/*
 * EPT coherence across physical CPUs (tests/emu/sched-ept.test). Two vCPUs
 * pinned to two CPUs: the AP spins reading page DST, so its CPU holds DST's
 * translation; the BSP, on the other CPU, writes a new value into one of two
 * source pages and asks Ditto to remap DST onto that page (an EPT change),
 * then tells the AP. The AP must read the new value at once: a CPU that
 * kept the old translation would read the old page. Bochs drops its TLB on
 * every VM exit, so there the test fails only if Ditto does not make the
 * AP's CPU exit (the invalidation IPI) before the remap hypercall returns;
 * on hardware the INVEPT that IPI runs is what it needs.
 */
#include "ap_start.h"

#define SRC_A 0x300000u
#define SRC_B 0x301000u
#define DST 0x302000u
#define ROUNDS 40

/* On their own page, away from DST and the sources. */
static struct {
	volatile uint32_t round, ack, seen[ROUNDS + 1], alive, spins;
} sync __attribute__((aligned(4096)));

void ap_main(void)
{
	volatile uint32_t *dst = (volatile uint32_t *)DST;
	sync.alive = 1;
	uint32_t done = 0;
	for (;;) {
		uint32_t v = *dst; /* keeps DST's translation in this CPU's TLB */
		uint32_t r = sync.round;
		if (r != done) {
			sync.seen[r] = *dst;
			done = r;
			sync.ack = r;
		}
		sync.spins += v & 1;
	}
}

int gmain(void)
{
	volatile uint32_t *a = (volatile uint32_t *)SRC_A, *b = (volatile uint32_t *)SRC_B;
	volatile uint32_t *dst = (volatile uint32_t *)DST;
	pic_init(0);
	lapic_enable();
	*dst = 0xdead0000u;
	ap_start();
	for (int i = 0; i < 1000000 && !sync.alive; i++)
		__asm__ volatile("pause");
	CHECK("ap_running", sync.alive == 1);
	int stale = 0, remote_ok = 0;
	for (uint32_t r = 1; r <= ROUNDS && sync.alive; r++) {
		volatile uint32_t *src = (r & 1) ? a : b;
		*src = 0x1000u + r;
		/* Let the AP read DST (still the other page) for a while. */
		for (volatile int i = 0; i < 2000; i++)
			;
		long n = hypercall(HC_TEST_EPT_ALIAS, DST, (unsigned long)src, 0, 0);
		remote_ok += n >= 1;
		sync.round = r;
		for (int i = 0; i < 10000000 && sync.ack != r; i++)
			__asm__ volatile("pause");
		if (sync.seen[r] != 0x1000u + r) {
			stale++;
			if (stale <= 3)
				gprintf("eptcoh: round %u: the AP read 0x%x, expected 0x%x\n", r, sync.seen[r], 0x1000u + r);
		}
	}
	gprintf("eptcoh: %d rounds, %d stale reads, %d remaps invalidated another CPU\n", ROUNDS, stale,
		remote_ok);
	CHECK("remap_invalidated_other_cpu", remote_ok == ROUNDS);
	CHECK("no_stale_read_on_other_cpu", stale == 0);
	return 0;
}
