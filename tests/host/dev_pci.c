/* Host tests of PCI configuration mechanism #1 and the reset paths. */
#include "check.h"
#include "vmm/dev/pci.h"
#include "vmm/dev/reset.h"

static struct vpci_host pci;

static uint32_t cfg_rd(uint32_t bdf_reg, uint16_t port, unsigned size)
{
	uint32_t a = bdf_reg, v = 0;
	vpci_pio(&pci, 0xcf8, 4, true, &a);
	if (vpci_pio(&pci, port, size, false, &v))
		return 0xbad;
	return v;
}

static void cfg_wr(uint32_t bdf_reg, uint16_t port, unsigned size, uint32_t v)
{
	uint32_t a = bdf_reg;
	vpci_pio(&pci, 0xcf8, 4, true, &a);
	vpci_pio(&pci, port, size, true, &v);
}

TEST(pci_host_bridge_ids_all_widths)
{
	vpci_init(&pci);
	CHECK_EQ(cfg_rd(0x80000000, 0xcfc, 4), 0x12378086);
	CHECK_EQ(cfg_rd(0x80000000, 0xcfc, 2), 0x8086);
	CHECK_EQ(cfg_rd(0x80000000, 0xcfe, 2), 0x1237);
	CHECK_EQ(cfg_rd(0x80000000, 0xcfd, 1), 0x80);
	CHECK_EQ(cfg_rd(0x80000000, 0xcff, 1), 0x12);
	CHECK_EQ(cfg_rd(0x80000008, 0xcfc, 4), 0x06000002);  /* class, rev */
	CHECK_EQ(cfg_rd(0x8000000c, 0xcfe, 1), 0x00);        /* header type */
	CHECK_EQ(cfg_rd(0x80000000, 0xcfe, 4), 0xbad);       /* crosses dword */
	uint32_t a = 0x80001234 | 3, v;
	vpci_pio(&pci, 0xcf8, 4, true, &a);
	vpci_pio(&pci, 0xcf8, 4, false, &v);
	CHECK_EQ(v, 0x80001234);                             /* bits 1:0 reserved */
	CHECK_EQ(vpci_pio(&pci, 0xcf8, 2, false, &v), -EINVAL);
}

TEST(pci_absent_functions_and_disabled)
{
	vpci_init(&pci);
	CHECK_EQ(cfg_rd(0x80000800, 0xcfc, 4), 0xffffffff); /* 00:01.0 */
	CHECK_EQ(cfg_rd(0x80000100, 0xcfc, 2), 0xffff);     /* 00:00.1 */
	CHECK_EQ(cfg_rd(0x80010000, 0xcfc, 1), 0xff);       /* bus 1 */
	CHECK_EQ(cfg_rd(0x00000000, 0xcfc, 4), 0xffffffff); /* enable bit clear */
	cfg_wr(0x80000800, 0xcfc, 4, 0);                    /* dropped */
	CHECK_EQ(cfg_rd(0x80000800, 0xcfc, 4), 0xffffffff);
}

TEST(pci_host_bridge_write_mask)
{
	vpci_init(&pci);
	cfg_wr(0x80000000, 0xcfc, 4, 0);                    /* IDs read-only */
	CHECK_EQ(cfg_rd(0x80000000, 0xcfc, 4), 0x12378086);
	cfg_wr(0x80000004, 0xcfc, 2, 0xffff);
	CHECK_EQ(cfg_rd(0x80000004, 0xcfc, 2), 0x0006);
	cfg_wr(0x80000058, 0xcfd, 1, 0x33);                 /* PAM0 at 0x59 */
	CHECK_EQ(cfg_rd(0x80000058, 0xcfc, 4), 0x00003300);
}

static struct pc_reset rst;
static struct vdev_requests req;

static void out(uint16_t port, uint8_t v)
{
	uint32_t x = v;
	vreset_pio(&rst, port, 1, true, &x);
}

static uint8_t in(uint16_t port)
{
	uint32_t x = 0;
	vreset_pio(&rst, port, 1, false, &x);
	return (uint8_t)x;
}

TEST(reset_cf9)
{
	memset(&req, 0, sizeof(req));
	vreset_init(&rst, &req);
	out(0xcf9, 0x02);                   /* select hard reset */
	CHECK_EQ(req.pending, 0);
	CHECK_EQ(in(0xcf9), 0x02);
	out(0xcf9, 0x06);                   /* RCPU 0->1 */
	CHECK_EQ(req.pending, VDEV_REQ_RESET);
	CHECK(rst.hard);
	CHECK_EQ(in(0xcf9), 0x02);          /* RCPU self-clears */
	req.pending = 0;
	out(0xcf9, 0x04);                   /* soft reset */
	CHECK_EQ(req.pending, VDEV_REQ_RESET);
	CHECK(!rst.hard);
	uint32_t v;
	CHECK_EQ(vreset_pio(&rst, 0xcf9, 4, false, &v), -EINVAL);
}

TEST(reset_port92_and_a20)
{
	memset(&req, 0, sizeof(req));
	vreset_init(&rst, &req);
	CHECK_EQ(in(0x92), 0x02);
	out(0x92, 0x00);
	CHECK(!rst.a20);
	CHECK_EQ(req.pending, 0);
	out(0x92, 0x03);
	CHECK(rst.a20);
	CHECK_EQ(req.pending, VDEV_REQ_RESET);
	CHECK_EQ(in(0x92), 0x02);           /* bit 0 reads back 0 */
}

TEST(reset_8042_pulse_and_output_port)
{
	memset(&req, 0, sizeof(req));
	vreset_init(&rst, &req);
	CHECK_EQ(in(0x64) & 0x03, 0);       /* input buffer empty: OS may write */
	out(0x64, 0xff);                    /* pulse nothing */
	CHECK_EQ(req.pending, 0);
	out(0x64, 0xdd);
	CHECK(!rst.a20);
	out(0x64, 0xd0);
	CHECK_EQ(in(0x64) & 1, 1);
	CHECK_EQ(in(0x60), 0x01);           /* output port: A20 off */
	out(0x64, 0xd1);
	out(0x60, 0x03);                    /* A20 on, no reset */
	CHECK(rst.a20);
	CHECK_EQ(req.pending, 0);
	out(0x64, 0xfe);                    /* pulse reset */
	CHECK_EQ(req.pending, VDEV_REQ_RESET);
	CHECK_EQ(rst.resets, 1);
	out(0x64, 0xd1);
	out(0x60, 0x02);                    /* output bit 0 low */
	CHECK_EQ(rst.resets, 2);
}
