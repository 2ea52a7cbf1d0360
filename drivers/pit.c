/*
 * 8254 PIT channel 2 as a calibration reference (Intel 82C54 datasheet:
 * mode 0 "interrupt on terminal count"; port 0x61 bit 0 gates channel 2,
 * bit 5 reads its OUT). The 8259 PICs are remapped and masked: Ditto uses
 * the local APIC and IOAPIC only.
 */
#include "arch/x86.h"
#include "drivers/pit.h"

#define PIT_HZ 1193182u
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_61 0x61

int pit_measure(uint32_t us, void (*fn)(void *ctx, int phase), void *ctx)
{
	uint32_t count = (uint32_t)((uint64_t)PIT_HZ * us / 1000000);
	if (count == 0 || count > 0xffff)
		return -1;
	uint8_t p61 = inb(PORT_61);
	outb(PORT_61, (uint8_t)((p61 & ~0x02) & ~0x01)); /* speaker off, gate low */
	outb(PIT_CMD, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH2, (uint8_t)count);
	outb(PIT_CH2, (uint8_t)(count >> 8));
	fn(ctx, 0);
	outb(PORT_61, (uint8_t)((p61 & ~0x02) | 0x01)); /* gate high: count starts */
	/* Each inb costs at least ~1 us on real hardware and far more than one
	 * emulated instruction in Bochs; 50M polls bounds even slow emulators. */
	int ok = -1;
	for (uint32_t i = 0; i < 50000000u; i++) {
		if (inb(PORT_61) & 0x20) {
			ok = 0;
			break;
		}
	}
	fn(ctx, 1);
	outb(PORT_61, p61);
	return ok;
}

void pic_disable(void)
{
	/* ICW1-4 (8259A datasheet): remap to 0x20/0x28 so a spurious PIC
	 * interrupt cannot look like an exception, then mask everything. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}
