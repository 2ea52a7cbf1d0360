/*
 * The manifest's schema: every key, its type, range and default, defined
 * once. The parser applies values through it, the "did you mean" hints
 * search it, and `ditto-manifest keys` prints it for docs/manifest.md.
 */
#include <stddef.h>
#include "vmm/manifest/internal.h"
#include "vmm/sched/sched.h"

_Static_assert(MANIFEST_MAX_CPUS == SCHED_MAX_CPUS, "a pin list is one scheduler affinity mask");
_Static_assert(MK_COUNT == MANIFEST_NKEYS, "MANIFEST_NKEYS must equal MK_COUNT");
_Static_assert(sizeof(enum manifest_boot) == sizeof(int), "enums are stored as int");

const char *const mf_section_names[SEC_COUNT] = {
	[SEC_NONE] = "", [SEC_HOST] = "host", [SEC_MEMORY] = "memory",
	[SEC_SCHED] = "scheduler", [SEC_MODULES] = "modules", [SEC_VM] = "vm",
	[SEC_DEVICES] = "vm.devices", [SEC_SKIP] = "",
};

static const char *const host_consoles[] = { "serial", "vga", "both", "none", NULL };
static const char *const boots[] = { "linux", "multiboot2", "multiboot", "flat", NULL };
static const char *const vm_consoles[] = { "serial", "log", "none", NULL };
static const char *const powers[] = { "balanced", "performance", "powersave", NULL };
static const char *const policies[] = { "credit", "round-robin", NULL };

#define KB 1024ll
#define MB (1024ll * KB)
#define GB (1024ll * MB)
#define TB (1024ll * GB)

#define FIELD(s, m) .offset = offsetof(s, m), .size = sizeof(((s *)0)->m)
#define G(id_, sec, ty, member, nm, lo, hi, dflt, en, dc)                     \
	GF(id_, sec, ty, member, nm, lo, hi, dflt, en, 0, dc)
#define GF(id_, sec, ty, member, nm, lo, hi, dflt, en, fl, dc)                \
	[id_] = { .id = id_, .section = sec, .type = ty, .inherit = MK_NONE,  \
		  .flags = fl, \
		  FIELD(struct manifest, member), .name = nm, .field = nm,    \
		  .min = lo, .max = hi, .def = dflt, .enums = en, .doc = dc }
#define V(id_, ty, member, nm, lo, hi, dflt, en, inh, fl, dc)                 \
	[id_] = { .id = id_, .section = SEC_VM, .type = ty, .inherit = inh,   \
		  .flags = fl, FIELD(struct manifest_vm, member), .name = nm, \
		  .field = nm, .min = lo, .max = hi, .def = dflt, .enums = en, \
		  .doc = dc }
#define D(id_, ty, member, nm, lo, hi, dflt, dc)                              \
	DF(id_, ty, member, nm, lo, hi, dflt, 0, dc)
#define DF(id_, ty, member, nm, lo, hi, dflt, fl, dc)                         \
	[id_] = { .id = id_, .section = SEC_DEVICES, .type = ty, .flags = fl, \
		  .inherit = MK_NONE, FIELD(struct manifest_vm, member),      \
		  .name = nm, .field = "devices." nm, .min = lo, .max = hi,   \
		  .def = dflt, .doc = dc }

