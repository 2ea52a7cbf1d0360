#!/bin/bash
# Fetch the Linux guest's pieces as pinned Debian packages into the gitignored
# cache and print where the bzImage is:
#
#   tests/linux/fetch.sh            # -> $CACHE/linux/{kernel,busybox}/...
#   CACHE=/work/main/cache tests/linux/fetch.sh
#
# linux-image-cloud-amd64 is a metapackage; `apt-cache depends` names the real
# package behind it (pinned here with its version and the sha256 of the .deb
# as Debian's Packages index lists it). The packages come through apt
# (`apt-get download`), are checked against the pinned sha256 and unpacked with
# `dpkg -x`; nothing is installed on the host. Nothing of them is committed.
#
# Output (last lines, machine-readable):
#   KERNEL=<path of the bzImage>
#   BUSYBOX=<path of the static busybox binary>
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
CACHE=${CACHE:-$here/../../cache}
dir=$CACHE/linux

# Pinned (Debian 12 "bookworm"; the kernel from bookworm-security).
KERNEL_PKG=linux-image-6.1.0-57-cloud-amd64
KERNEL_VER=6.1.192-3
KERNEL_SHA256=4fdd0172a8c3f41a97e92465b2ac1867e1c10d82d7aeed3d26ee7a5d14df1754
KERNEL_FILE=boot/vmlinuz-6.1.0-57-cloud-amd64
BUSYBOX_PKG=busybox-static
BUSYBOX_VER=1:1.35.0-4+deb12u1+b1
BUSYBOX_SHA256=3d3fdbe91d4660c873e14b092c213fe81c1da6362daa236eb25d0171eb108744
BUSYBOX_FILE=bin/busybox

die() { echo "fetch.sh: $*" >&2; exit 1; }

# fetch PKG VERSION SHA256 DESTDIR: download (once), verify, unpack (once).
fetch() {
	local pkg=$1 ver=$2 sum=$3 dest=$4
	local deb="$dir/debs/${pkg}_${ver#*:}_amd64.deb"
	mkdir -p "$dir/debs"
	if [ ! -f "$deb" ]; then
		local tmp
		tmp=$(mktemp -d "$dir/debs/dl.XXXXXX")
		chmod 777 "$tmp" # apt-get downloads as user _apt when it can
		if ! (cd "$tmp" && apt-get download -q "$pkg=$ver" >&2); then
			rm -rf "$tmp"
			die "apt-get download $pkg=$ver failed. Run 'apt-get update'; if Debian has
dropped this version from its archive, take it from https://snapshot.debian.org/
(package $pkg, version $ver) into $deb, or pin a newer version here
(apt-cache depends linux-image-cloud-amd64; apt-cache show <pkg> | grep SHA256)."
		fi
		mv "$tmp"/*.deb "$deb"
		rmdir "$tmp"
	fi
	local got
	got=$(sha256sum "$deb" | cut -d' ' -f1)
	[ "$got" = "$sum" ] || die "$deb: sha256 $got, expected $sum (pinned)"
	if [ ! -f "$dest/.unpacked" ] || [ "$(cat "$dest/.unpacked")" != "$sum" ]; then
		rm -rf "$dest"
		mkdir -p "$dest"
		dpkg -x "$deb" "$dest"
		echo "$sum" >"$dest/.unpacked"
	fi
}

command -v apt-get >/dev/null || die "needs apt-get (Debian)"
command -v dpkg >/dev/null || die "needs dpkg"

fetch "$KERNEL_PKG" "$KERNEL_VER" "$KERNEL_SHA256" "$dir/kernel"
fetch "$BUSYBOX_PKG" "$BUSYBOX_VER" "$BUSYBOX_SHA256" "$dir/busybox"

kernel=$dir/kernel/$KERNEL_FILE
busybox=$dir/busybox/$BUSYBOX_FILE
[ -f "$kernel" ] || die "$KERNEL_PKG has no $KERNEL_FILE"
[ -x "$busybox" ] || die "$BUSYBOX_PKG has no $BUSYBOX_FILE"
echo "fetch.sh: $KERNEL_PKG $KERNEL_VER ($(stat -c %s "$kernel") bytes)" >&2
echo "KERNEL=$(realpath "$kernel")"
echo "BUSYBOX=$(realpath "$busybox")"
