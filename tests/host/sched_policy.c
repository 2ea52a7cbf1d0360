/*
 * The scheduler policy (vmm/sched) driven by the discrete-event model of
 * tools/schedsim/simcore.c: shares by weight, caps, reservations, idle VMs,
 * pinning, migration, no starvation. All times are simulated; nothing here
 * depends on how fast the host is.
 */
#include "check.h"
#include "tools/schedsim/simcore.h"

#define MS 1000000ull
#define SEC 1000000000ull

static struct sim m;

/* A failed CHECK returns early: free the previous model here instead. */
static int init(unsigned ncpus, struct sim_vm_cfg *vms, unsigned n, uint64_t dur,
		uint64_t bucket, uint64_t seed)
{
	if (m.s)
		sim_free(&m);
	return sim_init(&m, ncpus, NULL, vms, n, dur, bucket, seed);
}

static struct sim_vm_cfg cpu_vm(const char *name, unsigned weight, unsigned nvcpus)
{
	return (struct sim_vm_cfg){ .name = name, .weight = weight, .nvcpus = nvcpus,
				    .kind = SIM_CPU, .home_cpu = -1 };
}

static double rel_err(uint64_t got, double want)
{
	double e = ((double)got - want) / want;
	return e < 0 ? -e : e;
}

/* Each VM's run time within 5% (relative) of the weighted share. */
static int check_shares(struct sim *s, const double *want_cpus, uint64_t dur)
{
	for (unsigned i = 0; i < s->nvms; i++) {
		double want = want_cpus[i] * (double)dur;
		if (rel_err(s->vms[i].st.run_ns, want) > 0.05) {
			printf("    vm %u ran %.1f ms, want %.1f ms\n", i,
			       (double)s->vms[i].st.run_ns / MS, want / MS);
			return 0;
		}
	}
	return 1;
}

TEST(weights_1_2_4_on_one_cpu)
{
	struct sim_vm_cfg vms[] = { cpu_vm("a", 100, 1), cpu_vm("b", 200, 1), cpu_vm("c", 400, 1) };
	double want[] = { 1.0 / 7, 2.0 / 7, 4.0 / 7 };
	CHECK_EQ(init(1, vms, 3, 10 * SEC, 0, 1), 0);
	sim_run(&m);
	CHECK(check_shares(&m, want, 10 * SEC));
	CHECK(sim_fairness_error(&m) < 0.05);
	sim_free(&m);
}

TEST(weights_1_2_4_on_two_cpus_two_vcpus_each)
{
	struct sim_vm_cfg vms[] = { cpu_vm("a", 100, 2), cpu_vm("b", 200, 2), cpu_vm("c", 400, 2) };
	double want[] = { 2.0 / 7, 4.0 / 7, 8.0 / 7 };
	CHECK_EQ(init(2, vms, 3, 10 * SEC, 0, 2), 0);
	sim_run(&m);
	CHECK(check_shares(&m, want, 10 * SEC));
	sim_free(&m);
}

/* One vCPU each on two CPUs: c cannot use its 8/7 of a CPU, so it gets one
 * CPU and a and b share the other 1:2. */
TEST(weights_1_2_4_on_two_cpus_one_vcpu_each)
{
	struct sim_vm_cfg vms[] = { cpu_vm("a", 100, 1), cpu_vm("b", 200, 1), cpu_vm("c", 400, 1) };
	double want[] = { 1.0 / 3, 2.0 / 3, 1.0 };
	CHECK_EQ(init(2, vms, 3, 10 * SEC, 0, 3), 0);
	sim_run(&m);
	CHECK(check_shares(&m, want, 10 * SEC));
	sim_free(&m);
}

/* Mixed vCPU counts and weights on 3 CPUs against the water-filling ideal. */
TEST(weights_mixed_on_three_cpus)
{
	struct sim_vm_cfg vms[] = { cpu_vm("a", 256, 1), cpu_vm("b", 512, 2), cpu_vm("c", 128, 4),
				    cpu_vm("d", 1024, 1), cpu_vm("e", 256, 3) };
	CHECK_EQ(init(3, vms, 5, 10 * SEC, 0, 4), 0);
	sim_run(&m);
	CHECK(sim_fairness_error(&m) < 0.05);
	sim_free(&m);
}

