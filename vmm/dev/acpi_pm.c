/*
 * ACPI fixed hardware: PM1a event block (PM1_STS, PM1_EN: ACPI 6.x 4.8.4.1,
 * tables 4-16/4-17), PM1a control (4.8.4.2, table 4-18) and the PM timer
 * (4.8.3.3: a 24-bit counter at 3.579545 MHz; TMR_STS is set whenever bit 23
 * of the counter changes). Status bits are write-one-to-clear. SCI_EN reads
 * as 1: the FADT has no SMI_CMD, so the machine is always in ACPI mode. A
 * write of SLP_EN with SLP_TYP = S5 (the DSDT's \_S5) is a power-off
 * request for the caller; other sleep types are ignored (no \_S1-\_S4).
 */
#include "vmm/dev/acpi.h"

#define STS_TMR (1u << 0)
#define STS_GBL (1u << 5)
#define STS_PWRBTN (1u << 8)
#define STS_SLPBTN (1u << 9)
#define STS_RTC (1u << 10)
#define STS_WAK (1u << 15)
#define STS_MASK (STS_TMR | STS_GBL | STS_PWRBTN | STS_SLPBTN | STS_RTC | STS_WAK)
#define EN_MASK (STS_TMR | STS_GBL | STS_PWRBTN | STS_SLPBTN | STS_RTC)

#define CNT_SCI_EN (1u << 0)
#define CNT_SLP_TYP_SHIFT 10
#define CNT_SLP_EN (1u << 13)
#define CNT_RW_MASK (0x7u << CNT_SLP_TYP_SHIFT | (1u << 1)) /* SLP_TYP, BM_RLD */

uint32_t vacpi_pm_timer(uint64_t now_ns)
{
	return (uint32_t)vdev_muldiv(now_ns, VACPI_PM_TMR_HZ, VDEV_NS_PER_SEC) & 0xffffff;
}

static uint64_t half_periods(uint64_t now_ns)
{
	return vdev_muldiv(now_ns, VACPI_PM_TMR_HZ, VDEV_NS_PER_SEC) >> 23;
}

static void update_sci(struct vacpi_pm *pm)
{
	bool level = pm->sts & pm->en & EN_MASK;

	if (level != pm->sci_level) {
		pm->sci_level = level;
		virq_line_set(&pm->sci, level);
	}
}

void vacpi_pm_init(struct vacpi_pm *pm, uint16_t base, struct virq_line sci,
		  struct vdev_requests *req, uint64_t now_ns)
{
	memset(pm, 0, sizeof(*pm));
	pm->base = base;
	pm->sci = sci;
	pm->req = req;
	pm->cnt = CNT_SCI_EN;
	pm->tmr_half_periods = half_periods(now_ns);
}

void vacpi_pm_tick(struct vacpi_pm *pm, uint64_t now_ns)
{
	uint64_t h = half_periods(now_ns);

	if (h > pm->tmr_half_periods) {
		pm->tmr_half_periods = h;
		pm->sts |= STS_TMR;
	}
	update_sci(pm);
}

uint64_t vacpi_pm_next_event_ns(const struct vacpi_pm *pm, uint64_t now_ns)
{
	if (!(pm->en & STS_TMR) || (pm->sts & STS_TMR))
		return VDEV_NEVER;
	return vdev_muldiv_ceil((pm->tmr_half_periods + 1) << 23, VDEV_NS_PER_SEC,
				VACPI_PM_TMR_HZ);
}

void vacpi_pm_power_button(struct vacpi_pm *pm)
{
	pm->sts |= STS_PWRBTN;
	update_sci(pm);
}

static uint8_t read_byte(struct vacpi_pm *pm, unsigned off, uint64_t now)
{
	uint32_t v;

	switch (off) {
	case 0: case 1: v = pm->sts; break;
	case 2: case 3: v = pm->en; break;
	case 4: case 5: v = pm->cnt; break;
	case 8: case 9: case 10: case 11: v = vacpi_pm_timer(now); break;
	default: return 0xff;
	}
	return (uint8_t)(v >> (off >= 8 ? 8 * (off - 8) : 8 * (off & 1)));
}

static void write_byte(struct vacpi_pm *pm, unsigned off, uint8_t b)
{
	unsigned shift = (off & 1) * 8;
	uint16_t v = (uint16_t)(b << shift), lane = (uint16_t)(0xff << shift);

	switch (off) {
	case 0: case 1: /* write one to clear */
		pm->sts &= (uint16_t)~(v & STS_MASK);
		break;
	case 2: case 3:
		pm->en = (uint16_t)((pm->en & ~lane) | (v & lane & EN_MASK));
		break;
	case 4: case 5:
		pm->cnt = (uint16_t)((pm->cnt & ~(lane & CNT_RW_MASK)) | (v & lane & CNT_RW_MASK));
		pm->cnt |= CNT_SCI_EN;
		if ((v & CNT_SLP_EN) &&
		    ((pm->cnt >> CNT_SLP_TYP_SHIFT) & 7) == VACPI_SLP_TYP_S5)
			vdev_request(pm->req, VDEV_REQ_POWEROFF);
		break;
	default: /* the timer is read-only */
		break;
	}
}

int vacpi_pm_pio(struct vacpi_pm *pm, uint16_t port, unsigned size, bool write, uint32_t *val,
		uint64_t now_ns)
{
	unsigned off = (unsigned)(uint16_t)(port - pm->base);
	uint32_t v = 0;

	if (!vdev_size_ok(size) || off >= 12 || (off & (size - 1)))
		return -EINVAL; /* naturally aligned accesses within the blocks */
	vacpi_pm_tick(pm, now_ns);
	for (unsigned i = 0; i < size; i++) {
		if (write)
			write_byte(pm, off + i, (uint8_t)(*val >> (8 * i)));
		else
			v |= (uint32_t)read_byte(pm, off + i, now_ns) << (8 * i);
	}
	if (!write)
		*val = v;
	update_sci(pm);
	return 0;
}
