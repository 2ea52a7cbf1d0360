#ifndef LIB_TIME_H
#define LIB_TIME_H
#include <stdint.h>
/* TSC-based time, calibrated against the PIT at boot. */
int time_init(void);
uint64_t time_ns(void);
uint64_t tsc_to_ns(uint64_t tsc);
extern uint64_t tsc_hz;
#endif
