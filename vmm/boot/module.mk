# Linux bzImage loader (vmm/boot/linux*.c), e820 builder, 64-bit entry tables.
LINUX_BOOT_SRCS := vmm/boot/linux.c vmm/boot/linux_hdr.c vmm/boot/e820.c vmm/boot/longmode.c
KERNEL_C += $(LINUX_BOOT_SRCS)

# Host tests: the loader on a VM made by vm_create (RAM from env_alloc_pages_aligned).
HOST_TESTS += linux_boot linux_e820
linux_boot_SRCS := $(LINUX_BOOT_SRCS) vmm/vm.c lib/fmt.c tests/host/linux_image.c \
	tests/host/linux_boot.c tests/host/linux_refuse.c tests/host/linux_fuzz.c
linux_e820_SRCS := vmm/boot/e820.c lib/fmt.c tests/host/linux_e820.c

# build/tools/linux-loadcheck BZIMAGE [INITRD] [CMDLINE]: loads a real kernel into a
# 256 MiB VM and prints the placement and the zero page (tests/linux/loadcheck.sh).
HOST_TOOLS += linux-loadcheck
linux-loadcheck_SRCS := $(LINUX_BOOT_SRCS) vmm/vm.c lib/fmt.c vmm/dev/acpi.c vmm/boot/tools/loadcheck.c

# The loader against Debian's real kernel (tests/linux/loadcheck.sh): fetches the
# pinned packages into $(LINUX_CACHE)/linux (default: the deps cache).
LINUX_CACHE ?= $(CACHE)
.PHONY: linux-loadcheck
linux-loadcheck:
	CACHE=$(LINUX_CACHE) DEPS_CACHE=$(CACHE) tests/linux/loadcheck.sh

# build/tools/linux-kvmboot BZIMAGE INITRD [CMDLINE]: the loader's VM run under
# /dev/kvm (smoke test of the boot state before Ditto's VMX path runs it).
HOST_TOOLS += linux-kvmboot
linux-kvmboot_SRCS := $(LINUX_BOOT_SRCS) vmm/vm.c lib/fmt.c vmm/dev/uart16550.c \
	vmm/boot/tools/kvmboot.c

# The loader's boot state replayed on QEMU TCG (tests/linux/qemu-boot.sh): Debian's
# kernel must reach /init and print DITTO-LINUX-INIT-OK.
.PHONY: linux-qemu-boot
linux-qemu-boot:
	CACHE=$(LINUX_CACHE) DEPS_CACHE=$(CACHE) tests/linux/qemu-boot.sh
