# In-emulator tests: one Bochs boot per tests/emu/NAME.test (see run-one.sh).
EMU_TESTS += boot-selftest harness-panic harness-fault harness-fail harness-hang vm-cpuid
.PHONY: emu-images
emu-images: $(BUILD)/ditto.elf guests
