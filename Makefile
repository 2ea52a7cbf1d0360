# Ditto: a bare-metal hypervisor for x86-64 (VT-x + EPT).
#
#   make run     set up (apt-get), fetch deps, build, boot the demo in Bochs
#   make test    host unit tests (ASan/UBSan) + in-emulator tests (Bochs)
#   make iso     build/ditto.iso, writable to a USB stick for a bare server
#
# Each directory adds its sources through a module.mk fragment:
#   KERNEL_C += dir/file.c      KERNEL_S += dir/file.S
#   HOST_TESTS += name          name_SRCS := ...   (name_CFLAGS optional)
#   HOST_TOOLS += name          name_SRCS := ...   (built with -O2, no sanitizers)
#   EMU_TESTS += name           (see tests/emu/module.mk)

.SUFFIXES:
.DELETE_ON_ERROR:
SHELL := /bin/bash

BUILD ?= build
CACHE ?= cache
DEPS := $(CACHE)/deps
TIMEOUT ?= 0
JOBS ?= 2
# V=1 shows full compiler command lines.
ifeq ($(V),1)
Q :=
else
Q = @echo '  CC      $<';
endif

CC ?= gcc
KCC := gcc
LD := ld
HOSTCC := gcc
FUZZCC := clang

GCC_INC := $(shell $(KCC) -print-file-name=include)

# Flags shared by Ditto's own code and the third-party code compiled into it
# (../shared/notes/deps.md): freestanding, no red zone, no SSE, kernel model.
KBASEFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-stack-protector \
	-mno-red-zone -fno-pic -fno-pie -mcmodel=kernel -mgeneral-regs-only \
	-nostdinc -isystem $(GCC_INC) -Iinclude/libc \
	-fno-omit-frame-pointer -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -fno-common -Wframe-larger-than=2048
KWARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	-Wmissing-prototypes -Wstrict-prototypes
KCFLAGS := $(KBASEFLAGS) $(KWARN) -Iinclude -I. -Iarch/x86_64/include \
	-I$(BUILD)/gen -DDITTO_KERNEL
KASFLAGS := -Iinclude -Iarch/x86_64/include -DDITTO_KERNEL -D__ASSEMBLY__

HOST_WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_CFLAGS := -std=gnu11 -g -O1 $(SAN) $(HOST_WARN) -Iinclude -I. -Itests/host -DDITTO_HOST
TOOL_CFLAGS := -std=gnu11 -g -O2 $(HOST_WARN) -Iinclude -I. -Itests/host -DDITTO_HOST

KERNEL_C :=
KERNEL_S :=
KERNEL_TP_OBJS :=
HOST_TESTS :=
HOST_TOOLS :=
EMU_TESTS :=
GEN_HEADERS :=
# What `make run` / `make iso` boot: kernel command line and FILE:TAG modules.
DEMO_CMDLINE := ditto.on_panic=exit ditto.stats=20
DEMO_MODULES := docs/examples/demo.ditto:manifest $(BUILD)/guests/hello.bin:guest-hello

all: elf

