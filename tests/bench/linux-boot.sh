#!/usr/bin/env bash
# Benchmark (prints numbers; not a test): Debian's kernel + the test initramfs
# booted to /init bare in Bochs and under Ditto in Bochs, one after the other
# on the same machine, compared by the guest kernel's own clock at
# "Run /init as init process" (Bochs' TSC follows emulated instructions, so
# this is a work count, not wall time), both told the TSC rate Ditto measured.
# Then the exits by reason under Ditto.
#   tests/bench/linux-boot.sh [BUILD]      (after `make elf guests linux-images`)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
cd "$top"
out=$build/bench-linux
mkdir -p "$out"
cl="console=ttyS0 panic=-1"
scripts/mkiso.sh "$out/ditto.iso" "$build/ditto.elf" "ditto.test=manifest ditto.on_panic=exit" \
  tests/emu/data/manifest-linux.ditto:manifest "$build/linux/bzImage:linux" "$build/linux/initrd.img:initrd"
run() { # iso serial -> wall seconds
  local t0 t1
  t0=$(date +%s.%N)
  scripts/run-bochs.sh --iso "$1" --serial "$2" --log "$2.bochs" --megs 384 --timeout 900 >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
wall_ditto=$(run "$out/ditto.iso" "$out/ditto.serial")
# Bochs' CPUID claims a 3.5 GHz TSC (leaves 15H/16H) for a TSC that advances
# ips (50 M) per emulated second, and bare Linux believes it: its TSC clock,
# delays and LAPIC timer period are then all off by that factor. Ditto tells
# its guests the TSC it measured; the bare kernel gets the same figure with
# tsc_early_khz= (which also makes it calibrate its LAPIC against the PIT), so
# that both boots run on the same, correct clocks.
khz=$(grep -a -o 'time: TSC [0-9]* kHz' "$out/ditto.serial" | head -1 | tr -dc 0-9)
[ -n "$khz" ] || { echo "linux-boot: Ditto did not print its TSC rate (logs in $out)"; exit 1; }
scripts/mkiso.sh --bare-linux "$out/bare.iso" "$build/linux/bzImage" "$build/linux/initrd.img" "$cl tsc_early_khz=$khz"
wall_bare=$(run "$out/bare.iso" "$out/bare.serial")
stamp() { grep -a -o '\[ *[0-9.]*\] Run /init as init process' "$1" | head -1 | sed 's/\[ *\([0-9.]*\)\].*/\1/'; }
t_bare=$(stamp "$out/bare.serial")
t_ditto=$(stamp "$out/ditto.serial")
[ -n "$t_bare" ] && [ -n "$t_ditto" ] || { echo "linux-boot: a boot did not reach /init (logs in $out)"; exit 1; }
echo "linux-boot: guest kernel time to /init: bare ${t_bare} s, under Ditto ${t_ditto} s, ratio $(echo "scale=3; $t_ditto / $t_bare" | bc)"
echo "linux-boot: wall time of the whole Bochs run (BIOS, GRUB, kernel, init): bare ${wall_bare} s, Ditto ${wall_ditto} s"
grep -a "exits:" "$out/ditto.serial" | head -1 | sed 's/^/linux-boot: /'
