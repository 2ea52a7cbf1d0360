/*
 * Discrete-event model of the monitor's scheduling loop (simcore.h).
 *
 * Events: a CPU's run or idle timer ends (EV_CPU), a kick (IPI) reaches a
 * CPU (EV_KICK), a halted vCPU gets an interrupt (EV_WAKE). The model calls
 * the policy exactly as the monitor is to: sched_pick on a free CPU, run for
 * the slice (or until the burst ends: sched_block + sched_account, as on
 * HLT), sched_account at the end of a slice or on a kick, sched_wake on an
 * interrupt and a kick to the CPU it returns, after kick_ns.
 * Stale events are skipped by generation number (a kick moves the CPU on).
 */
#include <stdlib.h>
#include "tools/schedsim/simcore.h"

enum { EV_CPU, EV_KICK, EV_WAKE };

static uint64_t rnd(struct sim *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

static void heap_push(struct sim *m, uint64_t t, unsigned type, unsigned idx, uint64_t gen)
{
	if (m->nheap == m->capheap) {
		m->capheap = m->capheap ? m->capheap * 2 : 256;
		m->heap = realloc(m->heap, m->capheap * sizeof(*m->heap));
		ENV_ASSERT(m->heap);
	}
	size_t i = m->nheap++;
	while (i) {
		size_t p = (i - 1) / 2;
		if (m->heap[p].t <= t)
			break;
		m->heap[i] = m->heap[p];
		i = p;
	}
	m->heap[i] = (struct sim_event){ .t = t, .gen = gen, .type = type, .idx = idx };
}

static struct sim_event heap_pop(struct sim *m)
{
	struct sim_event top = m->heap[0], last = m->heap[--m->nheap];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= m->nheap)
			break;
		if (c + 1 < m->nheap && m->heap[c + 1].t < m->heap[c].t)
			c++;
		if (last.t <= m->heap[c].t)
			break;
		m->heap[i] = m->heap[c];
		i = c;
	}
	if (m->nheap)
		m->heap[i] = last;
	return top;
}

static uint64_t think(struct sim *m, struct sim_vcpu *v)
{
	if (v->kind == SIM_IDLE)
		return v->think_ns;
	return v->think_ns / 2 + rnd(m) % (v->think_ns + 1);
}

static void add_usage(struct sim *m, unsigned vm, uint64_t a, uint64_t b)
{
	if (!m->bucket_ns)
		return;
	while (a < b) {
		size_t k = a / m->bucket_ns;
		uint64_t end = ENV_MIN(b, (k + 1) * m->bucket_ns);
		if (k < m->nbuckets)
			m->usage[vm][k] += end - a;
		a = end;
	}
}

/* The current run on c ends at t (slice end, burst end, or a kick). */
static void cpu_stop(struct sim *m, unsigned c, uint64_t t)
{
	struct sim_cpu *cp = &m->cpu[c];
	struct sim_vcpu *v = cp->cur;
	uint64_t ran = t - cp->start;
	add_usage(m, v->vm, cp->start, t);
	cp->busy_ns += ran;
	cp->cur = NULL;
	if (v->kind != SIM_CPU) {
		v->left_ns -= ENV_MIN(ran, v->left_ns);
		if (!v->left_ns) {
			/* HLT: block first, then the slice is accounted. */
			sched_block(m->s, &v->sv, t);
			sched_account(m->s, c, &v->sv, ran, t);
			v->halted = true;
			heap_push(m, t + think(m, v), EV_WAKE, v->idx, 0);
			return;
		}
	}
	sched_account(m->s, c, &v->sv, ran, t);
	v->ready_at = t;
}

static void push_sample(uint64_t **a, size_t *n, size_t *cap, uint64_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 4096;
		*a = realloc(*a, *cap * sizeof(**a));
		ENV_ASSERT(*a);
	}
	(*a)[(*n)++] = x;
}

static void kick(struct sim *m, int c, uint64_t t);

/* vmm/run.c's kick_idle_thief: vCPUs still wait here after the pick, so
 * kick the first idle CPU after this one (its next pick steals). */
