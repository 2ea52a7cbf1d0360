/* Helpers shared by the manifest host tests: files, the test host, errors. */
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "vmm/manifest/manifest.h"

char *mt_read(const char *path, size_t *len);
const struct manifest_host *mt_host(void);
int mt_load_file(const char *path, struct manifest *m, struct manifest_errors *e);
int mt_load_text(const char *text, struct manifest *m, struct manifest_errors *e);
void mt_errors_text(const struct manifest_errors *e, char *buf, size_t size);

/* Tests run from the top of the tree (tests/run.sh, make test). */
char *mt_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

/* The host of tests/manifest/README.md: 2 CPUs, 256 MiB, four modules. */
const struct manifest_host *mt_host(void)
{
	static const struct manifest_module mods[] = {
		{ "manifest", 2048 }, { "guest-hello", 64 << 10 }, { "linux", 8 << 20 },
		{ "initrd", 16 << 20 }, { "big", 200 << 20 },
	};
	static const struct manifest_host host = {
		.cpus = 2, .memory_bytes = 256u << 20,
		.modules = mods, .nmodules = sizeof(mods) / sizeof(mods[0]),
	};
	return &host;
}

int mt_load_file(const char *path, struct manifest *m, struct manifest_errors *e)
{
	size_t len;
	char *text = mt_read(path, &len);
	int rc;

	if (!text)
		return -1000;
	rc = manifest_load(text, len, mt_host(), m, e);
	free(text);
	return rc;
}

int mt_load_text(const char *text, struct manifest *m, struct manifest_errors *e)
{
	return manifest_load(text, strlen(text), mt_host(), m, e);
}

/* The lines manifest_print_errors() prints, joined by '\n'. */
void mt_errors_text(const struct manifest_errors *e, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i < e->count && o < size; i++) {
		o += manifest_error_format(&e->e[i], "manifest", buf + o, size - o);
		if (o + 1 < size)
			buf[o++] = '\n';
		buf[o < size ? o : size - 1] = '\0';
	}
	if (e->dropped && o < size)
		snprintf(buf + o, size - o, "manifest: %u more errors not shown\n", e->dropped);
}
