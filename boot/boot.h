#ifndef BOOT_BOOT_H
#define BOOT_BOOT_H
#include "boot/mb2.h"

#define DITTO_VERSION "0.1.0"
#define BOOT_TICK_HZ 1000 /* the boot tick; off while VMs run (the runner is tickless) */

struct boot_state {
	struct mb2_info mb2;
	unsigned selftest_failures; /* SELFTEST_* mask */
	uint64_t epoch_sec;          /* host RTC at boot */
};
extern struct boot_state boot;

/* Run the in-emulator test named by ditto.test= and end the run. */
_Noreturn void boot_run_test(const char *name);
/* The demo: until the manifest lands, an idle loop with a heartbeat. */
_Noreturn void boot_demo(void);
/* The boot-time manifest (boot/manifest_boot.c): is there one, run its VMs
 * (-1: refused with its errors printed; else how many VMs passed a test). */
bool boot_has_manifest(void);
int boot_run_manifest(uint64_t timeout_ns);
size_t boot_manifest_vms_started(void);
/* The same in steps, for tests that drive the run (boot/tests_sched.c):
 * start the VMs (-1 refused, else how many; *vms the list), the run
 * options the manifest asks for, and the passed count after the run. */
struct vm;
struct vmm_run_opts;
int boot_manifest_start(struct vm ***vms);
void boot_manifest_run_opts(struct vmm_run_opts *o, uint64_t timeout_ns);
int boot_manifest_finish(void);
static inline uint64_t boot_epoch_sec(void) { return boot.epoch_sec; }
/* ditto.stats=SECONDS: print the scheduler table that often (0: only on 's'). */
uint64_t boot_stats_interval_ns(void);
/* ditto.test=vm (boot/tests_vm.c) */
void boot_test_vm(void);
/* ditto.test=sched (boot/tests_sched.c) */
void boot_test_sched(void);

/* A test's verdict, in the protocol the harness reads (tests/emu/run-one.sh). */
_Noreturn void test_finish(bool pass, const char *why);
void test_case(const char *name, bool ok);
#endif
