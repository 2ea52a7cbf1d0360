/*
 * vCPU scheduler policy: proportional share by virtual time, per-CPU
 * runqueues (docs/scheduler.md has the full description).
 *
 * Overview
 *  - Every vCPU has a virtual time (vtime): each ns it runs adds
 *    SCHED_WEIGHT_DEFAULT / (its weight) ns, where a vCPU's weight is its VM's
 *    weight divided by the VM's vCPU count. A CPU runs the waiting vCPU of
 *    its runqueue with the smallest vtime, so over time runnable vCPUs
 *    receive service in proportion to their weights (the "credit" of Xen
 *    credit2 is the same quantity with the opposite sign).
 *  - vtime is global: a CPU that finds another CPU's first waiting vCPU more
 *    than migrate_ns of vtime behind its own best pulls it (if the affinity
 *    allows), and an idle CPU steals from the CPU with the most waiting
 *    vCPUs. That keeps the per-CPU queues' service rates together, so the
 *    share is by weight across CPUs, not only within one.
 *  - A capped vCPU's lag beyond migrate_ns below the vCPUs beside it is cut
 *    when its budget runs out (bound_lag): its cap held it back, that lag
 *    is not service owed, and it would make it look far behind to every
 *    queue. A CPU whose queue is ahead takes a capped vCPU waiting for its
 *    refill from a queue whose running vCPU is behind (parked_to_pull).
 *  - Reservation: while a VM has used less than reservation% of the current
 *    10 ms period, its waiting vCPUs come before every vCPU without one
 *    (class 0), and are pulled by other CPUs ahead of vtime order.
 *  - Cap: a VM's vCPUs may only run from a budget of cap% of 10 ms per
 *    period; a slice takes its length out of the budget when it starts (and
 *    gives back what it did not use) and never crosses a period end, so the
 *    VM runs at most budget + overrun in any period. Exhausted vCPUs stay
 *    queued but are skipped until the next period. A budget not used in its
 *    period is lost, so while a capped vCPU waits, other slices there end in
 *    time for it: at the period end if it waits for the refill, early enough
 *    for its budget to fit if it has some (leave_cap_room).
 *  - A woken vCPU's vtime is raised to the lowest vtime of the queue it
 *    joins, capped vCPUs left out, minus wake_bonus_ns (clamped to the
 *    contended queues' floor, or the running queues' if none is), so
 *    a long halt gives no long-term advantage but a vCPU that used less than
 *    its share runs at the next pick; sched_wake says which CPU to kick for
 *    that (an idle one, or one whose running vCPU it beats).
 *
 * Balancing skips a queue whose CPU has a kick in flight (need_resched): it
 * is about to run the vCPU that woke.
 *
 * Locking: one lock per runqueue; a call holds at most two, the lower CPU id
 * first. A vCPU's `cpu` changes only under both the old and the new queue's
 * lock, so holding the lock of the queue it names pins it there. Per-VM
 * budgets and statistics are updated with atomics (no lock); no other lock
 * is taken and nothing outside this file is called under a runqueue lock.
 * Fields read by other CPUs without the lock (nr_waiting, nr_res_waiting,
 * pub_head_vtime, vmin, idle, busy, need_resched) are hints, rechecked under
 * it.
 */
#include "vmm/sched/sched.h"
#include <errno.h>

#define W_SHIFT 10
#define VT_SCALE ((uint64_t)SCHED_WEIGHT_DEFAULT << W_SHIFT)
#define RELAXED __ATOMIC_RELAXED
#define NO_VTIME UINT64_MAX

_Static_assert(sizeof(struct sched_rq) == 64, "one cache line per runqueue");
#define MIN_SLICE_NS 200000ull /* leave_cap_room never cuts a slice below this */

static inline bool vt_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
	__asm__ volatile("pause");
#endif
}

/* ---------------------------------------------------------------- locks */

/* held: the locks this call holds; acquiring lock c with any lock >= c held
 * breaks the lock order (a Ditto bug, hence ENV_ASSERT). */
static void rq_lock(struct sched *s, unsigned cpu, sched_mask_t *held)
{
	int *l = &s->rq[cpu].lock;
	ENV_ASSERT(cpu < s->ncpus && !(*held >> cpu));
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(l, RELAXED))
			cpu_relax();
	*held |= SCHED_CPU_BIT(cpu);
}

static void rq_unlock(struct sched *s, unsigned cpu, sched_mask_t *held)
{
	ENV_ASSERT(*held & SCHED_CPU_BIT(cpu));
	*held &= ~SCHED_CPU_BIT(cpu);
	__atomic_store_n(&s->rq[cpu].lock, 0, __ATOMIC_RELEASE);
}

