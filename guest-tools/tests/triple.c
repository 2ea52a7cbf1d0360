/* A triple fault stops this VM, with a message; the host goes on. */
#include "guest.h"

int gmain(void)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) none = { 0, 0 };
	gprintf("triple: loading an empty IDT and faulting\n");
	__asm__ volatile("lidt %0; ud2" ::"m"(none));
	CHECK("unreachable", false);
	return 1;
}
