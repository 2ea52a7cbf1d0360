/*
 * Semantic checks of a parsed manifest against the host, and the entry point
 * manifest_load(). Each check reports at the key that makes the manifest
 * wrong (for a total: the key of the VM that goes over), or at the VM's
 * [[vm]] header for a key that is missing.
 */
#include <errno.h>
#include "vmm/manifest/internal.h"
#include "vmm/sched/sched.h"

#define FW_CFG_FIRST 0x510u /* QEMU fw_cfg: selector 0x510, data 0x511 */
#define FW_CFG_LAST 0x51bu  /* DMA address register 0x514..0x51b */

static struct manifest_pos at(const struct manifest_vm *vm, unsigned id)
{
	struct manifest_pos p = vm->pos[id];

	if (!p.line) {
		p.line = id >= MK_DEV_DEBUG_EXIT && vm->devices_line ? vm->devices_line : vm->line;
		p.col = 1;
	}
	return p;
}

static void vm_err(struct mf_parser *ps, int i, unsigned id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void vm_err(struct mf_parser *ps, int i, unsigned id, const char *fmt, ...)
{
	struct manifest_pos p = at(&ps->m->vms[i], id);
	va_list ap;

	va_start(ap, fmt);
	mf_verr(ps, p.line, p.col, i, (enum mf_section)mf_keys[id].section,
		mf_keys[id].field, fmt, ap);
	va_end(ap);
}

static const struct manifest_module *host_module(const struct manifest_host *h, const char *tag)
{
	for (size_t i = 0; i < h->nmodules; i++)
		if (h->modules[i].tag && strcmp(h->modules[i].tag, tag) == 0)
			return &h->modules[i];
	return NULL;
}

/* The tag must be a module GRUB passed; *size gets its size (0: unknown). */
static void check_tag(struct mf_parser *ps, const struct manifest_host *h, int i,
		      unsigned id, const char *tag, uint64_t *size)
{
	const struct manifest_module *mod;
	char list[120];
	size_t o = 0;

	*size = 0;
	if (h->any_module || !tag[0])
		return;
	mod = host_module(h, tag);
	if (mod) {
		*size = mod->size;
		return;
	}
	list[0] = '\0';
	for (size_t j = 0; j < h->nmodules; j++) {
		const char *t = h->modules[j].tag;
		if (!t || strcmp(t, "manifest") == 0)
			continue;
		o += mf_snprintf(list + ENV_MIN(o, sizeof(list) - 1),
				 o < sizeof(list) ? sizeof(list) - o : 1, "%s%s", o ? ", " : "", t);
	}
	vm_err(ps, i, id, "module \"%s\" was not passed by GRUB (%s%s)", tag,
	       o ? "it passed: " : "it passed none", list);
}

static void check_vm(struct mf_parser *ps, const struct manifest_host *h, int i)
{
	struct manifest *m = ps->m;
	struct manifest_vm *vm = &m->vms[i];
	uint64_t ksize, isize;
	char a[24], b[24], c[24];

	if (!vm->pos[MK_VM_NAME].line)
		vm_err(ps, i, MK_VM_NAME, "missing (every VM needs a name)");
	if (!vm->pos[MK_VM_MEMORY].line)
		vm_err(ps, i, MK_VM_MEMORY, "missing (every VM needs memory, e.g. \"64M\")");
	if (!vm->pos[MK_VM_KERNEL].line)
		vm_err(ps, i, MK_VM_KERNEL, "missing (every VM needs a kernel module tag)");
	for (int j = 0; j < i && vm->name[0]; j++)
		if (strcmp(m->vms[j].name, vm->name) == 0) {
			vm_err(ps, i, MK_VM_NAME, "\"%s\" is already the name of the VM at line %u",
			       vm->name, m->vms[j].line);
			break;
		}

	check_tag(ps, h, i, MK_VM_KERNEL, vm->kernel, &ksize);
	check_tag(ps, h, i, MK_VM_INITRD, vm->initrd, &isize);
	if (vm->boot == MANIFEST_BOOT_FLAT && vm->initrd[0])
		vm_err(ps, i, MK_VM_INITRD, "a flat image takes no initrd");
	if (vm->boot == MANIFEST_BOOT_FLAT && vm->cmdline[0])
		vm_err(ps, i, MK_VM_CMDLINE, "a flat image takes no command line");
	if (vm->memory && ksize + isize > vm->memory) {
		mf_size_str(ksize, a, sizeof(a));
		mf_size_str(isize, b, sizeof(b));
		mf_size_str(vm->memory, c, sizeof(c));
		if (isize)
			vm_err(ps, i, MK_VM_MEMORY, "kernel (%s) and initrd (%s) do not fit in %s",
			       a, b, c);
		else
			vm_err(ps, i, MK_VM_MEMORY, "kernel (%s) does not fit in %s", a, c);
	}

	if (vm->patch && !vm->share)
		vm_err(ps, i, vm->pos[MK_VM_PATCH].line ? MK_VM_PATCH : MK_VM_SHARE,
		       "patch = true needs share = true (patches are made against shared pages)");

	if (vm->debug_exit) {
		uint32_t lo = vm->debug_exit_port, hi = lo + vm->debug_exit_size - 1u;
		uint32_t con = m->host.serial_port;
		if (hi > 0xffff)
			vm_err(ps, i, MK_DEV_DEBUG_EXIT_PORT, "0x%x..0x%x runs past port 0xffff", lo, hi);
		else if (vm->fw_cfg && lo <= FW_CFG_LAST && hi >= FW_CFG_FIRST)
			vm_err(ps, i, MK_DEV_DEBUG_EXIT_PORT,
			       "0x%x..0x%x overlaps fw_cfg (0x%x..0x%x)", lo, hi, FW_CFG_FIRST,
			       FW_CFG_LAST);
		else if (vm->console == MANIFEST_VCON_SERIAL && lo <= con + 7 && hi >= con)
			vm_err(ps, i, MK_DEV_DEBUG_EXIT_PORT,
			       "0x%x..0x%x overlaps the serial port (0x%x..0x%x)", lo, hi, con,
			       con + 7);
	}
}

/* Sums over all VMs, each reported at the VM that goes over. */
static void check_totals(struct mf_parser *ps, const struct manifest_host *h)
{
	struct manifest *m = ps->m;
	uint64_t mem = 0;
	uint32_t vcpus = 0;
	bool mem_done = false, cpu_done = false;
	char a[24], b[24];

	for (uint32_t i = 0; i < m->nvms; i++) {
		struct manifest_vm *vm = &m->vms[i];
		mem += vm->memory;
		vcpus += vm->vcpus;
		if (h->memory_bytes && mem > h->memory_bytes && !mem_done) {
			mf_size_str(mem, a, sizeof(a));
			mf_size_str(h->memory_bytes, b, sizeof(b));
			vm_err(ps, (int)i, MK_VM_MEMORY,
			       "VMs need %s in total, more than the host's usable %s", a, b);
			mem_done = true;
		}
		if (h->cpus && vcpus > h->cpus * m->sched.overcommit && !cpu_done) {
			vm_err(ps, (int)i, MK_VM_VCPUS,
			       "%u vCPUs in total, more than %u CPU%s x overcommit %u", vcpus,
			       h->cpus, h->cpus == 1 ? "" : "s", m->sched.overcommit);
			cpu_done = true;
		}
	}
}

static void sched_report(void *ctx, int i, enum sched_cfg_field f, const char *msg)
{
	static const unsigned key[] = {
		[SCHED_CFG_WEIGHT] = MK_VM_WEIGHT, [SCHED_CFG_VCPUS] = MK_VM_VCPUS,
		[SCHED_CFG_CAP] = MK_VM_CAP, [SCHED_CFG_RESERVATION] = MK_VM_RESERVATION,
		[SCHED_CFG_PIN] = MK_VM_PIN,
	};
	struct mf_parser *ps = ctx;

	if (i < 0 || f == SCHED_CFG_HOST || f >= ENV_ARRAY_SIZE(key))
		mf_err(ps, 1, 1, -1, SEC_SCHED, NULL, "%s", msg);
	else
		vm_err(ps, i, key[f], "%s", msg);
}

/* Weight, cap, reservation and pinning follow the scheduler's own rules
 * (vmm/sched/sched_config.c): one implementation, reported here with line
 * and field. Values the schema already refused are at their defaults. */
static void check_sched(struct mf_parser *ps, const struct manifest_host *h)
{
	struct sched_vm_config c[MANIFEST_MAX_VMS];
	struct manifest *m = ps->m;

	for (uint32_t i = 0; i < m->nvms; i++)
		c[i] = (struct sched_vm_config){
			.weight = m->vms[i].weight, .cap_pct = m->vms[i].cap,
			.reservation_pct = m->vms[i].reservation, .nvcpus = m->vms[i].vcpus,
			.vm_affinity = m->vms[i].pin_mask,
		};
	sched_check_config(h->cpus, c, m->nvms, sched_report, ps);
}

void mf_check(struct mf_parser *ps, const struct manifest_host *h)
{
	struct manifest *m = ps->m;

	/* Only when nothing else is wrong: a broken [[vm]] header says more. */
	if (m->nvms == 0 && !ps->vm_overflow && ps->errs->count == 0)
		mf_err(ps, ps->line ? ps->line : 1, 1, -1, SEC_NONE, "vm",
		       "no [[vm]] table: there is no VM to start");
	for (uint32_t i = 0; i < m->nvms; i++)
		check_vm(ps, h, (int)i);
	check_sched(ps, h);
	check_totals(ps, h);
}

int manifest_find_vm(const struct manifest *m, const char *name)
{
	for (uint32_t i = 0; i < m->nvms; i++)
		if (strcmp(m->vms[i].name, name) == 0)
			return (int)i;
	return -1;
}

int manifest_load(const char *text, size_t len, const struct manifest_host *host,
		  struct manifest *out, struct manifest_errors *errs)
{
	static const struct manifest_host unlimited = { .any_module = true };
	struct mf_parser ps = {
		.text = text, .len = len, .m = out, .errs = errs,
		.host = host ? host : &unlimited, .vm = -1, .section = SEC_NONE,
	};

	memset(errs, 0, sizeof(*errs));
	memset(out, 0, sizeof(*out));
	mf_apply_defaults(out);
	if (len > MANIFEST_MAX_FILE) {
		mf_err(&ps, 1, 1, -1, SEC_NONE, NULL,
		       "the manifest is %zu bytes, more than the limit of %u", len,
		       MANIFEST_MAX_FILE);
		return -E2BIG;
	}
	if (!text)
		ps.len = 0;
	mf_parse(&ps);
	for (uint32_t i = 0; i < out->nvms; i++)
		mf_vm_finish(out, &out->vms[i]);
	mf_check(&ps, ps.host);
	mf_errors_finish(errs, out);
	return errs->count ? -EINVAL : 0;
}
