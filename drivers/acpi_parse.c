/*
 * ACPI table parser (ACPI 6.4: 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.9 FADT,
 * 5.2.12 MADT). Host-testable: memory is reached only through `map`.
 * Firmware is input like any other: lengths are bounded and checksummed.
 */
#include <errno.h>
#include "drivers/acpi.h"
#include "ditto/fmt.h"

#define MAX_TABLE_LEN (1u << 20)

struct sdt_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem_id[6], oem_table_id[8];
	uint32_t oem_revision, creator_id, creator_revision;
} __attribute__((packed));

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;
	for (size_t i = 0; i < len; i++)
		s += b[i];
	return s;
}

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

/* Map a whole table after checking its header; NULL on any problem. */
static const uint8_t *map_table(acpi_map_fn map, uint64_t phys, uint32_t *len, char *err,
				size_t errlen)
{
	const struct sdt_header *h = map(phys, sizeof(*h));
	if (!h) {
		fmt_snprintf(err, errlen, "table at 0x%llx cannot be mapped", (unsigned long long)phys);
		return NULL;
	}
	uint32_t l = h->length;
	if (l < sizeof(*h) || l > MAX_TABLE_LEN) {
		fmt_snprintf(err, errlen, "table %.4s at 0x%llx has bad length %u", h->sig,
			     (unsigned long long)phys, l);
		return NULL;
	}
	const uint8_t *t = map(phys, l);
	if (!t)
		return NULL;
	if (acpi_checksum(t, l)) {
		fmt_snprintf(err, errlen, "table %.4s at 0x%llx has a bad checksum", h->sig,
			     (unsigned long long)phys);
		return NULL;
	}
	*len = l;
	return t;
}

static void parse_madt(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	out->lapic_addr = rd32(t + 36);
	out->pcat_compat = rd32(t + 40) & 1;
	for (uint32_t off = 44; off + 2 <= len;) {
		uint8_t type = t[off], elen = t[off + 1];
		if (elen < 2 || off + elen > len)
			break; /* malformed entry: stop, keep what was read */
		const uint8_t *e = t + off;
		switch (type) {
		case 0: /* Processor Local APIC (5.2.12.2) */
			if (elen >= 8 && out->n_cpus < ACPI_MAX_CPUS) {
				uint32_t fl = rd32(e + 4);
				struct acpi_cpu *c = &out->cpus[out->n_cpus];
				c->uid = e[2];
				c->apic_id = e[3];
				c->enabled = fl & 1;
				/* Neither enabled nor online-capable: not a CPU at all. */
				if (fl & 3)
					out->n_cpus++;
			}
			break;
		case 1: /* I/O APIC (5.2.12.3) */
			if (elen >= 12 && out->n_ioapics < ACPI_MAX_IOAPICS) {
				struct acpi_ioapic *io = &out->ioapics[out->n_ioapics++];
				io->id = e[2];
				io->addr = rd32(e + 4);
				io->gsi_base = rd32(e + 8);
			}
			break;
		case 2: /* Interrupt Source Override (5.2.12.5) */
			if (elen >= 10 && out->n_isos < ACPI_MAX_ISOS) {
				struct acpi_iso *s = &out->isos[out->n_isos++];
				s->bus = e[2];
				s->source = e[3];
				s->gsi = rd32(e + 4);
				s->flags = rd16(e + 8);
			}
			break;
		case 5: /* Local APIC Address Override (5.2.12.8) */
			if (elen >= 12)
				out->lapic_addr = rd64(e + 4);
			break;
		case 9: /* Processor Local x2APIC (5.2.12.12) */
			if (elen >= 16 && out->n_cpus < ACPI_MAX_CPUS) {
				uint32_t fl = rd32(e + 8);
				struct acpi_cpu *c = &out->cpus[out->n_cpus];
				c->apic_id = rd32(e + 4);
				c->uid = rd32(e + 12);
				c->enabled = fl & 1;
				if (fl & 3)
					out->n_cpus++;
			}
			break;
		default:
			break;
		}
		off += elen;
	}
}

/*
 * \_S5 in the DSDT (ACPI 7.4.2): the AML NameOp "_S5_" followed by a
 * PackageOp whose first elements are SLP_TYPa and SLP_TYPb, each a
 * BytePrefix (0x0a) constant, ZeroOp (0x00), OneOp (0x01) or ... we accept
 * the forms firmware emits.
 */
static int aml_small_int(const uint8_t *p, const uint8_t *end, uint8_t *v)
{
	if (p >= end)
		return -1;
	if (*p == 0x0a) {
		if (p + 1 >= end)
			return -1;
		*v = p[1];
		return 2;
	}
	if (*p == 0x00 || *p == 0x01) {
		*v = *p;
		return 1;
	}
	if (*p == 0xff) { /* OnesOp */
		*v = 0xff;
		return 1;
	}
	return -1;
}

