/* ditto-schedsim --vms (vmlist.c): an explicit VM mix, shares beside the
 * max-min fair shares. */
#ifndef SCHEDSIM_VMLIST_H
#define SCHEDSIM_VMLIST_H
#include "vmm/sched/sched.h"

struct vms_opts {
	unsigned cpus;
	const char *list;
	uint64_t seconds, window_s, skip_ms, seed;
	struct sched_params sp;
	uint64_t overrun_ns, gap_ns, tick_ns, deadline_ns; /* struct sim's imperfections */
	bool thief_kick;
};

int schedsim_vms(const struct vms_opts *o);
#endif
