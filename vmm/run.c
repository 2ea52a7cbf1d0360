/*
 * The runner: the scheduler's integration loop (docs/scheduler.md). Every
 * online CPU picks a vCPU from the credit scheduler (vmm/sched/), runs it
 * for the slice it was given (the VMX-preemption timer ends it), accounts
 * the time and picks again; a halted vCPU is blocked and costs nothing
 * until an interrupt for it is due. Any CPU may run any vCPU its affinity
 * allows: the backend moves the VMCS (VMCLEAR on the old CPU) when the
 * scheduler migrates one.
 *
 * What wakes halted vCPUs: device and test timers (each CPU looks at the
 * VMs' next deadlines on every host tick and pass of its loop:
 * timers_service), IPIs between vCPUs and device interrupts raised by an
 * exit (platform_update_vcpus). Every such wake-up goes through
 * vcpu_make_runnable -> hook_wake -> sched_wake, which names the CPU to
 * kick.
 *
 * Locks: a VM's lock is taken before any runqueue lock (sched_* calls are
 * leaves); sched_* run with interrupts off on the calling CPU.
 */
#include "arch/panic.h"
#include "arch/percpu.h"
#include "arch/regs.h"
#include "arch/smp.h"
#include "arch/x86.h"
#include "boot/boot.h"
#include "drivers/lapic.h"
#include "lib/console.h"
#include "vmm/console.h"
#include "vmm/platform.h"
#include "vmm/run.h"
#include "vmm/vmm.h"

struct runner {
	struct sched *s;
	struct vm **vms;
	size_t n;
	unsigned ncpus;
	const struct vmm_run_opts *o;
	uint64_t t0, end_ns, next_stats_ns;
	volatile bool done;
	uint64_t busy_ns[MAX_CPUS], slices[MAX_CPUS];
};
static struct runner R;
static struct sched sched_store;

static uint64_t irq_save(void)
{
	uint64_t f = read_rflags();
	irq_disable();
	return f;
}

static void irq_restore(uint64_t f)
{
	if (f & RFLAGS_IF)
		irq_enable();
}

/* ------------------------------------------------------- scheduler hooks */

/* A halted or parked vCPU became runnable (under its VM lock). */
static void hook_wake(struct vcpu *v)
{
	if (!R.s || v->sv.state == SV_REMOVED)
		return;
	uint64_t f = irq_save();
	int k = sched_wake(R.s, &v->sv, env_now_ns());
	if (k >= 0 && (unsigned)k != smp_this_cpu())
		smp_kick((unsigned)k);
	irq_restore(f);
}

/* An event is pending for v: if another CPU runs it, make that CPU exit. */
static void hook_notify(struct vcpu *v)
{
	int c = v->running_on;
	if (c < 0 || (unsigned)c == smp_this_cpu() || v->kicked)
		return;
	v->kicked = true;
	smp_kick((unsigned)c);
}

/* ------------------------------------------------------------- timers */

static uint64_t vm_next_event(struct vm *vm)
{
	uint64_t t = platform_next_event_ns(vm);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];
		if (v->wake_at_ns && v->wake_at_ns < t)
			t = v->wake_at_ns;
		if (v->mwait_until_ns && v->mwait_until_ns < t)
			t = v->mwait_until_ns;
	}
	return t;
}

/* Device timers, console output, requests, wake-ups: under the VM lock. */
static void poll_vm(struct vm *vm, uint64_t now)
{
	platform_poll(vm);
	for (unsigned i = 0; i < vm->nvcpus && !vm->stopped; i++)
		vmm_check_timers(vm->vcpus[i], now);
	__atomic_store_n(&vm->next_event_ns, vm->stopped ? ~0ull : vm_next_event(vm), __ATOMIC_RELAXED);
}

/* Poll every VM whose next deadline has passed. A VM whose lock is busy is
 * skipped: its holder is handling an exit and the next tick retries. */
static void timers_service(uint64_t now)
{
	for (size_t i = 0; i < R.n; i++) {
		struct vm *vm = R.vms[i];
		if (vm->stopped || __atomic_load_n(&vm->next_event_ns, __ATOMIC_RELAXED) > now)
			continue;
		if (!spin_trylock(&vm->lock))
			continue;
		poll_vm(vm, env_now_ns());
		vm_unlock(vm);
	}
}

