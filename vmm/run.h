/*
 * The runner: every online CPU runs vCPUs of every VM as the scheduler
 * (vmm/sched/) decides, until the VMs stop (docs/scheduler.md,
 * "Integration").
 */
#ifndef VMM_RUN_H
#define VMM_RUN_H
#include "vmm/vm.h"

struct vmm_run_opts {
	uint64_t timeout_ns;        /* stop what still runs then (0: never) */
	uint64_t stats_interval_ns; /* print the scheduler table this often (0: on the 's' key only) */
	uint64_t slice_ns;          /* longest time slice (0: the scheduler's default, 10 ms) */
	/* Tests: VMs listed here do not start until vmm_start_vm(). */
	bool hold[16];
	/* Called on CPU 0 at every pass of its loop (tests that measure). */
	void (*tick)(void *ctx, uint64_t now_ns);
	void *ctx;
};

/* Run the VMs until each has stopped, or stop them after the timeout. */
void vmm_run(struct vm **vms, size_t n, uint64_t timeout_ns);
void vmm_run_opts(struct vm **vms, size_t n, const struct vmm_run_opts *o);
/* From the tick callback: start a held VM; stop a VM (any CPU). */
void vmm_start_vm(struct vm *vm);
void vmm_stop_vm(struct vm *vm, const char *why);
/* Time each CPU spent running vCPUs since vmm_run started (ns). */
uint64_t vmm_cpu_busy_ns(unsigned cpu);
unsigned vmm_run_cpus(void);
uint64_t vmm_run_started_ns(void);

void vmm_print_exit_summary(struct vm *vm);
/* The per-VM scheduler table and exit counts (console 's', interval). */
void vmm_print_stats(struct vm **vms, size_t n);
/* Console input routing (vmm/run_console.c). */
void vmm_console_init(unsigned nvms);
void vmm_console_input(struct vm **vms, size_t n);
#endif
