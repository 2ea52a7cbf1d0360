/*
 * fw_cfg, the traditional (non-DMA) I/O interface of QEMU's firmware
 * configuration device, written from QEMU's docs/specs/fw_cfg.rst:
 * "Selector (Control) Register" (a 16-bit write selects an item and resets
 * the data offset), "Data Register" (each 8-bit read returns the next byte of
 * the item; reads past its end or of an unknown key return 0; writes are
 * ignored, as in QEMU 2.4 and later), "Signature" ("QEMU"), "Revision / feature
 * bitmap" (bit 0: traditional interface; no DMA) and "File Directory" (a
 * big-endian u32 count, then per file: u32 size, u16 select, u16 reserved,
 * char name[56], all big-endian). Numeric items (RAM size, CPU counts) are
 * little-endian, as QEMU stores them. Items are generated on the fly from
 * the offset, so no guest-controlled buffer exists.
 */
#include "vmm/dev/fw_cfg.h"

#define VFW_CFG_DIR_ENTRY 64 /* 4 + 2 + 2 + 56 */

void vfw_cfg_init(struct vfw_cfg *f, uint64_t ram_size, uint16_t ncpus, uint16_t max_cpus)
{
	memset(f, 0, sizeof(*f));
	f->ram_size = ram_size;
	f->ncpus = ncpus;
	f->max_cpus = max_cpus;
}

int vfw_cfg_add_file(struct vfw_cfg *f, const char *name, const void *data, uint32_t size)
{
	size_t len = strlen(name);
	struct vfw_cfg_file *e;

	if (len == 0 || len >= VFW_CFG_NAME_LEN)
		return -EINVAL;
	if (f->nfiles >= VFW_CFG_MAX_FILES)
		return -ENOSPC;
	e = &f->files[f->nfiles];
	memset(e->name, 0, sizeof(e->name));
	memcpy(e->name, name, len);
	e->data = data;
	e->size = size;
	return VFW_CFG_FILE_FIRST + (int)f->nfiles++;
}

/* Byte `i` of a little-endian (be = false) or big-endian integer of n bytes. */
static uint8_t int_byte(uint64_t v, unsigned n, uint32_t i, bool be)
{
	if (i >= n)
		return 0;
	return (uint8_t)(v >> (8 * (be ? n - 1 - i : i)));
}

static uint8_t dir_byte(const struct vfw_cfg *f, uint32_t off)
{
	const struct vfw_cfg_file *e;
	uint32_t idx, at;

	if (off < 4)
		return int_byte(f->nfiles, 4, off, true);
	idx = (off - 4) / VFW_CFG_DIR_ENTRY;
	at = (off - 4) % VFW_CFG_DIR_ENTRY;
	if (idx >= f->nfiles)
		return 0;
	e = &f->files[idx];
	if (at < 4)
		return int_byte(e->size, 4, at, true);
	if (at < 6)
		return int_byte(VFW_CFG_FILE_FIRST + idx, 2, at - 4, true);
	if (at < 8)
		return 0;
	return (uint8_t)e->name[at - 8];
}

static uint8_t item_byte(const struct vfw_cfg *f, uint16_t key, uint32_t off)
{
	static const char sig[4] = { 'Q', 'E', 'M', 'U' };
	unsigned idx;

	switch (key) {
	case VFW_CFG_SIGNATURE:
		return off < 4 ? (uint8_t)sig[off] : 0;
	case VFW_CFG_ID:
		return int_byte(1, 4, off, false); /* traditional interface only */
	case VFW_CFG_RAM_SIZE:
		return int_byte(f->ram_size, 8, off, false);
	case VFW_CFG_NB_CPUS:
		return int_byte(f->ncpus, 2, off, false);
	case VFW_CFG_MAX_CPUS:
		return int_byte(f->max_cpus, 2, off, false);
	case VFW_CFG_FILE_DIR:
		return dir_byte(f, off);
	}
	if (key < VFW_CFG_FILE_FIRST)
		return 0;
	idx = key - VFW_CFG_FILE_FIRST;
	if (idx >= f->nfiles || off >= f->files[idx].size)
		return 0;
	return f->files[idx].data[off];
}

int vfw_cfg_pio(struct vfw_cfg *f, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	if (port == VFW_CFG_PORT_SEL) {
		if (size != 2 || !write)
			return -EINVAL;
		f->selector = (uint16_t)*val;
		f->offset = 0;
		return 0;
	}
	if (port != VFW_CFG_PORT_DATA || size != 1)
		return -EINVAL;
	if (write)
		return 0; /* ignored */
	/* Bit 14 of the selector is the (legacy) write flag, bit 15 selects
	 * architecture-specific items, of which none exist here. */
	*val = (f->selector & 0x8000) ? 0 : item_byte(f, f->selector & 0x3fff, f->offset);
	if (f->offset != UINT32_MAX)
		f->offset++;
	return 0;
}
