/*
 * ditto-memsim: runs the memory-redundancy engine (mm/engine/) over raw
 * guest-memory images, each image one VM, and reports in the same run:
 *  - memory saved by the engine, by mechanism (zero/shared/patched/compressed);
 *  - exact sharing only (a second engine with patching and compression off:
 *    what KSM would reach under the same trust groups);
 *  - an upper bound (memsim_bound.c);
 *  - scan throughput per core (thread CPU time), fault-in latency of patched
 *    and compressed pages, metadata per guest page;
 * then rebuilds every page of every VM through the guest mapping and checks
 * it byte-exact against the image (exit 1 on any mismatch).
 *
 *   ditto-memsim [options] IMAGE...             one set of all images
 *   ditto-memsim [options] --set NAME=A,B ...   several sets, one table
 * Options: --groups one|per-image, --keep N, --budget N, --passes N,
 *   --hot FRACTION (pages accessed per tick), --write-rate N (pages dirtied
 *   per tick: write-trace mode), --json FILE, --svg FILE, --no-bound,
 *   --seed N, --progress / --no-progress, --full-refs (never compress
 *   the reference of a patch: faster fault-in of patched pages),
 *   --no-xlz (no LZ4-of-XOR patches),
 *   --fast-fault (--full-refs and --no-xlz: every patched
 *   fault-in is a copy plus runs), --check-the-checker (alter one
 *   expected page: must exit 1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "tools/memsim/memsim.h"
#include "mm/engine/engine_int.h" /* fault_latency peeks at patch kinds */

static struct {
	bool one_group;
	uint32_t keep, passes;
	uint64_t budget, write_rate;
	double hot;
	const char *json, *svg;
	bool bound;
	uint64_t seed;
	int progress; /* -1 auto */
	bool compress_refs;
	bool corrupt; /* test the checker: expect one page to differ */
	bool fast_fault, no_xlz;
} opt = { true, 2048, 6, 4096, 0, 0.0, NULL, NULL, true, 1, -1, true, false,
	  false, false };

static struct ms_vm vms[MS_MAX_IMAGES];
static uint32_t nvms;
static uint64_t rng;

double ms_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

/* A progress bar on stderr once a step has taken more than a second. */
void ms_progress(const char *what, uint64_t done, uint64_t total)
{
	static double t0;
	static const char *cur;
	static int last = -1;
	if (what != cur) {
		cur = what;
		t0 = ms_now();
		last = -1;
	}
	if (!opt.progress || (opt.progress < 0 && !isatty(2)))
		return;
	if (ms_now() - t0 < 1.0 && done < total)
		return;
	int pct = total ? (int)(100 * done / total) : 100;
	if (pct == last || (last < 0 && done >= total && ms_now() - t0 < 1.0))
		return;
	last = pct;
	int w = pct * 30 / 100;
	fprintf(stderr, "\r%-28s [%.*s%*s] %3d%%", what, w,
		"##############################", 30 - w, "", pct);
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
}

/* ------------------------------------------------------------ backend */

static void *b_frame(void *ctx, uint32_t vm, uint64_t gfn)
{
	(void)ctx;
	return vms[vm].frame[gfn];
}

static void b_map(void *ctx, uint32_t vm, uint64_t gfn, void *frame,
		  enum mme_prot prot)
{
	(void)ctx;
	vms[vm].frame[gfn] = frame;
	vms[vm].prot[gfn] = (uint8_t)prot;
}

static bool b_accessed(void *ctx, uint32_t vm, uint64_t gfn)
{
	(void)ctx;
	bool a = vms[vm].accessed[gfn];
	vms[vm].accessed[gfn] = 0;
	return a;
}

static void b_release(void *ctx, uint32_t vm, uint64_t gfn, void *frame)
{
	(void)ctx;
	(void)vm;
	(void)gfn;
	(void)frame; /* the image mapping stays; nothing to give back */
}

static const struct mme_ops ops = { b_frame, b_map, b_accessed, b_release };

static void die(const char *m, const char *arg)
{
	fprintf(stderr, "ditto-memsim: %s%s%s\n", m, arg ? ": " : "",
		arg ? arg : "");
	exit(2);
}

