/*
 * What vmm/boot/linux.c must refuse, each with a message naming the problem:
 * truncated images (every cut point), wrong magic, old protocols, 32-bit or
 * zImage kernels, bad header fields, kernels / initrds / command lines that do
 * not fit, bad memory maps. Each case also checks that the unmodified image
 * loads, so a refusal cannot pass for the wrong reason.
 */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "linux_image.h"

static char err[256];

/* Loads image (size bytes) with args a (NULL: defaults) into a fresh VM of mib MiB. */
static int try_load(const uint8_t *img, size_t size, unsigned mib, struct linux_load_args *a)
{
	struct vm *vm = fake_vm(mib);
	struct linux_load_args def;
	struct vcpu_boot b;
	if (!a) {
		fake_args(&def, img, size);
		a = &def;
	}
	a->kernel = img;
	a->kernel_size = size;
	err[0] = 0;
	int rc = linux_load(vm, a, &b, NULL, err, sizeof(err));
	vm_destroy(vm);
	return rc;
}

/* The default synthetic image with one change applied by `edit`, expecting
 * -EINVAL and `what` in the message. */
#define REFUSED(o, mib, a, what)                                               \
	do {                                                                   \
		size_t sz_;                                                    \
		uint8_t *img_ = fake_bz_build(&(o), &sz_);                     \
		int rc_ = try_load(img_, sz_, (mib), (a));                     \
		free(img_);                                                    \
		CHECK_EQ(rc_, -EINVAL);                                        \
		if (!strstr(err, (what)))                                      \
			printf("# message: %s\n", err);                        \
		CHECK(strstr(err, (what)) != NULL);                            \
	} while (0)

static int load_default(unsigned mib, struct linux_load_args *a)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	size_t sz;
	uint8_t *img = fake_bz_build(&o, &sz);
	int rc = try_load(img, sz, mib, a);
	free(img);
	return rc;
}

TEST(linux_refuse_truncated_at_every_cut)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.pm_size = 4096;
	size_t size;
	uint8_t *img = fake_bz_build(&o, &size);
	struct vm *vm = fake_vm(32);
	struct linux_load_args a;
	struct vcpu_boot b;
	fake_args(&a, img, size);
	CHECK_EQ(linux_load(vm, &a, &b, NULL, err, sizeof(err)), 0);
	for (size_t cut = 0; cut < size; cut++) {
		/* A copy of exactly `cut` bytes, so ASan sees any read beyond it. */
		uint8_t *part = malloc(cut ? cut : 1);
		memcpy(part, img, cut);
		a.kernel = part;
		a.kernel_size = cut;
		err[0] = 0;
		int rc = linux_load(vm, &a, &b, NULL, err, sizeof(err));
		free(part);
		if (rc != -EINVAL || !err[0])
			printf("# cut %zu: rc %d\n", cut, rc);
		CHECK_EQ(rc, -EINVAL);
		CHECK(strstr(err, "truncated") || strstr(err, "beyond the file"));
	}
	free(img);
	vm_destroy(vm);
}

TEST(linux_refuse_wrong_magic)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	size_t size;
	uint8_t *img = fake_bz_build(&o, &size);
	img[0x205] = 'T'; /* "HdrT" */
	CHECK_EQ(try_load(img, size, 32, NULL), -EINVAL);
	CHECK(strstr(err, "HdrS"));
	img[0x205] = 'S';
	img[0x1fe] = 0x54; /* boot_flag 0xaa54 */
	CHECK_EQ(try_load(img, size, 32, NULL), -EINVAL);
	CHECK(strstr(err, "boot_flag"));
	img[0x1fe] = 0x55;
	CHECK_EQ(try_load(img, size, 32, NULL), 0);
	free(img);
}

