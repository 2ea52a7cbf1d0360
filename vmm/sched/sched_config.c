/*
 * Scheduler configuration checks (for the manifest) and the per-VM
 * accounting table. Messages carry no prefix: the manifest adds its own
 * "line N: vm 'x':" in front. The exact strings are part of the interface
 * (tests/host/sched_config.c checks them; docs/scheduler.md lists them).
 */
#include "vmm/sched/sched.h"

/* A message being built: no snprintf in core code. */
struct msg {
	char b[128];
	size_t n;
};

static void m_str(struct msg *m, const char *s)
{
	while (*s && m->n + 1 < sizeof(m->b))
		m->b[m->n++] = *s++;
	m->b[m->n] = 0;
}

static void m_uint(struct msg *m, uint64_t v)
{
	char t[24];
	int i = 0;
	do {
		t[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i && m->n + 1 < sizeof(m->b))
		m->b[m->n++] = t[--i];
	m->b[m->n] = 0;
}

/* "2 vCPUs", "1 vCPU" */
static void m_count(struct msg *m, uint64_t n, const char *what)
{
	m_uint(m, n);
	m_str(m, " ");
	m_str(m, what);
	if (n != 1)
		m_str(m, "s");
}

/* "<what>N% is above what K vCPUs can use (M%)" */
static void m_over_vcpus(struct msg *m, const char *what, uint64_t pct, uint64_t nvcpus, uint64_t most)
{
	m_str(m, what);
	m_uint(m, pct);
	m_str(m, "% is above what ");
	m_count(m, nvcpus, "vCPU");
	m_str(m, " can use (");
	m_uint(m, most);
	m_str(m, "%)");
}

static unsigned popcount64(sched_mask_t x)
{
	unsigned n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

/* Reports one VM's errors; returns how many. */
static int check_vm(unsigned ncpus, const struct sched_vm_config *c, int idx,
		    sched_report_fn report, void *ctx)
{
	struct msg m;
	int errs = 0;
	sched_mask_t host = ncpus >= 64 ? SCHED_MASK_ALL : SCHED_CPU_BIT(ncpus) - 1;
	sched_mask_t usable = 0;
#define REPORT() (report(ctx, idx, m.b), errs++, m.n = 0, m.b[0] = 0)
	m.n = 0;
	m.b[0] = 0;
	if (!c->weight || c->weight > SCHED_WEIGHT_MAX) {
		m_str(&m, "weight ");
		m_uint(&m, c->weight);
		m_str(&m, " is outside 1..");
		m_uint(&m, SCHED_WEIGHT_MAX);
		REPORT();
	}
	if (!c->nvcpus || c->nvcpus > SCHED_MAX_VM_VCPUS) {
		m_count(&m, c->nvcpus, "vCPU");
		m_str(&m, ": the scheduler takes 1..");
		m_uint(&m, SCHED_MAX_VM_VCPUS);
		m_str(&m, " per VM");
		REPORT();
		return errs; /* the rest depends on the vCPU count */
	}
	uint64_t most = 100ull * c->nvcpus;
	if (c->cap_pct > most) {
		m_over_vcpus(&m, "cap ", c->cap_pct, c->nvcpus, most);
		REPORT();
	}
	if (c->reservation_pct > most) {
		m_over_vcpus(&m, "reservation ", c->reservation_pct, c->nvcpus, most);
		REPORT();
	}
	if (c->cap_pct && c->cap_pct < c->reservation_pct) {
		m_str(&m, "cap ");
		m_uint(&m, c->cap_pct);
		m_str(&m, "% is below the reservation ");
		m_uint(&m, c->reservation_pct);
		m_str(&m, "%");
		REPORT();
	}
	bool pin_err = false;
	for (unsigned i = 0; i < c->nvcpus; i++) {
		sched_mask_t a = c->affinity ? c->affinity[i] : c->vm_affinity ? c->vm_affinity : host;
		if (!a) {
			m_str(&m, "vCPU ");
			m_uint(&m, i);
			m_str(&m, " has an empty affinity (no CPU to run on)");
			REPORT();
			pin_err = true;
			continue;
		}
		if (a & ~host) {
			unsigned bad = (unsigned)__builtin_ctzll(a & ~host);
			m_str(&m, "vCPU ");
			m_uint(&m, i);
			m_str(&m, " is pinned to CPU ");
			m_uint(&m, bad);
			m_str(&m, ", but the host has ");
			m_count(&m, ncpus, "CPU");
			m_str(&m, " (0..");
			m_uint(&m, ncpus ? ncpus - 1 : 0);
			m_str(&m, ")");
			REPORT();
			pin_err = true;
		}
		usable |= a & host;
	}
	/* A reservation the affinity cannot meet: each CPU gives at most 100%,
	 * each vCPU at most 100%. */
	unsigned reach = ENV_MIN(popcount64(usable), c->nvcpus);
	if (!pin_err && c->reservation_pct > 100ull * reach && c->reservation_pct <= most) {
		m_str(&m, "reservation ");
		m_uint(&m, c->reservation_pct);
		m_str(&m, "% needs more than the ");
		m_count(&m, popcount64(usable), "CPU");
		m_str(&m, " its vCPUs are pinned to");
		REPORT();
	}
#undef REPORT
	return errs;
}

int sched_check_config(unsigned ncpus, const struct sched_vm_config *vms, size_t nvms,
		       sched_report_fn report, void *ctx)
{
	struct msg m = { .n = 0 };
	int errs = 0;
	uint64_t total = 0;
	m.b[0] = 0;
	if (!ncpus || ncpus > SCHED_MAX_CPUS) {
		m_str(&m, "the host has ");
		m_count(&m, ncpus, "CPU");
		m_str(&m, ": the scheduler takes 1..");
		m_uint(&m, SCHED_MAX_CPUS);
		report(ctx, -1, m.b);
		return 1;
	}
	for (size_t i = 0; i < nvms; i++) {
		errs += check_vm(ncpus, &vms[i], (int)i, report, ctx);
		total += vms[i].reservation_pct;
	}
	if (total > 100ull * ncpus) {
		m_str(&m, "reservations total ");
		m_uint(&m, total);
		m_str(&m, "%, above the host's ");
		m_uint(&m, 100ull * ncpus);
		m_str(&m, "% (");
		m_count(&m, ncpus, "CPU");
		m_str(&m, ")");
		report(ctx, -1, m.b);
		errs++;
	}
	return errs;
}

static void count_report(void *ctx, int vm, const char *msg)
{
	(void)vm;
	(void)msg;
	++*(int *)ctx;
}

bool sched_vm_params_valid(const struct sched_vm_params *p)
{
	struct sched_vm_config c = {
		.weight = p->weight, .cap_pct = p->cap_pct,
		.reservation_pct = p->reservation_pct, .nvcpus = p->nvcpus,
	};
	int n = 0;
	check_vm(SCHED_MAX_CPUS, &c, 0, count_report, &n);
	return n == 0;
}

/* x / d as "12.34" (two decimals, rounded), fixed point. */
static void pct2(uint64_t x, uint64_t d, unsigned *whole, unsigned *frac)
{
	uint64_t h = d ? (x * 10000 + d / 2) / d : 0; /* hundredths of a percent */
	*whole = (unsigned)(h / 100);
	*frac = (unsigned)(h % 100);
}

void sched_print_table(struct sched_vm *const *vms, size_t nvms, uint64_t elapsed_ns)
{
	env_printf("%-16s %6s %4s %4s %3s %10s %7s %10s %10s %8s %9s\n", "vm", "weight", "cap",
		   "res", "vcp", "run_ms", "cpu%", "steal_ms", "halt_ms", "migr", "sched");
	for (size_t i = 0; i < nvms; i++) {
		const struct sched_vm *vm = vms[i];
		struct sched_stats st;
		unsigned w, f;
		st.run_ns = __atomic_load_n(&vm->st.run_ns, __ATOMIC_RELAXED);
		st.wait_ns = __atomic_load_n(&vm->st.wait_ns, __ATOMIC_RELAXED);
		st.halt_ns = __atomic_load_n(&vm->st.halt_ns, __ATOMIC_RELAXED);
		st.migrations = __atomic_load_n(&vm->st.migrations, __ATOMIC_RELAXED);
		st.scheduled = __atomic_load_n(&vm->st.scheduled, __ATOMIC_RELAXED);
		/* Share of one CPU; elapsed is far below 2^64 / 10^4 ns. */
		pct2(st.run_ns, elapsed_ns, &w, &f);
		env_printf("%-16s %6u %4u %4u %3u %10llu %4u.%02u %10llu %10llu %8llu %9llu\n",
			   vm->p.name ? vm->p.name : "?", vm->p.weight, vm->p.cap_pct,
			   vm->p.reservation_pct, vm->p.nvcpus,
			   (unsigned long long)(st.run_ns / 1000000), w, f,
			   (unsigned long long)(st.wait_ns / 1000000),
			   (unsigned long long)(st.halt_ns / 1000000),
			   (unsigned long long)st.migrations, (unsigned long long)st.scheduled);
	}
}

void sched_water_fill(size_t n, const unsigned *weight, const uint64_t *demand, uint64_t capacity,
		      uint64_t *out)
{
	bool done[64] = { false };
	ENV_ASSERT(n <= 64);
	for (size_t i = 0; i < n; i++) {
		out[i] = 0;
		done[i] = !weight[i] || !demand[i];
	}
	uint64_t left = capacity;
	for (;;) {
		uint64_t wsum = 0;
		for (size_t i = 0; i < n; i++)
			if (!done[i])
				wsum += weight[i];
		if (!wsum)
			return;
		/* Everyone whose demand is below its fair part gets its demand;
		 * repeat with what is left until nobody is below. */
		bool settled = false;
		for (size_t i = 0; i < n; i++) {
			if (done[i])
				continue;
			uint64_t fair = left * weight[i] / wsum;
			if (demand[i] <= fair) {
				out[i] = demand[i];
				left -= demand[i];
				done[i] = true;
				settled = true;
			}
		}
		if (settled)
			continue;
		for (size_t i = 0; i < n; i++)
			if (!done[i]) {
				out[i] = left * weight[i] / wsum;
				done[i] = true;
			}
		return;
	}
}
