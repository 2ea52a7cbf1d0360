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
#include <stdint.h>
#include "arch/x86_64/vmx/vmcs_fields.h"

int vmcs_write_safe(uint32_t field, uint64_t value);
int vmcs_read_safe(uint32_t field, uint64_t *value);
void vmcs_write_at(uint32_t field, uint64_t value, const void *caller);
uint64_t vmcs_read_at(uint32_t field, const void *caller);
#define vmcs_write(f, v) vmcs_write_at((f), (v), __builtin_return_address(0))
#define vmcs_read(f) vmcs_read_at((f), __builtin_return_address(0))

const char *vmcs_field_name(uint32_t field);
/* VMCS dump for panics and stopped VMs: every known field of the current VMCS. */
void vmcs_dump(void);

int vmx_vmclear(uint64_t phys);
int vmx_vmptrld(uint64_t phys);
#endif
