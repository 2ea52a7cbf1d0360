/* A hostile guest: writes all over guest-physical space outside its RAM,
 * then executes garbage, then triple-faults. Ditto must stop it with a clear
 * message and keep every other VM running. */
#include "guest.h"

int gmain(void)
{
	gprintf("hostile: scribbling outside my memory\n");
	for (uint32_t a = 0x01000000u; a < 0xfe000000u; a += 0x00f00000u)
		*(volatile uint32_t *)a = 0xbadc0de;
	/* Ports that would kill Bochs if they reached it (bochs.md). */
	outb(0x377, 0xff);
	outb(0x3f6, 0xff);
	outb(0x1f7, 0xec);
	gprintf("hostile: executing garbage\n");
	/* Random one-byte register instructions (inc/dec/xchg/cwde/cdq/aaa/das/
	 * cmc/clc/stc...) then an undefined opcode: garbage that touches no memory,
	 * so its end is the fault, whatever the random order. */
	static const uint8_t ops[] = { 0x40, 0x41, 0x43, 0x48, 0x4b, 0x91, 0x93, 0x97, 0x98,
				       0x99, 0x37, 0x2f, 0x3f, 0x27, 0xf5, 0xf8, 0xf9, 0xfc };
	static uint8_t garbage[64];
	uint32_t x = 0x12345;
	for (int i = 0; i < 62; i++) {
		x = x * 1103515245u + 12345u;
		garbage[i] = ops[(x >> 16) % sizeof(ops)];
	}
	garbage[62] = 0x0f; /* ud0-ish: 0f ff is undefined */
	garbage[63] = 0xff;
	/* No IDT any more: the first fault becomes a triple fault. */
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) none = { 0, 0 };
	__asm__ volatile("lidt %0; jmp *%1" ::"m"(none), "r"(garbage));
	return 1;
}
