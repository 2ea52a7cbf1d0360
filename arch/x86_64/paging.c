/*
 * Ditto's page tables (SDM Vol. 3A 4.5, 4-level paging).
 *
 *   DIRECT_MAP_BASE + pa  every RAM range of the memory map, 2 MiB pages
 *                         where alignment allows, NX
 *   KERNEL_VMA + pa       the kernel image: .text read-only executable,
 *                         everything else NX (W^X)
 *   IOMAP_BASE ...        device MMIO (UC) and firmware tables (WB), on demand
 *
 * The boot tables (boot/multiboot2.S) identity-map the low 4 GiB; they are
 * dropped here, so a stray low pointer faults instead of hitting memory.
 */
#include "arch/paging.h"
#include "arch/panic.h"
#include "arch/regs.h"
#include "arch/x86.h"
#include "boot/mb2.h"
#include "lib/spinlock.h"
#include "mm/kmem.h"

extern char __text_start[], __text_end[], __kernel_end[];
extern char __kernel_phys_start[];

static uint64_t *pml4;
static uint64_t iomap_next = IOMAP_BASE;
static struct spinlock map_lock = SPINLOCK_INIT;
uint64_t paging_ram_top;
uint64_t paging_kernel_cr3; /* for the APs (arch/x86_64/smp.c) */

uint64_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;
	if (v >= KERNEL_VMA)
		return v - KERNEL_VMA;
	if (v >= DIRECT_MAP_BASE && v < DIRECT_MAP_BASE + (1ull << 46))
		return v - DIRECT_MAP_BASE;
	panic("virt_to_phys: %p is not in the direct map or the kernel image", va);
}

static uint64_t *table_alloc(void)
{
	uint64_t pa = kmem_frames_alloc(1, 1);
	if (pa == FRAMES_NONE)
		return NULL;
	uint64_t *t = phys_to_virt(pa);
	memset(t, 0, PAGE_SIZE);
	return t;
}

/* The table one level down from entry e, created if absent. */
static uint64_t *next_level(uint64_t *e)
{
	if (*e & PTE_P) {
		if (*e & PTE_PS)
			panic("paging: remapping inside a large page (entry 0x%llx)",
			      (unsigned long long)*e);
		return phys_to_virt(*e & PTE_ADDR_MASK);
	}
	uint64_t *t = table_alloc();
	if (!t)
		return NULL;
	/* Intermediate entries permissive; the leaf decides. */
	*e = virt_to_phys(t) | PTE_P | PTE_W;
	return t;
}

static int map_page(uint64_t va, uint64_t pa, uint64_t flags, bool large)
{
	uint64_t *t = pml4;
	int levels = large ? 2 : 3;
	for (int shift = 39, l = 0; l < levels; l++, shift -= 9) {
		t = next_level(&t[(va >> shift) & 511]);
		if (!t)
			return -1;
	}
	unsigned idx = large ? (va >> 21) & 511 : (va >> 12) & 511;
	t[idx] = pa | flags | PTE_P | (large ? PTE_PS : 0);
	return 0;
}

static void map_range(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags)
{
	uint64_t end = pa + len;
	while (pa < end) {
		bool large = !(pa & 0x1fffff) && !(va & 0x1fffff) && end - pa >= 0x200000;
		if (map_page(va, pa, flags, large))
			panic("paging: out of frames for page tables");
		uint64_t step = large ? 0x200000 : PAGE_SIZE;
		pa += step;
		va += step;
	}
}

static bool is_ram(uint32_t type)
{
	return type == MB2_MEM_AVAILABLE || type == MB2_MEM_ACPI_RECLAIMABLE || type == MB2_MEM_NVS;
}

void paging_init(const struct mb2_info *mbi)
{
	pml4 = table_alloc();
	if (!pml4)
		panic("paging: no frame for the PML4");

	for (size_t i = 0; i < mbi->n_mmap; i++) {
		const struct mb2_mmap_entry *e = &mbi->mmap[i];
		if (!is_ram(e->type))
			continue;
		uint64_t b = ENV_ALIGN_UP(e->base, (uint64_t)PAGE_SIZE);
		uint64_t end = (e->base + e->len) & ~(uint64_t)(PAGE_SIZE - 1);
		if (end <= b)
			continue;
		map_range(DIRECT_MAP_BASE + b, b, end - b, PTE_W | PTE_G | PTE_NX);
		paging_ram_top = ENV_MAX(paging_ram_top, end);
	}
	/* The kernel image: text RX, the rest RW NX. */
	uint64_t kstart = (uint64_t)__text_start, ktext_end = ENV_ALIGN_UP((uint64_t)__text_end, (uint64_t)PAGE_SIZE);
	map_range(kstart, kstart - KERNEL_VMA, ktext_end - kstart, PTE_G);
	map_range(ktext_end, ktext_end - KERNEL_VMA, (uint64_t)__kernel_end - ktext_end,
		  PTE_W | PTE_G | PTE_NX);

	write_cr4(read_cr4() | CR4_PGE);
	paging_kernel_cr3 = virt_to_phys(pml4);
	write_cr3(paging_kernel_cr3);
}

void *iomap(uint64_t phys, size_t len, bool cached)
{
	uint64_t off = phys & (PAGE_SIZE - 1);
	uint64_t base = phys - off;
	uint64_t size = ENV_ALIGN_UP(len + off, (uint64_t)PAGE_SIZE);
	uint64_t flags = PTE_W | PTE_NX | (cached ? 0 : PTE_PCD | PTE_PWT);
	if (!len || size / PAGE_SIZE > 4096)
		return NULL;
	spin_lock(&map_lock);
	if (iomap_next + size > IOMAP_BASE + IOMAP_SIZE) {
		spin_unlock(&map_lock);
		return NULL;
	}
	uint64_t va = iomap_next;
	iomap_next += size;
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		if (map_page(va + o, base + o, flags, false)) {
			spin_unlock(&map_lock);
			return NULL;
		}
		invlpg(va + o);
	}
	spin_unlock(&map_lock);
	return (void *)(va + off);
}
