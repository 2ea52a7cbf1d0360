/*
 * ditto.test=vm: every GRUB module whose command line starts with "guest"
 * becomes a test VM, all run side by side; each VM's verdict is one case.
 *   module2 /boot/cpuid.bin guest cpuid [mem=16] [mode=real] [expect=stop] [stop=TEXT]
 * expect=pass (default): the guest must report HC_TEST_DONE(1) with no failed
 * case. expect=stop: the VM must be stopped by Ditto, with TEXT in the reason
 * (the hostile guests). Either way the host must survive to print the verdict.
 */
#include "arch/paging.h"
#include "arch/x86_64/vmx/vmx.h"
#include "boot/boot.h"
#include "lib/cmdline.h"
#include "lib/console.h"
#include "vmm/loader.h"
#include "vmm/platform.h"
#include "vmm/run.h"
#include "vmm/testdev.h"
#include "vmm/vmm.h"

#define MAX_TEST_VMS 8

struct test_vm {
	struct vm *vm;
	struct testdev dev;
	bool expect_stop;
	char stop_text[64];
};

static struct test_vm tvms[MAX_TEST_VMS];

static bool word(const char *s, size_t idx, char *out, size_t outlen)
{
	for (size_t i = 0;; i++) {
		while (*s == ' ')
			s++;
		if (!*s)
			return false;
		const char *w = s;
		while (*s && *s != ' ')
			s++;
		if (i == idx) {
			size_t n = (size_t)(s - w) < outlen - 1 ? (size_t)(s - w) : outlen - 1;
			memcpy(out, w, n);
			out[n] = 0;
			return true;
		}
	}
}

static int setup(struct test_vm *t, const struct mb2_module *m)
{
	char name[32], opt[64], err[128];
	word(m->cmdline, 1, name, sizeof(name));
	uint64_t mem = 16; /* MiB */
	if (cmdline_get(m->cmdline, "mem", opt, sizeof(opt))) {
		mem = 0;
		for (const char *p = opt; *p >= '0' && *p <= '9' && mem < 4096; p++)
			mem = mem * 10 + (uint64_t)(*p - '0');
		mem = ENV_ALIGN_UP(mem ? mem : 2, (uint64_t)2);
	}
	bool real = cmdline_get(m->cmdline, "mode", opt, sizeof(opt)) && !strcmp(opt, "real");
	bool pc = cmdline_get(m->cmdline, "platform", NULL, 0);
	t->expect_stop = cmdline_get(m->cmdline, "expect", opt, sizeof(opt)) && !strcmp(opt, "stop");
	cmdline_get(m->cmdline, "stop", t->stop_text, sizeof(t->stop_text));
	for (char *c = t->stop_text; *c; c++)
		if (*c == '_')
			*c = ' ';
	unsigned ncpu = 1;
	if (cmdline_get(m->cmdline, "vcpus", opt, sizeof(opt)) && opt[0] >= '1' && opt[0] <= '8')
		ncpu = (unsigned)(opt[0] - '0');
	t->vm = vm_create(name, mem << 20, ncpu);
	if (!t->vm) {
		kprintf("test: no memory for VM %s\n", name);
		return -1;
	}
	/* pin: vCPU i runs on CPU i mod CPUs only (tests that need two CPUs). */
	t->vm->sched_cfg.pin_each = cmdline_get(m->cmdline, "pin", NULL, 0);
	struct vcpu_boot b;
	if (be_vm_init(t->vm) || testdev_attach(t->vm, &t->dev) ||
	    (pc && platform_attach(t->vm, boot_epoch_sec(), true, true)) ||
	    vm_load_flat(t->vm, phys_to_virt(m->start), (size_t)(m->end - m->start), real ? 0x8000 : 0x100000,
			 real, &b, err, sizeof(err))) {
		kprintf("test: VM %s: cannot start: %s\n", name, err);
		return -1;
	}
	for (unsigned i = 0; i < ncpu; i++)
		if (be_vcpu_init(t->vm->vcpus[i], &b))
			return -1;
	kprintf("test: VM %s: %llu MiB, %s, %llu-byte image%s\n", name, (unsigned long long)mem,
		real ? "real mode" : "32-bit protected mode", (unsigned long long)(m->end - m->start),
		pc ? ", PC platform" : "");
	return 0;
}

void boot_test_vm(void)
{
	if (vmx_cpu_enable())
		test_finish(false, "VT-x unusable");
	struct vm *vms[MAX_TEST_VMS];
	size_t n = 0;
	for (size_t i = 0; i < boot.mb2.n_modules && n < MAX_TEST_VMS; i++) {
		const struct mb2_module *m = &boot.mb2.modules[i];
		if (strncmp(m->cmdline, "guest ", 6))
			continue;
		if (setup(&tvms[n], m))
			test_finish(false, "a test VM could not be set up");
		vms[n] = tvms[n].vm;
		n++;
	}
	if (!n)
		test_finish(false, "no guest modules");
	vmm_run(vms, n, 120ull * 1000000000ull);
	bool all = true;
	for (size_t i = 0; i < n; i++) {
		struct test_vm *t = &tvms[i];
		bool ok = t->expect_stop ? !t->vm->test_passed && strstr(t->vm->stop_reason, t->stop_text)
					 : t->vm->test_passed;
		char cname[64];
		fmt_snprintf(cname, sizeof(cname), "vm.%s", t->vm->name);
		test_case(cname, ok);
		if (!ok)
			kprintf("test: VM %s: expected %s%s%s, got: %s\n", t->vm->name,
				t->expect_stop ? "a stop with '" : "a pass", t->stop_text, t->expect_stop ? "'" : "",
				t->vm->stop_reason);
		uint64_t ran = 0;
		for (unsigned c = 0; c < t->vm->nvcpus; c++)
			ran |= t->vm->vcpus[c]->ran_on;
		kprintf("test: VM %s: %llu exits, ran on CPU mask 0x%llx, outside-memory reads %llu writes %llu, unclaimed ports %llu\n",
			t->vm->name, (unsigned long long)t->vm->vcpus[0]->stats.exits, (unsigned long long)ran,
			(unsigned long long)t->vm->ctr.outside_reads, (unsigned long long)t->vm->ctr.outside_writes,
			(unsigned long long)t->vm->ctr.unhandled_pio);
		all = all && ok;
	}
	test_finish(all, "a test VM failed");
}
