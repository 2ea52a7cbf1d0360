# Third-party code from pinned Debian source packages (scripts/deps.sh fetches
# them into $(DEPS), gitignored). Compiled here with the monitor's own flags;
# host tools and tests get the same sources with host flags.

XXHASH_DIR := $(DEPS)/xxhash
LZ4_DIR := $(DEPS)/lz4/lib
XDELTA3_DIR := $(DEPS)/xdelta3
ZYDIS_DIR := $(DEPS)/zydis
ZYCORE_INC := $(DEPS)/zycore/usr/include

# Defines each library needs in any build (deps.md).
XXHASH_DEFS := -DXXH_INLINE_ALL -DXXH_VECTOR=XXH_SCALAR -I$(XXHASH_DIR)
LZ4_DEFS := -I$(LZ4_DIR)
XDELTA3_DEFS := -DSIZEOF_SIZE_T=8 -DSIZEOF_UNSIGNED_LONG=8 \
	-DSIZEOF_UNSIGNED_LONG_LONG=8 -DXD3_USE_LARGEFILE64=1 -DXD3_ENCODER=1 \
	-DXD3_DEBUG=0 -DXD3_MAIN=0 -DSECONDARY_DJW=0 -DSECONDARY_FGK=0 \
	-DSECONDARY_LZMA=0 -DEXTERNAL_COMPRESSION=0 -DREGRESSION_TEST=0 \
	-DSHELL_TESTS=0 -I$(XDELTA3_DIR)
ZYDIS_DEFS := -DZYDIS_STATIC_BUILD -DZYCORE_STATIC_BUILD \
	-DZYDIS_DISABLE_ENCODER -DZYDIS_DISABLE_KNC \
	-I$(ZYDIS_DIR)/include -I$(ZYDIS_DIR)/src -I$(ZYCORE_INC)
ZYDIS_SRCS := $(addprefix $(ZYDIS_DIR)/src/,Decoder.c DecoderData.c \
	SharedData.c MetaInfo.c Mnemonic.c Register.c Utils.c Zydis.c \
	Formatter.c FormatterBase.c FormatterBuffer.c FormatterIntel.c \
	FormatterATT.c String.c Segment.c Disassembler.c)

# Host builds (tools, tests): plain libc, the same defines.
TP_HOST_LZ4_SRCS := $(LZ4_DIR)/lz4.c
TP_HOST_XDELTA3_SRCS := $(XDELTA3_DIR)/xdelta3.c
TP_HOST_ZYDIS_SRCS := $(ZYDIS_SRCS)

# Kernel builds: freestanding flags, third-party warnings not ours to fix.
TP_KFLAGS := $(KBASEFLAGS) -w -DDITTO_KERNEL
$(BUILD)/tp/lz4.o: $(DEPS)/.complete-v1
	@mkdir -p $(dir $@)
	$(Q)$(KCC) $(TP_KFLAGS) -DLZ4_FREESTANDING=1 \
		-DLZ4_memcpy=__builtin_memcpy -DLZ4_memmove=__builtin_memmove \
		-DLZ4_memset=__builtin_memset $(LZ4_DEFS) -c $(LZ4_DIR)/lz4.c -o $@

$(BUILD)/tp/xdelta3.o: $(DEPS)/.complete-v1
	@mkdir -p $(dir $@)
	$(Q)$(KCC) $(TP_KFLAGS) $(XDELTA3_DEFS) -c $(XDELTA3_DIR)/xdelta3.c -o $@

$(BUILD)/tp/zydis/%.o: $(DEPS)/.complete-v1
	@mkdir -p $(dir $@)
	$(Q)$(KCC) $(TP_KFLAGS) -DZYAN_NO_LIBC -DZYAN_CUSTOM_LIBC \
		-include lib/third_party/zydis_libc.h $(ZYDIS_DEFS) \
		-c $(ZYDIS_DIR)/src/$*.c -o $@

KERNEL_TP_OBJS += $(BUILD)/tp/lz4.o $(BUILD)/tp/xdelta3.o \
	$(patsubst $(ZYDIS_DIR)/src/%.c,$(BUILD)/tp/zydis/%.o,$(ZYDIS_SRCS))
