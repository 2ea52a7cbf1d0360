#!/bin/bash
# The loader's output on a real (emulated) CPU, before Ditto's VMX path runs
# Linux: linux-loadcheck loads Debian's kernel and the test initramfs into a
# 256 MiB VM and dumps what it wrote plus the entry state (a boot blob);
# QEMU (TCG: no VT-x needed) boots vmm/boot/tools/replay_stub.S as a multiboot
# kernel with the blob as its module; the stub copies the blob into place and
# enters the kernel in 64-bit mode with the loader's GDT, page tables, RSI and
# RIP. Passes when the guest's /init prints DITTO-LINUX-INIT-OK.
#
#   tests/linux/qemu-boot.sh [extra kernel command line]
#
# The guest gets Ditto's own ACPI tables (vmm/dev/acpi.c: 2 CPUs, PM block at
# 0x600 and SCI 9, which is also where QEMU's PIIX4 has them), in the top
# 64 KiB of RAM reported as E820_ACPI, with the RSDP in boot_params; QEMU
# runs with -smp 2, and /init's poweroff -f (ACPI S5) ends QEMU. QEMU's own
# firmware tables are not used (the kernel takes acpi_rsdp_addr first).
# Environment: CPUS (default 2), CACHE (kernel, busybox,
# default cache/ in the tree), DEPS_CACHE (the make CACHE, default CACHE),
# TIMEOUT (seconds, default 300).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export CACHE=${CACHE:-$top/cache}
TIMEOUT=${TIMEOUT:-300}
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-boot.sh: needs qemu-system-x86_64" >&2; exit 1; }

eval "$("$here/fetch.sh" | grep -E '^(KERNEL|BUSYBOX)=')"
# DITTOCTL: a dittoctl to put in the initramfs (default: build/guests/dittoctl if
# built; "none" for none). Under QEMU its VMCALLs fault (#UD): /init goes on.
DITTOCTL=${DITTOCTL:-$top/build/guests/dittoctl}
ctl=()
if [ "$DITTOCTL" != none ] && [ -f "$DITTOCTL" ]; then
	ctl=(--dittoctl "$DITTOCTL")
fi
initrd=$("$here/mkinitramfs.sh" --busybox "$BUSYBOX" "${ctl[@]}" | tail -1)
make -s -C "$top" CACHE="${DEPS_CACHE:-$CACHE}" build/tools/linux-loadcheck

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -m32 -c "$top/vmm/boot/tools/replay_stub.S" -o "$work/stub.o"
printf 'ENTRY(_start) SECTIONS { . = 0x6000000; .text : { *(.multiboot) *(.text) } .data : { *(.data) } .bss : { *(.bss) } }\n' >"$work/stub.ld"
ld -m elf_i386 --no-warn-rwx-segments -T "$work/stub.ld" -o "$work/stub.elf" "$work/stub.o"

cpus=${CPUS:-2}
cmdline="console=ttyS0 panic=-1 ${*:-}"
"$top/build/tools/linux-loadcheck" --mem 256 --acpi 0xfff0000 --cpus "$cpus" --dump "$work/blob" \
	"$KERNEL" "$initrd" "$cmdline" | grep -E '^(kernel|initrd|e820|  \[|entry|linux-loadcheck)'
# QEMU runs in the background; it is stopped (by its pid) once /init's marker
# or a halt/panic line is on the console, or after TIMEOUT seconds.
qemu-system-x86_64 -machine pc -m 256 -smp "$cpus" -nographic -no-reboot -serial file:"$work/console" \
	-monitor none -kernel "$work/stub.elf" -initrd "$work/blob" </dev/null >"$work/qemu.out" 2>&1 &
qpid=$!
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$qpid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
	if grep -qE 'reboot: (System halted|Power down)|Kernel panic' "$work/console" 2>/dev/null; then
		sleep 1
		break
	fi
	sleep 1
done
kill "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
tr -d '\r' <"$work/console" | sed 's/^/guest| /'
if grep -q DITTO-LINUX-INIT-OK "$work/console"; then
	echo "qemu-boot.sh: PASS: the loader's boot state reached /init (DITTO-LINUX-INIT-OK)"
else
	cat "$work/qemu.out" >&2
	echo "qemu-boot.sh: FAIL: no DITTO-LINUX-INIT-OK on the console" >&2
	exit 1
fi
