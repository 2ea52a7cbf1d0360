/* Host tests of the ACPI tables (vmm/dev/acpi.c) and PM hardware (acpi_pm.c):
 * every checksum, and a small independent parser walking RSDP -> XSDT ->
 * FADT/MADT -> DSDT/FACS. */
#include "check.h"
#include "vmm/dev/acpi.h"

static uint8_t mem[8192];
#define GPA 0xe0000ull

static uint64_t get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static const uint8_t *at(uint64_t gpa)
{
	if (gpa < GPA || gpa >= GPA + sizeof(mem))
		return NULL;
	return mem + (gpa - GPA);
}

static unsigned sum(const uint8_t *p, size_t n)
{
	unsigned s = 0;
	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s & 0xff;
}

static struct vacpi_config cfg(unsigned n)
{
	struct vacpi_config c = { n, 0xfee00000, 0xfec00000, 0, VACPI_PM_BASE, VACPI_SCI_IRQ };
	return c;
}

/* Finds a table by signature through the XSDT; checks its checksum. */
static const uint8_t *find(const uint8_t *xsdt, const char *sig)
{
	uint32_t len = (uint32_t)get(xsdt + 4, 4);
	for (uint32_t o = 36; o + 8 <= len; o += 8) {
		const uint8_t *t = at(get(xsdt + o, 8));
		if (t && !memcmp(t, sig, 4))
			return sum(t, get(t + 4, 4)) == 0 ? t : NULL;
	}
	return NULL;
}

TEST(acpi_tables_parse_and_checksums)
{
	struct vacpi_layout l;
	struct vacpi_config c = cfg(4);
	memset(mem, 0xcc, sizeof(mem));
	CHECK_EQ(vacpi_build(mem, sizeof(mem), GPA, &c, &l), 0);
	CHECK(l.size <= 4096);
	/* the RSDP is 16-byte aligned in 0xe0000-0xfffff where OSes scan */
	const uint8_t *rsdp = at(l.rsdp);
	CHECK(rsdp && l.rsdp % 16 == 0);
	CHECK(!memcmp(rsdp, "RSD PTR ", 8));
	CHECK_EQ(sum(rsdp, 20), 0);
	CHECK_EQ(sum(rsdp, 36), 0);
	CHECK_EQ(rsdp[15], 2);
	CHECK_EQ(get(rsdp + 20, 4), 36);
	const uint8_t *rsdt = at(get(rsdp + 16, 4)), *xsdt = at(get(rsdp + 24, 8));
	CHECK(rsdt && xsdt);
	CHECK(!memcmp(rsdt, "RSDT", 4) && !memcmp(xsdt, "XSDT", 4));
	CHECK_EQ(sum(rsdt, get(rsdt + 4, 4)), 0);
	CHECK_EQ(sum(xsdt, get(xsdt + 4, 4)), 0);
	CHECK_EQ(get(rsdt + 36, 4), get(xsdt + 36, 8));
	const uint8_t *fadt = find(xsdt, "FACP"), *madt = find(xsdt, "APIC");
	CHECK(fadt && madt);
	CHECK_EQ(get(fadt + 4, 4), 268);
	CHECK_EQ(fadt[8], 5);
	/* DSDT and FACS through the 64-bit pointers, equal to the 32-bit ones */
	CHECK_EQ(get(fadt + 140, 8), get(fadt + 40, 4));
	CHECK_EQ(get(fadt + 132, 8), get(fadt + 36, 4));
	const uint8_t *dsdt = at(get(fadt + 140, 8)), *facs = at(get(fadt + 132, 8));
	CHECK(dsdt && facs);
	CHECK(!memcmp(dsdt, "DSDT", 4));
	CHECK_EQ(sum(dsdt, get(dsdt + 4, 4)), 0);
	CHECK(!memcmp(facs, "FACS", 4));
	CHECK_EQ(get(facs + 4, 4), 64);
	CHECK_EQ(get(fadt + 132, 8) % 64, 0);
	/* \_S5 package in the AML */
	static const uint8_t s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04 };
	CHECK(!memcmp(dsdt + 36, s5, sizeof(s5)));
	/* Scope (\_SB) { Device (PCI0) { _HID PNP0A03 ... } } right after it,
	 * with package lengths that end exactly at the end of the table */
	const uint8_t *sc = dsdt + 36 + 12;
	uint32_t dlen = (uint32_t)get(dsdt + 4, 4);
	CHECK_EQ(sc[0], 0x10);
	CHECK_EQ(48 + 1 + sc[1], dlen);
	CHECK(!memcmp(sc + 2, "\\_SB_", 5));
	CHECK(sc[7] == 0x5b && sc[8] == 0x82);
	CHECK_EQ(sc + 9 + sc[9], dsdt + dlen);
	CHECK(!memcmp(sc + 10, "PCI0", 4));
	static const uint8_t hid[] = { 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03 };
	CHECK(!memcmp(sc + 14, hid, sizeof(hid)));
}

