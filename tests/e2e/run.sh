#!/usr/bin/env bash
# tests/e2e/run.sh - end-to-end tests of the entry screen, driven through tmux.
#
#   SPMFORM=build/san/spmform bash tests/e2e/run.sh [CASE...]
#   E2E_JOBS=1 ... run.sh          one case at a time (default: 2 at a time)
#   E2E_TIMEOUT=10 ... run.sh      whole seconds a wait may take (default 5)
#   E2E_KEEP=1 ... run.sh          keep the cases' folders (and say where)
#
# Runs every case under tests/e2e/cases/ (or only the ones named) and prints
# "ok NAME" or "FAIL NAME" with the reason and the last screen; the last line
# is "e2e: N passed, M failed", and the exit status is 1 when M > 0.
#
# Each case runs in a fresh temporary folder holding a copy of the
# repository's forms/ folder and of the case's input files, and with its own
# tmux server (socket spmform-e2e-PID-NAME, -f /dev/null, no status line,
# 80x24), killed when the case ends.  The program runs in its one pane as
#
#     HOME=. XDG_CONFIG_HOME=./.config LC_ALL=C.UTF-8 TERM=tmux-256color \
#         spmform ARGS 2>err.txt
#
# and the folder has an empty config.ini unless the case brings one (or its
# setup makes one), so that no settings of the user or the machine apply.
#
# A case is a folder tests/e2e/cases/NAME/ that reads as a specification:
#
#   keys            what the clerk does: a bash snippet (run under set -e, in
#                   the case's folder) that starts the program with
#                   `start ARGS...`, presses keys and checks the screen with
#                   the helpers below, and ends with the program quitting.
#                   The first failing check fails the case.
#   setup           optional bash snippet run before keys (under set -e) to
#                   make inputs that are better generated than committed:
#                   CP950 files, BOM and CRLF, control characters, and
#                   expected.csv when it is derived from another file.
#   expected.csv    the file data.csv as it must be when the program has
#                   quit, byte for byte (committed, or made by setup).
#                   Without it, data.csv must be exactly as it was before the
#                   program started (or still not exist).
#   expected.screen optional: a screen for `screen_is` (trailing spaces and
#                   trailing empty lines are ignored).
#   anything else   input files (data.csv, config files), copied into the
#                   case's folder.
#
# Every case also fails when the program writes anything to stderr (so an
# AddressSanitizer leak report fails it), when its exit status is not 0, or
# when it is still running after the keys; so for each program a case runs
# beside the first (use), and for a program started again (after hang_up
# or kill -9) its last run.  Committed inputs are plain UTF-8 text with LF
# line ends; anything else is made by a setup.
#
# Helpers for keys (every wait polls the screen, at most $E2E_TIMEOUT s):
#
#   start ARGS...         start spmform ARGS in an 80x24 pane; waits for the
#                         first screen (the title line with 第 N/, or
#                         第 N 筆 (新增 for a new file).  Starting
#                         again once the program has quit (or its terminal
#                         is gone, see hang_up) starts it anew.  With
#                         START_WITH='SHELL COMMANDS' (e.g. START_WITH='ulimit
#                         -f 1' start data.csv) bash runs them just before
#                         the program, in its process.  With RECORD=FILE
#                         everything the program writes to the terminal is
#                         appended to FILE (tmux pipe-pane), from its start.
#   use NAME              the helpers that follow act on the program started
#                         in tmux session NAME (the first is app): `use
#                         second; start data.csv` runs a second spmform
#                         beside the first, writing err-second.txt and
#                         rc-second.txt; `use app` goes back to the first
#   type TEXT...          type TEXT literally (UTF-8, as an IME commits it)
#   key KEY...            press keys, by tmux name: Enter Tab BTab Up Down
#                         Left Right BSpace DC Home End NPage PPage Escape
#                         C-s C-q C-n ...; digits and letters as themselves.
#                         After Escape it pauses 0.3 s so that the next key is
#                         not read as Alt-KEY (escdelay is 100 ms).
#   keys_sent             how many keys were sent so far (each character
#                         typed counts as one key)
#   wait_for TEXT         wait until TEXT is on the screen (screen_has is the
#                         same, to read as a check)
#   wait_match ERE        wait until a line of the screen matches ERE
#   wait_gone TEXT        wait until TEXT is no longer on the screen
#   screen_lacks TEXT     TEXT is not on the screen now (wait for something
#                         first, so that the keys before have been handled)
#   field_shows LABEL VALUE   wait until the row of field LABEL shows
#                         exactly VALUE after its label (as drawn: a hint
#                         such as (必填) for an empty value, a cut value
#                         ending in >; VALUE "" = nothing)
#   current_field LABEL   wait until LABEL is the current field (the > row)
#   cursor_at X Y         wait until the cursor is at column X, row Y (0-based)
#   screen_is [FILE]      wait until the screen is FILE, a file of the case
#                         folder (default expected.screen)
#   resize COLS ROWS      resize the terminal
#   pane_title            print the pane's title (what an OSC 0/2 sets)
#   wait_exit             wait until the program has quit
#   app_pid               print the process id of the program
#   wait_ended PID        wait until process PID has ended (fails when it is
#                         still running after $E2E_TIMEOUT s)
#   hang_up               end the terminal as a dropped connection does: the
#                         tmux server is killed, every pane with it (the
#                         programs get SIGHUP); what is left of them when
#                         the case ends is killed
#   note TEXT             print TEXT under the case's result line (e.g.
#                         five-examples prints the keys it sent)
#   fail TEXT             fail the case with TEXT and the screen
#   $BIN                  the spmform being tested (absolute), for a run
#                         outside tmux (e.g. a file it must refuse to open)
#
# Helpers for setup: to_cp950 IN OUT, crlf IN OUT, bom IN OUT, strip_bom IN
# OUT, windows IN OUT (BOM and CRLF: how spmform writes a new file),
# new_file OUT ROW... (the example file's header line and ROWs, as spmform
# writes a new file), and $REPO (the checkout; use it read-only).

