/*
 * The setup header of a bzImage, checked (Documentation/arch/x86/boot.rst,
 * "The Real-Mode Kernel Header" and "Details of Header Fields"). The image is
 * untrusted input: every offset is checked against the file size before it is
 * read, and every refusal names the field that is wrong.
 */
#include <errno.h>
#include "ditto/fmt.h"
#include "vmm/boot/linux.h"

#define HDR_MIN_END 0x264 /* through init_size (0x260/4): what protocol 2.12 loading reads */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

/* The human-readable version string at kernel_version + 0x200, inside the setup code. */
static void copy_version(const uint8_t *img, struct linux_kernel *k)
{
	k->version[0] = 0;
	if (!k->hdr.kernel_version)
		return;
	uint64_t off = (uint64_t)k->hdr.kernel_version + 0x200;
	size_t n = 0;
	while (off + n < k->setup_size && n + 1 < sizeof(k->version)) {
		uint8_t c = img[off + n];
		if (c < 0x20 || c > 0x7e)
			break;
		k->version[n++] = (char)c;
	}
	k->version[n] = 0;
}

int linux_parse(const void *image, size_t size, struct linux_kernel *k, char *err, size_t errlen)
{
	const uint8_t *img = image;
	memset(k, 0, sizeof(*k));

	if (size < LINUX_HDR_AT(version) + 2) {
		fmt_snprintf(err, errlen, "bzImage truncated: %zu bytes, the setup header needs 0x%x",
			     size, (unsigned)HDR_MIN_END);
		return -EINVAL;
	}
	if (le32(img + LINUX_HDR_AT(header)) != LINUX_HDRS_MAGIC) {
		fmt_snprintf(err, errlen, "not a Linux bzImage: no \"HdrS\" magic at 0x202 (found 0x%08x)",
			     le32(img + LINUX_HDR_AT(header)));
		return -EINVAL;
	}
	if (le16(img + LINUX_HDR_AT(boot_flag)) != LINUX_BOOT_FLAG) {
		fmt_snprintf(err, errlen, "not a Linux bzImage: boot_flag at 0x1fe is 0x%04x, not 0xaa55",
			     le16(img + LINUX_HDR_AT(boot_flag)));
		return -EINVAL;
	}
	uint16_t version = le16(img + LINUX_HDR_AT(version));
	if (version < LINUX_MIN_PROTOCOL) {
		fmt_snprintf(err, errlen,
			     "boot protocol %u.%02u is too old: the 64-bit entry needs 2.12 or later",
			     version >> 8, version & 0xff);
		return -EINVAL;
	}
	/* The jump at 0x200 (0xeb, rel8) lands right after the header: its length. */
	size_t hdr_end = 0x202 + img[0x201];
	if (img[0x200] != 0xeb || hdr_end < HDR_MIN_END) {
		fmt_snprintf(err, errlen,
			     "setup header ends at 0x%zx (jump %02x %02x at 0x200), before init_size at 0x260",
			     hdr_end, img[0x200], img[0x201]);
		return -EINVAL;
	}
	if (size < hdr_end) {
		fmt_snprintf(err, errlen, "bzImage truncated: %zu bytes, the setup header ends at 0x%zx",
			     size, hdr_end);
		return -EINVAL;
	}
	k->hdr_len = ENV_MIN(hdr_end, (size_t)LINUX_HDR_COPY_END) - LINUX_SETUP_HDR_OFF;
	memcpy(&k->hdr, img + LINUX_SETUP_HDR_OFF, ENV_MIN(k->hdr_len, sizeof(k->hdr)));
	const struct linux_setup_header *h = &k->hdr;

	if (!(h->loadflags & LINUX_LOADED_HIGH)) {
		fmt_snprintf(err, errlen, "not a bzImage: loadflags 0x%02x lack LOADED_HIGH (zImage)",
			     h->loadflags);
		return -EINVAL;
	}
	if (!(h->xloadflags & LINUX_XLF_KERNEL_64)) {
		fmt_snprintf(err, errlen,
			     "no 64-bit entry point: xloadflags 0x%04x lack XLF_KERNEL_64 (a 32-bit kernel?)",
			     h->xloadflags);
		return -EINVAL;
	}
	/* boot.rst: "If this field is 0, the real value is 4." */
	unsigned sects = h->setup_sects ? h->setup_sects : 4;
	k->setup_size = (uint64_t)(sects + 1) * LINUX_SECTOR;
	if (k->setup_size >= size) {
		fmt_snprintf(err, errlen,
			     "setup_sects %u puts the protected-mode kernel at 0x%llx, beyond the file's %zu bytes",
			     h->setup_sects, (unsigned long long)k->setup_size, size);
		return -EINVAL;
	}
	if (hdr_end > k->setup_size) {
		fmt_snprintf(err, errlen, "setup header (to 0x%zx) is longer than the setup code (0x%llx)",
			     hdr_end, (unsigned long long)k->setup_size);
		return -EINVAL;
	}
	k->pm_size = (uint64_t)h->syssize * 16;
	if (!k->pm_size || k->pm_size > size - k->setup_size) {
		fmt_snprintf(err, errlen,
			     "bzImage truncated: syssize 0x%x says 0x%llx bytes of protected-mode kernel, the file has 0x%llx after the setup code",
			     h->syssize, (unsigned long long)k->pm_size,
			     (unsigned long long)(size - k->setup_size));
		return -EINVAL;
	}
	k->relocatable = h->relocatable_kernel != 0;
	k->align = ENV_PAGE_SIZE;
	if (k->relocatable) {
		uint32_t a = h->kernel_alignment;
		if (a < ENV_PAGE_SIZE || a > (1u << 30) || (a & (a - 1))) {
			fmt_snprintf(err, errlen,
				     "kernel_alignment 0x%x is not a power of two from 4 KiB to 1 GiB", a);
			return -EINVAL;
		}
		k->align = a;
	}
	if (!h->init_size) {
		fmt_snprintf(err, errlen, "init_size is 0");
		return -EINVAL;
	}
	k->footprint = ENV_MAX((uint64_t)h->init_size, k->pm_size);
	k->footprint = ENV_ALIGN_UP(k->footprint, (uint64_t)ENV_PAGE_SIZE);
	copy_version(img, k);
	return 0;
}
