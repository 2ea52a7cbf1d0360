/*
 * Layouts of the Linux/x86 boot protocol, defined once: the setup header of a
 * bzImage (at file offset 0x1f1, Documentation/arch/x86/boot.rst "The
 * Real-Mode Kernel Header"), the zero page struct boot_params
 * (Documentation/arch/x86/zero-page.rst) and an e820 entry. Little-endian,
 * packed: offsets are checked below against the documents' tables.
 */
#ifndef VMM_BOOT_BOOTPARAM_H
#define VMM_BOOT_BOOTPARAM_H
#include <stddef.h>
#include <stdint.h>

#define LINUX_SETUP_HDR_OFF 0x1f1   /* file offset and zero-page offset of the header */
#define LINUX_HDRS_MAGIC 0x53726448u /* "HdrS" at 0x202 */
#define LINUX_BOOT_FLAG 0xaa55      /* at 0x1fe */
#define LINUX_SECTOR 512

/* loadflags (0x211) */
#define LINUX_LOADED_HIGH (1u << 0)  /* bzImage: protected-mode code at 0x100000 */
#define LINUX_KASLR_FLAG (1u << 1)   /* kernel internal */
#define LINUX_QUIET_FLAG (1u << 5)
#define LINUX_KEEP_SEGMENTS (1u << 6)
#define LINUX_CAN_USE_HEAP (1u << 7)

/* xloadflags (0x236, protocol 2.12+) */
#define LINUX_XLF_KERNEL_64 (1u << 0)              /* 64-bit entry at load + 0x200 */
#define LINUX_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)
#define LINUX_XLF_EFI_HANDOVER_32 (1u << 2)
#define LINUX_XLF_EFI_HANDOVER_64 (1u << 3)
#define LINUX_XLF_EFI_KEXEC (1u << 4)
#define LINUX_XLF_5LEVEL (1u << 5)
#define LINUX_XLF_5LEVEL_ENABLED (1u << 6)

#define LINUX_VID_MODE_NORMAL 0xffff /* "vga=normal" */
#define LINUX_LOADER_UNDEFINED 0xff  /* type_of_loader: no assigned id */
#define LINUX_ENTRY64_OFF 0x200      /* startup_64 relative to the load address */

/* The setup header: offsets in comments are file/zero-page offsets. */
struct linux_setup_header {
	uint8_t setup_sects;         /* 0x1f1 */
	uint16_t root_flags;         /* 0x1f2 */
	uint32_t syssize;            /* 0x1f4: protected-mode size in 16-byte units */
	uint16_t ram_size;           /* 0x1f8 */
	uint16_t vid_mode;           /* 0x1fa */
	uint16_t root_dev;           /* 0x1fc */
	uint16_t boot_flag;          /* 0x1fe */
	uint16_t jump;               /* 0x200: 0xeb, header length - 2 */
	uint32_t header;             /* 0x202 */
	uint16_t version;            /* 0x206 */
	uint32_t realmode_swtch;     /* 0x208 */
	uint16_t start_sys_seg;      /* 0x20c */
	uint16_t kernel_version;     /* 0x20e: string at this + 0x200 */
	uint8_t type_of_loader;      /* 0x210 */
	uint8_t loadflags;           /* 0x211 */
	uint16_t setup_move_size;    /* 0x212 */
	uint32_t code32_start;       /* 0x214 */
	uint32_t ramdisk_image;      /* 0x218 */
	uint32_t ramdisk_size;       /* 0x21c */
	uint32_t bootsect_kludge;    /* 0x220 */
	uint16_t heap_end_ptr;       /* 0x224 */
	uint8_t ext_loader_ver;      /* 0x226 */
	uint8_t ext_loader_type;     /* 0x227 */
	uint32_t cmd_line_ptr;       /* 0x228 */
	uint32_t initrd_addr_max;    /* 0x22c: highest byte the initrd may occupy */
	uint32_t kernel_alignment;   /* 0x230 */
	uint8_t relocatable_kernel;  /* 0x234 */
	uint8_t min_alignment;       /* 0x235 */
	uint16_t xloadflags;         /* 0x236 */
	uint32_t cmdline_size;       /* 0x238: without the terminating NUL */
	uint32_t hardware_subarch;   /* 0x23c */
	uint64_t hardware_subarch_data; /* 0x240 */
	uint32_t payload_offset;     /* 0x248 */
	uint32_t payload_length;     /* 0x24c */
	uint64_t setup_data;         /* 0x250 */
	uint64_t pref_address;       /* 0x258 */
	uint32_t init_size;          /* 0x260 */
	uint32_t handover_offset;    /* 0x264 */
	uint32_t kernel_info_offset; /* 0x268 */
} __attribute__((packed));