/* Holding `mine`, also take `other`: directly if it is higher, else drop
 * `mine` and take both in order. Returns false if `mine` was dropped (the
 * caller must recheck what it read under it). */
static bool rq_lock_second(struct sched *s, unsigned mine, unsigned other, sched_mask_t *held)
{
	if (other > mine) {
		rq_lock(s, other, held);
		return true;
	}
	rq_unlock(s, mine, held);
	rq_lock(s, other, held);
	rq_lock(s, mine, held);
	return false;
}

/* Lock the queue v belongs to (v->cpu is stable once it is held). */
static unsigned lock_vcpu_rq(struct sched *s, struct sched_vcpu *v, sched_mask_t *held)
{
	for (;;) {
		unsigned c = __atomic_load_n(&v->cpu, RELAXED);
		rq_lock(s, c, held);
		if (v->cpu == c)
			return c;
		rq_unlock(s, c, held);
	}
}

/* ---------------------------------------------------------------- budgets */

static void cap_refill(struct sched_vm *vm, uint64_t epoch)
{
	uint64_t e = __atomic_load_n(&vm->cap_epoch, RELAXED);
	while (e < epoch) {
		if (!__atomic_compare_exchange_n(&vm->cap_epoch, &e, epoch, false,
						 __ATOMIC_ACQ_REL, RELAXED))
			continue;
		/* One period's budget per elapsed period, never more than one
		 * period's worth banked (debt from overruns is paid first). */
		int64_t b = __atomic_load_n(&vm->cap_budget, RELAXED), nb;
		do {
			nb = b;
			for (uint64_t k = epoch - e; k && nb < vm->cap_per_period; k--)
				nb += vm->cap_per_period;
			if (nb > vm->cap_per_period)
				nb = vm->cap_per_period;
		} while (!__atomic_compare_exchange_n(&vm->cap_budget, &b, nb, false, RELAXED, RELAXED));
		return;
	}
}

static bool cap_ok(struct sched_vm *vm, uint64_t epoch)
{
	if (!vm->p.cap_pct)
		return true;
	cap_refill(vm, epoch);
	return __atomic_load_n(&vm->cap_budget, RELAXED) > 0;
}

/* Take up to want ns from the cap budget; 0 if it is empty. */
static int64_t cap_take(struct sched_vm *vm, int64_t want)
{
	int64_t b = __atomic_load_n(&vm->cap_budget, RELAXED), t;
	do {
		if (b <= 0)
			return 0;
		t = b < want ? b : want;
	} while (!__atomic_compare_exchange_n(&vm->cap_budget, &b, b - t, false, RELAXED, RELAXED));
	return t;
}

static int64_t res_left(struct sched_vm *vm, uint64_t epoch)
{
	if (!vm->p.reservation_pct)
		return 0;
	uint64_t e = __atomic_load_n(&vm->res_epoch, RELAXED);
	if (e < epoch && __atomic_compare_exchange_n(&vm->res_epoch, &e, epoch, false,
						     __ATOMIC_ACQ_REL, RELAXED))
		__atomic_store_n(&vm->res_budget, vm->res_per_period, RELAXED);
	return __atomic_load_n(&vm->res_budget, RELAXED);
}

static void stat_add(uint64_t *vcpu_field, uint64_t *vm_field, uint64_t n)
{
	*vcpu_field += n;
	__atomic_fetch_add(vm_field, n, RELAXED);
}
#define STAT(v, f, n) stat_add(&(v)->st.f, &(v)->vm->st.f, (n))

/* ---------------------------------------------------------------- runqueue */

/*
 * The lowest vtime of the queue's waiting vCPUs (with_curr: and the running
 * one), not counting capped vCPUs unless there are only capped ones: where a
 * woken vCPU joins (wake_floor). A capped vCPU kept behind by its cap sits
 * up to migrate_ns below the others (bound_lag); a sleeper placed below it
 * would run before it at the refill, and the budget lost in that period
 * would not come back.
 */
static uint64_t rq_low(const struct sched_rq *rq, bool with_curr)
{
	uint64_t any = NO_VTIME, unc = NO_VTIME;
	const struct sched_vcpu *w = rq->head;
	if (w)
		any = w->vtime;
	while (w && w->vm->p.cap_pct)
		w = w->next;
	if (w)
		unc = w->vtime;
	const struct sched_vcpu *c = with_curr ? rq->curr : NULL;
	if (c) {
		if (any == NO_VTIME || vt_before(c->vtime, any))
			any = c->vtime;
		if (!c->vm->p.cap_pct && (unc == NO_VTIME || vt_before(c->vtime, unc)))
			unc = c->vtime;
	}
	return unc != NO_VTIME ? unc : any;
}

