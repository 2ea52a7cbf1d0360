/*
 * vmm/sched call by call: wake-up placement, blocking, removal, slices,
 * budgets, broken-invariant panics, and the runqueue invariants under a
 * long random sequence of calls.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "vmm/sched/sched.h"

#define MS 1000000ull

static struct sched S;
static struct sched_vm VM[4];
static struct sched_vcpu V[16];

static void setup(unsigned ncpus)
{
	memset(VM, 0, sizeof(VM));
	memset(V, 0, sizeof(V));
	ENV_ASSERT(sched_init(&S, ncpus, NULL) == 0);
}

static void add_vm(unsigned i, unsigned weight, unsigned cap, unsigned res, unsigned nvcpus)
{
	struct sched_vm_params p = { .weight = weight, .cap_pct = cap, .reservation_pct = res,
				     .nvcpus = nvcpus, .name = "vm" };
	ENV_ASSERT(sched_add_vm(&S, &VM[i], &p, NULL) == 0);
}

static void add_vcpu(unsigned vm, unsigned i, sched_mask_t aff, int home)
{
	ENV_ASSERT(sched_add_vcpu(&S, &VM[vm], &V[i], aff, home, NULL, 0) == 0);
}

/* Run v on cpu from now for ran ns (pick must choose it). */
static int run_for(unsigned cpu, struct sched_vcpu *v, uint64_t *now, uint64_t ran)
{
	struct sched_decision d;
	sched_pick(&S, cpu, *now, &d);
	if (d.vcpu != v)
		return 0;
	*now += ran;
	sched_account(&S, cpu, v, ran, *now);
	return 1;
}

TEST(init_rejects_bad_cpu_counts)
{
	CHECK_EQ(sched_init(&S, 0, NULL), -EINVAL);
	CHECK_EQ(sched_init(&S, 65, NULL), -EINVAL);
	CHECK_EQ(sched_init(&S, 64, NULL), 0);
}

TEST(add_validates)
{
	setup(4);
	struct sched_vm_params bad = { .weight = 0, .nvcpus = 1 };
	CHECK_EQ(sched_add_vm(&S, &VM[0], &bad, NULL), -EINVAL);
	bad = (struct sched_vm_params){ .weight = 256, .cap_pct = 20, .reservation_pct = 30, .nvcpus = 1 };
	CHECK_EQ(sched_add_vm(&S, &VM[0], &bad, NULL), -EINVAL);
	add_vm(0, 256, 0, 0, 2);
	CHECK_EQ(sched_add_vcpu(&S, &VM[0], &V[0], 0, -1, NULL, 0), -EINVAL);
	CHECK_EQ(sched_add_vcpu(&S, &VM[0], &V[0], SCHED_CPU_BIT(4), -1, NULL, 0), -EINVAL);
	CHECK_EQ(sched_add_vcpu(&S, &VM[0], &V[0], SCHED_CPU_BIT(1), 2, NULL, 0), -EINVAL);
	CHECK_EQ(sched_add_vcpu(&S, &VM[0], &V[0], SCHED_CPU_BIT(1), -1, NULL, 0), 0);
	CHECK_EQ(V[0].cpu, 1);
	CHECK_EQ(sched_add_vcpu(&S, &VM[0], &V[1], SCHED_MASK_ALL >> 60, -1, NULL, 0), 0);
	CHECK(V[1].cpu != 1); /* least loaded */
	CHECK_EQ(sched_add_vcpu(&S, &VM[0], &V[2], SCHED_MASK_ALL >> 60, -1, NULL, 0), -EINVAL);
}

