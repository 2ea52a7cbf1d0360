/*
 * A VM's PC platform: the board of device models (vmm/dev/board.c) attached
 * to a VM, and the hooks the exit path and the runner call.
 */
#ifndef VMM_PLATFORM_H
#define VMM_PLATFORM_H
#include "vmm/dev/board.h"
#include "vmm/vm.h"

/* The board's LAPIC timer clock: a 25 MHz core crystal, as Intel server
 * parts since Skylake have, reported in CPUID leaf 15H ECX (vmm/cpuid.c) so
 * that guests need not calibrate it. */
#define PLATFORM_LAPIC_HZ 25000000ull
#define PLATFORM_ACPI_GPA 0xe0000ull /* ACPI tables: in the BIOS area the kernel scans */
#define PLATFORM_ACPI_SIZE 0x10000ull

struct platform {
	struct board board;
	struct vm *vm;
	uint64_t t0_ns;      /* host time at the VM's start: guest time 0 */
	struct vacpi_layout acpi;
	uint32_t exit_status;
};

/* Give the VM a PC: devices, ACPI tables in its memory; the QEMU test
 * devices (isa-debug-exit, fw_cfg) only if asked for. 0 or -errno. */
int platform_attach(struct vm *vm, uint64_t epoch_sec, bool debug_exit, bool fw_cfg);
void platform_detach(struct vm *vm);

/* Before each VM entry: an NMI or a pending interrupt the guest can take
 * becomes vcpu->event; one it cannot take yet opens an interrupt window. */
void platform_prepare_entry(struct vcpu *v);
/* After a slice: timers, console output, reset/power-off/exit requests,
 * halted vCPUs whose wake-up is due. */
void platform_poll(struct vm *vm);
/* The part of platform_poll that wakes halted vCPUs, starts those a SIPI
 * started and notifies running ones with a pending interrupt (after an
 * exit that may have sent an IPI between vCPUs). Under the VM lock. */
void platform_update_vcpus(struct vm *vm);
/* The guest time of the next device event (ns since the host's epoch of
 * env_now_ns), or ~0. */
uint64_t platform_next_event_ns(struct vm *vm);
#endif
