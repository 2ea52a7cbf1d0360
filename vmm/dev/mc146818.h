/*
 * MC146818 real-time clock and CMOS RAM behind ports 0x70 (index, bit 7 =
 * NMI mask) and 0x71 (data). The clock runs from an epoch given at init and
 * injected guest time; IRQF drives IRQ8.
 */
#ifndef DITTO_VMM_DEV_MC146818_H
#define DITTO_VMM_DEV_MC146818_H

#include "vmm/dev/vdev.h"

#define VRTC_CMOS_SIZE 128
#define VRTC_CENTURY 0x32

struct vrtc {
	uint8_t cmos[VRTC_CMOS_SIZE]; /* 0x00-0x0d are the clock registers */
	uint8_t index;
	bool nmi_masked;             /* port 0x70 bit 7 */
	uint64_t base_sec;           /* Unix time at base_ns */
	uint64_t base_ns;            /* a second boundary of the clock */
	uint64_t last_ns;            /* events processed up to here */
	bool irq_level;
	struct virq_line irq;
};

void vrtc_init(struct vrtc *r, struct virq_line irq, uint64_t epoch_sec, uint64_t now_ns);
/* Memory-size bytes as SeaBIOS reads them from QEMU's CMOS, and CPU count. */
void vrtc_set_memory(struct vrtc *r, uint64_t ram_below_4g, uint64_t ram_above_4g,
		    unsigned ncpus);
/* Ports 0x70, 0x71; 8-bit accesses only (-EINVAL otherwise). */
int vrtc_pio(struct vrtc *r, uint16_t port, unsigned size, bool write, uint32_t *val,
	    uint64_t now_ns);
void vrtc_tick(struct vrtc *r, uint64_t now_ns);
uint64_t vrtc_next_event_ns(const struct vrtc *r, uint64_t now_ns);
/* The clock's Unix time at now (tests, and a host "what time does the guest
 * think it is"). */
uint64_t vrtc_time(const struct vrtc *r, uint64_t now_ns);

#endif
