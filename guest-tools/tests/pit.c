/* 8254 PIT through the 8259 PIC: mode 2 interrupts at the programmed rate
 * (counted against the TSC), mode 0 one-shot, channel 2 gate and OUT on 0x61. */
#include "pc.h"

int gmain(void)
{
	irq_hook = pic_eoi;
	pic_init(1 << 0);
	pit_rate(1000);
	guest_sti();
	wait_ms(100);
	guest_cli();
	uint32_t n = traps.count[0x20];
	gprintf("pit: %u interrupts in 100 ms at 1000 Hz\n", n);
	CHECK("mode2_rate_1000hz", n >= 90 && n <= 110);
	/* Mode 0: one interrupt at terminal count, then none. */
	outb(0x43, 0x30);
	outb(0x40, 0x9b);
	outb(0x40, 0x2e); /* 11931 ticks = 10 ms */
	guest_sti();
	wait_ms(1); /* an edge left pending from mode 2 arrives now */
	uint32_t before = traps.count[0x20];
	wait_ms(50);
	guest_cli();
	CHECK("mode0_one_shot", traps.count[0x20] - before == 1);
	/* Channel 2 gated by port 0x61 bit 0; OUT2 readable at bit 5. */
	outb(0x61, inb(0x61) & ~3);
	outb(0x43, 0xb0);
	outb(0x42, 0x9b);
	outb(0x42, 0x2e);
	CHECK("out2_low_while_counting", !(inb(0x61) & 0x20));
	outb(0x61, (inb(0x61) & ~2) | 1);
	wait_ms(20);
	CHECK("out2_high_after_terminal_count", inb(0x61) & 0x20);
	return 0;
}
