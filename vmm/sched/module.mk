# vCPU scheduler policy (docs/scheduler.md): host-testable core, also built
# into the kernel. The monitor's integration (SMP, VMX-preemption timer) lives
# in vmm/ and arch/; this directory only decides.
SCHED_SRCS := vmm/sched/sched.c vmm/sched/sched_config.c
KERNEL_C += $(SCHED_SRCS)

# Host tests (tests/host/sched_*.c); the policy tests drive it through the
# discrete-event model that tools/schedsim also uses.
HOST_TESTS += sched_policy sched_unit sched_config sched_smp sched_fair
sched_policy_SRCS := $(SCHED_SRCS) tools/schedsim/simcore.c tests/host/sched_policy.c
sched_unit_SRCS := $(SCHED_SRCS) tests/host/sched_unit.c
sched_fair_SRCS := $(SCHED_SRCS) tools/schedsim/simcore.c tests/host/sched_fair.c
sched_config_SRCS := $(SCHED_SRCS) tests/host/sched_config.c
sched_smp_SRCS := $(SCHED_SRCS) tests/host/sched_smp.c
sched_smp_CFLAGS := -pthread
sched_smp_LIBS := -lpthread
$(BUILD)/host/sched_policy $(BUILD)/host/sched_unit $(BUILD)/host/sched_config \
	$(BUILD)/host/sched_smp $(BUILD)/host/sched_fair: \
	vmm/sched/sched.h tools/schedsim/simcore.h
