/* Multiboot loaders on synthetic images: placement, boot information, and
 * every refusal with its message. */
#include <stdlib.h>
#include "check.h"
#include "vmm/loader.h"

static struct vm *mkvm(void) { return vm_create("mb", 16u << 20, 1); }

/* A minimal ELF32 with one PT_LOAD of `code` at paddr, a header at offset 84. */
static size_t elf32(uint8_t *f, uint32_t paddr, uint32_t entry, uint32_t memsz, const uint32_t *mbh,
		    size_t mbh_words)
{
	memset(f, 0, 4096);
	memcpy(f, "\x7f" "ELF\x01\x01\x01", 7);
	uint16_t type = 2, mach = 3, phentsize = 32, phnum = 1;
	uint32_t phoff = 52;
	memcpy(f + 16, &type, 2);
	memcpy(f + 18, &mach, 2);
	memcpy(f + 24, &entry, 4);
	memcpy(f + 28, &phoff, 4);
	memcpy(f + 42, &phentsize, 2);
	memcpy(f + 44, &phnum, 2);
	uint32_t ph[8] = { 1, 0, paddr, paddr, 512, memsz, 7, 4096 };
	memcpy(f + 52, ph, sizeof(ph));
	memcpy(f + 88, mbh, mbh_words * 4);
	return 512;
}

static const uint32_t mb1[3] = { 0x1badb002u, 3, -(0x1badb002u + 3) };
static const uint32_t mb2[6] = { 0xe85250d6u, 0, 24, -(0xe85250d6u + 24), 0, 8 };
static uint8_t file[4096];
static char err[160];
static struct vcpu_boot b;

TEST(mb1_elf_loads_and_describes_the_vm)
{
	struct vm *vm = mkvm();
	size_t n = elf32(file, 0x100000, 0x100010, 0x2000, mb1, 3);
	CHECK_EQ(vm_load_multiboot(vm, 1, file, n, "hello world", 0, &b, err, sizeof(err)), 0);
	CHECK_EQ(b.mode, BOOT_PROT32);
	CHECK_EQ(b.rip, 0x100010);
	CHECK_EQ(b.gpr[RAX], 0x2badb002u);
	uint32_t mbi[20];
	vm_read(vm, b.gpr[RBX], mbi, sizeof(mbi));
	CHECK_EQ(mbi[0] & 0x245, 0x245); /* mem, cmdline, mmap, loader name */
	CHECK_EQ(mbi[1], 639);
	CHECK_EQ(mbi[2], 15 * 1024);
	char cl[16];
	vm_read(vm, mbi[4], cl, sizeof(cl));
	CHECK_STREQ(cl, "hello world");
	CHECK_EQ(mbi[11], 3 * 24);
	uint8_t head[4];
	vm_read(vm, 0x100000, head, 4);
	CHECK(!memcmp(head, "\x7f" "ELF", 4));
	uint8_t bss = 0xff;
	vm_read(vm, 0x101fff, &bss, 1);
	CHECK_EQ(bss, 0);
	vm_destroy(vm);
}

TEST(mb2_elf_loads_with_info_tags)
{
	struct vm *vm = mkvm();
	size_t n = elf32(file, 0x200000, 0x200000, 4096, mb2, 6);
	CHECK_EQ(vm_load_multiboot(vm, 2, file, n, "x=1", 0, &b, err, sizeof(err)), 0);
	CHECK_EQ(b.gpr[RAX], 0x36d76289u);
	uint8_t info[512];
	vm_read(vm, b.gpr[RBX], info, sizeof(info));
	uint32_t total;
	memcpy(&total, info, 4);
	CHECK(total > 16 && total < 512 && total % 8 == 0);
	bool cmd = false, mmap = false, end = false;
	for (uint32_t off = 8; off + 8 <= total;) {
		uint32_t t, s;
		memcpy(&t, info + off, 4);
		memcpy(&s, info + off + 4, 4);
		if (t == 1)
			cmd = !strcmp((char *)info + off + 8, "x=1");
		if (t == 6)
			mmap = s == 16 + 3 * 24;
		if (t == 0) {
			end = s == 8 && off + 8 == total;
			break;
		}
		off += (s + 7) & ~7u;
	}
	CHECK(cmd && mmap && end);
	vm_destroy(vm);
}

