/*
 * ditto-schedsim: the vCPU scheduler policy (vmm/sched) in a discrete-event
 * simulation (simcore.c) of 1..64 CPUs and up to 512 vCPUs, CPU-bound,
 * I/O-like (a short burst, then HLT until an interrupt) and idle. Prints
 * numbers; it asserts nothing (tests/host/sched_*.c do).
 *
 *   ditto-schedsim --sweep                 the table of docs/benchmarks-sched.md
 *   ditto-schedsim --cpus 8 --vcpus 64 [--mix 50:30:20] [--seconds 10]
 *                  [--caps] [--pin] [--slice-ms N] [--seed N] [--table]
 *   ditto-schedsim --cpus 4 --vms LIST [--seconds 60] [--window-s 6] [--skip-ms N]
 *                  [--migrate-ms N] [--slice-ms N] [--seed N]
 *                  [--overrun-us N] [--gap-us N] [--tick-us N] [--deadline-us N] [--thief-kick]
 *       LIST: comma-separated NAME:WEIGHT[:OPT...], OPT = cN (cap N%),
 *       vN (N vCPUs), sN (runnable from N ms), idle (50 us every 100 ms),
 *       io (200 us, HLT 1-3 ms), then bN / tN: burst / think time in us.
 *       Prints each VM's share of one CPU beside its max-min fair share
 *       (sched_water_fill), over the whole run and the worst of the
 *       consecutive windows of --window-s; the capped VMs' worst 1 s window
 *       against the cap bound; migrations per second. --overrun-us,
 *       --gap-us, --tick-us, --deadline-us: a real monitor's imperfections
 *       (simcore.h); --thief-kick: a CPU that leaves vCPUs waiting kicks an
 *       idle CPU (vmm/run.c's kick_idle_thief).
 *
 * Columns: fairness error = max over CPU-bound VMs of |run - ideal| / ideal,
 * the ideal being water-filling by weight of the CPU time the I/O and idle
 * VMs left, each VM limited by its vCPU count and cap (pinning is not in the
 * ideal: --pin rows say "pinned"). Wake-up latency: simulated time from the
 * interrupt (sched_wake) to the vCPU running, a kick costing 2 us. Context
 * switches: picks of a different vCPU than the CPU ran last, per second, all
 * CPUs. ns/pick: host time per sched_pick (env_now_ns around each call;
 * the header gives the cost of an empty pair of reads, included).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include "tools/schedsim/simcore.h"
#include "tools/schedsim/vmlist.h"

#define MS 1000000ull
#define SEC 1000000000ull

struct scen {
	unsigned cpus, vcpus, pct_cpu, pct_io, pct_idle;
	bool caps, pin;
	unsigned slice_ms; /* 0: the policy's default (10 ms) */
};

static uint64_t timer_overhead_ns(void)
{
	enum { N = 200000 };
	uint64_t sum = 0;
	for (int i = 0; i < N; i++) {
		uint64_t a = env_now_ns();
		sum += env_now_ns() - a;
	}
	return sum / N;
}

/* VMs of 1, 2 or 4 vCPUs (cycling), kinds in proportion, weights cycling
 * 128..1024; --caps: every third CPU-bound VM capped at 50% per vCPU;
 * --pin: every second VM pinned to two CPUs. */
static unsigned build(const struct scen *sc, struct sim_vm_cfg *vms, uint64_t *rng)
{
	static const unsigned sizes[] = { 1, 2, 4, 1, 2, 1 };
	static const unsigned weights[] = { 256, 512, 128, 1024, 256 };
	unsigned n = 0, given = 0, ncpu_bound = 0;
	while (given < sc->vcpus) {
		struct sim_vm_cfg *v = &vms[n];
		unsigned sz = ENV_MIN(sizes[n % ENV_ARRAY_SIZE(sizes)], sc->vcpus - given);
		unsigned pos = given * 100 / sc->vcpus; /* kind by position */
		memset(v, 0, sizeof(*v));
		v->name = "vm";
		v->nvcpus = sz;
		v->weight = weights[n % ENV_ARRAY_SIZE(weights)];
		v->home_cpu = -1;
		if (pos < sc->pct_cpu) {
			v->kind = SIM_CPU;
			if (sc->caps && ncpu_bound++ % 3 == 2)
				v->cap_pct = 50 * sz;
		} else if (pos < sc->pct_cpu + sc->pct_io) {
			v->kind = SIM_IO;
			v->burst_ns = 200000;
			v->think_ns = 2 * MS;
		} else {
			v->kind = SIM_IDLE;
			v->burst_ns = 50000;
			v->think_ns = 100 * MS;
		}
		if (sc->pin && n % 2 == 1 && sc->cpus > 2) {
			*rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
			unsigned a = *rng % sc->cpus, b = (a + 1 + (*rng >> 16) % (sc->cpus - 1)) % sc->cpus;
			v->affinity = SCHED_CPU_BIT(a) | SCHED_CPU_BIT(b);
		}
		given += sz;
		n++;
	}
	return n;
}