set -u
export LC_ALL=C.UTF-8
unset TMUX TMUX_PANE

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CASES=$HERE/cases
JOBS=${E2E_JOBS:-2}
TIMEOUT=${E2E_TIMEOUT:-5}

BIN=${SPMFORM:-./spmform}
case $BIN in
/*) ;;
*) BIN=$PWD/$BIN ;;
esac
if [ ! -x "$BIN" ]; then
	echo "run.sh: no spmform binary at ${SPMFORM:-./spmform} (build it with make)" >&2
	echo "e2e: 0 passed, 1 failed"
	exit 1
fi
if ! command -v tmux >/dev/null; then
	echo "run.sh: tmux is not installed (apt-get install tmux)" >&2
	echo "e2e: 0 passed, 1 failed"
	exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/spmform-e2e.XXXXXX") || exit 1
# every tmux server a case starts is listed in $TMP/sockets (with the
# case's folder), and halted here should the case not get to halt it
# itself (an interrupted run)
cleanup() {
	local sock state j
	for j in $(jobs -p); do # cases still running (interrupted)
		kill "$j" 2>/dev/null
	done
	wait 2>/dev/null
	if [ -f "$TMP/sockets" ]; then
		while read -r sock state; do
			[ -f "$state/socket" ] && halt "$sock" "$(cat "$state/socket")"
			reap "$state"
		done <"$TMP/sockets"
	fi
	if [ -n "${E2E_KEEP:-}" ]; then
		echo "run.sh: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- helpers for setup snippets -------------------------------------------------

# to_cp950, crlf, bom
# shellcheck source=tests/helpers.sh
. "$REPO/tests/helpers.sh"
# ASAN_OPTIONS, LSAN_OPTIONS (the leaks of libraries), UBSAN_OPTIONS
# shellcheck source=tests/sanitizers.sh
. "$REPO/tests/sanitizers.sh"

# strip_bom IN OUT: OUT is IN without its UTF-8 byte-order mark (IN must
# have one).
strip_bom() {
	if [ "$(head -c 3 "$1" | od -An -tx1 | tr -d ' \n')" != efbbbf ]; then
		echo "strip_bom: $1 has no byte-order mark" >&2
		return 1
	fi
	tail -c +4 "$1" >"$2"
}

# windows IN OUT: OUT is IN (UTF-8, LF) with a BOM and CRLF line ends, as
# spmform writes a new file.
windows() {
	{ printf '\357\273\277' && sed 's/$/\r/' "$1"; } >"$2"
}

# new_file OUT ROW...: OUT is a file as spmform writes a new one: the
# header line of forms/examples/inventory.csv (with its BOM and CRLF), then
# each ROW and CRLF.  A ROW is 21 cells without quotes: 20 commas.
new_file() {
	local out=$1 r n
	shift
	head -n 1 forms/examples/inventory.csv >"$out" || return 1
	for r in "$@"; do
		n=$(printf '%s' "$r" | tr -cd , | wc -c)
		if [ "$n" -ne 20 ]; then
			echo "new_file: $n commas (not 20) in $r" >&2
			return 1
		fi
		printf '%s\r\n' "$r" >>"$out"
	done
}

# --- helpers for keys snippets ---------------------------------------------------
# They use $SOCK (the case's tmux server), $WORK (its folder), $CASE_DIR and
# $STATE (a folder for the runner's bookkeeping).

T() {
	tmux -L "$SOCK" -f /dev/null "$@"
}

# visible: stdin with control characters (but tab and LF) shown as '?', so
# that what a failing program wrote cannot act on the terminal.
visible() {
	LC_ALL=C tr '\000-\010\013-\037\177' '?'
}

# the tmux session (and program) the helpers act on: see use
APP=app

use() {
	APP=$1
}

# _out NAME: the file in the case's folder where the program of session
# $APP writes NAME (err or rc): err.txt for app, err-NAME.txt for others.
_out() {
	if [ "$APP" = app ]; then
		echo "$WORK/$1.txt"
	else
		echo "$WORK/$1-$APP.txt"
	fi
}

capture() {
	T capture-pane -t "$APP" -p 2>/dev/null
}

# show_screen: the screen as it is now, framed, for a failure report.
show_screen() {
	local s
	if s=$(capture) && [ -n "$s" ]; then
		echo "screen:"
		printf '%s\n' "$s" | visible | sed 's/^/| /'
	else
		echo "screen: (the program is no longer running)"
	fi
}

fail() {
	echo "$*"
	show_screen
	return 1
}

note() {
	printf '%s\n' "$*" >>"$STATE/notes"
}

start() {
	local cmd a env err rc
	err=$(_out err)
	rc=$(_out rc)
	rm -f -- "$rc"
	# HOME and XDG_CONFIG_HOME: no config.ini of the user's is found
	env="HOME=. XDG_CONFIG_HOME=./.config LC_ALL=C.UTF-8 TERM=tmux-256color"
	cmd="cd $(printf '%q' "$WORK") && "
	if [ -n "${RECORD:-}" ]; then # wait until pipe-pane is in place
		rm -f -- "$STATE/recording-$APP"
		cmd+="until [ -e $(printf '%q' "$STATE/recording-$APP") ]; do sleep 0.02; done && "
	fi
	if [ -n "${START_WITH:-}" ]; then
		cmd+="( export $env; $START_WITH"$'\n'" exec $(printf '%q' "$BIN")"
	else
		cmd+="$env $(printf '%q' "$BIN")"
	fi
	for a in "$@"; do
		cmd+=" $(printf '%q' "$a")"
	done
	if [ -n "${START_WITH:-}" ]; then
		cmd+=" )"
	fi
	cmd+=" 2>$(printf '%q' "${err##*/}"); echo \$? >$(printf '%q' "${rc##*/}")"
	echo "$SOCK $STATE" >>"$TMP/sockets"
	# The pane runs cmd with bash (which understands the $'...' quoting of
	# printf %q), whatever the user's shell is.  A server whose last
	# program has just quit may still be exiting: it takes a few tries.
	local try out
	for ((try = 0; ; try++)); do
		out=$(T set-option -g status off \; set-option -g remain-on-exit off \; \
			set-option -g default-shell "$BASH" \; \
			new-session -d -s "$APP" -x 80 -y 24 "$cmd" 2>&1) && break
		if [ $try -ge 10 ]; then
			echo "start: tmux could not start a session: $out"
			return 1
		fi
		sleep 0.1
	done
	if [ -n "${RECORD:-}" ]; then
		T pipe-pane -t "$APP" -o "cat >>$(printf '%q' "$WORK/$RECORD")" || return 1
		touch "$STATE/recording-$APP"
	fi
	# tmux leaves its socket file behind: halt removes it
	T display-message -p '#{socket_path}' >"$STATE/socket" 2>/dev/null
	echo started >"$STATE/started"
	wait_match '^ (第 [0-9]+/|第 [0-9]+ 筆 \(新增)'
}

