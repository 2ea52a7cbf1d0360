#!/usr/bin/env bash
# Runs host unit tests and in-emulator tests; prints one line per test case
# and ends with "N passed, M failed". Exits non-zero on any failure.
#   tests/run.sh --build DIR --jobs N --host "t1 t2" --emu "e1 e2"
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=build jobs=2 host="" emu=""
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2;;
    --jobs) jobs=$2; shift 2;;
    --host) host=$2; shift 2;;
    --emu) emu=$2; shift 2;;
    *) echo "run.sh: unknown option $1" >&2; exit 2;;
  esac
done
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# Host tests: each binary prints "ok X" / "not ok X: why" lines.
for t in $host; do
  out=$results/host-$t.log
  "$build/host/$t" >"$out" 2>&1
  rc=$?
  grep -E '^(ok|not ok) ' "$out"
  if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out"; then
    # Crashed (sanitizer report, abort) before reporting: one failure, with its log.
    echo "not ok $t: exited with status $rc"
    tail -30 "$out" | sed 's/^/    /'
    echo "not ok $t: crashed" >>"$out"
  elif grep -q '^not ok ' "$out"; then
    grep -v -E '^(ok|not ok) ' "$out" | tail -30 | sed 's/^/    /'
  fi
done

# Emulator tests: one Bochs boot each, run in parallel; each writes its
# result lines to its own file, printed in order afterwards.
if [ -n "$emu" ]; then
  printf '%s\n' $emu | xargs -P "$jobs" -I{} \
    "$top/tests/emu/run-one.sh" --build "$build" --name {} --out "$results/emu-{}.log"
  for t in $emu; do
    cat "$results/emu-$t.log" 2>/dev/null || echo "not ok emu.$t: no result"
  done
fi

pass=$(cat "$results"/*.log 2>/dev/null | grep -c '^ok ' || true)
fail=$(cat "$results"/*.log 2>/dev/null | grep -c '^not ok ' || true)
for t in $emu; do [ -f "$results/emu-$t.log" ] || fail=$((fail + 1)); done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
