/*
 * Platform glue: the board's ports, MMIO pages and MSRs reached from the exit
 * handlers (vmm/pio.c, vmm/mmio.c, vmm/msr.c ask the board first), interrupt
 * delivery from its LAPICs, its timers driven by the runner, its console
 * lines prefixed with the VM's name, its requests turned into VM stops.
 */
#include <errno.h>
#include "vmm/backend.h"
#include "vmm/platform.h"

static uint64_t guest_now(void *ctx)
{
	struct platform *p = ctx;
	return env_now_ns() - p->t0_ns;
}

static void console_line(void *ctx, const char *line, size_t len)
{
	struct platform *p = ctx;
	env_printf("%s: %.*s\n", p->vm->name, (int)len, line);
}

int platform_attach(struct vm *vm, uint64_t epoch_sec, bool debug_exit, bool fw_cfg)
{
	struct platform *p = env_zalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->vm = vm;
	p->t0_ns = env_now_ns();
	uint64_t below = vm->mem_size < (3ull << 30) ? vm->mem_size : 3ull << 30;
	struct board_config c = {
		.ncpus = vm->nvcpus,
		.ram_below_4g = below,
		.ram_above_4g = vm->mem_size - below,
		.epoch_sec = epoch_sec,
		.tsc_hz = be_tsc_hz(),
		.lapic_timer_hz = PLATFORM_LAPIC_HZ,
		.console = console_line,
		.console_ctx = p,
		.clock = { guest_now, p },
		.no_debug_exit = !debug_exit,
		.no_fw_cfg = !fw_cfg,
	};
	int r = board_init(&p->board, &c);
	if (r) {
		env_free(p);
		return r;
	}
	void *acpi = vm_gpa_ptr(vm, PLATFORM_ACPI_GPA, PLATFORM_ACPI_SIZE);
	if (!acpi || board_build_acpi(&p->board, acpi, PLATFORM_ACPI_SIZE, PLATFORM_ACPI_GPA, &p->acpi)) {
		env_free(p);
		return -ENOSPC;
	}
	vm->platform = p;
	return 0;
}

void platform_detach(struct vm *vm)
{
	if (vm->platform) {
		board_flush_console(&vm->platform->board, ~0u);
		env_free(vm->platform);
		vm->platform = NULL;
	}
}

void platform_prepare_entry(struct vcpu *v)
{
	struct platform *p = v->vm->platform;
	if (!p || v->event.valid || v->reinject.valid)
		return;
	uint64_t intr = be_get(v, BE_INTERRUPTIBILITY);
	/* NMI: blocked by a previous NMI, STI or MOV SS (SDM 26.3.1.5). */
	if (!(intr & 0xb) && board_take_nmi(&p->board, v->id)) {
		v->event = (struct vcpu_event){ .valid = true, .vector = 2, .type = 2 };
		return;
	}
	if (board_pending_vector(&p->board, v->id) < 0)
		return;
	if ((be_get(v, BE_RFLAGS) & (1u << 9)) && !(intr & 3)) {
		int vec = board_ack(&p->board, v->id);
		if (vec >= 0)
			v->event = (struct vcpu_event){ .valid = true, .vector = (uint8_t)vec, .type = 0 };
	} else {
		be_request_intr_window(v);
	}
}

void platform_poll(struct vm *vm)
{
	struct platform *p = vm->platform;
	if (!p)
		return;
	board_tick(&p->board);
	/* A guest flooding its UART gets a bounded share of the console. */
	board_flush_console(&p->board, 32);
	uint32_t status = 0;
	unsigned req = board_take_requests(&p->board, &status);
	if (req & VDEV_REQ_EXIT) {
		p->exit_status = status;
		board_flush_console(&p->board, ~0u);
		vm->test_passed = status == ((0x10u << 1) | 1);
		vm_stop(vm, "exit status %u", status);
		return;
	}
	if (req & VDEV_REQ_POWEROFF) {
		board_flush_console(&p->board, ~0u);
		vm->test_passed = true; /* a clean shutdown: what a booted guest's test ends with */
		vm_stop(vm, "powered off (ACPI S5)");
		return;
	}
	if (req & VDEV_REQ_RESET) {
		/* Rebooting a VM needs its loader run again: until then a reset ends it. */
		board_flush_console(&p->board, ~0u);
		vm_stop(vm, "reset requested by the guest");
		return;
	}
	platform_update_vcpus(vm);
}

void platform_update_vcpus(struct vm *vm)
{
	struct platform *p = vm->platform;
	if (!p)
		return;
	for (unsigned i = 0; i < vm->nvcpus && !vm->stopped; i++) {
		struct vcpu *v = vm->vcpus[i];
		uint8_t sipi = 0;
		unsigned ev = board_take_events(&p->board, i, &sipi);
		/* INIT parks the vCPU until a SIPI starts it in real mode at
		 * vector * 4 KiB (SDM Vol. 3A 9.4.4.1; the BSP ignores SIPI). The
		 * backend loads the real-mode state on the vCPU's own CPU before
		 * its next entry (its VMCS may be active on another CPU now). */
		if (ev & BOARD_EV_INIT) {
			board_vcpu_init(&p->board, i);
			v->state = VCPU_WAIT_SIPI;
			v->sipi_pending = false;
			vcpu_notify(v);
		}
		if ((ev & BOARD_EV_SIPI) && v->state == VCPU_WAIT_SIPI) {
			v->sipi_vector = sipi;
			v->sipi_pending = true;
			vcpu_make_runnable(v);
		}
		bool maskable = false;
		bool hard = board_wakeup_pending(&p->board, i, &maskable);
		if (v->state == VCPU_RUNNABLE) {
			/* Running on another CPU: make it exit so the entry path
			 * delivers what is pending. */
			if (hard || maskable)
				vcpu_notify(v);
			continue;
		}
		/* NMI, INIT or SIPI always end HLT; a maskable interrupt only if
		 * the vCPU halted with interrupts enabled (SDM Vol. 2A HLT). */
		if (v->state == VCPU_HALTED && (hard || (maskable && v->halted_with_if)))
			vcpu_make_runnable(v);
	}
}

uint64_t platform_next_event_ns(struct vm *vm)
{
	struct platform *p = vm->platform;
	if (!p)
		return ~0ull;
	uint64_t t = board_next_event_ns(&p->board);
	return t == ~0ull ? t : t + p->t0_ns;
}