static void rq_publish(struct sched_rq *rq)
{
	__atomic_store_n(&rq->pub_head_vtime, rq->head ? rq->head->vtime : NO_VTIME, RELAXED);
	__atomic_store_n(&rq->busy, rq->head || rq->curr, RELAXED);
}

static void rq_update_vmin(struct sched_rq *rq)
{
	uint64_t m = rq->head ? rq->head->vtime : NO_VTIME;
	if (rq->curr && (m == NO_VTIME || vt_before(rq->curr->vtime, m)))
		m = rq->curr->vtime;
	if (m != NO_VTIME && vt_before(rq->vmin, m))
		__atomic_store_n(&rq->vmin, m, RELAXED);
	__atomic_store_n(&rq->busy, rq->head || rq->curr, RELAXED);
}

/* Insert in vtime order, walking from the end the vCPU probably belongs at. */
static void rq_insert(struct sched_rq *rq, struct sched_vcpu *v, bool from_tail)
{
	struct sched_vcpu *after = NULL; /* insert after this one (NULL: at head) */
	if (from_tail) {
		after = rq->tail;
		while (after && vt_before(v->vtime, after->vtime))
			after = after->prev;
	} else {
		struct sched_vcpu *before = rq->head;
		while (before && !vt_before(v->vtime, before->vtime))
			before = before->next;
		after = before ? before->prev : rq->tail;
	}
	v->prev = after;
	v->next = after ? after->next : rq->head;
	if (v->next)
		v->next->prev = v;
	else
		rq->tail = v;
	if (after)
		after->next = v;
	else
		rq->head = v;
	rq->nr_waiting++;
	if (v->vm->p.reservation_pct)
		rq->nr_res_waiting++;
	if (v->vm->p.cap_pct) {
		ENV_ASSERT(rq->nr_cap_waiting < UINT16_MAX);
		rq->nr_cap_waiting++;
	}
	v->state = SV_QUEUED;
	rq_publish(rq);
}

static void rq_remove(struct sched_rq *rq, struct sched_vcpu *v)
{
	ENV_ASSERT(v->state == SV_QUEUED && rq->nr_waiting);
	if (v->prev)
		v->prev->next = v->next;
	else
		rq->head = v->next;
	if (v->next)
		v->next->prev = v->prev;
	else
		rq->tail = v->prev;
	v->prev = v->next = NULL;
	rq->nr_waiting--;
	if (v->vm->p.reservation_pct)
		rq->nr_res_waiting--;
	if (v->vm->p.cap_pct)
		rq->nr_cap_waiting--;
	rq_publish(rq);
}

/* The waiting vCPU to run next: the first (lowest vtime) with reservation
 * left, else the first within its cap. *parked: some (anywhere in the queue)
 * were skipped for cap: the slice then ends at the period end, so the refill
 * is used from the period start. allowed_on: only vCPUs whose affinity has
 * this CPU (stealing), or -1. */
static struct sched_vcpu *rq_best(struct sched_rq *rq, uint64_t epoch, int allowed_on,
				  bool *parked)
{
	struct sched_vcpu *first = NULL;
	for (struct sched_vcpu *v = rq->head; v; v = v->next) {
		if (allowed_on >= 0 && !(v->affinity & SCHED_CPU_BIT(allowed_on)))
			continue;
		if (!cap_ok(v->vm, epoch)) {
			if (parked)
				*parked = true;
			if (first && !rq->nr_res_waiting)
				break;
			continue;
		}
		if (res_left(v->vm, epoch) > 0)
			return v;
		if (!first) {
			first = v;
			/* Go on only for a reservation or a parked capped vCPU. */
			if (!rq->nr_res_waiting &&
			    (!parked || *parked || rq->nr_cap_waiting <= (v->vm->p.cap_pct ? 1u : 0u)))
				break;
		}
	}
	return first;
}

static bool is_class0(struct sched_vcpu *v, uint64_t epoch)
{
	return res_left(v->vm, epoch) > 0;
}

/* v goes from its queue (locked, `from`) to `to` (locked). */
static void migrate(struct sched *s, struct sched_vcpu *v, unsigned to)
{
	struct sched_rq *from = &s->rq[v->cpu];
	rq_remove(from, v);
	from->nr_home--;
	__atomic_store_n(&v->cpu, to, RELAXED);
	s->rq[to].nr_home++;
	STAT(v, migrations, 1);
	rq_insert(&s->rq[to], v, false);
}