TEST(wake_kicks_last_cpu_when_idle)
{
	struct sched_decision d;
	setup(2);
	add_vm(0, 256, 0, 0, 1);
	add_vcpu(0, 0, 3, 1);
	sched_pick(&S, 0, 0, &d);
	CHECK(!d.vcpu && !d.idle_until_ns);
	sched_pick(&S, 1, 0, &d);
	CHECK(!d.vcpu);
	CHECK_EQ(sched_wake(&S, &V[0], 10), 1);
	CHECK_EQ(V[0].st.migrations, 0);
	CHECK(sched_need_resched(&S, 1));
	sched_pick(&S, 1, 20, &d);
	CHECK(d.vcpu == &V[0]);
	CHECK_EQ(d.slice_ns, 10 * MS);
	CHECK(!sched_need_resched(&S, 1));
}

TEST(wake_kicks_an_idle_cpu_in_affinity)
{
	struct sched_decision d;
	uint64_t now = 0;
	setup(4);
	add_vm(0, 256, 0, 0, 1);
	add_vm(1, 256, 0, 0, 2);
	add_vcpu(0, 0, SCHED_MASK_ALL >> 60, 0); /* hog on CPU 0 */
	add_vcpu(1, 1, SCHED_CPU_BIT(0) | SCHED_CPU_BIT(2), 0);
	add_vcpu(1, 2, SCHED_CPU_BIT(0) | SCHED_CPU_BIT(2), 0);
	CHECK_EQ(sched_wake(&S, &V[0], now), -1); /* CPU 0 never picked: not idle yet */
	sched_pick(&S, 0, now, &d);
	CHECK(d.vcpu == &V[0]);
	for (unsigned c = 1; c < 4; c++) {
		sched_pick(&S, c, now, &d);
		CHECK(!d.vcpu);
	}
	/* CPU 1 is idle but outside the affinity: CPU 2. */
	CHECK_EQ(sched_wake(&S, &V[1], now), 2);
	CHECK_EQ(V[1].cpu, 2);
	CHECK_EQ(V[1].st.migrations, 1);
	CHECK_EQ(VM[1].st.migrations, 1);
	/* CPU 2 is claimed by that kick: the next wake does not get it, and
	 * CPU 0 runs a hog that has not run long: no preemption either. */
	CHECK_EQ(sched_wake(&S, &V[2], now), -1);
	CHECK_EQ(V[2].cpu, 0);
	/* Waking a vCPU that is not halted does nothing. */
	CHECK_EQ(sched_wake(&S, &V[2], now), -1);
	CHECK_EQ(V[2].st.wakeups, 1);
}

/* The monitor learns from the decision that the VMCS lives elsewhere. */
TEST(decision_reports_a_migration)
{
	struct sched_decision d;
	setup(2);
	add_vm(0, 256, 0, 0, 1);
	add_vcpu(0, 0, 3, 0);
	sched_wake(&S, &V[0], 0);
	sched_pick(&S, 0, 0, &d);
	CHECK(d.vcpu == &V[0]);
	CHECK_EQ(d.migrated_from, -1); /* first run */
	sched_block(&S, &V[0], 10);
	sched_account(&S, 0, &V[0], 10, 10);
	sched_pick(&S, 0, 10, &d);
	sched_pick(&S, 1, 10, &d); /* both idle */
	CHECK_EQ(sched_wake(&S, &V[0], 20), 0); /* last CPU idle: stays */
	sched_pick(&S, 0, 20, &d);
	CHECK_EQ(d.migrated_from, -1);
	sched_block(&S, &V[0], 30);
	sched_account(&S, 0, &V[0], 10, 30);
	CHECK(!(sched_pick(&S, 0, 30, &d), d.vcpu));
	/* CPU 0 busy with another vCPU? Make it non-idle by a hog. */
	add_vm(1, 256, 0, 0, 1);
	add_vcpu(1, 1, 1, 0);
	sched_wake(&S, &V[1], 40);
	sched_pick(&S, 0, 40, &d);
	CHECK(d.vcpu == &V[1]);
	CHECK_EQ(sched_wake(&S, &V[0], 50), 1); /* idle CPU 1 */
	sched_pick(&S, 1, 50, &d);
	CHECK(d.vcpu == &V[0]);
	CHECK_EQ(d.migrated_from, 0);
}

