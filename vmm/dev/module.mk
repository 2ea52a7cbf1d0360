# PC device register models of a guest VM (issue #8). Host-testable core:
# each model includes only ditto/env.h and vmm/dev/vdev.h.
KERNEL_C += vmm/dev/uart16550.c

HOST_TESTS += dev_uart
dev_uart_SRCS := vmm/dev/uart16550.c tests/host/dev_uart.c

KERNEL_C += vmm/dev/pic8259.c
HOST_TESTS += dev_pic
dev_pic_SRCS := vmm/dev/pic8259.c tests/host/dev_pic.c

KERNEL_C += vmm/dev/pit8254.c
HOST_TESTS += dev_pit
dev_pit_SRCS := vmm/dev/pit8254.c tests/host/dev_pit.c

KERNEL_C += vmm/dev/mc146818.c
HOST_TESTS += dev_rtc
dev_rtc_SRCS := vmm/dev/mc146818.c tests/host/dev_rtc.c

KERNEL_C += vmm/dev/ioapic.c
HOST_TESTS += dev_ioapic
dev_ioapic_SRCS := vmm/dev/ioapic.c tests/host/dev_ioapic.c

KERNEL_C += vmm/dev/lapic.c vmm/dev/lapic_timer.c
HOST_TESTS += dev_lapic
dev_lapic_SRCS := vmm/dev/lapic.c vmm/dev/lapic_timer.c tests/host/dev_lapic.c

KERNEL_C += vmm/dev/pci.c vmm/dev/reset.c
HOST_TESTS += dev_pci
dev_pci_SRCS := vmm/dev/pci.c vmm/dev/reset.c tests/host/dev_pci.c

KERNEL_C += vmm/dev/fw_cfg.c vmm/dev/debug_exit.c
HOST_TESTS += dev_fwcfg
dev_fwcfg_SRCS := vmm/dev/fw_cfg.c vmm/dev/debug_exit.c tests/host/dev_fwcfg.c

KERNEL_C += vmm/dev/acpi.c vmm/dev/acpi_pm.c
HOST_TESTS += dev_acpi
dev_acpi_SRCS := vmm/dev/acpi.c vmm/dev/acpi_pm.c tests/host/dev_acpi.c

# The board wires every model, so its test links them all.
DEV_MODEL_SRCS := vmm/dev/uart16550.c vmm/dev/pic8259.c vmm/dev/pit8254.c \
	vmm/dev/mc146818.c vmm/dev/ioapic.c vmm/dev/lapic.c vmm/dev/lapic_timer.c vmm/dev/pci.c \
	vmm/dev/reset.c vmm/dev/fw_cfg.c vmm/dev/debug_exit.c vmm/dev/acpi.c \
	vmm/dev/acpi_pm.c
KERNEL_C += vmm/dev/board.c
HOST_TESTS += dev_board
dev_board_SRCS := $(DEV_MODEL_SRCS) vmm/dev/board.c tests/host/dev_board.c

HOST_TOOLS += dev_acpi_dump
dev_acpi_dump_SRCS := vmm/dev/acpi.c tests/host/dev_acpi_dump.c

HOST_TESTS += dev_fuzz
dev_fuzz_SRCS := $(DEV_MODEL_SRCS) vmm/dev/board.c tests/host/dev_fuzz.c
