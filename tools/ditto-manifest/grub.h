/* The GRUB menu entry of a manifest (docs/manifest.md, "GRUB"). */
#ifndef DITTO_TOOLS_MANIFEST_GRUB_H
#define DITTO_TOOLS_MANIFEST_GRUB_H
#include <stddef.h>
#include "vmm/manifest/manifest.h"

/*
 * Writes the menuentry that boots Ditto with the manifest file (loaded as
 * /PREFIX/basename(manifest_path), string "manifest") and every module its
 * VMs name, once each, in order of first use. Returns the length written,
 * -EINVAL if a name would need quoting, -ENOSPC if buf is too small.
 */
int manifest_grub_entry(const struct manifest *m, const char *manifest_path,
			const char *prefix, const char *title, char *buf, size_t size);

/* The file GRUB loads for a tag: its [modules] path, else PREFIX/TAG. */
void manifest_grub_file(const struct manifest *m, const char *prefix, const char *tag,
			char *buf, size_t size);
#endif