/*
 * The host timer is tickless while VMs run: each CPU programs its LAPIC
 * timer (one-shot) for the earliest VM deadline, or its own limit (the end
 * of a cap's wait, CPU 0's console polling), whichever is first, at every
 * slice start, idle and timer service. A CPU that moves a VM's deadline
 * re-arms right after, so every deadline has a CPU armed for it. The
 * guest's slice itself is the VMX-preemption timer's.
 */
#define CPU0_POLL_NS 10000000ull  /* console input, timeout, statistics */
#define AP_POLL_NS 100000000ull   /* a safety net only */

static void arm_host_timer(unsigned cpu, uint64_t now, uint64_t limit)
{
	uint64_t t = limit;
	for (size_t i = 0; i < R.n; i++) {
		uint64_t e = __atomic_load_n(&R.vms[i]->next_event_ns, __ATOMIC_RELAXED);
		if (e < t)
			t = e;
	}
	uint64_t cap = now + (cpu == 0 ? CPU0_POLL_NS : AP_POLL_NS);
	if (cpu == 0 && console_pending()) /* refill the UART's FIFO in time */
		cap = now + CONSOLE_PUMP_NS;
	if (t > cap)
		t = cap;
	lapic_timer_oneshot_ns(t > now ? t - now : 1000);
}

/* The backend asks after each exit (interrupts off): end the slice? */
bool vmm_should_yield(struct vcpu *v, bool host_interrupt)
{
	(void)v;
	if (!R.s)
		return false;
	unsigned cpu = smp_this_cpu();
	if (host_interrupt) {
		uint64_t now = env_now_ns();
		console_pump();
		timers_service(now);
		arm_host_timer(cpu, now, ~0ull);
	}
	return sched_need_resched(R.s, cpu);
}

/* -------------------------------------------------------------- VMs */

void vmm_start_vm(struct vm *vm)
{
	vm_lock(vm);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i]->state == VCPU_RUNNABLE)
			hook_wake(vm->vcpus[i]);
	vm_unlock(vm);
}

void vmm_stop_vm(struct vm *vm, const char *why)
{
	vm_lock(vm);
	vm_stop(vm, "%s", why);
	vm_unlock(vm);
}

static void remove_stopped(struct vm *vm, uint64_t now)
{
	uint64_t f = irq_save();
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i]->sv.state != SV_REMOVED)
			sched_remove_vcpu(R.s, &vm->vcpus[i]->sv, now); /* -EBUSY: its CPU does it */
	irq_restore(f);
}

static bool all_stopped(void)
{
	for (size_t i = 0; i < R.n; i++)
		if (!R.vms[i]->stopped)
			return false;
	return true;
}

static void stop_on_timeout(void)
{
	for (size_t i = 0; i < R.n; i++) {
		struct vm *vm = R.vms[i];
		if (vm->stopped)
			continue;
		vm_lock(vm);
		vmm_print_exit_summary(vm);
		if (vm->platform)
			board_dump(&vm->platform->board);
		vm_stop(vm, "still running after %llu s: stopped by the runner",
			(unsigned long long)(R.o->timeout_ns / 1000000000ull));
		vm_unlock(vm);
	}
}

/* CPU 0's extra duties: console input, periodic statistics, the timeout. */
static void cpu0_duties(uint64_t now)
{
	vmm_console_input(R.vms, R.n);
	if (R.o->stats_interval_ns && now >= R.next_stats_ns) {
		R.next_stats_ns = now + R.o->stats_interval_ns;
		vmm_print_stats(R.vms, R.n);
	}
	if (R.o->tick)
		R.o->tick(R.o->ctx, now);
	if (R.end_ns && now > R.end_ns)
		stop_on_timeout();
}

/* ---------------------------------------------------------- the loop */

/*
 * This CPU has more runnable vCPUs than it can run while another CPU idles:
 * kick one idle CPU so that its next pick steals (the policy's idle steal).
 * Needed because idle CPUs are tickless: nothing else would wake them. The
 * fields read are the policy's published hints (atomics, docs/scheduler.md).
 */
