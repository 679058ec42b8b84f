#!/usr/bin/env bash
# tests/cli/run.sh - command-line tests of spmform.
#
#   SPMFORM=build/san/spmform bash tests/cli/run.sh [CASE...]
#   UPDATE=1 ... run.sh CASE...   takes the actual output of the named cases
#                                 as expected (after an intended change of a
#                                 message; review with git diff)
#
# Runs every case under tests/cli/cases/ (or only the ones named) and prints
# "ok NAME" or "FAIL NAME" with the reason and a diff; the last line is
# "cli: N passed, M failed", and the exit status is 1 when M > 0.
#
# A case is a folder tests/cli/cases/NAME/ that reads as a specification:
#
#   cmd            what is run: a small bash snippet calling `spmform ...`
#                  (the binary under test); its exit status is the case's.
#   expected.rc    the exit status expected (one number).
#   expected.out   stdout expected, byte for byte; when absent, stdout
#                  must be empty.
#   expected.err   stderr expected, byte for byte; when absent, stderr
#                  must be empty (so a sanitizer report always fails).
#                  In both files a line "@USAGE@" stands for the usage text
#                  (what `spmform --help` prints, checked by cli-help) and
#                  "@VERSION@" for the Makefile's VERSION.
#   setup          optional bash snippet run before cmd (under set -e) to
#                  make inputs that are better generated than committed:
#                  CP950 files, NUL or invalid bytes, broken form files.
#   assert         optional bash snippet run after cmd (under set -e), with
#                  $OUT and $ERR naming the captured stdout and stderr;
#                  fails the case when its status is not 0.
#   anything else  input files, copied into the case's working folder.
#
# setup and assert may use the helpers defined below: form_from, to_cp950,
# crlf, bom, differ, absent (and $FIXTURES, $REPO).  Committed inputs are
# plain UTF-8 text with LF line ends; anything else is made by a setup.
#
# Each case runs in a fresh temporary folder holding copies of its input
# files and of the repository's forms/ folder (so that the default form
# "inventory" is found, whichever binary runs, and no config.ini of the
# checkout is picked up).  File names in messages are therefore relative
# and the same on every machine.  Every case also checks that no raw
# control character (ESC, BEL, CR, NUL...) reaches stdout or stderr.
#
# fixtures/inventory-109.ini is a frozen copy of forms/inventory.ini; the
# cases that need a broken or modified form patch that copy (with
# form_from, below), so that their line numbers do not move when the real
# form is edited.

set -u
export LC_ALL=C.UTF-8

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CASES=${CLI_CASES:-$HERE/cases}
# the name on the summary line ("cli: N passed, M failed")
SUITE=${CLI_SUITE:-cli}
FIXTURES=$HERE/fixtures

BIN=${SPMFORM:-./spmform}
case $BIN in
/*) ;;
*) BIN=$PWD/$BIN ;;
esac
if [ ! -x "$BIN" ]; then
	echo "run.sh: no spmform binary at ${SPMFORM:-./spmform} (build it with make)" >&2
	echo "$SUITE: 0 passed, 1 failed"
	exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/spmform-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# --- helpers for cmd, setup and assert snippets ------------------------------

# to_cp950, crlf, bom
# shellcheck source=tests/helpers.sh
. "$REPO/tests/helpers.sh"
# ASAN_OPTIONS, LSAN_OPTIONS (the leaks of libraries), UBSAN_OPTIONS
# shellcheck source=tests/sanitizers.sh
. "$REPO/tests/sanitizers.sh"

# spmform ARGS...: the binary under test (stopped after 60 s, should it
# ever wait for something).
if command -v timeout >/dev/null; then
	spmform() {
		timeout -k 5 60 "$BIN" "$@"
	}
else
	spmform() {
		"$BIN" "$@"
	}
fi

# form_from OUT SED-ARGS...: OUT is fixtures/inventory-109.ini edited with
# sed; fails when the edit changed nothing (a pattern that no longer
# matches must not let a case pass silently).
form_from() {
	local out=$1
	shift
	sed "$@" "$FIXTURES/inventory-109.ini" >"$out" || return 1
	if cmp -s "$out" "$FIXTURES/inventory-109.ini"; then
		echo "form_from: sed $* changed nothing" >&2
		return 1
	fi
}

# differ A B: fails unless files A and B differ (an edit that took).
differ() {
	if cmp -s "$1" "$2"; then
		echo "differ: $1 and $2 are the same" >&2
		return 1
	fi
}

# absent REGEX FILE...: fails when a Perl REGEX matches bytes of a FILE
# (C locale: \x1b is the byte 0x1B).
absent() {
	local re=$1
	shift
	if LC_ALL=C grep -qaP "$re" "$@"; then
		echo "absent: /$re/ found in $*" >&2
		return 1
	fi
}

# --- the runner ---------------------------------------------------------------

VERSION=$(sed -n 's/^VERSION *:= *//p' "$REPO/Makefile")
"$BIN" --help >"$TMP/usage" 2>/dev/null </dev/null

# expand FILE: FILE with @USAGE@ lines and @VERSION@ replaced.
expand() {
	awk -v usage="$TMP/usage" -v version="$VERSION" '
		$0 == "@USAGE@" { while ((getline l < usage) > 0) print l; close(usage); next }
		{ gsub(/@VERSION@/, version); print }' "$1"
}

