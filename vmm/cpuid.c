/*
 * CPUID policy (SDM Vol. 2A CPUID). The host's values, minus what Ditto does
 * not give guests: VMX/SMX (no nesting), MONITOR/MWAIT (not offered; if a
 * guest executes MWAIT anyway it is a bounded yield: vmm/halt.c), the PMU,
 * machine-check architecture, thermal and power management, TSC-deadline
 * and x2APIC until the virtual LAPIC backs them. Plus the hypervisor bit and
 * Ditto's leaves at 0x40000000 (guest-tools/include/ditto/hypercall.h).
 */
#include "ditto/hypercall.h"
#include "vmm/platform.h"
#include "vmm/vmm.h"

#define B(n) (1u << (n))
enum { EAX, EBX, ECX, EDX };

/*
 * TSC / crystal as num / den: the best rational approximation (continued
 * fractions, then the best semiconvergent) with num * crystal_khz < 2^32,
 * because Linux computes crystal_khz * EBX in 32 bits (native_calibrate_tsc).
 * The target is the middle of the TSC's kHz, so that a guest that truncates
 * crystal_khz * num / den to kHz lands on it.
 */
void vmm_tsc_ratio(uint64_t tsc_hz, uint64_t crystal_hz, uint32_t *num, uint32_t *den)
{
	uint64_t nmax = crystal_hz >= 1000 ? 0xffffffffull / (crystal_hz / 1000) : 0xffffffffull;
	uint64_t a = tsc_hz / 1000 * 1000 + 500, b = crystal_hz; /* a / b = target */
	uint64_t p0 = 0, q0 = 1, p1 = 1, q1 = 0;

	*num = 1;
	*den = 1;
	if (!tsc_hz || !crystal_hz)
		return;
	while (b) {
		uint64_t t = a / b, p2 = t * p1 + p0, q2 = t * q1 + q0;
		if (p2 > nmax || q2 > 0xffffffffull) {
			/* The best semiconvergent below the bound, if closer. */
			uint64_t k = p1 ? (nmax - p0) / p1 : 0;
			uint64_t ps = p0 + k * p1, qs = q0 + k * q1;
			if (k && qs <= 0xffffffffull && 2 * k >= t) {
				p1 = ps;
				q1 = qs;
			}
			break;
		}
		p0 = p1;
		q0 = q1;
		p1 = p2;
		q1 = q2;
		uint64_t r = a - t * b;
		a = b;
		b = r;
	}
	if (q1) {
		*num = (uint32_t)p1;
		*den = (uint32_t)q1;
	}
}

/*
 * Leaves 15H/16H describe the clocks the guest really gets: its TSC runs at
 * the host's rate (only offset), as Ditto measured it, and the board's LAPIC
 * at PLATFORM_LAPIC_HZ (SDM Vol. 2A, CPUID leaf 15H: TSC = ECX * EBX / EAX;
 * the LAPIC timer runs at the crystal clock). The host's own leaves can
 * disagree with both: Bochs claims a 3.5 GHz TSC (16H base 3500 MHz, 15H
 * ratio 292/2) that advances 50 M per second, and Linux then programs its
 * LAPIC for a 24 MHz crystal, finds the TSC "unstable" against jiffies,
 * falls back to the ACPI PM timer (an I/O exit per clock read) and its
 * timestamps jump.
 */
static void tsc_leaves(uint32_t leaf, uint32_t out[4])
{
	uint64_t tsc_hz = be_tsc_hz();
	if (leaf == 0x15) {
		vmm_tsc_ratio(tsc_hz, PLATFORM_LAPIC_HZ, &out[EBX], &out[EAX]);
		out[ECX] = (uint32_t)PLATFORM_LAPIC_HZ;
		out[EDX] = 0;
	} else {
		uint32_t mhz = (uint32_t)((tsc_hz + 500000) / 1000000);
		out[EAX] = mhz;                           /* base frequency, MHz */
		out[EBX] = mhz;                           /* maximum: no turbo the guest can see */
		out[ECX] = (uint32_t)(PLATFORM_LAPIC_HZ / 1000000); /* bus (reference) frequency, MHz */
		out[EDX] = 0;
	}
}

