/* ACPI tables in guest memory: found by the RSDP scan a kernel does, every
 * checksum right, the MADT lists this VM's CPU, the PM timer counts. */
#include "pc.h"

static uint8_t sum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < n; i++)
		s += p[i];
	return s;
}

int gmain(void)
{
	const uint8_t *rsdp = 0;
	for (uint32_t a = 0xe0000; a < 0x100000; a += 16)
		if (!__builtin_memcmp((const void *)a, "RSD PTR ", 8)) {
			rsdp = (const uint8_t *)a;
			break;
		}
	CHECK("rsdp_found", rsdp != 0);
	if (!rsdp)
		return 1;
	CHECK("rsdp_checksum", sum(rsdp, 20) == 0);
	CHECK("rsdp_ext_checksum", rsdp[15] < 2 || sum(rsdp, *(const uint32_t *)(rsdp + 20)) == 0);
	const uint8_t *rsdt = (const uint8_t *)*(const uint32_t *)(rsdp + 16);
	uint32_t len = *(const uint32_t *)(rsdt + 4);
	CHECK("rsdt_checksum", !__builtin_memcmp(rsdt, "RSDT", 4) && sum(rsdt, len) == 0);
	int all_ok = 1, cpus = 0, have_fadt = 0;
	uint32_t pmt = 0;
	for (uint32_t i = 36; i + 4 <= len; i += 4) {
		const uint8_t *t = (const uint8_t *)*(const uint32_t *)(rsdt + i);
		uint32_t tl = *(const uint32_t *)(t + 4);
		all_ok &= sum(t, tl) == 0;
		if (!__builtin_memcmp(t, "APIC", 4))
			for (uint32_t o = 44; o + 2 <= tl && t[o + 1]; o += t[o + 1])
				cpus += t[o] == 0 && (*(const uint32_t *)(t + o + 4) & 1);
		if (!__builtin_memcmp(t, "FACP", 4)) {
			have_fadt = 1;
			pmt = *(const uint32_t *)(t + 76);
			const uint8_t *dsdt = (const uint8_t *)*(const uint32_t *)(t + 40);
			all_ok &= sum(dsdt, *(const uint32_t *)(dsdt + 4)) == 0;
		}
	}
	CHECK("table_checksums", all_ok);
	CHECK("madt_one_cpu", cpus == 1);
	CHECK("fadt_present", have_fadt && pmt);
	uint32_t t0 = inl((uint16_t)pmt) & 0xffffff;
	wait_ms(10);
	uint32_t t1 = inl((uint16_t)pmt) & 0xffffff;
	uint32_t d = (t1 - t0) & 0xffffff;
	gprintf("acpi: PM timer advanced %u in 10 ms\n", d);
	CHECK("pm_timer_3_58mhz", d > 30000 && d < 42000);
	return 0;
}
