/*
 * ACPI table builder. References are to the ACPI Specification 6.x (the
 * layouts used exist since 5.0): 5.2.3.2 Generic Address Structure, 5.2.5.3
 * RSDP, 5.2.6 system description header, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.9 FADT
 * (table 5-33; revision 5, 268 bytes), 5.2.9.3 IA-PC boot architecture
 * flags, 5.2.10 FACS, 5.2.11.1 DSDT, 5.2.12 MADT (5.2.12.2 processor local
 * APIC, 5.2.12.3 I/O APIC, 5.2.12.5 interrupt source override, 5.2.12.7 local
 * APIC NMI), 7.4.2 \_Sx objects and 20.2 AML grammar (NameOp, PackageOp).
 *
 * The DSDT holds \_S5 (SLP_TYP 0) and the PCI root bridge \_SB.PCI0 (bus 0,
 * reached through mechanism #1; no _CRS, no _PRT: no PCI device needs
 * resources or interrupts). The other devices are ISA devices at their PC
 * addresses, described by the FADT and MADT (docs/platform.md).
 */
#include "vmm/dev/acpi.h"

#define HDR_LEN 36
#define FADT_LEN 268
#define FACS_LEN 64
#define RSDP_LEN 36

struct out {
	uint8_t *buf;
	size_t size, pos;
	uint64_t gpa;
};

static void put(uint8_t *p, unsigned at, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[at + i] = (uint8_t)(v >> (8 * i));
}

static void put_str(uint8_t *p, unsigned at, const char *s, unsigned n)
{
	memcpy(p + at, s, n);
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)(0 - sum);
}

/* Reserves n bytes at `align`; NULL if the buffer is too small. */
static uint8_t *reserve(struct out *o, size_t n, unsigned align, uint64_t *gpa)
{
	size_t at = o->pos;
	uint8_t *p;

	while ((o->gpa + at) % align)
		at++;
	if (at > o->size || n > o->size - at)
		return NULL;
	p = o->buf + at;
	memset(p, 0, n);
	*gpa = o->gpa + at;
	o->pos = at + n;
	return p;
}

/* 5.2.6: signature, length, revision, checksum (later), OEM fields. */
static void header(uint8_t *p, const char *sig, uint32_t len, uint8_t rev)
{
	put_str(p, 0, sig, 4);
	put(p, 4, len, 4);
	p[8] = rev;
	put_str(p, 10, "DITTO ", 6);
	put_str(p, 16, "DITTOVM ", 8);
	put(p, 24, 1, 4);
	put_str(p, 28, "DTTO", 4);
	put(p, 32, 1, 4);
}

static void seal(uint8_t *p, uint32_t len)
{
	p[9] = 0;
	p[9] = checksum(p, len);
}

/* 5.2.3.2: space ID 1 = system I/O; access size 1 byte .. 3 dword. */
static void gas_io(uint8_t *p, unsigned at, uint8_t bits, uint8_t access, uint64_t port)
{
	p[at] = 1;
	p[at + 1] = bits;
	p[at + 2] = 0;
	p[at + 3] = access;
	put(p, at + 4, port, 8);
}

/*
 * Hand-assembled AML (20.2: NameOp 0x08, PackageOp 0x12, ScopeOp 0x10,
 * DeviceOp 0x5b 0x82, DWordPrefix 0x0c; a one-byte PkgLength counts itself and
 * what follows it in the object, up to 63 bytes).
 */
static const uint8_t dsdt_aml[] = {
	/* Name (_S5, Package (4) { Zero, Zero, Zero, Zero }) */
	0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00,
	/* Scope (\_SB) { Device (PCI0) { Name (_HID, EisaId ("PNP0A03"))
	 *                                 Name (_UID, Zero) } } */
	0x10, 0x1d, '\\', '_', 'S', 'B', '_',
	0x5b, 0x82, 0x15, 'P', 'C', 'I', '0',
	0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03, /* "PNP" 0A03 */
	0x08, '_', 'U', 'I', 'D', 0x00,
};

