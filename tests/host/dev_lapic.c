/* Host tests of the local APIC model (vmm/dev/lapic.c). */
#include "check.h"
#include "vmm/dev/lapic.h"

static struct vapic_msg sent_msg;
static int sent, eois, eoi_vec;
static void ipi(void *ctx, struct vlapic *src, const struct vapic_msg *m)
{
	sent_msg = *m;
	sent++;
}
static void eoi(void *ctx, uint8_t v)
{
	eois++;
	eoi_vec = v;
}

static struct vlapic L;

/* 100 MHz timer clock, 2 GHz TSC, software-enabled xAPIC */
static struct vlapic *setup(uint32_t id)
{
	sent = eois = eoi_vec = 0;
	vlapic_init(&L, id, true, 100000000, 2000000000, ipi, eoi, NULL);
	uint32_t v = 0x1ff;
	vlapic_mmio(&L, 0xf0, 4, true, &v, 0);
	return &L;
}

static uint32_t mr(uint32_t off)
{
	uint32_t v = 0xdead;
	if (vlapic_mmio(&L, off, 4, false, &v, 0))
		return 0xbadbad;
	return v;
}

static void mw(uint32_t off, uint32_t v)
{
	vlapic_mmio(&L, off, 4, true, &v, 0);
}

static void fixed(uint8_t vec, bool level)
{
	struct vapic_msg m = { .vector = vec, .delivery = VAPIC_DM_FIXED, .level = level };
	vlapic_accept(&L, &m);
}

TEST(lapic_priority_selection)
{
	setup(0);
	fixed(0x31, false);
	fixed(0x45, false);
	fixed(0x52, false);
	CHECK_EQ(vlapic_pending_vector(&L), 0x52);
	mw(0x80, 0x50);                     /* same class as 0x52: blocked */
	CHECK_EQ(vlapic_pending_vector(&L), -1);
	mw(0x80, 0x4f);
	CHECK_EQ(vlapic_pending_vector(&L), 0x52);
	vlapic_ack(&L, 0x52);
	CHECK_EQ(mr(0xa0), 0x50);           /* PPR = ISR class */
	CHECK_EQ(vlapic_pending_vector(&L), -1);
	mw(0xb0, 0);                        /* EOI */
	CHECK_EQ(mr(0xa0), 0x4f);           /* PPR = TPR */
	CHECK_EQ(vlapic_pending_vector(&L), -1); /* 0x45: class 4 <= 4 */
	mw(0x80, 0x30);
	CHECK_EQ(vlapic_pending_vector(&L), 0x45);
	CHECK_EQ(mr(0x200 + 0x10 * (0x45 / 32)) & (1u << (0x45 % 32)), 1u << (0x45 % 32));
	mw(0x80, 0x00);
	vlapic_ack(&L, 0x45);
	CHECK_EQ(vlapic_pending_vector(&L), -1); /* 0x31 below in-service 0x45 */
	mw(0xb0, 0);
	CHECK_EQ(vlapic_pending_vector(&L), 0x31);
}

TEST(lapic_eoi_level_broadcast)
{
	setup(0);
	fixed(0x60, true);
	fixed(0x61, false);
	CHECK(mr(0x180 + 0x30) & 1);        /* TMR bit of 0x60 */
	vlapic_ack(&L, 0x61);
	mw(0xb0, 0);
	CHECK_EQ(eois, 0);                  /* edge: no EOI message */
	vlapic_ack(&L, 0x60);
	CHECK_EQ(mr(0x100 + 0x30), 1);      /* ISR */
	mw(0xb0, 0);
	CHECK_EQ(eois, 1);
	CHECK_EQ(eoi_vec, 0x60);
	mw(0xb0, 0);                        /* nothing in service */
	CHECK_EQ(eois, 1);
}

TEST(lapic_sw_disable_and_illegal_vectors)
{
	setup(0);
	mw(0x370, 0xfe);                    /* error LVT: vector 0xfe */
	fixed(0x05, false);                 /* illegal: ESR receive */
	mw(0x280, 0);
	CHECK_EQ(mr(0x280), 0x40);
	CHECK_EQ(vlapic_pending_vector(&L), 0xfe);
	mw(0x310, 0x01000000);
	mw(0x300, 0x00000003);              /* send vector 3: illegal */
	CHECK_EQ(sent, 0);
	mw(0x280, 0);
	CHECK_EQ(mr(0x280), 0x20);
	mw(0xf0, 0x0ff);                    /* software disable */
	CHECK_EQ(mr(0x370) & 0x10000, 0x10000);
	mw(0x370, 0xfe);                    /* cannot unmask while disabled */
	CHECK_EQ(mr(0x370), 0x100fe);
	fixed(0x80, false);
	CHECK_EQ(mr(0x200 + 0x40), 0);      /* not accepted */
	CHECK_EQ(vlapic_pending_vector(&L), -1);
}