TEST(linux_refuse_protocol_2_10)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.version = 0x020a;
	REFUSED(o, 32, NULL, "2.10 is too old");
	o.version = 0x020b;
	REFUSED(o, 32, NULL, "2.11 is too old");
	o.version = 0x020c; /* 2.12 is enough */
	size_t sz;
	uint8_t *img = fake_bz_build(&o, &sz);
	CHECK_EQ(try_load(img, sz, 32, NULL), 0);
	free(img);
}

TEST(linux_refuse_no_64bit_entry)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.xloadflags = LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
	REFUSED(o, 32, NULL, "XLF_KERNEL_64");
}

TEST(linux_refuse_zimage)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.loadflags = 0;
	REFUSED(o, 32, NULL, "LOADED_HIGH");
}

TEST(linux_refuse_init_size_larger_than_ram)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.init_size = 63u << 20; /* 64 MiB VM: no 2 MiB-aligned place above 1 MiB holds it */
	REFUSED(o, 64, NULL, "init_size");
	o.init_size = 0xffffffffu;
	REFUSED(o, 64, NULL, "init_size");
	o.init_size = 62u << 20; /* 2 MiB .. 64 MiB: fits */
	size_t sz;
	uint8_t *img = fake_bz_build(&o, &sz);
	CHECK_EQ(try_load(img, sz, 64, NULL), 0);
	free(img);
}

TEST(linux_refuse_init_size_zero)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.init_size = 0;
	REFUSED(o, 32, NULL, "init_size is 0");
}

TEST(linux_refuse_non_relocatable_outside_ram)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.relocatable = 0;
	o.pref_address = 30u << 20; /* 30 + 8 MiB > 32 MiB */
	REFUSED(o, 32, NULL, "not relocatable");
	o.pref_address = 0x10000; /* below 1 MiB: never */
	REFUSED(o, 32, NULL, "not relocatable");
}

TEST(linux_refuse_bad_kernel_alignment)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.kernel_alignment = 0x300000;
	REFUSED(o, 32, NULL, "kernel_alignment");
	o.kernel_alignment = 0;
	REFUSED(o, 32, NULL, "kernel_alignment");
	o.kernel_alignment = 0x80000000u;
	REFUSED(o, 32, NULL, "kernel_alignment");
}

TEST(linux_refuse_setup_sects_beyond_file)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	size_t size;
	uint8_t *img = fake_bz_build(&o, &size);
	img[0x1f1] = 200; /* 201 * 512 > 5 * 512 + 64 KiB */
	CHECK_EQ(try_load(img, size, 32, NULL), -EINVAL);
	CHECK(strstr(err, "setup_sects 200"));
	img[0x1f1] = 255;
	CHECK_EQ(try_load(img, size, 32, NULL), -EINVAL);
	CHECK(strstr(err, "setup_sects 255"));
	/* Within the file but then syssize runs past its end. */
	img[0x1f1] = 10;
	CHECK_EQ(try_load(img, size, 32, NULL), -EINVAL);
	CHECK(strstr(err, "syssize"));
	free(img);
}

TEST(linux_refuse_syssize_beyond_file)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	size_t size;
	uint8_t *img = fake_bz_build(&o, &size);
	img[0x1f4] = img[0x1f5] = img[0x1f6] = img[0x1f7] = 0xff;
	CHECK_EQ(try_load(img, size, 32, NULL), -EINVAL);
	CHECK(strstr(err, "syssize 0xffffffff"));
	memset(img + 0x1f4, 0, 4);
	CHECK_EQ(try_load(img, size, 32, NULL), -EINVAL);
	CHECK(strstr(err, "syssize 0x0"));
	free(img);
}

TEST(linux_refuse_short_header)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	size_t size;
	uint8_t *img = fake_bz_build(&o, &size);
	img[0x201] = 0x40; /* header ends at 0x242: no init_size */
	CHECK_EQ(try_load(img, size, 32, NULL), -EINVAL);
	CHECK(strstr(err, "setup header ends at 0x242"));
	img[0x201] = 0x6a;
	img[0x200] = 0x90; /* not a short jump */
	CHECK_EQ(try_load(img, size, 32, NULL), -EINVAL);
	CHECK(strstr(err, "setup header ends"));
	free(img);
}

