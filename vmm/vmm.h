/* Generic exit policy: what a VM sees for each kind of exit. Host-testable
 * (only vmm/backend.h reaches the hardware). */
#ifndef VMM_VMM_H
#define VMM_VMM_H
#include "vmm/backend.h"
#include "vmm/vm.h"

enum vmm_action vmm_cpuid(struct vcpu *v);
/* CPUID as the guest sees it (leaf, subleaf) -> eax..edx. */
void vmm_cpuid_policy(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* TSC / crystal as num / den for CPUID leaf 15H (vmm/cpuid.c). */
void vmm_tsc_ratio(uint64_t tsc_hz, uint64_t crystal_hz, uint32_t *num, uint32_t *den);
enum vmm_action vmm_halt(struct vcpu *v);
/* MWAIT: HLT-like, also woken by interrupts while IF = 0 if ECX bit 0, and
 * bounded to 1 ms (the monitored store is not watched). MONITOR is a NOP. */
enum vmm_action vmm_mwait(struct vcpu *v);
enum vmm_action vmm_hypercall(struct vcpu *v);
/* MSR policy: 0 and a value, or -1 for #GP. */
int vmm_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
int vmm_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);
/* One port access (size 1, 2, 4). Unclaimed ports read all-ones, ignore writes. */
void vmm_pio(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val);
/* String port I/O (INS/OUTS, REP): one iteration per call; advances RIP
 * only when the instruction completes. */
enum vmm_action vmm_pio_string(struct vcpu *v, uint16_t port, unsigned size, bool in, bool rep,
			       unsigned addr_size);
/* EPT violation at gpa: fault a page back in, emulate MMIO, or apply the
 * outside-memory policy. */
enum vmm_action vmm_ept_fault(struct vcpu *v, uint64_t gpa, bool write, bool fetch);
/* The backend asks after each exit, interrupts off: should the slice end
 * (the scheduler wants this CPU)? host_interrupt: the exit was a host
 * interrupt (tick or kick). Implemented by the runner (vmm/run.c). */
bool vmm_should_yield(struct vcpu *v, bool host_interrupt);
/* Wake a halted vCPU whose timer is due (test timers until the platform issue). */
void vmm_check_timers(struct vcpu *v, uint64_t now_ns);

/* Guest-linear to guest-physical through the guest's own page tables
 * (vmm/gwalk.c). 0, or -EFAULT with *pf_error for a #PF to inject. */
int vmm_linear_to_gpa(struct vcpu *v, uint64_t la, bool write, uint64_t *gpa, uint32_t *pf_error);
/* Copy to/from the guest's linear addresses with its current privilege's
 * permissions (hypercall buffers); -EFAULT if any page is not accessible. */
int vmm_copy_from_guest(struct vcpu *v, uint64_t la, void *buf, size_t len);
int vmm_copy_to_guest(struct vcpu *v, uint64_t la, const void *buf, size_t len);
int vmm_check_guest_writable(struct vcpu *v, uint64_t la, size_t len);
/* Read guest-linear memory (instruction fetch for emulation). */
int vmm_read_linear(struct vcpu *v, uint64_t la, void *buf, size_t len);
#endif
