/*
 * Starting the VMs of the boot-time manifest (docs/manifest.md). The module
 * GRUB passed with the string "manifest" is parsed and checked against this
 * host (CPUs from the MADT, free memory, the modules GRUB passed); any error
 * means no VM starts, and every error is printed with its line and field.
 */
#include "arch/paging.h"
#include "boot/boot.h"
#include "lib/cmdline.h"
#include "drivers/acpi.h"
#include "lib/console.h"
#include "mm/kmem.h"
#include <errno.h>
#include "vmm/boot/linux.h"
#include "vmm/loader.h"
#include "vmm/platform.h"
#include "vmm/manifest/manifest.h"
#include "vmm/run.h"
#include "vmm/testdev.h"
#include "vmm/vmm.h"

static struct manifest man;
static struct manifest_errors errs;
static struct manifest_module host_mods[MB2_MAX_MODULES];
static char tags[MB2_MAX_MODULES][MANIFEST_NAME_MAX];
static struct vm *vms[MANIFEST_MAX_VMS];
static struct testdev devs[MANIFEST_MAX_VMS];
static size_t started;

size_t boot_manifest_vms_started(void)
{
	return started;
}

/* A module's tag: the first word of its GRUB string. */
static void tag_of(const char *s, char *out, size_t n)
{
	size_t i = 0;
	while (*s == ' ')
		s++;
	while (s[i] && s[i] != ' ' && i + 1 < n) {
		out[i] = s[i];
		i++;
	}
	out[i] = 0;
}

static const struct mb2_module *module_by_tag(const char *tag)
{
	for (size_t i = 0; i < boot.mb2.n_modules; i++)
		if (!strcmp(tags[i], tag))
			return &boot.mb2.modules[i];
	return NULL;
}

bool boot_has_manifest(void)
{
	for (size_t i = 0; i < boot.mb2.n_modules; i++) {
		tag_of(boot.mb2.modules[i].cmdline, tags[i], sizeof(tags[i]));
		host_mods[i] = (struct manifest_module){ tags[i],
							 boot.mb2.modules[i].end - boot.mb2.modules[i].start };
	}
	return module_by_tag("manifest") != NULL;
}

static uint32_t host_cpus(void)
{
	uint32_t n = 0;
	for (size_t i = 0; i < acpi.n_cpus; i++)
		n += acpi.cpus[i].enabled;
	return n ? n : 1;
}

/* Linux: bzImage + initrd from their modules, the ACPI tables reported in
 * the e820 map and passed in boot_params (vmm/boot/linux.c). */
static int load_linux(struct vm *vm, const struct manifest_vm *mv, const void *img, size_t size,
		      struct vcpu_boot *b, char *err, size_t errlen)
{
	const struct mb2_module *rd = mv->initrd[0] ? module_by_tag(mv->initrd) : NULL;
	struct linux_load_args a = {
		.kernel = img,
		.kernel_size = size,
		.initrd = rd ? phys_to_virt(rd->start) : NULL,
		.initrd_size = rd ? (size_t)(rd->end - rd->start) : 0,
		.cmdline = mv->cmdline,
		.acpi_rsdp = vm->platform->acpi.rsdp,
	};
	struct linux_layout l;
	int r = linux_load(vm, &a, b, &l, err, errlen);
	if (!r)
		kprintf("vm %s: Linux %s: kernel at 0x%llx, initrd %llu bytes at 0x%llx\n", mv->name,
			l.k.version[0] ? l.k.version : "(no version string)", (unsigned long long)l.kernel,
			(unsigned long long)l.initrd_size, (unsigned long long)l.initrd);
	return r;
}

/* One VM from its manifest entry; false (with a message) if it cannot start:
 * the other VMs still start. */