static void kick_idle_thief(unsigned cpu)
{
	if (!__atomic_load_n(&R.s->rq[cpu].nr_waiting, __ATOMIC_RELAXED))
		return;
	for (unsigned i = 1; i < R.ncpus; i++) {
		unsigned c = (cpu + i) % R.ncpus;
		if (__atomic_load_n(&R.s->rq[c].idle, __ATOMIC_RELAXED)) {
			smp_kick(c);
			return;
		}
	}
}

/* One slice of v on this CPU, then its accounting (docs/scheduler.md). */
static void run_slice(unsigned cpu, const struct sched_decision *d)
{
	struct vcpu *v = d->vcpu->owner;
	struct vm *vm = v->vm;
	uint64_t t0 = env_now_ns();
	uint64_t slice = d->slice_ns;
	uint64_t next = __atomic_load_n(&vm->next_event_ns, __ATOMIC_RELAXED);
	if (next != ~0ull) /* end the slice at the VM's next device event */
		slice = next > t0 ? ENV_MIN(slice, next - t0) : 1000;
	/* Without a VMX-preemption timer the host timer ends the slice (an
	 * external-interrupt exit; the backend sees the slice is over). */
	irq_disable();
	arm_host_timer(cpu, t0, be_has_slice_timer() ? ~0ull : t0 + slice);
	irq_enable();
	vm_lock(vm);
	v->running_on = (int)cpu;
	v->ran_on |= 1ull << cpu;
	bool run = v->state == VCPU_RUNNABLE && !vm->stopped;
	vm_unlock(vm);
	if (run)
		be_vcpu_run(v, slice);
	uint64_t now = env_now_ns();
	vm_lock(vm);
	v->running_on = -1;
	poll_vm(vm, now);
	/* Under the VM lock: a wake-up is either before this (state already
	 * RUNNABLE again) or after it (sched_wake cancels the pending block). */
	irq_disable();
	if (v->state == VCPU_HALTED || v->state == VCPU_WAIT_SIPI)
		sched_block(R.s, d->vcpu, now);
	vm_unlock(vm);
	sched_account(R.s, cpu, d->vcpu, now - t0, now);
	irq_enable();
	R.busy_ns[cpu] += now - t0;
	R.slices[cpu]++;
	if (vm->stopped)
		remove_stopped(vm, now);
}

static void cpu_loop(unsigned cpu)
{
	for (;;) {
		uint64_t now = env_now_ns();
		if (cpu == 0)
			cpu0_duties(now);
		console_pump();
		timers_service(now);
		if (R.done || all_stopped()) {
			R.done = true;
			return;
		}
		struct sched_decision d;
		irq_disable();
		sched_pick(R.s, cpu, env_now_ns(), &d);
		if (!d.vcpu) {
			/* sti;hlt: a kick sent after the pick ends the HLT, and so
			 * does the host timer armed for the next deadline. */
			arm_host_timer(cpu, env_now_ns(), d.idle_until_ns ? d.idle_until_ns : ~0ull);
			cpu_idle();
			continue;
		}
		irq_enable();
		kick_idle_thief(cpu);
		run_slice(cpu, &d);
	}
}

/* Each CPU's loop; the periodic boot tick is off while it runs (tickless:
 * arm_host_timer) and back on after. */
static void cpu_run(unsigned cpu)
{
	lapic_timer_stop();
	cpu_loop(cpu);
	lapic_timer_periodic(BOOT_TICK_HZ);
}

static void ap_run(void *arg)
{
	cpu_run((unsigned)(uintptr_t)arg);
}

