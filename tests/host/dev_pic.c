/* Host tests of the 8259A pair model (vmm/dev/pic8259.c). */
#include "check.h"
#include "vmm/dev/pic8259.h"

static int intr_level;
static void intr_set(void *ctx, unsigned pin, bool level)
{
	intr_level = level;
}

static struct vpic_pair pic;

static void out(uint16_t port, uint8_t v)
{
	uint32_t x = v;
	vpic_pio(&pic, port, 1, true, &x);
}

static uint8_t in(uint16_t port)
{
	uint32_t x = 0xdead;
	vpic_pio(&pic, port, 1, false, &x);
	return (uint8_t)x;
}

static void pic_set(unsigned irq, bool l)
{
	vpic_set_irq(&pic, irq, l);
}

/* Linux's init_8259A(): ICW1 edge+ICW4, vectors 0x30/0x38, cascade on IR2. */
static void setup(uint8_t icw4)
{
	struct virq_line l = { intr_set, NULL, 0 };
	intr_level = 0;
	vpic_init(&pic, l);
	out(0x20, 0x11); out(0x21, 0x30); out(0x21, 0x04); out(0x21, icw4);
	out(0xa0, 0x11); out(0xa1, 0x38); out(0xa1, 0x02); out(0xa1, icw4);
	out(0x21, 0x00); out(0xa1, 0x00);
}

TEST(pic_priority_and_nesting)
{
	setup(0x01);
	vpic_set_irq(&pic, 3, true);
	vpic_set_irq(&pic, 1, true);
	CHECK_EQ(intr_level, 1);
	CHECK_EQ(vpic_peek_vector(&pic), 0x31);
	CHECK_EQ(vpic_intack(&pic), 0x31);
	CHECK_EQ(intr_level, 0);           /* IR3 ranks below IR1 in service */
	vpic_set_irq(&pic, 0, true);
	CHECK_EQ(intr_level, 1);           /* IR0 ranks above */
	CHECK_EQ(vpic_intack(&pic), 0x30);
	out(0x20, 0x20);                   /* non-specific EOI: IR0 */
	out(0x20, 0x0b);                   /* OCW3: read ISR */
	CHECK_EQ(in(0x20), 0x02);
	out(0x20, 0x20);                   /* IR1 */
	CHECK_EQ(vpic_intack(&pic), 0x33);
	out(0x20, 0x0a);                   /* read IRR */
	CHECK_EQ(in(0x20), 0x00);
}

TEST(pic_cascade_specific_eoi)
{
	setup(0x01);
	vpic_set_irq(&pic, 10, true);
	CHECK_EQ(intr_level, 1);
	CHECK_EQ(vpic_intack(&pic), 0x3a);
	out(0x20, 0x0b); out(0xa0, 0x0b);
	CHECK_EQ(in(0x20), 0x04);
	CHECK_EQ(in(0xa0), 0x04);
	vpic_set_irq(&pic, 10, false);
	vpic_set_irq(&pic, 9, true);        /* higher than IR10 on the slave */
	CHECK_EQ(intr_level, 0);           /* master IR2 still in service */
	out(0xa0, 0x62);                   /* specific EOI slave IR2 */
	CHECK_EQ(intr_level, 0);
	out(0x20, 0x62);                   /* specific EOI master IR2 */
	CHECK_EQ(intr_level, 1);
	CHECK_EQ(vpic_intack(&pic), 0x39);
	CHECK_EQ(in(0xa0), 0x02);          /* slave ISR: IR1 */
}

TEST(pic_spurious_irq7_and_irq15)
{
	setup(0x01);
	CHECK_EQ(vpic_intack(&pic), 0x37);
	out(0x20, 0x0b);
	CHECK_EQ(in(0x20), 0x00);          /* spurious: nothing in service */
	/* level IRQ9 that drops after the master latched the cascade edge */
	out(0x4d1, 0x02);
	vpic_set_irq(&pic, 9, true);
	pic.chip[1].lines = 0;             /* request vanishes ... */
	pic.chip[1].irr = 0;               /* ... before INTA */
	CHECK_EQ(vpic_intack(&pic), 0x3f);
	CHECK_EQ(in(0x20), 0x04);          /* master IR2 in service */
	out(0xa0, 0x0b);
	CHECK_EQ(in(0xa0), 0x00);
}

TEST(pic_mask_and_imr_read)
{
	setup(0x01);
	out(0x21, 0x10);
	CHECK_EQ(in(0x21), 0x10);
	vpic_set_irq(&pic, 4, true);
	CHECK_EQ(intr_level, 0);
	out(0x20, 0x0a);
	CHECK_EQ(in(0x20), 0x10);          /* requested but masked */
	out(0x21, 0x00);
	CHECK_EQ(intr_level, 1);
	out(0xa1, 0xff);
	vpic_set_irq(&pic, 12, true);
	CHECK_EQ(vpic_intack(&pic), 0x34);
}

