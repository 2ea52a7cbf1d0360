/*
 * QEMU-compatible test devices: fw_cfg (traditional I/O interface: selector
 * at 0x510, data at 0x511, as in QEMU's docs/specs/fw_cfg.rst) and
 * isa-debug-exit at 0xf4.
 */
#ifndef DITTO_VMM_DEV_FW_CFG_H
#define DITTO_VMM_DEV_FW_CFG_H

#include "vmm/dev/vdev.h"

#define VFW_CFG_PORT_SEL 0x510
#define VFW_CFG_PORT_DATA 0x511
#define VFW_CFG_MAX_FILES 16
#define VFW_CFG_NAME_LEN 56

/* Item keys (QEMU's fw_cfg key list). */
#define VFW_CFG_SIGNATURE 0x0000
#define VFW_CFG_ID 0x0001
#define VFW_CFG_RAM_SIZE 0x0003
#define VFW_CFG_NB_CPUS 0x0005
#define VFW_CFG_MAX_CPUS 0x000f
#define VFW_CFG_FILE_DIR 0x0019
#define VFW_CFG_FILE_FIRST 0x0020

struct vfw_cfg_file {
	char name[VFW_CFG_NAME_LEN];
	const uint8_t *data; /* owned by the caller, must outlive the device */
	uint32_t size;
};

struct vfw_cfg {
	uint16_t selector;
	uint32_t offset;
	uint64_t ram_size;
	uint16_t ncpus, max_cpus;
	unsigned nfiles;
	struct vfw_cfg_file files[VFW_CFG_MAX_FILES];
};

void vfw_cfg_init(struct vfw_cfg *f, uint64_t ram_size, uint16_t ncpus, uint16_t max_cpus);
/* Adds a named blob; returns its key, -EINVAL for a bad name, -ENOSPC if full. */
int vfw_cfg_add_file(struct vfw_cfg *f, const char *name, const void *data, uint32_t size);
/* 0x510: 16-bit selector writes; 0x511: 8-bit data reads (writes ignored). */
int vfw_cfg_pio(struct vfw_cfg *f, uint16_t port, unsigned size, bool write, uint32_t *val);

/* isa-debug-exit: a write of V requests a VM stop with status (V << 1) | 1. */
#define VDEBUG_EXIT_PORT 0xf4
int vdebug_exit_pio(struct vdev_requests *req, uint16_t port, unsigned size, bool write,
		   uint32_t *val);

#endif
