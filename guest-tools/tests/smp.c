/*
 * SMP guest: the BSP starts vCPU 1 with INIT-SIPI-SIPI through its virtual
 * LAPIC (SDM Vol. 3A 9.4.4.1); the AP comes up in real mode at the SIPI
 * vector's page (a trampoline copied to 0x8000), enters protected mode,
 * checks its APIC id, and sends an IPI back to the BSP.
 */
#include "ap_start.h"

static volatile uint32_t ap_alive, ap_apic_id = 99, ap_cpuid_id = 99;

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

int gmain(void)
{
	irq_hook = lapic_eoi;
	pic_init(0);
	lapic_enable();
	guest_sti();
	ap_start();
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
