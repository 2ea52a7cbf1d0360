/*
 * Manifest parser and checker: valid manifests give the values they say,
 * defaults and inheritance apply, every error is reported, limits hold, and
 * the schema table is consistent (and documented in docs/manifest.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "vmm/manifest/internal.h"

char *mt_read(const char *path, size_t *len);
const struct manifest_host *mt_host(void);
int mt_load_file(const char *path, struct manifest *m, struct manifest_errors *e);
int mt_load_text(const char *text, struct manifest *m, struct manifest_errors *e);
void mt_errors_text(const struct manifest_errors *e, char *buf, size_t size);

static struct manifest man;
static struct manifest_errors errs;
static char big[MANIFEST_MAX_FILE + 16];
static char text[16 * 1024];

#define VM_MIN "[[vm]]\nname = \"web\"\nmemory = \"64M\"\nkernel = \"guest-hello\"\n"

TEST(demo_valid_on_make_run_host)
{
	static const struct manifest_module mods[] = { { "manifest", 4096 },
						       { "guest-hello", 64 << 10 } };
	const struct manifest_host host = { .cpus = 1, .memory_bytes = 256u << 20,
					    .modules = mods, .nmodules = 2 };
	size_t len;
	char *t = mt_read("docs/examples/demo.ditto", &len);
	int rc;

	CHECK(t != NULL);
	rc = manifest_load(t, len, &host, &man, &errs);
	free(t);
	CHECK_EQ(rc, 0);
	CHECK_EQ(man.nvms, 2);
	CHECK_STREQ(man.vms[0].name, "hello-a");
	CHECK_STREQ(man.vms[1].name, "hello-b");
	CHECK_STREQ(man.vms[0].kernel, "guest-hello");
	CHECK_EQ(man.vms[0].boot, MANIFEST_BOOT_FLAT);
	CHECK_EQ(man.vms[0].memory + man.vms[1].memory, 64u << 20);
	CHECK(!man.vms[0].debug_exit && !man.vms[0].fw_cfg);
	CHECK_EQ(man.vms[1].cap, 50);
	CHECK(!man.vms[1].compress && man.vms[1].share);
	CHECK_STREQ(man.vms[1].trust_group, "demo");
	CHECK_STREQ(man.modules[0].path, "hello.bin");
}

TEST(full_every_key)
{
	const struct manifest_vm *vm = &man.vms[0];

	CHECK_EQ(mt_load_file("tests/manifest/good/full.ditto", &man, &errs), 0);
	CHECK_EQ(man.host.console, MANIFEST_HCON_BOTH);
	CHECK_EQ(man.host.serial_port, 0x2f8);
	CHECK_EQ(man.host.baud, 38400);
	CHECK(!man.host.banner);
	CHECK(!man.mem.share && !man.mem.patch && !man.mem.compress);
	CHECK_EQ(man.mem.scan_rate, 10000);
	CHECK_EQ(man.mem.cold_age_ms, 60000);
	CHECK_EQ(man.mem.patch_max, 1024);
	CHECK_EQ(man.mem.compress_max, 3000);
	CHECK_EQ(man.sched.policy, MANIFEST_SCHED_RR);
	CHECK_EQ(man.sched.timeslice_us, 5000);
	CHECK_EQ(man.sched.default_weight, 100);
	CHECK_EQ(man.sched.overcommit, 4);
	CHECK_EQ(man.nmodules, 2);
	CHECK_STREQ(man.modules[0].tag, "linux");
	CHECK_STREQ(man.modules[0].path, "vmlinuz-6.1");
	CHECK_STREQ(man.modules[1].tag, "initrd");
	CHECK_STREQ(man.modules[1].path, "/images/initrd.img");
	CHECK_EQ(man.nvms, 1);
	CHECK_STREQ(vm->name, "db-1");
	CHECK_EQ(vm->vcpus, 2);
	CHECK_EQ(vm->memory, 128u << 20);
	CHECK_EQ(vm->boot, MANIFEST_BOOT_LINUX);
	CHECK_STREQ(vm->kernel, "linux");
	CHECK_STREQ(vm->initrd, "initrd");
	CHECK_STREQ(vm->cmdline, "console=ttyS0 root=\"/dev/vda\" quiet # not a comment");
	CHECK_EQ(vm->weight, 512);
	CHECK_EQ(vm->cap, 150);
	CHECK_EQ(vm->reservation, 50);
	CHECK_EQ(vm->pin_mask, 3);
	CHECK(vm->share && vm->patch && vm->compress);
	CHECK_STREQ(vm->trust_group, "tenant-a");
	CHECK_EQ(vm->power, MANIFEST_POWER_PERFORMANCE);
	CHECK_EQ(vm->forks, 3);
	CHECK_EQ(vm->console, MANIFEST_VCON_LOG);
	CHECK(vm->debug_exit && vm->fw_cfg);
	CHECK_EQ(vm->debug_exit_port, 0x501);
	CHECK_EQ(vm->debug_exit_size, 2);
	CHECK_EQ(vm->line, 27);
	CHECK_EQ(vm->devices_line, 47);
}

TEST(defaults)
{
	const struct manifest_vm *vm = &man.vms[0];

	CHECK_EQ(mt_load_text(VM_MIN, &man, &errs), 0);
	CHECK_EQ(man.host.console, MANIFEST_HCON_SERIAL);
	CHECK_EQ(man.host.serial_port, 0x3f8);
	CHECK_EQ(man.host.baud, 115200);
	CHECK(man.host.banner);
	CHECK(man.mem.share && man.mem.patch && man.mem.compress);
	CHECK_EQ(man.mem.scan_rate, 5000);
	CHECK_EQ(man.mem.compress_max, 2990);
	CHECK_EQ(man.sched.policy, MANIFEST_SCHED_CREDIT);
	CHECK_EQ(man.sched.default_weight, 256);
	CHECK_EQ(man.sched.overcommit, 8);
	CHECK_EQ(vm->vcpus, 1);
	CHECK_EQ(vm->boot, MANIFEST_BOOT_LINUX);
	CHECK_STREQ(vm->initrd, "");
	CHECK_STREQ(vm->cmdline, "");
	CHECK_EQ(vm->weight, 256);
	CHECK_EQ(vm->cap, 0);
	CHECK_EQ(vm->reservation, 0);
	CHECK_EQ(vm->pin_mask, 0);
	CHECK(vm->share && vm->patch && vm->compress);
	CHECK_STREQ(vm->trust_group, "web");
	CHECK_EQ(vm->power, MANIFEST_POWER_BALANCED);
	CHECK_EQ(vm->forks, 0);
	CHECK_EQ(vm->console, MANIFEST_VCON_SERIAL);
	CHECK(!vm->debug_exit && !vm->fw_cfg);
	CHECK_EQ(vm->debug_exit_port, 0xf4);
	CHECK_EQ(vm->debug_exit_size, 4);
}

/* [memory] and [scheduler] defaults apply even when written after the VM. */
TEST(inherit_from_later_tables)
{
	CHECK_EQ(mt_load_text(VM_MIN "[[vm]]\nname = \"b\"\nmemory = \"8M\"\n"
			      "kernel = \"guest-hello\"\nshare = true\nweight = 7\n"
			      "[memory]\nshare = false\npatch = false\n"
			      "[scheduler]\ndefault_weight = 100\n", &man, &errs), 0);
	CHECK(!man.vms[0].share && !man.vms[0].patch && man.vms[0].compress);
	CHECK_EQ(man.vms[0].weight, 100);
	CHECK(man.vms[1].share && !man.vms[1].patch);
	CHECK_EQ(man.vms[1].weight, 7);
}

