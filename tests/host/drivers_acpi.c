/* ACPI parser on synthetic firmware tables in a fake physical memory. */
#include <string.h>
#include "check.h"
#include "drivers/acpi.h"

static uint8_t mem[1 << 16];
static const void *map(uint64_t phys, size_t len)
{
	if (phys + len > sizeof(mem) || phys + len < phys)
		return NULL;
	return mem + phys;
}
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void fix(uint8_t *t, uint32_t len, size_t csum_off)
{
	t[csum_off] = 0;
	t[csum_off] = (uint8_t)(0x100 - acpi_checksum(t, len));
}
static void header(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 2;
	memcpy(t + 10, "DITTO ", 6);
}

/* RSDP v2 at 0x100 -> XSDT 0x200 -> MADT 0x400, FADT 0x800 -> DSDT 0xc00 */
static void build(void)
{
	memset(mem, 0, sizeof(mem));
	uint8_t *r = mem + 0x100;
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "DITTO ", 6);
	r[15] = 2;
	put32(r + 16, 0);
	put32(r + 20, 36);
	put64(r + 24, 0x200);
	fix(r, 20, 8);
	fix(r, 36, 32);

	uint8_t *x = mem + 0x200;
	header(x, "XSDT", 36 + 16);
	put64(x + 36, 0x400);
	put64(x + 44, 0x800);
	fix(x, 52, 9);

	uint8_t *m = mem + 0x400;
	uint32_t off = 44;
	put32(m + 36, 0xfee00000);
	put32(m + 40, 1);
	for (int i = 0; i < 3; i++) { /* CPUs: enabled, enabled, absent */
		uint8_t *e = m + off;
		e[0] = 0; e[1] = 8; e[2] = (uint8_t)i; e[3] = (uint8_t)(i * 2);
		put32(e + 4, i < 2 ? 1 : 0);
		off += 8;
	}
	uint8_t *io = m + off;
	io[0] = 1; io[1] = 12; io[2] = 9;
	put32(io + 4, 0xfec00000);
	off += 12;
	uint8_t *iso = m + off;
	iso[0] = 2; iso[1] = 10; iso[3] = 0;
	put32(iso + 4, 2);
	off += 10;
	uint8_t *x2 = m + off; /* an x2APIC CPU, online-capable */
	x2[0] = 9; x2[1] = 16;
	put32(x2 + 4, 300);
	put32(x2 + 8, 2);
	off += 16;
	header(m, "APIC", off);
	fix(m, off, 9);

	uint8_t *f = mem + 0x800;
	header(f, "FACP", 276);
	put32(f + 40, 0xc00);
	f[46] = 9;
	put32(f + 64, 0xb004);
	put32(f + 76, 0xb008);
	put32(f + 112, 1u << 10);
	f[116] = 1;
	put64(f + 120, 0xcf9);
	f[128] = 6;
	fix(f, 276, 9);

	uint8_t *d = mem + 0xc00;
	static const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0, 0 };
	memcpy(d + 36, aml, sizeof(aml));
	header(d, "DSDT", 36 + sizeof(aml));
	fix(d, 36 + sizeof(aml), 9);
}

static struct acpi_info info;
static char err[128];

TEST(parses_madt_and_fadt)
{
	build();
	CHECK_EQ(acpi_parse(map, NULL, 0x100, &info, err, sizeof(err)), 0);
	CHECK_STREQ(err, "");
	CHECK_EQ(info.n_tables, 2);
	CHECK_EQ(info.n_cpus, 3); /* 2 LAPIC + 1 x2APIC; the absent one skipped */
	CHECK_EQ(info.cpus[1].apic_id, 2);
	CHECK_EQ(info.cpus[2].apic_id, 300);
	CHECK(!info.cpus[2].enabled);
	CHECK_EQ(info.n_ioapics, 1);
	CHECK_EQ(info.ioapics[0].addr, 0xfec00000);
	CHECK_EQ(info.n_isos, 1);
	CHECK_EQ(info.isos[0].gsi, 2);
	CHECK_EQ(info.pm1a_cnt, 0xb004);
	CHECK_EQ(info.sci_irq, 9);
	CHECK(info.has_s5);
	CHECK_EQ(info.s5_slp_typa, 5);
	CHECK_EQ(info.s5_slp_typb, 7);
	CHECK(info.has_reset);
	CHECK_EQ(info.reset_addr, 0xcf9);
	CHECK_EQ(info.reset_value, 6);
	CHECK(info.pcat_compat);
}

TEST(bad_rsdp_checksum_fails)
{
	build();
	mem[0x100 + 8] ^= 1;
	CHECK(acpi_parse(map, NULL, 0x100, &info, err, sizeof(err)) != 0);
	CHECK(strstr(err, "checksum"));
}

TEST(bad_table_checksum_skips_that_table)
{
	build();
	mem[0x400 + 50] ^= 0xff; /* corrupt the MADT */
	CHECK_EQ(acpi_parse(map, NULL, 0x100, &info, err, sizeof(err)), 0);
	CHECK(strstr(err, "APIC"));
	CHECK_EQ(info.n_cpus, 0);
	CHECK(info.has_fadt);
}

TEST(table_length_beyond_memory_is_refused)
{
	build();
	put32(mem + 0x400 + 4, 0x7fffffff);
	CHECK_EQ(acpi_parse(map, NULL, 0x100, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.n_cpus, 0);
}

TEST(malformed_madt_entry_stops_cleanly)
{
	build();
	uint8_t *m = mem + 0x400;
	m[44 + 1] = 0; /* first entry length 0 would loop forever */
	fix(m, 44 + 24 + 12 + 10 + 16, 9);
	CHECK_EQ(acpi_parse(map, NULL, 0x100, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.n_cpus, 0);
}

TEST(rsdt_path_for_acpi1)
{
	build();
	uint8_t *r = mem + 0x100;
	r[15] = 0;
	put32(r + 16, 0x300);
	fix(r, 20, 8);
	uint8_t *rs = mem + 0x300;
	header(rs, "RSDT", 36 + 4);
	put32(rs + 36, 0x400);
	fix(rs, 40, 9);
	CHECK_EQ(acpi_parse(map, NULL, 0x100, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.n_cpus, 3);
	CHECK(!info.has_fadt);
}
