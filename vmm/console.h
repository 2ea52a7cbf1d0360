/*
 * Console input routing (like Xen's): keystrokes on Ditto's serial console
 * go to one VM at a time; Ctrl-A three times in a row moves input to the
 * next VM, and after the last VM to Ditto itself, where single keys are
 * commands (docs/guests.md: 's' statistics, 'h' help).
 */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H
#include "ditto/env.h"

#define CONSOLE_SWITCH_KEY 0x01 /* Ctrl-A */
#define CONSOLE_TO_DITTO (~0u)

struct console_switch {
	unsigned nvms;
	unsigned target;   /* VM index, or CONSOLE_TO_DITTO */
	unsigned pending;  /* Ctrl-A seen in a row */
};

void console_switch_init(struct console_switch *c, unsigned nvms);
/*
 * Feed one received byte. Writes up to 3 bytes to deliver to `c->target`
 * into out[] and returns how many; *switched is set when this byte moved
 * the input to another target (the caller announces it).
 */
unsigned console_switch_feed(struct console_switch *c, uint8_t byte, uint8_t out[3], bool *switched);
#endif
