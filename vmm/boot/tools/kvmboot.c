/*
 * linux-kvmboot: a smoke test of the loader's output on real hardware
 * virtualization, before Ditto's own VMX path runs Linux: the loader fills a
 * VM made by vm_create, and this host program hands that very memory and the
 * returned struct vcpu_boot to KVM (/dev/kvm), with KVM's in-kernel
 * PIC/IOAPIC/LAPIC/PIT and Ditto's 16550 model (vmm/dev/uart16550.c) as
 * ttyS0 on IRQ 4. No ACPI tables, no other devices: ports read all ones.
 *
 *   build/tools/linux-kvmboot [--mem MIB] [--timeout S] BZIMAGE INITRD [CMDLINE]
 *
 * Prints the guest's console; exits 0 once a console line contains
 * DITTO-LINUX-INIT-OK (tests/linux/mkinitramfs.sh's /init prints it), 1 on a
 * triple fault, a failed KVM call or the timeout. A host tool, not part of
 * the monitor; needs read/write access to /dev/kvm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vmm/boot/linux.h"
#include "vmm/boot/longmode.h"
#include "vmm/dev/uart16550.h"

#define COM1 0x3f8
#define COM1_IRQ 4

static int vmfd;
static volatile sig_atomic_t marker_seen, stopping, timed_out;
static unsigned long long nexits;

/* Interrupts KVM_RUN (EINTR); the loop then stops. */
static void on_alarm(int sig)
{
	timed_out = 1;
}