TEST(linux_refuse_initrd_too_large)
{
	struct linux_load_args a;
	size_t n = 60u << 20; /* 64 MiB VM, kernel 16..24 MiB: 40 MiB above, 15 below */
	uint8_t *rd = calloc(1, n);
	fake_args(&a, NULL, 0);
	a.initrd = rd;
	a.initrd_size = n;
	CHECK_EQ(load_default(64, &a), -EINVAL);
	CHECK(strstr(err, "initrd of 62914560 bytes does not fit"));
	a.initrd_size = 41u << 20;
	CHECK_EQ(load_default(64, &a), -EINVAL);
	CHECK(strstr(err, "initrd"));
	a.initrd_size = 40u << 20; /* exactly the room above the kernel */
	CHECK_EQ(load_default(64, &a), 0);
	free(rd);
}

TEST(linux_refuse_initrd_above_initrd_addr_max)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.initrd_addr_max = 0x1fffff; /* only [1 MiB, 2 MiB) is allowed */
	struct linux_load_args a;
	static uint8_t rd[(1u << 20) + 1];
	fake_args(&a, NULL, 0);
	a.initrd = rd;
	a.initrd_size = sizeof(rd);
	REFUSED(o, 64, &a, "initrd_addr_max 0x1fffff");
	a.initrd_size = 1u << 20; /* exactly fits */
	size_t sz;
	uint8_t *img = fake_bz_build(&o, &sz);
	CHECK_EQ(try_load(img, sz, 64, &a), 0);
	free(img);
}

TEST(linux_refuse_cmdline_too_long)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.cmdline_size = 100;
	char line[102];
	memset(line, 'y', 101);
	line[101] = 0;
	struct linux_load_args a;
	fake_args(&a, NULL, 0);
	a.cmdline = line;
	REFUSED(o, 32, &a, "longer than cmdline_size 100");
	/* A huge cmdline_size does not let it run past the loader's area. */
	o.cmdline_size = 0xffffffffu;
	char *big = malloc(LINUX_CMDLINE_AREA + 10);
	memset(big, 'z', LINUX_CMDLINE_AREA + 9);
	big[LINUX_CMDLINE_AREA + 9] = 0;
	a.cmdline = big;
	REFUSED(o, 32, &a, "does not fit");
	free(big);
}

TEST(linux_refuse_bad_memory_maps)
{
	struct linux_load_args a;
	fake_args(&a, NULL, 0);
	/* RAM beyond the VM's memory. */
	struct e820_range beyond[] = { { 0, 64u << 20, 0 } };
	a.ram = beyond;
	a.nram = 1;
	CHECK_EQ(load_default(32, &a), -EINVAL);
	CHECK(strstr(err, "outside the VM"));
	/* Overlapping RAM ranges. */
	struct e820_range overlap[] = { { 0, 16u << 20, 0 }, { 8u << 20, 24u << 20, 0 } };
	a.ram = overlap;
	a.nram = 2;
	CHECK_EQ(load_default(32, &a), -EINVAL);
	CHECK(strstr(err, "overlap"));
	/* No RAM below 1 MiB for the zero page and tables. */
	struct e820_range high[] = { { 1u << 20, 31u << 20, 0 } };
	a.ram = high;
	a.nram = 1;
	CHECK_EQ(load_default(32, &a), -EINVAL);
	CHECK(strstr(err, "needs RAM at 0x1000"));
	/* The platform reserves the only place the kernel could go. */
	struct e820_range rsv[] = { { 2u << 20, 30u << 20, E820_RESERVED } };
	a.ram = NULL;
	a.nram = 0;
	a.reserved = rsv;
	a.nreserved = 1;
	CHECK_EQ(load_default(32, &a), -EINVAL);
	CHECK(strstr(err, "init_size"));
	a.reserved = NULL;
	a.nreserved = 0;
	CHECK_EQ(load_default(32, &a), 0);
}
