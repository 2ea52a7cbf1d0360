/*
 * ditto.test=sched: the consolidation test (after vConsolidate; issue #10,
 * tests/emu/sched-consolidate.test). The manifest's VMs run under the
 * credit scheduler on every CPU; CPU 0 samples each VM's accounting every
 * 100 ms and, at the end, checks what the manifest asked for:
 *
 *  - CPU-bound VMs (halted < 2% of the window) get the max-min fair share of
 *    the CPUs by weight, within 5% (relative) of it (sched_water_fill);
 *  - a capped VM never runs more than its cap in any 1 s window (plus one
 *    10 ms budget period, the policy's documented bound);
 *  - a VM that halts most of the time (the idle guest) uses under 1% of a CPU;
 *  - every CPU ran vCPUs, and vCPUs migrated between CPUs.
 *
 * The interference figure: the probe VM (ditto.probe=NAME, a CPU-bound
 * guest) first runs alone, then with the others; its progress (iterations
 * counted by the guest at DITTO_PROBE_GPA) co-located vs alone is printed,
 * beside its CPU share.
 */
#include "arch/x86_64/vmx/vmx.h"
#include "boot/boot.h"
#include "ditto/fmt.h"
#include "ditto/testprobe.h"
#include "lib/cmdline.h"
#include "lib/console.h"
#include "vmm/run.h"
#include "vmm/vmm.h"

#define SAMPLE_NS 100000000ull  /* 100 ms */
#define ALONE_NS 1500000000ull  /* the probe alone (the first 300 ms skipped) */
#define SETTLE_NS 1000000000ull /* after the others start */
#define MEASURE_NS 6000000000ull
#define MAX_SAMPLES 64
#define MAX_VMS 16

enum phase { ALONE, SETTLE, MEASURE, DONE };

struct sample {
	uint64_t t;
	uint64_t run[MAX_VMS], halt[MAX_VMS], migr[MAX_VMS];
	uint64_t probe;
};

static struct {
	struct vm **vms;
	size_t n;
	int probe;
	enum phase phase;
	uint64_t t_phase, next_sample;
	uint64_t alone_t0, alone_p0, alone_t1, alone_p1;
	struct sample s[MAX_SAMPLES];
	unsigned ns;
	uint64_t busy0[64];
} T;

static uint64_t probe_progress(struct vm *vm)
{
	struct ditto_probe p;
	if (vm_read(vm, DITTO_PROBE_GPA, &p, sizeof(p)) || p.magic != DITTO_PROBE_MAGIC)
		return 0;
	return p.progress;
}

static void take_sample(uint64_t now)
{
	if (T.ns >= MAX_SAMPLES)
		return;
	struct sample *s = &T.s[T.ns++];
	s->t = now;
	for (size_t i = 0; i < T.n; i++) {
		struct vm *vm = T.vms[i];
		s->run[i] = s->halt[i] = s->migr[i] = 0;
		for (unsigned c = 0; c < vm->nvcpus; c++) {
			struct sched_stats st;
			sched_vcpu_stats(&vm->vcpus[c]->sv, now, &st);
			s->run[i] += st.run_ns;
			s->halt[i] += st.halt_ns;
			s->migr[i] += st.migrations;
		}
	}
	s->probe = T.probe >= 0 ? probe_progress(T.vms[T.probe]) : 0;
}

static void tick(void *ctx, uint64_t now)
{
	(void)ctx;
	switch (T.phase) {
	case ALONE:
		if (!T.alone_t0 && now - T.t_phase >= 300000000ull) {
			T.alone_t0 = now;
			T.alone_p0 = probe_progress(T.vms[T.probe]);
		}
		if (now - T.t_phase >= ALONE_NS) {
			T.alone_t1 = now;
			T.alone_p1 = probe_progress(T.vms[T.probe]);
			for (size_t i = 0; i < T.n; i++)
				if ((int)i != T.probe)
					vmm_start_vm(T.vms[i]);
			T.phase = SETTLE;
			T.t_phase = now;
		}
		break;
	case SETTLE:
		if (now - T.t_phase >= SETTLE_NS) {
			T.phase = MEASURE;
			T.t_phase = now;
			T.next_sample = now;
			for (unsigned c = 0; c < vmm_run_cpus() && c < 64; c++)
				T.busy0[c] = vmm_cpu_busy_ns(c);
		}
		break;
	case MEASURE:
		if (now >= T.next_sample) {
			take_sample(now);
			T.next_sample += SAMPLE_NS;
		}
		if (now - T.t_phase >= MEASURE_NS || T.ns == MAX_SAMPLES) {
			T.phase = DONE;
			for (size_t i = 0; i < T.n; i++)
				vmm_stop_vm(T.vms[i], "the consolidation measurement is over");
		}
		break;
	case DONE:
		break;
	}
}