static void row_header(void)
{
	printf("| CPUs | vCPUs (cpu/io/idle) | VMs | opts | busy %% | fairness err max | wake p50 µs | wake p99 µs | idle-VM wake p99 µs | ctx sw/s | migr/s | stale kicks | ns/pick | picks |\n");
	printf("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
}

static int run(const struct scen *sc, uint64_t seconds, uint64_t seed, bool table, uint64_t ovh)
{
	struct sim_vm_cfg *vms = calloc(sc->vcpus, sizeof(*vms));
	struct sim m;
	uint64_t rng = seed * 2654435761u + 1;
	if (!vms)
		return 1;
	unsigned nvms = build(sc, vms, &rng);
	struct sched_params sp = { .slice_ns = sc->slice_ms * MS };
	if (sim_init(&m, sc->cpus, &sp, vms, nvms, seconds * SEC, 0, seed)) {
		fprintf(stderr, "schedsim: bad scenario\n");
		free(vms);
		return 1;
	}
	m.time_picks = true;
	sim_run(&m);

	unsigned ncpu = 0, nio = 0, nidle = 0;
	uint64_t busy = 0, migr = 0;
	for (unsigned i = 0; i < nvms; i++) {
		unsigned *k = vms[i].kind == SIM_CPU ? &ncpu : vms[i].kind == SIM_IO ? &nio : &nidle;
		*k += vms[i].nvcpus;
		migr += m.vms[i].st.migrations;
	}
	for (unsigned c = 0; c < sc->cpus; c++)
		busy += m.cpu[c].busy_ns;
	double secs = (double)seconds;
	double ns_pick = (double)m.pick_host_ns / (double)m.picks;
	char fair[32], opts[32];
	if (sc->pin)
		snprintf(fair, sizeof(fair), "pinned");
	else
		snprintf(fair, sizeof(fair), "%.2f%%", 100.0 * sim_fairness_error(&m));
	snprintf(opts, sizeof(opts), "%s%s%s", sc->caps ? "caps " : "", sc->pin ? "pin " : "",
		 sc->slice_ms ? "slice " : "");
	if (sc->slice_ms)
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%u ms", sc->slice_ms);
	printf("| %u | %u (%u/%u/%u) | %u | %s | %.1f | %s | %.1f | %.1f | %.1f | %.0f | %.1f | %llu | %.0f | %llu |\n",
	       sc->cpus, sc->vcpus, ncpu, nio, nidle, nvms, opts[0] ? opts : "-",
	       100.0 * (double)busy / ((double)sc->cpus * (double)m.end_ns), fair,
	       (double)sim_percentile(&m, 50, false) / 1000.0, (double)sim_percentile(&m, 99, false) / 1000.0,
	       (double)sim_percentile(&m, 99, true) / 1000.0,
	       (double)m.switches / secs, (double)migr / secs,
	       (unsigned long long)m.stale_kicks, ns_pick,
	       (unsigned long long)m.picks);
	if (table) {
		struct sched_vm **p = calloc(nvms, sizeof(*p));
		for (unsigned i = 0; i < nvms && p; i++)
			p[i] = &m.vms[i];
		if (p)
			sched_print_table(p, nvms, m.end_ns);
		free(p);
		double *ideal = calloc(nvms, sizeof(double));
		if (ideal) {
			sim_ideal(&m, ideal);
			printf("\nCPU-bound VMs off their ideal by more than 1%%:\n");
			for (unsigned i = 0; i < nvms; i++) {
				double got = (double)m.vms[i].st.run_ns;
				if (vms[i].kind != SIM_CPU || ideal[i] <= 0 || fabs(got - ideal[i]) < 0.01 * ideal[i])
					continue;
				printf("vm %u: weight %u, cap %u, %u vCPUs: %.2f%% of a CPU, ideal %.2f%% (%+.1f%%)\n", i,
				       vms[i].weight, vms[i].cap_pct, vms[i].nvcpus, 100.0 * got / (double)m.end_ns,
				       100.0 * ideal[i] / (double)m.end_ns, 100.0 * (got - ideal[i]) / ideal[i]);
			}
			free(ideal);
		}
	}
	sim_free(&m);
	free(vms);
	return 0;
}

static const struct scen sweep[] = {
	{ 2, 8, 50, 30, 20, false, false, 0 },     { 2, 64, 50, 30, 20, false, false, 0 },
	{ 4, 32, 50, 30, 20, false, false, 0 },    { 8, 64, 50, 30, 20, false, false, 0 },
	{ 16, 128, 50, 30, 20, false, false, 0 },  { 32, 256, 50, 30, 20, false, false, 0 },
	{ 64, 512, 50, 30, 20, false, false, 0 },  { 64, 128, 25, 25, 50, false, false, 0 },
	{ 8, 64, 100, 0, 0, false, false, 0 },     { 64, 512, 100, 0, 0, false, false, 0 },
	{ 8, 64, 0, 100, 0, false, false, 0 },     { 64, 512, 20, 80, 0, false, false, 0 },
	{ 8, 64, 50, 30, 20, true, false, 0 },     { 64, 512, 50, 30, 20, true, false, 0 },
	{ 8, 64, 50, 30, 20, false, true, 0 },     { 64, 512, 50, 30, 20, false, true, 0 },
	{ 8, 64, 50, 30, 20, false, false, 2 }, { 64, 512, 50, 30, 20, false, false, 2 },
};

static void usage(void)
{
	fprintf(stderr, "usage: ditto-schedsim --sweep [--seconds S] [--seed N]\n"
			"       ditto-schedsim --cpus N --vcpus N [--mix C:I:D] [--seconds S] [--caps] [--pin] [--slice-ms N] [--seed N] [--table]\n"
			"       ditto-schedsim --cpus N --vms NAME:WEIGHT[:cCAP][:vVCPUS][:sSTART_MS][:idle|:io[:bBURST_US][:tTHINK_US]],...\n"
			"                      [--seconds S] [--window-s S]\n"
			"                      [--skip-ms N] [--migrate-ms N] [--slice-ms N] [--seed N]\n"
			"                      [--overrun-us N] [--gap-us N] [--tick-us N] [--deadline-us N] [--thief-kick]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct scen sc = { 4, 32, 50, 30, 20, false, false, 0 };
	uint64_t seconds = 10, seed = 1, window_s = 0, migrate_ms = 0, skip_ms = 0;
	uint64_t overrun_us = 0, gap_us = 0, tick_us = 0, deadline_us = 0;
	bool do_sweep = false, table = false, thief_kick = false;
	const char *vmlist = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--sweep")) do_sweep = true;
		else if (!strcmp(a, "--table")) table = true;
		else if (!strcmp(a, "--thief-kick")) thief_kick = true;
		else if (!strcmp(a, "--caps")) sc.caps = true;
		else if (!strcmp(a, "--pin")) sc.pin = true;
		else if (!strcmp(a, "--cpus") && v) sc.cpus = (unsigned)atoi(v), i++;
		else if (!strcmp(a, "--vcpus") && v) sc.vcpus = (unsigned)atoi(v), i++;
		else if (!strcmp(a, "--seconds") && v) seconds = (uint64_t)atoll(v), i++;
		else if (!strcmp(a, "--seed") && v) seed = (uint64_t)atoll(v), i++;
		else if (!strcmp(a, "--slice-ms") && v) sc.slice_ms = (unsigned)atoi(v), i++;
		else if (!strcmp(a, "--vms") && v) vmlist = v, i++;
		else if (!strcmp(a, "--window-s") && v) window_s = (uint64_t)atoll(v), i++;
		else if (!strcmp(a, "--overrun-us") && v) overrun_us = (uint64_t)atoll(v), i++;
		else if (!strcmp(a, "--gap-us") && v) gap_us = (uint64_t)atoll(v), i++;
		else if (!strcmp(a, "--tick-us") && v) tick_us = (uint64_t)atoll(v), i++;
		else if (!strcmp(a, "--deadline-us") && v) deadline_us = (uint64_t)atoll(v), i++;
		else if (!strcmp(a, "--skip-ms") && v) skip_ms = (uint64_t)atoll(v), i++;
		else if (!strcmp(a, "--migrate-ms") && v) migrate_ms = (uint64_t)atoll(v), i++;
		else if (!strcmp(a, "--mix") && v) {
			if (sscanf(v, "%u:%u:%u", &sc.pct_cpu, &sc.pct_io, &sc.pct_idle) != 3 ||
			    sc.pct_cpu + sc.pct_io + sc.pct_idle != 100)
				usage();
			i++;
		} else
			usage();
	}
	if (vmlist) {
		struct vms_opts o = {
			.cpus = sc.cpus, .list = vmlist, .seconds = seconds, .window_s = window_s,
			.skip_ms = skip_ms, .seed = seed,
			.sp = { .slice_ns = sc.slice_ms * MS, .migrate_ns = migrate_ms * MS },
			.overrun_ns = overrun_us * 1000, .gap_ns = gap_us * 1000, .tick_ns = tick_us * 1000,
			.deadline_ns = deadline_us * 1000, .thief_kick = thief_kick,
		};
		if (!sc.cpus || sc.cpus > SCHED_MAX_CPUS || !seconds)
			usage();
		return schedsim_vms(&o);
	}
	if (!sc.cpus || sc.cpus > SCHED_MAX_CPUS || !sc.vcpus || sc.vcpus > 4096 || !seconds)
		usage();
	uint64_t ovh = timer_overhead_ns();
	printf("schedsim: %llu simulated s per row, seed %llu, slice 10 ms unless stated, kick 2 us; ns/pick includes one clock read pair (%llu ns)\n\n",
	       (unsigned long long)seconds, (unsigned long long)seed, (unsigned long long)ovh);
	row_header();
	if (!do_sweep)
		return run(&sc, seconds, seed, table, ovh);
	for (size_t i = 0; i < ENV_ARRAY_SIZE(sweep); i++)
		if (run(&sweep[i], seconds, seed, false, ovh))
			return 1;
	return 0;
}
