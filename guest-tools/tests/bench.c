/* Exit round-trip cost per class, in guest TSC ticks (Bochs: emulated
 * instructions). A program that prints numbers: docs/benchmarks.md. */
#include "guest.h"

#define N 200

static uint32_t median(uint32_t *a, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && a[j - 1] > a[j]; j--) {
			uint32_t t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
	return a[n / 2];
}

static uint32_t samples[N];

#define MEASURE(name, stmt)                                                    \
	do {                                                                   \
		for (int i = 0; i < N; i++) {                                  \
			uint64_t t0 = rdtsc();                                 \
			stmt;                                                  \
			samples[i] = (uint32_t)(rdtsc() - t0);                 \
		}                                                              \
		uint32_t m = median(samples, N);                               \
		gprintf("bench: %-10s %6u ticks (median of %d)\n", name, m - base, N); \
	} while (0)

int gmain(void)
{
	uint32_t r[4];
	uint32_t base = 0;
	for (int i = 0; i < N; i++) {
		uint64_t t0 = rdtsc();
		samples[i] = (uint32_t)(rdtsc() - t0);
	}
	base = median(samples, N);
	gprintf("bench: rdtsc pair costs %u ticks (subtracted)\n", base);
	MEASURE("cpuid", cpuid(0, 0, r));
	MEASURE("vmcall", hypercall(HC_VERSION, 0, 0, 0, 0));
	MEASURE("pio-in", inb(0xe0));
	MEASURE("pio-out", outb(0xe0, 1));
	MEASURE("mmio-read", (void)*(volatile uint32_t *)0xfeb00000u);
	MEASURE("mmio-write", *(volatile uint32_t *)0xfeb00000u = 1);
	uint64_t v;
	MEASURE("rdmsr", rdmsr_safe(0x1b, &v));
	CHECK("bench_ran", 1);
	return 0;
}