/*
 * The cap is a budget of cap% of each 10 ms period, and a slice never
 * crosses a period end, so in any window of W the VM runs at most
 * cap*W + one period's budget (a window can take the end of one period's
 * budget and the start of another's). That bound is what is checked, over
 * every 1 s window on a 100 us grid.
 */
static void check_cap(unsigned ncpus, struct sim_vm_cfg *vms, unsigned n, unsigned capped)
{
	uint64_t cap = vms[capped].cap_pct;
	uint64_t bound = cap * SEC / 100 + cap * SCHED_PERIOD_NS / 100;
	CHECK_EQ(init(ncpus, vms, n, 10 * SEC, 100000, 5), 0);
	sim_run(&m);
	uint64_t worst = sim_max_window(&m, capped, SEC);
	if (worst > bound)
		printf("    worst 1 s window %llu ns > %llu\n", (unsigned long long)worst,
		       (unsigned long long)bound);
	CHECK(worst <= bound);
	/* ... and it does get its cap (within 2%): the cap is not a throttle. */
	CHECK(rel_err(m.vms[capped].st.run_ns, (double)cap / 100 * 10 * SEC) < 0.02);
	sim_free(&m);
}

TEST(cap_30_alone_on_one_cpu)
{
	struct sim_vm_cfg vms[] = { cpu_vm("capped", 256, 1) };
	vms[0].cap_pct = 30;
	check_cap(1, vms, 1, 0);
}

TEST(cap_30_against_a_light_vm)
{
	struct sim_vm_cfg vms[] = { cpu_vm("capped", 4096, 1), cpu_vm("other", 64, 1) };
	vms[0].cap_pct = 30;
	check_cap(1, vms, 2, 0);
}

TEST(cap_150_two_vcpus_on_four_cpus)
{
	struct sim_vm_cfg vms[] = { cpu_vm("capped", 1000, 2), cpu_vm("x", 256, 2), cpu_vm("y", 256, 1) };
	vms[0].cap_pct = 150;
	check_cap(4, vms, 3, 0);
}

TEST(cap_with_io_vcpus)
{
	struct sim_vm_cfg vms[] = { cpu_vm("capped", 256, 2), cpu_vm("hog", 256, 1),
				    { .name = "io", .weight = 256, .cap_pct = 20, .nvcpus = 2,
				      .kind = SIM_IO, .burst_ns = 300000, .think_ns = 600000,
				      .home_cpu = -1 } };
	vms[0].cap_pct = 70;
	check_cap(2, vms, 3, 0);
	check_cap(2, vms, 3, 2);
}

/* An idle VM (halted, an interrupt every 100 ms, 50 us of work) next to a
 * hog: under 1% of a CPU, and about one pick per wake-up. */
TEST(idle_vm_costs_little)
{
	struct sim_vm_cfg vms[] = { cpu_vm("hog", 256, 1),
				    { .name = "idle", .weight = 256, .nvcpus = 1, .kind = SIM_IDLE,
				      .burst_ns = 50000, .think_ns = 100 * MS, .home_cpu = -1 } };
	CHECK_EQ(init(1, vms, 2, 10 * SEC, 0, 6), 0);
	sim_run(&m);
	CHECK(m.vms[1].st.run_ns < 10 * SEC / 100); /* < 1% of a CPU over 10 s */
	CHECK(m.vms[1].st.wakeups >= 99 && m.vms[1].st.wakeups <= 101);
	CHECK_EQ(m.vms[1].st.scheduled, m.vms[1].st.wakeups);
	/* The hog still gets the rest. */
	CHECK(m.vms[0].st.run_ns > 10 * SEC - 10 * SEC / 100);
	sim_free(&m);
}

/* Halted vCPUs cost nothing: with every vCPU halted, a CPU idles without a
 * timer, and the policy is not called until an interrupt. */
