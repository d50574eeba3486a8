#!/usr/bin/env bash
# The sanitizer build: the whole project with clang 14, AddressSanitizer + UndefinedBehaviorSanitizer
# (+ LeakSanitizer, part of ASan on Linux) and the libFuzzer targets of tests/fuzz, in build-asan/;
# then the WHOLE ctest suite under the sanitizers (which includes each fuzz target over its
# regression inputs and its seed corpus).
#
#   scripts/sanitize.sh            configure, build, run every test
#   scripts/sanitize.sh -R REGEX   ... only the tests matching REGEX (ctest -R)
#
# Optimised (-O1) with line tables and WITH assertions (no NDEBUG), so that assertions in our code
# and in Boost fire too. Any sanitizer report fails the test that produced it (undefined behaviour
# is not recoverable; sanitizer errors exit with status 86, which no pgsim command uses).
# Uses ccache when present, like the normal build. Environment: BUILD_DIR (default build-asan),
# JOBS (default: the number of CPUs), PGSIM_GUI (default ON; OFF leaves pgsim-gui and its tests out,
# as CI does: they run in the Release build).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${BUILD_DIR:-build-asan}
jobs=${JOBS:-$(nproc)}
# shellcheck source=scripts/sanitizer-env.sh
source scripts/sanitizer-env.sh

CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DPGSIM_SANITIZE=ON -DPGSIM_FUZZ=ON -DPGSIM_GUI="${PGSIM_GUI:-ON}" -DPGSIM_BENCH=OFF
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
echo "sanitizer build: every test passed under ASan + UBSan + LSan ($root/$build)"
