/* The library of Ditto's freestanding test guests (32-bit, flat, ring 0). */
#ifndef GUEST_H
#define GUEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ditto/hypercall.h"

static inline long hypercall(unsigned long nr, unsigned long a, unsigned long b, unsigned long c,
			     unsigned long d)
{
	long r;
	__asm__ volatile("vmcall" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
	return r;
}

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

/* Trap bookkeeping (guest.c): every vector counts; a fault whose handler
 * should skip the faulting instruction sets `fixup_skip` first. */
struct trap_log {
	volatile uint32_t count[256];
	volatile uint32_t last_vector, last_error, last_eip;
	volatile uint32_t fixup_skip;
	volatile int expect; /* an exception vector the test injects: counted, returns */
};
extern struct trap_log traps;

/* Called for every interrupt vector >= 32 after counting (EOI goes here). */
extern void (*irq_hook)(uint32_t vector);

void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One counted test case, reported to Ditto. */
void check(const char *name, bool ok);
#define CHECK(name, cond) check(name, (cond))
extern int check_failures;

/* MSR access that survives #GP: returns 0, or -1 if it faulted. */
int rdmsr_safe(uint32_t msr, uint64_t *val);
int wrmsr_safe(uint32_t msr, uint64_t val);
/* Sets the vector's handler to count and return (no fixup). */
void guest_sti(void);
void guest_cli(void);
int gmain(void);
#endif