TEST(refusals)
{
	struct vm *vm = mkvm();
	size_t n = elf32(file, 0x100000, 0x100000, 4096, mb1, 3);
	file[88 + 8] ^= 1; /* checksum */
	CHECK(vm_load_multiboot(vm, 1, file, n, "", 0, &b, err, sizeof(err)) != 0);
	CHECK(strstr(err, "bad checksum"));
	n = elf32(file, 0x100000, 0x100000, 4096, mb1, 3);
	CHECK(vm_load_multiboot(vm, 2, file, n, "", 0, &b, err, sizeof(err)) != 0);
	CHECK(strstr(err, "no multiboot2 header"));
	n = elf32(file, 0x2000000, 0x2000000, 4096, mb1, 3); /* beyond 16 MiB */
	CHECK(vm_load_multiboot(vm, 1, file, n, "", 0, &b, err, sizeof(err)) != 0);
	CHECK(strstr(err, "outside the VM's memory"));
	n = elf32(file, 0x80000, 0x80000, 4096, mb1, 3); /* below 1 MiB: Ditto's area */
	CHECK(vm_load_multiboot(vm, 1, file, n, "", 0, &b, err, sizeof(err)) != 0);
	n = elf32(file, 0x100000, 0x900000, 4096, mb1, 3);
	CHECK(vm_load_multiboot(vm, 1, file, n, "", 0, &b, err, sizeof(err)) != 0);
	CHECK(strstr(err, "entry point"));
	n = elf32(file, 0x100000, 0x100000, 4096, mb1, 3);
	CHECK(vm_load_multiboot(vm, 1, file, 100, "", 0, &b, err, sizeof(err)) != 0); /* truncated */
	CHECK(strstr(err, "outside the file"));
	file[1] = 'X';
	CHECK(vm_load_multiboot(vm, 1, file, n, "", 0, &b, err, sizeof(err)) != 0);
	CHECK(strstr(err, "not an ELF"));
	uint32_t video[3] = { 0x1badb002u, 4, -(0x1badb002u + 4) };
	n = elf32(file, 0x100000, 0x100000, 4096, video, 3);
	CHECK(vm_load_multiboot(vm, 1, file, n, "", 0, &b, err, sizeof(err)) != 0);
	CHECK(strstr(err, "features"));
	vm_destroy(vm);
}

TEST(mb1_aout_kludge)
{
	struct vm *vm = mkvm();
	memset(file, 0x90, 4096);
	/* header at offset 0: magic, flags (bit 16), checksum, header_addr,
	 * load_addr, load_end_addr, bss_end_addr, entry_addr */
	uint32_t h[8] = { 0x1badb002u, 1u << 16, -(0x1badb002u + (1u << 16)), 0x300000, 0x300000,
			  0x300800, 0x301000, 0x300020 };
	memcpy(file, h, sizeof(h));
	CHECK_EQ(vm_load_multiboot(vm, 1, file, 4096, "", 0, &b, err, sizeof(err)), 0);
	CHECK_EQ(b.rip, 0x300020);
	uint8_t x = 0;
	vm_read(vm, 0x300100, &x, 1);
	CHECK_EQ(x, 0x90);
	vm_read(vm, 0x300900, &x, 1);
	CHECK_EQ(x, 0); /* bss */
	h[5] = 0x400000; /* load_end beyond the file */
	memcpy(file, h, sizeof(h));
	CHECK(vm_load_multiboot(vm, 1, file, 4096, "", 0, &b, err, sizeof(err)) != 0);
	CHECK(strstr(err, "beyond the end of the file"));
	vm_destroy(vm);
}
