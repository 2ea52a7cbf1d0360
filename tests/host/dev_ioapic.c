/* Host tests of the 82093AA IOAPIC model (vmm/dev/ioapic.c). */
#include "check.h"
#include "vmm/dev/ioapic.h"

static struct vapic_msg last;
static int sent;
static void deliver(void *ctx, const struct vapic_msg *m)
{
	last = *m;
	sent++;
}

static struct vioapic io;

static void setup(void)
{
	sent = 0;
	memset(&last, 0, sizeof(last));
	vioapic_init(&io, 1, deliver, NULL);
}

static uint32_t rd(uint8_t reg)
{
	uint32_t v = reg;
	vioapic_mmio(&io, 0x00, 4, true, &v);
	vioapic_mmio(&io, 0x10, 4, false, &v);
	return v;
}

static void wr(uint8_t reg, uint32_t val)
{
	uint32_t v = reg;
	vioapic_mmio(&io, 0x00, 4, true, &v);
	vioapic_mmio(&io, 0x10, 4, true, &val);
}

TEST(ioapic_id_version_arb)
{
	setup();
	CHECK_EQ(rd(0x00), 0x01000000);
	CHECK_EQ(rd(0x01), 0x00170011);
	wr(0x00, 0x0a000000);
	CHECK_EQ(rd(0x00), 0x0a000000);
	CHECK_EQ(rd(0x02), 0x0a000000);
	wr(0x01, 0);
	CHECK_EQ(rd(0x01), 0x00170011);      /* read-only */
	CHECK_EQ(rd(0x10), 0x00010000);      /* masked after reset */
	CHECK_EQ(rd(0x10 + 2 * 24), 0);      /* beyond pin 23 */
	uint32_t v;
	CHECK_EQ(vioapic_mmio(&io, 0x10, 1, false, &v), -EINVAL);
}

TEST(ioapic_edge_delivery_and_mask)
{
	setup();
	wr(0x10 + 2 * 2, 0x00000930);        /* pin 2: vec 0x30, lowest prio, phys */
	wr(0x11 + 2 * 2, 0x03000000);        /* dest 3 */
	vioapic_set_irq(&io, 2, true);
	CHECK_EQ(sent, 1);
	CHECK_EQ(last.vector, 0x30);
	CHECK_EQ(last.delivery, VAPIC_DM_LOWEST);
	CHECK_EQ(last.dest, 3);
	CHECK(!last.level);
	vioapic_set_irq(&io, 2, true);        /* no new edge */
	CHECK_EQ(sent, 1);
	vioapic_set_irq(&io, 2, false);
	wr(0x10 + 2 * 2, 0x00010930);        /* mask */
	vioapic_set_irq(&io, 2, true);
	CHECK_EQ(sent, 1);
	wr(0x10 + 2 * 2, 0x00000930);        /* unmask: the masked edge is lost */
	CHECK_EQ(sent, 1);
}

TEST(ioapic_level_redelivery_after_eoi)
{
	setup();
	wr(0x10 + 2 * 9, 0x00008841);        /* pin 9: vec 0x41, level, logical */
	wr(0x11 + 2 * 9, 0x01000000);
	vioapic_set_irq(&io, 9, true);
	CHECK_EQ(sent, 1);
	CHECK(last.level && last.logical);
	CHECK(rd(0x10 + 2 * 9) & (1u << 14)); /* remote IRR */
	vioapic_set_irq(&io, 9, true);
	CHECK_EQ(sent, 1);                   /* awaiting EOI */
	vioapic_eoi(&io, 0x40);               /* other vector */
	CHECK_EQ(sent, 1);
	vioapic_eoi(&io, 0x41);               /* still asserted: again */
	CHECK_EQ(sent, 2);
	CHECK(rd(0x10 + 2 * 9) & (1u << 14));
	vioapic_set_irq(&io, 9, false);
	vioapic_eoi(&io, 0x41);
	CHECK_EQ(sent, 2);
	CHECK_EQ(rd(0x10 + 2 * 9) & (1u << 14), 0);
	wr(0x10 + 2 * 9, 0x00018841);        /* masked while asserted ... */
	vioapic_set_irq(&io, 9, true);
	CHECK_EQ(sent, 2);
	wr(0x10 + 2 * 9, 0x00008841);        /* ... fires on unmask */
	CHECK_EQ(sent, 3);
}

TEST(ioapic_readonly_bits)
{
	setup();
	wr(0x10 + 2 * 5, 0xfffff0ff);
	CHECK_EQ(rd(0x10 + 2 * 5), 0x0001a0ff); /* no remote IRR/delivs, edge... */
	wr(0x11 + 2 * 5, 0xffffffff);
	CHECK_EQ(rd(0x11 + 2 * 5), 0xff000000);
}