TEST(wake_preempts_only_a_vcpu_far_ahead)
{
	struct sched_decision d;
	uint64_t now = 0;
	setup(1);
	add_vm(0, 256, 0, 0, 1);
	add_vm(1, 256, 0, 0, 1);
	add_vcpu(0, 0, 1, 0);
	add_vcpu(1, 1, 1, 0);
	sched_wake(&S, &V[0], now);
	for (int i = 0; i < 10; i++)
		CHECK(run_for(0, &V[0], &now, 10 * MS)); /* hog: vtime 100 ms */
	sched_pick(&S, 0, now, &d);
	CHECK(d.vcpu == &V[0]);
	/* V1 wakes with vtime 0, raised to 100 ms - the wake bonus: preempts. */
	CHECK_EQ(sched_wake(&S, &V[1], now + 1000), 0);
	CHECK_EQ(V[1].vtime, 100 * MS - S.p.wake_bonus_ns);
	now += 1000;
	sched_account(&S, 0, &V[0], 1000, now);
	CHECK(run_for(0, &V[1], &now, 300 * MS)); /* V1 now far ahead */
	sched_block(&S, &V[1], now); /* queued -> halted */
	CHECK_EQ(V[1].state, SV_HALTED);
	sched_pick(&S, 0, now, &d);
	CHECK(d.vcpu == &V[0]);
	CHECK_EQ(sched_wake(&S, &V[1], now), -1); /* no preemption for it */
	CHECK_EQ(V[1].state, SV_QUEUED);
}

TEST(wake_while_running_cancels_the_halt)
{
	struct sched_decision d;
	setup(1);
	add_vm(0, 256, 0, 0, 1);
	add_vcpu(0, 0, 1, 0);
	sched_wake(&S, &V[0], 0);
	sched_pick(&S, 0, 0, &d);
	CHECK(d.vcpu == &V[0]);
	sched_block(&S, &V[0], 100); /* HLT exit */
	CHECK_EQ(sched_wake(&S, &V[0], 150), -1); /* interrupt before the account */
	sched_account(&S, 0, &V[0], 200, 200);
	CHECK_EQ(V[0].state, SV_QUEUED);
	/* ... and without the wake it halts. */
	sched_pick(&S, 0, 200, &d);
	sched_block(&S, &V[0], 300);
	sched_account(&S, 0, &V[0], 100, 300);
	CHECK_EQ(V[0].state, SV_HALTED);
	sched_pick(&S, 0, 300, &d);
	CHECK(!d.vcpu && !d.idle_until_ns);
	struct sched_stats st;
	sched_vcpu_stats(&V[0], 1300, &st);
	CHECK_EQ(st.run_ns, 300);
	CHECK_EQ(st.halt_ns, 1000);
	CHECK_EQ(st.scheduled, 2);
}

TEST(remove_refuses_a_running_vcpu)
{
	struct sched_decision d;
	setup(1);
	add_vm(0, 256, 0, 0, 2);
	add_vcpu(0, 0, 1, 0);
	add_vcpu(0, 1, 1, 0);
	sched_wake(&S, &V[0], 0);
	sched_wake(&S, &V[1], 0);
	sched_pick(&S, 0, 0, &d);
	struct sched_vcpu *run = d.vcpu, *other = run == &V[0] ? &V[1] : &V[0];
	CHECK_EQ(sched_remove_vcpu(&S, run, 5), -EBUSY);
	CHECK_EQ(sched_remove_vcpu(&S, other, 5), 0);
	sched_account(&S, 0, run, 5, 5);
	CHECK_EQ(sched_remove_vcpu(&S, run, 5), 0);
	sched_pick(&S, 0, 5, &d);
	CHECK(!d.vcpu);
	CHECK_EQ(S.rq[0].nr_home, 0);
	CHECK_EQ(VM[0].nvcpus_added, 0);
}