static void load(struct ms_vm *v, const char *path)
{
	struct stat s;
	int fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &s) || s.st_size <= 0 || s.st_size % 4096)
		die("cannot use image (must be a non-empty multiple of 4 KiB)",
		    path);
	v->path = path;
	v->npages = (uint64_t)s.st_size / 4096;
	v->orig = mmap(NULL, (size_t)s.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	v->mem = mmap(NULL, (size_t)s.st_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE, fd, 0);
	close(fd);
	v->frame = calloc(v->npages, sizeof(void *));
	v->prot = calloc(v->npages, 1);
	v->accessed = calloc(v->npages, 1);
	v->written = calloc(v->npages, sizeof(uint8_t *));
	if (v->orig == MAP_FAILED || v->mem == MAP_FAILED || !v->frame ||
	    !v->prot || !v->accessed || !v->written)
		die("out of memory", path);
}

/* Fresh guest state for one engine run: every page private and RW. */
static void reset_vms(void)
{
	for (uint32_t i = 0; i < nvms; i++) {
		struct ms_vm *v = &vms[i];
		size_t sz = v->npages * 4096;
		/* Drop copy-on-write copies from the last run's writes. */
		munmap(v->mem, sz);
		int fd = open(v->path, O_RDONLY);
		v->mem = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		close(fd);
		if (v->mem == MAP_FAILED)
			die("mmap", v->path);
		for (uint64_t g = 0; g < v->npages; g++) {
			v->frame[g] = v->mem + g * 4096;
			v->prot[g] = MME_PROT_RW;
			v->accessed[g] = 0;
			free(v->written[g]);
			v->written[g] = NULL;
		}
	}
}

static const uint8_t *expected(struct ms_vm *v, uint64_t g)
{
	return v->written[g] ? v->written[g] : v->orig + g * 4096;
}

static uint64_t total_pages(void)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < nvms; i++)
		n += vms[i].npages;
	return n;
}

static struct mme *engine(bool full)
{
	struct mme_config c;
	struct mme *e;
	mme_config_default(&c);
	c.max_pages = total_pages();
	c.max_vms = nvms;
	c.keep_max = opt.keep;
	c.enable_patch = c.enable_compress = c.enable_xdelta = full;
	c.compress_refs = opt.compress_refs;
	c.enable_xlz = !opt.fast_fault && !opt.no_xlz;
	if (opt.fast_fault)
		c.compress_refs = false;
	if (mme_create(&c, &ops, NULL, &e))
		die("mme_create failed", NULL);
	for (uint32_t i = 0; i < nvms; i++) {
		uint32_t id;
		if (mme_vm_add(e, vms[i].npages, vms[i].group, &id) || id != i)
			die("mme_vm_add failed", NULL);
	}
	return e;
}

/* Write-trace mode: the guest dirties a random page (a few bytes). */
static uint64_t guest_write(struct mme *e)
{
	uint32_t vm = (uint32_t)(rnd() % nvms);
	struct ms_vm *v = &vms[vm];
	uint64_t g = rnd() % v->npages;
	void *f;
	if (v->prot[g] != MME_PROT_RW && mme_fault(e, vm, g, true, &f))
		return 0; /* -ENOMEM: the vCPU would wait; skip */
	if (!v->written[g]) {
		v->written[g] = malloc(4096);
		if (!v->written[g])
			die("out of memory", NULL);
	}
	uint8_t *p = v->frame[g];
	size_t off = rnd() % 4000, len = 1 + rnd() % 64;
	for (size_t i = 0; i < len; i++)
		p[off + i] = (uint8_t)rnd();
	memcpy(v->written[g], p, 4096);
	v->accessed[g] = 1;
	return 1;
}

static void pct_saved(const struct mme_stats *st, uint64_t pages,
		      struct ms_saved *s)
{
	double b = (double)pages * 4096.0 / 100.0;
	s->zero = (double)st->saved_zero / b;
	s->shared = (double)st->saved_shared / b;
	s->patched = (double)st->saved_patched / b;
	s->compressed = (double)st->saved_compressed / b;
	s->total = s->zero + s->shared + s->patched + s->compressed;
}

