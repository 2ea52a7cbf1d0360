/*
 * Host tool: builds one VM's ACPI tables (vmm/dev/acpi.c) and writes each
 * table to DIR/<sig>.dat for an external checker, e.g.
 *   build/tools/dev_acpi_dump /tmp/acpi 4 && iasl -d /tmp/acpi/facp.dat (and the others)
 * (iasl is in Debian's acpica-tools; it is not needed by the build).
 */
#include <stdio.h>
#include <stdlib.h>
#include "vmm/dev/acpi.h"

static uint8_t mem[8192];
#define GPA 0xe0000ull

static int dump(const char *dir, const char *name, uint64_t gpa, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(mem + (gpa - GPA), 1, len, f) != len) {
		perror(path);
		return 1;
	}
	fclose(f);
	return 0;
}

static uint32_t len_of(uint64_t gpa)
{
	const uint8_t *p = mem + (gpa - GPA) + 4;
	return (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);
}

int main(int argc, char **argv)
{
	struct vacpi_config c = { 1, 0xfee00000, 0xfec00000, 0, VACPI_PM_BASE, VACPI_SCI_IRQ };
	struct vacpi_layout l;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [NCPUS]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		c.ncpus = (unsigned)atoi(argv[2]);
	if (vacpi_build(mem, sizeof(mem), GPA, &c, &l)) {
		fprintf(stderr, "vacpi_build failed\n");
		return 1;
	}
	rc |= dump(argv[1], "rsdp", l.rsdp, 36);
	rc |= dump(argv[1], "rsdt", l.rsdt, len_of(l.rsdt));
	rc |= dump(argv[1], "xsdt", l.xsdt, len_of(l.xsdt));
	rc |= dump(argv[1], "facp", l.fadt, len_of(l.fadt));
	rc |= dump(argv[1], "apic", l.madt, len_of(l.madt));
	rc |= dump(argv[1], "dsdt", l.dsdt, len_of(l.dsdt));
	rc |= dump(argv[1], "facs", l.facs, 64);
	return rc;
}
