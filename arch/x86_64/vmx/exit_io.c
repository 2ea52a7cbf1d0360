/* I/O instructions (exit qualification: SDM Vol. 3C Table 28-5). */
#include "arch/x86_64/vmx/vmx_internal.h"
#include "vmm/vmm.h"

enum vmm_action exit_io(struct vcpu *v)
{
	uint64_t q = exit_qual(v);
	unsigned size = (unsigned)(q & 7) + 1;
	bool in = q & (1u << 3), string = q & (1u << 4), rep = q & (1u << 5);
	uint16_t port = (uint16_t)(q >> 16);
	if (size != 1 && size != 2 && size != 4)
		return vmx_exit_unexpected(v);
	if (string) {
		/* Address size: VM-exit instruction information bits 9:7 (Table 28-8),
		 * reported only if IA32_VMX_BASIC[54]; else the mode's default. */
		unsigned bytes;
		if (vmx_caps.basic & (1ull << 54)) {
			unsigned as = (unsigned)(vmcs_read(VMCS_EXIT_INSTR_INFO) >> 7) & 7;
			bytes = as == 0 ? 2 : as == 1 ? 4 : 8;
		} else {
			bytes = vcpu_long_mode(v) ? 8 : (be_get(v, BE_CS_AR) & (1u << 14)) ? 4 : 2;
		}
		return vmm_pio_string(v, port, size, in, rep, bytes);
	}
	uint32_t val = (uint32_t)vcpu_gpr(v, RAX);
	vmm_pio(v, port, size, in, &val);
	if (in) {
		uint64_t rax = vcpu_gpr(v, RAX);
		/* IN to EAX zero-extends into RAX; AL/AX keep the other bits. */
		rax = size == 4 ? val : (rax & ~((1ull << (8 * size)) - 1)) | val;
		vcpu_set_gpr(v, RAX, rax);
	}
	vcpu_skip_instruction(v);
	return VMM_RESUME;
}
