/*
 * vmm/boot/linux.c on synthetic bzImages in VMs made by vm_create: where
 * things are placed, what the zero page says, the page tables (walked), the
 * GDT, the entry state.
 */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "linux_image.h"
#include "vmm/boot/longmode.h"

static char err[256];

static uint64_t rd64(struct vm *vm, uint64_t gpa)
{
	uint8_t b[8];
	if (vm_read(vm, gpa, b, 8))
		return ~0ull;
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

/* Translates va through the guest's 4-level tables at cr3; ~0 if not mapped. */
static uint64_t walk(struct vm *vm, uint64_t cr3, uint64_t va)
{
	uint64_t e = rd64(vm, (cr3 & LM_PTE_ADDR) + ((va >> 39) & 511) * 8);
	if (!(e & LM_PTE_P))
		return ~0ull;
	e = rd64(vm, (e & LM_PTE_ADDR) + ((va >> 30) & 511) * 8);
	if (!(e & LM_PTE_P) || (e & LM_PTE_PS))
		return ~0ull; /* the loader uses no 1 GiB pages */
	e = rd64(vm, (e & LM_PTE_ADDR) + ((va >> 21) & 511) * 8);
	if (!(e & LM_PTE_P) || !(e & LM_PTE_PS) || !(e & LM_PTE_RW))
		return ~0ull;
	return (e & LM_PTE_ADDR & ~((2ull << 20) - 1)) + (va & ((2ull << 20) - 1));
}

static struct linux_boot_params *zero_page(struct vm *vm)
{
	return vm_gpa_ptr(vm, LINUX_BOOT_PARAMS_GPA, sizeof(struct linux_boot_params));
}

/* Loads the default synthetic kernel (with opts changed by the caller). */
static int load(struct vm *vm, const struct fake_bz *o, struct linux_load_args *a,
		struct vcpu_boot *b, struct linux_layout *l, uint8_t **img)
{
	size_t size;
	*img = fake_bz_build(o, &size);
	struct linux_load_args def;
	if (!a) {
		fake_args(&def, *img, size);
		a = &def;
	} else {
		a->kernel = *img;
		a->kernel_size = size;
	}
	err[0] = 0;
	int rc = linux_load(vm, a, b, l, err, sizeof(err));
	if (rc)
		printf("# linux_load: %s\n", err);
	return rc;
}

TEST(linux_kernel_at_pref_address)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.trailer = 1500; /* a signature after syssize * 16 is not loaded */
	struct vm *vm = fake_vm(64);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	CHECK_EQ(load(vm, &o, NULL, &b, &l, &img), 0);
	CHECK_EQ(l.kernel, 0x1000000);
	CHECK_EQ(l.kernel_end, 0x1000000 + (8u << 20));
	CHECK_EQ(l.entry, 0x1000200);
	const uint8_t *k = vm_gpa_ptr(vm, l.kernel, o.pm_size + 1500);
	CHECK(k);
	for (size_t i = 0; i < o.pm_size; i++)
		CHECK_EQ(k[i], fake_bz_pm_byte(i));
	CHECK_EQ(k[o.pm_size], 0); /* trailer not copied */
	CHECK_EQ(memcmp(k, img + fake_bz_setup_size(&o), o.pm_size), 0);
	CHECK_STREQ(l.k.version, FAKE_VERSION_STRING);
	free(img);
	vm_destroy(vm);
}

TEST(linux_setup_sects_zero_means_four)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.setup_sects = 0;
	struct vm *vm = fake_vm(64);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	CHECK_EQ(load(vm, &o, NULL, &b, &l, &img), 0);
	CHECK_EQ(l.k.setup_size, 5 * 512);
	const uint8_t *k = vm_gpa_ptr(vm, l.kernel, 16);
	CHECK_EQ(k[0], fake_bz_pm_byte(0));
	CHECK_EQ(k[15], fake_bz_pm_byte(15));
	free(img);
	vm_destroy(vm);
}

