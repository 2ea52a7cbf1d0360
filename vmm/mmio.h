#ifndef VMM_MMIO_H
#define VMM_MMIO_H
#include "vmm/vmm.h"
/* Emulate the instruction at the guest's RIP, whose memory operand touched
 * gpa (an MMIO region, or nothing: outside-memory policy). */
enum vmm_action vmm_mmio_emulate(struct vcpu *v, uint64_t gpa, bool write);
#endif
