/*
 * What the runner shows: exit summaries, the statistics table (the 's' key
 * on Ditto's console, or every ditto.stats seconds) and console input
 * routed to the VM that has it (vmm/console.h).
 */
#include "drivers/uart.h"
#include "arch/x86_64/vmx/exit_reasons.h"
#include "lib/console.h"
#include "vmm/console.h"
#include "vmm/platform.h"
#include "vmm/run.h"

static struct console_switch cons;

static const char *const state_names[] = { "runnable", "halted", "waiting for SIPI", "stopped" };

/* The exits that cost a VM most, by count (docs/benchmarks.md uses these). */
void vmm_print_exit_summary(struct vm *vm)
{
	uint64_t by[VCPU_EXIT_REASONS] = { 0 }, total = 0;
	for (unsigned c = 0; c < vm->nvcpus; c++)
		for (unsigned r = 0; r < VCPU_EXIT_REASONS; r++) {
			by[r] += vm->vcpus[c]->stats.exits_by_reason[r];
			total += vm->vcpus[c]->stats.exits_by_reason[r];
		}
	kprintf("vm %s: %llu exits:", vm->name, (unsigned long long)total);
	for (int k = 0; k < 6; k++) {
		unsigned best = 0;
		for (unsigned r = 1; r < VCPU_EXIT_REASONS; r++)
			if (by[r] > by[best])
				best = r;
		if (!by[best])
			break;
		kprintf(" %s %llu", exit_reason_name(best), (unsigned long long)by[best]);
		by[best] = 0;
	}
	kprintf("\n");
	for (unsigned c = 0; c < vm->nvcpus; c++)
		kprintf("vm %s: vcpu %u %s%s\n", vm->name, c, state_names[vm->vcpus[c]->state],
			vm->vcpus[c]->state == VCPU_HALTED && !vm->vcpus[c]->halted_with_if ? " (interrupts off)" : "");
}

/* One table: the scheduler's view (run, steal, halted, migrations) and
 * the exits, per VM; the CPUs' busy time. */
void vmm_print_stats(struct vm **vms, size_t n)
{
	uint64_t now = env_now_ns();
	uint64_t t0 = vmm_run_started_ns();
	struct sched_vm *svs[16];
	size_t k = 0;
	for (size_t i = 0; i < n && k < ENV_ARRAY_SIZE(svs); i++)
		svs[k++] = &vms[i]->sv;
	kprintf("ditto: %zu VM%s, %u CPU%s\n", n, n == 1 ? "" : "s", vmm_run_cpus(),
		vmm_run_cpus() == 1 ? "" : "s");
	sched_print_table(svs, k, now - t0);
	for (size_t i = 0; i < n; i++) {
		struct vm *vm = vms[i];
		uint64_t exits = 0, guest = 0, handlers = 0;
		for (unsigned c = 0; c < vm->nvcpus; c++) {
			exits += vm->vcpus[c]->stats.exits;
			guest += vm->vcpus[c]->stats.tsc_in_guest;
			handlers += vm->vcpus[c]->stats.tsc_in_handlers;
		}
		kprintf("  %-16s %s, %u vCPU, %llu MiB, %llu exits, TSC in guest %llu, in Ditto %llu\n",
			vm->name, vm->stopped ? "stopped" : "running", vm->nvcpus,
			(unsigned long long)(vm->mem_size >> 20), (unsigned long long)exits,
			(unsigned long long)guest, (unsigned long long)handlers);
	}
	for (unsigned c = 0; c < vmm_run_cpus(); c++)
		kprintf("  cpu %u busy %llu ms\n", c, (unsigned long long)(vmm_cpu_busy_ns(c) / 1000000));
}

void vmm_console_init(unsigned nvms)
{
	console_switch_init(&cons, nvms);
}

/* Keys typed on Ditto's serial console: to the VM that has the input, or
 * commands for Ditto itself (vmm/console.h). Bounded per call. */
void vmm_console_input(struct vm **vms, size_t n)
{
	for (int k = 0; k < 16; k++) {
		int ch = uart_getc();
		if (ch < 0)
			return;
		uint8_t out[3];
		bool sw;
		unsigned cnt = console_switch_feed(&cons, (uint8_t)ch, out, &sw);
		if (sw) {
			if (cons.target == CONSOLE_TO_DITTO)
				kprintf("console: input to Ditto ('s' statistics, Ctrl-A x3 next VM)\n");
			else
				kprintf("console: input to vm %s\n", vms[cons.target]->name);
		}
		if (!cnt)
			continue;
		if (cons.target == CONSOLE_TO_DITTO) {
			if (out[cnt - 1] == 's')
				vmm_print_stats(vms, n);
		} else if (vms[cons.target]->platform) {
			struct vm *vm = vms[cons.target];
			vm_lock(vm);
			board_console_input(&vm->platform->board, out, cnt);
			vm_unlock(vm);
		}
	}
}
