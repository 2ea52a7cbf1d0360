/*
 * EPT and TLB coherence across CPUs: the one place that decides which CPUs
 * must invalidate what, and when (docs/scheduler.md, "EPT and TLB
 * coherence").
 *
 * The rule. A CPU may cache guest-physical and combined translations of a
 * VM's EPTP from the moment it first enters one of the VM's vCPUs, and keeps
 * them after the vCPU left (SDM Vol. 3C 29.4.2, 29.4.3). So:
 *  1. Every CPU that ever entered the VM is recorded in vm_arch.ept_cpus
 *     (set in vmx_ept_note_cpu before the first entry there).
 *  2. A change that removes or narrows a mapping (unmap, remap to another
 *     frame, write-protect) is relied on only after vmx_ept_flush() has
 *     returned: each CPU in ept_cpus has executed INVEPT single-context for
 *     the EPTP. A CPU that runs one of the VM's vCPUs at that moment takes
 *     the request IPI as a VM exit first, so it re-enters with clean TLBs.
 *     The caller holds the VM lock, so no vCPU of the VM handles an exit
 *     concurrently; others may be in the guest until the IPI reaches them.
 *  3. Adding a mapping needs no flush: a not-present entry is never cached,
 *     and an EPT violation invalidates the translations it used (29.4.3.1).
 *  4. Linear (VPID-tagged) translations follow the vCPU, not the VM: a vCPU
 *     arriving on a CPU other than the one it last ran on invalidates its
 *     VPID there (INVVPID single-context), since the guest's INVLPGs and CR3
 *     writes of the meantime ran elsewhere (vmx_vpid_flush, from vcpu_load).
 */
#include "arch/panic.h"
#include "arch/percpu.h"
#include "arch/smp.h"
#include "arch/x86_64/vmx/vmx_internal.h"

#define CAP_INVEPT_SINGLE (1ull << 25)
#define CAP_INVVPID_SINGLE (1ull << 41)

static void invept(uint64_t type, uint64_t eptp)
{
	struct { uint64_t eptp, zero; } desc = { eptp, 0 };
	uint8_t fail;
	__asm__ volatile("invept %1, %2; setbe %0" : "=qm"(fail) : "m"(desc), "r"(type) : "memory", "cc");
	if (fail)
		panic("vmx: INVEPT type %llu of EPTP 0x%llx failed", (unsigned long long)type,
		      (unsigned long long)eptp);
}

void vmx_invept_local(uint64_t eptp)
{
	/* Single-context when the CPU has it, else all contexts (29.4.3.1). */
	invept(vmx_caps.ept_vpid & CAP_INVEPT_SINGLE ? 1 : 2, eptp);
}

void vmx_vpid_flush(uint16_t vpid)
{
	if (!vpid)
		return;
	struct { uint64_t vpid, addr; } desc = { vpid, 0 };
	uint64_t type = vmx_caps.ept_vpid & CAP_INVVPID_SINGLE ? 1 : 2;
	uint8_t fail;
	__asm__ volatile("invvpid %1, %2; setbe %0" : "=qm"(fail) : "m"(desc), "r"(type) : "memory", "cc");
	if (fail)
		panic("vmx: INVVPID type %llu of VPID %u failed", (unsigned long long)type, vpid);
}

void vmx_ept_note_cpu(struct vm_arch *a)
{
	uint64_t bit = 1ull << this_cpu()->cpu_id;
	if (!(__atomic_load_n(&a->ept_cpus, __ATOMIC_RELAXED) & bit))
		__atomic_or_fetch(&a->ept_cpus, bit, __ATOMIC_SEQ_CST);
}

static void invept_remote(void *arg)
{
	vmx_invept_local(*(uint64_t *)arg);
}

unsigned vmx_ept_flush(struct vm *vm)
{
	struct vm_arch *a = vmarch(vm);
	unsigned me = this_cpu()->cpu_id, remote = 0;
	uint64_t eptp = a->eptp;
	uint64_t m = __atomic_load_n(&a->ept_cpus, __ATOMIC_SEQ_CST);
	vmx_invept_local(eptp);
	for (; m; m &= m - 1) {
		unsigned c = (unsigned)__builtin_ctzll(m);
		if (c == me)
			continue;
		smp_sync_call(c, invept_remote, &eptp);
		remote++;
	}
	a->ept_flushes++;
	a->ept_remote_flushes += remote;
	return remote;
}
