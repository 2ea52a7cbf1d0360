/* QEMU fw_cfg at 0x510/0x511: the values equal what the VM was given. */
#include "pc.h"

static void sel(uint16_t key) { outw(0x510, key); }
static uint32_t rd32le(void)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)inb(0x511) << (8 * i);
	return v;
}

int gmain(void)
{
	char sig[5] = { 0 };
	sel(0x0000);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)inb(0x511);
	CHECK("signature_qemu", !__builtin_memcmp(sig, "QEMU", 4));
	sel(0x0001);
	CHECK("id_traditional", rd32le() & 1);
	sel(0x0003);
	uint32_t lo = rd32le(), hi = rd32le();
	CHECK("ram_size_16m", lo == (16u << 20) && hi == 0);
	sel(0x0005);
	CHECK("nb_cpus_1", (inb(0x511) | inb(0x511) << 8) == 1);
	sel(0x000f);
	CHECK("max_cpus_1", (inb(0x511) | inb(0x511) << 8) == 1);
	sel(0x0019);
	uint32_t count = (uint32_t)inb(0x511) << 24 | (uint32_t)inb(0x511) << 16 | (uint32_t)inb(0x511) << 8 | inb(0x511);
	CHECK("file_dir_readable", count < 64);
	return 0;
}