TEST(sizes_and_integers)
{
	CHECK_EQ(mt_load_text("[[vm]]\nname = \"a\"\nmemory = \"64MiB\"\nkernel = \"linux\"\n"
			      "vcpus = 0b10\nforks = 0o7\nweight = +1_000\n"
			      "[[vm]]\nname = \"b\"\nmemory = 16777216\nkernel = \"linux\"\n"
			      "[[vm]]\nname = \"c\"\nmemory = '16384K'\nkernel = \"linux\"\n",
			      &man, &errs), 0);
	CHECK_EQ(man.vms[0].memory, 64u << 20);
	CHECK_EQ(man.vms[0].vcpus, 2);
	CHECK_EQ(man.vms[0].forks, 7);
	CHECK_EQ(man.vms[0].weight, 1000);
	CHECK_EQ(man.vms[1].memory, 16u << 20);
	CHECK_EQ(man.vms[2].memory, 16u << 20);
}

TEST(parse_size_forms)
{
	uint64_t v = 0;

	CHECK(manifest_parse_size("2G", 2, &v) && v == 2ull << 30);
	CHECK(manifest_parse_size("1TiB", 4, &v) && v == 1ull << 40);
	CHECK(manifest_parse_size("123", 3, &v) && v == 123);
	CHECK(!manifest_parse_size("12X", 3, &v));
	CHECK(!manifest_parse_size("M", 1, &v));
	CHECK(!manifest_parse_size("1Gi", 3, &v));
	CHECK(!manifest_parse_size("99999999999999999999", 20, &v));
	CHECK(!manifest_parse_size("17179869184G", 12, &v)); /* 2^64 bytes */
	CHECK(!manifest_parse_size("", 0, &v));
}