static void parse_s5(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	const uint8_t *end = t + len;
	for (const uint8_t *p = t + sizeof(struct sdt_header); p + 8 < end; p++) {
		if (memcmp(p, "_S5_", 4) || p[4] != 0x12)
			continue;
		const uint8_t *q = p + 5;
		/* PkgLength (ACPI 20.2.4): lead byte bits 7:6 = extra bytes. */
		q += 1 + (*q >> 6);
		q++; /* NumElements */
		int n = aml_small_int(q, end, &out->s5_slp_typa);
		if (n < 0)
			continue;
		q += n;
		if (aml_small_int(q, end, &out->s5_slp_typb) < 0)
			out->s5_slp_typb = 0;
		out->has_s5 = true;
		return;
	}
}

static void parse_fadt(acpi_map_fn map, const uint8_t *t, uint32_t len, struct acpi_info *out,
		       char *err, size_t errlen)
{
	out->has_fadt = true;
	if (len >= 48)
		out->sci_irq = rd16(t + 46);
	if (len >= 68)
		out->pm1a_cnt = rd32(t + 64);
	if (len >= 72)
		out->pm1b_cnt = rd32(t + 68);
	if (len >= 80)
		out->pm_tmr = rd32(t + 76);
	uint64_t dsdt = len >= 44 ? rd32(t + 40) : 0;
	if (len >= 148 && rd64(t + 140))
		dsdt = rd64(t + 140); /* X_DSDT */
	/* RESET_REG (GAS at 116) and RESET_VALUE (128), valid if flag bit 10. */
	if (len >= 129 && (rd32(t + 112) & (1u << 10))) {
		out->has_reset = true;
		out->reset_space = t[116];
		out->reset_addr = rd64(t + 120);
		out->reset_value = t[128];
	}
	/* X_PM1a_CNT_BLK (GAS at 172) overrides when it is an I/O address. */
	if (len >= 184 && t[172] == 1 && rd64(t + 176))
		out->pm1a_cnt = (uint32_t)rd64(t + 176);
	out->dsdt_phys = dsdt;
	if (dsdt) {
		uint32_t dlen;
		const uint8_t *d = map_table(map, dsdt, &dlen, err, errlen);
		if (d)
			parse_s5(d, dlen, out);
	}
}

int acpi_parse(acpi_map_fn map, const void *rsdp, uint64_t rsdp_phys, struct acpi_info *out,
	       char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = 0;
	const uint8_t *r = rsdp ? rsdp : map(rsdp_phys, 36);
	if (!r || memcmp(r, "RSD PTR ", 8)) {
		fmt_snprintf(err, errlen, "no RSDP signature");
		return -EINVAL;
	}
	if (acpi_checksum(r, 20)) {
		fmt_snprintf(err, errlen, "RSDP checksum bad");
		return -EINVAL;
	}
	out->rsdp_phys = rsdp_phys;
	out->rsdp_revision = r[15];
	memcpy(out->oem_id, r + 9, 6);
	uint64_t root = rd32(r + 16);
	bool x = false;
	if (r[15] >= 2) {
		uint32_t l = rd32(r + 20);
		if (l < 36 || l > 4096 || acpi_checksum(r, l)) {
			fmt_snprintf(err, errlen, "RSDP 2.0 extended checksum bad");
			return -EINVAL;
		}
		if (rd64(r + 24)) {
			root = rd64(r + 24);
			x = true;
		}
	}
	uint32_t rlen;
	const uint8_t *rt = map_table(map, root, &rlen, err, errlen);
	if (!rt)
		return -EINVAL;
	if (memcmp(rt, x ? "XSDT" : "RSDT", 4)) {
		fmt_snprintf(err, errlen, "root table signature %.4s unexpected", (const char *)rt);
		return -EINVAL;
	}
	size_t esz = x ? 8 : 4;
	size_t n = (rlen - sizeof(struct sdt_header)) / esz;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *ep = rt + sizeof(struct sdt_header) + i * esz;
		uint64_t phys = x ? rd64(ep) : rd32(ep);
		uint32_t len;
		const uint8_t *t = map_table(map, phys, &len, err, errlen);
		if (!t)
			continue; /* reported in err, skipped */
		if (out->n_tables < ACPI_MAX_TABLES) {
			memcpy(out->tables[out->n_tables].sig, t, 4);
			out->tables[out->n_tables].phys = phys;
			out->tables[out->n_tables].len = len;
			out->n_tables++;
		}
		if (!memcmp(t, "APIC", 4))
			parse_madt(t, len, out);
		else if (!memcmp(t, "FACP", 4))
			parse_fadt(map, t, len, out, err, errlen);
	}
	return 0;
}
