# ditto-memsim: the memory engine replayed over raw guest-memory images.
HOST_TOOLS += ditto-memsim
ditto-memsim_SRCS := $(MME_SRCS) tools/memsim/memsim.c \
	tools/memsim/memsim_bound.c tools/memsim/memsim_out.c
ditto-memsim_CFLAGS := $(MME_DEFS)
ditto-memsim_LIBS := $(MME_TP_OPT)
$(BUILD)/tools/ditto-memsim: $(MME_TP_OPT) $(wildcard mm/engine/*.h) \
	tools/memsim/memsim.h

# The corpus (../shared/corpus, zstd --long=27) unpacked into the cache.
CORPUS_DIR ?= /work/shared/corpus
CORPUS_CACHE ?= $(CACHE)/corpus
CORPUS_IMAGES := homo-1 homo-2 hetero-busybox-idle hetero-debian-python
CORPUS_RAWS := $(patsubst %,$(CORPUS_CACHE)/%.raw,$(CORPUS_IMAGES))

$(CORPUS_CACHE)/%.raw: $(CORPUS_DIR)/%.raw.zst
	@mkdir -p $(dir $@)
	zstd -q -d --long=27 -f $< -o $@.tmp
	mv $@.tmp $@

.PHONY: corpus bench-mem
corpus: $(CORPUS_RAWS)

# make bench-mem: the table of docs/benchmarks.md ("Memory engine") and
# docs/memory-savings.svg; raw outputs in $(BUILD)/bench-mem/.
MEMSIM := $(BUILD)/tools/ditto-memsim
MEMSIM_C := $(CORPUS_CACHE)
bench-mem: $(MEMSIM) $(CORPUS_RAWS)
	@mkdir -p $(BUILD)/bench-mem
	$(MEMSIM) --json $(BUILD)/bench-mem/one-group.json \
		--svg $(BUILD)/bench-mem/memory-savings.svg \
		--set homo-pair=$(MEMSIM_C)/homo-1.raw,$(MEMSIM_C)/homo-2.raw \
		--set hetero-pair=$(MEMSIM_C)/hetero-busybox-idle.raw,$(MEMSIM_C)/hetero-debian-python.raw \
		--set all-4=$(MEMSIM_C)/homo-1.raw,$(MEMSIM_C)/homo-2.raw,$(MEMSIM_C)/hetero-busybox-idle.raw,$(MEMSIM_C)/hetero-debian-python.raw \
		| tee $(BUILD)/bench-mem/one-group.md
	$(MEMSIM) --groups per-image --json $(BUILD)/bench-mem/per-image.json \
		--set all-4-per-image-groups=$(MEMSIM_C)/homo-1.raw,$(MEMSIM_C)/homo-2.raw,$(MEMSIM_C)/hetero-busybox-idle.raw,$(MEMSIM_C)/hetero-debian-python.raw \
		| tee $(BUILD)/bench-mem/per-image.md
	$(MEMSIM) --no-bound --hot 0.02 --write-rate 64 \
		--json $(BUILD)/bench-mem/write-trace.json \
		--set homo-pair-hot2%-writes64=$(MEMSIM_C)/homo-1.raw,$(MEMSIM_C)/homo-2.raw \
		| tee $(BUILD)/bench-mem/write-trace.md
	$(MEMSIM) --no-bound --full-refs --json $(BUILD)/bench-mem/full-refs.json \
		--set homo-pair-full-refs=$(MEMSIM_C)/homo-1.raw,$(MEMSIM_C)/homo-2.raw \
		--set all-4-full-refs=$(MEMSIM_C)/homo-1.raw,$(MEMSIM_C)/homo-2.raw,$(MEMSIM_C)/hetero-busybox-idle.raw,$(MEMSIM_C)/hetero-debian-python.raw \
		| tee $(BUILD)/bench-mem/full-refs.md
	$(MEMSIM) --no-bound --fast-fault --json $(BUILD)/bench-mem/fast-fault.json \
		--set homo-pair-fast-fault=$(MEMSIM_C)/homo-1.raw,$(MEMSIM_C)/homo-2.raw \
		--set all-4-fast-fault=$(MEMSIM_C)/homo-1.raw,$(MEMSIM_C)/homo-2.raw,$(MEMSIM_C)/hetero-busybox-idle.raw,$(MEMSIM_C)/hetero-debian-python.raw \
		| tee $(BUILD)/bench-mem/fast-fault.md
	@echo "bench-mem: outputs in $(BUILD)/bench-mem/ (copy the SVG to docs/memory-savings.svg)"
