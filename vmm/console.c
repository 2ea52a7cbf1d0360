/* Console input routing (vmm/console.h). Host-testable. */
#include "vmm/console.h"

void console_switch_init(struct console_switch *c, unsigned nvms)
{
	c->nvms = nvms;
	c->target = nvms ? 0 : CONSOLE_TO_DITTO;
	c->pending = 0;
}

unsigned console_switch_feed(struct console_switch *c, uint8_t byte, uint8_t out[3], bool *switched)
{
	*switched = false;
	if (byte == CONSOLE_SWITCH_KEY) {
		if (++c->pending < 3)
			return 0;
		c->pending = 0;
		if (c->target == CONSOLE_TO_DITTO)
			c->target = c->nvms ? 0 : CONSOLE_TO_DITTO;
		else
			c->target = c->target + 1 < c->nvms ? c->target + 1 : CONSOLE_TO_DITTO;
		*switched = true;
		return 0;
	}
	/* Fewer than three Ctrl-A then another key: they were meant for the guest. */
	unsigned n = 0;
	while (c->pending) {
		out[n++] = CONSOLE_SWITCH_KEY;
		c->pending--;
	}
	out[n++] = byte;
	return n;
}