TEST(halted_vms_cost_nothing)
{
	struct sim_vm_cfg vms[] = { { .name = "idle", .weight = 256, .nvcpus = 4, .kind = SIM_IDLE,
				      .burst_ns = 20000, .think_ns = SEC, .home_cpu = -1 } };
	CHECK_EQ(init(2, vms, 1, 10 * SEC, 0, 7), 0);
	sim_run(&m);
	uint64_t wakes = m.vms[0].st.wakeups;
	CHECK(wakes >= 36 && wakes <= 44);
	/* One pick at start per CPU, then per wake-up: the pick that runs it
	 * and the pick after its HLT. */
	CHECK(m.picks <= 2 + 2 * wakes);
	CHECK(m.vms[0].st.run_ns == wakes * 20000);
	sim_free(&m);
}

/* Reservation honoured under overload: a VM of weight 1 among four hogs of
 * weight 1000 on one CPU gets its 40%. */
TEST(reservation_under_overload_one_cpu)
{
	struct sim_vm_cfg vms[] = { cpu_vm("res", 1, 1), cpu_vm("h1", 1000, 1), cpu_vm("h2", 1000, 1),
				    cpu_vm("h3", 1000, 1), cpu_vm("h4", 1000, 1) };
	vms[0].res_pct = 40;
	CHECK_EQ(init(1, vms, 5, 10 * SEC, 100000, 8), 0);
	sim_run(&m);
	CHECK(m.vms[0].st.run_ns >= 10 * SEC * 40 / 100);
	/* Not much more: the rest goes by weight (its share is ~0). */
	CHECK(m.vms[0].st.run_ns <= 10 * SEC * 41 / 100);
	/* ... in every 1 s window (the budget is per 10 ms period). */
	CHECK(sim_max_window(&m, 0, SEC) >= SEC * 40 / 100);
	sim_free(&m);
}

/* Two reserved VMs placed on the same CPU of two: the other CPU must pull
 * one of them for both reservations to hold. */
TEST(reservation_needs_migration)
{
	struct sim_vm_cfg vms[] = { cpu_vm("r1", 1, 1), cpu_vm("r2", 1, 1), cpu_vm("h1", 1000, 1),
				    cpu_vm("h2", 1000, 1), cpu_vm("h3", 1000, 1) };
	vms[0].res_pct = 70;
	vms[1].res_pct = 70;
	vms[0].home_cpu = vms[1].home_cpu = 0;
	/* They start when both CPUs are busy, so both wait on CPU 0. */
	vms[0].start_ns = vms[1].start_ns = 100 * MS;
	CHECK_EQ(init(2, vms, 5, 10 * SEC, 0, 9), 0);
	sim_run(&m);
	CHECK(m.vms[0].st.run_ns >= (10 * SEC - 100 * MS) * 69 / 100);
	CHECK(m.vms[1].st.run_ns >= (10 * SEC - 100 * MS) * 69 / 100);
	CHECK(m.vms[0].st.migrations + m.vms[1].st.migrations > 0);
	sim_free(&m);
}

/* Pinning: never run outside the affinity, with pulls and steals busy. */
TEST(pinning_never_violated)
{
	struct sim_vm_cfg vms[] = {
		cpu_vm("p0", 256, 2), cpu_vm("p12", 512, 2), cpu_vm("free", 256, 3),
		{ .name = "io3", .weight = 256, .nvcpus = 2, .kind = SIM_IO, .burst_ns = 200000,
		  .think_ns = 2 * MS, .affinity = SCHED_CPU_BIT(3), .home_cpu = -1 },
		{ .name = "io", .weight = 256, .nvcpus = 3, .kind = SIM_IO, .burst_ns = 500000,
		  .think_ns = 1 * MS, .home_cpu = -1 },
		cpu_vm("p23", 128, 1),
	};
	vms[0].affinity = SCHED_CPU_BIT(0);
	vms[1].affinity = SCHED_CPU_BIT(1) | SCHED_CPU_BIT(2);
	vms[5].affinity = SCHED_CPU_BIT(2) | SCHED_CPU_BIT(3);
	CHECK_EQ(init(4, vms, 6, 5 * SEC, 0, 10), 0);
	sim_run(&m);
	CHECK(m.picks > 1000);
	CHECK_EQ(m.pin_violations, 0);
	for (unsigned i = 0; i < m.nvcpus; i++)
		CHECK(m.vcpus[i].sv.affinity & SCHED_CPU_BIT(m.vcpus[i].sv.cpu));
	/* The two vCPUs pinned to CPU 0 share it evenly. */
	CHECK(rel_err(m.vcpus[0].sv.st.run_ns, (double)m.vcpus[1].sv.st.run_ns) < 0.05);
	sim_free(&m);
}

