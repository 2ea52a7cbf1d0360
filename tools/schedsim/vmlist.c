/*
 * ditto-schedsim --vms: an explicit mix of VMs (weights, caps, vCPU counts,
 * CPU-bound / idle / io), e.g. the 4-CPU Bochs measurement of
 * docs/benchmarks-sched.md:
 *
 *   ditto-schedsim --cpus 4 --seconds 60 --window-s 6 --vms \
 *     h1a:100,h1b:100,h2a:200,h2b:200,h4a:400,h4b:400,capped:800:c30,idle1:256:idle,idle2:256:idle
 *
 * For each VM: its share of one CPU over the run, its max-min fair share
 * (sim_fair_ppm, i.e. sched_water_fill of what the idle/io VMs left), the
 * relative error, and the worst relative error over the consecutive windows
 * of window_s, all after the first skip_ms (VMs may start late: `sN`); for a capped VM its largest 1 s window against the cap bound
 * cap * 1 s + cap * 10 ms (docs/scheduler.md, invariant 5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tools/schedsim/simcore.h"
#include "tools/schedsim/vmlist.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define MAX_VMS 64

static char names[MAX_VMS][32];

static int parse(const char *list, struct sim_vm_cfg *vms, unsigned *n)
{
	char buf[2048];
	char *save = NULL;
	if (strlen(list) >= sizeof(buf))
		return -1;
	strcpy(buf, list);
	*n = 0;
	for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		struct sim_vm_cfg *v = &vms[*n];
		char *f = NULL, *tok;
		if (*n == MAX_VMS)
			return -1;
		memset(v, 0, sizeof(*v));
		v->nvcpus = 1;
		v->kind = SIM_CPU;
		v->home_cpu = -1;
		tok = strtok_r(item, ":", &f);
		if (!tok)
			return -1;
		snprintf(names[*n], sizeof(names[*n]), "%s", tok);
		v->name = names[*n];
		tok = strtok_r(NULL, ":", &f);
		if (!tok || !(v->weight = (unsigned)atoi(tok)))
			return -1;
		while ((tok = strtok_r(NULL, ":", &f))) {
			if (tok[0] == 'c')
				v->cap_pct = (unsigned)atoi(tok + 1);
			else if (tok[0] == 'v')
				v->nvcpus = (unsigned)atoi(tok + 1);
			else if (tok[0] == 's')
				v->start_ns = (uint64_t)atoll(tok + 1) * MS;
			else if (tok[0] == 'b')
				v->burst_ns = (uint64_t)atoll(tok + 1) * 1000;
			else if (tok[0] == 't')
				v->think_ns = (uint64_t)atoll(tok + 1) * 1000;
			else if (!strcmp(tok, "idle")) {
				v->kind = SIM_IDLE;
				v->burst_ns = 50000;
				v->think_ns = 100 * MS;
			} else if (!strcmp(tok, "io")) {
				v->kind = SIM_IO;
				v->burst_ns = 200000;
				v->think_ns = 2 * MS;
			} else
				return -1;
		}
		(*n)++;
	}
	return *n ? 0 : -1;
}

static double pct(uint64_t ppm)
{
	return (double)ppm / 10000.0;
}

static double rel(double got, double want)
{
	return want > 0 ? 100.0 * (got - want) / want : 0;
}

int schedsim_vms(const struct vms_opts *o)
{
	unsigned cpus = o->cpus;
	uint64_t seconds = o->seconds, window_s = o->window_s, skip_ms = o->skip_ms, seed = o->seed;
	static struct sim_vm_cfg vms[MAX_VMS];
	static uint64_t fair[MAX_VMS], wfair[MAX_VMS];
	struct sim m;
	unsigned n;
	if (parse(o->list, vms, &n)) {
		fprintf(stderr, "schedsim: bad --vms list\n");
		return 2;
	}
	if (!window_s || window_s > seconds)
		window_s = seconds;
	uint64_t t0 = skip_ms * MS, end = t0 + seconds * SEC, win = window_s * SEC, migr = 0;
	if (sim_init(&m, cpus, &o->sp, vms, n, end, MS, seed)) {
		fprintf(stderr, "schedsim: bad scenario\n");
		return 1;
	}
	m.overrun_ns = o->overrun_ns;
	m.gap_ns = o->gap_ns;
	m.tick_ns = o->tick_ns;
	m.deadline_ns = o->deadline_ns;
	m.thief_kick = o->thief_kick;
	sim_run(&m);
	sim_fair_ppm(&m, t0, end, fair);
	printf("%u CPUs, %llu s after the first %llu ms, windows of %llu s, seed %llu, migrate_ns %llu; "
	       "overrun %llu us, gap %llu us, idle tick %llu us, deadlines %llu us%s\n\n",
	       cpus, (unsigned long long)seconds, (unsigned long long)skip_ms,
	       (unsigned long long)window_s, (unsigned long long)seed,
	       (unsigned long long)m.s->p.migrate_ns, (unsigned long long)(o->overrun_ns / 1000),
	       (unsigned long long)(o->gap_ns / 1000), (unsigned long long)(o->tick_ns / 1000),
	       (unsigned long long)(o->deadline_ns / 1000), o->thief_kick ? ", idle thief kicks" : "");
	printf("| vm | weight | cap | share %% | fair %% | err | worst %llu s window err | max 1 s window ms (bound) | migr |\n",
	       (unsigned long long)window_s);
	printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	double worst_all = 0;
	for (unsigned i = 0; i < n; i++) {
		double share = 100.0 * (double)sim_window_run(&m, i, t0, end) / (double)(end - t0);
		double worst = 0;
		for (uint64_t t = t0; t + win <= end; t += win) {
			sim_fair_ppm(&m, t, t + win, wfair);
			double s = 100.0 * (double)sim_window_run(&m, i, t, t + win) / (double)win;
			double e = rel(s, pct(wfair[i]));
			if (e < 0 ? -e > (worst < 0 ? -worst : worst) : e > (worst < 0 ? -worst : worst))
				worst = e;
		}
		char capcol[48] = "-";
		if (vms[i].cap_pct) {
			uint64_t bound = vms[i].cap_pct * SEC / 100 + vms[i].cap_pct * SCHED_PERIOD_NS / 100;
			snprintf(capcol, sizeof(capcol), "%.1f (%.1f)",
				 (double)sim_max_window(&m, i, SEC) / MS, (double)bound / MS);
		}
		migr += m.vms[i].st.migrations;
		if (vms[i].kind != SIM_CPU) {
			printf("| %s | %u | %u | %.2f | (idle) | | | %s | %llu |\n", vms[i].name,
			       vms[i].weight, vms[i].cap_pct, share, capcol,
			       (unsigned long long)m.vms[i].st.migrations);
			continue;
		}
		if ((worst < 0 ? -worst : worst) > worst_all)
			worst_all = worst < 0 ? -worst : worst;
		printf("| %s | %u | %u | %.2f | %.2f | %+.1f%% | %+.1f%% | %s | %llu |\n", vms[i].name,
		       vms[i].weight, vms[i].cap_pct, share, pct(fair[i]),
		       rel(share, pct(fair[i])), worst, capcol,
		       (unsigned long long)m.vms[i].st.migrations);
	}
	printf("\nworst window error %.1f%%, migrations %.1f/s, context switches %.0f/s\n", worst_all,
	       (double)migr / (double)seconds, (double)m.switches / (double)seconds);
	sim_free(&m);
	return 0;
}
