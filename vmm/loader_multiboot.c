/*
 * Multiboot guests, loaded the way QEMU's -kernel loads them:
 *   v1 (Multiboot 0.6.96, 3.1): header in the first 8 KiB; ELF32, or the
 *      a.out kludge (flags bit 16: load_addr, load_end_addr, bss_end_addr,
 *      entry_addr); EAX = 0x2BADB002, EBX = multiboot_info (3.3).
 *   v2 (Multiboot2 3.1): header in the first 32 KiB; ELF32/ELF64 by physical
 *      address, or the address tag; the entry tag overrides the ELF entry;
 *      EAX = 0x36d76289, EBX = boot information (3.6).
 * Both enter in 32-bit protected mode, paging off, flat segments. The boot
 * information describes this VM: its memory map (RAM with the PC's legacy
 * hole at 0x9fc00-0x100000, where the ACPI tables live), the command line
 * from the manifest, the boot loader name, the ACPI RSDP (v2).
 * Everything is validated before any byte is written: a bad image is refused
 * with a message, and nothing outside the VM is ever touched.
 */
#include <errno.h>
#include "vmm/loader.h"

#define MB1_MAGIC 0x1badb002u
#define MB1_BOOT_MAGIC 0x2badb002u
#define MB2_MAGIC 0xe85250d6u
#define MB2_BOOT_MAGIC 0x36d76289u
#define INFO_GPA 0x9000ull   /* boot information and command line */
#define INFO_MAX 0x6000ull
#define LOW_RAM_END 0x9fc00ull
#define HIGH_RAM 0x100000ull

#define FAIL(...)                                                              \
	do {                                                                   \
		fmt_snprintf(err, errlen, __VA_ARGS__);                        \
		return -ENOEXEC;                                               \
	} while (0)

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

struct seg {
	uint64_t paddr, filesz, memsz, offset;
};

struct image {
	struct seg seg[16];
	unsigned nseg;
	uint64_t entry;
	uint64_t end; /* highest byte loaded + 1 */
};

/* A loaded range must be RAM at or above 1 MiB (below it: the boot
 * information, the legacy hole and the ACPI tables are Ditto's). */
static int check_range(struct vm *vm, uint64_t a, uint64_t len, char *err, size_t errlen)
{
	if (a < HIGH_RAM || a + len < a || a + len > vm->mem_size)
		FAIL("segment [0x%llx, 0x%llx) is outside the VM's memory above 1 MiB (%llu MiB)",
		     (unsigned long long)a, (unsigned long long)(a + len),
		     (unsigned long long)(vm->mem_size >> 20));
	return 0;
}

static int parse_elf(const uint8_t *img, size_t size, struct image *im, char *err, size_t errlen)
{
	if (size < 52 || memcmp(img, "\x7f" "ELF", 4))
		FAIL("not an ELF file and no load address given");
	bool is64 = img[4] == 2;
	if ((img[4] != 1 && img[4] != 2) || img[5] != 1)
		FAIL("ELF class %u / data %u unsupported (need little-endian ELF32 or ELF64)", img[4], img[5]);
	uint16_t mach = rd16(img + 18);
	if (mach != (is64 ? 62 : 3))
		FAIL("ELF machine %u is not x86", mach);
	uint64_t phoff = is64 ? rd64(img + 32) : rd32(img + 28);
	uint16_t phentsize = rd16(img + (is64 ? 54 : 42)), phnum = rd16(img + (is64 ? 56 : 44));
	im->entry = is64 ? rd64(img + 24) : rd32(img + 24);
	if (phentsize < (is64 ? 56 : 32) || phoff > size || (uint64_t)phnum * phentsize > size - phoff)
		FAIL("ELF program headers outside the file (truncated?)");
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = img + phoff + (uint64_t)i * phentsize;
		if (rd32(ph) != 1) /* PT_LOAD */
			continue;
		if (im->nseg == 16)
			FAIL("more than 16 loadable segments");
		struct seg *s = &im->seg[im->nseg++];
		if (is64) {
			s->offset = rd64(ph + 8);
			s->paddr = rd64(ph + 24);
			s->filesz = rd64(ph + 32);
			s->memsz = rd64(ph + 40);
		} else {
			s->offset = rd32(ph + 4);
			s->paddr = rd32(ph + 12);
			s->filesz = rd32(ph + 16);
			s->memsz = rd32(ph + 20);
		}
		if (s->filesz > s->memsz || s->offset > size || s->filesz > size - s->offset)
			FAIL("segment %u lies outside the file (truncated?)", i);
	}
	if (!im->nseg)
		FAIL("ELF file has no loadable segment");
	return 0;
}

