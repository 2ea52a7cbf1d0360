/*
 * In-emulator tests selected by ditto.test=NAME, and the verdict protocol
 * the harness reads (tests/emu/run-one.sh, docs/testing.md):
 *   DITTO-CASE: ok NAME | DITTO-CASE: not ok NAME   one counted case each
 *   DITTO-RESULT: PASS | DITTO-RESULT: FAIL why      then the emulator exits
 */
#include "arch/panic.h"
#include "arch/percpu.h"
#include "arch/x86.h"
#include "arch/x86_64/vmx/vmx.h"
#include "boot/boot.h"
#include "lib/console.h"
#include "lib/selftest.h"
#include "lib/time.h"
#include "mm/kmem.h"

void test_case(const char *name, bool ok)
{
	kprintf("DITTO-CASE: %s %s\n", ok ? "ok" : "not ok", name);
}

void test_finish(bool pass, const char *why)
{
	if (pass)
		kprintf("DITTO-RESULT: PASS\n");
	else
		kprintf("DITTO-RESULT: FAIL %s\n", why);
	machine_exit(pass);
}

/* Wait for `n` timer ticks, bounded by TSC time so a dead timer fails. */
static bool ticks_advance(unsigned n)
{
	uint64_t start = this_cpu()->timer_ticks;
	uint64_t deadline = time_ns() + (uint64_t)n * 1000000000ull / BOOT_TICK_HZ * 4;
	while (this_cpu()->timer_ticks - start < n) {
		if (time_ns() > deadline)
			return false;
		cpu_idle();
	}
	return true;
}

static bool heap_frames_smoke(void)
{
	const struct frames *f = kmem_frames();
	uint64_t free0 = f->free_frames;
	void *blocks[64];
	for (int i = 0; i < 64; i++) {
		blocks[i] = env_alloc((size_t)(16u << (i % 9)));
		if (!blocks[i])
			return false;
		memset(blocks[i], i, (size_t)(16u << (i % 9)));
	}
	for (int i = 0; i < 64; i++)
		env_free(blocks[i]);
	uint64_t pa = kmem_frames_alloc(512, 512); /* a 2 MiB-aligned 2 MiB run */
	if (pa == FRAMES_NONE || pa & 0x1fffff)
		return false;
	kmem_frames_free(pa, 512);
	/* Every frame returns (one cached empty slab per class may stay). */
	return f->free_frames + 8 >= free0;
}

static void test_selftest(void)
{
	unsigned fails = boot.selftest_failures;
	test_case("selftest.xxh64", !(fails & SELFTEST_XXH64));
	test_case("selftest.lz4", !(fails & SELFTEST_LZ4));
	test_case("selftest.xdelta3", !(fails & SELFTEST_XDELTA3));
	test_case("selftest.zydis", !(fails & SELFTEST_ZYDIS));
	bool mem = heap_frames_smoke();
	test_case("boot.heap_and_frames", mem);
	bool tick = ticks_advance(10);
	test_case("boot.lapic_timer_ticks", tick);
	bool tr = read_tr() != 0;
	test_case("boot.tss_loaded", tr);
	test_finish(!fails && mem && tick && tr, "self-test failures");
}

static void __attribute__((noinline)) harness_deliberate_fault(void)
{
	kprintf("test: executing ud2 on purpose\n");
	__asm__ volatile("ud2");
}

struct boot_test {
	const char *name;
	void (*fn)(void);
};

static void t_panic(void) { panic("deliberate panic (harness self-test)"); }
static void t_fault(void) { harness_deliberate_fault(); }
static void t_fail(void) { test_finish(false, "deliberate failure (harness self-test)"); }
static void t_hang(void)
{
	kprintf("test: hanging on purpose\n");
	for (;;)
		cpu_idle();
}


/* ditto.test=manifest: the manifest's VMs must all pass their tests. A
 * refused manifest is a failure (tests of bad manifests expect it). */
static void test_manifest(void)
{
	if (!boot_has_manifest())
		test_finish(false, "no manifest module");
	if (vmx_cpu_enable())
		test_finish(false, "VT-x unusable");
	int r = boot_run_manifest(120ull * 1000000000ull);
	if (r < 0)
		test_finish(false, "manifest refused");
	kprintf("test: %d VM%s passed\n", r, r == 1 ? "" : "s");
	test_finish(r > 0 && r == (int)boot_manifest_vms_started(), "a manifest VM failed");
}

static const struct boot_test tests[] = {
	{ "selftest", test_selftest },
	{ "vm", boot_test_vm },
	{ "manifest", test_manifest },
	{ "sched", boot_test_sched },
	{ "panic", t_panic },
	{ "fault", t_fault },
	{ "fail", t_fail },
	{ "hang", t_hang },
};

void boot_run_test(const char *name)
{
	for (size_t i = 0; i < ENV_ARRAY_SIZE(tests); i++) {
		if (!strcmp(tests[i].name, name)) {
			kprintf("test: %s\n", name);
			tests[i].fn();
			test_finish(false, "test returned without a verdict");
		}
	}
	kprintf("test: unknown test '%s'\n", name);
	test_finish(false, "unknown test");
}

void boot_demo(void)
{
	if (boot_has_manifest()) {
		if (vmx_cpu_enable()) {
			kprintf("demo: VT-x is absent or unusable on this machine: no VM can run "
				"(QEMU TCG has no VT-x; use Bochs, KVM with nested VT-x, or hardware)\n");
		} else if (boot_run_manifest(~0ull >> 1) >= 0) {
			kprintf("demo: every VM has stopped\n");
		}
	} else {
		kprintf("demo: no manifest module: Ditto idles\n");
	}
	kprintf("demo: idle (heartbeat every 10 s)\n");
	uint64_t next = 10;
	for (;;) {
		cpu_idle();
		uint64_t s = this_cpu()->timer_ticks / BOOT_TICK_HZ;
		if (s >= next) {
			kprintf("demo: up %llu s\n", (unsigned long long)s);
			next = s + 10;
		}
	}
}
