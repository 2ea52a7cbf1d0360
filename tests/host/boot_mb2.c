/* Multiboot2 parser: a real GRUB tag list (captured from GRUB 2.06 under QEMU
 * with ditto.dump_mbi) and hand-made malformed ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "boot/mb2.h"
#include "check.h"

static uint8_t real[4096] __attribute__((aligned(8)));
static size_t real_len;

static void load_real(void)
{
	FILE *f = fopen("tests/host/data/mbi-grub-qemu.bin", "rb");
	if (!f) {
		fprintf(stderr, "missing fixture\n");
		exit(2);
	}
	real_len = fread(real, 1, sizeof(real), f);
	fclose(f);
}

/* A builder for synthetic tag lists. */
struct mb { uint8_t b[2048] __attribute__((aligned(8))); size_t len; };
static void mb_begin(struct mb *m) { memset(m, 0, sizeof(*m)); m->len = 8; }
static uint8_t *mb_tag(struct mb *m, uint32_t type, uint32_t size)
{
	uint8_t *t = m->b + m->len;
	memcpy(t, &type, 4);
	memcpy(t + 4, &size, 4);
	m->len += (size + 7) & ~7u;
	return t;
}
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void mb_mmap(struct mb *m, int n)
{
	uint8_t *t = mb_tag(m, MB2_TAG_MMAP, 16 + 24 * (uint32_t)n);
	put32(t + 8, 24);
	put32(t + 12, 0);
	for (int i = 0; i < n; i++) {
		put64(t + 16 + 24 * i, (uint64_t)i << 20);
		put64(t + 24 + 24 * i, 1 << 20);
		put32(t + 32 + 24 * i, 1);
	}
}
static void mb_end(struct mb *m)
{
	mb_tag(m, MB2_TAG_END, 8);
	uint32_t total = (uint32_t)m->len;
	put32(m->b, total);
}
static int parse(struct mb *m, struct mb2_info *i, char *err)
{
	return mb2_parse(m->b, m->len, i, err, 160);
}

static struct mb2_info info;
static char err[160];

TEST(real_grub_list_parses)
{
	load_real();
	CHECK_EQ(mb2_parse(real, real_len, &info, err, sizeof(err)), 0);
	CHECK_STREQ(info.cmdline, "ditto.dump_mbi console=x");
	CHECK(info.loader_name && !strncmp(info.loader_name, "GRUB", 4));
	CHECK_EQ(info.n_modules, 2);
	CHECK_STREQ(info.modules[0].cmdline, "hello-module");
	CHECK_STREQ(info.modules[1].cmdline, "second module with spaces");
	CHECK_EQ(info.modules[0].end - info.modules[0].start, 30);
	CHECK(info.n_mmap >= 5);
	CHECK_EQ(info.mmap[0].base, 0);
	CHECK_EQ(info.mmap[0].type, MB2_MEM_AVAILABLE);
	CHECK(info.rsdp && !memcmp(info.rsdp, "RSD PTR ", 8));
	CHECK(info.has_meminfo);
}

TEST(real_list_truncated_anywhere_is_rejected_or_shorter)
{
	load_real();
	/* Cutting the buffer below total_size must always be refused. */
	for (size_t cut = 0; cut < real_len; cut += 8)
		CHECK(mb2_parse(real, cut, &info, err, sizeof(err)) != 0);
}

TEST(real_list_with_corrupt_sizes_never_reads_outside)
{
	load_real();
	/* Flip each tag's size field to huge / tiny values: ASan catches any
	 * read outside the buffer; the parser must reject or accept cleanly. */
	static uint8_t copy[4096] __attribute__((aligned(8)));
	for (size_t off = 8; off + 8 <= real_len; off += 8) {
		for (int k = 0; k < 4; k++) {
			uint32_t bad[] = { 0, 7, 0xffffffffu, (uint32_t)real_len };
			memcpy(copy, real, real_len);
			put32(copy + off + 4, bad[k]);
			(void)mb2_parse(copy, real_len, &info, err, sizeof(err));
		}
	}
}

TEST(minimal_valid)
{
	struct mb m;
	mb_begin(&m);
	mb_mmap(&m, 2);
	mb_end(&m);
	CHECK_EQ(parse(&m, &info, err), 0);
	CHECK_EQ(info.n_mmap, 2);
	CHECK_EQ(info.mmap[1].base, 1 << 20);
}

TEST(rejects_misaligned_buffer)
{
	static uint8_t buf[64] __attribute__((aligned(8)));
	CHECK(mb2_parse(buf + 4, 32, &info, err, sizeof(err)) != 0);
	CHECK(strstr(err, "aligned"));
}

TEST(rejects_total_size_beyond_buffer)
{
	struct mb m;
	mb_begin(&m);
	mb_mmap(&m, 1);
	mb_end(&m);
	CHECK(mb2_parse(m.b, m.len - 8, &info, err, sizeof(err)) != 0);
	CHECK(strstr(err, "total_size"));
}

TEST(rejects_unaligned_total_size)
{
	struct mb m;
	mb_begin(&m);
	mb_mmap(&m, 1);
	mb_end(&m);
	put32(m.b, (uint32_t)m.len - 4);
	CHECK(parse(&m, &info, err) != 0);
}

TEST(rejects_missing_end_tag)
{
	struct mb m;
	mb_begin(&m);
	mb_mmap(&m, 1);
	put32(m.b, (uint32_t)m.len);
	CHECK(parse(&m, &info, err) != 0);
	CHECK(strstr(err, "end tag"));
}

