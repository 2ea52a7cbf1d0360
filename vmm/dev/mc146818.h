/*
 * MC146818 real-time clock and CMOS RAM behind ports 0x70 (index, bit 7 =
 * NMI mask) and 0x71 (data). The clock runs from an epoch given at init and
 * injected guest time; IRQF drives IRQ8.
 */
#ifndef DITTO_VMM_DEV_MC146818_H
#define DITTO_VMM_DEV_MC146818_H

#include "vmm/dev/vdev.h"

#define RTC_CMOS_SIZE 128
#define RTC_CENTURY 0x32

struct rtc {
	uint8_t cmos[RTC_CMOS_SIZE]; /* 0x00-0x0d are the clock registers */
	uint8_t index;
	bool nmi_masked;             /* port 0x70 bit 7 */
	uint64_t base_sec;           /* Unix time at base_ns */
	uint64_t base_ns;            /* a second boundary of the clock */
	uint64_t last_ns;            /* events processed up to here */
	bool irq_level;
	struct irq_line irq;
};

void rtc_init(struct rtc *r, struct irq_line irq, uint64_t epoch_sec, uint64_t now_ns);
/* Memory-size bytes as SeaBIOS reads them from QEMU's CMOS, and CPU count. */
void rtc_set_memory(struct rtc *r, uint64_t ram_below_4g, uint64_t ram_above_4g,
		    unsigned ncpus);
/* Ports 0x70, 0x71; 8-bit accesses only (-EINVAL otherwise). */
int rtc_pio(struct rtc *r, uint16_t port, unsigned size, bool write, uint32_t *val,
	    uint64_t now_ns);
void rtc_tick(struct rtc *r, uint64_t now_ns);
uint64_t rtc_next_event_ns(const struct rtc *r, uint64_t now_ns);
/* The clock's Unix time at now (tests, and a host "what time does the guest
 * think it is"). */
uint64_t rtc_time(const struct rtc *r, uint64_t now_ns);

#endif
