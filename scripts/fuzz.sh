#!/usr/bin/env bash
# Runs pgsim's libFuzzer targets (tests/fuzz) under ASan + UBSan for a given time and reports,
# per target: executions, executions per second, coverage (libFuzzer's cov: edges and ft:
# features), the corpus size and the verdict.
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
  # Assembling a 20 KB program (pgvmm.s) takes ~20 ms under ASan: 4 KB keeps asm over 100 exec/s.
  [ "$t" = asm ] && max_len=(-max_len=4096)
  local opts=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
              -artifact_prefix="$artifacts/" -dict="$dict" "${max_len[@]}")
  # run_equiv reports errors in its input on stderr, as the CLI does: keep that out of the log
  # (libFuzzer still prints its own reports and any crash).
  [ "$t" = equiv ] && opts+=(-close_fd_mask=2)
  local status=0
  "$dir/fuzz_$t" "${opts[@]}" "$@" "$corpus" "$dir/seeds/$t" > "$log" 2>&1 || status=$?
  local execs rate cov ft units verdict
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  units=$(find "$corpus" -type f | wc -l)
  if [ $status -eq 0 ]; then verdict=clean; else
    verdict="FOUND: $(grep -m1 -oE 'ERROR: [A-Za-z]+: [^ ]+( [^ ]+)?|SUMMARY: .*|deadly signal|timeout|out-of-memory|leak' "$log" | head -1)"
    verdict+=" -> $(sed -n 's/.*Test unit written to //p' "$log" | tail -1)"
  fi
  printf '%-8s %6ss %12s %8s exec/s  cov %-6s ft %-7s corpus %-6s %s\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "$units" "$verdict"
  [ $status -eq 0 ] || echo "  log: $root/$log" >&2
  return $status
}

printf '%-8s %7s %12s %8s\n' target time execs rate
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
