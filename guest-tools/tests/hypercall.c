/* VMCALL exits: the ABI's numbers, errors and argument checks. */
#include "guest.h"

int gmain(void)
{
	CHECK("version", hypercall(HC_VERSION, 0, 0, 0, 0) == DITTO_ABI_VERSION);
	CHECK("unknown_enosys", hypercall(999, 0, 0, 0, 0) == -HC_ENOSYS);
	CHECK("console_bad_gpa_efault", hypercall(HC_CONSOLE_WRITE, 0xf0000000u, 10, 0, 0) == -HC_EFAULT);
	CHECK("console_too_long_einval", hypercall(HC_CONSOLE_WRITE, 0x100000, 5000, 0, 0) == -HC_EINVAL);
	CHECK("console_len", hypercall(HC_CONSOLE_WRITE, (unsigned long)"hello from a guest\n", 19, 0, 0) == 19);
	struct ditto_vm_info info;
	__builtin_memset(&info, 0, sizeof(info));
	long n = hypercall(HC_VM_INFO, (unsigned long)&info, sizeof(info), 0, 0);
	CHECK("vm_info", n == (long)sizeof(info) && !__builtin_strcmp(info.name, "hypercall") &&
				 info.vcpus == 1 && info.memory_bytes == (16u << 20));
	CHECK("vm_info_bad_buffer", hypercall(HC_VM_INFO, 0xfff00000u, 64, 0, 0) == -HC_EFAULT);
	static struct ditto_vcpu_stats st;
	CHECK("vcpu_stats", hypercall(HC_VCPU_STATS, (unsigned long)&st, sizeof(st), 0, 0) == (long)sizeof(st) &&
				    st.exits_by_reason[18] > 5 && st.exits_total >= st.exits_by_reason[18]);
	CHECK("test_case_bad_name", hypercall(HC_TEST_CASE, (unsigned long)"BAD NAME", 8, 1, 0) == -HC_EINVAL);
	CHECK("inject_bad_vector", hypercall(HC_TEST_INJECT, 2, HC_TYPE_EXCEPTION, 0, 0) == -HC_EINVAL);
	CHECK("unmap_outside", hypercall(HC_TEST_UNMAP, 0x40000000u, 0, 0, 0) == -HC_EINVAL);
	return 0;
}
