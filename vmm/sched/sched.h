/*
 * The vCPU scheduler's policy (docs/scheduler.md): credit (virtual time)
 * proportional share with per-VM weight, cap and reservation, per-vCPU
 * affinity, per-CPU runqueues with wake-up placement and load balancing.
 *
 * Host-testable: includes only ditto/env.h. The monitor embeds struct
 * sched_vm in its VM and struct sched_vcpu in its vCPU (or allocates them)
 * and finds its own object again through the `owner` pointer; the scheduler
 * never sees vmm/ types.
 *
 * Lock order: one spinlock per CPU runqueue. A call holds at most two, and
 * when it holds two it took the one of the lower CPU id first. No other lock
 * is taken under a runqueue lock; per-VM budgets and statistics are atomics.
 * Callers run with interrupts off on the calling CPU while inside a sched_*
 * call (the kernel's spinlock rule); the calls never sleep.
 */
#ifndef VMM_SCHED_H
#define VMM_SCHED_H
#include "ditto/env.h"

#define SCHED_MAX_CPUS 64          /* affinity is one 64-bit mask */
#define SCHED_MAX_VM_VCPUS 64
#define SCHED_WEIGHT_DEFAULT 256   /* as Xen credit2 */
#define SCHED_WEIGHT_MAX 65535
#define SCHED_PERIOD_NS 10000000ull /* cap and reservation budget period: 10 ms */

typedef uint64_t sched_mask_t;
#define SCHED_MASK_ALL (~(sched_mask_t)0)
#define SCHED_CPU_BIT(c) ((sched_mask_t)1 << (c))

struct sched_stats {
	uint64_t run_ns;     /* ran on a CPU (as accounted by sched_account) */
	uint64_t wait_ns;    /* runnable but not running (steal time) */
	uint64_t halt_ns;    /* halted (HLT), woken by sched_wake */
	uint64_t migrations; /* changed runqueue */
	uint64_t scheduled;  /* times returned by sched_pick */
	uint64_t wakeups;
};

struct sched_vm_params {
	unsigned weight;          /* 1..SCHED_WEIGHT_MAX, relative share */
	unsigned cap_pct;         /* 0: none; else at most this % of one CPU */
	unsigned reservation_pct; /* 0: none; else at least this % of one CPU */
	unsigned nvcpus;          /* the VM's weight is split evenly among them */
	const char *name;         /* for sched_print_table; kept as a pointer */
};

struct sched_vm {
	struct sched_vm_params p;
	void *owner;
	/* Budgets in ns for the current SCHED_PERIOD_NS period, refilled
	 * lazily by whoever first notices a new period (atomics). */
	int64_t cap_budget, cap_per_period;
	uint64_t cap_epoch;
	int64_t res_budget, res_per_period;
	uint64_t res_epoch;
	unsigned nvcpus_added;
	struct sched_stats st; /* sums over its vCPUs, atomic adds */
};

enum sched_vcpu_state { SV_HALTED, SV_QUEUED, SV_RUNNING, SV_REMOVED };

struct sched_vcpu {
	struct sched_vcpu *prev, *next; /* runqueue list, sorted by vtime */
	struct sched_vm *vm;
	void *owner;
	sched_mask_t affinity;
	uint64_t vtime;       /* weighted service received (wraps; compared by difference) */
	uint32_t wfp;         /* weight of this vCPU, weight * 1024 / nvcpus */
	unsigned cpu;         /* its runqueue (the CPU it runs or last ran on) */
	int ran_on;           /* the CPU it last ran on; -1: never ran */
	enum sched_vcpu_state state;
	bool block_pending;   /* sched_block while running: halt at sched_account */
	bool via_res;         /* picked because of its reservation */
	int64_t cap_taken;    /* cap budget taken for the running slice */
	uint64_t res_epoch;   /* period in which the running slice started */
	uint64_t since_ns;    /* entered its current state */
	struct sched_stats st;
};

struct sched_rq {
	int lock;
	uint16_t cpu;
	uint16_t nr_cap_waiting;        /* waiting vCPUs of capped VMs */
	struct sched_vcpu *head, *tail; /* waiting vCPUs, ascending vtime */
	struct sched_vcpu *curr;        /* running, or NULL */
	unsigned nr_waiting, nr_res_waiting, nr_home;
	bool idle;                      /* idle and not yet kicked */
	bool need_resched;              /* a wake asked for a kick; cleared by sched_pick */
	bool busy;                      /* a vCPU runs or waits here (hint) */
	uint64_t vmin;                  /* monotonic floor of vtime here */
	/* Read without the lock by other CPUs (hints, rechecked under it). */
	uint64_t pub_head_vtime;
} __attribute__((aligned(64)));

/* 0 in a field: its default. */
struct sched_params {
	uint64_t slice_ns;      /* longest slice; default 10 ms */
	uint64_t wake_bonus_ns; /* a woken vCPU starts this far behind the floor; default 10 ms */
	uint64_t preempt_ns;    /* a woken vCPU this far ahead preempts; default 1 ms */
	uint64_t migrate_ns;    /* pull a waiting vCPU this far behind; default 20 ms */
};

