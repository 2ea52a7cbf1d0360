#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H
#include <stdint.h>

/* What the entry stubs push (arch/x86_64/idt_entry.S), lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define VEC_IRQ_BASE 0x20
#define VEC_TIMER 0xf0
#define VEC_IPI_RESCHED 0xf1
#define VEC_IPI_CALL 0xf2
#define VEC_IPI_STOP 0xf3
#define VEC_SPURIOUS 0xff

typedef void (*irq_handler_fn)(struct trap_frame *f);
void idt_init(void);
void idt_load(void);
void irq_register(uint8_t vector, irq_handler_fn fn);
/* A test hook: the vector whose exception is expected (e.g. a deliberate #UD
 * in a test), or -1. */
extern int trap_expected_vector;

#endif
