#ifndef VMM_LOADER_H
#define VMM_LOADER_H
#include "ditto/fmt.h"
#include "vmm/vm.h"
int vm_load_flat(struct vm *vm, const void *image, size_t size, uint64_t load, bool real_mode,
		 struct vcpu_boot *boot, char *err, size_t errlen);
/* Multiboot v1 (version 1) or multiboot2 (version 2) kernel; rsdp_gpa: the
 * ACPI RSDP in guest memory for multiboot2's ACPI tag (0: none). -ENOEXEC
 * with a message in err for an image Ditto refuses. */
int vm_load_multiboot(struct vm *vm, int version, const void *image, size_t size, const char *cmdline,
		      uint64_t rsdp_gpa, struct vcpu_boot *boot, char *err, size_t errlen);
#endif