const struct mf_key mf_keys[MK_COUNT] = {
	G(MK_HOST_CONSOLE, SEC_HOST, MT_ENUM, host.console, "console", 0, 3, 0, host_consoles,
	  "where Ditto's own messages go"),
	GF(MK_HOST_SERIAL_PORT, SEC_HOST, MT_INT, host.serial_port, "serial_port", 1, 0xffff, 0x3f8, NULL, MF_HEX,
	  "I/O port of the 16550 UART of the console"),
	G(MK_HOST_BAUD, SEC_HOST, MT_INT, host.baud, "baud", 50, 115200, 115200, NULL,
	  "serial speed; must divide 115200"),
	G(MK_HOST_BANNER, SEC_HOST, MT_BOOL, host.banner, "banner", 0, 1, 1, NULL,
	  "print the parsed manifest at boot"),

	G(MK_MEM_SHARE, SEC_MEMORY, MT_BOOL, mem.share, "share", 0, 1, 1, NULL,
	  "default of the VMs' share: merge identical pages"),
	G(MK_MEM_PATCH, SEC_MEMORY, MT_BOOL, mem.patch, "patch", 0, 1, 1, NULL,
	  "default of the VMs' patch: store similar pages as patches"),
	G(MK_MEM_COMPRESS, SEC_MEMORY, MT_BOOL, mem.compress, "compress", 0, 1, 1, NULL,
	  "default of the VMs' compress: compress cold pages"),
	G(MK_MEM_SCAN_RATE, SEC_MEMORY, MT_INT, mem.scan_rate, "scan_rate", 1, 1000000, 5000, NULL,
	  "pages scanned per second"),
	G(MK_MEM_COLD_AGE, SEC_MEMORY, MT_INT, mem.cold_age_ms, "cold_age_ms", 100, 3600000, 120000, NULL,
	  "milliseconds unaccessed before a page is cold"),
	G(MK_MEM_PATCH_MAX, SEC_MEMORY, MT_INT, mem.patch_max, "patch_max", 64, 4096, 2048, NULL,
	  "bytes: larger patches are not kept"),
	G(MK_MEM_COMPRESS_MAX, SEC_MEMORY, MT_INT, mem.compress_max, "compress_max", 256, 4096, 2990, NULL,
	  "bytes: pages compressing worse are not kept compressed"),

	G(MK_SCHED_POLICY, SEC_SCHED, MT_ENUM, sched.policy, "policy", 0, 1, 0, policies,
	  "vCPU scheduling policy"),
	G(MK_SCHED_TIMESLICE, SEC_SCHED, MT_INT, sched.timeslice_us, "timeslice_us", 100, 1000000, 10000, NULL,
	  "microseconds a vCPU runs before preemption"),
	G(MK_SCHED_WEIGHT, SEC_SCHED, MT_INT, sched.default_weight, "default_weight", 1, SCHED_WEIGHT_MAX, 256, NULL,
	  "weight of a VM that sets none"),
	G(MK_SCHED_OVERCOMMIT, SEC_SCHED, MT_INT, sched.overcommit, "overcommit", 1, 64, 8, NULL,
	  "at most this many vCPUs per host CPU, over all VMs"),

	V(MK_VM_NAME, MT_NAME, name, "name", 0, 0, 0, NULL, MK_NONE, MF_REQUIRED,
	  "unique VM name: a-z, 0-9, '-'"),
	V(MK_VM_VCPUS, MT_INT, vcpus, "vcpus", 1, SCHED_MAX_VM_VCPUS, 1, NULL, MK_NONE, 0,
	  "virtual CPUs"),
	V(MK_VM_MEMORY, MT_SIZE, memory, "memory", 1 * MB, 1 * TB, 0, NULL, MK_NONE, MF_REQUIRED,
	  "guest RAM, a multiple of 4K"),
	V(MK_VM_BOOT, MT_ENUM, boot, "boot", 0, 3, 0, boots, MK_NONE, 0,
	  "boot protocol of the kernel"),
	V(MK_VM_KERNEL, MT_TAG, kernel, "kernel", 0, 0, 0, NULL, MK_NONE, MF_REQUIRED,
	  "module tag of the kernel or image"),
	V(MK_VM_INITRD, MT_TAG, initrd, "initrd", 0, 0, 0, NULL, MK_NONE, 0,
	  "module tag of the initrd (linux, multiboot*)"),
	V(MK_VM_CMDLINE, MT_TEXT, cmdline, "cmdline", 0, MANIFEST_CMDLINE_MAX - 1, 0, NULL, MK_NONE, 0,
	  "kernel command line, printable ASCII"),
	V(MK_VM_WEIGHT, MT_INT, weight, "weight", 1, SCHED_WEIGHT_MAX, 256, NULL, MK_SCHED_WEIGHT, 0,
	  "relative CPU share"),
	V(MK_VM_CAP, MT_INT, cap, "cap", 0, 100 * SCHED_MAX_VM_VCPUS, 0, NULL, MK_NONE, 0,
	  "at most this % of one CPU (0: no cap), <= 100 * vcpus"),
	V(MK_VM_RESERVATION, MT_INT, reservation, "reservation", 0, 100 * SCHED_MAX_VM_VCPUS, 0, NULL, MK_NONE, 0,
	  "at least this % of one CPU, <= cap"),
	V(MK_VM_PIN, MT_CPULIST, pin_mask, "pin", 0, MANIFEST_MAX_CPUS - 1, 0, NULL, MK_NONE, 0,
	  "host CPUs the vCPUs may run on ([]: any)"),
	V(MK_VM_SHARE, MT_BOOL, share, "share", 0, 1, 1, NULL, MK_MEM_SHARE, 0,
	  "merge identical pages within the trust group"),
	V(MK_VM_PATCH, MT_BOOL, patch, "patch", 0, 1, 1, NULL, MK_MEM_PATCH, 0,
	  "store similar pages as patches (needs share)"),
	V(MK_VM_COMPRESS, MT_BOOL, compress, "compress", 0, 1, 1, NULL, MK_MEM_COMPRESS, 0,
	  "compress cold pages"),
	V(MK_VM_TRUST_GROUP, MT_NAME, trust_group, "trust_group", 0, 0, 0, NULL, MK_NONE, 0,
	  "VMs whose pages may be shared with this one's"),
	V(MK_VM_POWER, MT_ENUM, power, "power", 0, 2, 0, powers, MK_NONE, 0,
	  "power policy"),
	V(MK_VM_FORKS, MT_INT, forks, "forks", 0, 15, 0, NULL, MK_NONE, 0,
	  "copy-on-write clones started after boot"),
	V(MK_VM_CONSOLE, MT_ENUM, console, "console", 0, 2, 0, vm_consoles, MK_NONE, 0,
	  "guest serial output: host console, log ring, or dropped"),

	D(MK_DEV_DEBUG_EXIT, MT_BOOL, debug_exit, "debug_exit", 0, 1, 0,
	  "QEMU isa-debug-exit: a write of v stops the VM with status (v << 1) | 1"),
	DF(MK_DEV_DEBUG_EXIT_PORT, MT_INT, debug_exit_port, "debug_exit_port", 0, 0xffff, 0xf4, MF_HEX,
	  "its I/O port"),
	D(MK_DEV_DEBUG_EXIT_SIZE, MT_INT, debug_exit_size, "debug_exit_size", 1, 4, 4,
	  "its width in bytes: 1, 2 or 4"),
	D(MK_DEV_FW_CFG, MT_BOOL, fw_cfg, "fw_cfg", 0, 1, 0,
	  "QEMU fw_cfg at I/O ports 0x510-0x511 and DMA 0x514"),
};

