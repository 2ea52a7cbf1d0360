/*
 * Linux bzImage loader: the Linux/x86 boot protocol (Documentation/arch/x86/
 * boot.rst), 64-bit entry. See docs/guests.md for the user's view.
 *
 * Guest-physical layout it chooses (all in RAM the memory map reports):
 *
 *   0x000000-0x000fff  untouched (a PC's real-mode IVT and BIOS data area;
 *                      zero, so Linux uses its defaults for EBDA/low memory)
 *   0x001000           GDT: 0x10 = __BOOT_CS (64-bit code), 0x18 = __BOOT_DS
 *   0x002000           boot_params ("zero page"), RSI at entry
 *   0x003000-0x00dfff  command line (NUL-terminated)
 *   0x00e000-0x00ffff  boot stack (RSP = 0x10000 at entry)
 *   0x010000           PML4, 0x011000 PDPT, 0x012000... one PD per GiB mapped
 *                      (2 MiB pages), at most up to 0x090000
 *   0x090000-0x09fbff  left free: the decompressor puts its 32-bit trampoline
 *                      at the top of low RAM (find_trampoline_placement())
 *   0x09fc00-0x0fffff  e820 reserved (EBDA, VGA window, BIOS ROM of a PC)
 *   pref_address       protected-mode kernel, init_size bytes reserved for it
 *                      (else the first kernel_alignment-aligned RAM above 1 MiB)
 *   high               initrd: page-aligned, as high as initrd_addr_max, the
 *                      end of RAM and the kernel's init_size region allow
 */
#ifndef VMM_BOOT_LINUX_H
#define VMM_BOOT_LINUX_H
#include "vmm/boot/bootparam.h"
#include "vmm/boot/e820.h"
#include "vmm/vm.h"

#define LINUX_GDT_GPA 0x1000ull
#define LINUX_BOOT_PARAMS_GPA 0x2000ull
#define LINUX_CMDLINE_GPA 0x3000ull
#define LINUX_CMDLINE_AREA 0xb000ull /* bytes at LINUX_CMDLINE_GPA, NUL included */
#define LINUX_STACK_TOP 0x10000ull
#define LINUX_PGTABLE_GPA 0x10000ull
#define LINUX_PGTABLE_END 0x90000ull
#define LINUX_LOW_END 0x90000ull      /* end of what the loader writes below 1 MiB */
#define LINUX_LEGACY_HOLE 0x9fc00ull  /* reserved from here to 1 MiB */
#define LINUX_HIGH_MEM 0x100000ull
#define LINUX_MIN_PROTOCOL 0x020c     /* 2.12: xloadflags, XLF_KERNEL_64 */

/* What the checked setup header of a bzImage says. */
struct linux_kernel {
	struct linux_setup_header hdr; /* fields beyond the image's header length are 0 */
	size_t hdr_len;      /* bytes from 0x1f1 that belong to the header (copied into the zero page) */
	uint64_t setup_size; /* (setup_sects + 1) * 512: file offset of the protected-mode code */
	uint64_t pm_size;    /* syssize * 16: bytes of protected-mode code to load */
	uint64_t align;      /* kernel_alignment (4 KiB if not relocatable) */
	uint64_t footprint;  /* max(init_size, pm_size): bytes reserved at the load address */
	bool relocatable;
	char version[128];   /* the kernel_version string, "" if absent */
};

/*
 * Checks the setup header of image[0..size): -EINVAL with a message naming
 * the problem for a truncated image, no "HdrS" or 0xAA55, protocol < 2.12, no
 * LOADED_HIGH, no XLF_KERNEL_64, setup_sects or syssize beyond the file, a
 * bad kernel_alignment, init_size 0.
 */
int linux_parse(const void *image, size_t size, struct linux_kernel *k, char *err, size_t errlen);

struct linux_load_args {
	const void *kernel;
	size_t kernel_size;
	const void *initrd; /* NULL or initrd_size 0: none */
	size_t initrd_size;
	const char *cmdline;  /* NULL: empty */
	uint64_t acpi_rsdp;   /* boot_params.acpi_rsdp_addr; 0: the kernel scans for it */
	/* The guest's RAM; NULL/0: one range [0, vm->mem_size). Must lie inside the VM's memory. */
	const struct e820_range *ram;
	size_t nram;
	/* Platform ranges to report (ACPI tables as E820_ACPI, MMIO as E820_RESERVED);
	 * the loader adds [0x9fc00, 0x100000) reserved itself. */
	const struct e820_range *reserved;
	size_t nreserved;
};

/* Where things went (for logs, tests and docs). */
struct linux_layout {
	struct linux_kernel k;
	uint64_t kernel, kernel_end; /* [load address, + footprint) */
	uint64_t entry;              /* kernel + 0x200 */
	uint64_t initrd, initrd_size;
	uint64_t cmdline, cmdline_len;
	uint64_t boot_params, gdt, pml4, pgtables_end;
	uint64_t mapped;             /* identity-mapped bytes from 0 */
	unsigned e820_entries;
};

/*
 * Loads a bzImage (+ initrd, command line) into vm and fills boot (mode
 * BOOT_LONG64, rip = startup_64, cr3, gdt, RSI = boot_params, RSP, IF = 0)
 * and, if not NULL, out. Every guest write is bounds-checked; on failure
 * (-EINVAL, -ENOSPC, -EFAULT; message in err) guest memory may have been
 * partly written and the VM must not be started.
 */
int linux_load(struct vm *vm, const struct linux_load_args *a, struct vcpu_boot *boot,
	       struct linux_layout *out, char *err, size_t errlen);
#endif