/* a/b in hundredths of a percent (b > 0), for printing without floats. */
static void pct(uint64_t a, uint64_t b, unsigned *w, unsigned *f)
{
	uint64_t x = b ? a * 10000 / b : 0;
	*w = (unsigned)(x / 100);
	*f = (unsigned)(x % 100);
}

static bool evaluate(void)
{
	bool all = true;
	char name[64];
	unsigned w, f, w2, f2;
	if (T.ns < 20) {
		kprintf("sched: only %u samples\n", T.ns);
		return false;
	}
	const struct sample *a = &T.s[0], *z = &T.s[T.ns - 1];
	uint64_t dt = z->t - a->t, ncpu = vmm_run_cpus();
	kprintf("sched: measured %llu ms on %llu CPUs, %u samples\n", (unsigned long long)(dt / 1000000),
		(unsigned long long)ncpu, T.ns);
	/* Shares in ppm of one CPU; demands: CPU-bound VMs all they can use
	 * (their vCPUs, or their cap), the others what they took. */
	unsigned weight[MAX_VMS];
	uint64_t got[MAX_VMS], demand[MAX_VMS], fair[MAX_VMS];
	bool bound[MAX_VMS];
	for (size_t i = 0; i < T.n; i++) {
		struct vm *vm = T.vms[i];
		uint64_t run = z->run[i] - a->run[i], halt = z->halt[i] - a->halt[i];
		got[i] = run * 1000000 / dt;
		bound[i] = halt * 50 < dt * vm->nvcpus; /* halted under 2% of the time */
		weight[i] = vm->sv.p.weight;
		demand[i] = bound[i] ? (uint64_t)vm->nvcpus * 1000000 : got[i];
		if (bound[i] && vm->sv.p.cap_pct)
			demand[i] = ENV_MIN(demand[i], (uint64_t)vm->sv.p.cap_pct * 10000);
	}
	sched_water_fill(T.n, weight, demand, ncpu * 1000000, fair);
	for (size_t i = 0; i < T.n; i++) {
		struct vm *vm = T.vms[i];
		pct(got[i], 1000000, &w, &f);
		pct(fair[i], 1000000, &w2, &f2);
		kprintf("sched: vm %-8s weight %4u cap %3u%%: %u.%02u%% of a CPU, fair share %u.%02u%%%s\n",
			vm->name, weight[i], vm->sv.p.cap_pct, w, f, w2, f2,
			bound[i] ? "" : " (halts: not CPU-bound)");
		if (bound[i] && !vm->sv.p.cap_pct) {
			uint64_t err = got[i] > fair[i] ? got[i] - fair[i] : fair[i] - got[i];
			bool ok = fair[i] && err * 20 <= fair[i]; /* within 5% relative */
			pct(err, fair[i], &w, &f);
			kprintf("sched: vm %s: %u.%02u%% from its fair share (limit 5%%)\n", vm->name, w, f);
			fmt_snprintf(name, sizeof(name), "sched.share_%s", vm->name);
			test_case(name, ok);
			all = all && ok;
		}
		if (vm->sv.p.cap_pct) {
			/* Every 1 s window on the sample grid. */
			uint64_t worst = 0;
			for (unsigned s = 0; s < T.ns; s++)
				for (unsigned e = s + 1; e < T.ns; e++)
					if (T.s[e].t - T.s[s].t >= 1000000000ull) {
						uint64_t win = T.s[e].t - T.s[s].t;
						uint64_t r = (T.s[e].run[i] - T.s[s].run[i]) * 1000000000ull / win;
						worst = ENV_MAX(worst, r);
						break;
					}
			/* Bound: cap * (W + one 10 ms period) for W = 1 s. */
			uint64_t bound_ns = (uint64_t)vm->sv.p.cap_pct * 10000000ull * 101 / 100;
			pct(worst, 1000000000ull, &w, &f);
			pct(bound_ns, 1000000000ull, &w2, &f2);
			kprintf("sched: vm %s: busiest 1 s window %u.%02u%% of a CPU, cap %u%% (bound %u.%02u%%)\n",
				vm->name, w, f, vm->sv.p.cap_pct, w2, f2);
			bool ok = worst && worst <= bound_ns;
			fmt_snprintf(name, sizeof(name), "sched.cap_%s", vm->name);
			test_case(name, ok);
			all = all && ok;
		}
		if (!bound[i]) {
			bool ok = got[i] < 10000; /* under 1% of a CPU */
			fmt_snprintf(name, sizeof(name), "sched.idle_%s", vm->name);
			test_case(name, ok);
			all = all && ok;
		}
	}
	/* Every CPU ran vCPUs; vCPUs moved between CPUs. */
	bool every = true;
	for (unsigned c = 0; c < ncpu && c < 64; c++) {
		uint64_t busy = vmm_cpu_busy_ns(c) - T.busy0[c];
		pct(busy, dt, &w, &f);
		kprintf("sched: CPU %u ran vCPUs %u.%02u%% of the time\n", c, w, f);
		every = every && busy * 2 > dt;
	}
	test_case("sched.every_cpu_ran_vcpus", every);
	uint64_t migr = 0;
	for (size_t i = 0; i < T.n; i++)
		migr += z->migr[i];
	kprintf("sched: %llu migrations\n", (unsigned long long)migr);
	test_case("sched.vcpus_migrated", migr > 0);
	all = all && every && migr > 0;
	/* Idle VMs: how late their 100 ms timers woke them (guest TSC). */
	for (size_t i = 0; i < T.n; i++) {
		struct ditto_probe p;
		if (vm_read(T.vms[i], DITTO_PROBE_GPA, &p, sizeof(p)) || p.magic != DITTO_PROBE_MAGIC ||
		    p.kind != 2 || !p.progress)
			continue;
		uint64_t khz = be_tsc_hz() / 1000;
		kprintf("sched: vm %s: %llu timer wake-ups, late by %llu us on average, %llu us at most\n",
			T.vms[i]->name, (unsigned long long)p.progress,
			(unsigned long long)(p.late_sum * 1000 / p.progress / khz),
			(unsigned long long)(p.late_max * 1000 / khz));
	}
	/* Interference: the probe's progress rate co-located vs alone. */
	if (T.probe >= 0 && T.alone_t1 > T.alone_t0 && T.alone_p1 > T.alone_p0) {
		uint64_t alone = (T.alone_p1 - T.alone_p0) * 1000000000ull / (T.alone_t1 - T.alone_t0);
		uint64_t coloc = (z->probe - a->probe) * 1000000000ull / dt;
		uint64_t per_cpu = got[T.probe] ? coloc * 1000000 / got[T.probe] : 0;
		pct(coloc, alone, &w, &f);
		pct(got[T.probe], 1000000, &w2, &f2);
		kprintf("sched: interference: vm %s progress %llu/s co-located vs %llu/s alone = %u.%02u%% "
			"(its CPU share %u.%02u%%)\n",
			T.vms[T.probe]->name, (unsigned long long)coloc, (unsigned long long)alone, w, f, w2, f2);
		pct(per_cpu, alone, &w, &f);
		kprintf("sched: interference: per second of CPU it got, the co-located probe progressed "
			"%u.%02u%% as fast as alone\n", w, f);
	} else {
		kprintf("sched: interference: no probe progress measured\n");
		all = false;
	}
	return all;
}

