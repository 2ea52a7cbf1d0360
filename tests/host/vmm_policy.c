/* vmm/ policies through the fake backend: CPUID, MSRs, hypercalls, port
 * I/O, the guest page walk, EPT faults. */
#include "check.h"
#include "ditto/hypercall.h"
#include "fake_backend.h"
#include "vmm/platform.h"

static struct vm *mk(void) { return fake_vm(2, 0x1000); }

TEST(cpuid_hides_and_marks)
{
	struct vm *vm = mk();
	struct vcpu *v = vm->vcpus[0];
	uint32_t r[4];
	vmm_cpuid_policy(v, 1, 0, r);
	CHECK(r[2] & (1u << 31));
	CHECK(!(r[2] & (1u << 5)));
	CHECK(!(r[2] & (1u << 3)));
	CHECK(!(r[3] & (1u << 14)));
	vmm_cpuid_policy(v, DITTO_CPUID_BASE, 0, r);
	CHECK(!memcmp(&r[1], "Ditt", 4));
	vmm_cpuid_policy(v, 0xa, 0, r);
	CHECK_EQ(r[0] | r[1] | r[2] | r[3], 0);
	vmm_cpuid_policy(v, 0x40000050, 0, r);
	CHECK_EQ(r[0], 0);
	/* The exit handler: results in the GPRs, RIP past CPUID. */
	v->regs.gpr[RAX] = 1;
	fake(v)->reg[BE_INSTR_LEN] = 2;
	CHECK_EQ(vmm_cpuid(v), VMM_RESUME);
	CHECK(v->regs.gpr[RCX] & (1u << 31));
	CHECK_EQ(fake(v)->reg[BE_RIP], 0x1002);
	fake_vm_free(vm);
}

/* What Linux 6.1's native_calibrate_tsc derives from leaf 15H, with its
 * 32-bit arithmetic: the TSC in kHz and the LAPIC timer counts per tick. */
static uint32_t linux_tsc_khz(const uint32_t l15[4], uint32_t *lapic_per_tick, uint32_t hz)
{
	uint32_t den = l15[0], num = l15[1], crystal_khz = l15[2] / 1000;
	if (!num || !den || !crystal_khz)
		return 0;
	*lapic_per_tick = crystal_khz * 1000 / hz;
	return crystal_khz * num / den;
}

TEST(cpuid_tsc_leaves_describe_the_guests_clocks)
{
	static const uint64_t rates[] = { 49997000, 1000000000, 2399987000, 3000000000ull,
					  3499912000ull, 4200000000ull, 25000000 };
	struct vm *vm = mk();
	struct vcpu *v = vm->vcpus[0];
	uint32_t r[4];
	/* Without the PC board (no LAPIC) the host's leaves pass through. */
	fake_host_cpuid[0] = 0x16;
	vmm_cpuid_policy(v, 0x15, 0, r);
	CHECK_EQ(r[0], 0x16);
	CHECK_EQ(platform_attach(vm, 0, false, false), 0);
	for (size_t i = 0; i < ENV_ARRAY_SIZE(rates); i++) {
		fake_tsc_hz = rates[i];
		vmm_cpuid_policy(v, 0x15, 0, r);
		/* Linux's product stays in 32 bits... */
		CHECK((uint64_t)(r[2] / 1000) * r[1] <= 0xffffffffull);
		/* ...and its truncated result is the TSC's kHz within 2 ppm (the
		 * bounded numerator limits the precision; the clocksource watchdog
		 * allows about 200 ppm, 100 us per 0.5 s). */
		uint32_t per_tick = 0, khz = linux_tsc_khz(r, &per_tick, 250);
		uint64_t want = rates[i] / 1000, off = khz > want ? khz - want : want - khz;
		CHECK(off * 1000000 <= want * 2);
		CHECK_EQ(per_tick, PLATFORM_LAPIC_HZ / 250); /* the board's LAPIC / HZ 250 */
		vmm_cpuid_policy(v, 0x16, 0, r);
		CHECK_EQ(r[0], (uint32_t)((rates[i] + 500000) / 1000000));
		CHECK_EQ(r[2], PLATFORM_LAPIC_HZ / 1000000);
		vmm_cpuid_policy(v, DITTO_CPUID_TIMING, 0, r);
		CHECK_EQ(r[1], PLATFORM_LAPIC_HZ / 1000);
	}
	/* The approximation itself, against a brute-force search. */
	for (uint64_t hz = 1000500; hz < 5000000000ull; hz = hz * 7 / 3 + 1234567) {
		uint32_t num, den;
		vmm_tsc_ratio(hz, 1000000000ull, &num, &den);
		double want = (double)(hz / 1000 * 1000 + 500) / 1e9, got = (double)num / den;
		double best = 1e9;
		for (uint64_t n = 1; n <= 4294; n++) {
			uint64_t d = (uint64_t)(n / want + 0.5);
			if (d)
				best = ENV_MIN(best, __builtin_fabs((double)n / d - want));
		}
		CHECK(num <= 4294);
		CHECK(__builtin_fabs(got - want) <= best * (1 + 1e-9));
	}
	fake_tsc_hz = 1000000000ull;
	fake_host_cpuid[0] = 0x16;
	platform_detach(vm);
	fake_vm_free(vm);
}

