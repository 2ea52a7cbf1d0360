/*
 * ditto-manifest: checks a Ditto manifest on the host with the kernel's own
 * parser (vmm/manifest/), and writes the GRUB menu entry that boots it.
 *
 *   ditto-manifest check FILE [--cpus N] [--memory SIZE] [--module TAG[=SIZE]]...
 *   ditto-manifest grub FILE [--prefix DIR] [--title TEXT]
 *   ditto-manifest keys          the schema as a Markdown table
 *
 * Exit status: 0 valid, 1 invalid manifest (errors on stdout, as the kernel
 * prints them), 2 usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmm/manifest/internal.h"
#include "tools/ditto-manifest/grub.h"

#define MAX_HOST_MODULES 64

static struct manifest man;
static struct manifest_errors errs;
static char *text;
static struct manifest_module host_mods[MAX_HOST_MODULES];

static _Noreturn void usage(void)
{
	fprintf(stderr,
		"usage: ditto-manifest check FILE [--cpus N] [--memory SIZE] [--module TAG[=SIZE]]... [--as NAME]\n"
		"       ditto-manifest grub FILE [--prefix DIR] [--title TEXT]\n"
		"       ditto-manifest keys\n");
	exit(2);
}

/* The whole file, however large: manifest_load() reports an oversized one
 * with the size the kernel would see. */
static size_t read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "ditto-manifest: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			text = realloc(text, cap);
			if (!text) {
				fprintf(stderr, "ditto-manifest: out of memory\n");
				exit(2);
			}
		}
		size_t got = fread(text + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "ditto-manifest: %s: read error\n", path);
		exit(2);
	}
	fclose(f);
	return n;
}

static uint64_t size_arg(const char *opt, const char *s)
{
	uint64_t v;

	if (!manifest_parse_size(s, strlen(s), &v)) {
		fprintf(stderr, "ditto-manifest: %s: \"%s\" is not a size (use 512M or 2G)\n", opt, s);
		exit(2);
	}
	return v;
}

static int cmd_check(int argc, char **argv)
{
	struct manifest_host host = { .any_module = true };
	const char *path = NULL, *as = NULL;
	size_t len;
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--cpus") == 0 && i + 1 < argc) {
			char *end;
			unsigned long v = strtoul(argv[++i], &end, 0);
			if (*end || v == 0 || v > 4096) {
				fprintf(stderr, "ditto-manifest: --cpus: \"%s\" is not 1..4096\n", argv[i]);
				return 2;
			}
			host.cpus = (uint32_t)v;
		} else if (strcmp(a, "--memory") == 0 && i + 1 < argc) {
			host.memory_bytes = size_arg(a, argv[++i]);
		} else if (strcmp(a, "--module") == 0 && i + 1 < argc) {
			char *tag = argv[++i], *eq = strchr(tag, '=');
			if (host.nmodules == MAX_HOST_MODULES) {
				fprintf(stderr, "ditto-manifest: more than %d --module\n", MAX_HOST_MODULES);
				return 2;
			}
			if (eq)
				*eq = '\0';
			host_mods[host.nmodules].tag = tag;
			host_mods[host.nmodules].size = eq ? size_arg(a, eq + 1) : 0;
			host.nmodules++;
			host.any_module = false;
		} else if (strcmp(a, "--as") == 0 && i + 1 < argc) {
			as = argv[++i];
		} else if (a[0] == '-' || path) {
			usage();
		} else {
			path = a;
		}
	}
	if (!path)
		usage();
	host.modules = host_mods;
	len = read_file(path);
	rc = manifest_load(text, len, &host, &man, &errs);
	if (rc) {
		manifest_print_errors(&errs, as ? as : path);
		printf("%s: %u error%s: no VM would start\n", as ? as : path,
		       errs.count + errs.dropped, errs.count + errs.dropped == 1 ? "" : "s");
		return 1;
	}
	manifest_dump(&man);
	return 0;
}

