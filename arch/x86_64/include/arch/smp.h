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
/* This CPU's dense id (0 = boot CPU). */
unsigned smp_this_cpu(void);
/* Make CPU `cpu` leave guest mode or HLT soon (an IPI whose handler only
 * acknowledges it): its run loop then looks at the scheduler. */
void smp_kick(unsigned cpu);
/* Run fn(arg) on CPU `cpu` and wait until it has run (cpu == this CPU: at
 * once). The target runs it from its IPI handler or from any spin-wait that
 * calls smp_service(), so a CPU that waits here while another waits for it
 * cannot deadlock: both wait loops serve requests. Panics if the target
 * does not answer in 2 s (a hung CPU is a broken invariant). */
void smp_sync_call(unsigned cpu, void (*fn)(void *), void *arg);
/* Serve this CPU's pending smp_sync_call requests. Spin loops that may wait
 * for another CPU (locks a remote waiter could hold) call it. */
void smp_service(void);
/* Stop every other CPU (the panic path): NMI to all but self. */
void smp_stop_others(void);
#endif
