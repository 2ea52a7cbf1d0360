/* Test-guest runtime: GDT, IDT with counting handlers, console, checks. */
#include <stdarg.h>
#include "ditto/fmt.h"
#include "guest.h"

struct trap_log traps;
void (*irq_hook)(uint32_t vector);
int check_failures;

/* Flat GDT: 0x08 code, 0x10 data (the loader's hidden segment state matches). */
static const uint64_t gdt[3] __attribute__((aligned(8))) = {
	0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull,
};
static uint64_t idt[256] __attribute__((aligned(8)));
extern const uint32_t isr_table[256];

struct gframe {
	uint32_t edi, esi, ebp, esp_, ebx, edx, ecx, eax;
	uint32_t vector, error, eip, cs, eflags;
};

void guest_trap(struct gframe *f);
void guest_trap(struct gframe *f)
{
	traps.count[f->vector & 255]++;
	traps.last_vector = f->vector;
	traps.last_error = f->error;
	traps.last_eip = f->eip;
	if (f->vector >= 32 && irq_hook)
		irq_hook(f->vector);
	if (traps.expect && (int)f->vector == traps.expect) {
		traps.expect = 0;
		return;
	}
	if (f->vector < 32 && traps.fixup_skip) {
		f->eip += traps.fixup_skip;
		traps.fixup_skip = 0;
		return;
	}
	if (f->vector < 32 && f->vector != 3) {
		gprintf("unexpected exception %u at eip 0x%x error 0x%x\n", f->vector, f->eip, f->error);
		check("no_unexpected_exception", false);
		hypercall(HC_TEST_DONE, 0, 0, 0, 0);
	}
}

/* Stubs: push a zero error code where the CPU does not, then the vector. */
__asm__(".text\n"
	".altmacro\n"
	".macro gstub v\n"
	"gisr_\\v:\n"
	".if !((\\v == 8) || ((\\v >= 10) && (\\v <= 14)) || (\\v == 17))\n"
	"  pushl $0\n"
	".endif\n"
	"  pushl $\\v\n"
	"  jmp gisr_common\n"
	".endm\n"
	".set i, 0\n"
	".rept 256\n"
	"  gstub %i\n"
	"  .set i, i + 1\n"
	".endr\n"
	"gisr_common:\n"
	"  pushal\n"
	"  pushl %esp\n"
	"  call guest_trap\n"
	"  addl $4, %esp\n"
	"  popal\n"
	"  addl $8, %esp\n"
	"  iretl\n"
	".section .rodata\n"
	".macro gaddr v\n"
	"  .long gisr_\\v\n"
	".endm\n"
	".globl isr_table\n"
	"isr_table:\n"
	".set i, 0\n"
	".rept 256\n"
	"  gaddr %i\n"
	"  .set i, i + 1\n"
	".endr\n"
	".text\n");

void guest_init(void);
void guest_init(void)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uint32_t)gdt },
		idtr = { sizeof(idt) - 1, (uint32_t)idt };
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp $0x08, $1f\n"
			 "1: movw $0x10, %%ax\n\t"
			 "movw %%ax, %%ds; movw %%ax, %%es; movw %%ax, %%ss; movw %%ax, %%fs; movw %%ax, %%gs"
			 : : "m"(gdtr) : "eax", "memory");
	for (int v = 0; v < 256; v++) {
		uint32_t a = isr_table[v];
		idt[v] = (a & 0xffff) | (0x08u << 16) | ((uint64_t)0x8e00 << 32) | ((uint64_t)(a >> 16) << 48);
	}
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

void guest_finish(int rc);
void guest_finish(int rc)
{
	hypercall(HC_TEST_DONE, rc == 0 && check_failures == 0, 0, 0, 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void gprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	hypercall(HC_CONSOLE_WRITE, (unsigned long)buf, (unsigned long)n, 0, 0);
}

void check(const char *name, bool ok)
{
	size_t n = 0;
	while (name[n])
		n++;
	if (!ok)
		check_failures++;
	hypercall(HC_TEST_CASE, (unsigned long)name, n, ok, 0);
}

int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0, before = traps.count[13];
	traps.fixup_skip = 2; /* rdmsr is 0f 32 */
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	traps.fixup_skip = 0;
	*val = ((uint64_t)hi << 32) | lo;
	return traps.count[13] != before ? -1 : 0;
}

int wrmsr_safe(uint32_t msr, uint64_t val)
{
	uint32_t before = traps.count[13];
	traps.fixup_skip = 2;
	__asm__ volatile("wrmsr" ::"a"((uint32_t)val), "d"((uint32_t)(val >> 32)), "c"(msr) : "memory");
	traps.fixup_skip = 0;
	return traps.count[13] != before ? -1 : 0;
}

void guest_sti(void) { __asm__ volatile("sti" ::: "memory"); }
void guest_cli(void) { __asm__ volatile("cli" ::: "memory"); }

/* 64-bit division for 32-bit code (what libgcc would give; no multilib needed). */
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = 0;
	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << i;
		}
	}
	if (rem)
		*rem = r;
	return q;
}
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __udivdi3(uint64_t n, uint64_t d) { return __udivmoddi4(n, d, 0); }
uint64_t __umoddi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d) { uint64_t r; __udivmoddi4(n, d, &r); return r; }