static void kick_idle_thief(struct sim *m, unsigned c, uint64_t t)
{
	if (!__atomic_load_n(&m->s->rq[c].nr_waiting, __ATOMIC_RELAXED))
		return;
	for (unsigned i = 1; i < m->ncpus; i++) {
		unsigned o = (c + i) % m->ncpus;
		if (__atomic_load_n(&m->s->rq[o].idle, __ATOMIC_RELAXED)) {
			kick(m, (int)o, t);
			return;
		}
	}
}

static void cpu_pick(struct sim *m, unsigned c, uint64_t t)
{
	struct sim_cpu *cp = &m->cpu[c];
	struct sched_decision d;
	uint64_t h0 = m->time_picks ? env_now_ns() : 0;
	sched_pick(m->s, c, t, &d);
	if (m->time_picks)
		m->pick_host_ns += env_now_ns() - h0;
	m->picks++;
	cp->gen++;
	if (!d.vcpu) {
		m->idle_picks++;
		if (m->tick_ns)
			heap_push(m, (t / m->tick_ns + 1) * m->tick_ns, EV_CPU, c, cp->gen);
		else if (d.idle_until_ns)
			heap_push(m, d.idle_until_ns, EV_CPU, c, cp->gen);
		return;
	}
	struct sim_vcpu *v = d.vcpu->owner;
	if (m->thief_kick)
		kick_idle_thief(m, c, t);
	if (!(v->sv.affinity & SCHED_CPU_BIT(c)))
		m->pin_violations++;
	ENV_ASSERT(d.slice_ns > 0);
	if (v->woke_at) {
		push_sample(&m->lat_ns, &m->nlat, &m->caplat, t - v->woke_at);
		if (v->kind == SIM_IDLE)
			push_sample(&m->lat_idle_ns, &m->nlat_idle, &m->caplat_idle, t - v->woke_at);
		v->lat_sum_ns += t - v->woke_at;
		v->nlat++;
		if (t - v->woke_at > v->lat_max_ns)
			v->lat_max_ns = t - v->woke_at;
		v->woke_at = 0;
	}
	if (t - v->ready_at > v->max_wait_ns)
		v->max_wait_ns = t - v->ready_at;
	v->runs++;
	if (cp->last != v)
		m->switches++;
	cp->last = v;
	cp->cur = v;
	cp->start = t;
	uint64_t len = d.slice_ns;
	if (m->deadline_ns && v->kind == SIM_CPU)
		len = ENV_MIN(len, 1 + rnd(m) % (2 * m->deadline_ns));
	if (m->overrun_ns)
		len += rnd(m) % (m->overrun_ns + 1);
	if (v->kind != SIM_CPU)
		len = ENV_MIN(len, v->left_ns);
	heap_push(m, t + len, EV_CPU, c, cp->gen);
}

static void kick(struct sim *m, int c, uint64_t t)
{
	if (c < 0 || m->cpu[c].kick_pending)
		return;
	m->cpu[c].kick_pending = true;
	heap_push(m, t + m->kick_ns, EV_KICK, (unsigned)c, 0);
}

static void wake(struct sim *m, struct sim_vcpu *v, uint64_t t)
{
	v->halted = false;
	v->left_ns = v->burst_ns;
	v->woke_at = t;
	v->ready_at = t;
	kick(m, sched_wake(m->s, &v->sv, t), t);
}

