/*
 * Ditto's hypercall ABI (docs/hypercalls.md), shared by guests and Ditto.
 *
 * Instruction: VMCALL. Number in RAX; arguments in RBX, RCX, RDX, RSI
 * (32-bit guests: EBX, ECX, EDX, ESI, zero-extended). Result in RAX: >= 0 on
 * success, a negative errno (Linux values) on error. No other register
 * changes. Buffers are the caller's linear (virtual) addresses.
 * CPUID leaf 0x40000000 tells whether Ditto is there.
 */
#ifndef DITTO_HYPERCALL_H
#define DITTO_HYPERCALL_H

#define DITTO_CPUID_BASE 0x40000000u
#define DITTO_CPUID_SIGNATURE "DittoDittoVM" /* EBX, ECX, EDX of the base leaf */
#define DITTO_CPUID_INFO 0x40000001u       /* EAX = ABI version, EBX = 1 (VMCALL) */
#define DITTO_CPUID_TIMING 0x40000010u     /* EAX = TSC kHz, EBX = LAPIC timer kHz (0: no LAPIC) */

#define DITTO_ABI_MAJOR 1
#define DITTO_ABI_MINOR 1
#define DITTO_ABI_VERSION ((DITTO_ABI_MAJOR << 16) | DITTO_ABI_MINOR)

/* Numbers. U = allowed from user mode (CPL 3); the others need CPL 0. */
#define HC_VERSION 0        /* U: () -> DITTO_ABI_VERSION */
#define HC_CONSOLE_WRITE 1  /* (buffer, len <= 4096) -> len */
#define HC_VM_INFO 2        /* U: (buffer, len) -> bytes written: struct ditto_vm_info */
#define HC_VCPU_STATS 3     /* U: (buffer, len) -> bytes written: struct ditto_vcpu_stats */
#define HC_TEST_CASE 16     /* (name gpa, name len <= 64, ok) -> 0: one counted test case */
#define HC_TEST_DONE 17     /* (pass) -> does not return: the VM stops */
#define HC_TEST_INJECT 18   /* (vector, type, error code or -1) -> 0: inject at next entry */
#define HC_TEST_UNMAP 19    /* (gpa) -> 0: drop the page from EPT; it faults back in */
#define HC_SCHED_STATS 20   /* U: (buffer, len) -> bytes written: struct ditto_sched_stats */
#define HC_TEST_EPT_ALIAS 21 /* (dst gpa, src gpa) -> CPUs besides the caller's that invalidated:
			      * dst's page now maps src's frame */
#define HC_MAX 22

#define HC_TYPE_EXTINT 0 /* HC_TEST_INJECT types */
#define HC_TYPE_EXCEPTION 3

/* Errors */
#define HC_EPERM 1
#define HC_EFAULT 14
#define HC_EINVAL 22
#define HC_ENOSYS 38

struct ditto_vm_info {
	unsigned int vm_id;
	unsigned int vcpus;
	unsigned long long memory_bytes;
	char name[32];
};

struct ditto_vcpu_stats {
	unsigned long long exits_total;
	unsigned long long exits_by_reason[70];
	unsigned long long tsc_in_guest;
	unsigned long long tsc_in_handlers;
};

/* The scheduler's accounting of the calling VM (docs/scheduler.md). Times
 * in ns of host time since the VM started; a vCPU's current halted or
 * waiting interval is included. */
#define DITTO_SCHED_MAX_VCPUS 8
struct ditto_sched_vcpu {
	unsigned long long run_ns;     /* ran on a physical CPU */
	unsigned long long wait_ns;    /* runnable but not running (steal) */
	unsigned long long halt_ns;    /* halted (HLT, waiting for SIPI) */
	unsigned long long migrations; /* moved to another CPU's runqueue */
	unsigned long long scheduled;  /* slices */
	unsigned long long wakeups;
	unsigned long long exits;
	unsigned int cpu;              /* the CPU it runs or last ran on */
	unsigned int state;            /* 0 halted, 1 waiting, 2 running, 3 removed */
};

struct ditto_sched_stats {
	unsigned long long elapsed_ns; /* since the VM started */
	unsigned int weight, cap_pct, reservation_pct, vcpus;
	unsigned int host_cpus, reserved;
	struct ditto_sched_vcpu total; /* sums over the vCPUs (cpu, state: 0) */
	struct ditto_sched_vcpu vcpu[DITTO_SCHED_MAX_VCPUS];
};

#endif