const struct mf_key *mf_key_find(enum mf_section sec, const char *name, size_t len)
{
	for (unsigned i = 0; i < MK_COUNT; i++) {
		const struct mf_key *k = &mf_keys[i];
		if (k->section == sec && strlen(k->name) == len && memcmp(k->name, name, len) == 0)
			return k;
	}
	return NULL;
}

const char *mf_key_suggest(enum mf_section sec, const char *name, size_t len)
{
	const char *best = NULL;
	unsigned best_d = len <= 3 ? 1 : len <= 6 ? 2 : 3;

	for (unsigned i = 0; i < MK_COUNT; i++) {
		const struct mf_key *k = &mf_keys[i];
		unsigned d;
		if (k->section != sec)
			continue;
		d = mf_distance(name, len, k->name, best_d);
		if (d <= best_d && (!best || d < best_d)) {
			best = k->name;
			best_d = d;
		}
	}
	return best;
}

enum mf_section mf_key_elsewhere(enum mf_section sec, const char *name, size_t len)
{
	for (unsigned s = SEC_HOST; s <= SEC_DEVICES; s++)
		if (s != sec && mf_key_find((enum mf_section)s, name, len))
			return (enum mf_section)s;
	return SEC_NONE;
}

const char *mf_enum_name(const struct mf_key *k, int64_t v)
{
	for (int64_t i = 0; k->enums && k->enums[i]; i++)
		if (i == v)
			return k->enums[i];
	return "?";
}

const char *manifest_boot_name(enum manifest_boot b)
{
	return mf_enum_name(&mf_keys[MK_VM_BOOT], b);
}

static void store(void *base, const struct mf_key *k, uint64_t v)
{
	char *p = (char *)base + k->offset;

	if (k->type == MT_BOOL)
		*(bool *)p = v != 0;
	else if (k->type == MT_ENUM)
		*(int *)p = (int)v;
	else if (k->size == 1)
		*(uint8_t *)p = (uint8_t)v;
	else if (k->size == 2)
		*(uint16_t *)p = (uint16_t)v;
	else if (k->size == 4)
		*(uint32_t *)p = (uint32_t)v;
	else if (k->size == 8)
		*(uint64_t *)p = v;
	else
		ENV_PANIC("manifest schema: key %s has field size %u", k->name, k->size);
}

static bool is_number_type(uint8_t t)
{
	return t == MT_BOOL || t == MT_INT || t == MT_SIZE || t == MT_ENUM;
}

void mf_apply_defaults(struct manifest *m)
{
	for (unsigned i = 0; i < MK_COUNT; i++)
		if (mf_keys[i].section < SEC_VM && is_number_type(mf_keys[i].type))
			store(m, &mf_keys[i], (uint64_t)mf_keys[i].def);
}

void mf_vm_defaults(struct manifest_vm *vm)
{
	for (unsigned i = 0; i < MK_COUNT; i++)
		if (mf_keys[i].section >= SEC_VM && is_number_type(mf_keys[i].type))
			store(vm, &mf_keys[i], (uint64_t)mf_keys[i].def);
}

void mf_vm_finish(const struct manifest *m, struct manifest_vm *vm)
{
	for (unsigned i = 0; i < MK_COUNT; i++) {
		const struct mf_key *k = &mf_keys[i], *g;
		const char *src;
		uint64_t v;
		if (k->inherit == MK_NONE || vm->pos[i].line)
			continue;
		g = &mf_keys[k->inherit];
		src = (const char *)m + g->offset;
		v = g->type == MT_BOOL ? *(const bool *)src : *(const uint32_t *)src;
		store(vm, k, v);
	}
	if (!vm->pos[MK_VM_TRUST_GROUP].line)
		memcpy(vm->trust_group, vm->name, sizeof(vm->trust_group));
}
