/*
 * SMP guest: the BSP starts vCPU 1 with INIT-SIPI-SIPI through its virtual
 * LAPIC (SDM Vol. 3A 9.4.4.1); the AP comes up in real mode at the SIPI
 * vector's page (a trampoline copied to 0x8000), enters protected mode,
 * checks its APIC id, and sends an IPI back to the BSP.
 */
#include "pc.h"

#define TRAMPOLINE 0x8000u
extern const uint8_t ap_tramp_start[], ap_tramp_end[];
static volatile uint32_t ap_alive, ap_apic_id = 99, ap_cpuid_id = 99;
static uint8_t ap_stack[4096] __attribute__((aligned(16)));
uint32_t ap_stack_top = (uint32_t)(ap_stack + sizeof(ap_stack));

void ap_main(void);
void ap_main(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	ap_cpuid_id = r[1] >> 24;
	lapic_enable();
	ap_apic_id = LAPIC_REG(0x20) >> 24;
	__atomic_add_fetch(&ap_alive, 1, __ATOMIC_SEQ_CST);
	/* Fixed IPI, vector 0x70, to APIC 0. */
	LAPIC_REG(0x310) = 0;
	LAPIC_REG(0x300) = 0x4070;
	for (;;)
		__asm__ volatile("cli; hlt");
}

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

int gmain(void)
{
	irq_hook = lapic_eoi;
	pic_init(0);
	lapic_enable();
	__builtin_memcpy((void *)TRAMPOLINE, ap_tramp_start, (size_t)(ap_tramp_end - ap_tramp_start));
	guest_sti();
	LAPIC_REG(0x310) = 1u << 24;
	LAPIC_REG(0x300) = 0x4500; /* INIT */
	wait_ms(10);
	for (int i = 0; i < 2; i++) {
		LAPIC_REG(0x310) = 1u << 24;
		LAPIC_REG(0x300) = 0x4600 | (TRAMPOLINE >> 12); /* STARTUP, vector 0x08 */
		wait_ms(1);
	}
	wait_ms(20);
	guest_cli();
	gprintf("smp: AP alive %u, APIC id %u, CPUID id %u, IPIs at the BSP %u\n", ap_alive, ap_apic_id,
		ap_cpuid_id, traps.count[0x70]);
	CHECK("ap_started_once", ap_alive == 1);
	CHECK("ap_apic_id_1", ap_apic_id == 1);
	CHECK("ap_cpuid_initial_apic_id_1", ap_cpuid_id == 1);
	CHECK("ipi_ap_to_bsp", traps.count[0x70] == 1);
	return 0;
}
