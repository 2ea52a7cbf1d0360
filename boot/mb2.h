/* Multiboot2 boot information, parsed and validated (Multiboot2 spec 3.6). */
#ifndef BOOT_MB2_H
#define BOOT_MB2_H
#include "ditto/env.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB2_MAX_MMAP 128
#define MB2_MAX_MODULES 64

/* Tag types (spec 3.6.x) */
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_BOOTDEV 5
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

/* Memory map entry types (spec 3.6.8) */
#define MB2_MEM_AVAILABLE 1
#define MB2_MEM_RESERVED 2
#define MB2_MEM_ACPI_RECLAIMABLE 3
#define MB2_MEM_NVS 4
#define MB2_MEM_BADRAM 5

struct mb2_mmap_entry {
	uint64_t base, len;
	uint32_t type;
};

struct mb2_module {
	uint64_t start, end; /* physical [start, end) */
	const char *cmdline; /* points into the boot information */
};

struct mb2_info {
	uint64_t total_size;
	const char *cmdline;
	const char *loader_name;
	bool has_meminfo;
	uint32_t mem_lower_kb, mem_upper_kb;
	size_t n_mmap;
	struct mb2_mmap_entry mmap[MB2_MAX_MMAP];
	size_t n_modules;
	struct mb2_module modules[MB2_MAX_MODULES];
	const void *rsdp; /* copy of the RSDP inside the boot information */
	size_t rsdp_len;
	int rsdp_tag;     /* MB2_TAG_ACPI_NEW or _OLD, 0 if none */
};

/*
 * Parse the boot information at `mbi` (at most `avail` readable bytes).
 * Returns 0, or -EINVAL with a message in err naming the offending tag.
 * Any malformed tag list is rejected whole: the kernel trusts nothing in it.
 */
int mb2_parse(const void *mbi, size_t avail, struct mb2_info *out, char *err, size_t errlen);

#endif