TEST(crlf_comments_and_literal_strings)
{
	CHECK_EQ(mt_load_text("# c\r\n[[vm]]   # c\r\n  name = \"w\" # c\r\nmemory=\"8M\"\r\n"
			      "kernel = \"linux\"\r\ncmdline = 'a\\b \"q\"'\r\n", &man, &errs), 0);
	CHECK_STREQ(man.vms[0].cmdline, "a\\b \"q\"");
}

TEST(text_without_newline_and_empty)
{
	CHECK_EQ(manifest_load(VM_MIN "vcpus = 2", sizeof(VM_MIN "vcpus = 2") - 1, mt_host(),
			       &man, &errs), 0);
	CHECK_EQ(man.vms[0].vcpus, 2);
	CHECK_EQ(manifest_load(NULL, 0, mt_host(), &man, &errs), -EINVAL);
	CHECK_EQ(errs.count, 1);
}

/* Not NUL-terminated: the parser must stop at len. */
TEST(length_bounds_the_text)
{
	static const char t[] = VM_MIN "vcpus = 2";
	CHECK_EQ(manifest_load(t, sizeof(t) - 2, mt_host(), &man, &errs), -EINVAL);
	CHECK_STREQ(errs.e[0].field, "vcpus");
	CHECK_STREQ(errs.e[0].msg, "missing value after '='");
}

TEST(unlimited_host)
{
	snprintf(text, sizeof(text), "%s[[vm]]\nname = \"x\"\nmemory = \"1T\"\n"
		 "kernel = \"anything\"\nvcpus = 64\npin = [63]\n", VM_MIN);
	CHECK_EQ(manifest_load(text, strlen(text), NULL, &man, &errs), 0);
	CHECK_EQ(man.vms[1].pin_mask, 1ull << 63);
}

TEST(module_sizes_checked)
{
	static const struct manifest_module mods[] = { { "k", 3 << 20 }, { "i", 2 << 20 } };
	const struct manifest_host host = { .modules = mods, .nmodules = 2 };
	const char *t = "[[vm]]\nname = \"a\"\nmemory = \"4M\"\nkernel = \"k\"\ninitrd = \"i\"\n";
	char out[512];

	CHECK_EQ(manifest_load(t, strlen(t), &host, &man, &errs), -EINVAL);
	mt_errors_text(&errs, out, sizeof(out));
	CHECK_STREQ(out, "manifest:3:10: vm \"a\": memory: kernel (3M) and initrd (2M) do not fit in 4M\n");
}