/* ---------------------------------------------------------------- balance */

/*
 * The lowest floor (vmin) of the contended queues (vCPUs waiting); if none
 * is contended, of the queues where a vCPU runs. NO_VTIME if none. Hints,
 * read without the other queues' locks.
 */
static uint64_t queues_floor(struct sched *s)
{
	uint64_t f = NO_VTIME, b = NO_VTIME;
	for (unsigned c = 0; c < s->ncpus; c++) {
		struct sched_rq *r = &s->rq[c];
		uint64_t m = __atomic_load_n(&r->vmin, RELAXED);
		if (__atomic_load_n(&r->nr_waiting, RELAXED)) {
			if (f == NO_VTIME || vt_before(m, f))
				f = m;
		} else if (__atomic_load_n(&r->busy, RELAXED)) {
			if (b == NO_VTIME || vt_before(m, b))
				b = m;
		}
	}
	return f != NO_VTIME ? f : b;
}

/*
 * rq[o] (locked) runs a vCPU more than migrate_ns behind `best` in vtime
 * (its queue is the slow one) and a capped vCPU out of budget waits there:
 * that one can wait for its refill here as well, leaving the CPU to the vCPU
 * behind. Without this a capped vCPU and a heavy one can share a CPU for
 * seconds: the heavy one waits only while the capped one runs (a few ms at
 * each period start), and only a CPU that picks just then pulls it.
 */
static struct sched_vcpu *parked_to_pull(struct sched *s, unsigned o, unsigned cpu,
					 const struct sched_vcpu *best, uint64_t epoch)
{
	struct sched_rq *r = &s->rq[o];
	if (!r->curr || !r->nr_cap_waiting ||
	    !vt_before(r->curr->vtime + s->p.migrate_ns, best->vtime))
		return NULL;
	for (struct sched_vcpu *v = r->head; v; v = v->next)
		if (v->vm->p.cap_pct && (v->affinity & SCHED_CPU_BIT(cpu)) && !cap_ok(v->vm, epoch))
			return v;
	return NULL;
}

/*
 * With rq[cpu] locked and `best` its choice (maybe NULL), look at the other
 * queues: idle -> steal from the one with most waiting; else pull a vCPU
 * that is far behind in vtime or has reservation left while best has not,
 * or a parked capped vCPU from a slow queue (parked_to_pull).
 * Returns the new choice (already queued on cpu). May drop and retake the
 * local lock; then it reconsiders the local queue first.
 */
static struct sched_vcpu *balance(struct sched *s, unsigned cpu, struct sched_vcpu *best,
				  uint64_t epoch, bool *parked, sched_mask_t *held)
{
	struct sched_rq *rq = &s->rq[cpu];
	sched_mask_t tried = SCHED_CPU_BIT(cpu);
	bool best_c0 = best && is_class0(best, epoch);

	for (unsigned attempt = 0; attempt < 4; attempt++) {
		int pick = -1;
		unsigned most = 0;
		uint64_t low = 0;
		for (unsigned o = 0; o < s->ncpus; o++) {
			if (tried & SCHED_CPU_BIT(o))
				continue;
			struct sched_rq *r = &s->rq[o];
			unsigned n = __atomic_load_n(&r->nr_waiting, RELAXED);
			/* A kicked CPU is about to pick the vCPU that woke (it is
			 * why it was kicked): leave that one to it. */
			if (!n || __atomic_load_n(&r->need_resched, RELAXED))
				continue;
			if (!best) {
				if (n > most) {
					most = n;
					pick = (int)o;
				}
				continue;
			}
			if (!best_c0 && __atomic_load_n(&r->nr_res_waiting, RELAXED)) {
				pick = (int)o; /* reservation before vtime */
				break;
			}
			uint64_t h = __atomic_load_n(&r->pub_head_vtime, RELAXED);
			if (h != NO_VTIME && vt_before(h + s->p.migrate_ns, best->vtime) &&
			    (pick < 0 || vt_before(h, low))) {
				low = h;
				pick = (int)o;
			}
		}
		if (pick < 0)
			return best;
		unsigned o = (unsigned)pick;
		tried |= SCHED_CPU_BIT(o);
		if (!rq_lock_second(s, cpu, o, held)) {
			/* The local queue may have changed meanwhile. */
			bool p2 = false;
			struct sched_vcpu *b = rq_best(rq, epoch, -1, &p2);
			if (b != best) {
				rq_unlock(s, o, held);
				*parked = p2;
				best = b;
				best_c0 = best && is_class0(best, epoch);
				continue;
			}
		}
		struct sched_vcpu *cand = rq_best(&s->rq[o], epoch, (int)cpu, NULL);
		bool take = false;
		if (cand && !best)
			take = true;
		else if (cand && is_class0(cand, epoch))
			take = !best_c0 || vt_before(cand->vtime + s->p.migrate_ns, best->vtime);
		else if (cand && !best_c0)
			take = vt_before(cand->vtime + s->p.migrate_ns, best->vtime);
		if (take) {
			migrate(s, cand, cpu);
			rq_unlock(s, o, held);
			return cand;
		}
		struct sched_vcpu *pv = best && !best_c0 ? parked_to_pull(s, o, cpu, best, epoch) : NULL;
		if (pv) {
			migrate(s, pv, cpu);
			*parked = true; /* it waits here for the refill */
		}
		rq_unlock(s, o, held);
	}
	return best;
}

