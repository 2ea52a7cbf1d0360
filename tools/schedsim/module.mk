# ditto-schedsim: the scheduler policy in a discrete-event simulation.
# (= not :=: SCHED_SRCS comes from vmm/sched/module.mk, included later.)
HOST_TOOLS += ditto-schedsim
ditto-schedsim_SRCS = $(SCHED_SRCS) tools/schedsim/simcore.c tools/schedsim/schedsim.c \
	tools/schedsim/vmlist.c
$(BUILD)/tools/ditto-schedsim: vmm/sched/sched.h tools/schedsim/simcore.h tools/schedsim/vmlist.h

# make bench-sched: the table of docs/benchmarks-sched.md; output also in
# $(BUILD)/bench-sched/sweep.md.
.PHONY: bench-sched
bench-sched: $(BUILD)/tools/ditto-schedsim
	@mkdir -p $(BUILD)/bench-sched
	$(BUILD)/tools/ditto-schedsim --sweep | tee $(BUILD)/bench-sched/sweep.md
