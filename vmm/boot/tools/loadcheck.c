/*
 * linux-loadcheck: loads a real bzImage (and initrd) into a VM made by
 * vm_create, exactly as the monitor would, and prints what the header says,
 * where the loader put everything and the zero page it built.
 *
 *   build/tools/linux-loadcheck [--mem MIB] [--rsdp GPA] [--acpi GPA [--cpus N]] [--dump BLOB] BZIMAGE [INITRD [CMDLINE]]
 *
 * --acpi GPA builds Ditto's ACPI tables (vmm/dev/acpi.c, --cpus N processors)
 * at GPA, reports their page as E820_ACPI and passes the RSDP in the zero page.
 * --dump writes what the loader put into guest memory and the entry state as
 * a "boot blob" (little-endian u64 records: gpa, length, bytes...; a record
 * of length 0 ends them, followed by rip, rsi, rsp, cr3, gdt_base, gdt_limit)
 * for tests/linux/qemu-boot.sh, which replays it on a real (emulated) CPU.
 *
 * Exit status 0 and a last line "linux-loadcheck: OK" when the image loads.
 * A host tool (stdio, malloc): not part of the monitor.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "vmm/boot/linux.h"
#include "vmm/dev/acpi.h"

#define ACPI_BYTES 4096

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || n < 0 || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: read error\n", path);
		exit(2);
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void put64(FILE *f, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	fwrite(b, 1, 8, f);
}

static void dump_region(FILE *f, struct vm *vm, uint64_t gpa, uint64_t len)
{
	put64(f, gpa);
	put64(f, len);
	uint8_t buf[4096];
	for (uint64_t off = 0; off < len; off += sizeof(buf)) {
		size_t n = (size_t)ENV_MIN((uint64_t)sizeof(buf), len - off);
		if (vm_read(vm, gpa + off, buf, n)) {
			fprintf(stderr, "dump: 0x%llx outside RAM\n", (unsigned long long)(gpa + off));
			exit(2);
		}
		fwrite(buf, 1, n, f);
	}
}

/* Low RAM below the legacy hole (zero page, GDT, command line, page tables,
 * and the zeroed BIOS data area), the kernel, the initrd, the entry state. */
static void dump_blob(const char *path, struct vm *vm, const struct linux_layout *l,
		      const struct vcpu_boot *b, uint64_t acpi)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(2);
	}
	dump_region(f, vm, 0, LINUX_LEGACY_HOLE);
	dump_region(f, vm, l->kernel, l->k.pm_size);
	if (l->initrd_size)
		dump_region(f, vm, l->initrd, l->initrd_size);
	if (acpi)
		dump_region(f, vm, acpi, ACPI_BYTES);
	put64(f, 0);
	put64(f, 0);
	put64(f, b->rip);
	put64(f, b->gpr[RSI]);
	put64(f, b->rsp);
	put64(f, b->cr3);
	put64(f, b->gdt_base);
	put64(f, b->gdt_limit);
	if (fclose(f)) {
		perror(path);
		exit(2);
	}
}

static const char *e820_name(uint32_t t)
{
	switch (t) {
	case E820_RAM: return "RAM";
	case E820_RESERVED: return "reserved";
	case E820_ACPI: return "ACPI";
	case E820_NVS: return "NVS";
	case E820_UNUSABLE: return "unusable";
	default: return "?";
	}
}

