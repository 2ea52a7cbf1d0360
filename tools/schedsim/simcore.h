/*
 * A discrete-event model of the monitor driving vmm/sched: simulated CPUs
 * run simulated vCPUs (CPU-bound, I/O-like bursts then HLT, or idle) for the
 * slices the policy chooses, deliver kicks, and record what happened. Host
 * code (floating point allowed); used by tools/schedsim and the host tests.
 */
#ifndef SCHEDSIM_SIMCORE_H
#define SCHEDSIM_SIMCORE_H
#include "vmm/sched/sched.h"

enum sim_kind { SIM_CPU, SIM_IO, SIM_IDLE };

struct sim_vm_cfg {
	const char *name;
	unsigned weight, cap_pct, res_pct, nvcpus;
	enum sim_kind kind;
	uint64_t burst_ns;     /* IO/IDLE: CPU time per wake-up */
	uint64_t think_ns;     /* IO/IDLE: halted time between bursts (IO: +-50% jitter) */
	sched_mask_t affinity; /* 0: all CPUs */
	int home_cpu;          /* -1: the policy places it */
	uint64_t start_ns;     /* 0, or its vCPUs become runnable then (1 us apart) */
};

struct sim_vcpu {
	struct sched_vcpu sv;
	unsigned vm, idx;
	enum sim_kind kind;
	uint64_t burst_ns, think_ns, left_ns;
	uint64_t woke_at;  /* wake time not yet followed by a run; 0 none */
	uint64_t ready_at; /* became runnable */
	uint64_t max_wait_ns;
	uint64_t lat_sum_ns, lat_max_ns, nlat; /* wake -> run */
	uint64_t runs;
	bool halted;
};

struct sim_cpu {
	struct sim_vcpu *cur, *last;
	uint64_t start, gen, busy_ns;
	bool kick_pending;
};

struct sim_event {
	uint64_t t, gen;
	unsigned type, idx;
};

struct sim {
	struct sched *s;
	unsigned ncpus, nvms, nvcpus;
	uint64_t now, kick_ns, end_ns;
	struct sim_cpu cpu[SCHED_MAX_CPUS];
	struct sim_vm_cfg *cfg;
	struct sched_vm *vms;
	struct sim_vcpu *vcpus;
	struct sim_event *heap;
	size_t nheap, capheap;
	uint64_t rng;
	/* results */
	uint64_t picks, idle_picks, switches, pick_host_ns, pin_violations;
	uint64_t kicks, stale_kicks;
	uint64_t *lat_ns;     /* wake -> run, per sample */
	size_t nlat, caplat;
	uint64_t *lat_idle_ns; /* the same, idle vCPUs only */
	size_t nlat_idle, caplat_idle;
	uint64_t bucket_ns;   /* per-VM usage histogram (0: off) */
	size_t nbuckets;
	uint64_t **usage;     /* [vm][bucket] ns run */
	bool time_picks;      /* measure host ns per sched_pick */
	/* Imperfections of a real monitor (0: off; set after sim_init). A
	 * slice ends up to overrun_ns late (uniform: preemption-timer and exit
	 * latency; the run is accounted as it was); the monitor spends gap_ns
	 * between sched_account and the next sched_pick on that CPU; an idle
	 * CPU picks again at every host tick (tick_ns, as vmm/run.c's HLT loop
	 * with its 1 kHz tick), and not exactly at idle_until_ns; a CPU-bound
	 * run also ends after a uniform random 0..2*deadline_ns (a device
	 * deadline of the VM: vmm/run.c ends the slice there and asks again). */
	uint64_t overrun_ns, gap_ns, tick_ns, deadline_ns;
	/* After a pick that leaves vCPUs waiting, kick one idle CPU, as
	 * vmm/run.c's kick_idle_thief does (idle CPUs are tickless there). */
	bool thief_kick;
};

/* sp NULL: policy defaults. bucket_ns 0: no usage histogram. */
int sim_init(struct sim *m, unsigned ncpus, const struct sched_params *sp,
	     struct sim_vm_cfg *vms, unsigned nvms, uint64_t duration_ns,
	     uint64_t bucket_ns, uint64_t seed);
/* Runs the events up to the end time. */
void sim_run(struct sim *m);
void sim_free(struct sim *m);

/* Ideal CPU time of each CPU-bound VM (water-filling by weight, each VM
 * limited by its vCPU count and cap) over `capacity` ns of CPU, after the
 * non-CPU-bound VMs took what they used. out[vm] (0 for the others). */
void sim_ideal(const struct sim *m, double *out);
/* Max relative deviation |got - ideal| / ideal over CPU-bound VMs. */
double sim_fairness_error(const struct sim *m);
/* Largest run time of VM vm in any window of `window_ns` (bucket-aligned). */
uint64_t sim_max_window(const struct sim *m, unsigned vm, uint64_t window_ns);
/* Run time of VM vm in [from_ns, to_ns) (bucket-aligned; needs buckets). */
uint64_t sim_window_run(const struct sim *m, unsigned vm, uint64_t from_ns, uint64_t to_ns);
/* Max-min fair share of each VM in [from_ns, to_ns), in ppm of one CPU
 * (sched_water_fill): the CPU time the I/O and idle VMs left in the window
 * (as they used it) split by weight among the CPU-bound VMs, each limited
 * by its vCPU count and cap. Non-CPU-bound VMs get what they used. Needs
 * buckets. */
void sim_fair_ppm(const struct sim *m, uint64_t from_ns, uint64_t to_ns, uint64_t *out);
/* Of all wake-up latencies, or (idle_only) those of idle vCPUs. */
uint64_t sim_percentile(struct sim *m, unsigned pct, bool idle_only);
#endif