TEST(linux_entry_state)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	struct vm *vm = fake_vm(64);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	memset(&b, 0xa5, sizeof(b));
	CHECK_EQ(load(vm, &o, NULL, &b, &l, &img), 0);
	CHECK_EQ(b.mode, BOOT_LONG64);
	CHECK_EQ(b.rip, 0x1000200);
	CHECK_EQ(b.gpr[RSI], LINUX_BOOT_PARAMS_GPA);
	CHECK_EQ(b.gpr[RAX] | b.gpr[RBX] | b.gpr[RDI] | b.gpr[RBP], 0);
	CHECK_EQ(b.rflags & (1u << 9), 0); /* IF clear */
	CHECK_EQ(b.rsp, LINUX_STACK_TOP);
	CHECK_EQ(b.cr3, LINUX_PGTABLE_GPA);
	CHECK_EQ(b.gdt_base, LINUX_GDT_GPA);
	CHECK_EQ(b.gdt_limit, 31);
	CHECK_EQ(b.cs_selector, 0x10);
	free(img);
	vm_destroy(vm);
}

/* Decodes a descriptor (SDM Vol. 3A 3.4.5) and checks a flat ring-0 segment. */
TEST(linux_gdt_boot_cs_ds)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	struct vm *vm = fake_vm(64);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	CHECK_EQ(load(vm, &o, NULL, &b, &l, &img), 0);
	CHECK_EQ(rd64(vm, b.gdt_base), 0);
	CHECK_EQ(rd64(vm, b.gdt_base + 8), 0);
	for (unsigned sel = 0x10; sel <= 0x18; sel += 8) {
		uint64_t d = rd64(vm, b.gdt_base + sel);
		uint64_t base = ((d >> 16) & 0xffffff) | ((d >> 56) << 24);
		uint64_t limit = (d & 0xffff) | ((d >> 48) & 0xf) << 16;
		unsigned type = (d >> 40) & 0xf, s = (d >> 44) & 1, dpl = (d >> 45) & 3;
		unsigned p = (d >> 47) & 1, lbit = (d >> 53) & 1, db = (d >> 54) & 1, g = (d >> 55) & 1;
		CHECK_EQ(base, 0);
		CHECK_EQ(limit, 0xfffff);
		CHECK_EQ(g, 1);
		CHECK_EQ(s, 1);
		CHECK_EQ(p, 1);
		CHECK_EQ(dpl, 0);
		if (sel == 0x10) {
			CHECK_EQ(type & 0xa, 0xa); /* code, readable */
			CHECK_EQ(lbit, 1);         /* 64-bit */
			CHECK_EQ(db, 0);           /* L=1 requires D=0 */
		} else {
			CHECK_EQ(type & 0xa, 0x2); /* data, writable */
			CHECK_EQ(db, 1);
		}
	}
	free(img);
	vm_destroy(vm);
}

TEST(linux_page_tables_identity_map_all_ram)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	struct vm *vm = fake_vm(64);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	static const char rd[] = "initrd";
	struct linux_load_args a;
	fake_args(&a, NULL, 0);
	a.initrd = rd;
	a.initrd_size = sizeof(rd);
	CHECK_EQ(load(vm, &o, &a, &b, &l, &img), 0);
	CHECK_EQ(l.mapped, 4ull << 30); /* at least the low 4 GiB */
	CHECK_EQ(l.pgtables_end, LINUX_PGTABLE_GPA + (2 + 4) * 4096);
	uint64_t probes[] = { 0, 0x1000, LINUX_BOOT_PARAMS_GPA, LINUX_CMDLINE_GPA, l.kernel,
			      l.kernel + o.init_size - 1, l.initrd, vm->mem_size - 1, 0x9fc00,
			      0xfec00000, 0xfee00000, (4ull << 30) - 1 };
	for (size_t i = 0; i < ENV_ARRAY_SIZE(probes); i++)
		CHECK_EQ(walk(vm, b.cr3, probes[i]), probes[i]);
	CHECK_EQ(walk(vm, b.cr3, 4ull << 30), ~0ull);
	CHECK_EQ(walk(vm, b.cr3, 1ull << 47), ~0ull);
	free(img);
	vm_destroy(vm);
}

