/* RDMSR/WRMSR exits: the MSR policy, #GP for what a guest must not touch,
 * and pass-through of the MSRs the VMCS switches. */
#include "guest.h"

int gmain(void)
{
	uint64_t v = 0;
	CHECK("efer_readable", rdmsr_safe(0xc0000080, &v) == 0 && (v & ~0xd01ull) == 0);
	CHECK("unknown_msr_gp", rdmsr_safe(0x12345678, &v) == -1 && traps.last_vector == 13);
	CHECK("unknown_msr_write_gp", wrmsr_safe(0x2345, 1) == -1);
	CHECK("feature_control_locked_no_vmx", rdmsr_safe(0x3a, &v) == 0 && v == 1);
	CHECK("feature_control_write_gp", wrmsr_safe(0x3a, 5) == -1);
	CHECK("vmx_basic_hidden", rdmsr_safe(0x480, &v) == -1);
	CHECK("apic_base", rdmsr_safe(0x1b, &v) == 0 && (v & ~0xfffull) == 0xfee00000ull && (v & (1 << 8)));
	CHECK("sysenter_cs_passthrough", wrmsr_safe(0x174, 0x1234) == 0 && rdmsr_safe(0x174, &v) == 0 &&
					 v == 0x1234);
	CHECK("star_passthrough", wrmsr_safe(0xc0000081, 0x0023001000000000ull) == 0 &&
				  rdmsr_safe(0xc0000081, &v) == 0 && v == 0x0023001000000000ull);
	uint64_t t0 = rdtsc();
	CHECK("tsc_write", wrmsr_safe(0x10, 1ull << 40) == 0);
	uint64_t t1 = rdtsc();
	CHECK("tsc_moved", t1 >= (1ull << 40) && t1 - (1ull << 40) < (1ull << 30));
	CHECK("tsc_started_near_zero", t0 < (1ull << 36));
	CHECK("efer_reserved_bit_gp", wrmsr_safe(0xc0000080, 1ull << 20) == -1);
	CHECK("efer_sce_settable", wrmsr_safe(0xc0000080, 1) == 0 && rdmsr_safe(0xc0000080, &v) == 0 && (v & 1));
	CHECK("x2apic_msrs_gp", rdmsr_safe(0x802, &v) == -1);
	return 0;
}