TEST(lapic_apic_base_transitions)
{
	uint64_t v;
	setup(3);
	CHECK_EQ(vlapic_rdmsr(&L, 0x1b, &v, 0), 0);
	CHECK_EQ(v, 0xfee00900);            /* BSP, enabled, xAPIC */
	CHECK_EQ(vlapic_wrmsr(&L, 0x1b, 0xfee00400, 0), -EINVAL);   /* EXTD w/o EN */
	CHECK_EQ(vlapic_wrmsr(&L, 0x1b, 0xfee00801ull, 0), -EINVAL); /* reserved */
	CHECK_EQ(vlapic_wrmsr(&L, 0x1b, 0x1000fee00800ull, 0), -EINVAL); /* > MAXPHYADDR */
	CHECK_EQ(vlapic_wrmsr(&L, 0x1b, 0xfee00c00, 0), 0);         /* -> x2APIC */
	CHECK_EQ(vlapic_mode(&L), VLAPIC_X2APIC);
	CHECK_EQ(vlapic_wrmsr(&L, 0x1b, 0xfee00800, 0), -EINVAL);   /* x2 -> xAPIC */
	CHECK_EQ(vlapic_wrmsr(&L, 0x1b, 0xfee00000, 0), 0);         /* -> disabled */
	CHECK_EQ(vlapic_mode(&L), VLAPIC_DISABLED);
	CHECK_EQ(mr(0x30), 0xbadbad);       /* page not decoded */
	CHECK_EQ(vlapic_wrmsr(&L, 0x1b, 0xfee00c00, 0), -EINVAL);   /* disabled -> x2 */
	CHECK_EQ(vlapic_wrmsr(&L, 0x1b, 0xfed00800, 0), 0);         /* -> xAPIC, moved */
	CHECK_EQ(vlapic_mmio_base(&L), 0xfed00000);
	CHECK_EQ(mr(0x20), 0x03000000);
	CHECK_EQ(mr(0xf0), 0xff);           /* reset state after disable */
}

TEST(lapic_x2apic_msrs)
{
	uint64_t v;
	setup(0x23);
	CHECK_EQ(vlapic_rdmsr(&L, 0x802, &v, 0), -EINVAL); /* not in x2APIC mode */
	CHECK_EQ(vlapic_wrmsr(&L, 0x1b, 0xfee00d00, 0), 0);
	CHECK_EQ(vlapic_rdmsr(&L, 0x802, &v, 0), 0);
	CHECK_EQ(v, 0x23);
	CHECK_EQ(vlapic_rdmsr(&L, 0x80d, &v, 0), 0);
	CHECK_EQ(v, 0x00020008);            /* cluster 2, member bit 3 */
	CHECK_EQ(vlapic_rdmsr(&L, 0x80e, &v, 0), -EINVAL); /* no DFR */
	CHECK_EQ(vlapic_rdmsr(&L, 0x831, &v, 0), -EINVAL); /* no ICR high */
	CHECK_EQ(vlapic_rdmsr(&L, 0x80b, &v, 0), -EINVAL); /* EOI write-only */
	CHECK_EQ(vlapic_rdmsr(&L, 0x83f, &v, 0), -EINVAL); /* SELF IPI write-only */
	CHECK_EQ(vlapic_wrmsr(&L, 0x802, 0, 0), -EINVAL);  /* ID read-only */
	CHECK_EQ(vlapic_wrmsr(&L, 0x80d, 0, 0), -EINVAL);  /* LDR read-only */
	CHECK_EQ(vlapic_wrmsr(&L, 0x80b, 1, 0), -EINVAL);  /* EOI non-zero */
	CHECK_EQ(vlapic_wrmsr(&L, 0x828, 1, 0), -EINVAL);  /* ESR non-zero */
	CHECK_EQ(vlapic_wrmsr(&L, 0x808, 1ull << 32, 0), -EINVAL); /* high bits */
	CHECK_EQ(vlapic_wrmsr(&L, 0x83f, 0x100, 0), -EINVAL);
	CHECK_EQ(vlapic_wrmsr(&L, 0x83f, 0x77, 0), 0);     /* SELF IPI */
	CHECK_EQ(vlapic_pending_vector(&L), 0x77);
	CHECK_EQ(vlapic_rdmsr(&L, 0x1000, &v, 0), -ENOENT);
	/* ICR is one 64-bit MSR with a 32-bit destination */
	CHECK_EQ(vlapic_wrmsr(&L, 0x830, 0x0000012300004041ull, 0), 0);
	CHECK_EQ(sent, 1);
	CHECK_EQ(sent_msg.dest, 0x123);
	CHECK_EQ(sent_msg.vector, 0x41);
	CHECK(sent_msg.assert && !sent_msg.logical);
	CHECK_EQ(vlapic_rdmsr(&L, 0x830, &v, 0), 0);
	CHECK_EQ(v, 0x0000012300004041ull);
	CHECK(vlapic_match_dest(&L, 0x23, false));
	CHECK(vlapic_match_dest(&L, 0x00020008, true));
	CHECK(!vlapic_match_dest(&L, 0x00010008, true));
	CHECK(vlapic_match_dest(&L, 0xffffffff, false));
}

