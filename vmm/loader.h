#ifndef VMM_LOADER_H
#define VMM_LOADER_H
#include "ditto/fmt.h"
#include "vmm/vm.h"
int vm_load_flat(struct vm *vm, const void *image, size_t size, uint64_t load, bool real_mode,
		 struct vcpu_boot *boot, char *err, size_t errlen);
#endif
