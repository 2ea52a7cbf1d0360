/*
 * Reset paths of a PC. References: Intel 82371AB PIIX4 datasheet, 4.1.15
 * "RC - Reset control register" (port 0xcf9: bit 1 SRST selects hard reset,
 * bit 2 RCPU resets on a 0->1 transition, bit 3 full reset); IBM PS/2
 * "System Control Port A" (port 0x92: bit 0 fast reset on 0->1, bit 1 A20);
 * and the 8042 keyboard controller command set (IBM PC/AT technical
 * reference: 0xd0/0xd1 read/write output port, 0xdd/0xdf A20, 0xf0-0xff pulse
 * output port bits whose command bit is 0, bit 0 being the CPU reset line).
 * The 8042 here has no keyboard or mouse behind it (docs/platform.md).
 */
#include "vmm/dev/reset.h"

#define KBC_STATUS_OBF 0x01
#define KBC_STATUS_SYSFLAG 0x04
#define KBC_STATUS_UNLOCKED 0x10

static void request_reset(struct pc_reset *r, bool hard)
{
	r->hard = hard;
	r->resets++;
	vdev_request(r->req, VDEV_REQ_RESET);
}

void vreset_init(struct pc_reset *r, struct vdev_requests *req)
{
	memset(r, 0, sizeof(*r));
	r->req = req;
	r->a20 = true; /* A20 enabled, as firmware leaves it */
	r->port92 = 0x02;
	r->kbc_out = -1;
	r->kbc_outport = 0x03; /* reset line inactive (high), A20 on */
}

static void set_a20(struct pc_reset *r, bool on)
{
	r->a20 = on;
	r->port92 = (uint8_t)((r->port92 & ~0x02) | (on ? 0x02 : 0));
	r->kbc_outport = (uint8_t)((r->kbc_outport & ~0x02) | (on ? 0x02 : 0));
}

static void kbc_command(struct pc_reset *r, uint8_t cmd)
{
	r->kbc_cmd = 0;
	switch (cmd) {
	case 0xd0: /* read output port */
		r->kbc_out = r->kbc_outport;
		break;
	case 0xd1: /* write output port: next byte at 0x60 */
		r->kbc_cmd = cmd;
		break;
	case 0xdd:
		set_a20(r, false);
		break;
	case 0xdf:
		set_a20(r, true);
		break;
	case 0x20: /* read command byte: no interrupts, system flag */
		r->kbc_out = 0x04;
		break;
	default:
		if (cmd >= 0xf0 && !(cmd & 1))
			request_reset(r, true); /* pulse of output bit 0 */
		break;
	}
}

static void kbc_data(struct pc_reset *r, uint8_t v)
{
	if (r->kbc_cmd != 0xd1)
		return; /* keyboard commands: no keyboard */
	r->kbc_cmd = 0;
	set_a20(r, v & 0x02);
	r->kbc_outport = v | 0x01;
	if (!(v & 0x01))
		request_reset(r, true); /* output bit 0 low = CPU reset */
}

int vreset_pio(struct pc_reset *r, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	uint8_t v = (uint8_t)*val;

	if (size != 1)
		return -EINVAL;
	switch (port) {
	case 0xcf9:
		if (!write) {
			*val = r->cf9;
			return 0;
		}
		if ((v & 0x04) && !(r->cf9 & 0x04))
			request_reset(r, v & 0x0a); /* SRST or FULL_RST: hard */
		r->cf9 = v & 0x0a; /* RCPU reads back 0 */
		return 0;
	case 0x92:
		if (!write) {
			*val = r->port92;
			return 0;
		}
		set_a20(r, v & 0x02);
		if (v & 0x01)
			request_reset(r, false); /* fast reset: a CPU (INIT) reset */
		return 0;
	case 0x64:
		if (write)
			kbc_command(r, v);
		else
			*val = KBC_STATUS_SYSFLAG | KBC_STATUS_UNLOCKED |
			       (r->kbc_out >= 0 ? KBC_STATUS_OBF : 0);
		return 0;
	case 0x60:
		if (write) {
			kbc_data(r, v);
		} else {
			*val = r->kbc_out >= 0 ? (uint8_t)r->kbc_out : 0;
			r->kbc_out = -1;
		}
		return 0;
	default:
		return -EINVAL;
	}
}