/* Run passes of scan ticks; returns thread CPU seconds per pass. */
static void run_passes(struct mme *e, struct ms_result *r, double *cpu,
		       uint64_t *scanned, const char *what)
{
	uint64_t pages = total_pages();
	for (uint32_t p = 0; p < opt.passes; p++) {
		uint64_t done = 0;
		double t = 0;
		while (done < pages) {
			uint64_t b = opt.budget < pages - done ? opt.budget
							       : pages - done;
			if (opt.hot > 0) {
				uint64_t n = (uint64_t)(opt.hot * (double)b);
				for (uint64_t k = 0; k < n; k++) {
					struct ms_vm *v = &vms[rnd() % nvms];
					v->accessed[rnd() % v->npages] = 1;
				}
			}
			for (uint64_t k = 0; k < opt.write_rate; k++)
				r->writes += guest_write(e);
			double c0 = cpu_now();
			done += mme_scan(e, b);
			t += cpu_now() - c0;
			ms_progress(what, (uint64_t)p * pages + done,
				    (uint64_t)opt.passes * pages);
		}
		cpu[p] = t;
		scanned[p] = done;
	}
	r->passes = opt.passes;
}

static long ctx_switches(void)
{
	struct rusage u;
	getrusage(RUSAGE_THREAD, &u);
	return u.ru_nvcsw + u.ru_nivcsw;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void lat_of(double *v, uint64_t n, struct ms_lat *l)
{
	l->n = n;
	if (!n)
		return;
	qsort(v, n, sizeof(double), cmp_d);
	l->p50 = v[n / 2];
	l->p99 = v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
	l->max = v[n - 1];
}

/*
 * Time read fault-ins of up to 4000 pages of each kind, spread over all
 * VMs: patched (a real delta; split by whether its reference is held
 * compressed), cold shared (a mirror of a shared frame, PG_EMPTY),
 * compressed; xdelta3 patches also on their own.
 */
static void fault_latency(struct mme *e, struct ms_result *r)
{
	enum { N = 4000 };
	static double lp[N], lc[N], lx[N], lm[N], lpf[N], lpc[N];
	uint64_t np = 0, nc = 0, nx = 0, nm = 0, npf = 0, npc = 0;
	uint64_t pages = total_pages();
	for (uint64_t k = 0; k < pages && (np < N || nc < N || nm < N); k++) {
		uint64_t g = (k * 7919) % pages; /* stride by a prime */
		uint32_t vm = 0;
		while (g >= vms[vm].npages)
			g -= vms[vm++].npages;
		struct mme_page *pg = mme_pg(e, vm, g);
		enum mme_state s = (enum mme_state)pg->state;
		bool mirror = s == MME_PATCHED && (pg->flags & PG_EMPTY);
		struct mme_blob *b = (struct mme_blob *)(uintptr_t)pg->u;
		bool xd3 = s == MME_PATCHED && !mirror && b->kind == BLOB_XD3;
		bool refc = s == MME_PATCHED && !mirror && !e->sf[b->ref].frame;
		void *f;
		if ((s != MME_PATCHED && s != MME_COMPRESSED) ||
		    (s == MME_PATCHED && !mirror && np >= N) ||
		    (mirror && nm >= N) || (s == MME_COMPRESSED && nc >= N))
			continue;
		mme_scan(e, 0); /* a timer tick between faults: refills the reserve */
		long sw0 = ctx_switches();
		double t0 = ms_now();
		int rc = mme_fault(e, vm, g, false, &f);
		double us = (ms_now() - t0) * 1e6;
		if (rc)
			continue;
		/*
		 * The host scheduler took the CPU during this fault (the machine
		 * is shared): not the engine's cost; the sample is dropped and
		 * counted.
		 */
		if (ctx_switches() != sw0) {
			r->lat_dropped++;
			continue;
		}
		if (s == MME_COMPRESSED) {
			lc[nc++] = us;
		} else if (mirror) {
			lm[nm++] = us;
		} else {
			lp[np++] = us;
			if (refc)
				lpc[npc++] = us;
			else
				lpf[npf++] = us;
		}
		if (xd3 && nx < N)
			lx[nx++] = us;
	}
	lat_of(lp, np, &r->lat_patched);
	lat_of(lpf, npf, &r->lat_patched_fullref);
	lat_of(lpc, npc, &r->lat_patched_compref);
	lat_of(lm, nm, &r->lat_mirror);
	lat_of(lc, nc, &r->lat_compressed);
	lat_of(lx, nx, &r->lat_xd3);
}

static uint64_t verify(struct mme *e)
{
	static uint8_t buf[4096];
	uint64_t bad = 0, pages = total_pages(), done = 0;
	for (uint32_t i = 0; i < nvms; i++) {
		struct ms_vm *v = &vms[i];
		for (uint64_t g = 0; g < v->npages; g++, done++) {
			const uint8_t *x = expected(v, g);
			void *f;
			if (mme_read(e, i, g, buf) || memcmp(buf, x, 4096))
				bad++;
			else if (v->prot[g] == MME_PROT_NONE &&
				 mme_fault(e, i, g, false, &f))
				bad++;
			else if (memcmp(v->frame[g], x, 4096))
				bad++;
			if (done % 4096 == 0)
				ms_progress("verify (rebuild all pages)", done, pages);
		}
	}
	ms_progress("verify (rebuild all pages)", pages, pages);
	if (mme_check(e))
		bad++;
	return bad;
}

static double mbps(uint64_t pages, double s)
{
	return s > 0 ? (double)pages * 4096.0 / s / 1e6 : 0;
}

static void run_set(struct ms_result *r)
{
	static double cpu[64];
	static uint64_t sc[64];
	struct mme *e;
	struct mme_stats st;
	uint64_t pages = total_pages();

	r->nimages = nvms;
	r->pages = pages;
	r->one_group = opt.one_group;
	for (uint32_t i = 0; i < nvms; i++)
		vms[i].group = opt.one_group ? 0 : i;
	if (opt.bound)
		ms_bound(vms, nvms, opt.keep, &r->bound, &r->bound_distinct);

	/* Exact sharing only. */
	reset_vms();
	rng = opt.seed;
	e = engine(false);
	run_passes(e, r, cpu, sc, "exact sharing only");
	mme_get_stats(e, &st);
	pct_saved(&st, pages, &r->ksm);
	r->mismatches += verify(e);
	mme_destroy(e);

	/* The full engine. */
	reset_vms();
	rng = opt.seed;
	r->writes = 0;
	e = engine(true);
	run_passes(e, r, cpu, sc, "engine");
	mme_get_stats(e, &r->st);
	pct_saved(&r->st, pages, &r->full);
	r->meta_per_page = (double)r->st.meta_bytes / (double)pages;
	r->net_total = r->full.total -
		       100.0 * (double)r->st.meta_bytes / ((double)pages * 4096);
	r->pass1_pps = (double)sc[0] / cpu[0];
	r->pass1_mbps = mbps(sc[0], cpu[0]);
	double tr = 0, ts = 0, tall = cpu[0];
	uint64_t nr = 0, ns = 0;
	for (uint32_t p = 1; p < opt.passes; p++) {
		tall += cpu[p];
		if (p <= 2) {
			tr += cpu[p];
			nr += sc[p];
		} else {
			ts += cpu[p];
			ns += sc[p];
		}
	}
	r->reduce_pps = nr ? (double)nr / tr : 0;
	r->reduce_mbps = mbps(nr, tr);
	r->steady_pps = ns ? (double)ns / ts : 0;
	r->steady_mbps = mbps(ns, ts);
	r->all_mbps = mbps(pages * opt.passes, tall);
	fault_latency(e, r);
	if (opt.corrupt) { /* the expectation of page 1 of VM 0 changes */
		struct ms_vm *v = &vms[0];
		if (!v->written[1] && !(v->written[1] = malloc(4096)))
			die("out of memory", NULL);
		memcpy(v->written[1], v->orig + 4096, 4096);
		v->written[1][100] ^= 1;
	}
	r->mismatches += verify(e);
	mme_destroy(e);
}

static void free_vms(void)
{
	for (uint32_t i = 0; i < nvms; i++) {
		struct ms_vm *v = &vms[i];
		munmap((void *)v->orig, v->npages * 4096);
		munmap(v->mem, v->npages * 4096);
		for (uint64_t g = 0; g < v->npages; g++)
			free(v->written[g]);
		free(v->frame);
		free(v->prot);
		free(v->accessed);
		free(v->written);
	}
	nvms = 0;
}

static void add_images(char *list)
{
	for (char *s = strtok(list, ","); s; s = strtok(NULL, ",")) {
		if (nvms == MS_MAX_IMAGES)
			die("too many images", NULL);
		load(&vms[nvms++], s);
	}
}

int main(int argc, char **argv)
{
	static struct ms_result res[MS_MAX_SETS];
	char *sets[MS_MAX_SETS];
	uint32_t nsets = 0;
	char *plain[MS_MAX_IMAGES];
	uint32_t nplain = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--groups") && v) {
			opt.one_group = !strcmp(v, "one");
			if (!opt.one_group && strcmp(v, "per-image"))
				die("--groups one|per-image", v);
			i++;
		} else if (!strcmp(a, "--keep") && v) {
			opt.keep = (uint32_t)strtoul(v, NULL, 0), i++;
		} else if (!strcmp(a, "--budget") && v) {
			opt.budget = strtoull(v, NULL, 0), i++;
		} else if (!strcmp(a, "--passes") && v) {
			opt.passes = (uint32_t)strtoul(v, NULL, 0), i++;
		} else if (!strcmp(a, "--hot") && v) {
			opt.hot = strtod(v, NULL), i++;
		} else if (!strcmp(a, "--write-rate") && v) {
			opt.write_rate = strtoull(v, NULL, 0), i++;
		} else if (!strcmp(a, "--json") && v) {
			opt.json = v, i++;
		} else if (!strcmp(a, "--svg") && v) {
			opt.svg = v, i++;
		} else if (!strcmp(a, "--seed") && v) {
			opt.seed = strtoull(v, NULL, 0) | 1, i++;
		} else if (!strcmp(a, "--set") && v) {
			if (nsets == MS_MAX_SETS)
				die("too many sets", NULL);
			sets[nsets++] = argv[++i];
		} else if (!strcmp(a, "--check-the-checker")) {
			opt.corrupt = true;
		} else if (!strcmp(a, "--no-xlz")) {
			opt.no_xlz = true;
		} else if (!strcmp(a, "--fast-fault")) {
			opt.fast_fault = true;
		} else if (!strcmp(a, "--full-refs")) {
			opt.compress_refs = false;
		} else if (!strcmp(a, "--no-bound")) {
			opt.bound = false;
		} else if (!strcmp(a, "--progress")) {
			opt.progress = 1;
		} else if (!strcmp(a, "--no-progress")) {
			opt.progress = 0;
		} else if (a[0] == '-') {
			die("unknown option (see the comment at the top of "
			    "tools/memsim/memsim.c)", a);
		} else if (nplain < MS_MAX_IMAGES) {
			plain[nplain++] = argv[i];
		}
	}
	if (opt.passes < 1 || opt.passes > 64 || !opt.budget || !opt.keep ||
	    opt.keep >= 4096 || (!nsets && !nplain))
		die("usage: ditto-memsim [options] IMAGE... | --set NAME=A,B ...",
		    NULL);
	if (!nsets) {
		for (uint32_t i = 0; i < nplain; i++)
			load(&vms[nvms++], plain[i]);
		snprintf(res[0].name, sizeof(res[0].name), "%u image%s", nvms,
			 nvms > 1 ? "s" : "");
		run_set(&res[0]);
		free_vms();
		nsets = 1;
	} else {
		for (uint32_t s = 0; s < nsets; s++) {
			char *eq = strchr(sets[s], '=');
			if (!eq)
				die("--set NAME=IMAGE,IMAGE", sets[s]);
			*eq = 0;
			snprintf(res[s].name, sizeof(res[s].name), "%s", sets[s]);
			add_images(eq + 1);
			run_set(&res[s]);
			free_vms();
		}
	}
	ms_print_table(stdout, res, nsets);
	if (opt.json) {
		FILE *f = strcmp(opt.json, "-") ? fopen(opt.json, "w") : stdout;
		if (!f)
			die("cannot write", opt.json);
		ms_print_json(f, res, nsets);
		if (f != stdout)
			fclose(f);
	}
	if (opt.svg)
		ms_write_svg(opt.svg, res, nsets);
	uint64_t bad = 0;
	for (uint32_t s = 0; s < nsets; s++)
		bad += res[s].mismatches;
	if (bad) {
		fprintf(stderr, "ditto-memsim: %llu pages did NOT read back exact\n",
			(unsigned long long)bad);
		return 1;
	}
	return 0;
}
