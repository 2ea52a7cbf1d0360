/* The fixed page of the boot self-test, shared by the kernel and the host
 * generator of its expected XXH64 (lib/selftest_gen.c). */
#ifndef LIB_SELFTEST_PAGE_H
#define LIB_SELFTEST_PAGE_H
#include <stdint.h>
#define SELFTEST_XXH64_SEED 0x44697474u
static inline void selftest_fill_page(uint8_t *p)
{
	/* Half structured text-like bytes, half a multiplicative sequence: compressible,
	 * yet with no runs long enough to make LZ4 or xdelta3 trivial. */
	for (uint32_t i = 0; i < 4096; i++)
		p[i] = i < 2048 ? (uint8_t)("ditto memory engine "[i % 20] ^ (i / 64))
				: (uint8_t)((i * 2654435761u) >> 13);
}
#endif