/* The a.out kludge: the file from header_addr's offset, loaded at load_addr. */
static int parse_kludge(size_t size, uint64_t hdr_off, uint64_t header_addr, uint64_t load_addr,
			uint64_t load_end, uint64_t bss_end, uint64_t entry, struct image *im, char *err,
			size_t errlen)
{
	if (header_addr < load_addr || header_addr - load_addr > hdr_off)
		FAIL("header_addr 0x%llx / load_addr 0x%llx inconsistent with the header at offset %llu",
		     (unsigned long long)header_addr, (unsigned long long)load_addr,
		     (unsigned long long)hdr_off);
	uint64_t off = hdr_off - (header_addr - load_addr);
	uint64_t filesz = load_end ? load_end - load_addr : size - off;
	if (load_end && load_end < load_addr)
		FAIL("load_end_addr below load_addr");
	if (off > size || filesz > size - off)
		FAIL("load_end_addr 0x%llx beyond the end of the file (truncated?)", (unsigned long long)load_end);
	uint64_t memsz = bss_end ? bss_end - load_addr : filesz;
	if (bss_end && bss_end < load_addr + filesz)
		FAIL("bss_end_addr below load_end_addr");
	im->seg[0] = (struct seg){ load_addr, filesz, memsz, off };
	im->nseg = 1;
	im->entry = entry;
	return 0;
}

static int place(struct vm *vm, const uint8_t *img, struct image *im, char *err, size_t errlen)
{
	bool entry_ok = false;
	for (unsigned i = 0; i < im->nseg; i++) {
		struct seg *s = &im->seg[i];
		int r = check_range(vm, s->paddr, s->memsz, err, errlen);
		if (r)
			return r;
		if (im->entry >= s->paddr && im->entry < s->paddr + s->memsz)
			entry_ok = true;
		im->end = ENV_MAX(im->end, s->paddr + s->memsz);
	}
	if (!entry_ok)
		FAIL("entry point 0x%llx is not inside a loaded segment", (unsigned long long)im->entry);
	for (unsigned i = 0; i < im->nseg; i++) {
		struct seg *s = &im->seg[i];
		vm_write(vm, s->paddr, img + s->offset, s->filesz);
		uint8_t zero[256] = { 0 };
		for (uint64_t o = s->filesz; o < s->memsz; o += sizeof(zero))
			vm_write(vm, s->paddr + o, zero, (size_t)ENV_MIN((uint64_t)sizeof(zero), s->memsz - o));
	}
	return 0;
}

/* Boot-information builder in a bounded buffer, copied to INFO_GPA at the end. */
struct info {
	uint8_t b[INFO_MAX];
	size_t len;
	bool overflow;
};

static uint64_t info_put(struct info *in, const void *p, size_t n, size_t align)
{
	size_t off = ENV_ALIGN_UP(in->len, align);
	if (off + n > sizeof(in->b)) {
		in->overflow = true;
		return 0;
	}
	memcpy(in->b + off, p, n);
	in->len = off + n;
	return INFO_GPA + off;
}

static struct info info; /* one loader at a time (boot CPU) */

/* Both protocols end alike (spec 3.2 / 3.3): the boot information in the VM,
 * 32-bit protected mode at the entry, the magic in EAX, its address in EBX. */
static int finish(struct vm *vm, uint64_t entry, uint32_t magic, struct vcpu_boot *boot, char *err,
		  size_t errlen)
{
	if (info.overflow)
		FAIL("boot information does not fit in %llu bytes", (unsigned long long)INFO_MAX);
	vm_write(vm, INFO_GPA, info.b, info.len);
	memset(boot, 0, sizeof(*boot));
	boot->mode = BOOT_PROT32;
	boot->rip = entry;
	boot->gpr[0] = magic;
	boot->gpr[3] = INFO_GPA;
	return 0;
}

static void mmap_entries(struct vm *vm, uint64_t e[3][3])
{
	e[0][0] = 0, e[0][1] = LOW_RAM_END, e[0][2] = 1;
	e[1][0] = LOW_RAM_END, e[1][1] = HIGH_RAM - LOW_RAM_END, e[1][2] = 2;
	e[2][0] = HIGH_RAM, e[2][1] = vm->mem_size - HIGH_RAM, e[2][2] = 1;
}

