KERNEL_C += lib/fmt.c lib/string.c lib/console.c lib/conring.c lib/time.c lib/libc_shim.c \
	lib/selftest.c lib/cmdline.c
lib/selftest_KCFLAGS := $(XXHASH_DEFS) $(LZ4_DEFS) $(XDELTA3_DEFS) $(ZYDIS_DEFS) \
	-DZYAN_NO_LIBC -DZYAN_CUSTOM_LIBC -include lib/third_party/zydis_libc.h -Wno-error

# The XXH64 the boot self-test expects, computed on the host (same pinned xxHash).
GEN_HEADERS += $(BUILD)/gen/selftest_expect.h
$(BUILD)/gen/selftest_expect.h: lib/selftest_gen.c lib/selftest_page.h | $(DEPS)/.complete-v1
	@mkdir -p $(dir $@)
	$(HOSTCC) -O1 -Iinclude -I. $(XXHASH_DEFS) -o $(BUILD)/gen/selftest_gen $<
	$(BUILD)/gen/selftest_gen > $@

HOST_TESTS += lib_fmt lib_conring
lib_fmt_SRCS := lib/fmt.c lib/cmdline.c tests/host/lib_fmt.c
lib_conring_SRCS := lib/conring.c tests/host/lib_conring.c
