#ifndef DRIVERS_CMOS_H
#define DRIVERS_CMOS_H
#include <stdbool.h>
#include <stdint.h>
/* Seconds since 1970 from the host RTC (0 if it reads as nonsense). */
uint64_t cmos_read_epoch(void);
#endif
