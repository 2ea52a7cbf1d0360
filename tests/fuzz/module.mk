# `make fuzz`: the manifest parser under libFuzzer with ASan and UBSan, for
# FUZZ_SECONDS (default 600). Seeds: tests/fuzz/corpus/ and the test
# manifests; new inputs go to $(BUILD)/fuzz/corpus, crashes to $(BUILD)/fuzz/.
FUZZ_SECONDS ?= 600
FUZZ_FLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Iinclude -I. -DDITTO_HOST -Wall -Wextra \
	-Wno-unused-parameter
# The parser's sources by wildcard: this fragment is read before vmm/manifest/module.mk.
MANIFEST_FUZZ_SRCS := $(sort $(wildcard vmm/manifest/*.c)) lib/fmt.c vmm/sched/sched_config.c tests/fuzz/manifest_fuzz.c \
	tests/fuzz/env_fuzz.c

.PHONY: fuzz fuzz-build
fuzz-build: $(BUILD)/fuzz/manifest_fuzz
$(BUILD)/fuzz/manifest_fuzz: $(MANIFEST_FUZZ_SRCS) vmm/manifest/manifest.h vmm/manifest/internal.h
	@mkdir -p $(dir $@)
	$(FUZZCC) $(FUZZ_FLAGS) -o $@ $(MANIFEST_FUZZ_SRCS)

fuzz: $(BUILD)/fuzz/manifest_fuzz
	@mkdir -p $(BUILD)/fuzz/corpus
	cd $(BUILD)/fuzz && { ./manifest_fuzz -max_total_time=$(FUZZ_SECONDS) \
		-max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-dict=$(CURDIR)/tests/fuzz/manifest.dict corpus \
		$(CURDIR)/tests/fuzz/corpus >fuzz.log 2>&1; rc=$$?; \
		grep -E '^(#[0-9]+.*DONE|stat::|==|SUMMARY|Done)' fuzz.log; \
		echo "fuzz: exit $$rc, log in $(BUILD)/fuzz/fuzz.log"; exit $$rc; }
