/* ditto-memsim: replays the memory engine over raw guest-memory images. */
#ifndef DITTO_TOOLS_MEMSIM_H
#define DITTO_TOOLS_MEMSIM_H
#include <stdint.h>
#include <stdio.h>
#include "mm/engine/engine.h"

#define MS_MAX_IMAGES 8
#define MS_MAX_SETS 8

struct ms_vm {
	const char *path;
	uint64_t npages;
	const uint8_t *orig;	/* the image, read-only */
	uint8_t *mem;		/* private copy-on-write mapping: guest frames */
	void **frame;
	uint8_t *prot, *accessed;
	uint8_t **written;	/* expected content of pages the trace wrote */
	uint32_t group;
};

struct ms_saved {
	double zero, shared, patched, compressed, total; /* % of set bytes */
};

struct ms_lat {
	uint64_t n;
	double p50, p99, max;	/* microseconds */
};

struct ms_result {
	char name[64];
	uint32_t nimages;
	uint64_t pages;
	bool one_group;
	struct ms_saved full, ksm, bound;
	double meta_per_page;	/* bytes of engine metadata per guest page */
	double net_total;	/* full.total minus metadata, % */
	double pass1_mbps, pass1_pps;	/* first pass: hash + share + index */
	double reduce_mbps, reduce_pps; /* pass that patches / compresses */
	double steady_mbps, steady_pps; /* later passes */
	double all_mbps;		/* whole run */
	struct ms_lat lat_patched, lat_patched_fullref, lat_patched_compref;
	struct ms_lat lat_mirror, lat_compressed, lat_xd3;
	struct mme_stats st;
	uint64_t bound_distinct;
	uint64_t writes, mismatches, passes;
	uint64_t lat_dropped;	/* fault samples preempted by the host */
};

/* memsim_bound.c */
void ms_bound(struct ms_vm *vms, uint32_t n, uint32_t keep,
	      struct ms_saved *out, uint64_t *distinct);
/* memsim_out.c */
void ms_print_table(FILE *f, const struct ms_result *r, uint32_t n);
void ms_print_json(FILE *f, const struct ms_result *r, uint32_t n);
void ms_write_svg(const char *path, const struct ms_result *r, uint32_t n);
/* memsim.c */
double ms_now(void);
void ms_progress(const char *what, uint64_t done, uint64_t total);
#endif
