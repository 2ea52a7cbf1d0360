/*
 * IDT: 256 interrupt gates (SDM Vol. 3A 6.14.1). Exceptions in Ditto itself
 * are broken invariants: they panic with registers, CR2, the error code and a
 * backtrace. #DF, NMI and #MC run on their own IST stacks.
 */
#include "arch/panic.h"
#include "arch/percpu.h"
#include "arch/regs.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "ditto/env.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type; /* P | DPL | 0xE (64-bit interrupt gate) */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_fn handlers[256];
extern const uint64_t isr_stub_table[256];
int trap_expected_vector = -1;

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD exception", "#VE virtualization exception",
	"#CP control protection",
};

const char *exception_name(unsigned v)
{
	if (v < 32 && exc_names[v])
		return exc_names[v];
	return v < 32 ? "reserved exception" : "interrupt";
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t a = isr_stub_table[v];
		idt[v].off_lo = (uint16_t)a;
		idt[v].sel = SEL_KCODE;
		idt[v].ist = v == EXC_DF ? IST_DF : v == EXC_NMI ? IST_NMI : v == EXC_MC ? IST_MC : 0;
		idt[v].type = 0x8e;
		idt[v].off_mid = (uint16_t)(a >> 16);
		idt[v].off_hi = (uint32_t)(a >> 32);
		idt[v].zero = 0;
	}
	idt_load();
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

void irq_register(uint8_t vector, irq_handler_fn fn)
{
	ENV_ASSERT(vector >= 32);
	handlers[vector] = fn;
}

void isr_dispatch(struct trap_frame *f);
void isr_dispatch(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;
	if (v < 32) {
		panic_frame(f, "exception %u (%s) at rip 0x%llx, error code 0x%llx", v,
			    exception_name(v), (unsigned long long)f->rip,
			    (unsigned long long)f->error);
	}
	if (handlers[v]) {
		handlers[v](f);
		return;
	}
	if (v == VEC_SPURIOUS)
		return;
	panic_frame(f, "unexpected interrupt vector 0x%x", v);
}
