/*
 * Cross-queue fairness on 4 CPUs (docs/scheduler.md, "Bounded lag"): the mix
 * of the 4-CPU Bochs measurement in docs/benchmarks-sched.md, driven by the
 * discrete-event model of tools/schedsim/simcore.c. 1-vCPU VMs of weights
 * 100, 100, 200, 200, 400, 400, one of weight 800 capped at 30%, two idle
 * VMs; max-min fair shares: h1 28.3%, h2 56.6%, h4 100%, capped 30%.
 *
 * Each VM must be within 5% (relative) of its max-min fair share
 * (sim_fair_ppm: sched_water_fill of what the idle VMs left) in every 6 s
 * window, and the capped VM must hold its cap bound (cap * W + cap * 10 ms).
 * The scenarios are the ones that broke the policy before the wake placement
 * from the running queues, bound_lag and parked_to_pull: one VM runs alone
 * first (as the Bochs test's probe does) and the others start 1.5 s later;
 * or the monitor spends 20 us between a slice's account and the next pick
 * (a vCPU then waits in its queue for a moment, where other CPUs can pull
 * it). All time is simulated.
 */
#include "check.h"
#include "tools/schedsim/simcore.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define NVMS 9
#define CAPPED 6

static struct sim m;
static struct sim_vm_cfg vms[NVMS];
static uint64_t fair[NVMS];

/* probe >= 0: that VM starts at 0 and the others at 1.5 s; else they start
 * 100 ms apart (h4a first, as a VM that boots first). */
static void build_mix(int probe)
{
	static const char *const names[NVMS] = { "h1a", "h1b", "h2a", "h2b", "h4a", "h4b",
						 "capped", "idle1", "idle2" };
	static const unsigned weights[NVMS] = { 100, 100, 200, 200, 400, 400, 800, 256, 256 };
	static const unsigned stagger_ms[NVMS] = { 100, 200, 300, 400, 0, 500, 600, 0, 0 };
	for (unsigned i = 0; i < NVMS; i++) {
		vms[i] = (struct sim_vm_cfg){ .name = names[i], .weight = weights[i], .nvcpus = 1,
					      .kind = SIM_CPU, .home_cpu = -1 };
		if (i >= 7) {
			vms[i].kind = SIM_IDLE;
			vms[i].burst_ns = 50000;
			vms[i].think_ns = 100 * MS;
		} else if (probe >= 0) {
			vms[i].start_ns = (int)i == probe ? 0 : 1500 * MS;
		} else {
			vms[i].start_ns = stagger_ms[i] * MS;
		}
	}
	vms[CAPPED].cap_pct = 30;
}

static bool thief_kick; /* tickless idle CPUs kicked by a busy one (vmm/run.c) */

static int run(uint64_t dur, uint64_t gap_ns, uint64_t seed)
{
	if (m.s)
		sim_free(&m);
	if (sim_init(&m, 4, NULL, vms, NVMS, dur, 100000, seed))
		return -1;
	m.gap_ns = gap_ns;
	m.tick_ns = gap_ns && !thief_kick ? MS : 0;
	m.thief_kick = thief_kick;
	sim_run(&m);
	return 0;
}

/* Every CPU-bound VM within 5% of its fair share in each window of win
 * from `from` on; prints the first miss. */
static int windows_fair(uint64_t from, uint64_t win)
{
	for (uint64_t t = from; t + win <= m.end_ns; t += win) {
		sim_fair_ppm(&m, t, t + win, fair);
		for (unsigned i = 0; i < NVMS; i++) {
			if (vms[i].kind != SIM_CPU)
				continue;
			double got = (double)sim_window_run(&m, i, t, t + win) * 1e6 / (double)win;
			double e = (got - (double)fair[i]) / (double)fair[i];
			if (e > 0.05 || e < -0.05) {
				printf("    %s: %.2f%% of a CPU in [%llu, %llu) ms, fair %.2f%%\n",
				       vms[i].name, got / 1e4, (unsigned long long)(t / MS),
				       (unsigned long long)((t + win) / MS), (double)fair[i] / 1e4);
				return 0;
			}
		}
	}
	return 1;
}

/* The capped VM: within 5% of its cap in every window, and never above
 * cap * 1 s + cap * 10 ms in any 1 s window (100 us grid). */
static int capped_ok(uint64_t from, uint64_t win)
{
	uint64_t cap = vms[CAPPED].cap_pct;
	uint64_t bound = cap * SEC / 100 + cap * SCHED_PERIOD_NS / 100;
	if (sim_max_window(&m, CAPPED, SEC) > bound) {
		printf("    capped ran %llu ns in a 1 s window > %llu\n",
		       (unsigned long long)sim_max_window(&m, CAPPED, SEC), (unsigned long long)bound);
		return 0;
	}
	for (uint64_t t = from; t + win <= m.end_ns; t += win) {
		uint64_t got = sim_window_run(&m, CAPPED, t, t + win), want = win * cap / 100;
		if (got < want - want / 20 || got > want + want / 20) {
			printf("    capped ran %.2f%% in [%llu, %llu) ms\n", 100.0 * (double)got / (double)win,
			       (unsigned long long)(t / MS), (unsigned long long)((t + win) / MS));
			return 0;
		}
	}
	return 1;
}

