#!/bin/bash
# Build the test initramfs of a Linux guest from Debian's busybox-static:
#
#   tests/linux/mkinitramfs.sh [--busybox PATH] [--dittoctl PATH] [-o OUT]
#
# Default busybox: the one tests/linux/fetch.sh unpacked into $CACHE; default
# output: $CACHE/linux/initramfs.cpio.gz. Prints OUT on the last line.
#
# The guest's /init (a busybox sh script) mounts /proc and /sys, prints the
# kernel log lines that mention a warning, an error or a firmware bug, runs
# /bin/dittoctl if the archive has one (--dittoctl), prints the number of
# CPUs, then the marker DITTO-LINUX-INIT-OK, and powers off (poweroff -f:
# no init system to stop). Every line it prints starts with "ditto-init:"
# except the marker, so a test can grep the serial console.
#
# The archive is newc cpio (what the kernel's initramfs unpacker reads),
# gzip-compressed. /dev/console must exist before /init runs (the kernel opens
# it for init's stdio), and making a device node needs root: so the node is
# written as a second newc archive by hand and appended; the kernel unpacks
# concatenated archives in order.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
CACHE=${CACHE:-$here/../../cache}
busybox=$CACHE/linux/busybox/bin/busybox
dittoctl=
out=$CACHE/linux/initramfs.cpio.gz

while [ $# -gt 0 ]; do
	case $1 in
	--busybox) busybox=$2; shift 2 ;;
	--dittoctl) dittoctl=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	*) echo "usage: $0 [--busybox PATH] [--dittoctl PATH] [-o OUT]" >&2; exit 2 ;;
	esac
done

die() { echo "mkinitramfs.sh: $*" >&2; exit 1; }
[ -x "$busybox" ] || die "no busybox at $busybox (run tests/linux/fetch.sh first)"
command -v cpio >/dev/null || die "needs cpio (apt-get install cpio)"
command -v gzip >/dev/null || die "needs gzip"
file_info=$(file -b "$busybox" 2>/dev/null || true)
case $file_info in
*dynamically*) die "$busybox is dynamically linked: use busybox-static" ;;
esac

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root}
cp "$busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
# One symlink per applet this busybox has (it is static: it runs on the host).
for applet in $("$root/bin/busybox" --list); do
	[ "$applet" = busybox ] || [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
for t in sh mount dmesg grep nproc poweroff echo; do
	[ -e "$root/bin/$t" ] || die "busybox lacks the applet $t"
done
if [ -n "$dittoctl" ]; then
	[ -f "$dittoctl" ] || die "no dittoctl at $dittoctl"
	cp "$dittoctl" "$root/bin/dittoctl"
	chmod 755 "$root/bin/dittoctl"
fi

cat >"$root/init" <<'INIT'
#!/bin/sh
# /init of Ditto's Linux test guest (tests/linux/mkinitramfs.sh).
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "ditto-init: Linux $(uname -r) reached userspace"
dmesg | grep -i -E 'warning|error|firmware bug' | while read -r line; do
	echo "ditto-init: dmesg: $line"
done
if [ -x /bin/dittoctl ]; then
	/bin/dittoctl
	echo "ditto-init: dittoctl exit status $?"
fi
echo "ditto-init: nproc $(nproc)"
# Every CPU runs a process: pin one to each and have it say where it ran.
i=0
while [ "$i" -lt "$(nproc)" ]; do
	taskset -c "$i" sh -c "echo ditto-init: cpu $i ran pid \$\$ on \$(cut -d' ' -f39 /proc/self/stat)"
	i=$((i + 1))
done
# The scheduler's accounting of this VM, after the per-CPU runs above.
[ -x /bin/dittoctl ] && /bin/dittoctl sched
echo DITTO-LINUX-INIT-OK
sync
poweroff -f
# Not reached unless poweroff fails: do not let init exit (a kernel panic).
while :; do sleep 3600; done
INIT
chmod 755 "$root/init"

# newc header (cpio(5), "New ASCII Format"): magic, then 13 fields as 8 hex digits.
newc() { # name mode rdevmajor rdevminor
	local name=$1 mode=$2 maj=$3 min=$4 n
	n=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$ino" "$mode" 0 0 1 0 0 0 0 "$maj" "$min" "$n" 0
	printf '%s\0' "$name"
	# header (110 bytes) + name, padded to a multiple of 4
	local pad=$(( (4 - (110 + n) % 4) % 4 ))
	head -c "$pad" /dev/zero
	ino=$((ino + 1))
}

mkdir -p "$(dirname "$out")"
tmp=$out.tmp
{
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0)
	ino=900000
	newc dev/console $((0020000 | 0600)) 5 1
	newc TRAILER!!! 0 0 0
} | gzip -9 -n >"$tmp"
mv "$tmp" "$out"
echo "mkinitramfs.sh: $(stat -c %s "$out") bytes, busybox $("$busybox" 2>&1 | head -1 | cut -d' ' -f2)" >&2
echo "$out"
