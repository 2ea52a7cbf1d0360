#!/bin/bash
# The loader against Debian's real kernel: fetch the pinned kernel and
# busybox-static, build the test initramfs, build linux-loadcheck and load
# both into a 256 MiB VM (host-side: no VMX). Exit 0 when the loader accepts
# them; prints the header summary, the placement and the zero page.
#
#   tests/linux/loadcheck.sh     # kernel etc. in $CACHE/linux (default: cache/ in the tree)
#   make CACHE=/work/main/cache LINUX_CACHE=cache linux-loadcheck
# DEPS_CACHE (default: CACHE) is the CACHE the tool is built with (third-party deps).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export CACHE=${CACHE:-$top/cache}
eval "$("$here/fetch.sh" | grep -E '^(KERNEL|BUSYBOX)=')"
initrd=$("$here/mkinitramfs.sh" --busybox "$BUSYBOX" | tail -1)
make -s -C "$top" CACHE="${DEPS_CACHE:-$CACHE}" build/tools/linux-loadcheck
"$top/build/tools/linux-loadcheck" --mem 256 "$KERNEL" "$initrd" "console=ttyS0 panic=-1"