void boot_test_sched(void)
{
	if (!boot_has_manifest())
		test_finish(false, "no manifest module");
	if (vmx_cpu_enable())
		test_finish(false, "VT-x unusable");
	struct vm **vms;
	int n = boot_manifest_start(&vms);
	if (n <= 0 || n > MAX_VMS)
		test_finish(false, "the manifest's VMs did not start");
	memset(&T, 0, sizeof(T));
	T.vms = vms;
	T.n = (size_t)n;
	T.probe = -1;
	char probe[32] = "";
	cmdline_get(boot.mb2.cmdline, "ditto.probe", probe, sizeof(probe));
	for (size_t i = 0; i < T.n; i++)
		if (!strcmp(vms[i]->name, probe))
			T.probe = (int)i;
	if (T.probe < 0)
		test_finish(false, "ditto.probe= names no VM of the manifest");
	static struct vmm_run_opts o;
	boot_manifest_run_opts(&o, 60ull * 1000000000ull);
	for (size_t i = 0; i < T.n && i < ENV_ARRAY_SIZE(o.hold); i++)
		o.hold[i] = (int)i != T.probe;
	o.tick = tick;
	T.t_phase = env_now_ns();
	vmm_run_opts(vms, T.n, &o);
	vmm_print_stats(vms, T.n);
	for (size_t i = 0; i < T.n; i++)
		vmm_print_exit_summary(vms[i]);
	test_finish(T.phase == DONE && evaluate(), "the consolidation checks failed");
}
