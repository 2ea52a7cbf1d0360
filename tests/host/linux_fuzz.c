/*
 * Hostile headers: random changes to the setup header and file size of the
 * synthetic bzImage (a fixed seed, so a failure reproduces). Every outcome
 * must be a clean refusal with a message, or a load whose pieces lie in RAM,
 * apart from each other and from the loader's low-memory area. ASan/UBSan
 * catch any access outside the image or the VM.
 */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "linux_image.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static bool disjoint(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a + alen <= b || b + blen <= a;
}

TEST(linux_fuzz_header_fields)
{
	struct fake_bz o;
	fake_bz_defaults(&o);
	o.pm_size = 8192;
	o.init_size = 1u << 20;
	size_t size;
	uint8_t *orig = fake_bz_build(&o, &size);
	uint8_t *img = malloc(size);
	static uint8_t rd[3 * 4096 + 5];
	struct vm *vm = fake_vm(16);
	unsigned loaded = 0, refused = 0;
	char err[256];
	for (unsigned it = 0; it < 20000; it++) {
		memcpy(img, orig, size);
		unsigned nchanges = 1 + next() % 4;
		for (unsigned c = 0; c < nchanges; c++) {
			size_t off = 0x1f1 + next() % (0x26c - 0x1f1);
			uint64_t r = next();
			/* Mostly single bytes; sometimes extreme values for a 4-byte field. */
			if (r % 4 == 0 && off + 4 <= 0x26c)
				memset(img + off, r & 0x10 ? 0xff : 0, 4);
			else
				img[off] = (uint8_t)(r >> 8);
		}
		size_t len = next() % 8 ? size : next() % (size + 1);
		struct linux_load_args a;
		fake_args(&a, img, len);
		a.initrd = rd;
		a.initrd_size = next() % 2 ? sizeof(rd) : 0;
		struct vcpu_boot b;
		struct linux_layout l;
		err[0] = 0;
		int rc = linux_load(vm, &a, &b, &l, err, sizeof(err));
		if (rc) {
			CHECK(rc == -EINVAL || rc == -ENOSPC || rc == -EFAULT);
			CHECK(err[0]);
			refused++;
			continue;
		}
		loaded++;
		CHECK(l.kernel >= LINUX_HIGH_MEM);
		CHECK(l.kernel_end <= vm->mem_size && l.kernel_end > l.kernel);
		CHECK(l.k.pm_size <= l.kernel_end - l.kernel);
		CHECK_EQ(b.rip, l.kernel + 0x200);
		if (a.initrd_size) {
			CHECK(l.initrd >= LINUX_HIGH_MEM);
			CHECK(l.initrd + l.initrd_size <= vm->mem_size);
			CHECK(l.initrd + l.initrd_size - 1 <= l.k.hdr.initrd_addr_max);
			CHECK(disjoint(l.initrd, l.initrd_size, l.kernel, l.kernel_end - l.kernel));
		}
		CHECK(l.cmdline_len <= l.k.hdr.cmdline_size);
	}
	printf("# %u loaded, %u refused\n", loaded, refused);
	CHECK(loaded > 100 && refused > 100); /* both paths were exercised */
	vm_destroy(vm);
	free(img);
	free(orig);
}
