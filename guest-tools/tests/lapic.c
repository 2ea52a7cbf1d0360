/* Local APIC: timer in periodic, one-shot and TSC-deadline modes; x2APIC. */
#include "pc.h"

int gmain(void)
{
	irq_hook = lapic_eoi;
	pic_init(0);
	lapic_enable();
	CHECK("id_zero", (LAPIC_REG(0x20) >> 24) == 0);
	CHECK("version_has_lvts", (LAPIC_REG(0x30) & 0xff) >= 0x10);
	uint32_t r[4];
	cpuid(DITTO_CPUID_TIMING, 0, r);
	uint32_t per_ms = r[1]; /* timer ticks per ms at divide 1 (kHz) */
	CHECK("lapic_khz_advertised", per_ms > 0);
	LAPIC_REG(0x3e0) = 0xb; /* divide by 1 */
	LAPIC_REG(0x320) = (1u << 17) | 0x40; /* periodic, vector 0x40 */
	LAPIC_REG(0x380) = per_ms;            /* 1 ms */
	guest_sti();
	wait_ms(100);
	guest_cli();
	LAPIC_REG(0x320) = 1u << 16;
	uint32_t n = traps.count[0x40];
	gprintf("lapic: %u periodic interrupts in 100 ms\n", n);
	CHECK("periodic_1khz", n >= 90 && n <= 110);
	LAPIC_REG(0x320) = 0x41; /* one-shot */
	LAPIC_REG(0x380) = per_ms * 5;
	CHECK("current_count_runs", LAPIC_REG(0x390) <= per_ms * 5);
	guest_sti();
	wait_ms(30);
	guest_cli();
	CHECK("one_shot_fires_once", traps.count[0x41] == 1);
	uint64_t v;
	LAPIC_REG(0x320) = (2u << 17) | 0x42; /* TSC-deadline */
	CHECK("tsc_deadline_armed", wrmsr_safe(0x6e0, rdtsc() + tsc_hz() / 100) == 0);
	guest_sti();
	wait_ms(30);
	guest_cli();
	CHECK("tsc_deadline_fires", traps.count[0x42] == 1);
	/* x2APIC: enable through IA32_APIC_BASE, registers become MSRs. */
	CHECK("apic_base_read", rdmsr_safe(0x1b, &v) == 0);
	CHECK("x2apic_enable", wrmsr_safe(0x1b, v | (1u << 10)) == 0);
	uint64_t id = ~0ull;
	CHECK("x2apic_id_msr", rdmsr_safe(0x802, &id) == 0 && id == 0);
	CHECK("x2apic_version_msr", rdmsr_safe(0x803, &v) == 0 && (v & 0xff) >= 0x10);
	CHECK("x2apic_self_ipi", wrmsr_safe(0x83f, 0x43) == 0);
	guest_sti();
	__asm__ volatile("nop");
	guest_cli();
	CHECK("self_ipi_delivered", traps.count[0x43] == 1);
	return 0;
}
