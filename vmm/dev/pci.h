/*
 * PCI configuration mechanism #1 (ports 0xcf8 address, 0xcfc-0xcff data)
 * with one device: an i440FX-like host bridge at 00:00.0.
 */
#ifndef DITTO_VMM_DEV_PCI_H
#define DITTO_VMM_DEV_PCI_H

#include "vmm/dev/vdev.h"

#define VPCI_CONFIG_ADDRESS 0xcf8
#define VPCI_CONFIG_DATA 0xcfc

struct vpci_host {
	uint32_t address;  /* CONFIG_ADDRESS */
	uint8_t cfg[256];  /* host bridge configuration space */
};

void vpci_init(struct vpci_host *p);
/* 0xcf8 (32-bit only, -EINVAL otherwise) and 0xcfc-0xcff (1, 2 or 4 bytes
 * within the dword, -EINVAL otherwise). */
int vpci_pio(struct vpci_host *p, uint16_t port, unsigned size, bool write, uint32_t *val);

#endif
