/*
 * Typed VMCS accessors in two tiers (style: Xen's vmx.h):
 *   vmcs_read/vmcs_write        must succeed: a failure is Ditto's bug and
 *                               panics naming the field, the VM-instruction
 *                               error and the caller;
 *   vmcs_read_safe/_write_safe  return the VM-instruction error (0 = ok).
 * The width comes from the encoding (SDM Vol. 3D B: bits 14:13); a value
 * that does not fit its field is also a bug.
 */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/vmx/vmcs_fields.h"

int vmcs_write_safe(uint32_t field, uint64_t value);
int vmcs_read_safe(uint32_t field, uint64_t *value);
/* Out of line: report the failure (and panic). */
_Noreturn void vmcs_write_failed(uint32_t field, uint64_t value, const void *caller);
_Noreturn void vmcs_read_failed(uint32_t field, const void *caller);

/* Field width from the encoding (SDM Vol. 3D B.1): 16, 64 (32 for the
 * "high" half), 32, natural. */
static inline unsigned vmcs_field_width(uint32_t field)
{
	unsigned t = (field >> 13) & 3;
	return t == 0 ? 16 : t == 1 ? ((field & 1) ? 32 : 64) : t == 2 ? 32 : 64;
}

/* The must-succeed tier, inline: the exit path is hot (docs/benchmarks.md). */
static inline __attribute__((always_inline)) uint64_t vmcs_read_inl(uint32_t field, const void *caller)
{
	uint64_t v;
	bool bad;
	__asm__ volatile("vmread %2, %0" : "=r"(v), "=@ccbe"(bad) : "r"((uint64_t)field) : "memory");
	if (__builtin_expect(bad, 0))
		vmcs_read_failed(field, caller);
	return v;
}

static inline __attribute__((always_inline)) void vmcs_write_inl(uint32_t field, uint64_t value,
								   const void *caller)
{
	bool bad;
	unsigned w = vmcs_field_width(field);
	if (__builtin_expect(w < 64 && (value >> w) != 0, 0))
		vmcs_write_failed(field, value, caller);
	__asm__ volatile("vmwrite %1, %2" : "=@ccbe"(bad) : "r"(value), "r"((uint64_t)field) : "memory");
	if (__builtin_expect(bad, 0))
		vmcs_write_failed(field, value, caller);
}
#define vmcs_write(f, v) vmcs_write_inl((f), (v), __builtin_return_address(0))
#define vmcs_read(f) vmcs_read_inl((f), __builtin_return_address(0))

const char *vmcs_field_name(uint32_t field);
/* VMCS dump for panics and stopped VMs: every known field of the current VMCS. */
void vmcs_dump(void);

int vmx_vmclear(uint64_t phys);
int vmx_vmptrld(uint64_t phys);
#endif
