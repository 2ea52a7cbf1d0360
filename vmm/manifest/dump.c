/* The parsed manifest, printed for the boot banner and `ditto-manifest check`. */
#include "vmm/manifest/internal.h"

static const char *onoff(bool b)
{
	return b ? "on" : "off";
}

static void dump_pins(uint64_t mask, char *buf, size_t size)
{
	size_t o = 0;

	if (!mask) {
		mf_snprintf(buf, size, "any");
		return;
	}
	buf[0] = '\0';
	for (unsigned c = 0; c < 64; c++)
		if (mask & (1ull << c))
			o += mf_snprintf(buf + ENV_MIN(o, size - 1), o < size ? size - o : 1,
					 "%s%u", o ? "," : "", c);
}

static void dump_vm(const struct manifest_vm *vm)
{
	char mem[24], pins[200];

	mf_size_str(vm->memory, mem, sizeof(mem));
	dump_pins(vm->pin_mask, pins, sizeof(pins));
	env_printf("  vm \"%s\": %u vCPU%s, %s, %s kernel=%s%s%s\n", vm->name, vm->vcpus,
		   vm->vcpus == 1 ? "" : "s", mem, manifest_boot_name(vm->boot), vm->kernel,
		   vm->initrd[0] ? " initrd=" : "", vm->initrd);
	if (vm->cmdline[0])
		env_printf("    cmdline \"%s\"\n", vm->cmdline);
	env_printf("    sched weight=%u cap=%u%% reservation=%u%% pin=%s power=%s\n",
		   vm->weight, vm->cap, vm->reservation, pins,
		   mf_enum_name(&mf_keys[MK_VM_POWER], vm->power));
	env_printf("    memory share=%s patch=%s compress=%s trust_group=%s forks=%u\n",
		   onoff(vm->share), onoff(vm->patch), onoff(vm->compress), vm->trust_group,
		   vm->forks);
	env_printf("    console=%s", mf_enum_name(&mf_keys[MK_VM_CONSOLE], vm->console));
	if (vm->debug_exit)
		env_printf(" isa-debug-exit@0x%x/%u", vm->debug_exit_port, vm->debug_exit_size);
	if (vm->fw_cfg)
		env_printf(" fw_cfg");
	env_printf("\n");
}

void manifest_dump(const struct manifest *m)
{
	uint64_t total = 0;
	uint32_t vcpus = 0;
	char mem[24];

	for (uint32_t i = 0; i < m->nvms; i++) {
		total += m->vms[i].memory;
		vcpus += m->vms[i].vcpus;
	}
	mf_size_str(total, mem, sizeof(mem));
	env_printf("manifest: %u VM%s, %u vCPU%s, %s of guest memory\n", m->nvms,
		   m->nvms == 1 ? "" : "s", vcpus, vcpus == 1 ? "" : "s", mem);
	env_printf("  host console=%s serial_port=0x%x baud=%u\n",
		   mf_enum_name(&mf_keys[MK_HOST_CONSOLE], m->host.console),
		   m->host.serial_port, m->host.baud);
	env_printf("  scheduler %s timeslice=%uus default_weight=%u overcommit=%u\n",
		   mf_enum_name(&mf_keys[MK_SCHED_POLICY], m->sched.policy),
		   m->sched.timeslice_us, m->sched.default_weight, m->sched.overcommit);
	env_printf("  memory share=%s patch=%s compress=%s scan_rate=%u/s cold_age=%ums patch_max=%u compress_max=%u\n",
		   onoff(m->mem.share), onoff(m->mem.patch), onoff(m->mem.compress),
		   m->mem.scan_rate, m->mem.cold_age_ms, m->mem.patch_max, m->mem.compress_max);
	for (uint32_t i = 0; i < m->nvms; i++)
		dump_vm(&m->vms[i]);
}
