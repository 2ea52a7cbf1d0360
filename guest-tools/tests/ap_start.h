/*
 * Starting the second vCPU of a test guest: INIT-SIPI-SIPI through the
 * virtual LAPIC (SDM Vol. 3A 9.4.4.1); the AP comes up in real mode at the
 * SIPI vector's page (a trampoline copied to 0x8000), enters protected
 * mode and calls the test's ap_main() on its own stack. Include once, from
 * the test's .c file (it defines the trampoline).
 */
#ifndef AP_START_H
#define AP_START_H
#include "pc.h"

#define AP_TRAMPOLINE 0x8000u

void ap_main(void); /* the test's: runs on the AP, must not return */

extern const uint8_t ap_tramp_start[], ap_tramp_end[];
static uint8_t ap_stack[4096] __attribute__((aligned(16)));
uint32_t ap_stack_top = (uint32_t)(ap_stack + sizeof(ap_stack));

/* Real-mode trampoline, position-independent within its page: CS = 0x800. */
__asm__(".section .rodata\n"
	".globl ap_tramp_start, ap_tramp_end\n"
	".code16\n"
	"ap_tramp_start:\n"
	"  cli\n"
	"  movw %cs, %ax\n"
	"  movw %ax, %ds\n"
	"  lgdtl ap_gdtr - ap_tramp_start\n"
	"  movl %cr0, %eax\n"
	"  orl $1, %eax\n"
	"  movl %eax, %cr0\n"
	"  ljmpl $0x08, $ap_entry32\n"
	".balign 8\n"
	"ap_gdt:\n"
	"  .quad 0, 0x00cf9a000000ffff, 0x00cf92000000ffff\n"
	"ap_gdtr:\n"
	"  .word 23\n"
	"  .long 0x8000 + ap_gdt - ap_tramp_start\n"
	"ap_tramp_end:\n"
	".code32\n"
	".text\n"
	"ap_entry32:\n"
	"  movw $0x10, %ax\n"
	"  movw %ax, %ds\n"
	"  movw %ax, %es\n"
	"  movw %ax, %ss\n"
	"  movl ap_stack_top, %esp\n"
	"  call ap_main\n");

/* INIT, 10 ms, STARTUP, STARTUP to APIC id 1 (the BSP's LAPIC must be on). */
static inline void ap_start(void)
{
	__builtin_memcpy((void *)AP_TRAMPOLINE, ap_tramp_start, (size_t)(ap_tramp_end - ap_tramp_start));
	LAPIC_REG(0x310) = 1u << 24;
	LAPIC_REG(0x300) = 0x4500; /* INIT */
	wait_ms(10);
	for (int i = 0; i < 2; i++) {
		LAPIC_REG(0x310) = 1u << 24;
		LAPIC_REG(0x300) = 0x4600 | (AP_TRAMPOLINE >> 12); /* STARTUP, vector 0x08 */
		wait_ms(1);
	}
}
#endif