TEST(msr_policy)
{
	struct vm *vm = mk();
	struct vcpu *v = vm->vcpus[0];
	uint64_t val;
	CHECK_EQ(vmm_rdmsr(v, 0x3a, &val), 0);
	CHECK_EQ(val, 1);
	CHECK(vmm_wrmsr(v, 0x3a, 5) != 0);
	CHECK(vmm_rdmsr(v, 0x12345, &val) != 0);
	CHECK(vmm_rdmsr(v, 0x480, &val) != 0);
	CHECK_EQ(vmm_wrmsr(v, 0xc0000080, 0x101), 0);
	CHECK_EQ(fake(v)->reg[BE_EFER], 0x101);
	CHECK(vmm_wrmsr(v, 0xc0000080, 1ull << 20) != 0);
	/* LME cannot change while paging is on. */
	fake(v)->reg[BE_CR0] |= 1u << 31;
	CHECK(vmm_wrmsr(v, 0xc0000080, 0x001) != 0);
	fake_vm_free(vm);
}

static long hc(struct vcpu *v, uint64_t nr, uint64_t a, uint64_t b, uint64_t c)
{
	v->regs.gpr[RAX] = nr;
	v->regs.gpr[RBX] = a;
	v->regs.gpr[RCX] = b;
	v->regs.gpr[RDX] = c;
	v->regs.gpr[RSI] = 0;
	fake(v)->reg[BE_INSTR_LEN] = 3;
	vmm_hypercall(v);
	return (long)(int32_t)v->regs.gpr[RAX]; /* 32-bit guest */
}

TEST(hypercalls_decode_then_invoke)
{
	struct vm *vm = mk();
	struct vcpu *v = vm->vcpus[0];
	CHECK_EQ(hc(v, HC_VERSION, 0, 0, 0), DITTO_ABI_VERSION);
	CHECK_EQ(hc(v, 77, 0, 0, 0), -HC_ENOSYS);
	CHECK_EQ(hc(v, HC_CONSOLE_WRITE, 0x7fffffff, 4, 0), -HC_EFAULT);
	CHECK_EQ(hc(v, HC_CONSOLE_WRITE, 0x100, 4097, 0), -HC_EINVAL);
	vm_write(vm, 0x100, "hi\n", 3);
	CHECK_EQ(hc(v, HC_CONSOLE_WRITE, 0x100, 3, 0), 3);
	CHECK_EQ(hc(v, HC_VM_INFO, 0x200, 64, 0), (long)sizeof(struct ditto_vm_info));
	struct ditto_vm_info info;
	vm_read(vm, 0x200, &info, sizeof(info));
	CHECK_STREQ(info.name, "fake");
	CHECK_EQ(info.memory_bytes, 2u << 20);
	/* A buffer that runs past RAM is refused whole, nothing written. */
	CHECK_EQ(hc(v, HC_VM_INFO, (2u << 20) - 8, 64, 0), -HC_EFAULT);
	CHECK_EQ(hc(v, HC_TEST_INJECT, 2, HC_TYPE_EXCEPTION, 0), -HC_EINVAL);
	CHECK_EQ(hc(v, HC_TEST_INJECT, 40, HC_TYPE_EXTINT, 0xffffffff), 0);
	CHECK(v->event.valid && v->event.vector == 40);
	CHECK_EQ(fake(v)->reg[BE_RIP], 0x1000 + 3 * 9); /* every call advanced RIP once */
	fake_vm_free(vm);
}

