# dittoctl: a static Linux x86-64 program (no libc) for guests' initramfs.
$(BUILD)/guests/dittoctl: guest-tools/dittoctl/dittoctl.c guest-tools/include/ditto/hypercall.h
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) -std=gnu11 -O2 -static -nostdlib -ffreestanding -fno-pic -no-pie \
		-fno-stack-protector -mgeneral-regs-only -Iguest-tools/include -Wall -Wextra -Werror \
		-Wl,--build-id=none -Wl,-z,noexecstack -o $@ $<
guests: $(BUILD)/guests/dittoctl
