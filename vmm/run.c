/*
 * Running VMs until they stop: round-robin over runnable vCPUs with a fixed
 * time slice (the VMX-preemption timer ends each slice). The SMP and
 * scheduler issue replaces this with the credit scheduler; the seam is
 * be_vcpu_run().
 */
#include "arch/percpu.h"
#include "arch/smp.h"
#include "arch/x86.h"
#include "lib/console.h"
#include "drivers/uart.h"
#include "arch/x86_64/vmx/exit_reasons.h"
#include "vmm/console.h"
#include "vmm/platform.h"
#include "vmm/run.h"
#include "vmm/vmm.h"

#define SLICE_NS 5000000ull /* 5 ms */

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

static void print_stats(struct vm **vms, size_t n)
{
	kprintf("ditto: %zu VMs\n", n);
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
}

/* Keys typed on Ditto's serial console: to the VM that has the input, or
 * commands for Ditto itself (vmm/console.h). Bounded per call. */
static void console_input(struct vm **vms, size_t n)
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
				print_stats(vms, n);
		} else if (vms[cons.target]->platform) {
			board_console_input(&vms[cons.target]->platform->board, out, cnt);
		}
	}
}

static void run_loop(struct vm **vms, size_t n, uint64_t timeout_ns, bool console);

struct partition {
	struct vm *vms[16];
	size_t n;
	uint64_t timeout_ns;
};
static struct partition parts[MAX_CPUS];

static void run_partition(void *arg)
{
	struct partition *p = arg;
	run_loop(p->vms, p->n, p->timeout_ns, false);
}

/*
 * Until the scheduler lands: each VM is placed on one CPU (VM i on CPU
 * i mod CPUs) and stays there, so its VMCSs and EPT are only ever used on
 * that CPU (no cross-CPU invalidation needed yet: docs/scheduler.md).
 */
void vmm_run(struct vm **vms, size_t n, uint64_t timeout_ns)
{
	unsigned ncpu = smp_online();
	if (ncpu > MAX_CPUS)
		ncpu = MAX_CPUS;
	if (ncpu == 1 || n == 1) {
		run_loop(vms, n, timeout_ns, true);
		return;
	}
	memset(parts, 0, sizeof(parts));
	for (size_t i = 0; i < n; i++) {
		struct partition *p = &parts[i % ncpu];
		if (p->n < ENV_ARRAY_SIZE(p->vms))
			p->vms[p->n++] = vms[i];
	}
	for (unsigned c = 1; c < ncpu; c++) {
		struct partition *p = &parts[c];
		if (!p->n)
			continue;
		for (size_t i = 0; i < p->n; i++)
			for (unsigned k = 0; k < p->vms[i]->nvcpus; k++)
				be_vcpu_release(p->vms[i]->vcpus[k]);
		p->timeout_ns = timeout_ns;
		if (smp_call(c, run_partition, p)) {
			kprintf("run: CPU %u is not available: its VMs run on CPU 0\n", c);
			for (size_t i = 0; i < p->n && parts[0].n < ENV_ARRAY_SIZE(parts[0].vms); i++)
				parts[0].vms[parts[0].n++] = p->vms[i];
			p->n = 0;
		} else {
			for (size_t i = 0; i < p->n; i++)
				kprintf("run: vm %s on CPU %u\n", p->vms[i]->name, c);
		}
	}
	run_loop(parts[0].vms, parts[0].n, timeout_ns, true);
	/* The other CPUs end by the same timeout; wait (bounded) for them. */
	uint64_t end = env_now_ns() + 10000000000ull;
	for (unsigned c = 1; c < ncpu; c++)
		while (!smp_call_done(c) && env_now_ns() < end)
			cpu_idle();
}

static void run_loop(struct vm **vms, size_t n, uint64_t timeout_ns, bool console)
{
	uint64_t end = env_now_ns() + timeout_ns;
	if (console)
		console_switch_init(&cons, (unsigned)n);
	for (;;) {
		if (console)
			console_input(vms, n);
		bool live = false, ran = false;
		uint64_t now = env_now_ns();
		for (size_t i = 0; i < n; i++) {
			struct vm *vm = vms[i];
			if (!vm || vm->stopped)
				continue;
			live = true;
			platform_poll(vm);
			for (unsigned c = 0; c < vm->nvcpus && !vm->stopped; c++) {
				struct vcpu *v = vm->vcpus[c];
				vmm_check_timers(v, now);
				if (v->state != VCPU_RUNNABLE)
					continue;
				/* End the slice at the VM's next device event (timers). */
				uint64_t slice = SLICE_NS, next = platform_next_event_ns(vm);
				if (next != ~0ull)
					slice = next > now ? ENV_MIN(slice, next - now) : 1000;
				be_vcpu_run(v, slice);
				ran = true;
				platform_poll(vm);
			}
		}
		if (!live)
			return;
		if (env_now_ns() > end) {
			for (size_t i = 0; i < n; i++)
				if (vms[i] && !vms[i]->stopped) {
					vmm_print_exit_summary(vms[i]);
					if (vms[i]->platform)
						board_dump(&vms[i]->platform->board);
					vm_stop(vms[i], "still running after %llu s: stopped by the runner",
						(unsigned long long)(timeout_ns / 1000000000ull));
				}
			return;
		}
		if (!ran)
			cpu_idle(); /* every vCPU halted: sleep until the next host tick */
	}
}
