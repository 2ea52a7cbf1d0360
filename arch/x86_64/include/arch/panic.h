#ifndef ARCH_PANIC_H
#define ARCH_PANIC_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/trap.h"

_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void panic_frame(const struct trap_frame *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Extra state to print in a panic (e.g. the VMCS of the current vCPU). */
typedef void (*panic_dump_fn)(void);
void panic_set_dump_hook(panic_dump_fn fn);

void backtrace_print(uint64_t rip, uint64_t rbp);
/* Kernel symbol for an address: name and offset, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);
const char *exception_name(unsigned v);

/* End of a run: on an emulator, tell it pass or fail (bochs.md); on hardware,
 * power off (pass) or halt (fail, so the console stays readable) as configured. */
_Noreturn void machine_exit(bool pass);
enum panic_action { PANIC_HALT, PANIC_EXIT };
extern enum panic_action panic_action;

#endif