static void build_fadt(uint8_t *p, const struct vacpi_config *c, uint64_t facs, uint64_t dsdt)
{
	header(p, "FACP", FADT_LEN, 5);
	put(p, 36, facs, 4);         /* FIRMWARE_CTRL (same as X_, see below) */
	put(p, 40, dsdt, 4);         /* DSDT */
	p[45] = 0;                   /* preferred PM profile: unspecified */
	put(p, 46, c->sci_irq, 2);   /* SCI_INT */
	put(p, 48, 0, 4);            /* SMI_CMD = 0: always in ACPI mode */
	put(p, 56, c->pm_base, 4);   /* PM1a_EVT_BLK */
	put(p, 64, c->pm_base + 4u, 4); /* PM1a_CNT_BLK */
	put(p, 76, c->pm_base + 8u, 4); /* PM_TMR_BLK */
	p[88] = 4;                   /* PM1_EVT_LEN */
	p[89] = 2;                   /* PM1_CNT_LEN */
	p[91] = 4;                   /* PM_TMR_LEN */
	put(p, 96, 101, 2);          /* P_LVL2_LAT > 100: no C2 */
	put(p, 98, 1001, 2);         /* P_LVL3_LAT > 1000: no C3 */
	p[108] = 0x32;               /* CENTURY: CMOS index */
	/* 5.2.9.3: legacy (ISA) devices present, no 8042, no VGA */
	put(p, 109, (1u << 0) | (1u << 2), 2);
	/* Flags: WBINVD, PROC_C1, SLP_BUTTON (none), RESET_REG_SUP. A fixed
	 * power button exists (PWR_BUTTON = 0); HW_REDUCED_ACPI = 0. */
	put(p, 112, (1u << 0) | (1u << 2) | (1u << 5) | (1u << 10), 4);
	gas_io(p, 116, 8, 1, 0xcf9); /* RESET_REG */
	p[128] = 0x06;               /* RESET_VALUE: hard reset via 0xcf9 */
	p[131] = 0;                  /* FADT minor version */
	/* Both 32- and 64-bit pointers carry the same address: old OSPMs read
	 * the former, new ones prefer the latter (5.2.9, X_ fields). */
	put(p, 132, facs, 8);        /* X_FIRMWARE_CTRL */
	put(p, 140, dsdt, 8);        /* X_DSDT */
	gas_io(p, 148, 32, 2, c->pm_base);        /* X_PM1a_EVT_BLK */
	gas_io(p, 172, 16, 2, c->pm_base + 4u);   /* X_PM1a_CNT_BLK */
	gas_io(p, 208, 32, 3, c->pm_base + 8u);   /* X_PM_TMR_BLK */
	seal(p, FADT_LEN);
}

static size_t madt_len(unsigned ncpus)
{
	return 44 + 8 * (size_t)ncpus + 12 + 2 * 10 + 6;
}