TEST(cap_budget_limits_slices_and_sets_the_idle_timer)
{
	struct sched_decision d;
	uint64_t now = 1000; /* inside period 0 */
	setup(1);
	add_vm(0, 256, 25, 0, 1);
	add_vcpu(0, 0, 1, 0);
	sched_wake(&S, &V[0], now);
	sched_pick(&S, 0, now, &d);
	CHECK(d.vcpu == &V[0]);
	CHECK_EQ(d.slice_ns, 2500000); /* 25% of 10 ms */
	now += d.slice_ns;
	sched_account(&S, 0, &V[0], d.slice_ns, now);
	sched_pick(&S, 0, now, &d);
	CHECK(!d.vcpu);
	CHECK_EQ(d.idle_until_ns, SCHED_PERIOD_NS);
	now = SCHED_PERIOD_NS + 9000000; /* 1 ms before the end of period 1 */
	sched_pick(&S, 0, now, &d);
	CHECK(d.vcpu == &V[0]);
	CHECK_EQ(d.slice_ns, 1000000); /* never across the period end */
	/* An unused part goes back to the budget. */
	sched_account(&S, 0, &V[0], 400000, now + 400000);
	CHECK_EQ(VM[0].cap_budget, 2500000 - 400000);
}

TEST(reservation_slices_come_first)
{
	struct sched_decision d;
	uint64_t now = 0;
	setup(1);
	add_vm(0, 1000, 0, 0, 1);
	add_vm(1, 1, 0, 30, 1);
	add_vcpu(0, 0, 1, 0);
	add_vcpu(1, 1, 1, 0);
	sched_wake(&S, &V[0], now);
	CHECK(run_for(0, &V[0], &now, 1 * MS));
	sched_wake(&S, &V[1], now);
	sched_pick(&S, 0, now, &d);
	CHECK(d.vcpu == &V[1]);
	CHECK_EQ(d.slice_ns, 3 * MS);
	now += 3 * MS;
	sched_account(&S, 0, &V[1], 3 * MS, now);
	/* Budget used: the weight decides (V1's weight is 1). */
	CHECK(run_for(0, &V[0], &now, 1 * MS));
	/* Slices end at the period end while a reserved vCPU waits. */
	sched_pick(&S, 0, now, &d);
	CHECK(d.vcpu == &V[0]);
	CHECK_EQ(d.slice_ns, SCHED_PERIOD_NS - now);
}

TEST(pick_with_a_vcpu_running_panics)
{
	struct sched_decision d;
	setup(1);
	add_vm(0, 256, 0, 0, 1);
	add_vcpu(0, 0, 1, 0);
	sched_wake(&S, &V[0], 0);
	sched_pick(&S, 0, 0, &d);
	CHECK_PANICS(sched_pick(&S, 0, 1, &d));
}

TEST(account_of_another_cpus_vcpu_panics)
{
	struct sched_decision d;
	setup(2);
	add_vm(0, 256, 0, 0, 1);
	add_vcpu(0, 0, 3, 0);
	sched_wake(&S, &V[0], 0);
	sched_pick(&S, 0, 0, &d);
	CHECK(d.vcpu == &V[0]);
	CHECK_PANICS(sched_account(&S, 1, &V[0], 5, 5));
}

/* Every invariant of the runqueues, checked from outside. */
static int check_invariants(unsigned nv)
{
	unsigned home = 0;
	for (unsigned c = 0; c < S.ncpus; c++) {
		struct sched_rq *rq = &S.rq[c];
		unsigned n = 0, nres = 0;
		if (rq->lock)
			return 0;
		for (struct sched_vcpu *v = rq->head; v; v = v->next) {
			if (v->state != SV_QUEUED || v->cpu != c || !(v->affinity & SCHED_CPU_BIT(c)))
				return 0;
			if (v->next && (int64_t)(v->next->vtime - v->vtime) < 0)
				return 0;
			if ((v->next ? v->next->prev : rq->tail) != v)
				return 0;
			n++;
			nres += v->vm->p.reservation_pct != 0;
		}
		if (n != rq->nr_waiting || nres != rq->nr_res_waiting)
			return 0;
		if (rq->curr && (rq->curr->state != SV_RUNNING || rq->curr->cpu != c))
			return 0;
		home += rq->nr_home;
	}
	unsigned live = 0;
	for (unsigned i = 0; i < nv; i++) {
		live += V[i].state != SV_REMOVED;
		if (V[i].state == SV_RUNNING && S.rq[V[i].cpu].curr != &V[i])
			return 0;
	}
	return home == live;
}