static int cmd_grub(int argc, char **argv)
{
	const char *path = NULL, *prefix = "/boot", *title = NULL;
	static char entry[64 * 1024];
	size_t len;
	int n;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc)
			prefix = argv[++i];
		else if (strcmp(argv[i], "--title") == 0 && i + 1 < argc)
			title = argv[++i];
		else if (argv[i][0] == '-' || path)
			usage();
		else
			path = argv[i];
	}
	if (!path)
		usage();
	len = read_file(path);
	if (manifest_load(text, len, NULL, &man, &errs)) {
		manifest_print_errors(&errs, path);
		return 1;
	}
	n = manifest_grub_entry(&man, path, prefix, title, entry, sizeof(entry));
	if (n < 0) {
		fprintf(stderr, "ditto-manifest: %s: file names and --prefix must be of A-Z a-z 0-9 . _ + - /\n",
			path);
		return 2;
	}
	fputs(entry, stdout);
	return 0;
}

static const char *type_name(const struct mf_key *k)
{
	static const char *const names[] = {
		[MT_BOOL] = "bool", [MT_INT] = "integer", [MT_SIZE] = "size",
		[MT_ENUM] = "string", [MT_NAME] = "name", [MT_TAG] = "module tag",
		[MT_TEXT] = "string", [MT_CPULIST] = "array of CPU ids",
	};
	return names[k->type];
}

static int cmd_keys(void)
{
	printf("| table | key | type | default | range | meaning |\n");
	printf("|---|---|---|---|---|---|\n");
	for (unsigned i = 0; i < MK_COUNT; i++) {
		const struct mf_key *k = &mf_keys[i];
		char def[64], range[96];
		const char *sec = k->section == SEC_VM ? "[[vm]]" : mf_section_names[k->section];

		if (k->flags & MF_REQUIRED)
			snprintf(def, sizeof(def), "required");
		else if (k->inherit != MK_NONE)
			snprintf(def, sizeof(def), "%s.%s", mf_section_names[mf_keys[k->inherit].section],
				 mf_keys[k->inherit].name);
		else if (k->type == MT_BOOL)
			snprintf(def, sizeof(def), "%s", k->def ? "true" : "false");
		else if (k->type == MT_ENUM)
			snprintf(def, sizeof(def), "\"%s\"", k->enums[k->def]);
		else if (k->type == MT_INT && (k->flags & MF_HEX))
			snprintf(def, sizeof(def), "0x%llx", (unsigned long long)k->def);
		else if (k->type == MT_INT)
			snprintf(def, sizeof(def), "%lld", (long long)k->def);
		else if (k->id == MK_VM_TRUST_GROUP)
			snprintf(def, sizeof(def), "the VM's name");
		else if (k->type == MT_CPULIST)
			snprintf(def, sizeof(def), "[] (any)");
		else
			snprintf(def, sizeof(def), "\"\"");

		range[0] = '\0';
		if (k->type == MT_ENUM) {
			size_t o = 0;
			for (int e = 0; k->enums[e]; e++)
				o += (size_t)snprintf(range + o, sizeof(range) - o, "%s%s", e ? ", " : "",
						      k->enums[e]);
		} else if (k->type == MT_INT && (k->flags & MF_HEX)) {
			snprintf(range, sizeof(range), "0x%llx..0x%llx", (unsigned long long)k->min,
				 (unsigned long long)k->max);
		} else if (k->type == MT_INT || k->type == MT_CPULIST) {
			snprintf(range, sizeof(range), "%lld..%lld", (long long)k->min, (long long)k->max);
		} else if (k->type == MT_SIZE) {
			char lo[24], hi[24];
			mf_size_str((uint64_t)k->min, lo, sizeof(lo));
			mf_size_str((uint64_t)k->max, hi, sizeof(hi));
			snprintf(range, sizeof(range), "%s..%s", lo, hi);
		} else if (k->type == MT_TEXT) {
			snprintf(range, sizeof(range), "0..%lld bytes", (long long)k->max);
		} else if (k->type == MT_NAME || k->type == MT_TAG) {
			snprintf(range, sizeof(range), "1..%u bytes", MANIFEST_NAME_MAX - 1);
		}
		printf("| %s | `%s` | %s | %s | %s | %s |\n", sec, k->name, type_name(k), def,
		       range, k->doc);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	if (argc >= 3 && strcmp(argv[1], "grub") == 0)
		return cmd_grub(argc - 2, argv + 2);
	if (argc == 2 && strcmp(argv[1], "keys") == 0)
		return cmd_keys();
	usage();
}
