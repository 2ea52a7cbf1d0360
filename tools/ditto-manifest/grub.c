/*
 * The GRUB menu entry of a manifest. GRUB 2's `module2 FILE ARGS` hands ARGS
 * to the kernel as the module's string (multiboot2 spec, 3.6.6 "Modules");
 * Ditto reads that string as the module's tag.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "tools/ditto-manifest/grub.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + (o->len < o->size ? o->len : o->size),
		      o->len < o->size ? o->size - o->len : 0, fmt, ap);
	va_end(ap);
	o->len += n > 0 ? (size_t)n : 0;
}

/* Characters GRUB's lexer takes literally in an unquoted word. */
static int plain(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._+-/", *s)))
			return 0;
	return 1;
}

void manifest_grub_file(const struct manifest *m, const char *prefix, const char *tag,
			char *buf, size_t size)
{
	for (uint32_t i = 0; i < m->nmodules; i++) {
		if (strcmp(m->modules[i].tag, tag) != 0)
			continue;
		if (m->modules[i].path[0] == '/')
			snprintf(buf, size, "%s", m->modules[i].path);
		else
			snprintf(buf, size, "%s/%s", prefix, m->modules[i].path);
		return;
	}
	snprintf(buf, size, "%s/%s", prefix, tag);
}

int manifest_grub_entry(const struct manifest *m, const char *manifest_path,
			const char *prefix, const char *title, char *buf, size_t size)
{
	const char *base = strrchr(manifest_path, '/');
	const char *done[2 * MANIFEST_MAX_VMS];
	unsigned ndone = 0;
	char file[MANIFEST_PATH_MAX + 256];
	struct out o = { buf, size, 0 };

	base = base ? base + 1 : manifest_path;
	if (!plain(prefix) || !plain(base) || strchr(base, '/'))
		return -EINVAL;
	put(&o, "menuentry \"");
	for (const char *c = title ? title : "Ditto"; *c; c++)
		put(&o, "%s%c", strchr("\"\\$", *c) ? "\\" : "", *c);
	put(&o, "\" {\n\tmultiboot2 %s/ditto.elf\n", prefix);
	put(&o, "\tmodule2 %s/%s manifest\n", prefix, base);
	for (uint32_t i = 0; i < m->nvms; i++) {
		const char *tags[2] = { m->vms[i].kernel, m->vms[i].initrd };
		for (int t = 0; t < 2; t++) {
			int seen = !tags[t][0];
			for (unsigned j = 0; j < ndone && !seen; j++)
				seen = strcmp(done[j], tags[t]) == 0;
			if (seen)
				continue;
			done[ndone++] = tags[t];
			manifest_grub_file(m, prefix, tags[t], file, sizeof(file));
			if (!plain(file))
				return -EINVAL;
			put(&o, "\tmodule2 %s %s\n", file, tags[t]);
		}
	}
	put(&o, "}\n");
	if (o.len >= size)
		return -ENOSPC;
	return (int)o.len;
}