int sim_init(struct sim *m, unsigned ncpus, const struct sched_params *sp,
	     struct sim_vm_cfg *vms, unsigned nvms, uint64_t duration_ns,
	     uint64_t bucket_ns, uint64_t seed)
{
	memset(m, 0, sizeof(*m));
	m->s = env_zalloc(sizeof(*m->s));
	if (!m->s || sched_init(m->s, ncpus, sp))
		return -1;
	m->ncpus = ncpus;
	m->nvms = nvms;
	m->cfg = vms;
	m->end_ns = duration_ns;
	m->kick_ns = 2000; /* IPI + VM exit, order of magnitude */
	m->rng = seed ? seed : 88172645463325252ull;
	for (unsigned i = 0; i < nvms; i++)
		m->nvcpus += vms[i].nvcpus;
	m->vms = env_zalloc(nvms * sizeof(*m->vms));
	m->vcpus = env_zalloc(m->nvcpus * sizeof(*m->vcpus));
	if (!m->vms || !m->vcpus)
		return -1;
	if (bucket_ns) {
		m->bucket_ns = bucket_ns;
		m->nbuckets = duration_ns / bucket_ns + 1;
		m->usage = env_zalloc(nvms * sizeof(*m->usage));
		for (unsigned i = 0; i < nvms; i++)
			m->usage[i] = env_zalloc(m->nbuckets * sizeof(uint64_t));
	}
	unsigned k = 0;
	for (unsigned i = 0; i < nvms; i++) {
		struct sched_vm_params p = {
			.weight = vms[i].weight, .cap_pct = vms[i].cap_pct,
			.reservation_pct = vms[i].res_pct, .nvcpus = vms[i].nvcpus,
			.name = vms[i].name,
		};
		if (sched_add_vm(m->s, &m->vms[i], &p, &vms[i]))
			return -1;
		for (unsigned j = 0; j < vms[i].nvcpus; j++, k++) {
			struct sim_vcpu *v = &m->vcpus[k];
			sched_mask_t a = vms[i].affinity ? vms[i].affinity :
				(ncpus == 64 ? SCHED_MASK_ALL : SCHED_CPU_BIT(ncpus) - 1);
			v->vm = i;
			v->idx = k;
			v->kind = vms[i].kind;
			v->burst_ns = vms[i].burst_ns;
			v->think_ns = vms[i].think_ns;
			if (sched_add_vcpu(m->s, &m->vms[i], &v->sv, a, vms[i].home_cpu, v, 0))
				return -1;
			v->halted = true;
			/* Started late (sN): at start_ns, 1 us apart in vCPU
			 * order, as vmm_start_vm wakes held VMs one after the
			 * other from one CPU (idle ones too: they are runnable
			 * until their first HLT). */
			uint64_t first = vms[i].start_ns ? vms[i].start_ns + k * 1000 :
				vms[i].kind == SIM_CPU ? 0 : rnd(m) % (vms[i].think_ns + 1);
			heap_push(m, first, EV_WAKE, k, 0);
		}
	}
	for (unsigned c = 0; c < ncpus; c++)
		heap_push(m, 0, EV_KICK, c, 0);
	return 0;
}

void sim_run(struct sim *m)
{
	while (m->nheap && m->heap[0].t <= m->end_ns) {
		struct sim_event e = heap_pop(m);
		m->now = e.t;
		if (e.type == EV_WAKE) {
			wake(m, &m->vcpus[e.idx], e.t);
			continue;
		}
		struct sim_cpu *cp = &m->cpu[e.idx];
		if (e.type == EV_KICK) {
			cp->kick_pending = false;
			m->kicks++;
			if (cp->cur && !sched_need_resched(m->s, e.idx)) {
				m->stale_kicks++; /* an exit, then the same vCPU resumes */
				continue;
			}
		} else if (e.gen != cp->gen) {
			continue; /* superseded by a kick */
		}
		if (cp->cur) {
			cpu_stop(m, e.idx, e.t);
			if (m->gap_ns) {
				/* The monitor's own work before the next pick. */
				cp->gen++;
				heap_push(m, e.t + m->gap_ns, EV_CPU, e.idx, cp->gen);
				continue;
			}
		}
		cpu_pick(m, e.idx, e.t);
	}
	/* Close the runs in progress at the end time (statistics only). */
	for (unsigned c = 0; c < m->ncpus; c++) {
		struct sim_cpu *cp = &m->cpu[c];
		if (cp->cur) {
			add_usage(m, cp->cur->vm, cp->start, m->end_ns);
			cp->busy_ns += m->end_ns - cp->start;
			sched_account(m->s, c, &cp->cur->sv, m->end_ns - cp->start, m->end_ns);
			cp->cur = NULL;
		}
	}
	m->now = m->end_ns;
}

void sim_free(struct sim *m)
{
	if (m->usage)
		for (unsigned i = 0; i < m->nvms; i++)
			env_free(m->usage[i]);
	env_free(m->usage);
	free(m->heap);
	free(m->lat_ns);
	free(m->lat_idle_ns);
	env_free(m->vcpus);
	env_free(m->vms);
	env_free(m->s);
	m->s = NULL;
}

