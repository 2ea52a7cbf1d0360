/*
 * One VM's PC: the device models wired together as on a PC, the port and
 * MMIO dispatch, and the interrupt-injection queries the VMX code uses.
 *
 *   PIT OUT0 -> PIC IRQ0 + IOAPIC pin 2     RTC IRQF -> IRQ8 (PIC + pin 8)
 *   COM1     -> IRQ4 (PIC + pin 4)          ACPI SCI -> IRQ9 (level)
 *   PIC INT  -> LINT0 of vCPU 0 (virtual wire, ExtINT)
 *   IOAPIC messages and ICR IPIs -> LAPICs; LAPIC level EOIs -> IOAPIC
 */
#ifndef DITTO_VMM_DEV_BOARD_H
#define DITTO_VMM_DEV_BOARD_H

#include "vmm/dev/acpi.h"
#include "vmm/dev/fw_cfg.h"
#include "vmm/dev/ioapic.h"
#include "vmm/dev/lapic.h"
#include "vmm/dev/mc146818.h"
#include "vmm/dev/pci.h"
#include "vmm/dev/pic8259.h"
#include "vmm/dev/pit8254.h"
#include "vmm/dev/reset.h"
#include "vmm/dev/uart16550.h"

#define BOARD_MAX_VCPUS 16
#define BOARD_COM1 0x3f8
#define BOARD_IRQ_COM1 4
#define BOARD_IRQ_RTC 8

struct board_config {
	unsigned ncpus;
	uint64_t ram_below_4g, ram_above_4g;
	uint64_t epoch_sec;       /* RTC time at guest time 0 */
	uint64_t tsc_hz;          /* guest TSC frequency (TSC-deadline timer) */
	uint64_t lapic_timer_hz;  /* LAPIC timer input clock */
	vuart_sink_fn console;     /* COM1 output lines */
	void *console_ctx;
	struct vclock clock;
	/* Called when vCPU `vcpu` may have something new to take (interrupt,
	 * NMI, INIT, SIPI): wake it from HLT, or kick it out of guest mode if it
	 * runs on another CPU. May be NULL. It runs inside board calls and must
	 * not call back into the board. */
	void (*kick)(void *ctx, unsigned vcpu);
	void *kick_ctx;
	/* QEMU-compatible test devices are on unless switched off per VM. */
	bool no_debug_exit, no_fw_cfg;
};

struct board {
	struct board_config cfg;
	unsigned ncpus;
	struct vclock clock;
	void (*kick)(void *ctx, unsigned vcpu);
	void *kick_ctx;
	struct vuart com1;
	struct vpic_pair pic;
	struct vpit pit;
	struct vrtc rtc;
	struct vioapic ioapic;
	struct vlapic lapic[BOARD_MAX_VCPUS];
	struct vpci_host pci;
	struct pc_reset reset;
	struct vfw_cfg fw_cfg;
	struct vacpi_pm pm;
	struct vdev_requests req;
	uint64_t unhandled_pio, rejected_pio;
};

int board_init(struct board *b, const struct board_config *cfg);
/*
 * A platform reset (after VDEV_REQ_RESET): every device back to its power-on
 * state, except what survives a PC reset: the RTC's time and CMOS RAM
 * (battery-backed; its interrupt enables and flags are cleared as by the
 * chip's RESET pin) and the fw_cfg files. Pending console output is flushed.
 */
void board_reset(struct board *b);

/* This VM's ACPI tables (vacpi_build with the board's CPUs and addresses). */
int board_build_acpi(const struct board *b, void *buf, size_t size, uint64_t gpa,
		     struct vacpi_layout *out);

/*
 * Port I/O of a vCPU: 0 handled; a model's negative errno (bad width) with
 * reads completed as all ones. Ports nobody decodes read all ones and ignore
 * writes (return 0, counted in unhandled_pio), as on a PC's ISA bus.
 */
int board_pio(struct board *b, uint16_t port, unsigned size, bool write, uint32_t *val);
/* MMIO of a vCPU: the IOAPIC page and that vCPU's xAPIC page. -ENOENT if no
 * device decodes gpa, -EINVAL for an access the model rejects. */
int board_mmio(struct board *b, unsigned vcpu, uint64_t gpa, unsigned size, bool write,
	       uint32_t *val);
/* MSRs: 0 handled, -EINVAL inject #GP(0), -ENOENT not a device MSR. */
int board_rdmsr(struct board *b, unsigned vcpu, uint32_t msr, uint64_t *val);
int board_wrmsr(struct board *b, unsigned vcpu, uint32_t msr, uint64_t val);

/* The vector an interrupt window would deliver now (ExtINT from the PIC
 * first, then the LAPIC's selection), or -1. */
int board_pending_vector(struct board *b, unsigned vcpu);
/* Acknowledge at injection: returns the vector to inject, or -1. */
int board_ack(struct board *b, unsigned vcpu);
bool board_take_nmi(struct board *b, unsigned vcpu);
#define BOARD_EV_INIT 1u
#define BOARD_EV_SIPI 2u
unsigned board_take_events(struct board *b, unsigned vcpu, uint8_t *sipi_vector);
/* Anything that ends HLT: NMI, INIT, SIPI, or (if the guest has IF = 1) a
 * maskable interrupt; the caller applies RFLAGS.IF to `*maskable`. */
bool board_wakeup_pending(struct board *b, unsigned vcpu, bool *maskable);
/* The vCPU processed an INIT: its LAPIC returns to the INIT state. */
void board_vcpu_init(struct board *b, unsigned vcpu);

/* Timers: advance every model to now; the earliest deadline after it. */
void board_tick(struct board *b);
uint64_t board_next_event_ns(struct board *b);

/* Host side: console lines (bounded per call), input, requests. */
unsigned board_flush_console(struct board *b, unsigned max_lines);
size_t board_console_input(struct board *b, const uint8_t *buf, size_t n);
unsigned board_take_requests(struct board *b, uint32_t *exit_status);
/* The host asks the guest to shut down (ACPI power button). */
void board_power_button(struct board *b);
/* Device state summary on the console (debugging a stuck guest). */
void board_dump(struct board *b);

#endif
