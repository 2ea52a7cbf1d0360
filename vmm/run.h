#ifndef VMM_RUN_H
#define VMM_RUN_H
#include "vmm/vm.h"
/* Run the VMs until each has stopped, or stop them after timeout_ns. */
void vmm_run(struct vm **vms, size_t n, uint64_t timeout_ns);
void vmm_print_exit_summary(struct vm *vm);
#endif