/* ---------------------------------------------------------------- API */

int sched_init(struct sched *s, unsigned ncpus, const struct sched_params *params)
{
	if (!ncpus || ncpus > SCHED_MAX_CPUS)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->ncpus = ncpus;
	s->p = (struct sched_params){
		.slice_ns = 10000000, .wake_bonus_ns = 10000000,
		.preempt_ns = 1000000, .migrate_ns = 20000000,
	};
	if (params) {
		if (params->slice_ns) s->p.slice_ns = params->slice_ns;
		if (params->wake_bonus_ns) s->p.wake_bonus_ns = params->wake_bonus_ns;
		if (params->preempt_ns) s->p.preempt_ns = params->preempt_ns;
		if (params->migrate_ns) s->p.migrate_ns = params->migrate_ns;
	}
	for (unsigned c = 0; c < ncpus; c++) {
		s->rq[c].cpu = (uint16_t)c;
		s->rq[c].pub_head_vtime = NO_VTIME;
	}
	return 0;
}

int sched_add_vm(struct sched *s, struct sched_vm *vm, const struct sched_vm_params *p, void *owner)
{
	(void)s;
	if (!sched_vm_params_valid(p))
		return -EINVAL;
	memset(vm, 0, sizeof(*vm));
	vm->p = *p;
	vm->owner = owner;
	vm->cap_per_period = (int64_t)(SCHED_PERIOD_NS * p->cap_pct / 100);
	vm->cap_budget = vm->cap_per_period;
	vm->res_per_period = (int64_t)(SCHED_PERIOD_NS * p->reservation_pct / 100);
	vm->res_budget = vm->res_per_period;
	return 0;
}

int sched_add_vcpu(struct sched *s, struct sched_vm *vm, struct sched_vcpu *v,
		   sched_mask_t affinity, int home_cpu, void *owner, uint64_t now_ns)
{
	sched_mask_t host = s->ncpus == 64 ? SCHED_MASK_ALL : SCHED_CPU_BIT(s->ncpus) - 1;
	sched_mask_t held = 0;
	if (!affinity || (affinity & ~host) || vm->nvcpus_added >= vm->p.nvcpus)
		return -EINVAL;
	if (home_cpu >= 0 && (home_cpu >= (int)s->ncpus || !(affinity & SCHED_CPU_BIT(home_cpu))))
		return -EINVAL;
	if (home_cpu < 0) {
		unsigned least = UINT32_MAX;
		for (unsigned c = 0; c < s->ncpus; c++) {
			unsigned n = __atomic_load_n(&s->rq[c].nr_home, RELAXED);
			if ((affinity & SCHED_CPU_BIT(c)) && n < least) {
				least = n;
				home_cpu = (int)c;
			}
		}
	}
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->owner = owner;
	v->affinity = affinity;
	v->wfp = (uint32_t)(((uint64_t)vm->p.weight << W_SHIFT) / vm->p.nvcpus);
	v->cpu = (unsigned)home_cpu;
	v->ran_on = -1;
	v->state = SV_HALTED;
	v->since_ns = now_ns;
	rq_lock(s, v->cpu, &held);
	v->vtime = s->rq[v->cpu].vmin;
	s->rq[v->cpu].nr_home++;
	vm->nvcpus_added++;
	rq_unlock(s, v->cpu, &held);
	return 0;
}

