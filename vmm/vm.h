/* A virtual machine: memory, devices reachable by port and MMIO, vCPUs. */
#ifndef VMM_VM_H
#define VMM_VM_H
#include "lib/spinlock.h"
#include "vmm/vcpu.h"

#define VM_MAX_VCPUS 8
#define VM_MAX_MMIO 16
#define VM_MAX_PIO 32
#define VM_CHUNK (2ull << 20) /* guest RAM is allocated in 2 MiB chunks */

typedef int (*mmio_read_fn)(void *ctx, uint64_t off, unsigned size, uint64_t *val);
typedef int (*mmio_write_fn)(void *ctx, uint64_t off, unsigned size, uint64_t val);
typedef int (*pio_in_fn)(void *ctx, uint16_t port, unsigned size, uint32_t *val);
typedef int (*pio_out_fn)(void *ctx, uint16_t port, unsigned size, uint32_t val);

struct mmio_region {
	uint64_t base, size;
	mmio_read_fn read;
	mmio_write_fn write;
	void *ctx;
};

struct pio_region {
	uint16_t base, count;
	pio_in_fn in;
	pio_out_fn out;
	void *ctx;
};

struct vm_counters {
	uint64_t outside_reads, outside_writes; /* accesses beyond RAM and devices */
	uint64_t unhandled_pio;
	uint64_t mmio_emulated;
	uint64_t ept_faults_in; /* pages mapped back on access */
	uint64_t test_cases, test_failures;
};

/* CPUID answers without subleaves, computed once per VM (vmm/cpuid.c). */
#define VM_CPUID_BASIC 0x20
#define VM_CPUID_EXT 9
struct vm_cpuid_cache {
	bool ready;
	uint32_t max_basic;
	uint32_t basic[VM_CPUID_BASIC][4];
	uint32_t ext[VM_CPUID_EXT][4];
};

/* The manifest's scheduler settings for a VM (docs/scheduler.md). */
struct vm_sched_cfg {
	unsigned weight;          /* 0: the default */
	unsigned cap_pct;         /* 0: none */
	unsigned reservation_pct; /* 0: none */
	uint64_t affinity;        /* CPUs its vCPUs may run on; 0: all */
	bool pin_each;            /* tests: vCPU i only on CPU i mod CPUs */
};

struct platform;
struct vm {
	unsigned id;
	char name[32];
	uint64_t mem_size;  /* bytes of RAM from guest-physical 0 */
	size_t nchunks;
	uint64_t *chunks;   /* host-physical base of each 2 MiB chunk */
	void *ept;          /* the backend's second-level tables */
	unsigned nvcpus;
	struct vcpu *vcpus[VM_MAX_VCPUS];
	size_t nmmio, npio;
	struct mmio_region mmio[VM_MAX_MMIO];
	struct pio_region pio[VM_MAX_PIO];
	bool stopped;
	bool test_passed; /* HC_TEST_DONE(1) */
	char stop_reason[128];
	uint64_t tsc_offset;
	struct vm_counters ctr;
	struct vm_cpuid_cache cpuid;
	struct platform *platform; /* the PC devices, NULL for bare test VMs */
	/*
	 * The VM lock serialises everything its vCPUs share: devices, the
	 * exit handlers' VM-wide state, vCPU state changes, the EPT. A vCPU
	 * holds it from VM exit to the next VM entry (never while in the
	 * guest). Taken after no other lock except none; the scheduler's
	 * runqueue locks may be taken under it (they are leaves).
	 */
	struct spinlock lock;
	struct vm_sched_cfg sched_cfg;
	struct sched_vm sv;
	uint64_t started_ns;    /* host time it was created */
	unsigned host_cpus;     /* CPUs its scheduler has (set by the runner) */
	uint64_t next_event_ns; /* earliest timer of a device or test timer (atomic; ~0 none) */
};

/* Allocate the VM and its RAM (zeroed). NULL when memory is short. */
struct vm *vm_create(const char *name, uint64_t mem_size, unsigned nvcpus);
void vm_destroy(struct vm *vm);
/* Stop the VM: every vCPU stops at its next exit; prints the reason once. */
void vm_stop(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Spin until the VM lock is ours; the wait serves cross-CPU requests
 * (env_spin_wait), so a lock holder may wait for this CPU. */
static inline void vm_lock(struct vm *vm)
{
	while (__builtin_expect(!spin_trylock(&vm->lock), 0))
		env_spin_wait();
}
static inline void vm_unlock(struct vm *vm)
{
	spin_unlock(&vm->lock);
}

/* vCPU state changes that concern the scheduler, called under the VM lock.
 * vcpu_make_runnable: a halted or parked vCPU has something to do (an
 * interrupt, a SIPI); vcpu_notify: an event is pending for a vCPU that may
 * be running on another CPU (make it exit so the event is delivered). The
 * runner installs the hooks; without them these only set the state. */
void vcpu_make_runnable(struct vcpu *v);
void vcpu_notify(struct vcpu *v);
struct vmm_sched_hooks {
	void (*wake)(struct vcpu *v);
	void (*notify)(struct vcpu *v);
};
extern struct vmm_sched_hooks vmm_sched_hooks;

/* Host pointer to guest RAM [gpa, gpa+len) if it lies inside one chunk, else NULL. */
void *vm_gpa_ptr(struct vm *vm, uint64_t gpa, size_t len);
/* Copy to/from guest RAM across chunks; -EFAULT if any byte is outside RAM. */
int vm_read(struct vm *vm, uint64_t gpa, void *buf, size_t len);
int vm_write(struct vm *vm, uint64_t gpa, const void *buf, size_t len);

int vm_add_mmio(struct vm *vm, const struct mmio_region *r);
int vm_add_pio(struct vm *vm, const struct pio_region *r);
struct mmio_region *vm_find_mmio(struct vm *vm, uint64_t gpa);
struct pio_region *vm_find_pio(struct vm *vm, uint16_t port);
#endif