static void print_header(const struct linux_kernel *k)
{
	const struct linux_setup_header *h = &k->hdr;
	printf("kernel version:     %s\n", k->version[0] ? k->version : "(none)");
	printf("boot protocol:      %u.%02u\n", h->version >> 8, h->version & 0xff);
	printf("setup_sects:        %u (protected-mode code at file offset 0x%llx)\n",
	       h->setup_sects, (unsigned long long)k->setup_size);
	printf("syssize:            0x%x (0x%llx bytes)\n", h->syssize,
	       (unsigned long long)k->pm_size);
	printf("loadflags:          0x%02x\n", h->loadflags);
	printf("xloadflags:         0x%04x%s%s%s%s%s%s%s\n", h->xloadflags,
	       h->xloadflags & LINUX_XLF_KERNEL_64 ? " KERNEL_64" : "",
	       h->xloadflags & LINUX_XLF_CAN_BE_LOADED_ABOVE_4G ? " CAN_BE_LOADED_ABOVE_4G" : "",
	       h->xloadflags & LINUX_XLF_EFI_HANDOVER_32 ? " EFI_HANDOVER_32" : "",
	       h->xloadflags & LINUX_XLF_EFI_HANDOVER_64 ? " EFI_HANDOVER_64" : "",
	       h->xloadflags & LINUX_XLF_EFI_KEXEC ? " EFI_KEXEC" : "",
	       h->xloadflags & LINUX_XLF_5LEVEL ? " 5LEVEL" : "",
	       h->xloadflags & LINUX_XLF_5LEVEL_ENABLED ? " 5LEVEL_ENABLED" : "");
	printf("relocatable_kernel: %u, kernel_alignment 0x%x, min_alignment %u\n",
	       h->relocatable_kernel, h->kernel_alignment, h->min_alignment);
	printf("pref_address:       0x%llx\n", (unsigned long long)h->pref_address);
	printf("init_size:          0x%x (%u MiB)\n", h->init_size, h->init_size >> 20);
	printf("initrd_addr_max:    0x%x\n", h->initrd_addr_max);
	printf("cmdline_size:       %u\n", h->cmdline_size);
	printf("payload:            offset 0x%x, length 0x%x\n", h->payload_offset,
	       h->payload_length);
}