TEST(lapic_xapic_icr_and_shorthand)
{
	setup(1);
	mw(0x310, 0x0f000000);
	CHECK_EQ(sent, 0);                  /* high half alone sends nothing */
	mw(0x300, 0x000c4500);              /* INIT, assert, all-excluding-self */
	CHECK_EQ(sent, 1);
	CHECK_EQ(sent_msg.delivery, VAPIC_DM_INIT);
	CHECK_EQ(sent_msg.shorthand, VAPIC_SH_OTHERS);
	CHECK_EQ(sent_msg.dest, 0x0f);
	CHECK_EQ(mr(0x300) & (1u << 12), 0); /* delivery status idle */
	mw(0x300, 0x00040699);              /* SIPI 0x99 to self */
	CHECK_EQ(sent_msg.delivery, VAPIC_DM_SIPI);
	CHECK_EQ(sent_msg.shorthand, VAPIC_SH_SELF);
	/* INIT level de-assert does nothing; INIT and SIPI are latched */
	struct vapic_msg m = { .delivery = VAPIC_DM_INIT, .level = true, .assert = false };
	vlapic_accept(&L, &m);
	CHECK(!L.init_pending);
	m.assert = true;
	vlapic_accept(&L, &m);
	CHECK(L.init_pending);
	m = (struct vapic_msg){ .delivery = VAPIC_DM_SIPI, .vector = 0x9a };
	vlapic_accept(&L, &m);
	CHECK(L.sipi_pending);
	CHECK_EQ(L.sipi_vector, 0x9a);
}

TEST(lapic_init_keeps_id_and_base)
{
	setup(5);
	mw(0x20, 0x07000000);
	mw(0x80, 0x20);
	fixed(0x40, false);
	mw(0x320, 0x40);
	vlapic_init_reset(&L);
	CHECK_EQ(mr(0x20), 0x07000000);     /* ID kept */
	CHECK_EQ(mr(0x80), 0);
	CHECK_EQ(mr(0xf0), 0xff);           /* software-disabled again */
	CHECK_EQ(mr(0x320), 0x10000);
	CHECK_EQ(mr(0x200 + 0x20), 0);
	CHECK_EQ(vlapic_mode(&L), VLAPIC_XAPIC);
}

TEST(lapic_logical_destinations)
{
	setup(2);
	mw(0xd0, 0x04000000);               /* flat: bit 2 */
	CHECK(vlapic_match_dest(&L, 0x06, true));
	CHECK(!vlapic_match_dest(&L, 0x09, true));
	CHECK(vlapic_match_dest(&L, 0xff, true));
	CHECK(vlapic_match_dest(&L, 0x02, false));
	CHECK(!vlapic_match_dest(&L, 0x03, false));
	mw(0xe0, 0x0fffffff);               /* cluster model */
	CHECK_EQ(mr(0xe0), 0x0fffffff);
	mw(0xd0, 0x31000000);               /* cluster 3, member 1 */
	CHECK(vlapic_match_dest(&L, 0x33, true));
	CHECK(!vlapic_match_dest(&L, 0x23, true));
	CHECK(!vlapic_match_dest(&L, 0x32, true));
}

