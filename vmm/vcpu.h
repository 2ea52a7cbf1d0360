/* A VM and its vCPUs, as generic VM logic (vmm/) sees them. */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H
#include "ditto/env.h"
#include "vmm/sched/sched.h"

/* GPR numbering of the instruction set (SDM Vol. 2 Table 2-2). */
enum gpr { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* Saved and loaded by the entry code; gpr[RSP] is unused (the VMCS holds
 * RSP): use vcpu_gpr()/vcpu_set_gpr(). Layout known to vmx_run.S. */
struct vcpu_regs {
	uint64_t gpr[16];
	uint64_t cr2;
};

/* An event to inject at the next VM entry (SDM Vol. 3C 27.6). */
struct vcpu_event {
	bool valid;
	uint8_t vector;
	uint8_t type; /* INTR_TYPE_* of arch/x86_64/vmx/vmcs_fields.h: 0 ext, 2 NMI, 3 exception, 4/6 soft */
	bool has_error;
	uint32_t error;
	uint32_t instr_len; /* software interrupts/exceptions */
};

#define VCPU_EXIT_REASONS 70
struct vcpu_stats {
	uint64_t exits;
	uint64_t exits_by_reason[VCPU_EXIT_REASONS];
	uint64_t tsc_in_guest;
	uint64_t tsc_in_handlers;
	uint64_t injected;
	uint64_t reinjected;
};

/* WAIT_SIPI: an application processor before its start-up IPI (SDM Vol. 3A 9.4.4). */
enum vcpu_state { VCPU_RUNNABLE, VCPU_HALTED, VCPU_WAIT_SIPI, VCPU_STOPPED };

struct vm;
struct vcpu {
	struct vcpu_regs regs; /* first: the entry code is given this pointer */
	struct vm *vm;
	unsigned id;
	enum vcpu_state state;
	bool halted_with_if; /* RFLAGS.IF when it executed HLT: may a maskable interrupt wake it */
	struct vcpu_event event;    /* to inject at next entry */
	struct vcpu_event reinject; /* from IDT-vectoring information */
	uint64_t wake_at_ns;        /* test timer: inject test_vector then */
	uint64_t mwait_until_ns;    /* MWAIT's bound: runnable again then (vmm/halt.c) */
	uint8_t test_vector;
	struct vcpu_stats stats;
	void *arch; /* the backend's state (VMCS, ...) */
	void *hc_scratch; /* the hypercall decoder's copy-in buffer (vmm/hypercall.c) */
	/* Scheduling (vmm/run.c). State changes to and from RUNNABLE happen
	 * under the VM's lock, so a wake-up cannot slip between a HLT exit and
	 * the scheduler's block (docs/scheduler.md). */
	struct sched_vcpu sv;
	int running_on;     /* the physical CPU running it now, -1: none */
	bool kicked;        /* a kick IPI is in flight to running_on; cleared at entry */
	uint64_t ran_on;    /* mask of the physical CPUs that ran it */
	bool sipi_pending;  /* a start-up IPI arrived: the backend enters real mode at */
	uint8_t sipi_vector; /*   sipi_vector * 4 KiB before the next entry */
};

/* Exit handlers' verdict. */
enum vmm_action {
	VMM_RESUME, /* state updated, re-enter */
	VMM_INJECT, /* vcpu->event set, re-enter and deliver it */
	VMM_STOP,   /* stop this VM (vm_stop() has been called with the reason) */
};

/* Initial register state of a vCPU (the loader chooses it). */
enum vcpu_boot_mode { BOOT_REAL16, BOOT_PROT32, BOOT_LONG64 };
struct vcpu_boot {
	enum vcpu_boot_mode mode;
	uint64_t rip, rsp, rflags;
	uint64_t gpr[16];
	uint16_t cs_selector; /* real mode: CS = selector, base = selector << 4 */
	uint64_t cr3;         /* long mode: page tables the loader built */
	uint64_t gdt_base;
	uint16_t gdt_limit;
};

/* RSP lives in the VMCS (backend); the rest in regs, read inline: the
 * exit path touches them on every exit. */
uint64_t vcpu_rsp(struct vcpu *v);
void vcpu_set_rsp(struct vcpu *v, uint64_t val);
static inline uint64_t vcpu_gpr(struct vcpu *v, enum gpr r)
{
	return r == RSP ? vcpu_rsp(v) : v->regs.gpr[r & 15];
}
static inline void vcpu_set_gpr(struct vcpu *v, enum gpr r, uint64_t val)
{
	if (r == RSP)
		vcpu_set_rsp(v, val);
	else
		v->regs.gpr[r & 15] = val;
}
/* Queue a hardware exception (#GP, #UD, ...) for the next entry. */
enum vmm_action vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
#endif
