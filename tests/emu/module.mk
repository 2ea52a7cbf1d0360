# In-emulator tests: one Bochs boot per tests/emu/NAME.test (see run-one.sh).
EMU_TESTS += boot-selftest harness-panic harness-fault harness-fail harness-hang
EMU_TESTS += vm-cpuid vm-msr vm-cr vm-io vm-hlt vm-hypercall vm-mmio vm-outside vm-triple
EMU_TESTS += vm-inject vm-realmode vm-isolation vm-bench vm-fpu
EMU_TESTS += manifest-good manifest-bad manifest-bad-sched platform-multiboot
EMU_TESTS += linux-one linux-two linux-smp linux-bad
EMU_TESTS += smp-host harness-panic-smp sched-ept sched-consolidate
EMU_TESTS += dev-smp dev-pit dev-lapic dev-ioapic dev-rtc dev-fwcfg dev-acpi dev-uart
.PHONY: emu-images
emu-images: $(BUILD)/ditto.elf guests
