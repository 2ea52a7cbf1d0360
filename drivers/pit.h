#ifndef DRIVERS_PIT_H
#define DRIVERS_PIT_H
#include <stdint.h>
/* Run `fn` twice around a PIT channel-2 one-shot of `us` microseconds.
 * Returns 0, or -1 if the PIT never signalled (bounded wait). */
int pit_measure(uint32_t us, void (*fn)(void *ctx, int phase), void *ctx);
void pic_disable(void);
#endif