TEST(lapic_timer_oneshot_and_periodic)
{
	setup(0);
	mw(0x3e0, 0x3);                     /* divide by 16 */
	mw(0x320, 0x40);                    /* one-shot, vector 0x40 */
	uint32_t v = 1000;
	vlapic_mmio(&L, 0x380, 4, true, &v, 1000);   /* 1000 * 16 / 100 MHz = 160 us */
	CHECK_EQ(vlapic_next_event_ns(&L, 1000), 1000 + 160000);
	vlapic_mmio(&L, 0x390, 4, false, &v, 1000 + 80000);
	CHECK_EQ(v, 500);
	vlapic_tick(&L, 1000 + 159999);
	CHECK_EQ(vlapic_pending_vector(&L), -1);
	vlapic_tick(&L, 1000 + 160000);
	CHECK_EQ(vlapic_pending_vector(&L), 0x40);
	CHECK_EQ(vlapic_next_event_ns(&L, 1000 + 160000), VDEV_NEVER);
	vlapic_mmio(&L, 0x390, 4, false, &v, 1000 + 500000);
	CHECK_EQ(v, 0);
	/* periodic, divide by 1 */
	vlapic_ack(&L, 0x40);
	mw(0xb0, 0);
	mw(0x3e0, 0xb);
	mw(0x320, 0x20041);
	v = 100;                            /* 1 us */
	vlapic_mmio(&L, 0x380, 4, true, &v, 0);
	CHECK_EQ(vlapic_next_event_ns(&L, 0), 1000);
	vlapic_tick(&L, 1000);
	CHECK_EQ(vlapic_pending_vector(&L), 0x41);
	CHECK_EQ(vlapic_next_event_ns(&L, 1000), 2000);
	vlapic_mmio(&L, 0x390, 4, false, &v, 1250);
	CHECK_EQ(v, 75);
	mw(0x320, 0x10041);                 /* masked: counts, no interrupt */
	vlapic_ack(&L, 0x41);
	mw(0xb0, 0);
	vlapic_tick(&L, 5000);
	CHECK_EQ(vlapic_pending_vector(&L), -1);
}

TEST(lapic_tsc_deadline)
{
	uint64_t v;
	setup(0);
	vlapic_wrmsr(&L, 0x6e0, 1234, 0);    /* ignored outside deadline mode */
	vlapic_rdmsr(&L, 0x6e0, &v, 0);
	CHECK_EQ(v, 0);
	mw(0x320, 0x40050);                 /* TSC-deadline, vector 0x50 */
	L.tsc_offset = 1000;
	CHECK_EQ(vlapic_next_event_ns(&L, 0), VDEV_NEVER);
	vlapic_wrmsr(&L, 0x6e0, 1000 + 2000000, 0); /* 2e6 ticks at 2 GHz = 1 ms */
	vlapic_rdmsr(&L, 0x6e0, &v, 0);
	CHECK_EQ(v, 1000 + 2000000);
	CHECK_EQ(vlapic_next_event_ns(&L, 0), 1000000);
	v = 5;
	vlapic_mmio(&L, 0x380, 4, true, (uint32_t *)&v, 0); /* TMICT ignored */
	CHECK_EQ(mr(0x380), 0);
	vlapic_tick(&L, 999999);
	CHECK_EQ(vlapic_pending_vector(&L), -1);
	vlapic_tick(&L, 1000000);
	CHECK_EQ(vlapic_pending_vector(&L), 0x50);
	vlapic_rdmsr(&L, 0x6e0, &v, 0);
	CHECK_EQ(v, 0);                     /* disarmed after firing */
	mw(0x320, 0x50);                    /* mode change disarms */
	CHECK_EQ(vlapic_next_event_ns(&L, 0), VDEV_NEVER);
}

TEST(lapic_lint_virtual_wire_and_mmio_rules)
{
	setup(0);
	CHECK(!vlapic_extint_pending(&L));
	vlapic_virtual_wire(&L);
	vlapic_set_lint(&L, 0, true);
	CHECK(vlapic_extint_pending(&L));
	vlapic_set_lint(&L, 0, false);
	CHECK(!vlapic_extint_pending(&L));
	vlapic_set_lint(&L, 1, true);
	CHECK(L.nmi_pending);
	CHECK_EQ(mr(0x30), 0x00050014);
	uint32_t v;
	CHECK_EQ(vlapic_mmio(&L, 0x30, 2, false, &v, 0), -EINVAL);
	CHECK_EQ(vlapic_mmio(&L, 0x32, 4, false, &v, 0), -EINVAL);
	CHECK_EQ(mr(0x34), 0);              /* inside a register: reads 0 */
	mw(0x30, 0);                        /* read-only: ignored */
	CHECK_EQ(mr(0x30), 0x00050014);
	/* level-triggered fixed LINT0 with remote IRR */
	mw(0x350, 0x8062);
	vlapic_set_lint(&L, 0, true);
	CHECK_EQ(vlapic_pending_vector(&L), 0x62);
	CHECK(mr(0x350) & (1u << 14));
	vlapic_ack(&L, 0x62);
	vlapic_set_lint(&L, 0, false);
	mw(0xb0, 0);
	CHECK_EQ(mr(0x350) & (1u << 14), 0);
	CHECK_EQ(eois, 1);                  /* TMR was set: broadcast too */
}