TEST(acpi_fadt_fields)
{
	struct vacpi_layout l;
	struct vacpi_config c = cfg(1);
	CHECK_EQ(vacpi_build(mem, sizeof(mem), GPA, &c, &l), 0);
	const uint8_t *f = at(l.fadt);
	CHECK_EQ(get(f + 46, 2), 9);             /* SCI_INT */
	CHECK_EQ(get(f + 48, 4), 0);             /* no SMI_CMD */
	CHECK_EQ(get(f + 56, 4), 0x600);         /* PM1a_EVT */
	CHECK_EQ(get(f + 64, 4), 0x604);         /* PM1a_CNT */
	CHECK_EQ(get(f + 76, 4), 0x608);         /* PM_TMR */
	CHECK_EQ(f[88], 4); CHECK_EQ(f[89], 2); CHECK_EQ(f[91], 4);
	CHECK_EQ(f[108], 0x32);                  /* century */
	CHECK_EQ(get(f + 109, 2) & 3, 1);        /* legacy devices, no 8042 */
	uint32_t flags = (uint32_t)get(f + 112, 4);
	CHECK(flags & (1u << 10));               /* RESET_REG_SUP */
	CHECK(!(flags & (1u << 20)));            /* not HW-reduced */
	CHECK_EQ(f[116], 1);                     /* reset reg: system I/O */
	CHECK_EQ(f[117], 8);
	CHECK_EQ(get(f + 120, 8), 0xcf9);
	CHECK_EQ(f[128], 6);
	CHECK_EQ(f[208], 1);                     /* X_PM_TMR_BLK */
	CHECK_EQ(get(f + 212, 8), 0x608);
}

TEST(acpi_madt_entries)
{
	struct vacpi_layout l;
	struct vacpi_config c = cfg(3);
	CHECK_EQ(vacpi_build(mem, sizeof(mem), GPA, &c, &l), 0);
	const uint8_t *m = at(l.madt);
	uint32_t len = (uint32_t)get(m + 4, 4), o = 44;
	unsigned lapics = 0, ioapics = 0, isos = 0, nmis = 0;
	CHECK_EQ(get(m + 36, 4), 0xfee00000);
	CHECK_EQ(get(m + 40, 4) & 1, 1);         /* PCAT_COMPAT */
	while (o < len) {
		const uint8_t *e = m + o;
		CHECK(e[1] >= 2 && o + e[1] <= len);
		switch (e[0]) {
		case 0:
			CHECK_EQ(e[3], lapics);
			CHECK_EQ(get(e + 4, 4), 1);
			lapics++;
			break;
		case 1:
			CHECK_EQ(get(e + 4, 4), 0xfec00000);
			CHECK_EQ(get(e + 8, 4), 0);
			ioapics++;
			break;
		case 2:
			if (e[3] == 0) CHECK_EQ(get(e + 4, 4), 2);
			if (e[3] == 9) CHECK_EQ(get(e + 8, 2), 0x000d);
			isos++;
			break;
		case 4:
			CHECK_EQ(e[2], 0xff);
			CHECK_EQ(e[5], 1);               /* LINT1 */
			nmis++;
			break;
		}
		o += e[1];
	}
	CHECK_EQ(o, len);
	CHECK_EQ(lapics, 3); CHECK_EQ(ioapics, 1); CHECK_EQ(isos, 2); CHECK_EQ(nmis, 1);
}

