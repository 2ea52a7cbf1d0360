/*
 * A multiboot test kernel (built twice: MB_VERSION 1 and 2), the kind of
 * kernel existing test suites boot with QEMU's -kernel: it checks what its
 * loader told it, prints through the 16550 UART at 0x3f8 and ends through
 * isa-debug-exit at 0xf4 (0x10: pass, status 33; 0x11: fail, status 35).
 */
#include <stdint.h>

#define UART 0x3f8
static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }

static void putc_(char c)
{
	for (int i = 0; i < 100000 && !(inb(UART + 5) & 0x20); i++)
		;
	outb(UART, (uint8_t)c);
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void putx(uint32_t v)
{
	for (int i = 28; i >= 0; i -= 4)
		putc_("0123456789abcdef"[(v >> i) & 15]);
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int failures;
static void check(const char *what, int ok)
{
	puts_(ok ? "ok " : "FAIL ");
	puts_(what);
	puts_("\n");
	failures += !ok;
}

#if MB_VERSION == 1
__attribute__((section(".multiboot"), used, aligned(4)))
static const uint32_t header[3] = { 0x1badb002u, 0x3u, -(0x1badb002u + 0x3u) };
#define BOOT_MAGIC 0x2badb002u
#else
__attribute__((section(".multiboot"), used, aligned(8)))
static const uint32_t header[6] = { 0xe85250d6u, 0, 24, -(0xe85250d6u + 24), 0, 8 };
#define BOOT_MAGIC 0x36d76289u
#endif

void kmain(uint32_t magic, const uint8_t *info);
void kmain(uint32_t magic, const uint8_t *info)
{
	outb(UART + 3, 0x03); /* 8N1 */
	puts_("mbkernel: multiboot v" MB_NAME " test kernel\n");
	check("boot_magic", magic == BOOT_MAGIC);
	const char *cmdline = 0;
	uint32_t mem_upper = 0, mmap_entries = 0;
#if MB_VERSION == 1
	uint32_t flags = *(const uint32_t *)info;
	if (flags & 4)
		cmdline = (const char *)*(const uint32_t *)(info + 16);
	if (flags & 1)
		mem_upper = *(const uint32_t *)(info + 8);
	if (flags & 64)
		mmap_entries = *(const uint32_t *)(info + 44) / 24;
#else
	uint32_t total = *(const uint32_t *)info;
	for (uint32_t off = 8; off + 8 <= total;) {
		uint32_t type = *(const uint32_t *)(info + off), size = *(const uint32_t *)(info + off + 4);
		if (type == 0)
			break;
		if (type == 1)
			cmdline = (const char *)(info + off + 8);
		if (type == 4)
			mem_upper = *(const uint32_t *)(info + off + 12);
		if (type == 6)
			mmap_entries = (size - 16) / *(const uint32_t *)(info + off + 8);
		off += (size + 7) & ~7u;
	}
#endif
	puts_("mbkernel: cmdline '");
	puts_(cmdline ? cmdline : "(none)");
	puts_("', mem_upper 0x");
	putx(mem_upper);
	puts_(" KiB\n");
	check("cmdline_from_manifest", cmdline && streq(cmdline, "mb-test-cmdline"));
	check("mem_upper_is_15_mib", mem_upper == 15 * 1024);
	check("memory_map_3_entries", mmap_entries == 3);
	outb(0xf4, failures ? 0x11 : 0x10);
	for (;;)
		__asm__ volatile("cli; hlt");
}

__asm__(".section .text.start, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"  movl $stack_top, %esp\n"
	"  pushl %ebx\n"
	"  pushl %eax\n"
	"  call kmain\n"
	"1: hlt\n"
	"  jmp 1b\n"
	".section .bss\n"
	".balign 16\n"
	"  .skip 8192\n"
	"stack_top:\n"
	".text\n");
