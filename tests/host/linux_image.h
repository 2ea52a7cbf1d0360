/* Synthetic bzImages for the loader's host tests: a setup header with chosen fields. */
#ifndef TESTS_HOST_LINUX_IMAGE_H
#define TESTS_HOST_LINUX_IMAGE_H
#include <stddef.h>
#include <stdint.h>
#include "vmm/boot/linux.h"

struct fake_bz {
	uint8_t setup_sects;   /* as written into the header (0 means 4) */
	uint16_t version;
	uint8_t loadflags;
	uint16_t xloadflags;
	uint8_t relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	uint32_t pm_size;      /* bytes of protected-mode code (multiple of 16) */
	uint32_t trailer;      /* bytes after syssize * 16 (a signature) */
	uint64_t setup_data;   /* a stale value that the loader must clear */
};

#define FAKE_VERSION_STRING "6.99.0-ditto-test (synthetic)"

/* 2.15, LOADED_HIGH, XLF_KERNEL_64 | ABOVE_4G, relocatable, 2 MiB alignment,
 * pref 16 MiB, init_size 8 MiB, initrd_addr_max 0x7fffffff, cmdline_size 2047,
 * 64 KiB of code, setup_sects 4. */
void fake_bz_defaults(struct fake_bz *o);
/* A malloc'ed image; *size its length. */
uint8_t *fake_bz_build(const struct fake_bz *o, size_t *size);
/* The byte the synthetic protected-mode code has at offset i. */
uint8_t fake_bz_pm_byte(size_t i);
/* Offset of the protected-mode code in an image built from o. */
size_t fake_bz_setup_size(const struct fake_bz *o);

/* A VM of mem MiB (vm_create) and default load arguments for image/size. */
struct vm *fake_vm(unsigned mib);
void fake_args(struct linux_load_args *a, const uint8_t *img, size_t size);
#endif
