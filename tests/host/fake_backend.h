/* A fake virtualization backend: vmm/ logic runs on plain structs. */
#ifndef FAKE_BACKEND_H
#define FAKE_BACKEND_H
#include "vmm/vmm.h"

struct fake_vcpu {
	uint64_t reg[BE_REG_COUNT];
	unsigned unmaps, maps;
	uint64_t last_unmap, last_map;
};

/* A VM with `mb` MiB of RAM and one vCPU in 32-bit protected mode, flat,
 * paging off, CPL 0; RIP at `rip`. */
struct vm *fake_vm(unsigned mb, uint64_t rip);
void fake_vm_free(struct vm *vm);
static inline struct fake_vcpu *fake(struct vcpu *v) { return v->arch; }
/* Switch the vCPU to 64-bit mode (EFER.LMA, CS.L) with paging on at cr3. */
void fake_long_mode(struct vcpu *v, uint64_t cr3);
extern uint32_t fake_host_cpuid[4]; /* what be_host_cpuid returns for every leaf */
extern uint64_t fake_tsc_hz; /* what be_tsc_hz() returns */
#endif
