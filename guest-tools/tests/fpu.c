/*
 * Guest SSE state survives other VMs: two copies of this guest share one CPU;
 * each fills XMM0-7 with a pattern of its own VM id, then yields the CPU
 * (HLT until a test timer) many times and checks the registers after each.
 * Without Ditto switching FPU/SSE state between vCPUs (XSAVE/XRSTOR), the
 * other VM's values show up here.
 */
#include "guest.h"

static uint32_t pat[8][4], got[4];

static void load_all(void)
{
	__asm__ volatile("movdqu 0(%0), %%xmm0\n\tmovdqu 16(%0), %%xmm1\n\t"
			 "movdqu 32(%0), %%xmm2\n\tmovdqu 48(%0), %%xmm3\n\t"
			 "movdqu 64(%0), %%xmm4\n\tmovdqu 80(%0), %%xmm5\n\t"
			 "movdqu 96(%0), %%xmm6\n\tmovdqu 112(%0), %%xmm7" ::"r"(pat) : "memory");
}

static int check_all(void)
{
	int bad = 0;
#define CHK(n)                                                                 \
	__asm__ volatile("movdqu %%xmm" #n ", (%0)" ::"r"(got) : "memory");    \
	bad |= __builtin_memcmp(got, pat[n], 16) != 0;
	CHK(0) CHK(1) CHK(2) CHK(3) CHK(4) CHK(5) CHK(6) CHK(7)
#undef CHK
	return bad;
}

int gmain(void)
{
	struct ditto_vm_info info;
	__builtin_memset(&info, 0, sizeof(info));
	hypercall(HC_VM_INFO, (unsigned long)&info, sizeof(info), 0, 0);
	uint32_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | (1u << 9) | (1u << 10)) : "memory"); /* OSFXSR */
	for (int r = 0; r < 8; r++)
		for (int w = 0; w < 4; w++)
			pat[r][w] = info.vm_id * 0x01010101u ^ (uint32_t)(r * 4 + w) << 24;
	load_all();
	int bad = 0;
	for (int i = 0; i < 100 && !bad; i++) {
		hypercall(HC_TEST_INJECT, 0x40, HC_TYPE_EXTINT, 0xffffffffu, 500);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		bad = check_all();
	}
	gprintf("fpu: VM %u: XMM0-7 %s after 100 yields to the other VM\n", info.vm_id, bad ? "CHANGED" : "intact");
	CHECK("xmm_survive_other_vms", !bad);
	return 0;
}