/* The Bochs test's shape: the probe alone 1.5 s, the others start, 1 s to
 * settle, 6 s measured. Before the fix h2b got +18% and h1a -58% here: the
 * probe ran ahead alone while no queue was contended, the others started
 * at the idle CPUs' stale floors, and it waited wherever it shared a queue
 * (with h2a as the probe h2b got +18%, with h1a h1a got -58%). */
TEST(four_cpus_after_h2a_ran_alone)
{
	build_mix(2);
	CHECK_EQ(run(8500 * MS, 0, 1), 0);
	CHECK(windows_fair(2500 * MS, 6 * SEC));
	CHECK(capped_ok(2500 * MS, 6 * SEC));
}

TEST(four_cpus_after_h1a_ran_alone)
{
	build_mix(0);
	CHECK_EQ(run(8500 * MS, 0, 2), 0);
	CHECK(windows_fair(2500 * MS, 6 * SEC));
	CHECK(capped_ok(2500 * MS, 6 * SEC));
}

/*
 * As the Bochs test really does it: every VM but the probe is held, the idle
 * ones too, so only the probe's CPU picks for 1.5 s and the three others
 * keep the floors of their last pick (0); then vmm_start_vm wakes the held
 * VMs one after the other (1 us apart here), each claiming an idle CPU
 * before that CPU picks. Before a claimed idle queue's floor was brought
 * to the level of the others (sched_wake), the VMs woken after the first
 * took its stale floor: with h2a as the probe h2b got 67% instead of 57%
 * (Bochs: 65%), h1a, h1b, h2a -5%; with h1a as the probe, -45%.
 */
static void hold_idle_vms(void)
{
	vms[7].start_ns = vms[8].start_ns = 1500 * MS;
}

TEST(four_cpus_all_held_vms_start_together)
{
	static const int probes[] = { 2, 0, 4, 6 };
	/* The plain model; 20 us of monitor gap with idle CPUs ticking at
	 * 1 kHz; the same gap with tickless idle CPUs and thief kicks. */
	for (unsigned k = 0; k < ENV_ARRAY_SIZE(probes); k++)
		for (unsigned mode = 0; mode < 3; mode++) {
			uint64_t gap = mode ? 20000 : 0;
			thief_kick = mode == 2;
			build_mix(probes[k]);
			hold_idle_vms();
			CHECK_EQ(run(8500 * MS, gap, 1 + k), 0);
			thief_kick = false;
			if (!windows_fair(2500 * MS, 6 * SEC) || !capped_ok(2500 * MS, 6 * SEC))
				printf("    (probe %s, mode %u)\n", vms[probes[k]].name, mode);
			CHECK(windows_fair(2500 * MS, 6 * SEC));
			CHECK(capped_ok(2500 * MS, 6 * SEC));
		}
}

/* 20 us of monitor work between a slice's end and the next pick, idle CPUs
 * polling at the 1 kHz tick; 60 s in 6 s windows. Before the fix h4a and
 * h4b lost up to 20% in a window: alone on a CPU each falls behind in
 * vtime, was pulled in those 20 us, and then shared a CPU with the capped
 * VM for seconds (it waits only while the capped one runs; parked_to_pull
 * now moves the capped one instead). */
TEST(four_cpus_with_monitor_gap_60s)
{
	build_mix(-1);
	CHECK_EQ(run(61600 * MS, 20000, 3), 0);
	CHECK(windows_fair(1600 * MS, 6 * SEC));
	CHECK(capped_ok(1600 * MS, 6 * SEC));
	sim_free(&m);
}

/*
 * A capped vCPU kept behind by its cap, beside vCPUs that sleep and wake
 * (8 ms bursts, 12 ms halts) and a hog, on one CPU: it must still get its
 * cap (its weight entitles it to far more). A woken vCPU is placed by the
 * lowest vtime of the uncapped vCPUs (rq_low); placed below the capped one
 * it ran first at each refill and the capped VM got 24% instead of 30%.
 */
TEST(capped_vm_keeps_its_cap_beside_sleepers)
{
	struct sim_vm_cfg v[] = {
		{ .name = "capped", .weight = 800, .cap_pct = 30, .nvcpus = 1, .kind = SIM_CPU, .home_cpu = -1 },
		{ .name = "hog", .weight = 100, .nvcpus = 1, .kind = SIM_CPU, .home_cpu = -1 },
		{ .name = "x", .weight = 256, .nvcpus = 1, .kind = SIM_IO, .burst_ns = 8 * MS,
		  .think_ns = 12 * MS, .home_cpu = -1 },
		{ .name = "y", .weight = 256, .nvcpus = 1, .kind = SIM_IO, .burst_ns = 8 * MS,
		  .think_ns = 12 * MS, .home_cpu = -1 },
	};
	if (m.s)
		sim_free(&m);
	CHECK_EQ(sim_init(&m, 1, NULL, v, 4, 20 * SEC, 100000, 4), 0);
	sim_run(&m);
	uint64_t got = m.vms[0].st.run_ns, want = 20 * SEC * 30 / 100;
	if (got < want - want / 20)
		printf("    capped ran %.2f%%\n", 100.0 * (double)got / (double)(20 * SEC));
	CHECK(got >= want - want / 20);
	CHECK(sim_max_window(&m, 0, SEC) <= 30 * SEC / 100 + 30 * SCHED_PERIOD_NS / 100);
	sim_free(&m);
}