int sched_remove_vcpu(struct sched *s, struct sched_vcpu *v, uint64_t now_ns)
{
	sched_mask_t held = 0;
	unsigned c = lock_vcpu_rq(s, v, &held);
	int rc = 0;
	if (v->state == SV_RUNNING) {
		rc = -EBUSY;
		goto out;
	}
	if (v->state == SV_QUEUED) {
		rq_remove(&s->rq[c], v);
		STAT(v, wait_ns, now_ns - v->since_ns);
	} else if (v->state == SV_HALTED) {
		STAT(v, halt_ns, now_ns - v->since_ns);
	}
	if (v->state != SV_REMOVED) {
		s->rq[c].nr_home--;
		v->vm->nvcpus_added--;
	}
	v->state = SV_REMOVED;
out:
	rq_unlock(s, c, &held);
	return rc;
}

/*
 * A capped vCPU with budget left waits here behind the one being picked: end
 * the slice early enough that the budget still fits before the period ends
 * (left: ns to the period end). A budget not used in its period is lost, so
 * a full slice would make a capped VM whose weight entitles it to its cap
 * miss whole periods whenever it is not first in vtime at the period start.
 * The capped vCPU still runs only when it is first in vtime.
 */
static uint64_t leave_cap_room(struct sched_rq *rq, uint64_t epoch, uint64_t left, uint64_t slice)
{
	int64_t b = 0;
	for (struct sched_vcpu *w = rq->head; w; w = w->next)
		if (w->vm->p.cap_pct && cap_ok(w->vm, epoch))
			b = ENV_MAX(b, __atomic_load_n(&w->vm->cap_budget, RELAXED));
	/* Not below MIN_SLICE_NS: then the slice runs to the period end. */
	if (b > 0 && (uint64_t)b + MIN_SLICE_NS < left)
		slice = ENV_MIN(slice, left - (uint64_t)b);
	return slice;
}

void sched_pick(struct sched *s, unsigned cpu, uint64_t now_ns, struct sched_decision *d)
{
	struct sched_rq *rq = &s->rq[cpu];
	uint64_t epoch = now_ns / SCHED_PERIOD_NS;
	uint64_t period_end = (epoch + 1) * SCHED_PERIOD_NS;
	sched_mask_t held = 0;
	bool parked = false;
	struct sched_vcpu *v;

	rq_lock(s, cpu, &held);
	ENV_ASSERT(!rq->curr);
	v = rq_best(rq, epoch, -1, &parked);
	v = balance(s, cpu, v, epoch, &parked, &held);
	d->vcpu = NULL;
	d->slice_ns = 0;
	d->idle_until_ns = 0;
	d->migrated_from = -1;
	for (unsigned tries = 0; v; tries++) {
		uint64_t slice = s->p.slice_ns;
		bool c0 = is_class0(v, epoch);
		if (c0) {
			uint64_t r = (uint64_t)res_left(v->vm, epoch);
			slice = ENV_MIN(slice, r);
		}
		/* Budgets are per period: a capped or reserved slice ends with
		 * it, and so does any slice while a capped vCPU waits for the
		 * refill or a reserved one (out of budget now) waits here. */
		if (v->vm->p.cap_pct || c0 || parked || rq->nr_res_waiting > (v->vm->p.reservation_pct ? 1u : 0u))
			slice = ENV_MIN(slice, period_end - now_ns);
		if (!v->vm->p.cap_pct && rq->nr_cap_waiting)
			slice = leave_cap_room(rq, epoch, period_end - now_ns, slice);
		if (v->vm->p.cap_pct) {
			v->cap_taken = cap_take(v->vm, (int64_t)slice);
			if (!v->cap_taken) {
				/* Another CPU emptied the budget since rq_best. */
				parked = true;
				v = tries < 8 ? rq_best(rq, epoch, -1, &parked) : NULL;
				continue;
			}
			slice = (uint64_t)v->cap_taken;
		}
		rq_remove(rq, v);
		STAT(v, wait_ns, now_ns - v->since_ns);
		STAT(v, scheduled, 1);
		v->state = SV_RUNNING;
		v->via_res = c0;
		v->res_epoch = epoch;
		v->since_ns = now_ns;
		rq->curr = v;
		d->vcpu = v;
		d->slice_ns = slice;
		if (v->ran_on >= 0 && v->ran_on != (int)cpu)
			d->migrated_from = v->ran_on;
		v->ran_on = (int)cpu;
		break;
	}
	rq_update_vmin(rq);
	__atomic_store_n(&rq->idle, !v, RELAXED);
	__atomic_store_n(&rq->need_resched, false, RELAXED);
	if (!v && parked)
		d->idle_until_ns = period_end;
	rq_unlock(s, cpu, &held);
}