static void build_madt(uint8_t *p, const struct vacpi_config *c)
{
	uint32_t len = (uint32_t)madt_len(c->ncpus);
	unsigned at = 44;

	header(p, "APIC", len, 3);
	put(p, 36, c->lapic_addr, 4);
	put(p, 40, 1, 4); /* PCAT_COMPAT: dual 8259s present */
	for (unsigned i = 0; i < c->ncpus; i++, at += 8) {
		p[at] = 0;             /* processor local APIC */
		p[at + 1] = 8;
		p[at + 2] = (uint8_t)i; /* ACPI processor UID */
		p[at + 3] = (uint8_t)i; /* APIC ID */
		put(p, at + 4, 1, 4);  /* enabled */
	}
	p[at] = 1;                     /* I/O APIC */
	p[at + 1] = 12;
	p[at + 2] = c->ioapic_id;
	put(p, at + 4, c->ioapic_addr, 4);
	put(p, at + 8, 0, 4);          /* GSI base */
	at += 12;
	/* ISA IRQ0 (PIT) is wired to IOAPIC pin 2; flags 0 = bus default */
	p[at] = 2; p[at + 1] = 10; p[at + 2] = 0; p[at + 3] = 0;
	put(p, at + 4, 2, 4);
	put(p, at + 8, 0, 2);
	at += 10;
	/* SCI: level-triggered, active high (polarity 01, trigger 11) */
	p[at] = 2; p[at + 1] = 10; p[at + 2] = 0; p[at + 3] = (uint8_t)c->sci_irq;
	put(p, at + 4, c->sci_irq, 4);
	put(p, at + 8, 0x000d, 2);
	at += 10;
	/* LINT1 of every processor (UID 0xff) is NMI */
	p[at] = 4; p[at + 1] = 6; p[at + 2] = 0xff;
	put(p, at + 3, 0, 2);
	p[at + 5] = 1;
	seal(p, len);
}

int vacpi_build(void *buf, size_t size, uint64_t gpa, const struct vacpi_config *c,
	       struct vacpi_layout *l)
{
	struct out o = { buf, size, 0, gpa };
	uint8_t *facs, *rsdp, *dsdt, *fadt, *madt, *rsdt, *xsdt;
	uint32_t dsdt_len = HDR_LEN + sizeof(dsdt_aml);

	if (!c->ncpus || c->ncpus > VACPI_MAX_CPUS || gpa >= (1ull << 32) ||
	    size > (1ull << 32) - gpa)
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	/* FACS must be 64-byte aligned (5.2.10); the RSDP 16-byte aligned. */
	facs = reserve(&o, FACS_LEN, 64, &l->facs);
	rsdp = reserve(&o, RSDP_LEN, 16, &l->rsdp);
	dsdt = reserve(&o, dsdt_len, 16, &l->dsdt);
	fadt = reserve(&o, FADT_LEN, 16, &l->fadt);
	madt = reserve(&o, madt_len(c->ncpus), 16, &l->madt);
	rsdt = reserve(&o, HDR_LEN + 2 * 4, 16, &l->rsdt);
	xsdt = reserve(&o, HDR_LEN + 2 * 8, 16, &l->xsdt);
	if (!facs || !rsdp || !dsdt || !fadt || !madt || !rsdt || !xsdt)
		return -ENOSPC;

	put_str(facs, 0, "FACS", 4);
	put(facs, 4, FACS_LEN, 4);
	facs[32] = 2; /* version */

	header(dsdt, "DSDT", dsdt_len, 2); /* revision 2: 64-bit integers */
	memcpy(dsdt + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	seal(dsdt, dsdt_len);

	build_fadt(fadt, c, l->facs, l->dsdt);
	build_madt(madt, c);

	header(rsdt, "RSDT", HDR_LEN + 8, 1);
	put(rsdt, 36, l->fadt, 4);
	put(rsdt, 40, l->madt, 4);
	seal(rsdt, HDR_LEN + 8);
	header(xsdt, "XSDT", HDR_LEN + 16, 1);
	put(xsdt, 36, l->fadt, 8);
	put(xsdt, 44, l->madt, 8);
	seal(xsdt, HDR_LEN + 16);

	put_str(rsdp, 0, "RSD PTR ", 8);
	put_str(rsdp, 9, "DITTO ", 6);
	rsdp[15] = 2;                     /* revision: ACPI 2.0+ */
	put(rsdp, 16, l->rsdt, 4);
	put(rsdp, 20, RSDP_LEN, 4);
	put(rsdp, 24, l->xsdt, 8);
	rsdp[8] = checksum(rsdp, 20);     /* ACPI 1.0 checksum: first 20 bytes */
	rsdp[32] = checksum(rsdp, RSDP_LEN); /* extended checksum */
	l->size = o.pos;
	return 0;
}
