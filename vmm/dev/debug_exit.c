/*
 * isa-debug-exit as QEMU implements it (hw/misc/debugexit.c behaviour,
 * documented in QEMU's device help): a write of value V to the port stops
 * the VM with exit status (V << 1) | 1, so a status is always odd and cannot
 * be confused with a clean exit (0). Reads return all ones, like an empty port.
 */
#include "vmm/dev/fw_cfg.h"

int vdebug_exit_pio(struct vdev_requests *req, uint16_t port, unsigned size, bool write,
		   uint32_t *val)
{
	if (port != VDEBUG_EXIT_PORT || !vdev_size_ok(size))
		return -EINVAL;
	if (!write) {
		*val = vdev_size_mask(size);
		return 0;
	}
	if (req) {
		req->exit_status = ((*val & vdev_size_mask(size)) << 1) | 1;
		vdev_request(req, VDEV_REQ_EXIT);
	}
	return 0;
}