static int finish(int vcpufd, struct vuart *u)
{
	vuart_flush_all(u);
	if (marker_seen) {
		printf("kvmboot: DITTO-LINUX-INIT-OK seen (%llu exits)\n", nexits);
		return 0;
	}
	struct kvm_regs r;
	struct kvm_sregs s;
	ioctl(vcpufd, KVM_GET_REGS, &r);
	ioctl(vcpufd, KVM_GET_SREGS, &s);
	printf("kvmboot: timeout after %llu exits: rip 0x%llx rsp 0x%llx cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx cs 0x%x\n",
	       nexits, (unsigned long long)r.rip, (unsigned long long)r.rsp,
	       (unsigned long long)s.cr0, (unsigned long long)s.cr3, (unsigned long long)s.cr4,
	       (unsigned long long)s.efer, s.cs.selector);
	return 1;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void irq_set(void *ctx, unsigned pin, bool level)
{
	struct kvm_irq_level l = { .irq = pin, .level = level };
	if (ioctl(vmfd, KVM_IRQ_LINE, &l) < 0)
		die("KVM_IRQ_LINE");
}

static void console_line(void *ctx, const char *line, size_t len)
{
	printf("guest| %.*s\n", (int)len, line);
	fflush(stdout);
	if (memmem(line, len, "DITTO-LINUX-INIT-OK", 19))
		marker_seen = 1;
}

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die(path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || n < 0 || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(path);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* The entry state of struct vcpu_boot (BOOT_LONG64) as KVM segment registers. */
static void set_long_mode(int vcpufd, const struct vcpu_boot *b)
{
	struct kvm_sregs s;
	if (ioctl(vcpufd, KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_SREGS");
	struct kvm_segment code = { .base = 0, .limit = 0xffffffff, .selector = LM_GDT_CS,
				    .type = 11, .present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1 };
	struct kvm_segment data = { .base = 0, .limit = 0xffffffff, .selector = LM_GDT_DS,
				    .type = 3, .present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1 };
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.gdt.base = b->gdt_base;
	s.gdt.limit = b->gdt_limit;
	s.cr3 = b->cr3;
	s.cr4 = 1u << 5;                                   /* PAE */
	s.cr0 = (1u << 0) | (1u << 4) | (1u << 16) | (1u << 31); /* PE ET WP PG */
	s.efer = (1u << 8) | (1u << 10);                   /* LME LMA */
	if (ioctl(vcpufd, KVM_SET_SREGS, &s) < 0)
		die("KVM_SET_SREGS");
	struct kvm_regs r = { 0 };
	r.rip = b->rip;
	r.rsp = b->rsp;
	r.rsi = b->gpr[RSI];
	r.rflags = 2 | b->rflags;
	if (ioctl(vcpufd, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
}

static void set_cpuid(int kvm, int vcpufd)
{
	size_t n = 256;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	c->nent = (uint32_t)n;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) < 0)
		die("KVM_GET_SUPPORTED_CPUID");
	if (ioctl(vcpufd, KVM_SET_CPUID2, c) < 0)
		die("KVM_SET_CPUID2");
	free(c);
}

int main(int argc, char **argv)
{
	unsigned mib = 256, timeout = 120;
	int i = 1;
	while (i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-') {
		if (!strcmp(argv[i], "--mem"))
			mib = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--timeout"))
			timeout = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else
			break;
		i += 2;
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: %s [--mem MIB] [--timeout S] BZIMAGE INITRD [CMDLINE]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct linux_load_args a = { 0 };
	a.kernel = slurp(argv[i], &a.kernel_size);
	a.initrd = slurp(argv[i + 1], &a.initrd_size);
	a.cmdline = i + 2 < argc ? argv[i + 2] : "console=ttyS0 panic=-1";

	struct vm *vm = vm_create("kvmboot", (uint64_t)mib << 20, 1);
	if (!vm)
		die("vm_create");
	struct vcpu_boot b;
	struct linux_layout l;
	char err[256];
	if (linux_load(vm, &a, &b, &l, err, sizeof(err))) {
		fprintf(stderr, "linux_load: %s\n", err);
		return 1;
	}
	printf("kvmboot: kernel 0x%llx initrd 0x%llx+%llu, entry 0x%llx, %u MiB\n",
	       (unsigned long long)l.kernel, (unsigned long long)l.initrd,
	       (unsigned long long)l.initrd_size, (unsigned long long)b.rip, mib);

	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vmfd = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vmfd < 0)
		die("KVM_CREATE_VM");
	if (ioctl(vmfd, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0)
		die("KVM_SET_TSS_ADDR");
	if (ioctl(vmfd, KVM_CREATE_IRQCHIP, 0) < 0)
		die("KVM_CREATE_IRQCHIP");
	struct kvm_pit_config pit = { .flags = 0 };
	if (ioctl(vmfd, KVM_CREATE_PIT2, &pit) < 0)
		die("KVM_CREATE_PIT2");
	/* The VM's RAM as the loader wrote it: one slot per 2 MiB chunk. */
	for (size_t c = 0; c < vm->nchunks; c++) {
		struct kvm_userspace_memory_region r = {
			.slot = (uint32_t)c,
			.guest_phys_addr = c * VM_CHUNK,
			.memory_size = VM_CHUNK,
			.userspace_addr = (uint64_t)(uintptr_t)env_phys_to_virt(vm->chunks[c]),
		};
		if (ioctl(vmfd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
			die("KVM_SET_USER_MEMORY_REGION");
	}
	int vcpufd = ioctl(vmfd, KVM_CREATE_VCPU, 0);
	if (vcpufd < 0)
		die("KVM_CREATE_VCPU");
	set_cpuid(kvm, vcpufd);
	set_long_mode(vcpufd, &b);
	int runsz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, (size_t)runsz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpufd, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");

	static struct vuart uart;
	vuart_init(&uart, (struct virq_line){ irq_set, NULL, COM1_IRQ }, console_line, NULL);
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	alarm(timeout);
	for (;;) {
		if (timed_out)
			return finish(vcpufd, &uart);
		if (ioctl(vcpufd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		nexits++;
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			uint8_t *d = (uint8_t *)run + run->io.data_offset;
			for (uint32_t k = 0; k < run->io.count; k++, d += run->io.size) {
				bool wr = run->io.direction == KVM_EXIT_IO_OUT;
				uint16_t port = run->io.port;
				if (port >= COM1 && port < COM1 + 8 && run->io.size == 1) {
					uint32_t v = wr ? *d : 0;
					vuart_pio(&uart, port - COM1, 1, wr, &v);
					if (!wr)
						*d = (uint8_t)v;
				} else if (!wr) {
					memset(d, 0xff, run->io.size);
				}
			}
			vuart_flush_lines(&uart, 64);
			break;
		}
		case KVM_EXIT_MMIO:
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
			break;
		case KVM_EXIT_HLT:
			vuart_flush_all(&uart);
			printf("kvmboot: guest halted\n");
			return marker_seen ? 0 : 1;
		case KVM_EXIT_SHUTDOWN:
			vuart_flush_all(&uart);
			printf("kvmboot: guest shutdown (triple fault?)\n");
			return 1;
		default:
			vuart_flush_all(&uart);
			printf("kvmboot: exit reason %u\n", run->exit_reason);
			return 1;
		}
		if (marker_seen && !stopping) {
			/* A second for the power-off lines, then stop (after poweroff -f
			 * the vCPU halts inside KVM: no further exit). */
			stopping = 1;
			alarm(1);
		}
	}
}