static void add_vm(struct vm *vm, uint64_t now)
{
	struct vm_sched_cfg *c = &vm->sched_cfg;
	vm->host_cpus = R.ncpus;
	struct sched_vm_params p = {
		.weight = c->weight ? c->weight : SCHED_WEIGHT_DEFAULT,
		.cap_pct = c->cap_pct,
		.reservation_pct = c->reservation_pct,
		.nvcpus = vm->nvcpus,
		.name = vm->name,
	};
	if (sched_add_vm(R.s, &vm->sv, &p, vm)) {
		vm_stop(vm, "scheduler settings refused (weight %u, cap %u%%, reservation %u%%)", p.weight,
			p.cap_pct, p.reservation_pct);
		return;
	}
	sched_mask_t all = R.ncpus == 64 ? SCHED_MASK_ALL : (SCHED_CPU_BIT(R.ncpus) - 1);
	sched_mask_t aff = c->affinity ? c->affinity & all : all;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		sched_mask_t m = c->pin_each ? SCHED_CPU_BIT(i % R.ncpus) : aff;
		if (!m || sched_add_vcpu(R.s, &vm->sv, &v->sv, m, -1, v, now)) {
			vm_stop(vm, "vCPU %u: no CPU of its affinity 0x%llx is online", i, (unsigned long long)m);
			return;
		}
	}
}

void vmm_run_opts(struct vm **vms, size_t n, const struct vmm_run_opts *o)
{
	unsigned ncpu = smp_online();
	if (ncpu > SCHED_MAX_CPUS)
		ncpu = SCHED_MAX_CPUS;
	memset(&R, 0, sizeof(R));
	R.vms = vms;
	R.n = n;
	R.ncpus = ncpu;
	R.o = o;
	R.t0 = env_now_ns();
	R.end_ns = o->timeout_ns ? R.t0 + o->timeout_ns : 0;
	R.next_stats_ns = R.t0 + o->stats_interval_ns;
	struct sched_params sp = { .slice_ns = o->slice_ns };
	if (sched_init(&sched_store, ncpu, &sp))
		panic("run: scheduler refused %u CPUs", ncpu);
	vmm_console_init((unsigned)n);
	console_queue(true); /* a guest's console line does not wait for the wire */
	vmm_sched_hooks = (struct vmm_sched_hooks){ hook_wake, hook_notify };
	R.s = &sched_store;
	for (size_t i = 0; i < n; i++) {
		vm_lock(vms[i]);
		add_vm(vms[i], R.t0);
		vms[i]->next_event_ns = vm_next_event(vms[i]);
		vm_unlock(vms[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (!vms[i]->stopped && !(i < ENV_ARRAY_SIZE(o->hold) && o->hold[i]))
			vmm_start_vm(vms[i]);
	kprintf("run: %zu VMs on %u CPUs (credit scheduler, %llu us slices)\n", n, ncpu,
		(unsigned long long)(sched_store.p.slice_ns / 1000));
	for (unsigned c = 1; c < ncpu; c++)
		if (smp_call(c, ap_run, (void *)(uintptr_t)c))
			panic("run: CPU %u is online but busy: it cannot take its runqueue", c);
	cpu_run(0);
	/* The other CPUs leave their loops when they see `done`; wait (bounded). */
	uint64_t end = env_now_ns() + 10000000000ull;
	for (unsigned c = 1; c < ncpu; c++)
		while (!smp_call_done(c) && env_now_ns() < end)
			cpu_idle();
	vmm_sched_hooks = (struct vmm_sched_hooks){ 0 };
	R.s = NULL;
	console_queue(false);
	if (console_full_waits())
		kprintf("run: the console ring was full %llu times (printers waited for the wire)\n",
			(unsigned long long)console_full_waits());
	for (unsigned c = 0; c < ncpu; c++)
		kprintf("run: CPU %u ran vCPUs for %llu ms in %llu slices\n", c,
			(unsigned long long)(R.busy_ns[c] / 1000000), (unsigned long long)R.slices[c]);
}

void vmm_run(struct vm **vms, size_t n, uint64_t timeout_ns)
{
	static struct vmm_run_opts o;
	memset(&o, 0, sizeof(o));
	o.timeout_ns = timeout_ns;
	vmm_run_opts(vms, n, &o);
}

uint64_t vmm_cpu_busy_ns(unsigned cpu)
{
	return cpu < MAX_CPUS ? R.busy_ns[cpu] : 0;
}

unsigned vmm_run_cpus(void)
{
	return R.ncpus;
}

uint64_t vmm_run_started_ns(void)
{
	return R.t0;
}
