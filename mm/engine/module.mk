# Memory-redundancy engine (docs/memory.md): host-testable core, also built
# into the kernel with the third-party defines it needs.
MME_SRCS := mm/engine/engine.c mm/engine/sframe.c mm/engine/scan.c \
	mm/engine/fault.c mm/engine/codec.c mm/engine/simidx.c \
	mm/engine/check.c
MME_DEFS := $(XXHASH_DEFS) $(LZ4_DEFS) $(XDELTA3_DEFS)

KERNEL_C += $(MME_SRCS)
$(foreach f,$(MME_SRCS),$(eval $(f:.c=)_KCFLAGS := $(MME_DEFS)))

# Third-party code for host builds: its own objects, warnings off (-w) for
# those files only. Two flavours: sanitized (tests) and -O2 (tools). UBSan is
# left out for them: xdelta3 does deliberate misaligned loads (x86 allows
# them); ASan still checks their memory accesses.
MME_TP_SANFLAGS := -fsanitize=address -fno-omit-frame-pointer
MME_TP_SAN := $(BUILD)/host/tp/lz4.o $(BUILD)/host/tp/xdelta3.o
MME_TP_OPT := $(BUILD)/tools/tp/lz4.o $(BUILD)/tools/tp/xdelta3.o

$(BUILD)/host/tp/lz4.o: $(DEPS)/.complete-v1
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=gnu11 -g -O1 $(MME_TP_SANFLAGS) -w $(LZ4_DEFS) -c $(LZ4_DIR)/lz4.c -o $@
$(BUILD)/host/tp/xdelta3.o: $(DEPS)/.complete-v1
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=gnu11 -g -O1 $(MME_TP_SANFLAGS) -w $(XDELTA3_DEFS) -c $(XDELTA3_DIR)/xdelta3.c -o $@
$(BUILD)/tools/tp/lz4.o: $(DEPS)/.complete-v1
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=gnu11 -g -O2 -w $(LZ4_DEFS) -c $(LZ4_DIR)/lz4.c -o $@
$(BUILD)/tools/tp/xdelta3.o: $(DEPS)/.complete-v1
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=gnu11 -g -O2 -w $(XDELTA3_DEFS) -c $(XDELTA3_DIR)/xdelta3.c -o $@

# Host tests (tests/host/mem_*.c).
MME_TEST_DEFS := $(MME_DEFS)
HOST_TESTS += mem_engine mem_model
mem_engine_SRCS := $(MME_SRCS) tests/host/mem_backend.c tests/host/mem_engine.c
mem_engine_CFLAGS := $(MME_TEST_DEFS)
mem_engine_LIBS := $(MME_TP_SAN)
mem_model_SRCS := $(MME_SRCS) tests/host/mem_backend.c tests/host/mem_model.c
mem_model_CFLAGS := $(MME_TEST_DEFS)
mem_model_LIBS := $(MME_TP_SAN)
$(BUILD)/host/mem_engine $(BUILD)/host/mem_model: $(MME_TP_SAN) \
	$(wildcard mm/engine/*.h) tests/host/mem_backend.h
