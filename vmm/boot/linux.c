/*
 * Linux bzImage loader, 64-bit boot protocol (Documentation/arch/x86/boot.rst
 * "64-bit Boot Protocol"; zero page: Documentation/arch/x86/zero-page.rst).
 *
 * Steps: check the setup header (linux_hdr.c); build the e820 table from the
 * VM's RAM ranges, the platform's reserved ranges and the PC legacy hole,
 * straight into the zero page; place the kernel (pref_address, else the first
 * aligned RAM above 1 MiB that holds init_size), then the initrd (as high as
 * initrd_addr_max and RAM allow, outside the kernel's init_size region);
 * write kernel, initrd, command line, GDT and identity page tables; fill the
 * zero page; return the entry state: 64-bit mode, paging on, CS 0x10,
 * DS/ES/SS 0x18, RIP = load address + 0x200 (startup_64), RSI = zero page,
 * interrupts off. The low-memory layout is drawn in linux.h.
 *
 * Nothing from the image is trusted: placement arithmetic is done in 64 bits
 * on values the header check bounded, and every write into the guest goes
 * through vm_write / vm_gpa_ptr, which refuse anything outside the VM's RAM.
 */
#include <errno.h>
#include "ditto/fmt.h"
#include "vmm/boot/linux.h"
#include "vmm/boot/longmode.h"

#define MIB(x) ((unsigned long long)((x) >> 20))

struct placement {
	const struct linux_e820_entry *e820;
	size_t n;
};

/* Load address: pref_address if the footprint fits there, else (relocatable
 * only) the first aligned RAM at or above 1 MiB that holds it. */
static int place_kernel(const struct placement *pl, const struct linux_kernel *k, uint64_t *at,
			char *err, size_t errlen)
{
	uint64_t pref = k->hdr.pref_address ? k->hdr.pref_address : LINUX_HIGH_MEM;

	if (!k->relocatable) {
		if (pref >= LINUX_HIGH_MEM && e820_is_ram(pl->e820, pl->n, pref, k->footprint)) {
			*at = pref;
			return 0;
		}
		fmt_snprintf(err, errlen,
			     "kernel is not relocatable and its init_size 0x%llx at pref_address 0x%llx is not in the VM's RAM",
			     (unsigned long long)k->footprint, (unsigned long long)pref);
		return -EINVAL;
	}
	if (pref <= UINT64_MAX - k->align) {
		uint64_t a = ENV_ALIGN_UP(ENV_MAX(pref, LINUX_HIGH_MEM), k->align);
		if (e820_is_ram(pl->e820, pl->n, a, k->footprint)) {
			*at = a;
			return 0;
		}
	}
	for (size_t i = 0; i < pl->n; i++) {
		const struct linux_e820_entry *e = &pl->e820[i];
		if (e->type != E820_RAM)
			continue;
		uint64_t lo = ENV_MAX(e->addr, LINUX_HIGH_MEM), end = e->addr + e->size;
		if (lo >= end || lo > UINT64_MAX - k->align)
			continue;
		lo = ENV_ALIGN_UP(lo, k->align);
		if (lo < end && k->footprint <= end - lo) {
			*at = lo;
			return 0;
		}
	}
	fmt_snprintf(err, errlen,
		     "kernel init_size 0x%llx (%llu MiB, kernel_alignment 0x%llx) does not fit in the VM's RAM above 1 MiB",
		     (unsigned long long)k->footprint, MIB(k->footprint), (unsigned long long)k->align);
	return -EINVAL;
}

/* Highest page-aligned gpa for size bytes in [lo, hi) avoiding [klo, khi); 0 if none. */
static uint64_t highest_fit(uint64_t lo, uint64_t hi, uint64_t size, uint64_t klo, uint64_t khi)
{
	for (int pass = 0; pass < 2; pass++) {
		if (hi < lo || hi - lo < size)
			return 0;
		uint64_t a = (hi - size) & ~(uint64_t)(ENV_PAGE_SIZE - 1);
		if (a < lo)
			return 0;
		if (a >= khi || a + size <= klo)
			return a;
		hi = klo; /* overlaps the kernel: try below it */
	}
	return 0;
}

static int place_initrd(const struct placement *pl, const struct linux_kernel *k, uint64_t kernel,
			uint64_t size, uint64_t *at, char *err, size_t errlen)
{
	/* initrd_addr_max is the highest byte the initrd may occupy. */
	uint64_t limit = (uint64_t)k->hdr.initrd_addr_max + 1;
	for (size_t i = pl->n; i-- > 0;) {
		const struct linux_e820_entry *e = &pl->e820[i];
		if (e->type != E820_RAM)
			continue;
		uint64_t lo = ENV_MAX(e->addr, LINUX_HIGH_MEM);
		uint64_t hi = ENV_MIN(e->addr + e->size, limit);
		uint64_t a = highest_fit(lo, hi, size, kernel, kernel + k->footprint);
		if (a) {
			*at = a;
			return 0;
		}
	}
	fmt_snprintf(err, errlen,
		     "initrd of %llu bytes does not fit in RAM above 1 MiB below initrd_addr_max 0x%x outside the kernel (0x%llx-0x%llx)",
		     (unsigned long long)size, k->hdr.initrd_addr_max, (unsigned long long)kernel,
		     (unsigned long long)(kernel + k->footprint));
	return -EINVAL;
}