/* Each error on its own line, all of them, in file order. */
TEST(all_errors_reported)
{
	CHECK(mt_load_file("tests/manifest/bad/many_errors.ditto", &man, &errs) == -EINVAL);
	CHECK_EQ(errs.count, 12);
	CHECK_EQ(errs.dropped, 0);
	for (uint32_t i = 1; i < errs.count; i++)
		CHECK(errs.e[i].line > errs.e[i - 1].line);
	CHECK_STREQ(errs.e[3].ctx, "vm \"web\"");
	CHECK_STREQ(errs.e[3].field, "memory");
	CHECK_EQ(errs.e[3].line, 11);
	CHECK_EQ(errs.e[3].col, 10);
}

/* One error per line for 100 lines: 64 are recorded, the rest counted. */
TEST(error_overflow_counted)
{
	size_t o = (size_t)snprintf(text, sizeof(text), "%s", VM_MIN);
	char out[32 * 1024];

	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "bogus%d = 1\n", i);
	CHECK_EQ(mt_load_text(text, &man, &errs), -EINVAL);
	CHECK_EQ(errs.count, MANIFEST_MAX_ERRORS);
	CHECK_EQ(errs.dropped, 100 - MANIFEST_MAX_ERRORS);
	mt_errors_text(&errs, out, sizeof(out));
	CHECK(strstr(out, "manifest: 36 more errors not shown\n") != NULL);
	CHECK(strstr(out, "manifest:5:1: vm \"web\": bogus0: unknown key\n") == out);
}

/* A file at the size limit, full of statements, still parses. */
TEST(largest_file_parses)
{
	size_t o = (size_t)snprintf(big, sizeof(big), "%s", VM_MIN);

	while (o + 40 < MANIFEST_MAX_FILE)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "# %032u\n", (unsigned)o);
	CHECK_EQ(manifest_load(big, o, mt_host(), &man, &errs), 0);
	memset(big + o, '#', MANIFEST_MAX_FILE + 1 - o);
	CHECK_EQ(manifest_load(big, MANIFEST_MAX_FILE + 1, mt_host(), &man, &errs), -E2BIG);
	CHECK_EQ(errs.count, 1);
}

TEST(sixteen_vms_fit)
{
	size_t o = 0;

	for (int i = 0; i < 16; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "[[vm]]\nname = \"v%d\"\nmemory = \"8M\"\nkernel = \"linux\"\n", i);
	CHECK_EQ(mt_load_text(text, &man, &errs), 0);
	CHECK_EQ(man.nvms, 16);
	CHECK_EQ(manifest_find_vm(&man, "v15"), 15);
	CHECK_EQ(manifest_find_vm(&man, "v16"), -1);
}

TEST(error_format)
{
	struct manifest_error e = { .line = 12, .col = 9, .vm = 0 };
	char buf[256];

	strcpy(e.ctx, "vm \"web\"");
	strcpy(e.field, "memory");
	strcpy(e.msg, "\"12X\" is not a size (use 512M or 2G)");
	manifest_error_format(&e, "manifest", buf, sizeof(buf));
	CHECK_STREQ(buf, "manifest:12:9: vm \"web\": memory: \"12X\" is not a size (use 512M or 2G)");
	e.ctx[0] = e.field[0] = '\0';
	strcpy(e.msg, "x");
	CHECK_EQ(manifest_error_format(&e, "f", buf, 4), 9); /* "f:12:9: x" */
	CHECK_STREQ(buf, "f:1");
}