/*
 * Bounded lag for a capped vCPU out of budget (end of its slice, rq[cpu]
 * locked; only raises vtime). Its cap, not competition, held it back, so
 * its lag is not service owed; left alone it grows without bound, drags its
 * queue's floor down and makes it look far behind to every other CPU
 * (without this, migrations in the 4-CPU mix of docs/benchmarks-sched.md
 * went up to 234 a second). It is raised to migrate_ns below the
 * lowest vCPU waiting beside it: it still comes first at the refill while
 * its weight entitles it to its cap.
 */
static void bound_lag(struct sched *s, unsigned cpu, struct sched_vcpu *v)
{
	struct sched_rq *rq = &s->rq[cpu];
	if (!rq->head || !v->vm->p.cap_pct || __atomic_load_n(&v->vm->cap_budget, RELAXED) > 0)
		return;
	uint64_t ref = rq->head->vtime - s->p.migrate_ns;
	if (vt_before(v->vtime, ref))
		v->vtime = ref;
}

void sched_account(struct sched *s, unsigned cpu, struct sched_vcpu *v, uint64_t ran_ns, uint64_t now_ns)
{
	struct sched_rq *rq = &s->rq[cpu];
	sched_mask_t held = 0;
	rq_lock(s, cpu, &held);
	ENV_ASSERT(rq->curr == v && v->state == SV_RUNNING && v->cpu == cpu);
	if (ran_ns > (1ull << 40))
		ran_ns = 1ull << 40; /* keeps the vtime product in range */
	v->vtime += ran_ns * VT_SCALE / v->wfp;
	STAT(v, run_ns, ran_ns);
	if (v->vm->p.cap_pct) {
		/* Give back what the slice did not use, or charge an overrun. */
		int64_t back = v->cap_taken - (int64_t)ran_ns;
		int64_t b = __atomic_load_n(&v->vm->cap_budget, RELAXED), nb;
		do {
			nb = b + back;
			if (nb > v->vm->cap_per_period)
				nb = v->vm->cap_per_period;
		} while (!__atomic_compare_exchange_n(&v->vm->cap_budget, &b, nb, false, RELAXED, RELAXED));
		v->cap_taken = 0;
	}
	if (v->vm->p.reservation_pct &&
	    __atomic_load_n(&v->vm->res_epoch, RELAXED) == v->res_epoch)
		__atomic_fetch_sub(&v->vm->res_budget, (int64_t)ran_ns, RELAXED);
	bound_lag(s, cpu, v);
	rq->curr = NULL;
	v->since_ns = now_ns;
	if (v->block_pending) {
		v->block_pending = false;
		v->state = SV_HALTED;
	} else {
		rq_insert(rq, v, true);
	}
	rq_update_vmin(rq);
	rq_unlock(s, cpu, &held);
}

void sched_block(struct sched *s, struct sched_vcpu *v, uint64_t now_ns)
{
	sched_mask_t held = 0;
	unsigned c = lock_vcpu_rq(s, v, &held);
	if (v->state == SV_RUNNING) {
		v->block_pending = true;
	} else if (v->state == SV_QUEUED) {
		rq_remove(&s->rq[c], v);
		STAT(v, wait_ns, now_ns - v->since_ns);
		v->state = SV_HALTED;
		v->since_ns = now_ns;
	}
	rq_unlock(s, c, &held);
}

/*
 * The vtime below which a woken vCPU is raised (minus the bonus): the lowest
 * vtime of the queue it joins, but never more than migrate_ns below the lowest
 * floor of the contended queues (those with vCPUs waiting), or if none is
 * contended, of the queues running a vCPU. The first puts it among the vCPUs
 * it will compete with; the second covers a queue whose floor is stale
 * (idle) or slow (one heavy vCPU alone), and keeps the woken vCPU from
 * looking far enough behind to be pulled around. Contended queues differ by
 * up to migrate_ns (the pull threshold), hence the slack. Without the
 * running queues, VMs started while one vCPU ran alone for a while (so with
 * no queue contended) all began far below it, and it then waited up to
 * seconds wherever it shared a queue.
 */
static uint64_t wake_floor(struct sched *s, unsigned target, uint64_t *level)
{
	struct sched_rq *rq = &s->rq[target];
	uint64_t f = NO_VTIME, t = rq->vmin;
	/* The queue's actual lowest vtime if it has vCPUs (vmin only rises;
	 * a vCPU pulled in may be below it). */
	if (rq->head || rq->curr)
		t = rq_low(rq, true);
	f = queues_floor(s);
	*level = f;
	if (f == NO_VTIME)
		return t;
	f -= s->p.migrate_ns;
	return vt_before(f, t) ? t : f;
}