/* Migration: three hogs start on CPU 0, CPU 1 idle: it steals, and the
 * three share both CPUs evenly. */
TEST(idle_cpu_steals_from_overloaded)
{
	struct sim_vm_cfg vms[] = { cpu_vm("a", 256, 1), cpu_vm("b", 256, 1), cpu_vm("c", 256, 1) };
	for (int i = 0; i < 3; i++)
		vms[i].home_cpu = 0;
	CHECK_EQ(init(2, vms, 3, 10 * SEC, 0, 11), 0);
	sim_run(&m);
	CHECK(m.cpu[1].busy_ns > 10 * SEC * 99 / 100);
	uint64_t migr = 0;
	for (unsigned i = 0; i < 3; i++) {
		migr += m.vms[i].st.migrations;
		CHECK(rel_err(m.vms[i].st.run_ns, 10.0 * SEC * 2 / 3) < 0.05);
	}
	CHECK(migr > 0);
	/* ... but not every slice: the pull threshold keeps it to a few per
	 * second (about one per 3 slices here would be ping-pong). */
	CHECK(migr < 10 * 50);
	sim_free(&m);
}

/* No starvation: every runnable vCPU runs within a bound. With slices of
 * at most S and vtime-ordered picks, a vCPU of weight w that becomes ready
 * waits at most while each other vCPU j closes the vtime gap: about
 * (w_j / w + 2) slices for each j (plus the wake bonus of woken ones, one
 * slice). The test uses that bound (a starved vCPU would blow it). */
TEST(no_starvation)
{
	struct sim_vm_cfg vms[] = {
		cpu_vm("a", 64, 1), cpu_vm("b", 256, 2), cpu_vm("c", 1024, 1), cpu_vm("d", 128, 3),
		{ .name = "io", .weight = 256, .nvcpus = 4, .kind = SIM_IO, .burst_ns = 400000,
		  .think_ns = 3 * MS, .home_cpu = -1 },
		{ .name = "idle", .weight = 256, .nvcpus = 2, .kind = SIM_IDLE, .burst_ns = 50000,
		  .think_ns = 50 * MS, .home_cpu = -1 },
	};
	for (unsigned ncpus = 1; ncpus <= 3; ncpus += 2) {
		CHECK_EQ(init(ncpus, vms, 6, 5 * SEC, 0, 12 + ncpus), 0);
		sim_run(&m);
		for (unsigned i = 0; i < m.nvcpus; i++) {
			struct sim_vcpu *v = &m.vcpus[i];
			uint64_t bound = 0;
			for (unsigned j = 0; j < m.nvcpus; j++)
				if (j != i)
					bound += (m.vcpus[j].sv.wfp / v->sv.wfp + 2) * 10 * MS;
			CHECK(v->runs > 0);
			if (v->max_wait_ns > bound)
				printf("    vcpu %u waited %llu ms > %llu\n", i,
				       (unsigned long long)(v->max_wait_ns / MS),
				       (unsigned long long)(bound / MS));
			CHECK(v->max_wait_ns <= bound);
		}
		/* And the light hog is not starved over the run either. */
		CHECK(m.vms[0].st.run_ns > 0);
		sim_free(&m);
	}
}

/* I/O-like vCPUs next to hogs are served promptly (wake preemption). */
TEST(io_wakeups_preempt_hogs)
{
	struct sim_vm_cfg vms[] = { cpu_vm("hog", 256, 2),
				    { .name = "io", .weight = 256, .nvcpus = 2, .kind = SIM_IO,
				      .burst_ns = 100000, .think_ns = 2 * MS, .home_cpu = -1 } };
	CHECK_EQ(init(2, vms, 2, 5 * SEC, 0, 14), 0);
	sim_run(&m);
	CHECK(m.nlat > 1000);
	/* kick latency is 2 us; nothing should wait for a hog's 10 ms slice */
	CHECK(sim_percentile(&m, 99, false) < 100000);
	sim_free(&m);
}
