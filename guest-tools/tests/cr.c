/* Control-register exits: shadows of the bits VMX owns, #GP rules, paging on/off. */
#include "guest.h"

static uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static void write_cr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
static void write_cr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }

static uint32_t pgdir[1024] __attribute__((aligned(4096)));

int gmain(void)
{
	uint32_t cr0 = read_cr0();
	/* The loader started us with PE|ET: NE (forced on by VMX) must not show. */
	CHECK("cr0_ne_shadowed", (cr0 & 0x20) == 0 && (cr0 & 1));
	write_cr0(cr0 | 0x20);
	CHECK("cr0_ne_write_read_back", read_cr0() & 0x20);
	write_cr0(cr0);
	CHECK("cr0_ne_cleared_again", !(read_cr0() & 0x20));
	CHECK("cr4_vmxe_hidden", !(read_cr4() & (1u << 13)));
	uint32_t before = traps.count[13];
	traps.fixup_skip = 3; /* mov %eax,%cr4 is 0f 22 e0 */
	__asm__ volatile("mov %0, %%cr4" ::"a"(read_cr4() | (1u << 13)) : "memory");
	traps.fixup_skip = 0;
	CHECK("cr4_vmxe_set_gp", traps.count[13] == before + 1);
	write_cr4(read_cr4() | (1u << 9)); /* OSFXSR */
	CHECK("cr4_osfxsr", read_cr4() & (1u << 9));
	before = traps.count[13];
	traps.fixup_skip = 3;
	__asm__ volatile("mov %0, %%cr0" ::"a"((read_cr0() | 0x20000000u) & ~0x40000000u) : "memory"); /* NW without CD */
	traps.fixup_skip = 0;
	CHECK("cr0_nw_without_cd_gp", traps.count[13] == before + 1);
	/* Paging on with a 4 MiB identity page (PSE), off again. */
	pgdir[0] = 0x83;
	__asm__ volatile("mov %0, %%cr3" ::"r"(pgdir));
	write_cr4(read_cr4() | 0x10);
	write_cr0(read_cr0() | 0x80000000u);
	volatile uint32_t probe = 0x5a5a;
	CHECK("paging_on", (read_cr0() & 0x80000000u) && probe == 0x5a5a);
	write_cr0(read_cr0() & ~0x80000000u);
	CHECK("paging_off", !(read_cr0() & 0x80000000u));
	return 0;
}
