# Host tests of vmm/ (through tests/host/fake_backend.c) and of the EPT builder.
# Zydis for host builds: its own objects, third-party warnings off.
HOST_ZYDIS_OBJS := $(patsubst $(ZYDIS_DIR)/src/%.c,$(BUILD)/host/tp/zydis/%.o,$(TP_HOST_ZYDIS_SRCS))
$(BUILD)/host/tp/zydis/%.o: $(DEPS)/.complete-v1
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g -w $(ZYDIS_DEFS) -c $(ZYDIS_DIR)/src/$*.c -o $@

VMM_CORE_SRCS := $(wildcard vmm/dev/*.c) vmm/platform.c vmm/vm.c vmm/vcpu.c vmm/cpuid.c vmm/msr.c vmm/pio.c vmm/gwalk.c \
	vmm/hypercall.c vmm/halt.c vmm/ept_fault.c vmm/mmio.c lib/fmt.c tests/host/fake_backend.c vmm/sched/sched.c vmm/sched/sched_config.c
VMM_TEST_CFLAGS := -Iguest-tools/include $(ZYDIS_DEFS)

HOST_TESTS += vmm_mmio vmm_policy vmm_wake vmx_ept
vmm_mmio_SRCS := $(VMM_CORE_SRCS) tests/host/vmm_mmio.c
vmm_mmio_CFLAGS := $(VMM_TEST_CFLAGS)
vmm_mmio_LIBS := $(HOST_ZYDIS_OBJS)
vmm_policy_SRCS := $(VMM_CORE_SRCS) tests/host/vmm_policy.c
vmm_policy_CFLAGS := $(VMM_TEST_CFLAGS)
vmm_policy_LIBS := $(HOST_ZYDIS_OBJS)
vmm_wake_SRCS := $(VMM_CORE_SRCS) tests/host/vmm_wake.c
vmm_wake_CFLAGS := $(VMM_TEST_CFLAGS)
vmm_wake_LIBS := $(HOST_ZYDIS_OBJS)
vmx_ept_SRCS := arch/x86_64/vmx/ept.c tests/host/vmx_ept.c

HOST_TESTS += vmm_loader
vmm_loader_SRCS := vmm/vm.c vmm/loader_multiboot.c lib/fmt.c tests/host/vmm_loader.c

HOST_TESTS += vmm_console
vmm_console_SRCS := vmm/console.c tests/host/vmm_console.c