int main(int argc, char **argv)
{
	unsigned mib = 256;
	const char *dump = NULL;
	uint64_t rsdp = 0, acpi = 0;
	unsigned ncpus = 1;
	int i = 1;
	while (i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-') {
		if (!strcmp(argv[i], "--mem"))
			mib = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--acpi"))
			acpi = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--cpus"))
			ncpus = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--rsdp"))
			rsdp = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--dump"))
			dump = argv[i + 1];
		else
			break;
		i += 2;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [--mem MIB] [--rsdp GPA] [--acpi GPA [--cpus N]] [--dump BLOB] BZIMAGE [INITRD [CMDLINE]]\n",
			argv[0]);
		return 2;
	}
	struct linux_load_args a = { 0 };
	a.kernel = slurp(argv[i], &a.kernel_size);
	if (i + 1 < argc && argv[i + 1][0])
		a.initrd = slurp(argv[i + 1], &a.initrd_size);
	a.cmdline = i + 2 < argc ? argv[i + 2] : "console=ttyS0";
	a.acpi_rsdp = rsdp;
	/* Ditto's tables, as the platform integration would build them. */
	static uint8_t tables[ACPI_BYTES];
	struct vacpi_layout al = { 0 };
	struct e820_range acpi_range = { acpi, ACPI_BYTES, E820_ACPI };
	if (acpi) {
		struct vacpi_config cfg = { .ncpus = ncpus, .lapic_addr = 0xfee00000,
					    .ioapic_addr = 0xfec00000, .ioapic_id = 0,
					    .pm_base = VACPI_PM_BASE, .sci_irq = VACPI_SCI_IRQ };
		if (vacpi_build(tables, sizeof(tables), acpi, &cfg, &al)) {
			fprintf(stderr, "vacpi_build failed\n");
			return 2;
		}
		a.acpi_rsdp = al.rsdp;
		a.reserved = &acpi_range;
		a.nreserved = 1;
	}

	struct vm *vm = vm_create("loadcheck", (uint64_t)mib << 20, 1);
	if (!vm) {
		fprintf(stderr, "vm_create(%u MiB) failed\n", mib);
		return 2;
	}
	struct vcpu_boot b;
	struct linux_layout l;
	char err[256];
	int rc = linux_load(vm, &a, &b, &l, err, sizeof(err));
	if (rc) {
		printf("linux-loadcheck: refused (%d): %s\n", rc, err);
		return 1;
	}
	if (acpi && vm_write(vm, acpi, tables, sizeof(tables))) {
		printf("linux-loadcheck: ACPI tables at 0x%llx are outside RAM\n",
		       (unsigned long long)acpi);
		return 1;
	}
	printf("file:               %s (%zu bytes)\n", argv[i], a.kernel_size);
	print_header(&l.k);
	printf("VM:                 %u MiB\n", mib);
	printf("kernel:             0x%llx-0x%llx (init_size region), entry 0x%llx\n",
	       (unsigned long long)l.kernel, (unsigned long long)l.kernel_end,
	       (unsigned long long)l.entry);
	if (l.initrd_size)
		printf("initrd:             0x%llx-0x%llx (%llu bytes)\n",
		       (unsigned long long)l.initrd, (unsigned long long)(l.initrd + l.initrd_size),
		       (unsigned long long)l.initrd_size);
	else
		printf("initrd:             none\n");
	printf("command line:       0x%llx (%llu bytes) \"%s\"\n", (unsigned long long)l.cmdline,
	       (unsigned long long)l.cmdline_len, a.cmdline);
	printf("zero page:          0x%llx\n", (unsigned long long)l.boot_params);
	printf("GDT:                0x%llx limit 0x%x\n", (unsigned long long)b.gdt_base,
	       b.gdt_limit);
	printf("page tables:        0x%llx-0x%llx, identity map of %llu GiB\n",
	       (unsigned long long)l.pml4, (unsigned long long)l.pgtables_end,
	       (unsigned long long)(l.mapped >> 30));
	printf("entry state:        64-bit, rip 0x%llx rsi 0x%llx rsp 0x%llx cr3 0x%llx cs 0x%x\n",
	       (unsigned long long)b.rip, (unsigned long long)b.gpr[RSI],
	       (unsigned long long)b.rsp, (unsigned long long)b.cr3, b.cs_selector);

	const struct linux_boot_params *bp = vm_gpa_ptr(vm, l.boot_params, sizeof(*bp));
	printf("boot_params:        type_of_loader 0x%02x vid_mode 0x%04x loadflags 0x%02x\n",
	       bp->hdr.type_of_loader, bp->hdr.vid_mode, bp->hdr.loadflags);
	printf("                    cmd_line_ptr 0x%x ext 0x%x, ramdisk 0x%x+0x%x ext 0x%x+0x%x\n",
	       bp->hdr.cmd_line_ptr, bp->ext_cmd_line_ptr, bp->hdr.ramdisk_image,
	       bp->hdr.ramdisk_size, bp->ext_ramdisk_image, bp->ext_ramdisk_size);
	printf("                    acpi_rsdp_addr 0x%llx, code32_start 0x%x, sentinel %u\n",
	       (unsigned long long)bp->acpi_rsdp_addr, bp->hdr.code32_start, bp->sentinel);
	printf("e820 (%u entries):\n", bp->e820_entries);
	for (unsigned j = 0; j < bp->e820_entries; j++) {
		const struct linux_e820_entry *e = &bp->e820_table[j];
		printf("  [0x%012llx-0x%012llx) %s\n", (unsigned long long)e->addr,
		       (unsigned long long)(e->addr + e->size), e820_name(e->type));
	}
	/* The loaded bytes must be the image's protected-mode code. */
	const void *k = vm_gpa_ptr(vm, l.kernel, 4096);
	if (!k || memcmp(k, (const uint8_t *)a.kernel + l.k.setup_size, 4096)) {
		printf("linux-loadcheck: the kernel bytes at 0x%llx differ from the file\n",
		       (unsigned long long)l.kernel);
		return 1;
	}
	if (dump)
		dump_blob(dump, vm, &l, &b, acpi);
	printf("linux-loadcheck: OK\n");
	vm_destroy(vm);
	free((void *)a.kernel);
	free((void *)a.initrd);
	return 0;
}