#define LINUX_HDR_AT(field) (LINUX_SETUP_HDR_OFF + offsetof(struct linux_setup_header, field))
_Static_assert(LINUX_HDR_AT(syssize) == 0x1f4, "syssize");
_Static_assert(LINUX_HDR_AT(header) == 0x202, "header");
_Static_assert(LINUX_HDR_AT(type_of_loader) == 0x210, "type_of_loader");
_Static_assert(LINUX_HDR_AT(cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(LINUX_HDR_AT(xloadflags) == 0x236, "xloadflags");
_Static_assert(LINUX_HDR_AT(pref_address) == 0x258, "pref_address");
_Static_assert(LINUX_HDR_AT(init_size) == 0x260, "init_size");
_Static_assert(sizeof(struct linux_setup_header) == 0x26c - 0x1f1, "setup header size");

/* e820 types (ACPI 6.x Table 15.1 "Address Range Types"). */
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
#define E820_UNUSABLE 5

struct linux_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_e820_entry) == 20, "e820 entry");

#define LINUX_E820_MAX 128 /* entries in the zero page */

/* The zero page; fields Ditto does not fill are opaque padding. */
struct linux_boot_params {
	uint8_t screen_info[0x40];       /* 0x000: zero = no video; orig_video_isVGA at 0x0f */
	uint8_t apm_bios_info[0x14];     /* 0x040 */
	uint8_t _pad2[4];                /* 0x054 */
	uint64_t tboot_addr;             /* 0x058 */
	uint8_t ist_info[0x10];          /* 0x060 */
	uint64_t acpi_rsdp_addr;         /* 0x070 */
	uint8_t _pad3[8];                /* 0x078 */
	uint8_t hd0_info[0x10];          /* 0x080 */
	uint8_t hd1_info[0x10];          /* 0x090 */
	uint8_t sys_desc_table[0x10];    /* 0x0a0 */
	uint8_t olpc_ofw_header[0x10];   /* 0x0b0 */
	uint32_t ext_ramdisk_image;      /* 0x0c0 */
	uint32_t ext_ramdisk_size;       /* 0x0c4 */
	uint32_t ext_cmd_line_ptr;       /* 0x0c8 */
	uint8_t _pad4[0x13c - 0xcc];     /* 0x0cc */
	uint32_t cc_blob_address;        /* 0x13c */
	uint8_t edid_info[0x80];         /* 0x140 */
	uint8_t efi_info[0x20];          /* 0x1c0 */
	uint32_t alt_mem_k;              /* 0x1e0 */
	uint32_t scratch;                /* 0x1e4 */
	uint8_t e820_entries;            /* 0x1e8 */
	uint8_t eddbuf_entries;          /* 0x1e9 */
	uint8_t edd_mbr_sig_buf_entries; /* 0x1ea */
	uint8_t kbd_status;              /* 0x1eb */
	uint8_t secure_boot;             /* 0x1ec */
	uint8_t _pad5[2];                /* 0x1ed */
	uint8_t sentinel;                /* 0x1ef: nonzero = a loader that copied too much */
	uint8_t _pad6[1];                /* 0x1f0 */
	struct linux_setup_header hdr;   /* 0x1f1 */
	uint8_t _pad7[0x290 - 0x26c];    /* 0x26c: room for later header fields */
	uint32_t edd_mbr_sig_buffer[16]; /* 0x290 */
	struct linux_e820_entry e820_table[LINUX_E820_MAX]; /* 0x2d0 */
	uint8_t _pad8[48];               /* 0xcd0 */
	uint8_t eddbuf[0x1ec];           /* 0xd00 */
	uint8_t _pad9[276];              /* 0xeec */
} __attribute__((packed));

_Static_assert(offsetof(struct linux_boot_params, acpi_rsdp_addr) == 0x070, "acpi_rsdp_addr");
_Static_assert(offsetof(struct linux_boot_params, ext_ramdisk_image) == 0x0c0, "ext_ramdisk_image");
_Static_assert(offsetof(struct linux_boot_params, ext_cmd_line_ptr) == 0x0c8, "ext_cmd_line_ptr");
_Static_assert(offsetof(struct linux_boot_params, cc_blob_address) == 0x13c, "cc_blob_address");
_Static_assert(offsetof(struct linux_boot_params, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct linux_boot_params, sentinel) == 0x1ef, "sentinel");
_Static_assert(offsetof(struct linux_boot_params, hdr) == LINUX_SETUP_HDR_OFF, "hdr");
_Static_assert(offsetof(struct linux_boot_params, edd_mbr_sig_buffer) == 0x290, "edd_mbr_sig_buffer");
_Static_assert(offsetof(struct linux_boot_params, e820_table) == 0x2d0, "e820_table");
_Static_assert(offsetof(struct linux_boot_params, eddbuf) == 0xd00, "eddbuf");
_Static_assert(sizeof(struct linux_boot_params) == 4096, "zero page size");

/* Where the header part of the zero page ends: a copy from the image must stop here. */
#define LINUX_HDR_COPY_END 0x290
#endif
