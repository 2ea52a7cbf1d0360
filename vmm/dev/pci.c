/*
 * PCI configuration mechanism #1 (PCI Local Bus Specification 2.1, 3.7.4.1
 * "Configuration mechanism #1") and a host bridge with the IDs and header
 * of the Intel 82441FX PMC (440FX PCIset datasheet, order no. 290549,
 * 3.2 "PCI configuration registers"): vendor 8086, device 1237, class
 * 06 00 00. Every other bus/device/function is absent: reads return all
 * ones (no device answers, master abort), writes are dropped.
 */
#include "vmm/dev/pci.h"

#define ADDR_ENABLE 0x80000000u
#define ADDR_MASK 0x80fffffcu /* enable, bus, device, function, dword */

static void put16(uint8_t *c, unsigned at, uint16_t v)
{
	c[at] = (uint8_t)v;
	c[at + 1] = (uint8_t)(v >> 8);
}

void vpci_init(struct vpci_host *p)
{
	memset(p, 0, sizeof(*p));
	put16(p->cfg, 0x00, 0x8086);  /* vendor */
	put16(p->cfg, 0x02, 0x1237);  /* device: 82441FX */
	put16(p->cfg, 0x04, 0x0006);  /* command: memory, bus master */
	put16(p->cfg, 0x06, 0x0280);  /* status: fast back-to-back, medium DEVSEL */
	p->cfg[0x08] = 0x02;          /* revision */
	p->cfg[0x0b] = 0x06;          /* class: bridge, subclass 00 host */
	p->cfg[0x0e] = 0x00;          /* header type 0, single function */
}

/* Writable bytes of the host bridge (the rest is read-only). */
static uint8_t cfg_write_mask(unsigned off)
{
	if (off == 0x04)
		return 0x06;  /* memory space, bus master */
	if (off == 0x0d)
		return 0xf8;  /* master latency timer */
	if (off >= 0x50 && off <= 0x5f)
		return 0xff;  /* PMCCFG, DRAM control, PAM0-6 */
	if (off == 0x72)
		return 0x7f;  /* SMRAM (D_LCK is not emulated) */
	return 0;
}

static bool is_host_bridge(uint32_t addr)
{
	return ((addr >> 8) & 0xffff) == 0; /* bus 0, device 0, function 0 */
}

int vpci_pio(struct vpci_host *p, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	unsigned off, i;
	uint32_t v = 0;

	if (port == VPCI_CONFIG_ADDRESS) {
		if (size != 4)
			return -EINVAL; /* byte/word 0xcf8 is not CONFIG_ADDRESS */
		if (write)
			p->address = *val & ADDR_MASK;
		else
			*val = p->address;
		return 0;
	}
	if (port < VPCI_CONFIG_DATA || port > VPCI_CONFIG_DATA + 3 || !vdev_size_ok(size) ||
	    (port & 3) + size > 4)
		return -EINVAL;
	off = (p->address & 0xfc) + (port & 3);
	if (!(p->address & ADDR_ENABLE) || !is_host_bridge(p->address)) {
		if (!write)
			*val = vdev_size_mask(size);
		return 0;
	}
	for (i = 0; i < size; i++) {
		uint8_t *b = &p->cfg[off + i], m = cfg_write_mask(off + i);
		if (write)
			*b = (uint8_t)((*b & ~m) | ((*val >> (8 * i)) & m));
		else
			v |= (uint32_t)*b << (8 * i);
	}
	if (!write)
		*val = v;
	return 0;
}