TEST(formatter)
{
	char b[32];

	CHECK_EQ(mf_snprintf(b, sizeof(b), "%d %u %x %llu %zu %c%%", -5, 7u, 0xabu,
			     18446744073709551615ull, (size_t)3, 'z'), 33);
	CHECK_STREQ(b, "-5 7 ab 18446744073709551615 3 ");
	mf_snprintf(b, sizeof(b), "[%.*s]", 3, "abcdef");
	CHECK_STREQ(b, "[abc]");
	CHECK_EQ(mf_snprintf(b, 0, "abc"), 3);
	mf_size_str(512u << 20, b, sizeof(b));
	CHECK_STREQ(b, "512M");
	mf_size_str(4097, b, sizeof(b));
	CHECK_STREQ(b, "4097");
	mf_size_str(0, b, sizeof(b));
	CHECK_STREQ(b, "0");
	{
		/* The shared formatter (lib/fmt.c) echoes a conversion it does
		 * not know instead of guessing an argument. */
		const char *bad = "%q"; /* not a literal: past -Wformat */
		mf_snprintf(b, sizeof(b), bad, 0);
		CHECK_STREQ(b, "%q");
	}
}

TEST(edit_distance)
{
	CHECK_EQ(mf_distance("wieght", 6, "weight", 3), 2);
	CHECK_EQ(mf_distance("vcpu", 4, "vcpus", 3), 1);
	CHECK_EQ(mf_distance("abc", 3, "abc", 3), 0);
	CHECK(mf_distance("zzzzzzzz", 8, "weight", 2) > 2);
	CHECK(mf_distance("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 40, "a", 3) > 3);
}

/* The schema is one table: ids are indexes, defaults inside the ranges. */
TEST(schema_consistent)
{
	for (unsigned i = 0; i < MK_COUNT; i++) {
		const struct mf_key *k = &mf_keys[i];
		CHECK_EQ(k->id, i);
		CHECK(k->name && k->field && k->doc);
		CHECK(k->section >= SEC_HOST && k->section <= SEC_DEVICES && k->section != SEC_MODULES);
		CHECK(mf_key_find((enum mf_section)k->section, k->name, strlen(k->name)) == k);
		if (k->type == MT_INT || k->type == MT_BOOL)
			CHECK(k->def >= k->min && k->def <= k->max);
		if (k->type == MT_ENUM) {
			int n = 0;
			while (k->enums[n])
				n++;
			CHECK(k->def < n && k->max == n - 1);
		}
		if (k->inherit != MK_NONE)
			CHECK(mf_keys[k->inherit].section < SEC_VM);
	}
}

/* docs/manifest.md documents every key (rows of `ditto-manifest keys`). */
TEST(docs_list_every_key)
{
	size_t len;
	char *doc = mt_read("docs/manifest.md", &len), row[96];

	CHECK(doc != NULL);
	for (unsigned i = 0; i < MK_COUNT; i++) {
		const struct mf_key *k = &mf_keys[i];
		snprintf(row, sizeof(row), "| %s | `%s` |",
			 k->section == SEC_VM ? "[[vm]]" : mf_section_names[k->section], k->name);
		if (!strstr(doc, row)) {
			printf("# docs/manifest.md lacks: %s\n", row);
			free(doc);
			CHECK(0);
		}
	}
	free(doc);
}

TEST(hints)
{
	CHECK_STREQ(mf_key_suggest(SEC_VM, "vcpu", 4), "vcpus");
	CHECK_STREQ(mf_key_suggest(SEC_VM, "trustgroup", 10), "trust_group");
	CHECK(mf_key_suggest(SEC_VM, "colour", 6) == NULL);
	CHECK_EQ(mf_key_elsewhere(SEC_HOST, "weight", 6), SEC_VM);
	CHECK_EQ(mf_key_elsewhere(SEC_VM, "fw_cfg", 6), SEC_DEVICES);
}

TEST(dump_runs)
{
	CHECK_EQ(mt_load_file("tests/manifest/good/full.ditto", &man, &errs), 0);
	manifest_dump(&man); /* printed into the test log; must not crash */
	CHECK_STREQ(manifest_boot_name(MANIFEST_BOOT_FLAT), "flat");
}
