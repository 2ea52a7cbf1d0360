/*
 * dittoctl: Ditto's hypercalls from a Linux guest's user space (CPL 3 may
 * make HC_VERSION, HC_VM_INFO, HC_VCPU_STATS and HC_SCHED_STATS:
 * docs/hypercalls.md). Static, no libc: raw Linux syscalls, so it drops
 * into any initramfs.
 *   dittoctl            version, VM name and id, vCPUs, memory
 *   dittoctl stats      this vCPU's exit counters
 *   dittoctl sched      the scheduler's accounting of this VM and its vCPUs
 * Exit status 1 when not running under Ditto (CPUID says so).
 */
#include <stddef.h>
#include <stdint.h>
#include "ditto/hypercall.h"

static long sys3(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

static void out(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	sys3(1, 1, (long)s, (long)n);
}

static void outu(unsigned long long v)
{
	char b[24];
	int i = 23;
	b[i] = 0;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out(b + i);
}

static long hc(unsigned long nr, unsigned long a, unsigned long b)
{
	long r;
	__asm__ volatile("vmcall" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(0), "S"(0) : "memory");
	return r;
}

static int under_ditto(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 31)))
		return 0;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(DITTO_CPUID_BASE), "c"(0));
	char sig[12];
	__builtin_memcpy(sig, &b, 4);
	__builtin_memcpy(sig + 4, &c, 4);
	__builtin_memcpy(sig + 8, &d, 4);
	return !__builtin_memcmp(sig, DITTO_CPUID_SIGNATURE, 12);
}

static void field(const char *name, unsigned long long v)
{
	out(" ");
	out(name);
	out(" ");
	outu(v);
}

static void sched_line(const char *head, const struct ditto_sched_vcpu *c)
{
	out(head);
	field("run_ms", c->run_ns / 1000000);
	field("steal_ms", c->wait_ns / 1000000);
	field("halt_ms", c->halt_ns / 1000000);
	field("migrations", c->migrations);
	field("slices", c->scheduled);
	field("wakeups", c->wakeups);
	field("exits", c->exits);
	out("\n");
}

static int sched_stats(void)
{
	static struct ditto_sched_stats st;
	/* Ditto does not fault pages in for the guest (docs/hypercalls.md):
	 * touch the buffer so Linux maps its .bss pages before the call. */
	__builtin_memset(&st, 0, sizeof(st));
	long n = hc(HC_SCHED_STATS, (unsigned long)&st, sizeof(st));
	if (n < (long)sizeof(st)) {
		out("dittoctl: HC_SCHED_STATS failed\n");
		return 1;
	}
	out("sched vm");
	field("weight", st.weight);
	field("cap", st.cap_pct);
	field("reservation", st.reservation_pct);
	field("vcpus", st.vcpus);
	field("host_cpus", st.host_cpus);
	field("elapsed_ms", st.elapsed_ns / 1000000);
	out("\n");
	sched_line("sched total", &st.total);
	static const char *const states[] = { "halted", "waiting", "running", "removed" };
	for (unsigned i = 0; i < st.vcpus && i < DITTO_SCHED_MAX_VCPUS; i++) {
		out("sched vcpu ");
		outu(i);
		out(" ");
		out(st.vcpu[i].state < 4 ? states[st.vcpu[i].state] : "?");
		out(" on cpu ");
		outu(st.vcpu[i].cpu);
		sched_line("", &st.vcpu[i]);
	}
	return 0;
}

static int run(int argc, char **argv)
{
	if (!under_ditto()) {
		out("dittoctl: not running under Ditto\n");
		return 1;
	}
	long v = hc(HC_VERSION, 0, 0);
	struct ditto_vm_info info;
	__builtin_memset(&info, 0, sizeof(info));
	long n = hc(HC_VM_INFO, (unsigned long)&info, sizeof(info));
	if (argc > 1 && argv[1][0] == 's' && argv[1][1] == 'c')
		return sched_stats();
	if (argc > 1 && argv[1][0] == 's') {
		static struct ditto_vcpu_stats st;
		__builtin_memset(&st, 0, sizeof(st)); /* mapped before the call */
		if (hc(HC_VCPU_STATS, (unsigned long)&st, sizeof(st)) < 0) {
			out("dittoctl: HC_VCPU_STATS failed\n");
			return 1;
		}
		out("exits ");
		outu(st.exits_total);
		out("\ntsc_in_guest ");
		outu(st.tsc_in_guest);
		out("\ntsc_in_ditto ");
		outu(st.tsc_in_handlers);
		out("\n");
		return 0;
	}
	out("ditto abi ");
	outu((unsigned long long)(v >> 16));
	out(".");
	outu((unsigned long long)(v & 0xffff));
	if (n > 0) {
		out("\nvm ");
		out(info.name);
		out(" id ");
		outu(info.vm_id);
		out(" vcpus ");
		outu(info.vcpus);
		out(" memory ");
		outu(info.memory_bytes >> 20);
		out("M");
	}
	out("\n");
	return 0;
}

void dittoctl_main(long *sp);
void dittoctl_main(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	sys3(60, run(argc, argv), 0, 0); /* exit */
}

__asm__(".text\n.globl _start\n_start:\n  movq %rsp, %rdi\n  andq $-16, %rsp\n  call dittoctl_main\n  hlt\n");