TEST(rejects_tag_larger_than_list)
{
	struct mb m;
	mb_begin(&m);
	uint8_t *t = mb_tag(&m, MB2_TAG_CMDLINE, 16);
	memcpy(t + 8, "abc", 4);
	mb_mmap(&m, 1);
	mb_end(&m);
	put32(t + 4, 4000);
	CHECK(parse(&m, &info, err) != 0);
	CHECK(strstr(err, "beyond total_size"));
}

TEST(rejects_tag_smaller_than_header)
{
	struct mb m;
	mb_begin(&m);
	uint8_t *t = mb_tag(&m, 21, 8);
	mb_mmap(&m, 1);
	mb_end(&m);
	put32(t + 4, 4);
	CHECK(parse(&m, &info, err) != 0);
}

TEST(rejects_unterminated_cmdline)
{
	struct mb m;
	mb_begin(&m);
	uint8_t *t = mb_tag(&m, MB2_TAG_CMDLINE, 16);
	memcpy(t + 8, "abcdefgh", 8);
	mb_mmap(&m, 1);
	mb_end(&m);
	CHECK(parse(&m, &info, err) != 0);
	CHECK(strstr(err, "NUL"));
}

TEST(rejects_duplicate_cmdline)
{
	struct mb m;
	mb_begin(&m);
	memcpy(mb_tag(&m, MB2_TAG_CMDLINE, 12) + 8, "a", 2);
	memcpy(mb_tag(&m, MB2_TAG_CMDLINE, 12) + 8, "b", 2);
	mb_mmap(&m, 1);
	mb_end(&m);
	CHECK(parse(&m, &info, err) != 0);
	CHECK(strstr(err, "duplicate"));
}

TEST(rejects_module_ending_before_start)
{
	struct mb m;
	mb_begin(&m);
	uint8_t *t = mb_tag(&m, MB2_TAG_MODULE, 20);
	put32(t + 8, 0x200000);
	put32(t + 12, 0x100000);
	memcpy(t + 16, "m", 2);
	mb_mmap(&m, 1);
	mb_end(&m);
	CHECK(parse(&m, &info, err) != 0);
	CHECK(strstr(err, "before it starts"));
}

TEST(rejects_unterminated_module_string)
{
	struct mb m;
	mb_begin(&m);
	uint8_t *t = mb_tag(&m, MB2_TAG_MODULE, 24);
	put32(t + 8, 0x100000);
	put32(t + 12, 0x200000);
	memcpy(t + 16, "xxxxxxxx", 8);
	mb_mmap(&m, 1);
	mb_end(&m);
	CHECK(parse(&m, &info, err) != 0);
}

TEST(rejects_too_many_modules)
{
	struct mb m;
	mb_begin(&m);
	for (int i = 0; i <= MB2_MAX_MODULES; i++) {
		uint8_t *t = mb_tag(&m, MB2_TAG_MODULE, 17);
		put32(t + 8, 0x100000);
		put32(t + 12, 0x100001);
	}
	mb_mmap(&m, 1);
	mb_end(&m);
	CHECK(parse(&m, &info, err) != 0);
	CHECK(strstr(err, "modules"));
}

TEST(rejects_bad_mmap_entry_size)
{
	struct mb m;
	mb_begin(&m);
	mb_mmap(&m, 2);
	mb_end(&m);
	put32(m.b + 16, 20); /* entry_size of the mmap tag at offset 8 */
	CHECK(parse(&m, &info, err) != 0);
	CHECK(strstr(err, "entry_size"));
}

TEST(rejects_mmap_size_not_multiple_of_entries)
{
	struct mb m;
	mb_begin(&m);
	uint8_t *t = mb_tag(&m, MB2_TAG_MMAP, 16 + 24 + 8);
	put32(t + 8, 24);
	mb_end(&m);
	CHECK(parse(&m, &info, err) != 0);
}

TEST(rejects_wrapping_mmap_entry)
{
	struct mb m;
	mb_begin(&m);
	mb_mmap(&m, 1);
	mb_end(&m);
	put64(m.b + 8 + 16, ~0ull - 10);
	CHECK(parse(&m, &info, err) != 0);
	CHECK(strstr(err, "wraps"));
}

TEST(rejects_missing_mmap)
{
	struct mb m;
	mb_begin(&m);
	mb_end(&m);
	CHECK(parse(&m, &info, err) != 0);
	CHECK(strstr(err, "memory-map"));
}

TEST(rejects_short_rsdp_tag)
{
	struct mb m;
	mb_begin(&m);
	mb_tag(&m, MB2_TAG_ACPI_NEW, 8 + 20);
	mb_mmap(&m, 1);
	mb_end(&m);
	CHECK(parse(&m, &info, err) != 0);
	CHECK(strstr(err, "RSDP"));
}

TEST(prefers_acpi2_rsdp_whatever_the_order)
{
	struct mb m;
	mb_begin(&m);
	memcpy(mb_tag(&m, MB2_TAG_ACPI_NEW, 8 + 36) + 8, "RSD PTR 2", 9);
	memcpy(mb_tag(&m, MB2_TAG_ACPI_OLD, 8 + 20) + 8, "RSD PTR 1", 9);
	mb_mmap(&m, 1);
	mb_end(&m);
	CHECK_EQ(parse(&m, &info, err), 0);
	CHECK_EQ(info.rsdp_tag, MB2_TAG_ACPI_NEW);
	CHECK(!memcmp(info.rsdp, "RSD PTR 2", 9));
}

TEST(skips_unknown_tags)
{
	struct mb m;
	mb_begin(&m);
	mb_tag(&m, 99, 13);
	mb_mmap(&m, 1);
	mb_end(&m);
	CHECK_EQ(parse(&m, &info, err), 0);
}