pass=0
fail=0

# visible: stdin with control characters (but tab) shown as '?', so that
# what a failing binary printed cannot act on the terminal.
visible() {
	LC_ALL=C tr '\000-\010\013-\037\177' '?'
}

# show_diff LABEL EXPECTED ACTUAL
show_diff() {
	diff -a -u --label "$1 (expected)" --label "$1 (actual)" "$2" "$3" |
		visible | sed 's/^/    /'
}

run_case() {
	local name=$1 dir=$CASES/$1 work=$TMP/$1 why=() f
	if ! mkdir -p "$work/forms" || ! cp -R "$REPO/forms/." "$work/forms/"; then
		echo "FAIL $name"
		echo "    cannot prepare $work"
		fail=$((fail + 1))
		return
	fi
	for f in "$dir"/* "$dir"/.[!.]*; do
		[ -e "$f" ] || continue
		case ${f##*/} in
		cmd | setup | assert | expected.*) ;;
		*) cp -R "$f" "$work/" ;;
		esac
	done
	local out=$TMP/$name.out err=$TMP/$name.err rc
	if [ -f "$dir/setup" ]; then
		# not in an if: set -e does nothing in a condition
		# shellcheck source=/dev/null
		(cd "$work" && set -e && . "$dir/setup") >"$TMP/$name.setup" 2>&1
		rc=$?
		if [ $rc -ne 0 ]; then
			echo "FAIL $name"
			echo "    setup failed (exit status $rc):"
			visible <"$TMP/$name.setup" | sed 's/^/    /'
			fail=$((fail + 1))
			return
		fi
	fi
	# shellcheck source=/dev/null
	(cd "$work" && . "$dir/cmd") >"$out" 2>"$err" </dev/null
	rc=$?

	local want_rc
	want_rc=$(tr -d ' \n' <"$dir/expected.rc")
	for f in out err; do
		[ -f "$dir/expected.$f" ] && expand "$dir/expected.$f" >"$TMP/$name.want-$f"
	done
	[ "$rc" = "$want_rc" ] || why+=("exit status $rc, expected $want_rc")
	if [ -f "$dir/expected.out" ]; then
		cmp -s "$TMP/$name.want-out" "$out" || why+=("stdout differs")
	elif [ -s "$out" ]; then
		why+=("stdout not empty")
	fi
	if [ -f "$dir/expected.err" ]; then
		cmp -s "$TMP/$name.want-err" "$err" || why+=("stderr differs")
	elif [ -s "$err" ]; then
		why+=("stderr not empty")
	fi
	if LC_ALL=C grep -qa '[[:cntrl:]]' "$out" "$err"; then
		why+=("raw control character in the output")
	fi
	if [ -f "$dir/assert" ]; then
		# shellcheck source=/dev/null disable=SC2034
		(cd "$work" && OUT=$out && ERR=$err && set -e && . "$dir/assert") \
			>"$TMP/$name.assert" 2>&1
		# shellcheck disable=SC2181
		[ $? -eq 0 ] || why+=("assert failed")
	fi

	if [ ${#why[@]} -eq 0 ]; then
		echo "ok $name"
		pass=$((pass + 1))
		return
	fi
	if [ "${UPDATE:-}" = 1 ] && [ "$rc" = "$want_rc" ] &&
		! grep -qs '@USAGE@\|@VERSION@' "$dir/expected.out" "$dir/expected.err"; then
		# a developer's run after an intended change of messages: take the
		# actual output as expected (review it with git diff)
		[ -s "$out" ] && cp "$out" "$dir/expected.out"
		[ -s "$err" ] && cp "$err" "$dir/expected.err"
		echo "updated $name"
		pass=$((pass + 1))
		return
	fi
	echo "FAIL $name"
	local w
	for w in "${why[@]}"; do
		echo "    $w"
	done
	if [ -f "$dir/expected.out" ]; then
		cmp -s "$TMP/$name.want-out" "$out" || show_diff stdout "$TMP/$name.want-out" "$out"
	elif [ -s "$out" ]; then
		echo "    stdout:"
		head -n 40 "$out" | visible | sed 's/^/    | /'
	fi
	if [ -f "$dir/expected.err" ]; then
		cmp -s "$TMP/$name.want-err" "$err" || show_diff stderr "$TMP/$name.want-err" "$err"
	elif [ -s "$err" ]; then
		echo "    stderr:"
		head -n 40 "$err" | visible | sed 's/^/    | /'
	fi
	if [ -s "$TMP/$name.assert" ]; then
		visible <"$TMP/$name.assert" | sed 's/^/    assert: /'
	fi
	fail=$((fail + 1))
}

if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for d in "$CASES"/*/; do
		[ -d "$d" ] || continue # no cases at all: the glob stays as it is
		d=${d%/}
		names+=("${d##*/}")
	done
fi
for n in "${names[@]}"; do
	if [ ! -f "$CASES/$n/cmd" ] || [ ! -f "$CASES/$n/expected.rc" ]; then
		echo "FAIL $n"
		echo "    no such case (needs cmd and expected.rc)"
		fail=$((fail + 1))
		continue
	fi
	run_case "$n"
done

echo "$SUITE: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
