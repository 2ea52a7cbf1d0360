/*
 * Port I/O: dispatch to the VM's device models. A port no model claims
 * reads as all-ones and ignores writes, as an ISA bus with nothing on it; the
 * access is counted (vm->ctr.unhandled_pio). It never reaches real hardware.
 */
#include <errno.h>
#include "vmm/platform.h"
#include "vmm/vmm.h"

void vmm_pio(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	struct pio_region *r = vm_find_pio(v->vm, port);
	uint32_t mask = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	int rc = -ENODEV;
	if (r)
		rc = in ? r->in(r->ctx, port, size, val) : r->out(r->ctx, port, size, *val & mask);
	else if (v->vm->platform) {
		uint32_t x = *val & mask;
		/* The board answers every port, all-ones where nothing decodes. */
		board_pio(&v->vm->platform->board, port, size, !in, &x);
		if (in)
			*val = x & mask;
		return;
	}
	if (rc) {
		v->vm->ctr.unhandled_pio++;
		if (in)
			*val = mask;
	} else if (in) {
		*val &= mask;
	}
}

static uint64_t addr_mask(unsigned addr_size)
{
	return addr_size == 8 ? ~0ull : addr_size == 4 ? 0xffffffffull : 0xffffull;
}

enum vmm_action vmm_pio_string(struct vcpu *v, uint16_t port, unsigned size, bool in, bool rep,
			       unsigned addr_size)
{
	uint64_t am = addr_mask(addr_size);
	if (rep && (vcpu_gpr(v, RCX) & am) == 0) {
		vcpu_skip_instruction(v);
		return VMM_RESUME;
	}
	/* INS writes ES:RDI; OUTS reads DS:RSI (segment overrides on OUTS are
	 * rare; the DS base is used, flat in every mode Ditto's guests use). */
	enum gpr ireg = in ? RDI : RSI;
	uint64_t off = vcpu_gpr(v, ireg) & am;
	uint64_t la = (in ? be_get(v, BE_ES_BASE) : be_get(v, BE_DS_BASE)) + off;
	uint64_t gpa;
	uint32_t pf;
	if (vmm_linear_to_gpa(v, la, in, &gpa, &pf)) {
		v->regs.cr2 = la;
		return vcpu_inject_exception(v, 14, true, pf);
	}
	uint32_t val = 0;
	if (in) {
		vmm_pio(v, port, size, true, &val);
		if (vm_write(v->vm, gpa, &val, size)) {
			vm_stop(v->vm, "INS to gpa 0x%llx outside RAM", (unsigned long long)gpa);
			return VMM_STOP;
		}
	} else {
		if (vm_read(v->vm, gpa, &val, size)) {
			vm_stop(v->vm, "OUTS from gpa 0x%llx outside RAM", (unsigned long long)gpa);
			return VMM_STOP;
		}
		vmm_pio(v, port, size, false, &val);
	}
	bool df = be_get(v, BE_RFLAGS) & (1u << 10);
	uint64_t noff = (df ? off - size : off + size) & am;
	vcpu_set_gpr(v, ireg, (vcpu_gpr(v, ireg) & ~am) | noff);
	if (rep) {
		uint64_t c = ((vcpu_gpr(v, RCX) & am) - 1) & am;
		vcpu_set_gpr(v, RCX, (vcpu_gpr(v, RCX) & ~am) | c);
		if (c)
			return VMM_RESUME; /* the instruction runs again for the next element */
	}
	vcpu_skip_instruction(v);
	return VMM_RESUME;
}
