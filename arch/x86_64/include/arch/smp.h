#ifndef ARCH_SMP_H
#define ARCH_SMP_H
#include <stdbool.h>
#include <stdint.h>
/* Start every CPU the MADT lists (bounded waits; a CPU that does not
 * answer is reported and left out). Returns the number online. */
unsigned smp_boot(void);
unsigned smp_online(void);
/* Run fn(arg) on CPU `cpu` (an AP idling in smp's loop). -1 if it is not
 * online or busy. */
int smp_call(unsigned cpu, void (*fn)(void *), void *arg);
bool smp_call_done(unsigned cpu);
/* Stop every other CPU (the panic path): NMI to all but self. */
void smp_stop_others(void);
#endif
