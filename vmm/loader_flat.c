/*
 * Flat images: the bytes of a module copied to guest-physical `load`, entry
 * at its first byte, in 32-bit protected mode with paging off and flat
 * segments (as multiboot), or in real mode at CS:IP = load >> 4 : 0.
 */
#include <errno.h>
#include "vmm/loader.h"

int vm_load_flat(struct vm *vm, const void *image, size_t size, uint64_t load, bool real_mode,
		 struct vcpu_boot *boot, char *err, size_t errlen)
{
	if (!size || load >= vm->mem_size || size > vm->mem_size - load) {
		fmt_snprintf(err, errlen, "image of %zu bytes does not fit at 0x%llx in %llu MiB", size,
			     (unsigned long long)load, (unsigned long long)(vm->mem_size >> 20));
		return -EINVAL;
	}
	if (real_mode && (load & 15 || load + size > 0x100000)) {
		fmt_snprintf(err, errlen, "a real-mode image must be paragraph-aligned below 1 MiB");
		return -EINVAL;
	}
	vm_write(vm, load, image, size);
	memset(boot, 0, sizeof(*boot));
	if (real_mode) {
		boot->mode = BOOT_REAL16;
		boot->cs_selector = (uint16_t)(load >> 4);
		boot->rip = 0;
		boot->rsp = 0xfffe;
	} else {
		boot->mode = BOOT_PROT32;
		boot->rip = load;
		boot->rsp = 0;
	}
	return 0;
}