TEST(pic_auto_eoi)
{
	setup(0x03);
	vpic_set_irq(&pic, 5, true);
	CHECK_EQ(vpic_intack(&pic), 0x35);
	out(0x20, 0x0b);
	CHECK_EQ(in(0x20), 0x00);
	vpic_set_irq(&pic, 6, true);
	CHECK_EQ(intr_level, 1);           /* nothing in service blocks IR6 */
}

TEST(pic_edge_needs_new_edge)
{
	setup(0x01);
	vpic_set_irq(&pic, 4, true);
	CHECK_EQ(vpic_intack(&pic), 0x34);
	out(0x20, 0x20);
	vpic_set_irq(&pic, 4, true);        /* still high: no new edge */
	CHECK_EQ(intr_level, 0);
	vpic_set_irq(&pic, 4, false);
	vpic_set_irq(&pic, 4, true);
	CHECK_EQ(intr_level, 1);
}

TEST(pic_level_via_elcr)
{
	setup(0x01);
	out(0x4d0, 0xff);
	CHECK_EQ(in(0x4d0), 0xf8);         /* IRQ0-2 edge only */
	out(0x4d1, 0xff);
	CHECK_EQ(in(0x4d1), 0xde);         /* IRQ8, IRQ13 edge only */
	vpic_set_irq(&pic, 11, true);
	CHECK_EQ(vpic_intack(&pic), 0x3b);
	out(0xa0, 0x20); out(0x20, 0x20);
	CHECK_EQ(intr_level, 1);           /* still asserted: again */
	CHECK_EQ(vpic_intack(&pic), 0x3b);
	vpic_set_irq(&pic, 11, false);
	out(0xa0, 0x20); out(0x20, 0x20);
	CHECK_EQ(intr_level, 0);
}

TEST(pic_rotation)
{
	setup(0x01);
	vpic_set_irq(&pic, 0, true);
	CHECK_EQ(vpic_intack(&pic), 0x30);
	out(0x20, 0xa0);                   /* rotate on non-specific EOI */
	vpic_set_irq(&pic, 0, false);
	vpic_set_irq(&pic, 0, true);
	vpic_set_irq(&pic, 3, true);
	CHECK_EQ(vpic_intack(&pic), 0x33);  /* IR0 now lowest */
	out(0x20, 0xc4);                   /* set priority: IR4 lowest */
	out(0x20, 0x20);                   /* non-spec EOI with new ranking */
	CHECK_EQ(vpic_intack(&pic), 0x30);
}

TEST(pic_poll_command)
{
	setup(0x01);
	out(0x20, 0x0c);
	CHECK_EQ(in(0x20), 0x00);
	vpic_set_irq(&pic, 6, true);
	out(0x20, 0x0c);
	CHECK_EQ(in(0x20), 0x86);
	out(0x20, 0x0b);
	CHECK_EQ(in(0x20), 0x40);          /* poll acknowledged IR6 */
}

TEST(pic_bad_width)
{
	uint32_t v = 0;
	setup(0x01);
	CHECK_EQ(vpic_pio(&pic, 0x20, 2, false, &v), -EINVAL);
	CHECK_EQ(vpic_pio(&pic, 0x4d0, 4, true, &v), -EINVAL);
}

TEST(pic_special_mask_mode)
{
	setup(0x01);
	pic_set(5, true);
	CHECK_EQ(vpic_intack(&pic), 0x35);  /* IR5 in service */
	pic_set(7, true);
	CHECK_EQ(intr_level, 0);            /* lower priority: blocked */
	out(0x21, 0x20);                    /* mask IR5 ... */
	out(0x20, 0x68);                    /* ... and set special mask mode */
	CHECK_EQ(intr_level, 1);            /* IR7 now allowed */
	CHECK_EQ(vpic_intack(&pic), 0x37);
	out(0x20, 0x48);                    /* reset special mask mode */
	out(0x20, 0x0b);
	CHECK_EQ(in(0x20), 0xa0);
}

TEST(pic_reinit_clears_state)
{
	setup(0x01);
	out(0x21, 0x55);
	pic_set(3, true);
	vpic_intack(&pic);
	out(0x20, 0x11); out(0x21, 0x40); out(0x21, 0x04); out(0x21, 0x01);
	CHECK_EQ(in(0x21), 0x00);           /* IMR cleared by ICW1 */
	out(0x20, 0x0b);
	CHECK_EQ(in(0x20), 0x00);           /* ISR cleared */
	pic_set(3, false);
	pic_set(3, true);
	CHECK_EQ(vpic_intack(&pic), 0x43);  /* new vector base */
}
