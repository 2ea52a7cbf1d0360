# ditto-manifest: the kernel's manifest parser on the host (docs/manifest.md).
# (= not :=: this fragment is read before vmm/manifest/module.mk)
HOST_TOOLS += ditto-manifest
ditto-manifest_SRCS = $(MANIFEST_HOST_SRCS) tools/ditto-manifest/main.c tools/ditto-manifest/grub.c