/* The e820 table, built in the zero page: RAM, the platform's ranges, the PC hole. */
static int build_e820(struct vm *vm, const struct linux_load_args *a, struct linux_boot_params *bp,
		      char *err, size_t errlen)
{
	struct e820_range one = { 0, vm->mem_size, E820_RAM };
	const struct e820_range *ram = a->ram ? a->ram : &one;
	size_t nram = a->ram ? a->nram : 1;
	struct e820_range rsv[E820_MAX_INPUT];

	for (size_t i = 0; i < nram; i++) {
		if (ram[i].base >= vm->mem_size || ram[i].size > vm->mem_size - ram[i].base) {
			fmt_snprintf(err, errlen,
				     "RAM range [0x%llx +0x%llx) is outside the VM's %llu MiB",
				     (unsigned long long)ram[i].base, (unsigned long long)ram[i].size,
				     MIB(vm->mem_size));
			return -EINVAL;
		}
	}
	if (a->nreserved + 1 > E820_MAX_INPUT) {
		fmt_snprintf(err, errlen, "%zu reserved ranges, at most %u", a->nreserved,
			     E820_MAX_INPUT - 1);
		return -EINVAL;
	}
	/* A PC's EBDA, VGA window and BIOS ROM: Linux expects them not to be RAM. */
	rsv[0] = (struct e820_range){ LINUX_LEGACY_HOLE, LINUX_HIGH_MEM - LINUX_LEGACY_HOLE,
				      E820_RESERVED };
	for (size_t i = 0; i < a->nreserved; i++)
		rsv[i + 1] = a->reserved[i];
	int n = e820_build(ram, nram, rsv, a->nreserved + 1, bp->e820_table, LINUX_E820_MAX, err,
			   errlen);
	if (n < 0)
		return n;
	bp->e820_entries = (uint8_t)n;
	return 0;
}

static void fill_zero_page(struct linux_boot_params *bp, const void *image,
			   const struct linux_layout *l, uint64_t acpi_rsdp)
{
	/* The header as the image has it (boot.rst "64-bit Boot Protocol"), then
	 * the fields a loader writes. */
	memcpy((uint8_t *)bp + LINUX_SETUP_HDR_OFF, (const uint8_t *)image + LINUX_SETUP_HDR_OFF,
	       l->k.hdr_len);
	struct linux_setup_header *h = &bp->hdr;
	h->type_of_loader = LINUX_LOADER_UNDEFINED;
	h->ext_loader_type = 0;
	h->ext_loader_ver = 0;
	h->vid_mode = LINUX_VID_MODE_NORMAL;
	h->loadflags &= (uint8_t)~(LINUX_KASLR_FLAG | LINUX_CAN_USE_HEAP);
	h->heap_end_ptr = 0;
	h->code32_start = (uint32_t)l->kernel;
	h->ramdisk_image = (uint32_t)l->initrd;
	h->ramdisk_size = (uint32_t)l->initrd_size;
	bp->ext_ramdisk_image = (uint32_t)(l->initrd >> 32);
	bp->ext_ramdisk_size = (uint32_t)(l->initrd_size >> 32);
	h->cmd_line_ptr = (uint32_t)l->cmdline;
	bp->ext_cmd_line_ptr = (uint32_t)(l->cmdline >> 32);
	h->hardware_subarch = 0; /* the default x86/PC */
	h->hardware_subarch_data = 0;
	h->setup_data = 0;
	bp->acpi_rsdp_addr = acpi_rsdp;
	/* screen_info stays zero: orig_video_isVGA = 0, no console to probe. */
}

static int check_cmdline(const struct linux_kernel *k, const char *cmdline, size_t *len, char *err,
			 size_t errlen)
{
	size_t n = 0;
	while (cmdline[n] && n <= LINUX_CMDLINE_AREA)
		n++;
	if (n > k->hdr.cmdline_size) {
		fmt_snprintf(err, errlen, "command line of %s%zu bytes is longer than cmdline_size %u",
			     n > LINUX_CMDLINE_AREA ? "over " : "", n, k->hdr.cmdline_size);
		return -EINVAL;
	}
	if (n + 1 > LINUX_CMDLINE_AREA) {
		fmt_snprintf(err, errlen, "command line of %zu bytes does not fit the loader's %llu",
			     n, (unsigned long long)LINUX_CMDLINE_AREA - 1);
		return -EINVAL;
	}
	*len = n;
	return 0;
}

