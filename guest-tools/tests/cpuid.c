/* CPUID exits: Ditto's policy as a guest sees it. */
#include "guest.h"

int gmain(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	CHECK("hypervisor_bit_set", r[2] & (1u << 31));
	CHECK("vmx_hidden", !(r[2] & (1u << 5)));
	CHECK("monitor_hidden", !(r[2] & (1u << 3)));
	CHECK("mca_hidden", !(r[3] & (1u << 14)) && !(r[3] & (1u << 7)));
	CHECK("initial_apic_id_is_vcpu0", (r[1] >> 24) == 0);
	cpuid(0x40000000, 0, r);
	char sig[13];
	__builtin_memcpy(sig, &r[1], 4);
	__builtin_memcpy(sig + 4, &r[2], 4);
	__builtin_memcpy(sig + 8, &r[3], 4);
	sig[12] = 0;
	CHECK("signature", !__builtin_memcmp(sig, DITTO_CPUID_SIGNATURE, 12));
	CHECK("max_hv_leaf", r[0] >= DITTO_CPUID_TIMING);
	cpuid(DITTO_CPUID_TIMING, 0, r);
	CHECK("tsc_khz_advertised", r[0] > 1000);
	cpuid(DITTO_CPUID_INFO, 0, r);
	CHECK("abi_version", r[0] == DITTO_ABI_VERSION && r[1] == 1);
	cpuid(0, 0, r);
	CHECK("vendor_present", r[1] != 0 && r[0] >= 1);
	cpuid(0xa, 0, r);
	CHECK("no_pmu", r[0] == 0);
	cpuid(6, 0, r);
	CHECK("no_thermal_power_leaf", r[0] == 0 && r[2] == 0);
	gprintf("cpuid guest: signature '%s'\n", sig);
	return 0;
}
