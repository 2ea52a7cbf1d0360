#!/usr/bin/env bash
# Boot an ISO in Bochs, headless (../shared/notes/bochs.md has the facts).
#   run-bochs.sh --iso ISO [--timeout S] [--serial FILE] [--log FILE]
#                [--cpus N] [--megs M] [--console] [--clock none|slowdown]
# Tests use sync=none (emulated time follows emulated instructions: repeatable,
# and idle time is skipped); `make run` uses slowdown (Bochs never runs ahead of real time) so the guest clock
# matches the wall clock.
# Exit status: Bochs' own (0 after Ditto's magic breakpoint = pass, 1 after
# ACPI power-off or a Bochs panic = fail), 124 when the timeout hit.
set -uo pipefail
iso="" timeout=0 serial="" log="" cpus=1 megs=256 console=0 clock=none
while [ $# -gt 0 ]; do
  case $1 in
    --iso) iso=$2; shift 2;;
    --timeout) timeout=$2; shift 2;;
    --serial) serial=$2; shift 2;;
    --log) log=$2; shift 2;;
    --cpus) cpus=$2; shift 2;;
    --megs) megs=$2; shift 2;;
    --console) console=1; shift;;
    --clock) clock=$2; shift 2;;
    *) echo "run-bochs: unknown option $1" >&2; exit 2;;
  esac
done
[ -f "$iso" ] || { echo "run-bochs: no ISO $iso" >&2; exit 2; }
work=$(mktemp -d)
cleanup() { [ -n "${tailpid:-}" ] && kill "$tailpid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
[ -n "$serial" ] || serial=$work/serial.log
[ -n "$log" ] || log=$work/bochs.log
: > "$serial"
cat > "$work/bochsrc" <<RC
megs: $megs
cpu: model=corei7_skylake_x, count=$cpus, ips=50000000, reset_on_triple_fault=0
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$(realpath "$iso"), status=inserted
boot: cdrom
clock: sync=$clock, time0=local
display_library: rfb, options="timeout=0"
magic_break: enabled=1
com1: enabled=1, mode=file, dev=$serial
log: $log
error: action=report
panic: action=fatal
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
speaker: enabled=0
mouse: enabled=0
RC
printf 'c\nq\n' > "$work/rc"
# The rfb display needs a free TCP port in 5900..5949 (Debian's Bochs has no
# nogui). On a shared CI host other jobs' emulators can hold all fifty: a CI
# run failed with "RFB could not bind any port" and Bochs then aborted. So each
# Bochs gets a network namespace of its own where unshare(1) is allowed (its
# ports are then private), and a bind failure is retried after a random wait.
netns=()
unshare -n true 2>/dev/null && netns=(unshare -n)
if [ "$console" = 1 ]; then
  tail -n +1 -f "$serial" & tailpid=$!
  echo "run-bochs: booting $iso in Bochs (serial console below; Ctrl-C to stop)" >&2
fi
for attempt in 1 2 3 4 5; do
  if [ "$timeout" -gt 0 ] 2>/dev/null; then
    timeout --foreground -k 5 "$timeout" "${netns[@]}" bochs -q -f "$work/bochsrc" -rc "$work/rc" </dev/null >"$work/stdout" 2>&1
  else
    "${netns[@]}" bochs -q -f "$work/bochsrc" -rc "$work/rc" </dev/null >"$work/stdout" 2>&1
  fi
  rc=$?
  grep -qs "RFB could not bind any port" "$work/stdout" || break
  echo "run-bochs: no free VNC port for Bochs' rfb display (attempt $attempt); retrying" >&2
  sleep $((2 + RANDOM % 8))
  : > "$serial"
done
cat "$work/stdout" >> "$log" 2>/dev/null
[ "$console" = 1 ] && { sleep 0.3; echo; echo "run-bochs: Bochs exited with status $rc" >&2; }
exit $rc
