#ifndef DITTO_BITS_H
#define DITTO_BITS_H
#include <stdint.h>
/* Bit counting without libgcc (whose objects use the red zone) or POPCNT. */
static inline unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}
#endif