include lib/third_party/deps.mk
include $(sort $(wildcard */module.mk */*/module.mk */*/*/module.mk))

KOBJS := $(patsubst %.c,$(BUILD)/k/%.o,$(KERNEL_C)) $(patsubst %.S,$(BUILD)/k/%.o,$(KERNEL_S))

# ---------------------------------------------------------------- set-up
.PHONY: setup deps
setup: $(BUILD)/.setup-done
$(BUILD)/.setup-done: scripts/setup.sh
	@mkdir -p $(BUILD)
	scripts/setup.sh
	@touch $@

deps: $(DEPS)/.complete-v1
$(DEPS)/.complete-v1: | setup
	DITTO_CACHE=$(CACHE) scripts/deps.sh

# ---------------------------------------------------------------- kernel
.PHONY: elf iso
elf: $(BUILD)/ditto.elf

$(BUILD)/k/%.o: %.c $(GEN_HEADERS) | $(DEPS)/.complete-v1
	@mkdir -p $(dir $@)
	$(Q)$(KCC) $(KCFLAGS) $($*_KCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/k/%.o: %.S
	@mkdir -p $(dir $@)
	$(Q)$(KCC) $(KASFLAGS) -MMD -MP -c $< -o $@

# Two links: the first gives the addresses of the kernel's own functions, which
# become a symbol table (for backtraces) placed after .text and .rodata so the
# second link moves no function (scripts/ksyms.sh checks that).
$(BUILD)/ditto.pass1.elf: $(KOBJS) $(KERNEL_TP_OBJS) $(BUILD)/k/ksyms-empty.o linker.ld
	@echo '  LD      $@'
	@$(LD) -nostdlib -z max-page-size=0x1000 -T linker.ld -z noexecstack --no-warn-rwx-segments -o $@ $(KOBJS) $(KERNEL_TP_OBJS) $(BUILD)/k/ksyms-empty.o

$(BUILD)/k/ksyms-empty.o: scripts/ksyms.sh
	@mkdir -p $(dir $@)
	scripts/ksyms.sh /dev/null $(BUILD)/k/ksyms-empty.S
	$(KCC) $(KASFLAGS) -c $(BUILD)/k/ksyms-empty.S -o $@

$(BUILD)/k/ksyms.o: $(BUILD)/ditto.pass1.elf scripts/ksyms.sh
	@scripts/ksyms.sh $< $(BUILD)/k/ksyms.S
	@$(KCC) $(KASFLAGS) -c $(BUILD)/k/ksyms.S -o $@

$(BUILD)/ditto.elf: $(BUILD)/k/ksyms.o
	@echo '  LD      $@'
	@$(LD) -nostdlib -z max-page-size=0x1000 -T linker.ld -z noexecstack --no-warn-rwx-segments -o $@ $(KOBJS) $(KERNEL_TP_OBJS) $(BUILD)/k/ksyms.o
	@scripts/ksyms.sh --verify $(BUILD)/ditto.pass1.elf $@

iso: $(BUILD)/ditto.iso
$(BUILD)/ditto.iso: $(BUILD)/ditto.elf scripts/mkiso.sh Makefile $(foreach m,$(DEMO_MODULES),$(firstword $(subst :, ,$(m))))
	scripts/mkiso.sh $@ $(BUILD)/ditto.elf "$(DEMO_CMDLINE)" $(DEMO_MODULES)

# ---------------------------------------------------------------- run
.PHONY: run run-qemu run-kvm
run: setup $(BUILD)/ditto.iso
	@scripts/run-bochs.sh --iso $(BUILD)/ditto.iso --timeout $(TIMEOUT) --console --clock slowdown --cpus 2; \
	rc=$$?; if [ $$rc -eq 124 ]; then echo "run: stopped after TIMEOUT=$(TIMEOUT) s"; else exit $$rc; fi

run-qemu: setup $(BUILD)/ditto.iso
	@echo "run-qemu: QEMU TCG has no VT-x: Ditto boots, but starts no VM (use 'make run' for Bochs)"
	scripts/run-qemu.sh --iso $(BUILD)/ditto.iso --timeout $(TIMEOUT)

run-kvm: setup $(BUILD)/ditto.iso
	scripts/run-qemu.sh --iso $(BUILD)/ditto.iso --timeout $(TIMEOUT) --kvm

# ---------------------------------------------------------------- host builds
define host_test_rule
$(BUILD)/host/$(1): $$($(1)_SRCS) $$(filter %.o %.a,$$($(1)_LIBS)) tests/host/check_main.c tests/host/env_host.c $(GEN_HEADERS) | $(DEPS)/.complete-v1
	@mkdir -p $$(dir $$@)
	$(HOSTCC) $(HOST_CFLAGS) $$($(1)_CFLAGS) -o $$@ $$($(1)_SRCS) tests/host/check_main.c tests/host/env_host.c $$($(1)_LIBS)
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(t))))

define host_tool_rule
$(BUILD)/tools/$(1): $$($(1)_SRCS) $$(filter %.o %.a,$$($(1)_LIBS)) tests/host/env_host.c $(GEN_HEADERS) | $(DEPS)/.complete-v1
	@mkdir -p $$(dir $$@)
	$(HOSTCC) $(TOOL_CFLAGS) $$($(1)_CFLAGS) -o $$@ $$($(1)_SRCS) tests/host/env_host.c $$($(1)_LIBS)
endef
$(foreach t,$(HOST_TOOLS),$(eval $(call host_tool_rule,$(t))))

.PHONY: host-tests tools
host-tests: $(addprefix $(BUILD)/host/,$(HOST_TESTS))
tools: $(addprefix $(BUILD)/tools/,$(HOST_TOOLS))

# ---------------------------------------------------------------- tests
.PHONY: test test-host test-emu
test: setup
	@$(MAKE) --no-print-directory host-tests tools elf emu-images
	tests/run.sh --build $(BUILD) --jobs $(JOBS) \
		--host "$(HOST_TESTS)" --emu "$(EMU_TESTS)"

test-host: setup
	@$(MAKE) --no-print-directory host-tests
	tests/run.sh --build $(BUILD) --host "$(HOST_TESTS)" --emu ""

test-emu: setup
	@$(MAKE) --no-print-directory elf emu-images
	tests/run.sh --build $(BUILD) --jobs $(JOBS) --host "" --emu "$(EMU_TESTS)"

.PHONY: clean distclean
clean:
	rm -rf $(BUILD)
distclean: clean
	rm -rf $(CACHE)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
