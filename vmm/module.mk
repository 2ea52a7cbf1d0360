KERNEL_C += vmm/vm.c vmm/vcpu.c vmm/cpuid.c vmm/msr.c vmm/pio.c vmm/gwalk.c vmm/hypercall.c \
	vmm/halt.c vmm/ept_fault.c vmm/mmio.c vmm/run.c vmm/run_console.c vmm/loader_flat.c vmm/testdev.c vmm/platform.c vmm/loader_multiboot.c vmm/console.c
vmm/mmio_KCFLAGS := $(ZYDIS_DEFS) -DZYAN_NO_LIBC -DZYAN_CUSTOM_LIBC -include lib/third_party/zydis_libc.h
vmm/cpuid_KCFLAGS := -Iguest-tools/include
vmm/hypercall_KCFLAGS := -Iguest-tools/include
