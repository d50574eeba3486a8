# Sourced by scripts/sanitize.sh and scripts/fuzz.sh: how the sanitizers report.
# - every report is an error with exit status 86 (no pgsim command uses 86, so a test that
#   expects exit 1 from bad input cannot mistake a sanitizer report for it);
# - leaks are checked at exit (LeakSanitizer); scripts/lsan.supp lists the third-party leaks
#   that are not ours to fix (it names no pgsim code);
# - stack traces are symbolized with clang 14's llvm-symbolizer.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export ASAN_OPTIONS="exitcode=86:detect_leaks=1:abort_on_error=0:strict_string_checks=1:check_initialization_order=1:strict_init_order=1${ASAN_EXTRA_OPTIONS:+:$ASAN_EXTRA_OPTIONS}"
export UBSAN_OPTIONS="exitcode=86:halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="exitcode=86:suppressions=$here/lsan.supp:print_suppressions=0"
if [ -x /usr/bin/llvm-symbolizer-14 ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-14
fi
# A 64 MB stack: ASan's instrumented Spirit X3 frames are many times larger than optimised ones, and
# expressions nested to the grammars' limit (256) overflow the default 8 MB (SEGV in
# isa_robustness_test "everything just inside the limits"); pgsim's own limits are unchanged.
ulimit -s 65536 2>/dev/null || true
