/*
 * ACPI tables of one VM (RSDP, RSDT, XSDT, FADT, FACS, DSDT, MADT) built into
 * a buffer that the integration copies to guest-physical address `gpa`, and
 * the fixed ACPI hardware behind them: the PM timer and the PM1 event and
 * control registers (vacpi_pm_*).
 */
#ifndef DITTO_VMM_DEV_ACPI_H
#define DITTO_VMM_DEV_ACPI_H

#include "vmm/dev/vdev.h"

#define VACPI_PM_BASE 0x600   /* PM1a_EVT 0x600, PM1a_CNT 0x604, PM_TMR 0x608 */
#define VACPI_PM_TMR_HZ 3579545u
#define VACPI_SCI_IRQ 9
#define VACPI_MAX_CPUS 255    /* processor local APIC entries (8-bit IDs) */
#define VACPI_SLP_TYP_S5 0    /* the DSDT's \_S5 value */

struct vacpi_config {
	unsigned ncpus;          /* vCPUs, APIC IDs 0..ncpus-1 */
	uint32_t lapic_addr;     /* 0xfee00000 */
	uint32_t ioapic_addr;    /* 0xfec00000 */
	uint8_t ioapic_id;
	uint16_t pm_base;        /* VACPI_PM_BASE */
	uint16_t sci_irq;        /* VACPI_SCI_IRQ */
};

/* Guest-physical addresses of what was built. */
struct vacpi_layout {
	uint64_t rsdp, rsdt, xsdt, fadt, facs, dsdt, madt;
	size_t size; /* bytes of the buffer used */
};

/*
 * Builds the tables into buf[0..size) for placement at `gpa` (all tables
 * below 4 GiB: -EINVAL otherwise, or for 0 / too many CPUs); -ENOSPC if the
 * buffer is too small. 4 KiB holds up to 255 vCPUs.
 */
int vacpi_build(void *buf, size_t size, uint64_t gpa, const struct vacpi_config *cfg,
	       struct vacpi_layout *out);

/* ---------------------------------------------------------- PM hardware */

struct vacpi_pm {
	uint16_t base;
	uint16_t sts, en, cnt;
	uint64_t tmr_half_periods; /* bit-23 toggles already seen (TMR_STS) */
	bool sci_level;
	struct virq_line sci;
	struct vdev_requests *req;
};

void vacpi_pm_init(struct vacpi_pm *pm, uint16_t base, struct virq_line sci,
		  struct vdev_requests *req, uint64_t now_ns);
/* base+0..3 (PM1 status/enable), base+4..5 (control), base+8..11 (timer). */
int vacpi_pm_pio(struct vacpi_pm *pm, uint16_t port, unsigned size, bool write, uint32_t *val,
		uint64_t now_ns);
/* The host presses the (fixed-feature) power button: PWRBTN_STS -> SCI. */
void vacpi_pm_power_button(struct vacpi_pm *pm);
uint32_t vacpi_pm_timer(uint64_t now_ns);
void vacpi_pm_tick(struct vacpi_pm *pm, uint64_t now_ns);
uint64_t vacpi_pm_next_event_ns(const struct vacpi_pm *pm, uint64_t now_ns);

#endif