TEST(random_calls_keep_the_invariants)
{
	const unsigned ncpus = 4, nv = 12;
	struct sched_vcpu *cur[4] = { 0 };
	uint64_t now = 0, rng = 12345;
	setup(ncpus);
	add_vm(0, 256, 0, 0, 4);
	add_vm(1, 512, 150, 0, 4);
	add_vm(2, 64, 0, 40, 2);
	add_vm(3, 1000, 0, 0, 2);
	static const sched_mask_t aff[] = { 0xf, 0x1, 0x6, 0xc, 0xf, 0x3, 0xf, 0x8, 0xf, 0x2, 0xf, 0x5 };
	static const unsigned vm_of[] = { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3 };
	for (unsigned i = 0; i < nv; i++)
		add_vcpu(vm_of[i], i, aff[i], -1);
	for (unsigned step = 0; step < 200000; step++) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		unsigned c = rng % ncpus, i = (rng >> 8) % nv, op = (rng >> 16) % 8;
		now += (rng >> 24) % 300000;
		if (op <= 2) {
			if (cur[c]) {
				if (op == 0)
					sched_block(&S, cur[c], now);
				sched_account(&S, c, cur[c], (rng >> 32) % 2000000, now);
				cur[c] = NULL;
			}
			struct sched_decision d;
			sched_pick(&S, c, now, &d);
			cur[c] = d.vcpu;
			if (d.vcpu && !(d.vcpu->affinity & SCHED_CPU_BIT(c)))
				CHECK(!"picked outside the affinity");
		} else if (op <= 5) {
			int k = sched_wake(&S, &V[i], now);
			CHECK(k < 0 || (V[i].affinity & SCHED_CPU_BIT(k)));
		} else if (op == 6) {
			sched_block(&S, &V[i], now);
		} else if (step % 97 == 0) {
			if (sched_remove_vcpu(&S, &V[i], now) == 0 && V[i].state == SV_REMOVED) {
				/* add it back, as a vCPU hot-plug would */
				ENV_ASSERT(sched_add_vcpu(&S, V[i].vm, &V[i], aff[i], -1, NULL, now) == 0);
			}
		}
		if (!check_invariants(nv)) {
			check_failf(__FILE__, __LINE__, "invariant broken at step %u (op %u)", step, op);
			return;
		}
	}
}

/* The per-VM table: through env_printf (host: stdout), read back. */
TEST(table_prints_each_vm)
{
	char buf[2048] = { 0 };
	FILE *tmp = tmpfile();
	CHECK(tmp);
	setup(1);
	add_vm(0, 256, 0, 0, 1);
	VM[0].p.name = "web";
	VM[0].st.run_ns = 2500 * MS;
	VM[0].st.migrations = 7;
	struct sched_vm *vms[] = { &VM[0] };
	fflush(stdout);
	int saved = dup(1);
	dup2(fileno(tmp), 1);
	sched_print_table(vms, 1, 10000 * MS);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	size_t n = fread(buf, 1, sizeof(buf) - 1, tmp);
	fclose(tmp);
	buf[n] = 0;
	CHECK(strstr(buf, "run_ms") && strstr(buf, "steal_ms") && strstr(buf, "halt_ms"));
	CHECK(strstr(buf, "web"));
	CHECK(strstr(buf, " 2500 "));
	CHECK(strstr(buf, " 25.00 "));
}