TEST(linux_page_tables_beyond_4g)
{
	/* The builder alone: a 6 GiB + 1 byte map needs 7 PDs (the tables only
	 * have to be in RAM, not the mapped range). */
	struct vm *vm = fake_vm(4);
	int64_t end = lm_write_identity_map(vm, 0x10000, 0x90000, (6ull << 30) + 1);
	CHECK_EQ(end, 0x10000 + (2 + 7) * 4096);
	uint64_t probes[] = { 0, (6ull << 30) + 4096, (7ull << 30) - 1, 0x12345678 };
	for (size_t i = 0; i < ENV_ARRAY_SIZE(probes); i++)
		CHECK_EQ(walk(vm, 0x10000, probes[i]), probes[i]);
	CHECK_EQ(walk(vm, 0x10000, 7ull << 30), ~0ull);
	/* 126 GiB is the most that fits below 0x90000; 127 GiB does not. */
	CHECK(lm_write_identity_map(vm, 0x10000, 0x90000, 126ull << 30) > 0);
	CHECK_EQ(lm_write_identity_map(vm, 0x10000, 0x90000, 127ull << 30), -ENOSPC);
	vm_destroy(vm);
}

TEST(linux_e820_matches_ram)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	struct vm *vm = fake_vm(64);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	CHECK_EQ(load(vm, &o, NULL, &b, &l, &img), 0);
	struct linux_boot_params *bp = zero_page(vm);
	CHECK_EQ(bp->e820_entries, 3);
	CHECK_EQ(l.e820_entries, 3);
	const struct linux_e820_entry want[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x9fc00, 0x100000 - 0x9fc00, E820_RESERVED },
		{ 0x100000, (64u << 20) - 0x100000, E820_RAM },
	};
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(bp->e820_table[i].addr, want[i].addr);
		CHECK_EQ(bp->e820_table[i].size, want[i].size);
		CHECK_EQ(bp->e820_table[i].type, want[i].type);
	}
	CHECK_EQ(bp->e820_table[3].size, 0);
	free(img);
	vm_destroy(vm);
}

TEST(linux_e820_with_holes_and_platform_ranges)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	struct vm *vm = fake_vm(64);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	const struct e820_range ram[] = { { 48u << 20, 16u << 20, 0 }, { 0, 32u << 20, 0 } };
	const struct e820_range rsv[] = {
		{ 0xfec00000, 0x1000, E820_RESERVED },
		{ (32u << 20) - 0x10000, 0x10000, E820_ACPI },
	};
	struct linux_load_args a;
	fake_args(&a, NULL, 0);
	a.ram = ram;
	a.nram = 2;
	a.reserved = rsv;
	a.nreserved = 2;
	a.initrd = "0123456789";
	a.initrd_size = 10;
	CHECK_EQ(load(vm, &o, &a, &b, &l, &img), 0);
	struct linux_boot_params *bp = zero_page(vm);
	const struct linux_e820_entry want[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x9fc00, 0x100000 - 0x9fc00, E820_RESERVED },
		{ 0x100000, (32u << 20) - 0x10000 - 0x100000, E820_RAM },
		{ (32u << 20) - 0x10000, 0x10000, E820_ACPI },
		{ 48u << 20, 16u << 20, E820_RAM },
		{ 0xfec00000, 0x1000, E820_RESERVED },
	};
	CHECK_EQ(bp->e820_entries, ENV_ARRAY_SIZE(want));
	for (size_t i = 0; i < ENV_ARRAY_SIZE(want); i++) {
		CHECK_EQ(bp->e820_table[i].addr, want[i].addr);
		CHECK_EQ(bp->e820_table[i].size, want[i].size);
		CHECK_EQ(bp->e820_table[i].type, want[i].type);
	}
	CHECK_EQ(l.kernel, 0x1000000);
	CHECK_EQ(l.initrd, (64u << 20) - 4096); /* the top RAM range */
	free(img);
	vm_destroy(vm);
}

