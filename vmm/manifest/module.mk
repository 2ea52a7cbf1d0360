# The boot-time manifest (docs/manifest.md): parser and checker, host-testable
# core code (include/ditto/env.h only), also compiled into the kernel.
MANIFEST_SRCS := $(addprefix vmm/manifest/,lexer.c parse.c schema.c value.c \
	check.c error.c dump.c)
KERNEL_C += $(MANIFEST_SRCS)
# Host builds add what the kernel links anyway: the formatter and the
# scheduler's configuration rules (check.c reports through them).
MANIFEST_HOST_SRCS := $(MANIFEST_SRCS) lib/fmt.c vmm/sched/sched_config.c

HOST_TESTS += manifest_test
manifest_test_SRCS := $(MANIFEST_HOST_SRCS) tests/host/manifest_parse_test.c \
	tests/host/manifest_bad_test.c tests/host/manifest_util.c

# The GRUB entry writer of the host tool, tested with the parser.
HOST_TESTS += manifest_grub_test
manifest_grub_test_SRCS := $(MANIFEST_HOST_SRCS) tools/ditto-manifest/grub.c \
	tests/host/manifest_grub_test.c tests/host/manifest_util.c
