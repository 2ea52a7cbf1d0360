/*
 * Multiboot2 boot-information parser (Multiboot2 spec 3.6). Host-testable:
 * it reads only the buffer it is given and checks every size against it.
 *
 * Layout: u32 total_size, u32 reserved, then tags, each u32 type, u32 size,
 * payload, padded to 8 bytes; a type-0 size-8 tag ends the list.
 */
#include <errno.h>
#include "boot/mb2.h"
#include "ditto/fmt.h"

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

#define FAIL(...)                                                              \
	do {                                                                   \
		fmt_snprintf(err, errlen, __VA_ARGS__);                        \
		return -EINVAL;                                                \
	} while (0)

/* A string payload must be NUL-terminated inside its tag. */
static const char *tag_string(const uint8_t *s, size_t room)
{
	return room && memchr(s, 0, room) ? (const char *)s : NULL;
}

static int parse_mmap(const uint8_t *t, uint32_t size, struct mb2_info *out, char *err,
		      size_t errlen)
{
	if (size < 16)
		FAIL("mmap tag too short (%u bytes)", size);
	uint32_t esz = rd32(t + 8), ever = rd32(t + 12);
	if (esz < 24 || esz % 8)
		FAIL("mmap entry_size %u invalid (must be >= 24, multiple of 8)", esz);
	if (ever != 0)
		FAIL("mmap entry_version %u unknown", ever);
	if ((size - 16) % esz)
		FAIL("mmap tag size %u is not 16 + n * %u", size, esz);
	size_t n = (size - 16) / esz;
	if (n > MB2_MAX_MMAP)
		FAIL("mmap has %zu entries (max %d)", n, MB2_MAX_MMAP);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = t + 16 + i * esz;
		uint64_t base = rd64(e), len = rd64(e + 8);
		if (len && base + len < base)
			FAIL("mmap entry %zu wraps around (base 0x%llx len 0x%llx)", i,
			     (unsigned long long)base, (unsigned long long)len);
		out->mmap[i].base = base;
		out->mmap[i].len = len;
		out->mmap[i].type = rd32(e + 16);
	}
	out->n_mmap = n;
	return 0;
}

int mb2_parse(const void *mbi, size_t avail, struct mb2_info *out, char *err, size_t errlen)
{
	const uint8_t *b = mbi;
	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = 0;
	if (!mbi || ((uintptr_t)mbi & 7))
		FAIL("boot information at %p is not 8-byte aligned", mbi);
	if (avail < 16)
		FAIL("boot information truncated (%zu bytes)", avail);
	uint32_t total = rd32(b);
	if (total < 16 || total > avail)
		FAIL("total_size %u out of range (16..%zu)", total, avail);
	if (total % 8)
		FAIL("total_size %u not a multiple of 8", total);
	out->total_size = total;

	bool seen_end = false, seen_mmap = false;
	size_t off = 8;
	while (off < total) {
		if (total - off < 8)
			FAIL("tag header at offset %zu truncated", off);
		uint32_t type = rd32(b + off), size = rd32(b + off + 4);
		const uint8_t *t = b + off;
		if (size < 8 || size > total - off)
			FAIL("tag type %u at offset %zu has size %u beyond total_size %u", type,
			     off, size, total);
		switch (type) {
		case MB2_TAG_END:
			if (size != 8)
				FAIL("end tag has size %u (must be 8)", size);
			seen_end = true;
			break;
		case MB2_TAG_CMDLINE:
		case MB2_TAG_LOADER_NAME: {
			const char *s = tag_string(t + 8, size - 8);
			if (!s)
				FAIL("tag type %u at offset %zu: string not NUL-terminated", type, off);
			if (type == MB2_TAG_CMDLINE) {
				if (out->cmdline)
					FAIL("duplicate command-line tag at offset %zu", off);
				out->cmdline = s;
			} else {
				out->loader_name = s;
			}
			break;
		}
		case MB2_TAG_MODULE: {
			if (size < 17)
				FAIL("module tag at offset %zu too short (%u bytes)", off, size);
			if (out->n_modules == MB2_MAX_MODULES)
				FAIL("more than %d modules", MB2_MAX_MODULES);
			uint32_t ms = rd32(t + 8), me = rd32(t + 12);
			const char *s = tag_string(t + 16, size - 16);
			if (!s)
				FAIL("module tag at offset %zu: string not NUL-terminated", off);
			if (me < ms)
				FAIL("module %zu ends (0x%x) before it starts (0x%x)", out->n_modules,
				     me, ms);
			struct mb2_module *m = &out->modules[out->n_modules++];
			m->start = ms;
			m->end = me;
			m->cmdline = s;
			break;
		}
		case MB2_TAG_BASIC_MEMINFO:
			if (size < 16)
				FAIL("basic meminfo tag too short (%u bytes)", size);
			out->has_meminfo = true;
			out->mem_lower_kb = rd32(t + 8);
			out->mem_upper_kb = rd32(t + 12);
			break;
		case MB2_TAG_MMAP: {
			if (seen_mmap)
				FAIL("duplicate memory-map tag at offset %zu", off);
			seen_mmap = true;
			int r = parse_mmap(t, size, out, err, errlen);
			if (r)
				return r;
			break;
		}
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW: {
			size_t need = type == MB2_TAG_ACPI_OLD ? 20 : 36;
			if (size - 8 < need)
				FAIL("ACPI RSDP tag type %u too short (%u bytes)", type, size);
			/* Prefer the ACPI 2.0+ RSDP whatever the tag order. */
			if (out->rsdp_tag != MB2_TAG_ACPI_NEW) {
				out->rsdp = t + 8;
				out->rsdp_len = size - 8;
				out->rsdp_tag = (int)type;
			}
			break;
		}
		default:
			/* Other tags (framebuffer, EFI, ...) are not ours: size-checked, skipped. */
			break;
		}
		if (seen_end)
			break;
		off += ENV_ALIGN_UP((size_t)size, (size_t)8);
	}
	if (!seen_end)
		FAIL("no end tag within total_size %u", total);
	if (!seen_mmap)
		FAIL("no memory-map tag");
	return 0;
}