TEST(linux_zero_page_fields)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.setup_data = 0x123456789; /* stale in the image: must not reach the kernel */
	struct vm *vm = fake_vm(64);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	struct linux_load_args a;
	fake_args(&a, NULL, 0);
	a.cmdline = "console=ttyS0 root=/dev/ram0";
	a.acpi_rsdp = 0xe0000;
	CHECK_EQ(load(vm, &o, &a, &b, &l, &img), 0);
	struct linux_boot_params *bp = zero_page(vm);
	const struct linux_setup_header *h = &bp->hdr;
	CHECK_EQ(h->type_of_loader, 0xff);
	CHECK_EQ(h->vid_mode, 0xffff);
	CHECK_EQ(h->header, LINUX_HDRS_MAGIC);
	CHECK_EQ(h->version, 0x020f);
	CHECK_EQ(h->init_size, o.init_size);
	CHECK_EQ(h->kernel_alignment, o.kernel_alignment);
	CHECK_EQ(h->pref_address, o.pref_address);
	CHECK_EQ(h->xloadflags, o.xloadflags);
	CHECK_EQ(h->cmdline_size, 2047);
	CHECK_EQ(h->payload_offset, 0x2cc);
	CHECK_EQ(h->loadflags & LINUX_LOADED_HIGH, LINUX_LOADED_HIGH);
	CHECK_EQ(h->code32_start, l.kernel);
	CHECK_EQ(h->setup_data, 0);
	CHECK_EQ(h->ramdisk_image, 0);
	CHECK_EQ(h->ramdisk_size, 0);
	CHECK_EQ(h->cmd_line_ptr, LINUX_CMDLINE_GPA);
	CHECK_EQ(bp->ext_cmd_line_ptr, 0);
	CHECK_STREQ((const char *)vm_gpa_ptr(vm, h->cmd_line_ptr, 64), a.cmdline);
	CHECK_EQ(l.cmdline_len, strlen(a.cmdline));
	CHECK_EQ(bp->acpi_rsdp_addr, 0xe0000);
	CHECK_EQ(bp->sentinel, 0);
	for (size_t i = 0; i < sizeof(bp->screen_info); i++)
		CHECK_EQ(bp->screen_info[i], 0); /* orig_video_isVGA (0x0f) = 0 */
	CHECK_EQ(bp->hdr.hardware_subarch, 0);
	/* Nothing but the header and e820 is nonzero outside the fields set above. */
	const uint8_t *raw = (const uint8_t *)bp;
	for (size_t i = 0; i < 0x1e8; i++)
		if (i < 0x70 || i >= 0x78)
			CHECK_EQ(raw[i], 0);
	free(img);
	vm_destroy(vm);
}

TEST(linux_initrd_as_high_as_ram_allows)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	struct vm *vm = fake_vm(64);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	size_t n = (1u << 20) + 123;
	uint8_t *rd = malloc(n);
	for (size_t i = 0; i < n; i++)
		rd[i] = (uint8_t)(i ^ (i >> 9));
	struct linux_load_args a;
	fake_args(&a, NULL, 0);
	a.initrd = rd;
	a.initrd_size = n;
	CHECK_EQ(load(vm, &o, &a, &b, &l, &img), 0);
	CHECK_EQ(l.initrd % 4096, 0);
	CHECK(l.initrd + n <= vm->mem_size);
	CHECK(vm->mem_size - (l.initrd + n) < 4096);
	CHECK(l.initrd >= l.kernel_end);
	uint8_t *got = malloc(n);
	CHECK_EQ(vm_read(vm, l.initrd, got, n), 0);
	CHECK_EQ(memcmp(got, rd, n), 0);
	struct linux_boot_params *bp = zero_page(vm);
	CHECK_EQ(bp->hdr.ramdisk_image, l.initrd);
	CHECK_EQ(bp->hdr.ramdisk_size, n);
	CHECK_EQ(bp->ext_ramdisk_image, 0);
	CHECK_EQ(bp->ext_ramdisk_size, 0);
	free(got);
	free(rd);
	free(img);
	vm_destroy(vm);
}