void vmm_cpuid_policy(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	if (leaf >= DITTO_CPUID_BASE && leaf < DITTO_CPUID_BASE + 0x100) {
		memset(out, 0, 16);
		if (leaf == DITTO_CPUID_BASE) {
			out[EAX] = DITTO_CPUID_TIMING;
			memcpy(&out[EBX], DITTO_CPUID_SIGNATURE, 4);
			memcpy(&out[ECX], DITTO_CPUID_SIGNATURE + 4, 4);
			memcpy(&out[EDX], DITTO_CPUID_SIGNATURE + 8, 4);
		} else if (leaf == DITTO_CPUID_INFO) {
			out[EAX] = DITTO_ABI_VERSION;
			out[EBX] = 1; /* VMCALL */
		} else if (leaf == DITTO_CPUID_TIMING) {
			/* So a guest need not calibrate against the PIT. */
			out[EAX] = (uint32_t)(be_tsc_hz() / 1000);
			out[EBX] = v->vm->platform ? (uint32_t)(PLATFORM_LAPIC_HZ / 1000) : 0;
		}
		return;
	}
	be_host_cpuid(leaf, sub, out);
	uint32_t max_basic[4];
	be_host_cpuid(0, 0, max_basic);
	if (leaf < 0x80000000u && leaf > max_basic[EAX]) {
		memset(out, 0, 16); /* beyond the last basic leaf: as Intel CPUs, all zero here */
		return;
	}
	switch (leaf) {
	case 1:
		out[ECX] &= ~(B(3) /* MONITOR */ | B(5) /* VMX */ | B(6) /* SMX */ | B(7) /* EIST */ |
			      B(8) /* TM2 */ | B(15) /* PDCM */ | B(21) /* x2APIC */ | B(24) /* TSC-deadline */);
		out[ECX] |= B(31); /* running under a hypervisor */
		/* With the PC platform, the virtual LAPIC backs x2APIC and the
		 * TSC-deadline timer whatever the host has. */
		if (v->vm->platform)
			out[ECX] |= B(21) | B(24);
		out[EDX] &= ~(B(7) /* MCE */ | B(14) /* MCA */ | B(22) /* ACPI thermal */ | B(29) /* TM */ |
			      B(31) /* PBE */);
		/* EBX 31:24 initial APIC ID = vCPU id; 23:16 logical processors. */
		out[EBX] = (out[EBX] & 0xffff) | (v->vm->nvcpus << 16) | (v->id << 24);
		if (v->vm->nvcpus > 1)
			out[EDX] |= B(28);
		break;
	case 5: /* MONITOR/MWAIT */
	case 6: /* thermal and power management */
	case 0xa: /* architectural performance monitoring */
		memset(out, 0, 16);
		break;
	case 7:
		if (sub == 0) {
			out[EBX] &= ~(B(1) /* TSC_ADJUST MSR */ | B(12) /* RDT-M */ | B(15) /* RDT-A */ |
				      B(25) /* Intel PT */);
			/* WAITPKG needs its VMX control; CET and LA57 are not supported. */
			out[ECX] &= ~(B(5) /* WAITPKG */ | B(7) /* CET_SS */ | B(16) /* LA57 */);
			out[EDX] &= ~B(20); /* CET_IBT */
		}
		break;
	case 0xd:
		/* XSAVES/XRSTORS and IA32_XSS (0xda0) are not virtualized (the VMX
		 * "enable XSAVES" control is off): hide them. */
		if (sub == 1)
			out[EAX] &= ~B(3);
		break;
	case 0x15:
	case 0x16:
		if (v->vm->platform)
			tsc_leaves(leaf, out);
		break;
	case 0x80000001:
		break;
	default:
		break;
	}
}

/* Leaves whose answer depends on ECX are computed at each exit. */
static bool has_subleaves(uint32_t leaf)
{
	switch (leaf) {
	case 4: case 7: case 0xb: case 0xd: case 0xf: case 0x10: case 0x12: case 0x14:
	case 0x17: case 0x18: case 0x1a: case 0x1b: case 0x1d: case 0x1e: case 0x1f:
		return true;
	default:
		return false;
	}
}

/* The per-VM table is filled for vCPU 0; leaf 1's per-vCPU APIC id is
 * patched in at lookup. */
static void cache_fill(struct vcpu *v)
{
	struct vm_cpuid_cache *c = &v->vm->cpuid;
	uint32_t r[4];
	be_host_cpuid(0, 0, r);
	c->max_basic = r[EAX];
	for (uint32_t l = 0; l < VM_CPUID_BASIC; l++)
		if (!has_subleaves(l))
			vmm_cpuid_policy(v, l, 0, c->basic[l]);
	for (uint32_t l = 0; l < VM_CPUID_EXT; l++)
		vmm_cpuid_policy(v, 0x80000000u + l, 0, c->ext[l]);
	c->ready = true;
}

static bool cache_lookup(struct vcpu *v, uint32_t leaf, uint32_t out[4])
{
	struct vm_cpuid_cache *c = &v->vm->cpuid;
	const uint32_t *e;
	if (leaf < VM_CPUID_BASIC && !has_subleaves(leaf))
		e = c->basic[leaf];
	else if (leaf >= 0x80000000u && leaf < 0x80000000u + VM_CPUID_EXT)
		e = c->ext[leaf - 0x80000000u];
	else
		return false;
	memcpy(out, e, 16);
	if (leaf == 1)
		out[EBX] = (out[EBX] & 0x00ffffffu) | (v->id << 24);
	return true;
}

enum vmm_action vmm_cpuid(struct vcpu *v)
{
	uint32_t out[4];
	uint32_t leaf = (uint32_t)vcpu_gpr(v, RAX);
	if (__builtin_expect(!v->vm->cpuid.ready, 0))
		cache_fill(v);
	if (!cache_lookup(v, leaf, out))
		vmm_cpuid_policy(v, leaf, (uint32_t)vcpu_gpr(v, RCX), out);
	/* Bits that mirror the guest's own CR4 (SDM Vol. 2A CPUID): OSXSAVE
	 * (leaf 1 ECX 27) and OSPKE (leaf 7 ECX 4), never the host's. */
	if (leaf == 1 || leaf == 7) {
		uint64_t cr4 = be_get(v, BE_CR4);
		if (leaf == 1)
			out[ECX] = (out[ECX] & ~B(27)) | ((cr4 & (1u << 18)) ? B(27) : 0);
		else if ((uint32_t)vcpu_gpr(v, RCX) == 0)
			out[ECX] = (out[ECX] & ~B(4)) | ((cr4 & (1u << 22)) ? B(4) : 0);
	}
	vcpu_set_gpr(v, RAX, out[EAX]);
	vcpu_set_gpr(v, RBX, out[EBX]);
	vcpu_set_gpr(v, RCX, out[ECX]);
	vcpu_set_gpr(v, RDX, out[EDX]);
	vcpu_skip_instruction(v);
	return VMM_RESUME;
}
