/*
 * Where Ditto's scheduler tests read a test guest's progress: a fixed
 * guest-physical page below the flat images' load address (0x100000), so
 * the monitor can read it without asking the guest (no exit in the loop).
 */
#ifndef DITTO_TESTPROBE_H
#define DITTO_TESTPROBE_H
#define DITTO_PROBE_GPA 0x7000u
#define DITTO_PROBE_MAGIC 0x50524f42u /* "PROB" */
struct ditto_probe {
	unsigned int magic;
	unsigned int kind;            /* 1 CPU-bound, 2 idle */
	unsigned long long progress;  /* loop iterations (CPU-bound) or wake-ups (idle) */
	/* Idle guests: how late each timer wake-up was, in guest TSC ticks. */
	unsigned long long late_sum, late_max;
};
#endif
