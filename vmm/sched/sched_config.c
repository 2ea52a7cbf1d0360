/*
 * Scheduler configuration checks (the manifest's and sched_add_vm's: the
 * rules exist only here) and the per-VM accounting table. Messages carry no
 * prefix: the manifest puts "line:col: vm "x": field: " in front. The exact
 * strings are part of the interface (tests/host/sched_config.c checks them,
 * tests/manifest/bad/ shows them as users see them; docs/scheduler.md lists
 * them).
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

/* "150% is more than 2 vCPUs can use (200%)" */
static void m_over_vcpus(struct msg *m, uint64_t pct, uint64_t nvcpus)
{
	m_uint(m, pct);
	m_str(m, "% is more than ");
	m_count(m, nvcpus, "vCPU");
	m_str(m, " can use (");
	m_uint(m, 100 * nvcpus);
	m_str(m, "%)");
}

/* "0 is out of range (1..65535)" */
static void m_range(struct msg *m, uint64_t v, uint64_t lo, uint64_t hi)
{
	m_uint(m, v);
	m_str(m, " is out of range (");
	m_uint(m, lo);
	m_str(m, "..");
	m_uint(m, hi);
	m_str(m, ")");
}

/* "CPU 4 does not exist (the host has 2 CPUs)" */
static void m_no_cpu(struct msg *m, sched_mask_t a, sched_mask_t host, unsigned ncpus)
{
	m_str(m, "CPU ");
	m_uint(m, (unsigned)__builtin_ctzll(a & ~host));
	m_str(m, " does not exist (the host has ");
	m_count(m, ncpus, "CPU");
	m_str(m, ")");
}

static unsigned popcount64(sched_mask_t x)
{
	unsigned n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

struct checker {
	sched_report_fn report;
	void *ctx;
	int vm, errs;
	struct msg m;
};

static void report(struct checker *k, enum sched_cfg_field f)
{
	k->report(k->ctx, k->vm, f, k->m.b);
	k->errs++;
	k->m.n = 0;
	k->m.b[0] = 0;
}

/* The pinning rules; returns the CPUs the vCPUs may use (0 after an error). */
static sched_mask_t check_pins(struct checker *k, unsigned ncpus, const struct sched_vm_config *c)
{
	sched_mask_t host = !ncpus || ncpus >= 64 ? SCHED_MASK_ALL : SCHED_CPU_BIT(ncpus) - 1;
	sched_mask_t usable = 0;
	bool bad = false;

	if (!c->affinity) {
		sched_mask_t a = c->vm_affinity ? c->vm_affinity : host;
		if (a & ~host) {
			m_no_cpu(&k->m, a, host, ncpus);
			report(k, SCHED_CFG_PIN);
			return 0;
		}
		return a;
	}
	for (unsigned i = 0; i < c->nvcpus; i++) {
		sched_mask_t a = c->affinity[i];
		if (!a || a & ~host) {
			m_str(&k->m, "vCPU ");
			m_uint(&k->m, i);
			if (a) {
				m_str(&k->m, ": ");
				m_no_cpu(&k->m, a, host, ncpus);
			} else {
				m_str(&k->m, " has an empty affinity (no CPU to run on)");
			}
			report(k, SCHED_CFG_PIN);
			bad = true;
		}
		usable |= a & host;
	}
	return bad ? 0 : usable;
}

static void check_vm(struct checker *k, unsigned ncpus, const struct sched_vm_config *c)
{
	if (!c->weight || c->weight > SCHED_WEIGHT_MAX) {
		m_range(&k->m, c->weight, 1, SCHED_WEIGHT_MAX);
		report(k, SCHED_CFG_WEIGHT);
	}
	if (!c->nvcpus || c->nvcpus > SCHED_MAX_VM_VCPUS) {
		m_range(&k->m, c->nvcpus, 1, SCHED_MAX_VM_VCPUS);
		report(k, SCHED_CFG_VCPUS);
		return; /* the rest depends on the vCPU count */
	}
	uint64_t most = 100ull * c->nvcpus;
	if (c->cap_pct > most) {
		m_over_vcpus(&k->m, c->cap_pct, c->nvcpus);
		report(k, SCHED_CFG_CAP);
	}
	if (c->reservation_pct > most) {
		m_over_vcpus(&k->m, c->reservation_pct, c->nvcpus);
		report(k, SCHED_CFG_RESERVATION);
	}
	if (c->cap_pct && c->cap_pct < c->reservation_pct) {
		m_uint(&k->m, c->cap_pct);
		m_str(&k->m, "% is below the reservation of ");
		m_uint(&k->m, c->reservation_pct);
		m_str(&k->m, "%");
		report(k, SCHED_CFG_CAP);
	}
	if (!ncpus && !c->affinity)
		return; /* a VM-wide mask needs the host to be checked */
	sched_mask_t usable = check_pins(k, ncpus, c);
	/* A reservation the pinning cannot meet: each CPU gives at most 100%,
	 * each vCPU takes at most 100%. Only with pins that are themselves right. */
	unsigned reach = ENV_MIN(popcount64(usable), c->nvcpus);
	if (usable && c->reservation_pct > 100ull * reach && c->reservation_pct <= most) {
		m_uint(&k->m, c->reservation_pct);
		m_str(&k->m, "% needs more than the ");
		m_count(&k->m, popcount64(usable), "CPU");
		m_str(&k->m, " its vCPUs are pinned to");
		report(k, SCHED_CFG_RESERVATION);
	}
}

int sched_check_config(unsigned ncpus, const struct sched_vm_config *vms, size_t nvms,
		       sched_report_fn fn, void *ctx)
{
	struct checker k = { .report = fn, .ctx = ctx, .vm = -1 };
	uint64_t total = 0;
	bool over = false;

	if (ncpus > SCHED_MAX_CPUS) {
		m_str(&k.m, "the host has ");
		m_count(&k.m, ncpus, "CPU");
		m_str(&k.m, ": the scheduler takes 1..");
		m_uint(&k.m, SCHED_MAX_CPUS);
		report(&k, SCHED_CFG_HOST);
		return k.errs;
	}
	for (size_t i = 0; i < nvms; i++) {
		k.vm = (int)i;
		check_vm(&k, ncpus, &vms[i]);
		total += vms[i].reservation_pct;
		if (ncpus && !over && total > 100ull * ncpus) {
			m_str(&k.m, "reservations add up to ");
			m_uint(&k.m, total);
			m_str(&k.m, "%, more than the host's ");
			m_uint(&k.m, 100ull * ncpus);
			m_str(&k.m, "%");
			report(&k, SCHED_CFG_RESERVATION);
			over = true;
		}
	}
	return k.errs;
}

static void count_report(void *ctx, int vm, enum sched_cfg_field f, const char *msg)
{
	(void)vm;
	(void)f;
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
	struct checker k = { .report = count_report, .ctx = &n };
	check_vm(&k, 0, &c);
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