TEST(hypercalls_from_user_mode)
{
	struct vm *vm = mk();
	struct vcpu *v = vm->vcpus[0];
	fake(v)->reg[BE_SS_AR] = 0xc0f3; /* DPL 3 */
	CHECK_EQ(hc(v, HC_VERSION, 0, 0, 0), DITTO_ABI_VERSION);
	CHECK_EQ(hc(v, HC_VM_INFO, 0x200, 64, 0), (long)sizeof(struct ditto_vm_info));
	CHECK_EQ(hc(v, HC_CONSOLE_WRITE, 0x100, 3, 0), -HC_EPERM);
	CHECK_EQ(hc(v, HC_TEST_DONE, 1, 0, 0), -HC_EPERM);
	CHECK(!vm->stopped);
	fake_vm_free(vm);
}

static int ports_in(void *c, uint16_t p, unsigned s, uint32_t *v) { (void)c; *v = p; (void)s; return 0; }
static int ports_out(void *c, uint16_t p, unsigned s, uint32_t v) { *(uint32_t *)c = v; (void)p; (void)s; return 0; }

TEST(port_io_dispatch_and_unclaimed)
{
	struct vm *vm = mk();
	struct vcpu *v = vm->vcpus[0];
	uint32_t last = 0;
	struct pio_region r = { 0x100, 4, ports_in, ports_out, &last };
	CHECK_EQ(vm_add_pio(vm, &r), 0);
	uint32_t val = 0;
	vmm_pio(v, 0x102, 2, true, &val);
	CHECK_EQ(val, 0x102);
	val = 0x12345;
	vmm_pio(v, 0x101, 1, false, &val);
	CHECK_EQ(last, 0x45); /* masked to the access width */
	vmm_pio(v, 0x377, 1, true, &val);
	CHECK_EQ(val, 0xff);
	vmm_pio(v, 0x1f0, 4, true, &val);
	CHECK_EQ(val, 0xffffffff);
	CHECK_EQ(vm->ctr.unhandled_pio, 2);
	fake_vm_free(vm);
}

TEST(string_port_io_rep)
{
	struct vm *vm = mk();
	struct vcpu *v = vm->vcpus[0];
	uint32_t last = 0;
	struct pio_region r = { 0x100, 4, ports_in, ports_out, &last };
	vm_add_pio(vm, &r);
	vm_write(vm, 0x3000, "abc", 3);
	v->regs.gpr[RSI] = 0x3000;
	v->regs.gpr[RCX] = 3;
	fake(v)->reg[BE_INSTR_LEN] = 2;
	for (int i = 0; i < 3; i++)
		CHECK_EQ(vmm_pio_string(v, 0x100, 1, false, true, 4), VMM_RESUME);
	CHECK_EQ(last, 'c');
	CHECK_EQ(v->regs.gpr[RCX], 0);
	CHECK_EQ(v->regs.gpr[RSI], 0x3003);
	CHECK_EQ(fake(v)->reg[BE_RIP], 0x1002); /* advanced once, at the end */
	/* INS into a page the guest cannot map (paging on, empty tables): #PF. */
	fake(v)->reg[BE_CR0] |= 1u << 31;
	fake(v)->reg[BE_CR3] = 0x8000;
	v->regs.gpr[RDI] = 0x4000;
	v->regs.gpr[RCX] = 1;
	CHECK_EQ(vmm_pio_string(v, 0x100, 1, true, true, 4), VMM_INJECT);
	CHECK_EQ(v->event.vector, 14);
	fake_vm_free(vm);
}

