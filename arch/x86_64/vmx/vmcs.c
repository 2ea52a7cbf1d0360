/* VMCS access (SDM Vol. 3C 31.3: VMREAD/VMWRITE, VM-instruction errors 31.4). */
#include "arch/panic.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "lib/console.h"

static const struct { uint32_t enc; const char *name; } fields[] = {
#define VMCS_NAME(name, enc, w) { enc, #name },
	VMCS_FIELDS(VMCS_NAME)
#undef VMCS_NAME
};

const char *vmcs_field_name(uint32_t field)
{
	for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].enc == field)
			return fields[i].name;
	return "?";
}

/* SDM 31.2: CF=1 VMfailInvalid (no current VMCS): -1; ZF=1 VMfailValid: the
 * VM-instruction error field. */
static int vmfail(bool cf, bool zf)
{
	if (cf)
		return -1;
	if (zf) {
		uint64_t err = 0;
		__asm__ volatile("vmread %1, %0" : "=rm"(err) : "r"((uint64_t)VMCS_VM_INSTRUCTION_ERROR) : "cc");
		return (int)err;
	}
	return 0;
}

int vmcs_write_safe(uint32_t field, uint64_t value)
{
	bool cf, zf;
	__asm__ volatile("vmwrite %2, %3" : "=@ccc"(cf), "=@ccz"(zf) : "rm"(value), "r"((uint64_t)field) : "memory");
	return vmfail(cf, zf);
}

int vmcs_read_safe(uint32_t field, uint64_t *value)
{
	bool cf, zf;
	uint64_t v = 0;
	__asm__ volatile("vmread %3, %2" : "=@ccc"(cf), "=@ccz"(zf), "=rm"(v) : "r"((uint64_t)field) : "memory");
	*value = v;
	return vmfail(cf, zf);
}

void vmcs_write_failed(uint32_t field, uint64_t value, const void *caller)
{
	unsigned w = vmcs_field_width(field);
	if (w < 64 && value >> w)
		panic("VMWRITE %s (0x%x): value 0x%llx wider than %u bits, from %p", vmcs_field_name(field),
		      field, (unsigned long long)value, w, caller);
	int err = vmcs_write_safe(field, value);
	panic("VMWRITE %s (0x%x) = 0x%llx failed: VM-instruction error %d, from %p",
	      vmcs_field_name(field), field, (unsigned long long)value, err, caller);
}

void vmcs_read_failed(uint32_t field, const void *caller)
{
	uint64_t v;
	int err = vmcs_read_safe(field, &v);
	panic("VMREAD %s (0x%x) failed: VM-instruction error %d, from %p", vmcs_field_name(field),
	      field, err, caller);
}

void vmcs_dump(void)
{
	kprintf("VMCS dump:\n");
	for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t v;
		if (vmcs_read_safe(fields[i].enc, &v))
			continue; /* field not supported by this CPU */
		kprintf("  %-24s %016llx%s", fields[i].name, (unsigned long long)v, i % 2 ? "\n" : "");
	}
	kprintf("\n");
}

int vmx_vmclear(uint64_t phys)
{
	bool cf, zf;
	__asm__ volatile("vmclear %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(phys) : "memory");
	return vmfail(cf, zf);
}

int vmx_vmptrld(uint64_t phys)
{
	bool cf, zf;
	__asm__ volatile("vmptrld %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(phys) : "memory");
	return vmfail(cf, zf);
}
