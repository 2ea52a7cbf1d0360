/* IOAPIC: the PIT on pin 2 as an edge interrupt through the LAPIC; the UART
 * on pin 4 as a level interrupt re-delivered after EOI until it is cleared. */
#include "pc.h"

static volatile int clear_uart;

static void hook(uint32_t vector)
{
	if (vector == 0x61 && clear_uart)
		(void)inb(0x3fa); /* IIR read clears the THRE interrupt */
	if (vector == 0x61 && traps.count[0x61] >= 5)
		clear_uart = 1;
	lapic_eoi(vector);
}

int gmain(void)
{
	irq_hook = hook;
	pic_init(0);
	lapic_enable();
	CHECK("ioapic_version_24_pins", ((ioapic_read(1) >> 16) & 0xff) == 23);
	ioapic_write(0x10 + 2 * 2, 0x60);        /* pin 2: vector 0x60, edge, fixed */
	ioapic_write(0x10 + 2 * 2 + 1, 0);       /* to APIC 0 */
	pit_rate(1000);
	guest_sti();
	wait_ms(50);
	guest_cli();
	ioapic_write(0x10 + 2 * 2, 1u << 16);   /* mask */
	CHECK("edge_pin2_delivers", traps.count[0x60] >= 40 && traps.count[0x60] <= 60);
	/* Level: UART THRE interrupt stays asserted until IIR is read. */
	ioapic_write(0x10 + 2 * 4, 0x61 | (1u << 15)); /* pin 4 level */
	ioapic_write(0x10 + 2 * 4 + 1, 0);
	outb(0x3fc, 0x08); /* MCR OUT2: the UART's interrupt line on a PC */
	outb(0x3f9, 0x02); /* IER: THRE */
	guest_sti();
	wait_ms(10);
	guest_cli();
	uint32_t n = traps.count[0x61];
	gprintf("ioapic: level pin 4 delivered %u times\n", n);
	CHECK("level_redelivered_until_cleared", n >= 5 && n <= 7);
	CHECK("remote_irr_clear_after_eoi", !(ioapic_read(0x10 + 2 * 4) & (1u << 14)));
	return 0;
}
