#include <stdlib.h>
#include "fake_backend.h"

uint32_t fake_host_cpuid[4] = { 0x16, 0x756e6547, 0x6c65746e, 0x49656e69 };

uint64_t be_get(struct vcpu *v, enum be_reg r) { return fake(v)->reg[r]; }
void be_set(struct vcpu *v, enum be_reg r, uint64_t val) { fake(v)->reg[r] = val; }

void be_host_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	(void)sub;
	memcpy(out, fake_host_cpuid, 16);
	if (leaf == 1) {
		out[2] = 0xffffffffu; /* every feature: the policy must clear what it hides */
		out[3] = 0xffffffffu;
		out[1] = 0x00010800;
	}
}

int be_unmap_gpa(struct vm *vm, uint64_t gpa)
{
	struct fake_vcpu *f = fake(vm->vcpus[0]);
	f->unmaps++;
	f->last_unmap = gpa;
	return 0;
}

int be_map_gpa(struct vm *vm, uint64_t gpa)
{
	struct fake_vcpu *f = fake(vm->vcpus[0]);
	f->maps++;
	f->last_map = gpa;
	return 0;
}

int be_vm_init(struct vm *vm) { (void)vm; return 0; }
void be_vm_destroy(struct vm *vm) { (void)vm; }
int be_vcpu_init(struct vcpu *v, const struct vcpu_boot *b) { (void)v; (void)b; return 0; }
void be_vcpu_run(struct vcpu *v, uint64_t ns) { (void)v; (void)ns; }

void vcpu_skip_instruction(struct vcpu *v)
{
	fake(v)->reg[BE_RIP] += fake(v)->reg[BE_INSTR_LEN];
	fake(v)->reg[BE_INTERRUPTIBILITY] &= ~3ull;
}

struct vm *fake_vm(unsigned mb, uint64_t rip)
{
	struct vm *vm = vm_create("fake", (uint64_t)mb << 20, 1);
	if (!vm)
		abort();
	struct fake_vcpu *f = calloc(1, sizeof(*f));
	f->reg[BE_RIP] = rip;
	f->reg[BE_CR0] = 0x11;             /* PE | ET */
	f->reg[BE_CS_AR] = 0xc09b;         /* 32-bit code, DPL 0 */
	f->reg[BE_SS_AR] = 0xc093;
	f->reg[BE_RFLAGS] = 2;
	vm->vcpus[0]->arch = f;
	return vm;
}

void fake_vm_free(struct vm *vm)
{
	free(vm->vcpus[0]->arch);
	vm_destroy(vm);
}

void fake_long_mode(struct vcpu *v, uint64_t cr3)
{
	fake(v)->reg[BE_EFER] = (1u << 8) | (1u << 10);
	fake(v)->reg[BE_CR0] = 0x80000011;
	fake(v)->reg[BE_CR4] = 0x20;
	fake(v)->reg[BE_CR3] = cr3;
	fake(v)->reg[BE_CS_AR] = 0xa09b;
}

uint64_t fake_tsc_hz = 1000000000ull;
uint64_t be_tsc_hz(void) { return fake_tsc_hz; }
void be_request_intr_window(struct vcpu *v) { fake(v)->reg[BE_INTERRUPTIBILITY] |= 1ull << 40; /* marker */ }
int be_vcpu_cpu(struct vcpu *v) { (void)v; return 0; }

int be_alias_gpa(struct vm *vm, uint64_t dst, uint64_t src) { (void)vm; (void)dst; (void)src; return 0; }
bool be_has_slice_timer(void) { return true; }
