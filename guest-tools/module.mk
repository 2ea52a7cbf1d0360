# Freestanding test guests: 32-bit flat binaries, one per exit class.
GUEST_TESTS := hello cpuhog idle eptcoh fpu smp pit lapic ioapic rtc fwcfg acpi uart cpuid msr cr io hlt hypercall mmio outside triple inject hostile bench realmode
GUEST_CC := gcc
GUEST_CFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mgeneral-regs-only -nostdinc \
	-isystem $(GCC_INC) -Iinclude/libc -Iinclude -Iguest-tools/include -Iguest-tools/tests \
	-Wall -Wextra -Werror -Wno-unused-parameter
GUEST_LIB := guest-tools/tests/crt0.S guest-tools/tests/guest.c lib/fmt.c lib/string.c

$(BUILD)/guests/%.elf: guest-tools/tests/%.c $(GUEST_LIB) guest-tools/tests/guest.h guest-tools/tests/ap_start.h guest-tools/tests/guest.ld guest-tools/include/ditto/hypercall.h guest-tools/include/ditto/testprobe.h
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -nostdlib -static -Wl,-T,guest-tools/tests/guest.ld \
		-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -o $@ $(GUEST_LIB) $<

# The real-mode guest is 16-bit assembly linked at 0 (loaded at 0x8000, CS 0x800).
$(BUILD)/guests/realmode.elf: guest-tools/tests/realmode.S
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) -m32 -c -o $(BUILD)/guests/realmode.o $<
	ld -m elf_i386 -Ttext=0 -e _start --no-warn-rwx-segments -o $@ $(BUILD)/guests/realmode.o

$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	objcopy -O binary $< $@

# Keep the ELFs (symbols for debugging guests).
.PRECIOUS: $(BUILD)/guests/%.elf
# Multiboot v1 and multiboot2 test kernels (ELF32, loaded by Ditto's multiboot loaders).
$(BUILD)/guests/mb1.elf $(BUILD)/guests/mb2.elf: $(BUILD)/guests/mb%.elf: guest-tools/tests/mbkernel.c guest-tools/tests/mbkernel.ld
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -DMB_VERSION=$* -DMB_NAME='"$*"' -nostdlib -static \
		-Wl,-T,guest-tools/tests/mbkernel.ld -Wl,--build-id=none -Wl,-z,noexecstack \
		-Wl,--no-warn-rwx-segments -o $@ $<

GUEST_BINS := $(patsubst %,$(BUILD)/guests/%.bin,$(GUEST_TESTS)) $(BUILD)/guests/mb1.elf $(BUILD)/guests/mb2.elf
.PHONY: guests
guests: $(GUEST_BINS)