TEST(acpi_build_limits)
{
	struct vacpi_layout l;
	struct vacpi_config c = cfg(255);
	CHECK_EQ(vacpi_build(mem, 4096, GPA, &c, &l), 0);
	CHECK_EQ(vacpi_build(mem, 512, GPA, &c, &l), -ENOSPC);
	c.ncpus = 0;
	CHECK_EQ(vacpi_build(mem, 4096, GPA, &c, &l), -EINVAL);
	c.ncpus = 256;
	CHECK_EQ(vacpi_build(mem, 4096, GPA, &c, &l), -EINVAL);
	c.ncpus = 1;
	CHECK_EQ(vacpi_build(mem, 4096, 0x100000000ull, &c, &l), -EINVAL);
}

static int sci;
static void sci_set(void *ctx, unsigned pin, bool level)
{
	sci = level;
}

static uint32_t pm_rd(struct vacpi_pm *pm, uint16_t port, unsigned size, uint64_t now)
{
	uint32_t v = 0xdeadbeef;
	if (vacpi_pm_pio(pm, port, size, false, &v, now))
		return 0xbad;
	return v;
}

TEST(acpi_pm_timer_and_power_off)
{
	struct vacpi_pm pm;
	struct vdev_requests req = { 0 };
	struct virq_line l = { sci_set, NULL, 9 };
	sci = 0;
	vacpi_pm_init(&pm, 0x600, l, &req, 0);
	CHECK_EQ(pm_rd(&pm, 0x608, 4, 1000000000ull), 3579545);
	CHECK_EQ(pm_rd(&pm, 0x608, 4, 10000000000ull), 35795450 & 0xffffff); /* 24 bits */
	CHECK_EQ(pm_rd(&pm, 0x604, 2, 0) & 1, 1);       /* SCI_EN */
	uint32_t v = (5u << 10) | (1u << 13);           /* SLP_TYP 5: no such state */
	vacpi_pm_pio(&pm, 0x604, 2, true, &v, 0);
	CHECK_EQ(req.pending, 0);
	v = (VACPI_SLP_TYP_S5 << 10) | (1u << 13);
	vacpi_pm_pio(&pm, 0x604, 2, true, &v, 0);
	CHECK_EQ(req.pending, VDEV_REQ_POWEROFF);
	CHECK_EQ(pm_rd(&pm, 0x604, 2, 0) & (1u << 13), 0); /* SLP_EN write-only */
	CHECK_EQ(pm_rd(&pm, 0x609, 2, 0), 0xbad);       /* misaligned */
}

TEST(acpi_pm_events_and_sci)
{
	struct vacpi_pm pm;
	struct virq_line l = { sci_set, NULL, 9 };
	sci = 0;
	vacpi_pm_init(&pm, 0x600, l, NULL, 0);
	vacpi_pm_power_button(&pm);
	CHECK_EQ(sci, 0);                               /* not enabled */
	CHECK_EQ(pm_rd(&pm, 0x600, 2, 0) & 0x100, 0x100);
	uint32_t v = 0x100;
	vacpi_pm_pio(&pm, 0x602, 2, true, &v, 0);        /* PWRBTN_EN */
	CHECK_EQ(sci, 1);
	vacpi_pm_pio(&pm, 0x600, 2, true, &v, 0);        /* W1C */
	CHECK_EQ(sci, 0);
	CHECK_EQ(pm_rd(&pm, 0x600, 2, 0), 0);
	v = 0x101;                                      /* + TMR_EN */
	vacpi_pm_pio(&pm, 0x602, 2, true, &v, 0);
	uint64_t t = vacpi_pm_next_event_ns(&pm, 0);
	CHECK_EQ(t, (8388608ull * 1000000000ull + 3579544) / 3579545);
	vacpi_pm_tick(&pm, t - 1);
	CHECK_EQ(sci, 0);
	vacpi_pm_tick(&pm, t);
	CHECK_EQ(sci, 1);
	CHECK_EQ(pm_rd(&pm, 0x600, 1, t), 0x01);       /* TMR_STS, byte read */
}
