/*
 * The PC's reset paths: the reset control register at 0xcf9, System Control
 * Port A at 0x92 (fast reset, A20) and a stub 8042 keyboard controller at
 * 0x60/0x64 that understands only the commands firmware and OSes use to reset
 * the machine or set A20. They post VDEV_REQ_RESET to the caller.
 */
#ifndef DITTO_VMM_DEV_RESET_H
#define DITTO_VMM_DEV_RESET_H

#include "vmm/dev/vdev.h"

struct pc_reset {
	uint8_t cf9;         /* bits 1 (SYS_RST) and 3 (FULL_RST) */
	uint8_t port92;      /* bit 1 (A20) */
	bool a20;            /* A20 gate state (reported, not applied) */
	bool hard;           /* the last reset request was a hard one */
	uint8_t kbc_cmd;     /* 8042 command awaiting a data byte (0xd1) */
	int kbc_out;         /* byte for the guest at port 0x60, -1 if none */
	uint8_t kbc_outport; /* 8042 output port: bit 0 reset, bit 1 A20 */
	uint64_t resets;
	struct vdev_requests *req;
};

void vreset_init(struct pc_reset *r, struct vdev_requests *req);
/* Ports 0xcf9, 0x92, 0x60, 0x64; byte accesses only. */
int vreset_pio(struct pc_reset *r, uint16_t port, unsigned size, bool write, uint32_t *val);

#endif