/* Where v should wait: its last CPU if idle, else an idle CPU it may use,
 * else its last CPU. */
static unsigned wake_target(struct sched *s, struct sched_vcpu *v)
{
	unsigned last = v->cpu;
	if (__atomic_load_n(&s->rq[last].idle, RELAXED))
		return last;
	for (unsigned i = 1; i < s->ncpus; i++) {
		unsigned c = (last + i) % s->ncpus;
		if ((v->affinity & SCHED_CPU_BIT(c)) && __atomic_load_n(&s->rq[c].idle, RELAXED))
			return c;
	}
	return last;
}

int sched_wake(struct sched *s, struct sched_vcpu *v, uint64_t now_ns)
{
	sched_mask_t held = 0;
	uint64_t epoch = now_ns / SCHED_PERIOD_NS;
	unsigned last, target;
	int kick = -1;
	for (;;) {
		last = lock_vcpu_rq(s, v, &held);
		if (v->state != SV_HALTED) {
			v->block_pending = false; /* woken before its HLT took effect */
			rq_unlock(s, last, &held);
			return -1;
		}
		target = wake_target(s, v);
		if (target == last || rq_lock_second(s, last, target, &held))
			break;
		if (v->state == SV_HALTED && v->cpu == last)
			break;
		rq_unlock(s, target, &held);
		rq_unlock(s, last, &held);
	}
	struct sched_rq *rq = &s->rq[target];
	STAT(v, halt_ns, now_ns - v->since_ns);
	STAT(v, wakeups, 1);
	if (target != last) {
		s->rq[last].nr_home--;
		rq->nr_home++;
		__atomic_store_n(&v->cpu, target, RELAXED);
		STAT(v, migrations, 1);
	}
	uint64_t level, floor = wake_floor(s, target, &level) - s->p.wake_bonus_ns;
	if (vt_before(v->vtime, floor))
		v->vtime = floor; /* it used less than its share: a sleeper */
	v->since_ns = now_ns;
	rq_insert(rq, v, false);
	if (rq->idle) {
		/* An idle queue's floor is as old as its last pick, and it is
		 * contended now until its CPU picks: bring it to the level of
		 * the queues it joins (queues_floor), or a vCPU woken next
		 * would start that far behind. vmm_start_vm wakes the held VMs
		 * of the Bochs test one after the other while the probe ran
		 * alone for 1.5 s: a VM that joined an idle CPU's queue just
		 * claimed began far behind (0.9 s of vtime still after 1 s),
		 * ran alone and got 65% of a CPU instead of 57% over 6 s. */
		if (level != NO_VTIME && vt_before(rq->vmin, level))
			__atomic_store_n(&rq->vmin, level, RELAXED);
		__atomic_store_n(&rq->idle, false, RELAXED); /* claimed: the next wake looks elsewhere */
		kick = (int)target;
	} else if (rq->curr && !rq->curr->via_res) {
		struct sched_vcpu *c = rq->curr;
		uint64_t cur_vt = c->vtime + (now_ns - c->since_ns) * VT_SCALE / c->wfp;
		/* Preempt only what the next pick would replace by v: a vCPU
		 * without reservation left, or preempt_ns ahead in vtime (a
		 * woken sleeper sits wake_bonus_ns below the queue's lowest). */
		if ((is_class0(v, epoch) && !is_class0(c, epoch)) ||
		    vt_before(v->vtime + s->p.preempt_ns, cur_vt))
			kick = (int)target;
	}
	if (kick >= 0)
		__atomic_store_n(&rq->need_resched, true, RELAXED);
	if (target != last)
		rq_unlock(s, last, &held);
	rq_unlock(s, target, &held);
	return kick;
}

bool sched_need_resched(struct sched *s, unsigned cpu)
{
	return __atomic_load_n(&s->rq[cpu].need_resched, RELAXED);
}

void sched_vcpu_stats(const struct sched_vcpu *v, uint64_t now_ns, struct sched_stats *out)
{
	*out = v->st;
	if (v->state == SV_HALTED)
		out->halt_ns += now_ns - v->since_ns;
	else if (v->state == SV_QUEUED)
		out->wait_ns += now_ns - v->since_ns;
	else if (v->state == SV_RUNNING)
		out->run_ns += now_ns - v->since_ns; /* the slice so far */
}
