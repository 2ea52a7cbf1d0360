KERNEL_C += drivers/cmos.c drivers/uart.c drivers/acpi.c drivers/acpi_parse.c drivers/lapic.c drivers/pit.c

HOST_TESTS += drivers_acpi
drivers_acpi_SRCS := drivers/acpi_parse.c lib/fmt.c tests/host/drivers_acpi.c