static int load_mb1(struct vm *vm, const uint8_t *img, size_t size, size_t hoff, const char *cmdline,
		    struct vcpu_boot *boot, char *err, size_t errlen)
{
	const uint8_t *h = img + hoff;
	uint32_t flags = rd32(h + 4);
	struct image im;
	memset(&im, 0, sizeof(im));
	/* Bits 0-15 are requirements (spec 3.1.2): Ditto meets 0 (module page
	 * alignment) and 1 (memory information), not 2 (a video mode). */
	if (flags & 0xfffcu)
		FAIL("multiboot header requests features Ditto does not provide (flags 0x%x)", flags);
	int r;
	if (flags & (1u << 16)) {
		if (hoff + 32 > size)
			FAIL("multiboot header truncated");
		r = parse_kludge(size, hoff, rd32(h + 12), rd32(h + 16), rd32(h + 20), rd32(h + 24),
				 rd32(h + 28), &im, err, errlen);
	} else {
		r = parse_elf(img, size, &im, err, errlen);
	}
	if (r || (r = place(vm, img, &im, err, errlen)))
		return r;
	/* multiboot_info (spec 3.3): flags mem(0), cmdline(2), mmap(6), loader name(9). */
	memset(&info, 0, sizeof(info));
	uint8_t mbi[88] = { 0 };
	info.len = sizeof(mbi);
	uint32_t fl = (1u << 0) | (1u << 2) | (1u << 6) | (1u << 9);
	uint32_t lower = (uint32_t)(LOW_RAM_END >> 10), upper = (uint32_t)((vm->mem_size - HIGH_RAM) >> 10);
	uint32_t cl = (uint32_t)info_put(&info, cmdline, strlen(cmdline) + 1, 1);
	uint32_t ln = (uint32_t)info_put(&info, "Ditto", 6, 1);
	uint64_t e[3][3];
	mmap_entries(vm, e);
	uint32_t mm = 0;
	for (int i = 0; i < 3; i++) {
		uint8_t ent[24];
		uint32_t sz = 20;
		memcpy(ent, &sz, 4);
		memcpy(ent + 4, &e[i][0], 8);
		memcpy(ent + 12, &e[i][1], 8);
		uint32_t t = (uint32_t)e[i][2];
		memcpy(ent + 20, &t, 4);
		uint32_t a = (uint32_t)info_put(&info, ent, 24, 4);
		if (!mm)
			mm = a;
	}
	memcpy(mbi, &fl, 4);
	memcpy(mbi + 4, &lower, 4);
	memcpy(mbi + 8, &upper, 4);
	memcpy(mbi + 16, &cl, 4);
	uint32_t mmlen = 3 * 24;
	memcpy(mbi + 44, &mmlen, 4);
	memcpy(mbi + 48, &mm, 4);
	memcpy(mbi + 64, &ln, 4);
	memcpy(info.b, mbi, sizeof(mbi));
	return finish(vm, im.entry, MB1_BOOT_MAGIC, boot, err, errlen);
}

static void tag(struct info *in, uint32_t type, const void *payload, size_t n)
{
	uint32_t hdr[2] = { type, (uint32_t)(8 + n) };
	size_t start = ENV_ALIGN_UP(in->len, (size_t)8);
	info_put(in, hdr, 8, 8);
	if (n)
		info_put(in, payload, n, 1);
	if (in->len < start + 8 + n)
		in->overflow = true;
}

