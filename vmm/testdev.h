#ifndef VMM_TESTDEV_H
#define VMM_TESTDEV_H
#include "vmm/vm.h"
#define TESTDEV_PORT_REG 0xe0
#define TESTDEV_PORT_FIFO 0xe4
#define TESTDEV_MMIO_BASE 0xfeb00000ull
struct testdev {
	uint32_t reg;
	uint8_t fifo[64];
	unsigned fifo_head, fifo_len;
	uint8_t mmio[4096];
	uint64_t mmio_reads, mmio_writes;
};
int testdev_attach(struct vm *vm, struct testdev *t);
#endif
