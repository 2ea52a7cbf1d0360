KERNEL_S += boot/multiboot2.S
KERNEL_C += boot/kmain.c boot/mb2.c boot/tests.c boot/tests_vm.c boot/tests_sched.c boot/manifest_boot.c

HOST_TESTS += boot_mb2
boot_mb2_SRCS := boot/mb2.c lib/fmt.c tests/host/boot_mb2.c
boot/tests_sched_KCFLAGS := -Iguest-tools/include