static int load_mb2(struct vm *vm, const uint8_t *img, size_t size, size_t hoff, const char *cmdline,
		    uint64_t rsdp_gpa, struct vcpu_boot *boot, char *err, size_t errlen)
{
	const uint8_t *h = img + hoff;
	uint32_t hlen = rd32(h + 8);
	if (rd32(h + 4) != 0)
		FAIL("multiboot2 architecture %u is not i386", rd32(h + 4));
	if (hlen < 24 || hoff + hlen > size)
		FAIL("multiboot2 header length %u runs past the file", hlen);
	struct image im;
	memset(&im, 0, sizeof(im));
	bool have_addr = false, have_entry = false;
	uint32_t addr[4] = { 0 }, entry = 0;
	for (uint32_t off = 16; off + 8 <= hlen;) {
		uint16_t type = rd16(h + off), tflags = rd16(h + off + 2);
		uint32_t tsz = rd32(h + off + 4);
		if (tsz < 8 || off + tsz > hlen)
			FAIL("multiboot2 header tag %u has a bad size %u", type, tsz);
		if (type == 0)
			break;
		if (type == 2 && tsz >= 24) {
			for (int i = 0; i < 4; i++)
				addr[i] = rd32(h + off + 8 + 4 * i);
			have_addr = true;
		} else if (type == 3 && tsz >= 12) {
			entry = rd32(h + off + 8);
			have_entry = true;
		} else if (type != 1 && type != 4 && type != 6 && !(tflags & 1)) {
			FAIL("multiboot2 header tag %u is required but not supported", type);
		}
		off += (tsz + 7) & ~7u;
	}
	int r;
	if (have_addr) {
		if (!have_entry)
			FAIL("multiboot2 address tag without an entry address tag");
		r = parse_kludge(size, hoff, addr[0], addr[1], addr[2], addr[3], entry, &im, err, errlen);
	} else {
		r = parse_elf(img, size, &im, err, errlen);
		if (have_entry)
			im.entry = entry;
	}
	if (im.entry >= (1ull << 32))
		FAIL("entry point 0x%llx above 4 GiB (entered in 32-bit mode)", (unsigned long long)im.entry);
	if (r || (r = place(vm, img, &im, err, errlen)))
		return r;
	memset(&info, 0, sizeof(info));
	info.len = 8;
	tag(&info, 1, cmdline, strlen(cmdline) + 1);
	tag(&info, 2, "Ditto", 6);
	uint32_t meminfo[2] = { (uint32_t)(LOW_RAM_END >> 10), (uint32_t)((vm->mem_size - HIGH_RAM) >> 10) };
	tag(&info, 4, meminfo, sizeof(meminfo));
	uint64_t e[3][3];
	mmap_entries(vm, e);
	uint8_t mm[8 + 3 * 24];
	uint32_t esz = 24, ever = 0;
	memcpy(mm, &esz, 4);
	memcpy(mm + 4, &ever, 4);
	for (int i = 0; i < 3; i++) {
		uint32_t t = (uint32_t)e[i][2], z = 0;
		memcpy(mm + 8 + 24 * i, &e[i][0], 8);
		memcpy(mm + 16 + 24 * i, &e[i][1], 8);
		memcpy(mm + 24 + 24 * i, &t, 4);
		memcpy(mm + 28 + 24 * i, &z, 4);
	}
	tag(&info, 6, mm, sizeof(mm));
	uint8_t rsdp[36];
	if (rsdp_gpa && !vm_read(vm, rsdp_gpa, rsdp, sizeof(rsdp)))
		tag(&info, rsdp[15] >= 2 ? 15 : 14, rsdp, rsdp[15] >= 2 ? 36 : 20);
	tag(&info, 0, NULL, 0);
	uint32_t total = (uint32_t)info.len;
	memcpy(info.b, &total, 4);
	return finish(vm, im.entry, MB2_BOOT_MAGIC, boot, err, errlen);
}

int vm_load_multiboot(struct vm *vm, int version, const void *image, size_t size, const char *cmdline,
		      uint64_t rsdp_gpa, struct vcpu_boot *boot, char *err, size_t errlen)
{
	const uint8_t *img = image;
	size_t window = version == 2 ? 32768 : 8192, step = version == 2 ? 8 : 4;
	if (vm->mem_size <= HIGH_RAM)
		FAIL("a multiboot guest needs more than 1 MiB of memory");
	if (strlen(cmdline) > 4096)
		FAIL("command line longer than 4096 bytes");
	for (size_t off = 0; off + (version == 2 ? 16 : 12) <= ENV_MIN(size, window); off += step) {
		uint32_t m = rd32(img + off);
		if (version == 1 && m == MB1_MAGIC) {
			if ((uint32_t)(m + rd32(img + off + 4) + rd32(img + off + 8)) != 0)
				FAIL("multiboot header at offset %zu has a bad checksum", off);
			return load_mb1(vm, img, size, off, cmdline, boot, err, errlen);
		}
		if (version == 2 && m == MB2_MAGIC) {
			if ((uint32_t)(m + rd32(img + off + 4) + rd32(img + off + 8) + rd32(img + off + 12)) != 0)
				FAIL("multiboot2 header at offset %zu has a bad checksum", off);
			return load_mb2(vm, img, size, off, cmdline, rsdp_gpa, boot, err, errlen);
		}
	}
	FAIL("no multiboot%s header (magic 0x%x) in the first %zu bytes", version == 2 ? "2" : "",
	     version == 2 ? MB2_MAGIC : MB1_MAGIC, ENV_MIN(size, window));
}
