#!/usr/bin/env bash
# tests/run.sh - runs suites of tests and sums them up (make test, make
# test-slow).
#
#   bash tests/run.sh SUITE...
#
# SUITE is one of
#   unit        the cmocka programs $UNIT_BINS (ASan + UBSan)
#   unit-slow   those of them whose source has tests for make test-slow
#               only (they skip them unless SPMFORM_TEST_SLOW is set)
#   valgrind    the cmocka programs $PLAIN_BINS under valgrind
#   tsan        the cmocka programs $TSAN_BINS (ThreadSanitizer, under
#               setarch -R; skipped where the system refuses that)
#   fuzz        $FUZZ_BINS over tests/fuzz/corpus/* and regress/*
#   cli e2e     tests/cli/run.sh and tests/e2e/run.sh on build/san/spmform
#   slow        tests/slow/run.sh (cases too slow for make test)
#
# The lists of programs come from the Makefile (each defaults to every
# such program built).  Every suite runs even when an earlier one fails.  The last line counts
# them all, "N passed, M failed, K skipped", and the exit status is 1 when
# anything failed.  The runners set what the sanitizers need themselves.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
export LC_ALL=C.UTF-8
# tests/sanitizers.sh sets ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS
# shellcheck source=tests/sanitizers.sh
. tests/sanitizers.sh

pass=0 fail=0 skip=0
log=build/test-logs
mkdir -p "$log"

# count OUTPUT RC: adds a cmocka program's counts (its output, its exit).
count_cmocka() {
	local out=$1 rc=$2 p f s
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p')
	s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s), listed below:/\1/p')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	skip=$((skip + ${s:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		fail=$((fail + 1)) # it crashed or failed before counting
	fi
}

UNIT_BINS=${UNIT_BINS:-$(ls build/san/tests/test_* 2>/dev/null | grep -v '\.d$')}
PLAIN_BINS=${PLAIN_BINS:-$(ls build/tests/test_* 2>/dev/null | grep -v '\.d$')}
TSAN_BINS=${TSAN_BINS:-$(ls build/tsan/tests/test_* 2>/dev/null | grep -v '\.d$')}
FUZZ_BINS=${FUZZ_BINS:-$(ls build/san/fuzz_* 2>/dev/null | grep -v '\.d$')}

unit() {
	local t out rc
	for t in $UNIT_BINS; do
		[ -x "$t" ] || continue
		[ -z "${1:-}" ] || grep -q SPMFORM_TEST_SLOW "tests/unit/${t##*/}.c" || continue
		out=$(SPMFORM_TEST_SLOW=${1:-} "$t" 2>&1)
		rc=$?
		printf '%s\n' "$out" | grep -v '^\[       OK \]\|^\[ RUN      \]'
		count_cmocka "$out" "$rc"
	done
}

valgrind_suite() {
	local t name rc
	for t in $PLAIN_BINS; do
		[ -x "$t" ] || continue
		name=${t##*/}
		valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
			--errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
			--suppressions=tests/valgrind.supp "$t" >"$log/$name.valgrind" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then
			echo "valgrind $name: ok"
			pass=$((pass + 1))
		else
			echo "valgrind $name: FAILED (exit $rc)"
			tail -40 "$log/$name.valgrind"
			fail=$((fail + 1))
		fi
	done
}

tsan() {
	local t name rc
	for t in $TSAN_BINS; do
		[ -x "$t" ] || continue
		name=${t##*/}
		if ! setarch -R true 2>/dev/null; then
			echo "tsan $name: skipped: this system refuses setarch -R, which ThreadSanitizer needs"
			skip=$((skip + 1))
			continue
		fi
		TSAN_OPTIONS=halt_on_error=1 setarch -R "$t" >"$log/$name.tsan" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then
			echo "tsan $name: ok"
			pass=$((pass + 1))
		else
			echo "tsan $name: FAILED (exit $rc)"
			tail -60 "$log/$name.tsan"
			fail=$((fail + 1))
		fi
	done
}

fuzz() {
	local t name out rc
	for t in $FUZZ_BINS; do
		[ -x "$t" ] || continue
		name=${t##*/fuzz_}
		# shellcheck disable=SC2046
		out=$("$t" tests/fuzz/corpus/"$name"/* $(ls -d tests/fuzz/regress/"$name"/* 2>/dev/null) 2>&1)
		rc=$?
		printf 'fuzz %s: %s\n' "$name" "$out"
		if [ $rc -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	done
}

# script SUITE: a runner that ends with "SUITE: N passed, M failed[, K skipped]".
script_suite() {
	local suite=$1 runner=$2 out rc p f s
	out=$(SPMFORM=build/san/spmform bash "$runner" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n "s/^$suite: \([0-9]*\) passed.*/\1/p")
	f=$(printf '%s\n' "$out" | sed -n "s/^$suite: [0-9]* passed, \([0-9]*\) failed.*/\1/p")
	s=$(printf '%s\n' "$out" | sed -n "s/^$suite: .*, \([0-9]*\) skipped$/\1/p")
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	skip=$((skip + ${s:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" = 0 ]; then
		fail=$((fail + 1))
	fi
}

for suite in "$@"; do
	start=$(date +%s)
	case $suite in
	unit) unit ;;
	unit-slow) unit 1 ;;
	valgrind) valgrind_suite ;;
	tsan) tsan ;;
	fuzz) fuzz ;;
	cli) script_suite cli tests/cli/run.sh ;;
	e2e) script_suite e2e tests/e2e/run.sh ;;
	slow) script_suite slow tests/slow/run.sh ;;
	*)
		echo "run.sh: no suite $suite" >&2
		fail=$((fail + 1))
		;;
	esac
	echo "($suite: $(($(date +%s) - start)) s)"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
