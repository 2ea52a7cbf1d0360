/* Synthetic bzImages (see linux_image.h). */
#include <stdlib.h>
#include <string.h>
#include "linux_image.h"

void fake_bz_defaults(struct fake_bz *o)
{
	memset(o, 0, sizeof(*o));
	o->setup_sects = 4;
	o->version = 0x020f;
	o->loadflags = LINUX_LOADED_HIGH;
	o->xloadflags = LINUX_XLF_KERNEL_64 | LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
	o->relocatable = 1;
	o->kernel_alignment = 0x200000;
	o->pref_address = 0x1000000;
	o->init_size = 8u << 20;
	o->initrd_addr_max = 0x7fffffff;
	o->cmdline_size = 2047;
	o->pm_size = 64u << 10;
}

uint8_t fake_bz_pm_byte(size_t i)
{
	return (uint8_t)(i * 7 + 3 + (i >> 8));
}

size_t fake_bz_setup_size(const struct fake_bz *o)
{
	return ((size_t)(o->setup_sects ? o->setup_sects : 4) + 1) * LINUX_SECTOR;
}

static void put(uint8_t *img, size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

uint8_t *fake_bz_build(const struct fake_bz *o, size_t *size)
{
	size_t setup = fake_bz_setup_size(o);
	*size = setup + o->pm_size + o->trailer;
	uint8_t *img = calloc(1, *size);
	if (!img)
		abort();
	memset(img, 0xcc, setup); /* setup code: anything but zero, as in a real image */
	memset(img + LINUX_SETUP_HDR_OFF, 0, 0x26c - LINUX_SETUP_HDR_OFF);
	img[0x1ef] = 0xff; /* the boot sector byte under the zero page's sentinel */
	put(img, 0x1f1, o->setup_sects, 1);
	put(img, 0x1f4, o->pm_size / 16, 4);
	put(img, 0x1fa, 0xffff, 2);
	put(img, 0x1fe, LINUX_BOOT_FLAG, 2);
	img[0x200] = 0xeb;
	img[0x201] = 0x26c - 0x202;
	put(img, 0x202, LINUX_HDRS_MAGIC, 4);
	put(img, 0x206, o->version, 2);
	put(img, 0x20e, 0x200, 2); /* version string at 0x400 */
	put(img, 0x211, o->loadflags, 1);
	put(img, 0x214, 0x100000, 4);
	put(img, 0x22c, o->initrd_addr_max, 4);
	put(img, 0x230, o->kernel_alignment, 4);
	put(img, 0x234, o->relocatable, 1);
	put(img, 0x235, 21, 1);
	put(img, 0x236, o->xloadflags, 2);
	put(img, 0x238, o->cmdline_size, 4);
	put(img, 0x248, 0x2cc, 4);
	put(img, 0x250, o->setup_data, 8);
	put(img, 0x258, o->pref_address, 8);
	put(img, 0x260, o->init_size, 4);
	memcpy(img + 0x400, FAKE_VERSION_STRING, sizeof(FAKE_VERSION_STRING));
	for (size_t i = 0; i < o->pm_size; i++)
		img[setup + i] = fake_bz_pm_byte(i);
	memset(img + setup + o->pm_size, 0x5a, o->trailer);
	return img;
}

struct vm *fake_vm(unsigned mib)
{
	struct vm *vm = vm_create("linux-test", (uint64_t)mib << 20, 1);
	if (!vm)
		abort();
	return vm;
}

void fake_args(struct linux_load_args *a, const uint8_t *img, size_t size)
{
	memset(a, 0, sizeof(*a));
	a->kernel = img;
	a->kernel_size = size;
	a->cmdline = "console=ttyS0 panic=-1";
}
