#!/usr/bin/env bash
# Boot an ISO in QEMU.
#   run-qemu.sh --iso ISO [--timeout S] [--kvm] [--serial FILE] [--cpus N]
# TCG (default) has no VT-x: use it for boot, paging and driver work only.
# --kvm: KVM with -cpu host, for hosts with (nested) VT-x.
# Exit status: 33 = Ditto passed, 35 = Ditto failed (isa-debug-exit), 124 = timeout.
set -uo pipefail
iso="" timeout=0 kvm=0 serial="" cpus=1
while [ $# -gt 0 ]; do
  case $1 in
    --iso) iso=$2; shift 2;;
    --timeout) timeout=$2; shift 2;;
    --kvm) kvm=1; shift;;
    --serial) serial=$2; shift 2;;
    --cpus) cpus=$2; shift 2;;
    *) echo "run-qemu: unknown option $1" >&2; exit 2;;
  esac
done
accel=(-accel tcg -cpu max)
if [ "$kvm" = 1 ]; then
  [ -w /dev/kvm ] || { echo "run-qemu: /dev/kvm is not available here; run-kvm needs a host with VT-x (nested VT-x inside a VM)" >&2; exit 2; }
  accel=(-accel kvm -cpu host)
else
  echo "run-qemu: QEMU TCG emulates no VT-x: Ditto boots and tests its drivers, but runs no VM" >&2
fi
ser=(-serial stdio)
[ -n "$serial" ] && ser=(-serial "file:$serial")
cmd=(qemu-system-x86_64 "${accel[@]}" -m 256 -smp "$cpus" -cdrom "$iso" -display none
     -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 "${ser[@]}")
if [ "$timeout" -gt 0 ] 2>/dev/null; then
  timeout -k 5 "$timeout" "${cmd[@]}"
else
  "${cmd[@]}"
fi
