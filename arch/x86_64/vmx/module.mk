KERNEL_C += arch/x86_64/vmx/vmx.c arch/x86_64/vmx/vmcs.c arch/x86_64/vmx/vcpu_vmx.c \
	arch/x86_64/vmx/exit.c arch/x86_64/vmx/exit_basic.c arch/x86_64/vmx/exit_cr.c \
	arch/x86_64/vmx/exit_io.c arch/x86_64/vmx/exit_msr.c arch/x86_64/vmx/exit_ept.c \
	arch/x86_64/vmx/ept.c arch/x86_64/vmx/ept_sync.c
KERNEL_S += arch/x86_64/vmx/vmx_run.S