struct sched {
	unsigned ncpus;
	struct sched_params p;
	struct sched_rq rq[SCHED_MAX_CPUS];
};

struct sched_decision {
	struct sched_vcpu *vcpu; /* NULL: idle */
	uint64_t slice_ns;       /* run at most this long (VMX-preemption timer) */
	uint64_t idle_until_ns;  /* idle: call sched_pick again then; 0: only on a kick */
	/* The CPU the vCPU last ran on, if not this one (-1: this one, or it
	 * never ran): its VMCS must be VMCLEARed there before VMPTRLD here
	 * (SDM Vol. 3C 25.11.1), and cached EPT translations invalidated. */
	int migrated_from;
};

/* params NULL: defaults. -EINVAL for ncpus 0 or above SCHED_MAX_CPUS. */
int sched_init(struct sched *s, unsigned ncpus, const struct sched_params *params);
/* Validates p (sched_check_vm); -EINVAL if bad. Does not check host totals. */
int sched_add_vm(struct sched *s, struct sched_vm *vm, const struct sched_vm_params *p, void *owner);
/* The vCPU starts halted (wake it with sched_wake). home_cpu < 0: the least
 * loaded CPU of the affinity. -EINVAL: empty or out-of-range affinity, home
 * outside it, or more vCPUs than p.nvcpus. */
int sched_add_vcpu(struct sched *s, struct sched_vm *vm, struct sched_vcpu *v,
		   sched_mask_t affinity, int home_cpu, void *owner, uint64_t now_ns);
/* -EBUSY while it runs (remove it after its sched_account). */
int sched_remove_vcpu(struct sched *s, struct sched_vcpu *v, uint64_t now_ns);

/* CPU `cpu` has nothing running: choose what runs next and for how long. */
void sched_pick(struct sched *s, unsigned cpu, uint64_t now_ns, struct sched_decision *d);
/* The slice of v on cpu ended after ran_ns (timer, HLT, kick, any exit that
 * returns to the scheduler). v is queued again unless it blocked. */
void sched_account(struct sched *s, unsigned cpu, struct sched_vcpu *v, uint64_t ran_ns, uint64_t now_ns);
/* HLT with nothing pending: v is not scheduled until sched_wake. Called on
 * v's CPU while it runs (takes effect at its sched_account) or on a queued v. */
void sched_block(struct sched *s, struct sched_vcpu *v, uint64_t now_ns);
/* An interrupt is due for v. Returns the CPU to kick (IPI: it is idle, or
 * runs something v should preempt), or -1 (nothing to do). */
int sched_wake(struct sched *s, struct sched_vcpu *v, uint64_t now_ns);
/* On a kick (IPI exit) while a vCPU runs: true if it should end its slice
 * (sched_account + sched_pick); false if the kick is stale (that CPU has
 * picked since the wake that sent it): resume the vCPU. */
bool sched_need_resched(struct sched *s, unsigned cpu);

/* The per-VM part of sched_check_config, as a yes/no (sched_add_vm uses it). */
bool sched_vm_params_valid(const struct sched_vm_params *p);

/* Configuration checks: the one implementation of the scheduler's rules (the
 * manifest reports through it, sched_add_vm refuses by it). One report() per
 * error: vm is the index into vms (a host-wide total is reported at the VM
 * whose addition goes over), or -1 for the host itself; field says which
 * setting is at fault; msg has no prefix (the manifest puts "line:col: vm
 * "x": cap: " in front). ncpus 0 = the host is not known: checks that need
 * it (pinning, totals) are skipped. Returns the number of errors. */
struct sched_vm_config {
	unsigned weight, cap_pct, reservation_pct, nvcpus;
	const sched_mask_t *affinity; /* nvcpus masks, or NULL: vm_affinity for all */
	sched_mask_t vm_affinity;     /* with affinity NULL: every vCPU's mask (0: all CPUs) */
};
enum sched_cfg_field {
	SCHED_CFG_HOST,
	SCHED_CFG_WEIGHT,
	SCHED_CFG_VCPUS,
	SCHED_CFG_CAP,
	SCHED_CFG_RESERVATION,
	SCHED_CFG_PIN,
};
typedef void (*sched_report_fn)(void *ctx, int vm, enum sched_cfg_field field, const char *msg);
int sched_check_config(unsigned ncpus, const struct sched_vm_config *vms, size_t nvms,
		       sched_report_fn report, void *ctx);

/* Max-min fair shares (water-filling): capacity split by weight among
 * entries, none above its demand; what one cannot use goes to the others.
 * Units are the caller's (e.g. ppm of one CPU). out[i] <= demand[i]. */
void sched_water_fill(size_t n, const unsigned *weight, const uint64_t *demand, uint64_t capacity,
		      uint64_t *out);

/* Per-VM table (run, steal, halted, share of one CPU, ...) via env_printf;
 * elapsed_ns is the interval the statistics cover. */
void sched_print_table(struct sched_vm *const *vms, size_t nvms, uint64_t elapsed_ns);

/* Statistics as of now (adds the current halted, waiting or running
 * interval). */
void sched_vcpu_stats(const struct sched_vcpu *v, uint64_t now_ns, struct sched_stats *out);
#endif