void sim_ideal(const struct sim *m, double *out)
{
	double cap = (double)m->ncpus * (double)m->end_ns;
	bool *fixed = calloc(m->nvms, sizeof(bool));
	ENV_ASSERT(fixed);
	for (unsigned i = 0; i < m->nvms; i++) {
		out[i] = 0;
		if (m->cfg[i].kind != SIM_CPU) {
			cap -= (double)m->vms[i].st.run_ns;
			fixed[i] = true;
		}
	}
	for (;;) {
		double wsum = 0;
		for (unsigned i = 0; i < m->nvms; i++)
			if (!fixed[i])
				wsum += m->cfg[i].weight;
		if (wsum == 0)
			break;
		bool changed = false;
		for (unsigned i = 0; i < m->nvms; i++) {
			if (fixed[i])
				continue;
			double lim = (double)m->cfg[i].nvcpus * 100.0;
			if (m->cfg[i].cap_pct && m->cfg[i].cap_pct < lim)
				lim = m->cfg[i].cap_pct;
			lim = lim / 100.0 * (double)m->end_ns;
			out[i] = cap * m->cfg[i].weight / wsum;
			if (out[i] > lim) {
				out[i] = lim;
				fixed[i] = true;
				cap -= lim;
				changed = true;
			}
		}
		if (!changed)
			break;
	}
	free(fixed);
}

double sim_fairness_error(const struct sim *m)
{
	double *ideal = calloc(m->nvms, sizeof(double)), worst = 0;
	ENV_ASSERT(ideal);
	sim_ideal(m, ideal);
	for (unsigned i = 0; i < m->nvms; i++) {
		if (m->cfg[i].kind != SIM_CPU || ideal[i] <= 0)
			continue;
		double e = ((double)m->vms[i].st.run_ns - ideal[i]) / ideal[i];
		if (e < 0)
			e = -e;
		if (e > worst)
			worst = e;
	}
	free(ideal);
	return worst;
}

uint64_t sim_max_window(const struct sim *m, unsigned vm, uint64_t window_ns)
{
	size_t w = window_ns / m->bucket_ns, n = m->end_ns / m->bucket_ns;
	uint64_t sum = 0, best = 0;
	for (size_t k = 0; k < n; k++) {
		sum += m->usage[vm][k];
		if (k >= w)
			sum -= m->usage[vm][k - w];
		if (k + 1 >= w && sum > best)
			best = sum;
	}
	return best;
}

uint64_t sim_window_run(const struct sim *m, unsigned vm, uint64_t from_ns, uint64_t to_ns)
{
	uint64_t sum = 0;
	for (size_t k = from_ns / m->bucket_ns; k < to_ns / m->bucket_ns && k < m->nbuckets; k++)
		sum += m->usage[vm][k];
	return sum;
}

void sim_fair_ppm(const struct sim *m, uint64_t from_ns, uint64_t to_ns, uint64_t *out)
{
	unsigned *w = calloc(m->nvms, sizeof(*w));
	uint64_t *demand = calloc(m->nvms, sizeof(*demand)), *fill = calloc(m->nvms, sizeof(*fill));
	uint64_t len = to_ns - from_ns, capacity = (uint64_t)m->ncpus * 1000000;
	ENV_ASSERT(w && demand && fill && len && m->nvms <= 64);
	for (unsigned i = 0; i < m->nvms; i++) {
		const struct sim_vm_cfg *c = &m->cfg[i];
		if (c->kind != SIM_CPU) {
			out[i] = sim_window_run(m, i, from_ns, to_ns) * 1000000 / len;
			capacity -= ENV_MIN(capacity, out[i]);
			continue;
		}
		uint64_t lim = 100ull * c->nvcpus;
		if (c->cap_pct && c->cap_pct < lim)
			lim = c->cap_pct;
		w[i] = c->weight;
		demand[i] = lim * 10000;
	}
	sched_water_fill(m->nvms, w, demand, capacity, fill);
	for (unsigned i = 0; i < m->nvms; i++)
		if (m->cfg[i].kind == SIM_CPU)
			out[i] = fill[i];
	free(w);
	free(demand);
	free(fill);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

uint64_t sim_percentile(struct sim *m, unsigned pct, bool idle_only)
{
	uint64_t *a = idle_only ? m->lat_idle_ns : m->lat_ns;
	size_t n = idle_only ? m->nlat_idle : m->nlat;
	if (!n)
		return 0;
	qsort(a, n, sizeof(*a), cmp_u64);
	return a[(n - 1) * pct / 100];
}
