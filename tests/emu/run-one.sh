#!/usr/bin/env bash
# Run one in-emulator test: build its ISO, boot it in Bochs, judge the serial
# log, write result lines to --out (tests/run.sh prints them).
#   run-one.sh --build DIR --name NAME --out FILE
#
# A test is tests/emu/NAME.test, a bash fragment setting:
#   cmdline="ditto.test=selftest"   kernel command line (ditto.on_panic=exit is added)
#   modules=(FILE:TAG ...)          GRUB modules (paths relative to the tree)
#   timeout=120                     seconds before the run counts as a hang
#   expect=pass                     pass | fail | panic | timeout (harness self-tests)
#   must_log=(REGEX ...)            lines the serial log must contain
#   must_not_log=(REGEX ...)        lines it must not contain
#   cpus=1 megs=256                 Bochs machine
# Verdicts: pass = Bochs exit 0 + "DITTO-RESULT: PASS"; panic = "DITTO-PANIC";
# fail = "DITTO-RESULT: FAIL"; timeout = no end within the timeout.
# Every "DITTO-CASE: ok|not ok X" line is one more counted case, emu.NAME.X.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=build name="" out=/dev/stdout
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2;;
    --name) name=$2; shift 2;;
    --out) out=$2; shift 2;;
    *) echo "run-one: unknown option $1" >&2; exit 2;;
  esac
done
cd "$top"
cmdline="" modules=() timeout=120 expect=pass must_log=() must_not_log=() cpus=1 megs=256
# shellcheck disable=SC1090
source "tests/emu/$name.test"
dir=$build/emu/$name
rm -rf "$dir"; mkdir -p "$dir"
result() { echo "$@" >> "$out"; }
: > "$out"
tail_logs() {
  { echo "    --- serial log (last 25 lines): $dir/serial.log"
    tail -n 25 "$dir/serial.log" 2>/dev/null | sed 's/^/    | /'
    echo "    --- Bochs log (last 12 lines): $dir/bochs.log"
    grep -v '^$' "$dir/bochs.log" 2>/dev/null | tail -n 12 | sed 's/^/    | /'
  } >> "$out"
}
if ! scripts/mkiso.sh "$dir/test.iso" "$build/ditto.elf" "$cmdline ditto.on_panic=exit" "${modules[@]}" 2>"$dir/mkiso.err"; then
  result "not ok emu.$name: could not build the ISO"; sed 's/^/    /' "$dir/mkiso.err" >> "$out"; exit 0
fi
start=$(date +%s)
scripts/run-bochs.sh --iso "$dir/test.iso" --timeout "$timeout" --serial "$dir/serial.log" \
  --log "$dir/bochs.log" --cpus "$cpus" --megs "$megs"
rc=$?
secs=$(( $(date +%s) - start ))
log=$dir/serial.log
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then verdict=timeout
elif grep -q 'DITTO-PANIC' "$log"; then verdict=panic
elif grep -q 'DITTO-RESULT: FAIL' "$log"; then verdict=fail
elif [ $rc -eq 0 ] && grep -q 'DITTO-RESULT: PASS' "$log"; then verdict=pass
else verdict="emulator-error(rc=$rc)"
fi
# Sub-cases reported by the kernel (only meaningful for tests expected to pass).
if [ "$expect" = pass ]; then
  grep -a -o 'DITTO-CASE: .*' "$log" | tr -d '\r' | while read -r _ st rest; do
    if [ "$st" = ok ]; then result "ok emu.$name.$rest"; else result "not ok emu.$name.${rest#ok }"; fi
  done
fi
missing=()
for re in "${must_log[@]}"; do grep -a -q -E -- "$re" "$log" || missing+=("$re"); done
for re in "${must_not_log[@]}"; do grep -a -q -E -- "$re" "$log" && missing+=("(must not appear) $re"); done
if [ "$verdict" = "$expect" ] && [ ${#missing[@]} -eq 0 ]; then
  result "ok emu.$name ($verdict, ${secs}s)"
else
  why="expected $expect, got $verdict"
  [ ${#missing[@]} -gt 0 ] && why="$why; serial log lacks: ${missing[*]}"
  result "not ok emu.$name: $why (${secs}s)"
  tail_logs
fi
exit 0
