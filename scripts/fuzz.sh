#!/usr/bin/env bash
# Runs pgsim's libFuzzer targets (tests/fuzz) under ASan + UBSan for a given time and reports,
# per target: executions, executions per second of wall-clock time and per second of the
# fuzzer's own CPU time (on a shared machine, or under `nice`, the first measures the machine's
# load; the second measures the target), coverage (libFuzzer's cov: edges and ft: features), the
# corpus size and the verdict.
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer options...]
#   scripts/fuzz.sh all SECONDS [libFuzzer options...]      every target, one after another
#   TARGET: isa, asm, machine, lesson, equiv
#
# The targets are those of the sanitizer build (build-asan/, made by scripts/sanitize.sh; this
# script configures and builds them there if they are missing). Each target starts from its
# seed corpus (build-asan/tests/fuzz/seeds/TARGET, collected from examples/ and lessons/ by the
# build) and keeps what it finds in build-asan/tests/fuzz/corpus/TARGET, so a later run goes on
# from there. A crash, hang (> 10 s for one input), leak, out-of-memory (> 2 GB) or sanitizer
# report stops the target: its input is saved as build-asan/tests/fuzz/artifacts/TARGET/KIND-HASH
# (reproduce it with `build-asan/tests/fuzz/fuzz_TARGET FILE`; once fixed, copy it into
# tests/fuzz/regressions/TARGET/ so that ctest keeps it fixed) and the script exits 1.
# libFuzzer's -timeout counts wall-clock time: a run starved of CPU (`nice -n 19` on a busy
# machine) can report a timeout that is not one - rerun such an input alone before believing it
# (long runs on a shared machine may pass -timeout=60; later options override earlier ones).
# Environment: BUILD_DIR (default build-asan); FUZZ_JOBS=2 runs `all` two targets at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
targets=(isa asm machine lesson equiv)
if [ $# -lt 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh TARGET|all SECONDS [libFuzzer options...]   (TARGET: ${targets[*]})" >&2
  exit 2
fi
what=$1 seconds=$2
shift 2
build=${BUILD_DIR:-build-asan}
case " ${targets[*]} all " in
  *" $what "*) ;;
  *) echo "fuzz.sh: unknown target '$what' (${targets[*]} or all)" >&2; exit 2 ;;
esac
# shellcheck source=scripts/sanitizer-env.sh
source scripts/sanitizer-env.sh

if [ "$what" = all ]; then list=("${targets[@]}"); else list=("$what"); fi
need=()
for t in "${list[@]}"; do [ -x "$build/tests/fuzz/fuzz_$t" ] || need+=("fuzz_$t"); done
if [ ${#need[@]} -gt 0 ] || [ ! -f "$build/tests/fuzz/seeds/stamp" ]; then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DPGSIM_SANITIZE=ON -DPGSIM_FUZZ=ON
  fi
  cmake --build "$build" --target "${need[@]}" fuzz_seeds
fi

# run_one TARGET: fuzzes for $seconds, prints one summary row; returns libFuzzer's status.
run_one() {
  local t=$1 dir=$build/tests/fuzz
  shift
  local corpus=$dir/corpus/$t artifacts=$dir/artifacts/$t log=$dir/logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$dir/logs"
  local dict=tests/fuzz/$t.dict
  [ "$t" = equiv ] && dict=tests/fuzz/machine.dict
  local max_len=()
  # Assembly under ASan costs ~1.5 us per source byte, included files counted (most seeds
  # include lib/print.s, 5.3 KB): measured per CPU second, inputs up to 4 KB ran 169 exec/s and
  # up to 2 KB 409 exec/s (2026-11-26). 2 KB (60-100 lines) holds every directive and
  # instruction form; the long-input classes of issue 9 are regression inputs and tests.
  [ "$t" = asm ] && max_len=(-max_len=2048)
  local opts=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
              -artifact_prefix="$artifacts/" -dict="$dict" "${max_len[@]}")
  # run_equiv reports errors in its input on stderr, as the CLI does: keep that out of the log
  # (libFuzzer still prints its own reports and any crash).
  [ "$t" = equiv ] && opts+=(-close_fd_mask=2)
  local status=0 cpu
  # The fuzzer's CPU time (user + system): bash's `times` in a subshell whose only child it is.
  ("$dir/fuzz_$t" "${opts[@]}" "$@" "$corpus" "$dir/seeds/$t" > "$log" 2>&1; s=$?; times > "$log.times"; exit $s) ||
    status=$?
  cpu=$(awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$log.times")
  rm -f "$log.times"
  local execs rate cov ft units verdict cpurate
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  units=$(find "$corpus" -type f | wc -l)
  cpurate=$(awk -v e="${execs:-0}" -v c="$cpu" 'BEGIN { if (c > 0) printf "%d", e / c; else print "?" }')
  if [ $status -eq 0 ]; then verdict=clean; else
    verdict="FOUND: $(grep -m1 -oE 'ERROR: [A-Za-z]+: [^ ]+( [^ ]+)?|SUMMARY: .*|deadly signal|timeout|out-of-memory|leak' "$log" | head -1)"
    verdict+=" -> $(sed -n 's/.*Test unit written to //p' "$log" | tail -1)"
  fi
  printf '%-8s %6ss %12s %8s exec/s %8s exec/CPU-s (CPU %ss)  cov %-6s ft %-7s corpus %-6s %s\n' "$t" "$seconds" \
    "${execs:-?}" "${rate:-?}" "$cpurate" "$cpu" "${cov:-?}" "${ft:-?}" "$units" "$verdict"
  [ $status -eq 0 ] || echo "  log: $root/$log" >&2
  return $status
}

printf '%-8s %7s %12s %8s %8s\n' target time execs wall-rate cpu-rate
failed=0
if [ "${FUZZ_JOBS:-1}" -ge 2 ] && [ ${#list[@]} -gt 1 ]; then
  pids=()
  for t in "${list[@]}"; do
    run_one "$t" "$@" & pids+=($!)
    if [ ${#pids[@]} -ge "${FUZZ_JOBS}" ]; then wait "${pids[0]}" || failed=1; pids=("${pids[@]:1}"); fi
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
else
  for t in "${list[@]}"; do run_one "$t" "$@" || failed=1; done
fi
exit $failed