static struct vm *start_vm(const struct manifest_vm *mv, struct testdev *dev)
{
	char err[160];
	if (mv->vcpus != 1 && mv->boot == MANIFEST_BOOT_FLAT) {
		kprintf("vm %s: %u vCPUs: a flat image has no platform to start them: not started\n",
			mv->name, mv->vcpus);
		return NULL;
	}
	const struct mb2_module *m = module_by_tag(mv->kernel);
	struct vm *vm = vm_create(mv->name, ENV_ALIGN_UP(mv->memory, VM_CHUNK), mv->vcpus);
	if (!vm) {
		kprintf("vm %s: not enough host memory for %llu MiB: not started\n", mv->name,
			(unsigned long long)(mv->memory >> 20));
		return NULL;
	}
	struct vcpu_boot b;
	const void *img = phys_to_virt(m->start);
	size_t size = (size_t)(m->end - m->start);
	int r;
	err[0] = 0;
	if (be_vm_init(vm)) {
		fmt_snprintf(err, sizeof(err), "no memory for its second-level tables");
		r = -ENOMEM;
	} else if (mv->boot == MANIFEST_BOOT_FLAT) {
		/* Ditto's test images: the test device, no PC around them. */
		r = testdev_attach(vm, dev);
		if (!r)
			r = vm_load_flat(vm, img, size, 0x100000, false, &b, err, sizeof(err));
	} else {
		r = platform_attach(vm, boot_epoch_sec(), mv->debug_exit, mv->fw_cfg);
		if (r)
			fmt_snprintf(err, sizeof(err), "no memory for its devices");
		else if (mv->debug_exit && mv->debug_exit_port != 0xf4) {
			fmt_snprintf(err, sizeof(err), "isa-debug-exit is at port 0xf4; port 0x%x is not supported",
				     mv->debug_exit_port);
			r = -EINVAL;
		}
		else if (mv->boot == MANIFEST_BOOT_LINUX)
			r = load_linux(vm, mv, img, size, &b, err, sizeof(err));
		else
			r = vm_load_multiboot(vm, mv->boot == MANIFEST_BOOT_MULTIBOOT ? 1 : 2, img, size,
					      mv->cmdline, vm->platform->acpi.rsdp, &b, err, sizeof(err));
	}
	for (unsigned i = 0; !r && i < vm->nvcpus; i++)
		r = be_vcpu_init(vm->vcpus[i], &b); /* APs wait for SIPI (vm_create) */
	if (r) {
		kprintf("vm %s: module '%s': %s: not started\n", mv->name, mv->kernel,
			err[0] ? err : "cannot set up its vCPU");
		platform_detach(vm);
		be_vm_destroy(vm);
		vm_destroy(vm);
		return NULL;
	}
	/* The manifest checked these against the host (docs/manifest.md);
	 * round-robin is the credit scheduler with every weight equal. */
	vm->sched_cfg = (struct vm_sched_cfg){
		.weight = man.sched.policy == MANIFEST_SCHED_RR ? man.sched.default_weight : mv->weight,
		.cap_pct = mv->cap,
		.reservation_pct = mv->reservation,
		.affinity = mv->pin_mask,
	};
	kprintf("vm %s: started: %llu MiB, %s image '%s' (%llu bytes)\n", mv->name,
		(unsigned long long)(vm->mem_size >> 20), manifest_boot_name(mv->boot), mv->kernel,
		(unsigned long long)size);
	return vm;
}

uint64_t boot_stats_interval_ns(void)
{
	char opt[16];
	uint64_t sec = 0;
	if (!cmdline_get(boot.mb2.cmdline, "ditto.stats", opt, sizeof(opt)))
		return 0;
	for (const char *c = opt; *c >= '0' && *c <= '9' && sec < 86400; c++)
		sec = sec * 10 + (uint64_t)(*c - '0');
	return sec * 1000000000ull;
}

int boot_manifest_start(struct vm ***out)
{
	const struct mb2_module *m = module_by_tag("manifest");
	struct manifest_host host = {
		.cpus = host_cpus(),
		.memory_bytes = kmem_frames()->free_frames * FRAME_SIZE,
		.modules = host_mods,
		.nmodules = boot.mb2.n_modules,
	};
	if (manifest_load(phys_to_virt(m->start), (size_t)(m->end - m->start), &host, &man, &errs)) {
		kprintf("manifest: %u error%s; no VM started:\n", errs.count + errs.dropped,
			errs.count + errs.dropped == 1 ? "" : "s");
		manifest_print_errors(&errs, "manifest");
		return -1;
	}
	if (man.host.banner)
		manifest_dump(&man);
	size_t n = 0;
	for (uint32_t i = 0; i < man.nvms; i++) {
		struct vm *vm = start_vm(&man.vms[i], &devs[n]);
		if (vm)
			vms[n++] = vm;
	}
	kprintf("manifest: %zu of %u VMs started\n", n, man.nvms);
	started = n;
	*out = vms;
	return (int)n;
}

void boot_manifest_run_opts(struct vmm_run_opts *o, uint64_t timeout_ns)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ns = timeout_ns;
	o->slice_ns = (uint64_t)man.sched.timeslice_us * 1000;
	o->stats_interval_ns = boot_stats_interval_ns();
}

int boot_manifest_finish(void)
{
	int passed = 0;
	for (size_t i = 0; i < started; i++) {
		passed += vms[i]->test_passed;
		if (vms[i]->platform)
			vmm_print_exit_summary(vms[i]);
	}
	return passed;
}

/* Returns the number of VMs that passed their test (test mode), or -1 if the
 * manifest was refused. */
int boot_run_manifest(uint64_t timeout_ns)
{
	struct vm **list;
	int n = boot_manifest_start(&list);
	if (n <= 0)
		return n;
	static struct vmm_run_opts o;
	boot_manifest_run_opts(&o, timeout_ns);
	vmm_run_opts(list, (size_t)n, &o);
	return boot_manifest_finish();
}
