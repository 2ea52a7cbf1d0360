# PC device register models of a guest VM (issue #8). Host-testable core:
# each model includes only ditto/env.h and vmm/dev/vdev.h.
KERNEL_C += vmm/dev/uart16550.c

HOST_TESTS += dev_uart
dev_uart_SRCS := vmm/dev/uart16550.c tests/host/dev_uart.c
