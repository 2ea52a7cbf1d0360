/*
 * ACPI on the host: find the RSDP (multiboot2 tag, else the BIOS areas of
 * ACPI 6.4 5.2.5.1), parse the tables once, early, while the boot page tables
 * still map the low 4 GiB, and keep what Ditto needs in `acpi`.
 */
#include "arch/paging.h"
#include "arch/x86.h"
#include "drivers/acpi.h"
#include "lib/console.h"

struct acpi_info acpi;

/* Early: the boot tables map all of the low 4 GiB at DIRECT_MAP_BASE. */
static const void *early_map(uint64_t phys, size_t len)
{
	if (phys + len < phys || phys + len > (4ull << 30))
		return NULL;
	return phys_to_virt(phys);
}

static uint64_t scan_rsdp(uint64_t from, uint64_t to)
{
	for (uint64_t p = from; p + 20 <= to; p += 16) {
		const uint8_t *r = phys_to_virt(p);
		if (!memcmp(r, "RSD PTR ", 8) && !acpi_checksum(r, 20))
			return p;
	}
	return 0;
}

int acpi_init(const void *mb2_rsdp)
{
	char err[128];
	uint64_t phys = 0;
	if (!mb2_rsdp) {
		uint64_t ebda = (uint64_t)*(const uint16_t *)phys_to_virt(0x40e) << 4;
		if (ebda >= 0x80000 && ebda < 0xa0000)
			phys = scan_rsdp(ebda, ebda + 1024);
		if (!phys)
			phys = scan_rsdp(0xe0000, 0x100000);
		if (!phys) {
			kprintf("acpi: no RSDP found\n");
			return -1;
		}
	}
	int r = acpi_parse(early_map, mb2_rsdp, phys, &acpi, err, sizeof(err));
	if (err[0])
		kprintf("acpi: %s\n", err);
	return r;
}

void acpi_poweroff(void)
{
	if (!acpi.pm1a_cnt)
		return;
	/* PM1 control: SLP_TYP in bits 12:10, SLP_EN bit 13 (ACPI 4.8.3.2.1). */
	uint16_t typa = acpi.has_s5 ? acpi.s5_slp_typa : 0;
	uint16_t typb = acpi.has_s5 ? acpi.s5_slp_typb : 0;
	outw((uint16_t)acpi.pm1a_cnt, (uint16_t)((typa & 7) << 10 | 1u << 13));
	if (acpi.pm1b_cnt)
		outw((uint16_t)acpi.pm1b_cnt, (uint16_t)((typb & 7) << 10 | 1u << 13));
}
