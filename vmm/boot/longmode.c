/*
 * Identity page tables and a flat GDT for entering a guest in 64-bit mode.
 * Each table page is written through vm_gpa_ptr (bounds-checked, one page
 * inside one RAM chunk), little-endian as the guest reads it.
 */
#include <errno.h>
#include "vmm/boot/longmode.h"

static void put64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int64_t lm_write_identity_map(struct vm *vm, uint64_t at, uint64_t limit, uint64_t map_bytes)
{
	if (!map_bytes || map_bytes > 512 * LM_GIB || at % ENV_PAGE_SIZE)
		return -ENOSPC;
	uint64_t npd = ENV_ALIGN_UP(map_bytes, LM_GIB) / LM_GIB;
	uint64_t pml4 = at, pdpt = at + ENV_PAGE_SIZE, pd0 = at + 2 * ENV_PAGE_SIZE;
	uint64_t end = pd0 + npd * ENV_PAGE_SIZE;
	if (end > limit || end < at)
		return -ENOSPC;

	uint8_t *p = vm_gpa_ptr(vm, pml4, ENV_PAGE_SIZE);
	if (!p)
		return -EFAULT;
	memset(p, 0, ENV_PAGE_SIZE);
	put64(p, pdpt | LM_PTE_P | LM_PTE_RW);

	p = vm_gpa_ptr(vm, pdpt, ENV_PAGE_SIZE);
	if (!p)
		return -EFAULT;
	memset(p, 0, ENV_PAGE_SIZE);
	for (uint64_t i = 0; i < npd; i++)
		put64(p + 8 * i, (pd0 + i * ENV_PAGE_SIZE) | LM_PTE_P | LM_PTE_RW);

	for (uint64_t i = 0; i < npd; i++) {
		p = vm_gpa_ptr(vm, pd0 + i * ENV_PAGE_SIZE, ENV_PAGE_SIZE);
		if (!p)
			return -EFAULT;
		for (uint64_t j = 0; j < 512; j++) {
			uint64_t pa = i * LM_GIB + j * (2ull << 20);
			put64(p + 8 * j, pa | LM_PTE_P | LM_PTE_RW | LM_PTE_PS);
		}
	}
	return (int64_t)end;
}

int lm_write_gdt(struct vm *vm, uint64_t gpa)
{
	uint8_t gdt[LM_GDT_LIMIT + 1] = { 0 };
	put64(gdt + LM_GDT_CS, LM_DESC_CODE64);
	put64(gdt + LM_GDT_DS, LM_DESC_DATA);
	return vm_write(vm, gpa, gdt, sizeof(gdt));
}