TEST(guest_page_walk_32bit_and_4level)
{
	struct vm *vm = mk();
	struct vcpu *v = vm->vcpus[0];
	uint64_t gpa;
	uint32_t pf;
	/* 32-bit paging: PDE -> PT -> page 0x7000 for linear 0x00401000. */
	uint32_t pde = 0x9000 | 3, pte = 0x7000 | 3;
	vm_write(vm, 0x8000 + 1 * 4, &pde, 4);
	vm_write(vm, 0x9000 + 1 * 4, &pte, 4);
	fake(v)->reg[BE_CR0] = 0x80000011;
	fake(v)->reg[BE_CR3] = 0x8000;
	CHECK_EQ(vmm_linear_to_gpa(v, 0x00401234, false, &gpa, &pf), 0);
	CHECK_EQ(gpa, 0x7234);
	CHECK(vmm_linear_to_gpa(v, 0x00801000, false, &gpa, &pf) != 0);
	CHECK_EQ(pf, 0); /* not present */
	/* Read-only page, write with CR0.WP: protection #PF. */
	pte = 0x7000 | 1;
	vm_write(vm, 0x9000 + 1 * 4, &pte, 4);
	fake(v)->reg[BE_CR0] |= 1u << 16;
	CHECK(vmm_linear_to_gpa(v, 0x00401000, true, &gpa, &pf) != 0);
	CHECK_EQ(pf, 3);
	/* 4-level with a 2 MiB page. */
	uint64_t e = 0xa000 | 3;
	vm_write(vm, 0xb000, &e, 8);
	e = 0xc000 | 3;
	vm_write(vm, 0xa000, &e, 8);
	e = 0x000000 | 0x83;
	vm_write(vm, 0xc000 + 8 * 0, &e, 8);
	fake_long_mode(v, 0xb000);
	CHECK_EQ(vmm_linear_to_gpa(v, 0x12345, true, &gpa, &pf), 0);
	CHECK_EQ(gpa, 0x12345);
	/* Tables pointing outside RAM: a fault, never a host access. */
	e = 0x7fff0000 | 3;
	vm_write(vm, 0xb000, &e, 8);
	CHECK(vmm_linear_to_gpa(v, 0x12345, false, &gpa, &pf) != 0);
	fake_vm_free(vm);
}

TEST(ept_fault_policy)
{
	struct vm *vm = mk();
	struct vcpu *v = vm->vcpus[0];
	CHECK_EQ(vmm_ept_fault(v, 0x5123, true, false), VMM_RESUME);
	CHECK_EQ(fake(v)->maps, 1);
	CHECK_EQ(fake(v)->last_map, 0x5123);
	CHECK_EQ(vm->ctr.ept_faults_in, 1);
	CHECK_EQ(vmm_ept_fault(v, 0x80000000, false, true), VMM_STOP);
	CHECK(strstr(vm->stop_reason, "instruction fetch"));
	fake_vm_free(vm);
}

TEST(halt_with_interrupts_off_stops_vm)
{
	struct vm *vm = mk();
	struct vcpu *v = vm->vcpus[0];
	CHECK_EQ(vmm_halt(v), VMM_STOP);
	CHECK(vm->stopped);
	fake_vm_free(vm);
	vm = mk();
	v = vm->vcpus[0];
	fake(v)->reg[BE_RFLAGS] |= 1u << 9;
	CHECK_EQ(vmm_halt(v), VMM_RESUME);
	CHECK_EQ(v->state, VCPU_HALTED);
	v->wake_at_ns = 5;
	v->test_vector = 0x40;
	vmm_check_timers(v, 4);
	CHECK_EQ(v->state, VCPU_HALTED);
	vmm_check_timers(v, 6);
	CHECK_EQ(v->state, VCPU_RUNNABLE);
	CHECK(v->event.valid && v->event.vector == 0x40);
	fake_vm_free(vm);
}

TEST(mwait_is_a_bounded_yield)
{
	struct vm *vm = mk();
	struct vcpu *v = vm->vcpus[0];
	/* IF = 0 and ECX bit 0: an interrupt still ends the wait; no stop. */
	fake(v)->reg[BE_RFLAGS] &= ~(1ull << 9);
	v->regs.gpr[RCX] = 1;
	CHECK_EQ(vmm_mwait(v), VMM_RESUME);
	CHECK(!vm->stopped);
	CHECK_EQ(v->state, VCPU_HALTED);
	CHECK(v->halted_with_if);
	CHECK(v->mwait_until_ns > 0);
	/* The bound: runnable again after it, without an interrupt injected. */
	uint64_t t = v->mwait_until_ns;
	vmm_check_timers(v, t - 1);
	CHECK_EQ(v->state, VCPU_HALTED);
	vmm_check_timers(v, t);
	CHECK_EQ(v->state, VCPU_RUNNABLE);
	CHECK(!v->event.valid);
	/* Without ECX bit 0 and IF = 0, interrupts do not end it (the bound does). */
	v->regs.gpr[RCX] = 0;
	CHECK_EQ(vmm_mwait(v), VMM_RESUME);
	CHECK(!v->halted_with_if);
	/* A HLT afterwards is not ended by the MWAIT's bound. */
	fake(v)->reg[BE_RFLAGS] |= 1u << 9;
	v->state = VCPU_RUNNABLE;
	CHECK_EQ(vmm_halt(v), VMM_RESUME);
	vmm_check_timers(v, ~0ull);
	CHECK_EQ(v->state, VCPU_HALTED);
	fake_vm_free(vm);
}
