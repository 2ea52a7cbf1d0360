#!/usr/bin/env bash
# Benchmark (prints numbers; not a test): the credit scheduler in Bochs with
# 4 CPUs (and the 2-CPU consolidation manifest for comparison), through
# ditto.test=sched (boot/tests_sched.c): each VM's share of a CPU beside its
# max-min fair share, the cap's busiest 1 s window, idle VMs' cost and timer
# lateness, migrations, slices per second, and the interference figure.
#   tests/bench/sched-bochs.sh [BUILD]      (after `make elf guests`)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
cd "$top"
out=$build/bench-sched-bochs
mkdir -p "$out"
row() { # name cpus manifest probe
	local name=$1 cpus=$2 manifest=$3 probe=$4 t0 t1
	scripts/mkiso.sh "$out/$name.iso" "$build/ditto.elf" "ditto.test=sched ditto.probe=$probe ditto.on_panic=exit" \
		"$manifest:manifest" "$build/guests/cpuhog.bin:hog" "$build/guests/idle.bin:idle" >/dev/null
	t0=$(date +%s)
	scripts/run-bochs.sh --iso "$out/$name.iso" --serial "$out/$name.serial" --log "$out/$name.bochs" \
		--cpus "$cpus" --timeout 900 >/dev/null 2>&1 || true
	t1=$(date +%s)
	echo "== $name: $cpus CPUs, $(grep -c '^\[\[vm\]\]' "$manifest") VMs, Bochs wall time $((t1 - t0)) s"
	grep -a -E '^sched: |^DITTO-RESULT' "$out/$name.serial" || echo "(no result: see $out/$name.serial)"
	# Context switches: slices per CPU-second of the run.
	grep -a '^run: CPU [0-9]* ran vCPUs' "$out/$name.serial" || true
}
row cpu4 4 tests/bench/data/sched-4cpu.ditto h2a
row cpu2 2 tests/emu/data/sched-consolidate.ditto w4