KEYS_SENT=0

type() {
	local t
	for t in "$@"; do
		T send-keys -t "$APP" -l -- "$t" || fail "type: send-keys failed" || return 1
		KEYS_SENT=$((KEYS_SENT + ${#t}))
	done
}

key() {
	local k
	for k in "$@"; do
		T send-keys -t "$APP" -- "$k" || fail "key $k: send-keys failed" || return 1
		KEYS_SENT=$((KEYS_SENT + 1))
		# a key right after Esc would be read as Alt-KEY
		[ "$k" = Escape ] && sleep 0.3
	done
	return 0
}

keys_sent() {
	echo "$KEYS_SENT"
}

# poll DESCRIPTION COMMAND...: runs COMMAND (given the screen on stdin)
# until it succeeds, at most $TIMEOUT seconds.
poll() {
	local what=$1 i n=$((TIMEOUT * 20))
	shift
	for ((i = 0; i < n; i++)); do
		capture | "$@" && return 0
		sleep 0.05
	done
	fail "TIMEOUT ($TIMEOUT s) waiting for $what"
}

wait_for() {
	poll "\"$1\"" grep -qF -- "$1"
}

screen_has() {
	wait_for "$@"
}

wait_match() {
	poll "a line matching /$1/" grep -qE -- "$1"
}

wait_gone() {
	poll "\"$1\" to go" _lacks "$1"
}
_lacks() {
	! grep -qF -- "$1"
}

screen_lacks() {
	if capture | grep -qF -- "$1"; then
		fail "the screen shows \"$1\" (it must not)"
		return 1
	fi
}

# _field_row LABEL VALUE: a row "> LABEL   VALUE" (col 0 is > for
# the current field, col 1 the field's mark): after the label and the
# spaces that follow it, the row shows exactly VALUE (and trailing spaces).
_field_row() {
	# (through the environment: awk -v would take \e and \x07 as escapes)
	L=$1 V=$2 awk '
		BEGIN { label = ENVIRON["L"]; value = ENVIRON["V"] }
		{
			rest = substr($0, 3)
			if (index(rest, label) != 1) next
			rest = substr(rest, length(label) + 1)
			if (rest != "" && rest !~ /^ /) next   # a longer label
			sub(/^ +/, "", rest)
			sub(/ +$/, "", rest)
			if (rest == value) { found = 1; exit }
		}
		END { exit !found }'
}

field_shows() {
	poll "field $1 to show \"$2\"" _field_row "$1" "$2"
}

current_field() {
	poll "$1 to be the current field" _current "$1"
}
_current() {
	L=$1 awk 'substr($0, 1, 1) == ">" && index(substr($0, 3), ENVIRON["L"]) == 1 { f = 1 }
		END { exit !f }'
}

cursor_at() {
	local i n=$((TIMEOUT * 20)) at
	for ((i = 0; i < n; i++)); do
		at=$(T display-message -p -t "$APP" '#{cursor_x} #{cursor_y}' 2>/dev/null)
		[ "$at" = "$1 $2" ] && return 0
		sleep 0.05
	done
	fail "TIMEOUT ($TIMEOUT s) waiting for the cursor at $1 $2 (it is at ${at:-?})"
}

# _norm: a screen without trailing spaces and trailing empty lines.
_norm() {
	sed 's/ *$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

screen_is() {
	local want=${1:-expected.screen} i n=$((TIMEOUT * 20))
	case $want in
	/*) ;;
	*) want=$CASE_DIR/$want ;;
	esac
	if [ ! -f "$want" ]; then
		fail "screen_is: there is no ${want##*/} (the screen now is below)"
		return 1
	fi
	_norm <"$want" >"$STATE/want.screen"
	for ((i = 0; i < n; i++)); do
		capture | _norm >"$STATE/got.screen"
		cmp -s "$STATE/want.screen" "$STATE/got.screen" && return 0
		sleep 0.05
	done
	echo "TIMEOUT ($TIMEOUT s) waiting for the screen ${want##*/}:"
	diff -u --label expected --label actual "$STATE/want.screen" "$STATE/got.screen" | visible
	return 1
}

resize() {
	T resize-window -t "$APP" -x "$1" -y "$2" || fail "resize $1 $2 failed"
}

pane_title() {
	T display-message -p -t "$APP" '#{pane_title}'
}

wait_exit() {
	local i n=$((TIMEOUT * 20)) rc
	rc=$(_out rc)
	for ((i = 0; i < n; i++)); do
		[ -f "$rc" ] && return 0
		sleep 0.05
	done
	fail "TIMEOUT ($TIMEOUT s) waiting for the program to quit"
}

app_pid() {
	local pane pid
	pane=$(T display-message -p -t "$APP" '#{pane_pid}' 2>/dev/null)
	pid=$(children "$pane" | tr -d ' ')
	if [ -z "$pane" ] || [ -z "$pid" ]; then
		fail "app_pid: the program is not running"
		return 1
	fi
	echo "$pid"
}

# _alive PID: PID is a process that has not ended (a zombie has ended).
_alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $st in
	Z*) return 1 ;;
	esac
	return 0
}

wait_ended() {
	local i n=$((TIMEOUT * 20))
	for ((i = 0; i < n; i++)); do
		_alive "$1" || return 0
		sleep 0.05
	done
	echo "TIMEOUT ($TIMEOUT s) waiting for process $1 to end: it is still running"
	ps -o pid=,stat=,args= -p "$1" | visible
	return 1
}

hang_up() {
	local panes
	# the programs lose their tmux server: the runner's teardown can no
	# longer find them through it, so they are noted for it (reap)
	panes=$(T list-panes -a -F '#{pane_pid}' 2>/dev/null)
	# shellcheck disable=SC2086
	[ -z "$panes" ] || children $panes >>"$STATE/hung-up"
	T kill-server || fail "hang_up: tmux kill-server failed"
}

# --- the runner ---------------------------------------------------------------------

# children PID...: the processes whose parent is one of PID.
children() {
	local p
	for p in "$@"; do
		ps -o pid= --ppid "$p" 2>/dev/null
	done
}

# halt NAME SOCKET_PATH: ends tmux server NAME.  A program still running
# in it (after a failed step, or when the run is interrupted) is first
# asked to stop with SIGTERM while its terminal is still there: it
# restores the terminal and exits, and what it writes on the way is in
# err.txt before that is read.  (A hang-up instead can leave a sanitized
# binary spinning in LeakSanitizer at exit.)  Whatever of it is left after
# that is killed, by process id.  tmux leaves its socket file behind: it is
# removed.
halt() {
	local panes kids=() i
	# every pane's (a case may run a second program: use)
	panes=$(tmux -L "$1" -f /dev/null list-panes -a -F '#{pane_pid}' 2>/dev/null)
	if [ -n "$panes" ]; then
		# shellcheck disable=SC2207,SC2086
		kids=($(children $panes))
	fi
	if [ ${#kids[@]} -gt 0 ]; then
		kill -TERM "${kids[@]}" 2>/dev/null
		for ((i = 0; i < 60; i++)); do
			kill -0 "${kids[@]}" 2>/dev/null || break
			sleep 0.05
		done
	fi
	tmux -L "$1" -f /dev/null kill-server 2>/dev/null
	[ -n "${2:-}" ] && rm -f -- "$2"
	if [ ${#kids[@]} -gt 0 ]; then
		# shellcheck disable=SC2207
		kids+=($(children "${kids[@]}"))
		for ((i = 0; i < 20; i++)); do
			kill -0 "${kids[@]}" 2>/dev/null || return 0
			sleep 0.05
		done
		kill -KILL "${kids[@]}" 2>/dev/null
	fi
	return 0
}

# stop_server: halts the case's tmux server, once the program has quit or
# has been given its last chance to (wait_exit).
stop_server() {
	halt "$SOCK" "$(cat "$STATE/socket" 2>/dev/null)"
	rm -f "$STATE/socket"
	reap "$STATE"
}

# reap STATE: kills what is left of the programs a case hung up (hang_up),
# by process id (and only while the id is still the program's).
reap() {
	local pid kids=()
	[ -f "$1/hung-up" ] || return 0
	while read -r pid; do
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$BIN")" ] || continue
		# shellcheck disable=SC2207
		kids+=("$pid" $(children "$pid"))
	done <"$1/hung-up"
	[ ${#kids[@]} -eq 0 ] || kill -KILL "${kids[@]}" 2>/dev/null
	rm -f "$1/hung-up"
	return 0
}

# show_file LABEL FILE: FILE for a failure report: CR shown as \r, a BOM as
# <BOM>, a CP950 file converted (and said so).
show_file() {
	local f=$2
	if [ ! -e "$f" ]; then
		echo "$1: (no file)"
		return
	fi
	if iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then
		echo "$1:"
		cat "$f"
	else
		echo "$1 (not UTF-8; shown converted from CP950):"
		iconv -f CP950 -t UTF-8 "$f" 2>/dev/null
	fi | LC_ALL=C sed -e '1s/^\xEF\xBB\xBF/<BOM>/' -e 's/\r$/\\r/' | visible
}

show_file_diff() {
	diff -u --label "$1 (expected)" --label "$1 (actual)" \
		<(show_file expected "$2" | tail -n +2) <(show_file actual "$3" | tail -n +2)
}

# _session_of ERRFILE: "" for err.txt, " (session NAME)" for err-NAME.txt.
_session_of() {
	case ${1##*/} in
	err-*.txt)
		local n=${1##*/err-}
		echo " (session ${n%.txt})"
		;;
	esac
}

# run_case NAME: runs one case; writes its report to $TMP/NAME/result (the
# first line "ok NAME" or "FAIL NAME") when it is complete.
run_case() {
	run_one "$1"
	mv "$TMP/$1/result.part" "$TMP/$1/result"
}

run_one() {
	local name=$1 f rc why=()
	local CASE_DIR=$CASES/$1 WORK=$TMP/$1/work STATE=$TMP/$1
	local SOCK="spmform-e2e-$$-$1"
	local result=$STATE/result.part log=$STATE/log
	if ! mkdir -p "$WORK/forms" || ! cp -R "$REPO/forms/." "$WORK/forms/"; then
		printf 'FAIL %s\n    cannot prepare %s\n' "$name" "$WORK" >"$result"
		return
	fi
	: >"$STATE/notes"
	for f in "$CASE_DIR"/* "$CASE_DIR"/.[!.]*; do
		[ -e "$f" ] || continue
		case ${f##*/} in
		keys | setup | expected.screen) ;;
		*) cp -R "$f" "$WORK/" ;;
		esac
	done
	if [ -f "$CASE_DIR/setup" ]; then
		# shellcheck source=/dev/null
		(cd "$WORK" && set -e && . "$CASE_DIR/setup") >"$STATE/setup.log" 2>&1
		rc=$?
		if [ $rc -ne 0 ]; then
			{
				echo "FAIL $name"
				echo "    setup failed (exit status $rc):"
				visible <"$STATE/setup.log" | sed 's/^/    /'
			} >"$result"
			return
		fi
	fi
	# an empty config.ini (all defaults) unless the case has one: no
	# config.ini of the machine's (/etc/spmform) is read either
	[ -e "$WORK/config.ini" ] || : >"$WORK/config.ini"
	local had_data=0
	if [ -e "$WORK/data.csv" ]; then
		cp "$WORK/data.csv" "$STATE/data.before"
		had_data=1
	fi

	# shellcheck source=/dev/null
	(cd "$WORK" && set -e && . "$CASE_DIR/keys") >"$log" 2>&1 </dev/null
	rc=$?
	[ $rc -eq 0 ] || why+=("keys failed (status $rc)")
	if [ ! -f "$STATE/started" ]; then
		why+=("keys never called start")
	elif [ $rc -eq 0 ] && ! wait_exit >>"$log" 2>&1; then
		why+=("the program is still running after the keys")
	fi
	# the other programs (use NAME) too
	local other
	for f in "$WORK"/err-*.txt; do
		if [ ! -e "$f" ] || [ $rc -ne 0 ]; then
			continue
		fi
		other=${f##*/err-}
		other=${other%.txt}
		if ! (APP=$other && wait_exit) >>"$log" 2>&1; then
			why+=("the program of session $other is still running after the keys")
		fi
	done
	stop_server

	# (after a failed step the program was stopped with SIGTERM: its exit
	# status and what it says then are no news)
	local st errs=("$WORK/err.txt")
	if [ -f "$WORK/rc.txt" ] && [ ${#why[@]} -eq 0 ]; then
		st=$(tr -d ' \n' <"$WORK/rc.txt")
		[ "$st" = 0 ] || why+=("exit status $st, expected 0")
	fi
	# the other programs (use NAME)
	for f in "$WORK"/err-*.txt; do
		[ -e "$f" ] || continue
		errs+=("$f")
		other=${f##*/err-}
		other=${other%.txt}
		if [ -f "$WORK/rc-$other.txt" ] && [ ${#why[@]} -eq 0 ]; then
			st=$(tr -d ' \n' <"$WORK/rc-$other.txt")
			[ "$st" = 0 ] || why+=("exit status $st of session $other, expected 0")
		fi
	done
	for f in "${errs[@]}"; do
		if [ -s "$f" ] && [ ${#why[@]} -eq 0 ]; then
			why+=("stderr not empty$(_session_of "$f")")
		fi
	done
	local data_why=
	if [ -f "$WORK/expected.csv" ] && [ ! -e "$WORK/data.csv" ]; then
		data_why="data.csv was not written"
	elif [ -f "$WORK/expected.csv" ]; then
		cmp -s "$WORK/expected.csv" "$WORK/data.csv" || data_why="data.csv differs from expected.csv"
	elif [ $had_data = 1 ]; then
		cmp -s "$STATE/data.before" "$WORK/data.csv" || data_why="data.csv changed (it must not)"
	elif [ -e "$WORK/data.csv" ]; then
		data_why="data.csv was written (it must not be)"
	fi
	[ -z "$data_why" ] || why+=("$data_why")

	{
		if [ ${#why[@]} -eq 0 ]; then
			echo "ok $name"
			sed 's/^/    /' "$STATE/notes"
		else
			echo "FAIL $name"
			for f in "${why[@]}"; do
				echo "    $f"
			done
			sed 's/^/    /' "$STATE/notes"
			[ -s "$log" ] && visible <"$log" | sed 's/^/    /'
			for f in "${errs[@]}"; do
				[ -s "$f" ] || continue
				echo "    stderr$(_session_of "$f"):"
				head -n 60 "$f" | visible | sed 's/^/    | /'
			done
			if [ -n "$data_why" ] && [ -e "$WORK/data.csv" ]; then
				if [ -f "$WORK/expected.csv" ]; then
					show_file_diff data.csv "$WORK/expected.csv" "$WORK/data.csv"
				elif [ $had_data = 1 ]; then
					show_file_diff data.csv "$STATE/data.before" "$WORK/data.csv"
				else
					show_file data.csv "$WORK/data.csv"
				fi | sed 's/^/    /'
			fi
		fi
	} >"$result"
}

if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for d in "$CASES"/*/; do
		d=${d%/}
		names+=("${d##*/}")
	done
fi

pass=0
fail=0
printed=0
# report: prints the results of the cases finished so far, in order.
report() {
	local n
	while [ $printed -lt ${#names[@]} ]; do
		n=${names[$printed]}
		[ -f "$TMP/$n/result" ] || return 0
		cat "$TMP/$n/result"
		if head -n 1 "$TMP/$n/result" | grep -q '^ok '; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
		printed=$((printed + 1))
	done
}

running=0
for n in "${names[@]}"; do
	if [ ! -f "$CASES/$n/keys" ]; then
		mkdir -p "$TMP/$n"
		printf 'FAIL %s\n    no such case (needs keys)\n' "$n" >"$TMP/$n/result"
		continue
	fi
	mkdir -p "$TMP/$n"
	if [ "$JOBS" -le 1 ]; then
		run_case "$n"
	else
		run_case "$n" &
		running=$((running + 1))
		if [ $running -ge "$JOBS" ]; then
			wait -n
			running=$((running - 1))
		fi
	fi
	report
done
wait
report

echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
