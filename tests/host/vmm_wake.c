/*
 * The seam between vCPU state and the scheduler (vmm/vm.c hooks, driven by
 * vmm/platform.c and vmm/halt.c): which changes wake a vCPU, which only
 * notify the CPU running it, and that neither fires twice or for a stopped
 * vCPU. The runner (vmm/run.c) turns them into sched_wake and kick IPIs.
 */
#include <stdlib.h>
#include "check.h"
#include "fake_backend.h"
#include "vmm/platform.h"
#include "vmm/vmm.h"

static struct vcpu *woken[8], *notified[8];
static int nwoken, nnotified;

static void on_wake(struct vcpu *v) { woken[nwoken++ & 7] = v; }
static void on_notify(struct vcpu *v) { notified[nnotified++ & 7] = v; }

static struct vm *mk_smp(void)
{
	struct vm *vm = vm_create("smp", 4u << 20, 2);
	if (!vm)
		abort();
	for (unsigned i = 0; i < 2; i++) {
		struct fake_vcpu *f = calloc(1, sizeof(*f));
		f->reg[BE_RFLAGS] = 2 | (1u << 9);
		f->reg[BE_CS_AR] = 0xc09b;
		f->reg[BE_SS_AR] = 0xc093;
		vm->vcpus[i]->arch = f;
	}
	if (platform_attach(vm, 0, false, false))
		abort();
	nwoken = nnotified = 0;
	vmm_sched_hooks = (struct vmm_sched_hooks){ on_wake, on_notify };
	return vm;
}

static void free_smp(struct vm *vm)
{
	vmm_sched_hooks = (struct vmm_sched_hooks){ 0 };
	platform_detach(vm);
	for (unsigned i = 0; i < 2; i++)
		free(vm->vcpus[i]->arch);
	vm_destroy(vm);
}

/* vCPU `from` writes its LAPIC's ICR (xAPIC MMIO at 0xfee00000). */
static void icr(struct vm *vm, unsigned from, uint32_t hi, uint32_t lo)
{
	uint32_t v = hi;
	CHECK_EQ(board_mmio(&vm->platform->board, from, 0xfee00310, 4, true, &v), 0);
	v = lo;
	CHECK_EQ(board_mmio(&vm->platform->board, from, 0xfee00300, 4, true, &v), 0);
}

static void lapic_on(struct vm *vm, unsigned cpu)
{
	uint32_t v = 0x1ff; /* SVR: enabled, spurious vector 0xff */
	CHECK_EQ(board_mmio(&vm->platform->board, cpu, 0xfee000f0, 4, true, &v), 0);
}

/* vCPU 0 sends a fixed IPI (vector 0x50) to vCPU 1, which is in `state`,
 * then the platform looks at the vCPUs. */
static void ipi_to_vcpu1(struct vm *vm, enum vcpu_state state, bool with_if)
{
	lapic_on(vm, 0);
	lapic_on(vm, 1);
	vm->vcpus[1]->state = state;
	vm->vcpus[1]->halted_with_if = with_if;
	icr(vm, 0, 1u << 24, 0x4050);
	platform_update_vcpus(vm);
}

TEST(make_runnable_wakes_once_and_never_a_stopped_vcpu)
{
	struct vm *vm = mk_smp();
	struct vcpu *v = vm->vcpus[1];
	v->state = VCPU_HALTED;
	vcpu_make_runnable(v);
	CHECK_EQ(nwoken, 1);
	CHECK(woken[0] == v);
	vcpu_make_runnable(v); /* already runnable: nothing to tell */
	CHECK_EQ(nwoken, 1);
	v->state = VCPU_STOPPED;
	vcpu_make_runnable(v);
	CHECK_EQ(nwoken, 1);
	CHECK_EQ(v->state, VCPU_STOPPED);
	free_smp(vm);
}

TEST(ipi_to_running_vcpu_notifies_to_halted_vcpu_wakes)
{
	struct vm *vm = mk_smp();
	ipi_to_vcpu1(vm, VCPU_RUNNABLE, true);
	CHECK_EQ(nwoken, 0);
	CHECK(nnotified >= 1 && notified[0] == vm->vcpus[1]);
	/* Halted with IF set: the pending interrupt wakes it. */
	nnotified = 0;
	vm->vcpus[1]->state = VCPU_HALTED;
	vm->vcpus[1]->halted_with_if = true;
	platform_update_vcpus(vm);
	CHECK_EQ(nwoken, 1);
	CHECK(woken[0] == vm->vcpus[1]);
	CHECK_EQ(vm->vcpus[1]->state, VCPU_RUNNABLE);
	free_smp(vm);
}

TEST(halted_with_if_clear_stays_halted_on_a_maskable_interrupt)
{
	struct vm *vm = mk_smp();
	ipi_to_vcpu1(vm, VCPU_HALTED, false);
	CHECK_EQ(nwoken, 0);
	CHECK_EQ(vm->vcpus[1]->state, VCPU_HALTED);
	free_smp(vm);
}

TEST(init_parks_and_sipi_starts_through_the_backend)
{
	struct vm *vm = mk_smp();
	lapic_on(vm, 0);
	struct vcpu *ap = vm->vcpus[1];
	CHECK_EQ(ap->state, VCPU_WAIT_SIPI); /* vm_create: APs wait for SIPI */
	icr(vm, 0, 1u << 24, 0x4500);        /* INIT */
	platform_update_vcpus(vm);
	CHECK_EQ(ap->state, VCPU_WAIT_SIPI);
	CHECK(!ap->sipi_pending);
	icr(vm, 0, 1u << 24, 0x4608);        /* STARTUP, vector 8 */
	platform_update_vcpus(vm);
	CHECK_EQ(ap->state, VCPU_RUNNABLE);
	CHECK(ap->sipi_pending);
	CHECK_EQ(ap->sipi_vector, 8);
	CHECK_EQ(nwoken, 1);
	CHECK(woken[0] == ap);
	free_smp(vm);
}

TEST(stop_notifies_every_vcpu)
{
	struct vm *vm = mk_smp();
	vm_stop(vm, "test");
	CHECK_EQ(nnotified, 2);
	CHECK_EQ(vm->vcpus[0]->state, VCPU_STOPPED);
	CHECK_EQ(vm->vcpus[1]->state, VCPU_STOPPED);
	free_smp(vm);
}

TEST(test_timer_wakes_a_halted_vcpu_and_notifies_a_running_one)
{
	struct vm *vm = mk_smp();
	struct vcpu *v = vm->vcpus[0];
	v->state = VCPU_HALTED;
	v->wake_at_ns = 10;
	v->test_vector = 0x40;
	vmm_check_timers(v, 10);
	CHECK_EQ(nwoken, 1);
	CHECK(v->event.valid);
	v->event.valid = false;
	v->wake_at_ns = 20;
	vmm_check_timers(v, 20); /* running: the event waits for its next entry */
	CHECK_EQ(nwoken, 1);
	CHECK_EQ(nnotified, 1);
	free_smp(vm);
}
