# vCPU scheduler policy (docs/scheduler.md): host-testable core, also built
# into the kernel. The monitor's integration (SMP, VMX-preemption timer) lives
# in vmm/ and arch/; this directory only decides.
SCHED_SRCS := vmm/sched/sched.c vmm/sched/sched_config.c
KERNEL_C += $(SCHED_SRCS)
