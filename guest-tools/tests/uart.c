/* 16550A UART: loopback, scratch register, the THRE interrupt on IRQ4, and
 * output lines reaching Ditto's console prefixed with the VM's name. */
#include "pc.h"

#define COM 0x3f8

int gmain(void)
{
	outb(COM + 7, 0x5a);
	CHECK("scratch_register", inb(COM + 7) == 0x5a);
	outb(COM + 3, 0x80); /* DLAB: divisor */
	outb(COM + 0, 12);
	outb(COM + 1, 0);
	outb(COM + 3, 0x03);
	outb(COM + 3, 0x80);
	CHECK("divisor_latch", inb(COM + 0) == 12);
	outb(COM + 3, 0x03);
	outb(COM + 2, 0x07); /* FIFO on */
	CHECK("fifo_16550a", (inb(COM + 2) & 0xc0) == 0xc0);
	outb(COM + 4, 0x10); /* loopback */
	outb(COM, 'L');
	wait_ms(2);
	CHECK("loopback_data_ready", inb(COM + 5) & 1);
	CHECK("loopback_byte", inb(COM) == 'L');
	outb(COM + 4, 0x08); /* OUT2: interrupts to the PIC */
	irq_hook = pic_eoi;
	pic_init(1 << 4);
	outb(COM + 1, 0x02); /* THRE interrupt */
	guest_sti();
	wait_ms(5);
	guest_cli();
	CHECK("thre_interrupt_irq4", traps.count[0x24] >= 1);
	outb(COM + 1, 0);
	const char *msg = "uart line from the guest\n";
	for (const char *p = msg; *p; p++) {
		while (!(inb(COM + 5) & 0x20))
			;
		outb(COM, (uint8_t)*p);
	}
	return 0;
}