int linux_load(struct vm *vm, const struct linux_load_args *a, struct vcpu_boot *boot,
	       struct linux_layout *out, char *err, size_t errlen)
{
	struct linux_layout l = { 0 };
	const char *cmdline = a->cmdline ? a->cmdline : "";
	size_t cmdlen = 0;
	uint64_t initrd_size = a->initrd ? a->initrd_size : 0;
	int rc;

	rc = linux_parse(a->kernel, a->kernel_size, &l.k, err, errlen);
	if (rc)
		return rc;
	rc = check_cmdline(&l.k, cmdline, &cmdlen, err, errlen);
	if (rc)
		return rc;

	struct linux_boot_params *bp = vm_gpa_ptr(vm, LINUX_BOOT_PARAMS_GPA, sizeof(*bp));
	if (!bp) {
		fmt_snprintf(err, errlen, "the VM has no RAM for the zero page at 0x%llx",
			     (unsigned long long)LINUX_BOOT_PARAMS_GPA);
		return -EFAULT;
	}
	memset(bp, 0, sizeof(*bp));
	rc = build_e820(vm, a, bp, err, errlen);
	if (rc)
		return rc;
	struct placement pl = { bp->e820_table, bp->e820_entries };
	if (!e820_is_ram(pl.e820, pl.n, LINUX_GDT_GPA, LINUX_LOW_END - LINUX_GDT_GPA)) {
		fmt_snprintf(err, errlen, "the loader needs RAM at 0x%llx-0x%llx (GDT, zero page, command line, page tables)",
			     (unsigned long long)LINUX_GDT_GPA, (unsigned long long)LINUX_LOW_END);
		return -EINVAL;
	}

	rc = place_kernel(&pl, &l.k, &l.kernel, err, errlen);
	if (rc)
		return rc;
	l.kernel_end = l.kernel + l.k.footprint;
	l.entry = l.kernel + LINUX_ENTRY64_OFF;
	if (l.kernel_end > (1ull << 32) && !(l.k.hdr.xloadflags & LINUX_XLF_CAN_BE_LOADED_ABOVE_4G)) {
		fmt_snprintf(err, errlen, "kernel would end at 0x%llx, above 4 GiB, without XLF_CAN_BE_LOADED_ABOVE_4G",
			     (unsigned long long)l.kernel_end);
		return -EINVAL;
	}
	if (initrd_size) {
		rc = place_initrd(&pl, &l.k, l.kernel, initrd_size, &l.initrd, err, errlen);
		if (rc)
			return rc;
		l.initrd_size = initrd_size;
	}

	/* Identity-map all RAM, and at least the low 4 GiB (LAPIC/IOAPIC pages included). */
	uint64_t top = 1ull << 32;
	for (size_t i = 0; i < pl.n; i++)
		if (pl.e820[i].type == E820_RAM)
			top = ENV_MAX(top, pl.e820[i].addr + pl.e820[i].size);
	int64_t end = lm_write_identity_map(vm, LINUX_PGTABLE_GPA, LINUX_PGTABLE_END, top);
	if (end < 0) {
		fmt_snprintf(err, errlen, "RAM up to 0x%llx needs more identity page tables than fit in 0x%llx-0x%llx",
			     (unsigned long long)top, (unsigned long long)LINUX_PGTABLE_GPA,
			     (unsigned long long)LINUX_PGTABLE_END);
		return end == -EFAULT ? -EFAULT : -ENOSPC;
	}
	l.pml4 = LINUX_PGTABLE_GPA;
	l.pgtables_end = (uint64_t)end;
	l.mapped = ENV_ALIGN_UP(top, LM_GIB);
	l.gdt = LINUX_GDT_GPA;
	l.boot_params = LINUX_BOOT_PARAMS_GPA;
	l.cmdline = LINUX_CMDLINE_GPA;
	l.cmdline_len = cmdlen;
	l.e820_entries = bp->e820_entries;

	rc = lm_write_gdt(vm, l.gdt);
	if (!rc)
		rc = vm_write(vm, l.cmdline, cmdline, cmdlen + 1);
	if (!rc)
		rc = vm_write(vm, l.kernel, (const uint8_t *)a->kernel + l.k.setup_size, l.k.pm_size);
	if (!rc && initrd_size)
		rc = vm_write(vm, l.initrd, a->initrd, initrd_size);
	if (rc) {
		fmt_snprintf(err, errlen, "a write into guest memory failed (%d)", rc);
		return rc;
	}
	fill_zero_page(bp, a->kernel, &l, a->acpi_rsdp);

	memset(boot, 0, sizeof(*boot));
	boot->mode = BOOT_LONG64;
	boot->rip = l.entry;
	boot->rsp = LINUX_STACK_TOP;
	boot->rflags = 0; /* IF = 0 (bit 1 is added by the backend) */
	boot->gpr[RSI] = l.boot_params;
	boot->cs_selector = LM_GDT_CS;
	boot->cr3 = l.pml4;
	boot->gdt_base = l.gdt;
	boot->gdt_limit = LM_GDT_LIMIT;
	if (out)
		*out = l;
	return 0;
}
