# tests/sanitizers.sh - what the sanitized builds need, for every runner
# (tests/run.sh, tests/cli/run.sh, tests/e2e/run.sh, the bench); sourced.
# A value already set by the caller is kept.
# shellcheck shell=bash
_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# libxlsxwriter 1.1.4 leaks a string per list validation (fixed upstream
# in 1.1.6): tests/lsan.supp
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$_here/lsan.supp:print_suppressions=0}
unset _here
