/* The host's ACPI tables: CPUs, IOAPICs and overrides (MADT), power-off (FADT). */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H
#include "ditto/env.h"

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_ISOS 16
#define ACPI_MAX_TABLES 32

struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid;
	bool enabled;
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

struct acpi_iso {
	uint8_t bus, source;
	uint32_t gsi;
	uint16_t flags;
};

struct acpi_info {
	uint8_t rsdp_revision;
	char oem_id[7];
	uint64_t rsdp_phys;
	size_t n_tables;
	struct { char sig[5]; uint64_t phys; uint32_t len; } tables[ACPI_MAX_TABLES];
	uint64_t lapic_addr;
	bool pcat_compat;
	size_t n_cpus;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	size_t n_ioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	size_t n_isos;
	struct acpi_iso isos[ACPI_MAX_ISOS];
	/* FADT */
	bool has_fadt;
	uint32_t pm1a_cnt, pm1b_cnt; /* I/O ports, 0 if absent */
	uint32_t pm_tmr;
	uint16_t sci_irq;
	bool has_s5;
	uint8_t s5_slp_typa, s5_slp_typb;
	bool has_reset;
	uint8_t reset_space; /* GAS address space: 1 = I/O */
	uint64_t reset_addr;
	uint8_t reset_value;
	uint64_t dsdt_phys;
};

/* Maps physical memory for reading, or NULL if it cannot. */
typedef const void *(*acpi_map_fn)(uint64_t phys, size_t len);

/*
 * Parse from the RSDP at rsdp_phys (or the copy `rsdp` if non-NULL, as
 * multiboot2 passes it). Every table's length and checksum is checked; a bad
 * table is reported in err and skipped, a bad RSDP or root table fails.
 */
int acpi_parse(acpi_map_fn map, const void *rsdp, uint64_t rsdp_phys, struct acpi_info *out,
	       char *err, size_t errlen);
uint8_t acpi_checksum(const void *p, size_t len);

/* Kernel side (drivers/acpi.c). */
extern struct acpi_info acpi;
int acpi_init(const void *mb2_rsdp);
void acpi_poweroff(void);
#endif
