/*
 * libFuzzer target for the manifest parser: any byte string goes through
 * manifest_load() with a small host; every result must be consistent (errors
 * point into the file, strings are terminated, a valid manifest respects the
 * schema's limits), and formatting and dumping must not misbehave.
 * Built by `make fuzz` (tests/fuzz/module.mk) with ASan and UBSan.
 */
#include <stdlib.h>
#include "vmm/manifest/manifest.h"

static struct manifest man;
static struct manifest_errors errs;

static void require(int cond)
{
	if (!cond)
		abort();
}

static int terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct manifest_module mods[] = {
		{ "guest-hello", 65536 }, { "linux", 8 << 20 }, { "initrd", 16 << 20 },
		{ "manifest", 1024 },
	};
	const struct manifest_host host = {
		.cpus = 2, .memory_bytes = 256u << 20,
		.modules = mods, .nmodules = sizeof(mods) / sizeof(mods[0]),
	};
	char line[512];
	size_t lines = 1;
	int rc;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	rc = manifest_load((const char *)data, size, &host, &man, &errs);
	require(rc == 0 ? errs.count == 0 && errs.dropped == 0 : errs.count > 0);
	for (uint32_t i = 0; i < errs.count; i++) {
		const struct manifest_error *e = &errs.e[i];
		require(e->line >= 1 && e->line <= lines && e->col >= 1);
		require(i == 0 || e->line > errs.e[i - 1].line ||
			(e->line == errs.e[i - 1].line && e->col >= errs.e[i - 1].col));
		require(terminated(e->msg, sizeof(e->msg)) && terminated(e->field, sizeof(e->field)) &&
			terminated(e->ctx, sizeof(e->ctx)));
		require(manifest_error_format(e, "manifest", line, sizeof(line)) > 0);
	}
	if (rc == 0) {
		require(man.nvms >= 1 && man.nvms <= MANIFEST_MAX_VMS);
		for (uint32_t i = 0; i < man.nvms; i++) {
			const struct manifest_vm *vm = &man.vms[i];
			require(vm->name[0] && terminated(vm->name, sizeof(vm->name)));
			require(terminated(vm->cmdline, sizeof(vm->cmdline)));
			require(vm->memory >= (1u << 20) && (vm->memory & 4095) == 0);
			require(vm->vcpus >= 1 && vm->vcpus <= 64);
			require(vm->pin_mask < (1u << host.cpus));
			require(vm->cap == 0 || vm->cap >= vm->reservation);
			require(manifest_find_vm(&man, vm->name) == (int)i);
		}
		manifest_dump(&man);
	}
	return 0;
}