TEST(linux_initrd_below_initrd_addr_max)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.initrd_addr_max = (32u << 20) - 1; /* kernel: 16..24 MiB */
	struct vm *vm = fake_vm(64);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	static uint8_t rd[3 << 20];
	struct linux_load_args a;
	fake_args(&a, NULL, 0);
	a.initrd = rd;
	a.initrd_size = sizeof(rd);
	CHECK_EQ(load(vm, &o, &a, &b, &l, &img), 0);
	CHECK_EQ(l.initrd, (32u << 20) - sizeof(rd));
	/* Only 2 MiB between kernel end (24 MiB) and a 26 MiB limit: the
	 * 3 MiB initrd goes below the kernel. */
	vm_destroy(vm);
	free(img);
	vm = fake_vm(64);
	o.initrd_addr_max = (26u << 20) - 1;
	CHECK_EQ(load(vm, &o, &a, &b, &l, &img), 0);
	CHECK_EQ(l.initrd, (16u << 20) - sizeof(rd));
	CHECK(l.initrd + sizeof(rd) <= l.kernel);
	free(img);
	vm_destroy(vm);
}

TEST(linux_kernel_relocated_when_pref_does_not_fit)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.init_size = 20u << 20; /* 16 + 20 > 32 MiB */
	struct vm *vm = fake_vm(32);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	CHECK_EQ(load(vm, &o, NULL, &b, &l, &img), 0);
	CHECK_EQ(l.kernel, 0x200000); /* first 2 MiB-aligned address above 1 MiB */
	CHECK_EQ(b.rip, 0x200200);
	CHECK_EQ(zero_page(vm)->hdr.code32_start, 0x200000);
	free(img);
	vm_destroy(vm);
	/* An unaligned pref_address is rounded up to kernel_alignment. */
	fake_bz_defaults(&o);
	o.pref_address = 0x1001000;
	vm = fake_vm(64);
	CHECK_EQ(load(vm, &o, NULL, &b, &l, &img), 0);
	CHECK_EQ(l.kernel, 0x1200000);
	free(img);
	vm_destroy(vm);
}

TEST(linux_non_relocatable_at_pref_address)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.relocatable = 0;
	o.kernel_alignment = 12345; /* not used for a non-relocatable kernel */
	o.pref_address = 0x1100000;
	struct vm *vm = fake_vm(64);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	CHECK_EQ(load(vm, &o, NULL, &b, &l, &img), 0);
	CHECK_EQ(l.kernel, 0x1100000);
	free(img);
	vm_destroy(vm);
}

TEST(linux_cmdline_limits)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.cmdline_size = 100;
	struct vm *vm = fake_vm(64);
	struct vcpu_boot b;
	struct linux_layout l;
	uint8_t *img;
	char line[101];
	memset(line, 'x', 100);
	line[100] = 0;
	struct linux_load_args a;
	fake_args(&a, NULL, 0);
	a.cmdline = line; /* exactly cmdline_size: allowed */
	CHECK_EQ(load(vm, &o, &a, &b, &l, &img), 0);
	CHECK_EQ(memcmp(vm_gpa_ptr(vm, LINUX_CMDLINE_GPA, 101), line, 101), 0);
	free(img);
	a.cmdline = NULL; /* none: an empty string */
	CHECK_EQ(load(vm, &o, &a, &b, &l, &img), 0);
	CHECK_EQ(*(const char *)vm_gpa_ptr(vm, LINUX_CMDLINE_GPA, 1), 0);
	CHECK_EQ(zero_page(vm)->hdr.cmd_line_ptr, LINUX_CMDLINE_GPA);
	free(img);
	vm_destroy(vm);
}
