/*
 * The test device of test VMs (guest-tools/tests): what the I/O and MMIO
 * test guests talk to.
 *   ports 0xe0-0xe3: a 32-bit register, read back as written (any width)
 *   port  0xe4:      a 64-byte FIFO (OUTS/INS targets)
 *   MMIO  TESTDEV_MMIO_BASE, one page: 512 64-bit registers, any width and
 *                    offset, little-endian, read back as written
 */
#include <errno.h>
#include "vmm/testdev.h"

static int pio_in(void *ctx, uint16_t port, unsigned size, uint32_t *val)
{
	struct testdev *t = ctx;
	if (port == TESTDEV_PORT_FIFO) {
		*val = 0;
		for (unsigned i = 0; i < size; i++) {
			uint8_t b = t->fifo_len ? t->fifo[t->fifo_head] : 0xff;
			if (t->fifo_len) {
				t->fifo_head = (t->fifo_head + 1) % sizeof(t->fifo);
				t->fifo_len--;
			}
			*val |= (uint32_t)b << (8 * i);
		}
		return 0;
	}
	unsigned off = port - TESTDEV_PORT_REG;
	if (off + size > 4)
		return -EINVAL;
	*val = 0;
	memcpy(val, (uint8_t *)&t->reg + off, size);
	return 0;
}

static int pio_out(void *ctx, uint16_t port, unsigned size, uint32_t val)
{
	struct testdev *t = ctx;
	if (port == TESTDEV_PORT_FIFO) {
		for (unsigned i = 0; i < size; i++) {
			if (t->fifo_len == sizeof(t->fifo))
				return 0; /* full: dropped, as a UART would */
			t->fifo[(t->fifo_head + t->fifo_len) % sizeof(t->fifo)] = (uint8_t)(val >> (8 * i));
			t->fifo_len++;
		}
		return 0;
	}
	unsigned off = port - TESTDEV_PORT_REG;
	if (off + size > 4)
		return -EINVAL;
	memcpy((uint8_t *)&t->reg + off, &val, size);
	return 0;
}

static int mmio_read(void *ctx, uint64_t off, unsigned size, uint64_t *val)
{
	struct testdev *t = ctx;
	if (off + size > sizeof(t->mmio))
		return -EINVAL;
	*val = 0;
	memcpy(val, t->mmio + off, size);
	t->mmio_reads++;
	return 0;
}

static int mmio_write(void *ctx, uint64_t off, unsigned size, uint64_t val)
{
	struct testdev *t = ctx;
	if (off + size > sizeof(t->mmio))
		return -EINVAL;
	memcpy(t->mmio + off, &val, size);
	t->mmio_writes++;
	return 0;
}

int testdev_attach(struct vm *vm, struct testdev *t)
{
	memset(t, 0, sizeof(*t));
	struct pio_region p = { TESTDEV_PORT_REG, 5, pio_in, pio_out, t };
	struct mmio_region m = { TESTDEV_MMIO_BASE, 4096, mmio_read, mmio_write, t };
	int r = vm_add_pio(vm, &p);
	return r ? r : vm_add_mmio(vm, &m);
}
