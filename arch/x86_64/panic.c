/*
 * Panic: Ditto's own invariant is broken. Print everything needed to debug
 * it (message, registers, control registers, backtrace with symbols, any
 * registered dump such as the current VMCS), then end the run as a failure.
 */
#include <stdarg.h>
#include "arch/panic.h"
#include "arch/percpu.h"
#include "arch/smp.h"
#include "arch/x86.h"
#include "drivers/acpi.h"
#include "drivers/uart.h"
#include "lib/console.h"
#include "lib/spinlock.h"
#include "ditto/fmt.h"
#include "ditto/env.h"

/* Symbol table from scripts/ksyms.sh (second link). */
extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addrs[];
extern const uint32_t ksyms_name_offs[];
extern const char ksyms_names[];
extern char __text_start[], __text_end[];
extern char kernel_boot_stack[];

enum panic_action panic_action = PANIC_HALT;
static panic_dump_fn dump_hook;
static volatile int panicking;

void panic_set_dump_hook(panic_dump_fn fn)
{
	dump_hook = fn;
}

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksyms_count;
	if (!hi || addr < ksyms_addrs[0] || addr >= (uint64_t)__text_end)
		return NULL;
	while (hi - lo > 1) {
		uint64_t mid = (lo + hi) / 2;
		if (ksyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_addrs[lo];
	return ksyms_names + ksyms_name_offs[lo];
}

static void print_addr(int i, uint64_t a)
{
	uint64_t off;
	const char *name = ksym_lookup(a, &off);
	if (name)
		kprintf("  #%-2d 0x%016llx %s+0x%llx\n", i, (unsigned long long)a, name,
			(unsigned long long)off);
	else
		kprintf("  #%-2d 0x%016llx ?\n", i, (unsigned long long)a);
}

/* Frame pointers (-fno-omit-frame-pointer): [rbp] = caller's rbp, [rbp+8] =
 * return address. Walk at most 32 frames, only through kernel addresses. */
void backtrace_print(uint64_t rip, uint64_t rbp)
{
	kprintf("backtrace:\n");
	print_addr(0, rip);
	for (int i = 1; i < 32; i++) {
		if (rbp < KERNEL_VMA || rbp & 7 || rbp > ~0ull - 16)
			break;
		uint64_t ret = ((uint64_t *)rbp)[1];
		uint64_t next = ((uint64_t *)rbp)[0];
		if (ret < (uint64_t)__text_start || ret >= (uint64_t)__text_end)
			break;
		print_addr(i, ret - 1); /* inside the call instruction */
		if (next <= rbp)
			break;
		rbp = next;
	}
}

static void dump_frame(const struct trap_frame *f)
{
	kprintf("RIP %016llx  RSP %016llx  RFLAGS %016llx  CS %04llx SS %04llx\n",
		(unsigned long long)f->rip, (unsigned long long)f->rsp,
		(unsigned long long)f->rflags, (unsigned long long)f->cs, (unsigned long long)f->ss);
	kprintf("RAX %016llx  RBX %016llx  RCX %016llx  RDX %016llx\n", (unsigned long long)f->rax,
		(unsigned long long)f->rbx, (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	kprintf("RSI %016llx  RDI %016llx  RBP %016llx  R8  %016llx\n", (unsigned long long)f->rsi,
		(unsigned long long)f->rdi, (unsigned long long)f->rbp, (unsigned long long)f->r8);
	kprintf("R9  %016llx  R10 %016llx  R11 %016llx  R12 %016llx\n", (unsigned long long)f->r9,
		(unsigned long long)f->r10, (unsigned long long)f->r11, (unsigned long long)f->r12);
	kprintf("R13 %016llx  R14 %016llx  R15 %016llx\n", (unsigned long long)f->r13,
		(unsigned long long)f->r14, (unsigned long long)f->r15);
	kprintf("vector %llu (%s)  error code 0x%llx\n", (unsigned long long)f->vector,
		exception_name((unsigned)f->vector), (unsigned long long)f->error);
}

static void dump_cpu(void)
{
	kprintf("CR0 %016llx  CR2 %016llx  CR3 %016llx  CR4 %016llx\n",
		(unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
		(unsigned long long)read_cr3(), (unsigned long long)read_cr4());
}

static _Noreturn void panic_common(const struct trap_frame *f, uint64_t rip, uint64_t rbp,
				   const char *fmt, va_list ap)
{
	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST)) {
		/* A panic inside the panic: the first one is already talking. */
		for (;;)
			cpu_halt();
	}
	smp_stop_others(); /* one CPU's panic halts all: the dump stays readable */
	console_panic();
	kprintf("\nDITTO-PANIC: ");
	kvprintf(fmt, ap);
	kprintf("\n");
	if (f) {
		dump_frame(f);
		rip = f->rip;
		rbp = f->rbp;
	}
	dump_cpu();
	backtrace_print(rip, rbp);
	if (dump_hook) {
		panic_dump_fn h = dump_hook;
		dump_hook = NULL; /* a fault inside the hook must not loop */
		h();
	}
	kprintf("DITTO-RESULT: FAIL panic\n");
	if (panic_action == PANIC_EXIT)
		machine_exit(false);
	kprintf("ditto: halted (boot with ditto.on_panic=exit to power off instead)\n");
	uart_drain();
	for (;;)
		cpu_halt();
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	panic_common(NULL, (uint64_t)__builtin_return_address(0), read_rbp(), fmt, ap);
}

void panic_frame(const struct trap_frame *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	panic_common(f, 0, 0, fmt, ap);
}

void spin_deadlock(struct spinlock *l)
{
	panic("deadlock: spinlock %p held too long", (void *)l);
}

void env_panic(const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	panic("%s:%d: %s", file, line, msg);
}

void machine_exit(bool pass)
{
	irq_disable();
	console_queue(false); /* what is queued goes out first */
	uart_drain();
	if (pass) {
		/* Bochs: magic breakpoint, the -rc script quits with status 0. */
		__asm__ volatile("xchgw %bx, %bx");
		/* QEMU with isa-debug-exit at 0xf4: status (0x10 << 1) | 1 = 33. */
		outb(0xf4, 0x10);
	} else {
		/* QEMU: status 35. */
		outb(0xf4, 0x11);
	}
	/* ACPI soft-off: Bochs then exits with status 1 (its panic action);
	 * on hardware the machine powers off. */
	acpi_poweroff();
	/* Bochs' shutdown port, the last resort on an emulator. */
	for (const char *s = "Shutdown"; *s; s++)
		outb(0x8900, (uint8_t)*s);
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}
