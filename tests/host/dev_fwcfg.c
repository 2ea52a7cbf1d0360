/* Host tests of fw_cfg and isa-debug-exit (vmm/dev/fw_cfg.c, debug_exit.c). */
#include "check.h"
#include "vmm/dev/fw_cfg.h"

static struct vfw_cfg fw;

static void sel(uint16_t key)
{
	uint32_t v = key;
	vfw_cfg_pio(&fw, 0x510, 2, true, &v);
}

static uint8_t rd(void)
{
	uint32_t v = 0xdead;
	vfw_cfg_pio(&fw, 0x511, 1, false, &v);
	return (uint8_t)v;
}

static uint32_t rd_be32(void)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 8 | rd();
	return v;
}

TEST(fwcfg_signature_id_numbers)
{
	vfw_cfg_init(&fw, 0x12345678abull, 2, 4);
	sel(0x0000);
	CHECK_EQ(rd(), 'Q'); CHECK_EQ(rd(), 'E'); CHECK_EQ(rd(), 'M'); CHECK_EQ(rd(), 'U');
	CHECK_EQ(rd(), 0);                  /* past the end */
	sel(0x0000);
	CHECK_EQ(rd(), 'Q');                /* selecting resets the offset */
	sel(0x0001);
	CHECK_EQ(rd(), 0x01); CHECK_EQ(rd(), 0); CHECK_EQ(rd(), 0); CHECK_EQ(rd(), 0);
	sel(0x0003);
	CHECK_EQ(rd(), 0xab); CHECK_EQ(rd(), 0x78); CHECK_EQ(rd(), 0x56);
	CHECK_EQ(rd(), 0x34); CHECK_EQ(rd(), 0x12); CHECK_EQ(rd(), 0);
	sel(0x0005);
	CHECK_EQ(rd(), 2); CHECK_EQ(rd(), 0);
	sel(0x000f);
	CHECK_EQ(rd(), 4);
	sel(0x0123);
	CHECK_EQ(rd(), 0);                  /* unknown key */
	uint32_t v = 0x55;
	CHECK_EQ(vfw_cfg_pio(&fw, 0x511, 1, true, &v), 0);   /* ignored */
	CHECK_EQ(vfw_cfg_pio(&fw, 0x510, 1, true, &v), -EINVAL);
	CHECK_EQ(vfw_cfg_pio(&fw, 0x511, 2, false, &v), -EINVAL);
}

TEST(fwcfg_file_directory)
{
	static const uint8_t blob[3] = { 7, 8, 9 };
	vfw_cfg_init(&fw, 0, 1, 1);
	sel(0x0019);
	CHECK_EQ(rd_be32(), 0);             /* empty directory */
	CHECK_EQ(vfw_cfg_add_file(&fw, "etc/ditto", blob, 3), 0x20);
	CHECK_EQ(vfw_cfg_add_file(&fw, "opt/x", blob, 1), 0x21);
	CHECK_EQ(vfw_cfg_add_file(&fw, "", blob, 1), -EINVAL);
	sel(0x0019);
	CHECK_EQ(rd_be32(), 2);
	CHECK_EQ(rd_be32(), 3);             /* size */
	CHECK_EQ(rd() << 8 | rd(), 0x20);   /* select */
	CHECK_EQ(rd() << 8 | rd(), 0);      /* reserved */
	char name[56];
	for (int i = 0; i < 56; i++)
		name[i] = (char)rd();
	CHECK_STREQ(name, "etc/ditto");
	CHECK_EQ(rd_be32(), 1);
	sel(0x0020);
	CHECK_EQ(rd(), 7); CHECK_EQ(rd(), 8); CHECK_EQ(rd(), 9); CHECK_EQ(rd(), 0);
	for (int i = 2; i < VFW_CFG_MAX_FILES; i++)
		CHECK(vfw_cfg_add_file(&fw, "f", blob, 1) > 0);
	CHECK_EQ(vfw_cfg_add_file(&fw, "g", blob, 1), -ENOSPC);
}

TEST(debug_exit_status)
{
	struct vdev_requests req = { 0 };
	uint32_t v = 0x10;
	CHECK_EQ(vdebug_exit_pio(&req, 0xf4, 1, true, &v), 0);
	CHECK_EQ(req.pending, VDEV_REQ_EXIT);
	CHECK_EQ(req.exit_status, 0x21);
	v = 0;
	vdebug_exit_pio(&req, 0xf4, 1, true, &v);
	CHECK_EQ(req.exit_status, 1);
	v = 0x1ff;
	vdebug_exit_pio(&req, 0xf4, 1, true, &v);   /* byte write: 0xff */
	CHECK_EQ(req.exit_status, 0x1ff);
	CHECK_EQ(vdebug_exit_pio(&req, 0xf4, 1, false, &v), 0);
	CHECK_EQ(v, 0xff);
}
